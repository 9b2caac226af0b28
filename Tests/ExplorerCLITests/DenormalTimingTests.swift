import DuQuantCompute
import DuQuantCore
import Foundation
import Testing
@testable import ExplorerCLI

/// Denormal data must not make the analysis slow (issue 10, item 5).
@Suite struct DenormalTimingTests {
    /// Writes a float32 .npy of `rows`×`cols` with `value(i)` at flat index i.
    static func writeNpy(_ path: String, rows: Int, cols: Int, _ value: (Int) -> Float) throws {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(cols)), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        bytes += [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)] + Array(header.utf8)
        for i in 0..<(rows * cols) { withUnsafeBytes(of: value(i).bitPattern.littleEndian) { bytes += $0 } }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// Regression: a 1 MB file of 256×1024 values of 1e-44 took 241 s in `report` against 1.45 s for
    /// ordinary values of the same shape (denormal arithmetic is ~100× slower on many x86 cores). Both
    /// are timed here in the same run; the denormal one may not take more than 3× as long.
    @Test func issue10_denormalDataIsNotSlowerThanOrdinary() throws {
        let dir = NSTemporaryDirectory() + "duquant-denormal-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var g = SeededGenerator(seed: 5)
        let normal = (0..<(128 * 512)).map { _ in Float(g.nextGaussian()) }
        try Self.writeNpy(dir + "/ordinary.input.npy", rows: 128, cols: 512) { normal[$0] }
        try Self.writeNpy(dir + "/denormal.input.npy", rows: 128, cols: 512) { normal[$0] * 1e-40 }
        let args = ["--block", "64", "--steps", "32"]
        _ = try CLI.dispatch(["report", dir + "/ordinary.input.npy"] + args)  // warm-up
        let ordinary = try Self.seconds { _ = try CLI.dispatch(["report", dir + "/ordinary.input.npy"] + args) }
        let denormal = try Self.seconds { _ = try CLI.dispatch(["report", dir + "/denormal.input.npy"] + args) }
        #expect(denormal <= 3 * ordinary, "denormal \(denormal) s vs ordinary \(ordinary) s")
    }

    /// Regression: the worker threads of the parallel kernels (GCD's) ran with the default floating-point
    /// mode, so denormal products cost full price there even when the data was clean.
    @Test func issue10_parallelKernelThreadsFlushDenormals() throws {
        #if arch(x86_64)
        let flags = Locked<[Bool]>([])
        ParallelRows.forEach(rows: 64, cols: ParallelRows.minParallelElements) { _ in
            let on = FlushToZero.isEnabledOnThisThread
            flags.withLock { $0.append(on) }
        }
        let seen = flags.withLock { $0 }
        #expect(seen.count > 1 && seen.allSatisfy { $0 }, "\(seen)")
        // A thread we did not set up gets its own mode back after the core's entry points.
        let result = Locked<(inside: Float, before: Bool, after: Bool)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let before = FlushToZero.isEnabledOnThisThread
            let tiny = LayerData(name: "t", input: Matrix(rows: 1, cols: 2, storage: [1e-30, 1]))
            let e = EvaluationWorkspace(tiny).evaluate(QuantParams(), methods: [.rtn])
            result.withLock { $0 = (e?.methods[.rtn]?.actMaxAbs ?? -1, before, FlushToZero.isEnabledOnThisThread) }
            done.signal()
        }
        done.wait()
        let r = try #require(result.withLock { $0 })
        #expect(r.inside == 1 && r.before == r.after)
        #endif
    }
}
