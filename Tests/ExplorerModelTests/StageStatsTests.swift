import DuQuantCore
import ExplorerModel
import Testing

/// What the view reads from a stage's statistics instead of computing it per frame.
@Suite struct StageStatsTests {
    /// 5 tokens × 6 channels of small values.
    static func matrix() -> Matrix {
        var m = Matrix(rows: 5, cols: 6)
        for t in 0..<5 { for c in 0..<6 { m[t, c] = Float((t * 5 + c * 3) % 7) / 10 - 0.3 } }
        return m
    }

    static func hunted(_ m: Matrix) -> StageStats.Largest? {
        OutlierHunt.next(in: m, after: nil).map { StageStats.Largest(magnitude: $0.magnitude, index: $0.index) }
    }

    @Test func theLargestValueIsWhereTheOutlierHuntFindsItFirst() {
        var m = Self.matrix()
        #expect(StageStats.of(m).largest == Self.hunted(m))
        // Ties: the first in row-major order, whatever the sign.
        m[3, 1] = -9
        m[2, 4] = 9
        m[4, 0] = 9
        #expect(StageStats.of(m).largest == StageStats.Largest(magnitude: 9, index: 2 * 6 + 4))
        #expect(StageStats.of(m).largest == Self.hunted(m))
        // A NaN is skipped, as the hunt skips it.
        m[0, 4] = .nan
        #expect(StageStats.of(m).largest == Self.hunted(m))
        #expect(StageStats.of(Matrix(rows: 3, cols: 2)).largest == StageStats.Largest(magnitude: 0, index: 0))
        #expect(StageStats.of(Matrix(rows: 0, cols: 4)).largest == nil)
    }

    @Test func blockFiguresShareTheChannelMaximaAndTakeTheVarianceOfTheirMeans() {
        let b = BlockFigures(channelMax: [4, 0, 1, 1, 2], size: 2)
        #expect(b.shares == [0.5, 0.25, 0.25])
        #expect(b.meanVariance == ChannelStats.blockMeanVariance([4, 0, 1, 1, 2], block: 2))
        #expect(BlockFigures(channelMax: [0, 0, 0], size: 2).shares == [0, 0])
        // With a calibration's block size, every stage carries them; without one, none.
        #expect(StageStats.of(Self.matrix(), block: 4).blocks == BlockFigures(channelMax: ChannelStats.maxAbs(Self.matrix()), size: 4))
        #expect(StageStats.of(Self.matrix()).blocks == nil)
    }
}
