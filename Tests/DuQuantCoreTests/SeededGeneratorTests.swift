import DuQuantCompute
import DuQuantCore
import Testing

/// The BLAS self-check (in DuQuantCompute, below the core) restates the core's generator for its inputs.
@Suite struct SeededGeneratorTests {
    @Test func theSelfCheckDrawsTheCoreGeneratorsNumbers() {
        for seed: UInt64 in [0, 0xB1A5, .max] {
            var core = SeededGenerator(seed: seed)
            var check = BLASSelfCheck.Numbers(seed: seed)
            for _ in 0..<1000 { #expect(core.nextGaussian() == check.nextGaussian()) }
            #expect(core.next() == check.next())
        }
    }
}
