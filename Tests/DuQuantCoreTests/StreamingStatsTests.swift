import Testing
@testable import DuQuantCore
import TestSupport

/// Statistics from runs of values equal those of the loaded matrix (issue 10, item 3: `list` of an .npz
/// bomb held the inflated member about three times over; it now streams).
@Suite struct StreamingStatsTests {
    static func streamed(_ m: Matrix, run: Int) -> (ActivationStats, NonFiniteReport?) {
        var s = ActivationStats.Streaming(cols: m.cols, tensor: "input")
        m.storage.withUnsafeBufferPointer { all in
            for start in stride(from: 0, to: all.count, by: run) {
                s.firstPass(start, UnsafeBufferPointer(rebasing: all[start..<min(all.count, start + run)]))
            }
            if s.needsSecondPass() {
                for start in stride(from: 0, to: all.count, by: run) {
                    s.secondPass(start, UnsafeBufferPointer(rebasing: all[start..<min(all.count, start + run)]))
                }
            }
        }
        return (s.result(), s.nonFiniteReport)
    }

    @Test(arguments: [1, 7, 4096, 1 << 20])
    func issue10_streamedStatisticsEqualLoaded(run: Int) {
        var m = TestData.activation(tokens: 97, channels: 130, seed: 9, massive: (3, 17, 900))
        m.storage[5] = .nan
        m.storage[6] = .infinity
        m.storage[7] = 1e-41  // denormal: counts as 0, as after loading
        m.storage[8] = -.infinity
        let loaded = LayerData(name: "l", input: m).replacingNonFinite().flushingSubnormals()
        let (s, report) = Self.streamed(m, run: run)
        #expect(s == ActivationStats.of(loaded.input))
        #expect(report == loaded.nonFinite.first)
    }

    @Test func mostlyZerosSettleWithoutASecondPass() {
        var m = Matrix(rows: 64, cols: 64)
        m[1, 5] = 3
        var s = ActivationStats.Streaming(cols: 64, tensor: "input")
        m.storage.withUnsafeBufferPointer { s.firstPass(0, $0) }
        let needs = s.needsSecondPass()
        #expect(!needs)
        #expect(s.result() == ActivationStats.of(m))
        #expect(s.result().topToken == 1 && s.result().topChannel == 5)
    }
}
