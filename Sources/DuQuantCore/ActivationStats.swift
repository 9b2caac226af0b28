/// The headline numbers of an activation: how large its largest value is, and where.
public struct ActivationStats: Sendable, Equatable {
    /// Largest |value|.
    public var maxAbs: Float
    /// Median |value| over all entries.
    public var medianAbs: Float
    /// `maxAbs / medianAbs` (how massive the outlier is); infinity if the median is 0.
    public var ratio: Float
    /// Column (channel) of the largest |value|.
    public var topChannel: Int
    /// Row (token) of the largest |value|.
    public var topToken: Int

    /// Statistics of `m` (NaN entries are ignored).
    public static func of(_ m: Matrix) -> ActivationStats {
        var best: Float = -1, at = 0
        var mags: [Float] = []
        mags.reserveCapacity(m.count)
        for (i, v) in m.storage.enumerated() where !v.isNaN {
            let a = Swift.abs(v)
            mags.append(a)
            if a > best { best = a; at = i }
        }
        guard !mags.isEmpty, m.cols > 0 else {
            return ActivationStats(maxAbs: 0, medianAbs: 0, ratio: 0, topChannel: 0, topToken: 0)
        }
        let median = quickselect(&mags, mags.count / 2)
        return ActivationStats(maxAbs: best, medianAbs: median, ratio: median > 0 ? best / median : .infinity,
                               topChannel: at % m.cols, topToken: at / m.cols)
    }

    /// The k-th smallest value (Hoare selection, O(n) expected, deterministic pivot).
    static func quickselect(_ a: inout [Float], _ k: Int) -> Float {
        var lo = 0, hi = a.count - 1
        while lo < hi {
            let pivot = a[(lo + hi) / 2]
            var i = lo, j = hi
            while i <= j {
                while a[i] < pivot { i += 1 }
                while a[j] > pivot { j -= 1 }
                if i <= j { a.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return a[k] }
        }
        return a[k]
    }
}
