import DuQuantCore
import TestSupport
import Testing

/// Issue 30: the greedy search over token shards decides exactly as one machine on the same tokens.
@Suite struct DuQuantShardsTests {
    static let layer = LayerData(
        name: "test.down_proj",
        input: TestData.activation(tokens: 150, channels: 96, outlierChannels: [5, 40, 77],
                                   massive: (token: 97, channel: 13, value: 900)),
        weight: TestData.weight(out: 24, in: 96))

    /// The layer's tokens cut into shards at `cuts` (in-process shards).
    static func shards(_ layer: LayerData, _ p: QuantParams, cuts: [Int]) -> [any DuQuantShardLink] {
        let bounds = [0] + cuts + [layer.input.rows]
        return zip(bounds, bounds.dropFirst()).map { a, b in
            DuQuantShard(input: layer.input.gatheringRows(Array(a..<b)), tokens: a..<b, params: p)
        }
    }

    /// The parts of two calibrations the issue asks to be identical: every decision (chosen channels per
    /// step), the kept steps, the bases and the transform; the peaks to the float they were rounded to
    /// (a screened peak is a kernel's value, not a decision).
    static func expectSame(_ a: DuQuantCalibration, _ b: DuQuantCalibration) {
        #expect(a.traces.map { $0.map(\.chosen) } == b.traces.map { $0.map(\.chosen) })
        #expect(a.traces.map { $0.map(\.kept) } == b.traces.map { $0.map(\.kept) })
        #expect(a.traces.map { $0.map(\.block) } == b.traces.map { $0.map(\.block) })
        #expect(a.keptSteps == b.keptSteps)
        #expect(a.bases == b.bases)
        #expect(a.transform == b.transform)
        #expect(a.smoothed == b.smoothed)
        for (ta, tb) in zip(a.traces.joined(), b.traces.joined()) {
            #expect(ta.peaks.count == tb.peaks.count)
            for (x, y) in zip(ta.peaks, tb.peaks) { #expect(abs(x - y) <= 1e-6 * max(abs(x), 1)) }
        }
    }

    @Test(arguments: [(32, RotationLayout.perblock), (32, .shared), (40, .perblock), (40, .shared)],
          Selection.allCases)
    func shardsDecideAsOneMachine(shape: (block: Int, layout: RotationLayout), select: Selection) throws {
        let (block, layout) = shape
        var p = QuantParams()
        p.block = block
        p.steps = 24
        p.select = select
        p.layout = layout
        let one = try #require(DuQuant.calibrate(Self.layer, p, retain: .transform))
        for cuts in [[75], [40, 97], [1, 149]] {
            var stats = DuQuantShards.Stats()
            let sharded = DuQuantShards.calibrate(weight: Self.layer.weight, cols: 96, p: p,
                                                  shards: Self.shards(Self.layer, p, cuts: cuts), stats: &stats)
            Self.expectSame(sharded, one)
            #expect(stats.steps > 0)
        }
    }

    /// Without smoothing the screen's bound is larger and the first search's rows are many: still the same.
    @Test func shardsDecideAsOneMachineWithoutSmoothing() throws {
        var p = QuantParams()
        p.block = 32
        p.steps = 16
        p.smooth = false
        p.permTimes = 2
        let one = try #require(DuQuant.calibrate(Self.layer, p, retain: .transform))
        var stats = DuQuantShards.Stats()
        let sharded = DuQuantShards.calibrate(weight: Self.layer.weight, cols: 96, p: p,
                                              shards: Self.shards(Self.layer, p, cuts: [50, 100]), stats: &stats)
        Self.expectSame(sharded, one)
    }

    /// Exact ties across shards: every token twice (rows t and t + 75), the cut between the copies. From the
    /// second stage on (screened rows, bound > 0) the step's extremes sit in both shards with the same
    /// screened value: the driver must ask both shards for exact values and take the lower global index,
    /// as one machine does.
    @Test(arguments: RotationLayout.allCases, Selection.allCases)
    func tiesAcrossShardsGoToTheLowerGlobalIndex(layout: RotationLayout, select: Selection) throws {
        let half = Self.layer.input.gatheringRows(Array(0..<75))
        let twice = LayerData(name: "twice", input: Matrix(rows: 150, cols: 96, storage: half.storage + half.storage),
                              weight: Self.layer.weight)
        var p = QuantParams()
        p.block = 32
        p.steps = 20
        p.layout = layout
        p.select = select
        let one = try #require(DuQuant.calibrate(twice, p, retain: .transform))
        var stats = DuQuantShards.Stats()
        let sharded = DuQuantShards.calibrate(weight: twice.weight, cols: 96, p: p,
                                              shards: Self.shards(twice, p, cuts: [75]), stats: &stats)
        Self.expectSame(sharded, one)
        #expect(stats.exactValues > 0)
    }
}
