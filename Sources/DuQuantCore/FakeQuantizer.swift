/// Fake quantization (quantize then dequantize) exactly as the DuQuant reference code does it.
///
/// Asymmetric min–max per row: activations per token, weights per output channel. For a row with
/// clipped extremes `min·clip`, `max·clip`:
/// `scale = clamp((max − min)/(2^b − 1), 1e-5, 1e4)`, `zero = round(clamp(−min/scale, −1e4, 1e4))`,
/// `q = clamp(round(x/scale) + zero, 0, 2^b − 1)`, result `(q − zero)·scale`. Rounding is half-to-even
/// like `torch.round`. The symmetric variant uses `scale = max(|min|,|max|)/(2^(b−1) − 1)` and
/// `zero = 2^(b−1) − 1`.
///
/// ```swift
/// let q = FakeQuantizer(bits: 4, clip: 0.9)
/// let xq = q.quantizeRows(x)
/// ```
public struct FakeQuantizer: Sendable, Equatable {
    /// Smallest scale (the reference's CLIPMIN).
    public static let minScale: Float = 1e-5
    /// Largest scale and zero-point magnitude (the reference's CLIPMAX).
    public static let maxScale: Float = 1e4

    /// Bit width, 2…8 (up to 16 accepted).
    public var bits: Int
    /// Multiplier on each row's min and max (`lac` for activations, `swc` for weights); 1 = no clipping.
    public var clip: Float
    /// Symmetric instead of asymmetric.
    public var symmetric: Bool

    public init(bits: Int, clip: Float = 1, symmetric: Bool = false) {
        precondition((2...16).contains(bits), "bits must be 2…16")
        self.bits = bits
        self.clip = clip
        self.symmetric = symmetric
    }

    /// Largest quantized level.
    public var qmax: Float { Float((1 << bits) - 1) }

    /// Scale and zero point for a row with the given extremes.
    @inlinable
    public func parameters(min lo: Float, max hi: Float) -> (scale: Float, zero: Float) {
        let lo = lo * clip, hi = hi * clip
        if symmetric {
            let absMax = Swift.max(Swift.abs(lo), Swift.abs(hi))
            let scale = Self.clampScale(absMax / Float((1 << (bits - 1)) - 1))
            return (scale, Float((1 << (bits - 1)) - 1))
        }
        let scale = Self.clampScale((hi - lo) / qmax)
        let zero = Swift.min(Swift.max(-lo / scale, -Self.maxScale), Self.maxScale).rounded(.toNearestOrEven)
        return (scale, zero)
    }

    @inlinable
    static func clampScale(_ s: Float) -> Float {
        // NaN stays NaN so a bad row is visible instead of silently clamped.
        s.isNaN ? s : Swift.min(Swift.max(s, minScale), maxScale)
    }

    /// Fake-quantizes one row in place given its parameters.
    @inlinable
    public func quantize(_ row: UnsafeMutableBufferPointer<Float>, scale: Float, zero: Float) {
        let qmax = self.qmax
        for i in row.indices {
            // x/scale as the reference (division), not x·(1/scale): the two can round differently.
            var q = (row[i] / scale).rounded(.toNearestOrEven) + zero
            q = Swift.min(Swift.max(q, 0), qmax)
            row[i] = (q - zero) * scale
        }
    }

    /// Fake-quantizes every row of `m` (per token / per output channel).
    public func quantizeRows(_ m: Matrix) -> Matrix {
        var out = m
        guard m.cols > 0 else { return out }
        out.storage.withUnsafeMutableBufferPointer { buf in
            for r in 0..<m.rows {
                let row = UnsafeMutableBufferPointer(rebasing: buf[(r * m.cols)..<((r + 1) * m.cols)])
                var lo = row[0], hi = row[0]
                for v in row { lo = Swift.min(lo, v); hi = Swift.max(hi, v) }
                let (scale, zero) = parameters(min: lo, max: hi)
                quantize(row, scale: scale, zero: zero)
            }
        }
        return out
    }
}
