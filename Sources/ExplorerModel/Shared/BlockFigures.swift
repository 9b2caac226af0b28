import DuQuantCore

/// How a stage's channel maxima fall into blocks of `size` channels: each block's share of the outlier
/// mass and the variance of the block means (the zigzag permutation's objective).
///
/// Computed with the stage's ``StageStats`` (off the input thread), so the block-balance line under the
/// heatmap draws figures instead of summing channels on every frame.
///
/// ```swift
/// let b = BlockFigures(channelMax: [4, 0, 1, 1], size: 2)
/// b.shares          // [0.667, 0.333]
/// b.meanVariance    // 0.25
/// ```
package struct BlockFigures: Sendable, Equatable {
    /// Channels per block (a last partial block counts as its own block).
    package var size: Int
    /// Each block's sum of channel maxima over the sum of all, in channel order (0 when all are 0).
    package var shares: [Float]
    /// Variance of the per-block means of the channel maxima.
    package var meanVariance: Float

    package init(channelMax: [Float], size: Int) {
        self.size = size
        meanVariance = ChannelStats.blockMeanVariance(channelMax, block: size)
        var shares: [Float] = []
        let total = channelMax.reduce(0, +)
        var start = 0
        while start < channelMax.count {
            let end = min(start + size, channelMax.count)
            shares.append(total > 0 ? channelMax[start..<end].reduce(0, +) / total : 0)
            start = end
        }
        self.shares = shares
    }
}
