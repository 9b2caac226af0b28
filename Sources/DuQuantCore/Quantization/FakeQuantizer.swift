import DuQuantCompute
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

    /// A `bits`-bit quantizer (2…16, traps outside) with range multiplier `clip`; asymmetric, unsearched by default.
    public init(bits: Int, clip: Float = 1, symmetric: Bool = false, searchClip: Bool = false) {
        precondition((2...16).contains(bits), "bits must be 2…16")
        self.bits = bits
        self.clip = clip
        self.symmetric = symmetric
        self.searchClip = searchClip
    }

    /// The shrink ratios the clip search tries (QuaRot's grid: 80 steps of 0.01 down from 1).
    package static let searchedRatios: [Float] = (0..<80).map { 1 - Float($0) / 100 }

    /// Ratios on each side of the first guess that the search sums without trying to rule them out.
    static let nearGuess = 2

    /// The index in ``searchedRatios`` of a row's range multiplier under ``searchClip``: the ratio with the
    /// least Σ|x − Q(x)|^2.4, the first such on ties (so ties keep the wider range), as
    /// ``searchedIndexInOrder(_:_:lo:hi:)`` finds it, but with `guess` (such as the previous row's
    /// choice) tried first: with a near-least sum known from the start, the others stop summing early.
    ///
    /// Why it is the same choice: a winner's cost is always summed in full, and a ratio is ruled out only
    /// once a lower bound on its cost shows it cannot win: above the best so far when it lies before the
    /// best in the grid (it would win a tie), at or above it when after. The bounds are Jensen's on
    /// Σd² (``clipCostBound(_:_:scale:zero:stopAt:)``, no power computed), then the partial sums (which
    /// only grow: every term is ≥ 0 and float addition is monotone). Any order of trials then ends on the
    /// grid's first least cost. A row whose costs are not finite (NaN or overflow) is searched in grid
    /// order, as before.
    package func searchedIndex(_ p: UnsafePointer<Float>, _ n: Int, lo: Float, hi: Float, guess: Int) -> Int {
        let ratios = Self.searchedRatios
        let g = Swift.min(Swift.max(guess, 0), ratios.count - 1)
        var best = Float.infinity, index = g
        // The guess and its nearest neighbours first, summed outright (they are close to the least cost,
        // so a bound would rarely rule them out); then the others in grid order, each only if its
        // bound does not rule it out.
        let near = Self.nearGuess
        var order = [g]
        order.reserveCapacity(ratios.count)
        for k in 1...near { for i in [g - k, g + k] where ratios.indices.contains(i) { order.append(i) } }
        for i in ratios.indices where abs(i - g) > near { order.append(i) }
        for i in order {
            let (scale, zero) = parameters(min: lo * ratios[i], max: hi * ratios[i])
            let before = i < index
            if abs(i - g) > near {
                // Ruled out when the bound passes the best (before it in the grid: strictly).
                let limit = before ? Double(best).nextUp : Double(best)
                if clipCostBound(p, n, scale: scale, zero: zero, stopAt: limit) >= limit { continue }
            }
            let e = clipCost(p, n, scale: scale, zero: zero, stopAt: before ? best.nextUp : best)
            if i == g {
                guard e.isFinite else { return searchedIndexInOrder(p, n, lo: lo, hi: hi) }
                best = e
                continue
            }
            if e.isNaN { return searchedIndexInOrder(p, n, lo: lo, hi: hi) }
            if before ? e <= best : e < best { best = e; index = i }
        }
        return index
    }

    /// The grid's argmin in grid order (1.00 first): the reference the guessed search must agree with.
    package func searchedIndexInOrder(_ p: UnsafePointer<Float>, _ n: Int, lo: Float, hi: Float) -> Int {
        var best = Float.infinity, index = 0
        for (i, ratio) in Self.searchedRatios.enumerated() {
            let (scale, zero) = parameters(min: lo * ratio, max: hi * ratio)
            let err = clipCost(p, n, scale: scale, zero: zero, stopAt: best)
            if err < best { best = err; index = i }
        }
        return index
    }

    /// Σ|x − Q(x)|^2.4 over a row quantized with `scale` and `zero`, eight values at a time (the power by
    /// ``pow24(_:)``); once the partial sum reaches `stopAt` it is returned as it is (the sum only grows,
    /// so such a ratio cannot win: the choice is the same as with every term summed).
    package func clipCost(_ p: UnsafePointer<Float>, _ n: Int, scale: Float, zero: Float, stopAt: Float) -> Float {
        let vs = SIMD8<Float>(repeating: scale), vz = SIMD8<Float>(repeating: zero)
        let vmax = SIMD8<Float>(repeating: qmax), v0 = SIMD8<Float>(repeating: 0)
        @inline(__always) func cost(_ x: SIMD8<Float>) -> SIMD8<Float> {
            var q = (x / vs).rounded(.toNearestOrEven) + vz
            q.replace(with: v0, where: v0 .>= q)
            q.replace(with: vmax, where: vmax .< q)
            let d = (q - vz) * vs - x
            return Self.pow24(d.replacing(with: -d, where: d .< 0))
        }
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= n {
            acc += cost(UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self))
            i += 8
            if i & 63 == 0, acc.sum() >= stopAt { return acc.sum() }
        }
        if i < n {
            // The tail padded with copies of its first value, whose terms are then masked out.
            var x = SIMD8<Float>(repeating: p[i])
            for k in 0..<(n - i) { x[k] = p[i + k] }
            let keep = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) .< SIMD8<Int32>(repeating: Int32(n - i))
            acc += cost(x).replacing(with: 0, where: .!keep)
        }
        return acc.sum()
    }

    /// `d^2.4` for `d ≥ 0`, eight at a time, within 1e-5 of `powf(d, 2.4)` and about 5× faster here:
    /// `d² · 2^(0.4·log2 d)`, with `log2` of the mantissa and `exp2` of the fraction by least-squares
    /// polynomials of degree 5 (on [1, 2) and [0, 1)), and exponents moved between integer and float
    /// through the mantissa of 2^23 (vector integer ↔ float conversions are slow in Swift's SIMD); 0 for 0.
    @inline(__always)
    package static func pow24(_ d: SIMD8<Float>) -> SIMD8<Float> {
        let bits = unsafeBitCast(d, to: SIMD8<UInt32>.self)
        let exponent = unsafeBitCast((bits &>> 23) | 0x4B00_0000, to: SIMD8<Float>.self) - (8_388_608 + 127)
        let m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F80_0000, to: SIMD8<Float>.self) - 1
        var l = SIMD8<Float>(repeating: 0.043428907822090634)
        l = l * m - 0.18772263530836372
        l = l * m + 0.40872174404367645
        l = l * m - 0.7057041576756468
        l = l * m + 1.4412674171485884
        l = l * m + 3.190813123166556e-05
        var y = 0.4 * (exponent + l)
        y.replace(with: -126, where: y .< -126)
        let whole = y.rounded(.down), f = y - whole
        var t = SIMD8<Float>(repeating: 0.0018943794234861173)
        t = t * f + 0.008940582529139917
        t = t * f + 0.05587655686914371
        t = t * f + 0.24013169187190317
        t = t * f + 0.693156776698862
        t = t * f + 0.9999997696337071
        let biased = unsafeBitCast(whole + (8_388_608 + 127), to: SIMD8<UInt32>.self)
        let power = unsafeBitCast((biased & 0x007F_FFFF) &<< 23, to: SIMD8<Float>.self)
        return (d * d * t * power).replacing(with: 0, where: d .<= 0)
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
    public func quantizeRows(_ m: Matrix) -> Matrix { quantizeRowsAndShrinks(m).q }

    /// ``quantizeRows(_:)`` and, with ``searchClip``, each row's searched range multiplier (nil without):
    /// what the error anatomy's clip split needs, so that it does not search again.
    package func quantizeRowsAndShrinks(_ m: Matrix) -> (q: Matrix, shrinks: [Float]?) {
        guard m.cols > 0, m.rows > 0 else { return (m, searchClip ? [Float](repeating: 1, count: m.rows) : nil) }
        let cols = m.cols
        var shrinks = [Float](repeating: 1, count: searchClip ? m.rows : 0)
        let storage = shrinks.withUnsafeMutableBufferPointer { ks in
            [Float](unsafeUninitializedCapacity: m.count) { out, initialized in
                m.storage.withUnsafeBufferPointer { src in
                    nonisolated(unsafe) let s = src.baseAddress!, d = out.baseAddress!, kept = ks.baseAddress
                    HugePages.advise(out.baseAddress!, count: out.count)
                    ParallelRows.forEach(rows: m.rows, cols: cols) { range in
                        // The previous row's choice is the next row's first guess (rows are alike).
                        var guess = 0
                        for r in range {
                            let (lo, hi) = Self.extremes(s + r * cols, cols)
                            var k: Float = 1
                            if searchClip {
                                guess = searchedIndex(s + r * cols, cols, lo: lo, hi: hi, guess: guess)
                                k = Self.searchedRatios[guess]
                                kept![r] = k
                            }
                            let (scale, zero) = parameters(min: lo * k, max: hi * k)
                            (d + r * cols).update(from: s + r * cols, count: cols)
                            quantize(UnsafeMutableBufferPointer(start: d + r * cols, count: cols), scale: scale, zero: zero)
                        }
                    }
                }
                initialized = m.count
            }
        }
        return (Matrix(rows: m.rows, cols: cols, storage: storage), searchClip ? shrinks : nil)
    }
}
