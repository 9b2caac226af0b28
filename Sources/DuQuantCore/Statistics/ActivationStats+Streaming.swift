extension ActivationStats {
    /// ``ActivationStats`` of a tensor that arrives in runs, in two passes over the same runs and in
    /// constant memory: `list` of an .npz member that inflates to 1 GiB holds 1 MB of it at a time.
    ///
    /// Values are cleaned as `loadLayer` cleans them (non-finite and denormal values count as 0), so the
    /// figures equal ``of(_:)`` on the loaded layer. Pass 1 finds the largest magnitude (first occurrence),
    /// a histogram of the top 16 bits of every |value|'s bit pattern and the non-finite values; pass 2,
    /// when the median is not settled by then, histograms the low 15 bits inside the median's bucket,
    /// which pins the median's exact bit pattern without gathering any values.
    ///
    /// ```swift
    /// var s = ActivationStats.Streaming(cols: 1024, tensor: "input")
    /// for (offset, run) in runs { s.firstPass(offset, run) }
    /// if s.needsSecondPass { for (offset, run) in runs { s.secondPass(offset, run) } }
    /// let stats = s.result()
    /// ```
    public struct Streaming: Sendable {
        let cols: Int
        let tensor: String
        private var high = [Int](repeating: 0, count: 1 << 16)
        private var low = [Int](repeating: 0, count: 1 << 15)
        private var best: Float = -1
        private var at = 0
        private var total = 0
        private var nonFinite = 0, nans = 0, firstNonFinite = -1
        private var bucket = 0, rank = 0
        private var settled: Float?

        /// An empty accumulator for `tensor` (its name in the ``NonFiniteReport``), rows of `cols` values (at least 1).
        public init(cols: Int, tensor: String) {
            self.cols = Swift.max(cols, 1)
            self.tensor = tensor
        }

        /// The magnitude bits of `v` after cleaning.
        @inline(__always)
        static func key(_ v: Float) -> UInt32 {
            v.isFinite && !v.isSubnormal ? v.bitPattern & 0x7FFF_FFFF : 0
        }

        /// Pass 1 over the run of values starting at flat index `offset`.
        public mutating func firstPass(_ offset: Int, _ run: UnsafeBufferPointer<Float>) {
            for (i, v) in run.enumerated() {
                if !v.isFinite {
                    if nonFinite == 0 { firstNonFinite = offset + i }
                    nonFinite += 1
                    if v.isNaN { nans += 1 }
                }
                let k = Self.key(v)
                high[Int(k >> 15)] += 1
                let a = Float(bitPattern: k)
                if a > best { best = a; at = offset + i }
            }
            total += run.count
        }

        /// Whether pass 2 is needed; call after pass 1 (it fixes the median's bucket).
        public mutating func needsSecondPass() -> Bool {
            guard total > 0 else { settled = 0; return false }
            rank = total / 2
            bucket = 0
            while rank >= high[bucket] { rank -= high[bucket]; bucket += 1 }
            if bucket == 0 { settled = 0; return false }  // after cleaning, bucket 0 holds only zeros
            return true
        }

        /// Pass 2 over the same runs.
        public mutating func secondPass(_ offset: Int, _ run: UnsafeBufferPointer<Float>) {
            let target = UInt32(bucket)
            for v in run {
                let k = Self.key(v)
                if k >> 15 == target { low[Int(k & 0x7FFF)] += 1 }
            }
        }

        /// The statistics (after pass 1, and pass 2 when it was needed).
        public func result() -> ActivationStats {
            guard total > 0, best >= 0 else { return ActivationStats(maxAbs: 0, medianAbs: 0, ratio: 0, topChannel: 0, topToken: 0) }
            let median: Float
            if let settled {
                median = settled
            } else {
                var r = rank, j = 0
                while j < low.count - 1 && r >= low[j] { r -= low[j]; j += 1 }
                median = Float(bitPattern: UInt32(bucket) << 15 | UInt32(j))
            }
            return ActivationStats(maxAbs: best, medianAbs: median, ratio: median > 0 ? best / median : .infinity,
                                   topChannel: at % cols, topToken: at / cols)
        }

        /// The non-finite values seen in pass 1, or nil when there were none.
        public var nonFiniteReport: NonFiniteReport? {
            guard nonFinite > 0 else { return nil }
            return NonFiniteReport(tensor: tensor, count: nonFinite, nanCount: nans,
                                   firstRow: firstNonFinite / cols, firstColumn: firstNonFinite % cols)
        }
    }
}
