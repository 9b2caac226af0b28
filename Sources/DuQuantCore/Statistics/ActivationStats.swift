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
    ///
    /// Two streaming passes on the cores instead of copying and selecting: the first finds the largest
    /// magnitude (first occurrence) and a histogram of the top 16 bits of every |value|'s bit pattern
    /// (monotone in the value for non-negative floats); the second gathers only the values of the
    /// bucket that holds the median and selects among them. The median is exact.
    public static func of(_ m: Matrix) -> ActivationStats {
        guard m.count > 0, m.cols > 0 else {
            return ActivationStats(maxAbs: 0, medianAbs: 0, ratio: 0, topChannel: 0, topToken: 0)
        }
        let chunk = Swift.max(1 << 18, m.count / (ParallelRows.cores * 4) + 1)
        return m.storage.withUnsafeBufferPointer { buf -> ActivationStats in
            nonisolated(unsafe) let p = buf.baseAddress!
            let bits = UnsafeRawPointer(p).assumingMemoryBound(to: UInt32.self)
            // Pass 1: per chunk, the first largest magnitude and the bucket histogram.
            let firsts = ParallelRows.mapChunks(count: m.count, chunk: chunk) { range -> (Float, Int, [Int32]) in
                var hist = [Int32](repeating: 0, count: 1 << 16)
                var best: Float = -1, at = 0
                hist.withUnsafeMutableBufferPointer { h in
                    for i in range {
                        let key = bits[i] & 0x7FFF_FFFF
                        if key > 0x7F80_0000 { continue }  // NaN
                        h[Int(key >> 15)] &+= 1
                        let a = Float(bitPattern: key)
                        if a > best { best = a; at = i }
                    }
                }
                return (best, at, hist)
            }
            var best: Float = -1, at = 0
            var hist = [Int](repeating: 0, count: 1 << 16)
            for (b, i, h) in firsts {
                if b > best { best = b; at = i }
                for k in 0..<(1 << 16) where h[k] != 0 { hist[k] += Int(h[k]) }
            }
            let total = hist.reduce(0, +)
            guard total > 0 else { return ActivationStats(maxAbs: 0, medianAbs: 0, ratio: 0, topChannel: 0, topToken: 0) }
            // The bucket holding the (total/2)-th smallest magnitude, and the rank inside it.
            var rank = total / 2, bucket = 0
            while rank >= hist[bucket] { rank -= hist[bucket]; bucket += 1 }
            // Pass 2: gather that bucket's magnitudes (each chunk's in order) and select.
            let target = UInt32(bucket)
            var members = ParallelRows.mapChunks(count: m.count, chunk: chunk) { range -> [Float] in
                var out: [Float] = []
                for i in range {
                    let key = bits[i] & 0x7FFF_FFFF
                    if key >> 15 == target && key <= 0x7F80_0000 { out.append(Float(bitPattern: key)) }
                }
                return out
            }.flatMap { $0 }
            let median = quickselect(&members, rank)
            return ActivationStats(maxAbs: best, medianAbs: median, ratio: median > 0 ? best / median : .infinity,
                                   topChannel: at % m.cols, topToken: at / m.cols)
        }
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
