import DuQuantCore
import DuQuantIO
import Foundation
import SyntheticLayers
import Testing
import TestSupport
@testable import ExplorerBench
@testable import ExplorerCLI

/// The parts of `bench` that can be checked without timing anything.
@Suite struct BenchTests {
    @Test func badArgumentsAreOneLineErrors() {
        for args in [["bench", "file"], ["bench", "--runs", "0"], ["bench", "--peer-budget", "x"], ["bench", "--nope"]] {
            #expect(throws: CLIError.self) { try CLI.dispatch(args, commands: ["bench": BenchCommand.run]) }
            do { _ = try CLI.dispatch(args, commands: ["bench": BenchCommand.run]) } catch { #expect(!error.message.contains("\n"), "\(args)") }
        }
    }

    @Test func npyWrittenForThePeerReadsBackExactly() throws {
        let m = SyntheticLayer.activation(tokens: 9, channels: 37, seed: 4)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-npy-\(getpid()).npy").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try BenchPeer.writeNpy(m, to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        // Version 1 header padded so the data starts on a 64-byte boundary.
        #expect(bytes.prefix(8) == Data([0x93] + Array("NUMPY".utf8) + [1, 0]))
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        let dump = try DumpFile.open(path)
        #expect(try dump.loadTensor(dump.tensors[0].name) == m)
    }

    /// The soak drives the explorer's own loop: one reading per settled change, each a real RSS.
    @Test func soakReadsTheMemoryAfterEveryChange() throws {
        #expect(BenchSoak.slope([1, 3, 5, 7]) == 2)
        #expect(BenchSoak.slope([4, 4, 4]) == 0)
        let path = try BenchSoak.writeManyLayers(3)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (open, changes) = try BenchSoak.run([path], setup: "p", forward: "l", back: "h", changes: 4)
        #expect(open > 1 && changes.count == 4 && changes.allSatisfy { $0 > 1 })
    }

    @Test func tableFormatsDurationsAndRates() {
        #expect(BenchTable.duration(1.234) == "1.23 s")
        #expect(BenchTable.duration(0.0123) == "12.3 ms")
        #expect(BenchTable.duration(0.000045) == "45 µs")
        var t = BenchTable(title: "x")
        t.add("gemm", 0.5, flops: 1e9)
        #expect(t.rows[0].rate == "2.0 GFLOP/s")
        #expect(t.render().contains("| gemm | 500.0 ms | 1.0 GFLOP | 2.0 GFLOP/s |  |"))
    }

    // Issue 12: the bench measured its "peak" with the same Prescott kernels it ran everything else on,
    // so every "% of peak" looked fine while NumPy's BLAS was 4.6× faster on the same machine.
    @Test func testIssue12_PeakGapToAnIndependentBLASIsFlagged() {
        #expect(BenchPeerPeak.verdict(ours: 62, best: 284).hasPrefix("⚠"))
        #expect(!BenchPeerPeak.verdict(ours: 160, best: 163.5).contains("⚠"))
        #expect(!BenchPeerPeak.verdict(ours: 100, best: 150).contains("⚠"))  // 1.5× exactly is not over
    }

    @Test func medianOfEvenAndOddCounts() {
        #expect(BenchClock.median([3, 1, 2]) == 2)
        #expect(BenchClock.median([4, 1, 2, 3]) == 2.5)
    }

    /// The explorer's first and exact figures, timed through its real executor: in order, and all there.
    @Test func liveFiguresArriveInOrder() throws {
        let layer = TestLayer.make(name: "model.layers.0.mlp.down_proj", tokens: 48, channels: 128, out: 64, seed: 3)
        var p = QuantParams()
        p.block = 32
        p.steps = 8
        let t = BenchLive.measure(layer, p)
        let first = try #require(t.firstAny), duquant = try #require(t.firstDuQuant), exact = try #require(t.exact)
        #expect(first <= duquant && duquant <= exact)
        #expect(!t.firstDuQuantWasEstimate, "a layer this small is evaluated exactly at once")
    }
}
