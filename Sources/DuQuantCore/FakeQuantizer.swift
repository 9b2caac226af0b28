#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
public struct FakeQuantizer: Sendable, Hashable {
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
    /// Each row's clip ratio searched instead of fixed (on top of `clip`), as QuaRot's `--w_clip` does for
    /// weights: the ratios 1.00, 0.99 … 0.21 are tried and the one with the least Σ|x − Q(x)|^2.4 is kept.
    public var searchClip: Bool

    public init(bits: Int, clip: Float = 1, symmetric: Bool = false, searchClip: Bool = false) {
        precondition((2...16).contains(bits), "bits must be 2…16")
        self.bits = bits
        self.clip = clip
        self.symmetric = symmetric
        self.searchClip = searchClip
    }

    /// The shrink ratios the clip search tries (QuaRot's grid: 80 steps of 0.01 down from 1).
    static let searchedRatios: [Float] = (0..<80).map { 1 - Float($0) / 100 }

    /// The row's range multiplier: 1 without ``searchClip``, else the searched ratio with the least
    /// Σ|x − Q(x)|^2.4 (the first such, so ties keep the wider range).
    func rowShrink(_ p: UnsafePointer<Float>, _ n: Int, lo: Float, hi: Float) -> Float {
        guard searchClip else { return 1 }
        var best = Float.infinity, bestRatio: Float = 1
        let qmax = self.qmax
        for ratio in Self.searchedRatios {
            let (scale, zero) = parameters(min: lo * ratio, max: hi * ratio)
            var err: Float = 0
            // The sum only grows: a ratio is dropped as soon as it reaches the best so far (the choice is
            // the same as summing every term; on a 7B-shaped weight most ratios stop early).
            var start = 0
            while start < n && err < best {
                let end = Swift.min(n, start + 64)
                for i in start..<end {
                    var q = (p[i] / scale).rounded(.toNearestOrEven) + zero
                    q = Swift.min(Swift.max(q, 0), qmax)
                    err += powf(Swift.abs((q - zero) * scale - p[i]), 2.4)
                }
                start = end
            }
            if start == n && err < best { best = err; bestRatio = ratio }
        }
        return bestRatio
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
    ///
    /// Eight lanes at a time with exactly the scalar operations (division, half-to-even rounding,
    /// the same clamps), so the result is bit-identical to the element-by-element formula.
    @inlinable
    public func quantize(_ row: UnsafeMutableBufferPointer<Float>, scale: Float, zero: Float) {
        guard let p = row.baseAddress else { return }
        let n = row.count
        let qmax = self.qmax
        let vs = SIMD8<Float>(repeating: scale), vz = SIMD8<Float>(repeating: zero)
        let vmax = SIMD8<Float>(repeating: qmax), v0 = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= n {
            let raw = UnsafeMutableRawPointer(p + i)
            // x/scale as the reference (division), not x·(1/scale): the two can round differently.
            var q = (raw.loadUnaligned(as: SIMD8<Float>.self) / vs).rounded(.toNearestOrEven) + vz
            q.replace(with: v0, where: v0 .>= q)  // Swift.max(q, 0)
            q.replace(with: vmax, where: vmax .< q)  // Swift.min(q, qmax)
            raw.storeBytes(of: (q - vz) * vs, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n {
            var q = (p[i] / scale).rounded(.toNearestOrEven) + zero
            q = Swift.min(Swift.max(q, 0), qmax)
            p[i] = (q - zero) * scale
            i += 1
        }
    }

    /// The smallest and largest value of a row, as `Swift.min`/`Swift.max` folded from the first
    /// element (a NaN first element stays; later NaNs are ignored).
    @inlinable
    static func extremes(_ p: UnsafePointer<Float>, _ n: Int) -> (lo: Float, hi: Float) {
        var lo = p[0], hi = p[0]
        var i = 0
        if n >= 16 {
            var vlo = SIMD8<Float>(repeating: lo), vhi = vlo
            while i + 8 <= n {
                let v = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
                vlo.replace(with: v, where: v .< vlo)  // Swift.min(lo, v)
                vhi.replace(with: v, where: v .>= vhi)  // Swift.max(hi, v)
                i += 8
            }
            for k in 0..<8 {
                if vlo[k] < lo { lo = vlo[k] }
                if vhi[k] >= hi { hi = vhi[k] }
            }
        }
        while i < n { lo = Swift.min(lo, p[i]); hi = Swift.max(hi, p[i]); i += 1 }
        return (lo, hi)
    }

    /// Fake-quantizes every row of `m` (per token / per output channel), rows spread over the cores.
    public func quantizeRows(_ m: Matrix) -> Matrix {
        guard m.cols > 0, m.rows > 0 else { return m }
        let cols = m.cols
        let storage = [Float](unsafeUninitializedCapacity: m.count) { out, initialized in
            m.storage.withUnsafeBufferPointer { src in
                nonisolated(unsafe) let s = src.baseAddress!, d = out.baseAddress!
                HugePages.advise(out.baseAddress!, count: out.count)
                ParallelRows.forEach(rows: m.rows, cols: cols) { range in
                    for r in range {
                        let (lo, hi) = Self.extremes(s + r * cols, cols)
                        let k = rowShrink(s + r * cols, cols, lo: lo, hi: hi)
                        let (scale, zero) = parameters(min: lo * k, max: hi * k)
                        (d + r * cols).update(from: s + r * cols, count: cols)
                        quantize(UnsafeMutableBufferPointer(start: d + r * cols, count: cols), scale: scale, zero: zero)
                    }
                }
            }
            initialized = m.count
        }
        return Matrix(rows: m.rows, cols: cols, storage: storage)
    }
}
