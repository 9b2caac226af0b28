import DuQuantCore
import Foundation
import Testing
@testable import ExplorerBench
@testable import ExplorerCLI

/// Legal but extreme inputs that used to look hung (issue 10, item 8).
@Suite struct SlowPathTests {
    /// Regression: `bench --samples /dev/zero` ran the whole benchmark (minutes) before failing on its
    /// argument; arguments are now checked first.
    @Test(.timeLimit(.minutes(1)))
    func issue10_benchChecksSamplesFirst() {
        for dir in ["/dev/zero", "/nonexistent-duquant-samples"] {
            let error = #expect(throws: CLIError.self) { try CLI.dispatch(["bench", "--samples", dir], commands: ["bench": BenchCommand.run]) }
            #expect(error?.message.hasPrefix("--samples \(dir): ") == true, "\(String(describing: error))")
        }
    }

    /// Regression: a long calibration in `report` said nothing until it finished (a 1 token × 1M channel
    /// layer took minutes); it now shows a progress line, erased at the end.
    @Test func issue10_reportShowsProgressOfLongCalibrations() throws {
        let dir = NSTemporaryDirectory() + "duquant-progress-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var g = SeededGenerator(seed: 3)
        let values = (0..<8192).map { _ in Float(g.nextGaussian()) }
        try DenormalTimingTests.writeNpy(dir + "/wide.input.npy", rows: 1, cols: 8192) { values[$0] }
        let lines = LockedLines()
        _ = try ReportCommand.run([dir + "/wide.input.npy", "--methods", "duquant", "--steps", "64"],
                                  progress: { lines.append($0) })
        let seen = lines.all
        #expect(seen.first?.hasPrefix("\rreport: wide: DuQuant ") == true, "\(seen)")
        #expect(seen.last == "\r\u{1b}[K")
    }
}

/// Progress lines recorded from any thread.
final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
