/// Per-channel and whole-matrix statistics used by smoothing, the permutation and the views.
public enum ChannelStats {
    /// `max_t |m[t, j]|` for every column `j` (NaN propagates).
    ///
    /// Row chunks run on the cores, each into its own partial maxima, merged at the end (a maximum
    /// does not depend on the order, so the result is exact).
    public static func maxAbs(_ m: Matrix) -> [Float] {
        let cols = m.cols
        guard cols > 0, m.rows > 0 else { return [Float](repeating: 0, count: cols) }
        let rowsPerChunk = Swift.max(16, ParallelRows.minParallelElements / cols)
        let partials: [[Float]] = m.storage.withUnsafeBufferPointer { buf in
            nonisolated(unsafe) let src = buf.baseAddress!
            return ParallelRows.mapChunks(count: m.rows, chunk: rowsPerChunk) { rows in
                var o = [Float](repeating: 0, count: cols)
                o.withUnsafeMutableBufferPointer { o in
                    for r in rows { foldMaxAbs(into: o.baseAddress!, src + r * cols, cols) }
                }
                return o
            }
        }
        var out = partials[0]
        for part in partials.dropFirst() {
            part.withUnsafeBufferPointer { foldMaxAbs(into: &out, $0.baseAddress!, cols, alreadyAbs: true) }
        }
        return out
    }

    /// `o[c] = |v[c]|` where that is larger or NaN (the scalar rule `v > o || v.isNaN`), eight lanes at a time.
    @inline(__always)
    static func foldMaxAbs(into o: UnsafeMutablePointer<Float>, _ v: UnsafePointer<Float>, _ n: Int,
                           alreadyAbs: Bool = false) {
        var c = 0
        while c + 8 <= n {
            let ov = UnsafeRawPointer(o + c).loadUnaligned(as: SIMD8<Float>.self)
            var a = UnsafeRawPointer(v + c).loadUnaligned(as: SIMD8<Float>.self)
            if !alreadyAbs { a = unsafeBitCast(unsafeBitCast(a, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: SIMD8<Float>.self) }
            let r = ov.replacing(with: a, where: (a .> ov) .| (a .!= a))
            UnsafeMutableRawPointer(o + c).storeBytes(of: r, as: SIMD8<Float>.self)
            c += 8
        }
        while c < n {
            let a = Swift.abs(v[c])
            if a > o[c] || a.isNaN { o[c] = a }
            c += 1
        }
    }

    /// Largest |value| of the whole matrix.
    public static func maxAbs(of m: Matrix) -> Float {
        var best: Float = 0
        for v in m.storage where Swift.abs(v) > best { best = Swift.abs(v) }
        return best
    }

    /// Variance of the per-block means of `channelMax` (the zigzag permutation's objective).
    ///
    /// Blocks are consecutive runs of `block` channels; a last partial block counts with its own mean.
    public static func blockMeanVariance(_ channelMax: [Float], block: Int) -> Float {
        precondition(block > 0)
        var means: [Double] = []
        var start = 0
        while start < channelMax.count {
            let end = Swift.min(start + block, channelMax.count)
            var s = 0.0
            for j in start..<end { s += Double(channelMax[j]) }
            means.append(s / Double(end - start))
            start = end
        }
        guard !means.isEmpty else { return 0 }
        let mu = means.reduce(0, +) / Double(means.count)
        return Float(means.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(means.count))
    }

    /// Pearson kurtosis `E[(x−μ)⁴]/σ⁴` of all values (3 for a Gaussian; large with outliers).
    ///
    /// Sums in Double over fixed chunks (on the cores), added in chunk order: deterministic.
    public static func kurtosis(_ m: Matrix) -> Float {
        let n = Double(m.count)
        guard n > 1 else { return 0 }
        return m.storage.withUnsafeBufferPointer { buf -> Float in
            nonisolated(unsafe) let p = buf.baseAddress!
            let mean = ParallelRows.mapChunks(count: m.count) { DoubleSum.sum(p, $0) }.reduce(0, +) / n
            let moments = ParallelRows.mapChunks(count: m.count) { range -> SIMD2<Double> in
                var m2 = SIMD4<Double>(repeating: 0), m4 = SIMD4<Double>(repeating: 0)
                let mu = SIMD4<Double>(repeating: mean)
                var i = range.lowerBound
                while i + 4 <= range.upperBound {
                    let d = SIMD4<Double>(Double(p[i]), Double(p[i + 1]), Double(p[i + 2]), Double(p[i + 3])) - mu
                    let d2 = d * d
                    m2 += d2
                    m4 += d2 * d2
                    i += 4
                }
                var s = SIMD2(m2.sum(), m4.sum())
                while i < range.upperBound {
                    let d = Double(p[i]) - mean, d2 = d * d
                    s += SIMD2(d2, d2 * d2)
                    i += 1
                }
                return s
            }.reduce(SIMD2<Double>(repeating: 0), +) / n
            return moments.x > 0 ? Float(moments.y / (moments.x * moments.x)) : 0
        }
    }
}
