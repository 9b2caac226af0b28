import DuQuantCore
import Foundation
import Testing
@testable import DuQuantIO

/// Tensors read in pieces of any size (issue 10, items 3 and 4).
@Suite struct StreamingReadTests {
    /// An inflater returns whatever it made when its input runs out, so an element can be cut anywhere:
    /// the sink must carry the cut bytes over.
    @Test(arguments: [DType.f16, .bf16, .f32, .f64])
    func elementsCutAtAnyByteConvertTheSame(dtype: DType) throws {
        let values: [Float] = (0..<1001).map { Float($0) * 0.25 - 100 }
        let bytes = try #require(FloatConversion.bytes(of: values, as: dtype))
        let expected = try #require(bytes.withUnsafeBytes { FloatConversion.floats(from: $0, dtype: dtype, count: values.count) })
        for step in [1, 3, 5, 7, 13, 4096] {
            var out = [Float](repeating: .nan, count: values.count)
            out.withUnsafeMutableBufferPointer { dst in
                var sink = FloatSink(dst: dst.baseAddress!, dtype: dtype, count: values.count)
                bytes.withUnsafeBytes { all in
                    for start in stride(from: 0, to: all.count, by: step) {
                        sink.consume(UnsafeRawBufferPointer(rebasing: all[start..<min(all.count, start + step)]))
                    }
                }
                #expect(sink.isComplete)
            }
            #expect(out == expected, "\(dtype.name) in pieces of \(step)")
        }
    }

    /// Regression: a small .npz whose member inflates to 64 MB is listed from 1 MB runs (the 1 GiB original
    /// took 3.2 GB and 15 s), and `report` under a budget refuses it from the declared shape, before
    /// inflating anything.
    @Test func issue10_npzBombIsStreamedOrRefusedBeforeInflating() throws {
        let path = Fixture.path("hostile") + "/npz_bomb_64m.npz"
        let dump = try DumpFile.open(path)
        var seen = 0, largestRun = 0, maxAbs: Float = 0
        try dump.streamTensor("bomb.input") { offset, run in
            #expect(offset == seen)
            seen += run.count
            largestRun = max(largestRun, run.count)
            for v in run { maxAbs = max(maxAbs, abs(v)) }
        }
        #expect(seen == 4096 * 4096 && maxAbs == 3)
        #expect(largestRun <= TensorSource.chunk / 4)
        let clock = ContinuousClock()
        let start = clock.now
        let refused = MemoryBudget.$scoped.withValue(16 << 20) { () -> DumpError? in
            do throws(DumpError) { _ = try dump.loadLayer("bomb"); return nil } catch { return error }
        }
        #expect(refused?.description.contains("loading layer \"bomb\" (4096×4096) needs about 64 MB, over the memory budget of 16 MB") == true,
                "\(String(describing: refused))")
        #expect(clock.now - start < .milliseconds(100))
    }
}
