/// Per-channel and whole-matrix statistics used by smoothing, the permutation and the views.
public enum ChannelStats {
    /// `max_t |m[t, j]|` for every column `j` (NaN propagates).
    public static func maxAbs(_ m: Matrix) -> [Float] {
        var out = [Float](repeating: 0, count: m.cols)
        m.storage.withUnsafeBufferPointer { buf in
            out.withUnsafeMutableBufferPointer { o in
                for r in 0..<m.rows {
                    let base = r * m.cols
                    for c in 0..<m.cols {
                        let v = Swift.abs(buf[base + c])
                        if v > o[c] || v.isNaN { o[c] = v }
                    }
                }
            }
        }
        return out
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
    public static func kurtosis(_ m: Matrix) -> Float {
        let n = Double(m.count)
        guard n > 1 else { return 0 }
        var mean = 0.0
        for v in m.storage { mean += Double(v) }
        mean /= n
        var m2 = 0.0, m4 = 0.0
        for v in m.storage {
            let d = Double(v) - mean, d2 = d * d
            m2 += d2
            m4 += d2 * d2
        }
        m2 /= n
        m4 /= n
        return m2 > 0 ? Float(m4 / (m2 * m2)) : 0
    }
}
