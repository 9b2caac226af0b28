import DuQuantCore
import Testing

/// The one seeded generator (the core's draws and the BLAS self-check's inputs): xoshiro256** seeded by
/// SplitMix64, its first outputs as an independent implementation of the two published algorithms gives them.
@Suite struct SeededGeneratorTests {
    @Test func firstOutputsAreXoshiro256StarStarSeededBySplitMix64() {
        let expected: [UInt64: [UInt64]] = [
            0: [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0],
            0xB1A5: [0x0CBD_184D_1499_FA87, 0xA2F3_AF20_17FB_2839, 0x8602_DFE0_8BD3_6F13],
        ]
        for (seed, values) in expected {
            var g = SeededGenerator(seed: seed)
            #expect((0..<3).map { _ in g.next() } == values, "seed \(seed)")
        }
    }
}
