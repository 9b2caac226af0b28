import DuQuantCore

/// Figures the view needs for a whole stage matrix, computed once off the input thread (with the
/// result) rather than on every frame: the colour scale's maximum, the per-channel profile, its block
/// figures and where the largest value sits.
package struct StageStats: Sendable, Equatable {
    /// Largest |x| of the matrix.
    package var maxAbs: Float
    /// Per-channel max |x| over all tokens (the paper's Figure 1).
    package var channelMax: [Float]
    /// `channelMax` in blocks of the calibration's block size (nil when made without one).
    package var blocks: BlockFigures?
    /// The largest |x| and where it sits, as ``OutlierHunt/next(in:after:)`` finds it first (nil when not
    /// computed, or for an empty matrix).
    package var largest: Largest?
    /// The 10th percentile of the nonzero |x| (from an even sample of at most ``percentileSample`` values):
    /// where the log colour scale starts, so the bulk of the values shows its structure (nil: not computed).
    package var lowAbs: Float?
    /// Values sampled for ``lowAbs``: enough for a percentile within a fraction of a percent.
    package static let percentileSample = 65_536

    /// A value's magnitude and row-major index.
    package struct Largest: Sendable, Equatable {
        package var magnitude: Float
        package var index: Int

        package init(magnitude: Float, index: Int) {
            self.magnitude = magnitude
            self.index = index
        }
    }

    package init(maxAbs: Float, channelMax: [Float], block: Int? = nil, largest: Largest? = nil, lowAbs: Float? = nil) {
        self.maxAbs = maxAbs
        self.channelMax = channelMax
        blocks = block.map { BlockFigures(channelMax: channelMax, size: $0) }
        self.largest = largest
        self.lowAbs = lowAbs
    }

    /// The statistics of `m`, with block figures for blocks of `block` channels when given.
    package static func of(_ m: Matrix, block: Int? = nil) -> StageStats {
        let channels = ChannelStats.maxAbs(m)
        return StageStats(maxAbs: channels.max() ?? 0, channelMax: channels, block: block,
                          largest: largest(in: m, channelMax: channels), lowAbs: lowPercentile(m))
    }

    /// The 10th percentile of the nonzero finite |x| of `m`, from an even sample (computed with the results,
    /// off the input thread; nil when `m` has none).
    static func lowPercentile(_ m: Matrix) -> Float? {
        let n = m.storage.count
        let stride = max(1, n / percentileSample)
        var sample: [Float] = []
        sample.reserveCapacity(min(n, percentileSample + 1))
        var i = 0
        while i < n {
            let a = abs(m.storage[i])
            if a > 0 && a.isFinite { sample.append(a) }
            i += stride
        }
        guard !sample.isEmpty else { return nil }
        sample.sort()
        return sample[sample.count / 10]
    }

    /// The statistics of every stage of a calibration, in blocks of its block size.
    package static func of(_ cal: DuQuantCalibration) -> [Stage: StageStats] {
        var out: [Stage: StageStats] = [:]
        for (stage, m) in cal.stages { out[stage] = of(m, block: cal.params.block) }
        return out
    }

    /// What `OutlierHunt.next(in: m, after: nil)` answers (the largest |x|, the first in row-major order on
    /// a tie, NaN skipped), found from the channel maxima: only the channels holding the maximum are read,
    /// row by row. A NaN maximum hides a channel's largest number, so then the whole matrix is read.
    static func largest(in m: Matrix, channelMax: [Float]) -> Largest? {
        guard m.rows > 0, m.cols > 0 else { return nil }
        if !channelMax.contains(where: \.isNaN), let top = channelMax.max() {
            let columns = channelMax.indices.filter { channelMax[$0] == top }
            for t in 0..<m.rows {
                for c in columns where abs(m[t, c]) == top { return Largest(magnitude: top, index: t * m.cols + c) }
            }
        }
        return OutlierHunt.next(in: m, after: nil).map { Largest(magnitude: $0.magnitude, index: $0.index) }
    }
}
