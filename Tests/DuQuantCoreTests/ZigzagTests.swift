import DuQuantCore
import Testing

@Suite struct ZigzagTests {
    @Test func dealsOneToKThenKToOneRepeatingTheEndBlock() {
        // Sorted descending, channels 7,6,…,0 go to blocks 0,1,2,2,1,0 — then 0,1.
        let maxes: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 0.5]  // channel 7 largest, channel 8 smallest
        let perm = Zigzag.permutation(channelMax: Array(maxes.prefix(6)), block: 2)
        // K = 3. Order by max: 5,4,3,2,1,0 → blocks 0,1,2,2,1,0 → b0 = [5,0], b1 = [4,1], b2 = [3,2].
        #expect(perm == [5, 0, 4, 1, 3, 2])
    }

    @Test func insideABlockChannelsAreSortedByMaxDescending() {
        let maxes: [Float] = [0.1, 9, 0.2, 8, 7, 0.3, 6, 0.4]
        let perm = Zigzag.permutation(channelMax: maxes, block: 4)
        // Order: 1(9),3(8),4(7),6(6),7(.4),5(.3),2(.2),0(.1) → blocks 0,1,1,0,0,1,1,0.
        #expect(perm == [1, 6, 7, 0, 3, 4, 5, 2])
        for b in 0..<2 {
            let vals = perm[(b * 4)..<(b * 4 + 4)].map { maxes[$0] }
            #expect(vals == vals.sorted(by: >))
        }
    }

    @Test func isAPermutationAndFillsAPartialLastBlock() {
        let maxes: [Float] = (0..<10).map { Float(($0 * 7) % 10) }
        let perm = Zigzag.permutation(channelMax: maxes, block: 4)
        #expect(perm.sorted() == Array(0..<10))
    }

    @Test func paperToyExampleLowersBlockMeanVariance() {
        // Two outlier channels sitting in the same block: the zigzag splits them across blocks.
        let maxes: [Float] = [10, 9, 1, 1, 1, 1, 1, 1]
        let before = ChannelStats.blockMeanVariance(maxes, block: 4)
        let perm = Zigzag.permutation(channelMax: maxes, block: 4)
        let after = ChannelStats.blockMeanVariance(perm.map { maxes[$0] }, block: 4)
        // Block means 5.25 and 1 (variance 4.52) become 3.25 and 3 (variance 0.016).
        #expect(abs(before - 4.515625) < 1e-5)
        #expect(abs(after - 0.015625) < 1e-6)
    }
}
