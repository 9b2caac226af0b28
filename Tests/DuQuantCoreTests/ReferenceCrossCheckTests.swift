import DuQuantCore
import Foundation
import TestSupport
import Testing

/// Our pipeline in the official code's setting against the official algorithm itself (a NumPy port of
/// its `rotation`, `permutation_zigzag` and `online_duquant_cali`, run by
/// tools/reference/make_crosscheck_fixture.py with the stage rotations recorded).
@Suite struct ReferenceCrossCheckTests {
    struct Fixture: Decodable {
        var tokens: Int, channels: Int, block: Int, steps: Int
        var x: [Float]
        var base: [[Float]]
        var kept: [Int]
        var peak_first: [Float]
        var peak_min: [Float]
        var chosen_head: [[Int]]
        var rotation: [[Float]]
        var permutation: [Int]
        var out: [Float]
    }

    static func load() throws -> Fixture {
        let url = try #require(Bundle.module.url(forResource: "reference_crosscheck", withExtension: "json",
                                                 subdirectory: "Fixtures"))
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    @Test func sharedReferenceSearchReproducesTheOfficialCalibration() throws {
        let f = try Self.load()
        let n = f.block, k = f.channels / n
        let x = Matrix(rows: f.tokens, cols: f.channels, storage: f.x)
        var cur = x
        for stage in 0..<2 {
            let base = Matrix(rows: n, cols: n, storage: f.base[stage])
            let r = try #require(GreedyRotation.search(rows: cur.blockRows(blocks: 0..<k, width: n), width: n,
                                                       base: base, steps: f.steps, select: .reference, block: -1))
            #expect(r.trace.kept == f.kept[stage], "stage \(stage) kept prefix")
            #expect(Array(r.trace.chosen.prefix(f.chosen_head[stage].count)) == f.chosen_head[stage], "stage \(stage)")
            #expect(abs(r.trace.peaks[0] - f.peak_first[stage]) <= 1e-4 * f.peak_first[stage])
            #expect(abs(r.trace.peaks[r.trace.kept] - f.peak_min[stage]) <= 1e-4 * f.peak_min[stage])
            let expected = Matrix(rows: n, cols: n, storage: f.rotation[stage])
            #expect(TestData.relativeDifference(r.rotation, expected) < 1e-5, "stage \(stage) composed rotation")
            cur = BlockRotation(blockSizes: [Int](repeating: n, count: k), blocks: [Matrix](repeating: r.rotation, count: k))
                .apply(to: cur)
            if stage == 0 {
                let perm = Zigzag.permutation(channelMax: ChannelStats.maxAbs(cur), block: n)
                #expect(perm == f.permutation)
                cur = cur.gatheringColumns(perm)
            }
        }
        #expect(TestData.relativeDifference(cur, Matrix(rows: f.tokens, cols: f.channels, storage: f.out)) < 1e-5)
    }
}
