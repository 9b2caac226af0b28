import DuQuantCompute
import DuQuantCore
import Foundation
import Testing
@testable import ExplorerCLI

/// Choosing OpenBLAS's core at startup: who wins, when a probe runs, what happens when it fails, and
/// the real re-exec through the debug binary's test hooks.
@Suite struct BLASCoreSelectionTests {
    static let xeon = CPUFeatures(vendor: .intel, family: 6, model: 207, flags: [
        .sse3, .avx, .avx2, .fma, .avx512f, .avx512bw, .avx512vl, .avx512dq, .avx512bf16])
    static let zen3 = CPUFeatures(vendor: .amd, family: 25, model: 1, flags: [.sse3, .avx, .avx2, .fma])

    static func plan(_ args: [String], _ env: [String: String] = [:], _ cpu: CPUFeatures = xeon,
                     library: String = "Prescott") -> BLASCoreSelection.Plan {
        BLASCoreSelection.plan(arguments: args, environment: env, features: cpu, libraryCore: library)
    }

    @Test func anOlderLibraryCoreIsProbedForCommandsThatComputeOrReport() {
        for args in [["report", "x.safetensors"], ["bench"], ["dump.safetensors"], ["--version"], ["render", "f"]] {
            #expect(Self.plan(args) == .probe(wanted: "Cooperlake", library: "Prescott"), "\(args)")
        }
    }

    @Test func commandsWhereTheKernelsDoNotMatterNeverProbe() {
        for args in [[], ["help"], ["--help"], ["list", "x.safetensors"], ["--bogus"]] {
            #expect(Self.plan(args) == .keep(.undecided(core: "Prescott")), "\(args)")
        }
    }

    @Test func aValueInTheEnvironmentAlwaysWins() {
        #expect(Self.plan(["bench"], ["OPENBLAS_CORETYPE": "Prescott"])
            == .keep(.environment(core: "Prescott", requested: "Prescott")))
    }

    @Test func theReexecutedProcessNeverReexecutesAgain() {
        // The marker is set together with OPENBLAS_CORETYPE; even a library that ignored the request
        // (still Prescott) must not start a loop.
        #expect(Self.plan(["bench"], ["DUQUANT_BLAS_REEXEC": "Cooperlake,Prescott", "OPENBLAS_CORETYPE": "Cooperlake"])
            == .keep(.chosen(core: "Prescott", library: "Prescott")))
    }

    @Test func theLibrarysChoiceStandsWhenItIsNotOlder() {
        #expect(Self.plan(["bench"], [:], Self.zen3, library: "Zen") == .keep(.library(core: "Zen", wanted: "Zen")))
        #expect(Self.plan(["bench"], [:], Self.xeon, library: "Cooperlake") == .keep(.library(core: "Cooperlake", wanted: "Cooperlake")))
    }

    @Test func aPassingProbeReexecutesWithTheCoreAndTheMarker() {
        #expect(BLASCoreSelection.resolve(wanted: "Cooperlake", library: "Prescott", probe: .passed("max error 1e-08"))
            == .reexec(core: "Cooperlake", marker: "Cooperlake,Prescott"))
    }

    @Test func aFailingProbeKeepsTheLibrarysCoreAndSaysSoInOneLine() throws {
        let outcome = BLASCoreSelection.resolve(wanted: "Cooperlake", library: "Prescott", probe: .failed("signal 4"))
        guard case .fallback(let status, let message) = outcome else { Issue.record("\(outcome)"); return }
        #expect(status == .rejected(core: "Prescott", wanted: "Cooperlake", reason: "signal 4"))
        #expect(message.contains("Cooperlake") && message.contains("signal 4") && message.contains("Prescott"))
        #expect(message.filter { $0 == "\n" }.count == 1 && message.hasSuffix("\n"))
    }

    // MARK: - The real binary (debug build: test hooks in BLASCoreSelection+TestHooks.swift)

    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../.build/debug/duquant-explorer").standardized.path

    /// Runs the debug binary with `env` added to ours less OPENBLAS_CORETYPE (unless `env` sets it).
    static func run(_ args: [String], _ env: [String: String]) -> (status: Int32, stdout: String, stderr: String)? {
        guard FileManager.default.isExecutableFile(atPath: binary) else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_CORETYPE"] = nil
        p.environment = environment.merging(env) { _, new in new }
        let out = Pipe(), err = Pipe()
        (p.standardInput, p.standardOutput, p.standardError) = (FileHandle.nullDevice, out, err)
        do { try p.run() } catch { return nil }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()  // small outputs: no pipe can fill
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    static let fakeIntel = ["DUQUANT_BLAS_TEST_CPU": "intel sse3 avx avx2 fma", "DUQUANT_BLAS_TEST_LIBRARY_CORE": "Prescott"]

    @Test func aProbedCoreIsLoadedThroughReexecWithArgvIntact() throws {
        guard let r = Self.run(["--version"], Self.fakeIntel) else { return }
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("duquant-explorer "))
        #expect(r.stdout.contains("BLAS core: Haswell (chosen from the CPU's features and checked; the library alone chose Prescott)"), "\(r.stdout)")
        #expect(r.stdout.contains(" Haswell MAX_THREADS"), "openblas_get_config names the loaded core: \(r.stdout)")
        #expect(r.stderr.isEmpty, "\(r.stderr)")
    }

    @Test func aFailedCheckFallsBackToTheLibrarysCoreAndSaysSoOnce() throws {
        var env = Self.fakeIntel
        env["DUQUANT_BLAS_TEST_BREAK_CHECK"] = "1"
        guard let r = Self.run(["--version"], env) else { return }
        #expect(r.status == 0)
        #expect(r.stdout.contains("BLAS core: Prescott (the library's own choice; Haswell failed its check"), "\(r.stdout)")
        #expect(r.stderr.components(separatedBy: "failed a correctness check").count == 2, "\(r.stderr)")
        #expect(!r.stdout.contains(" Haswell MAX_THREADS"))
    }

    @Test func aCoreThatCrashesTheProbeIsRejected() throws {
        // SkylakeX kernels on a CPU without AVX-512 die of SIGILL in the probe, never in the app.
        let env = ["DUQUANT_BLAS_TEST_CPU": "intel sse3 avx avx2 fma avx512f avx512bw avx512vl avx512dq",
                   "DUQUANT_BLAS_TEST_LIBRARY_CORE": "Haswell"]
        guard !CPUFeatures.current.has(.avx512f), let r = Self.run(["--version"], env) else { return }
        #expect(r.status == 0)
        #expect(r.stdout.contains("SkylakeX failed its check: the probe died of signal"), "\(r.stdout)")
    }

    @Test func theEnvironmentsCoreIsKeptEvenWhenOlder() throws {
        var env = Self.fakeIntel
        env["OPENBLAS_CORETYPE"] = "Sandybridge"
        guard let r = Self.run(["--version"], env) else { return }
        #expect(r.stdout.contains("BLAS core: Sandybridge (OPENBLAS_CORETYPE=Sandybridge set in the environment"), "\(r.stdout)")
    }

    /// On the machine the tests run on, the binary never runs a core older than its CPU calls for.
    @Test func thisMachineRunsTheCoreItsFeaturesCallFor() throws {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              let r = Self.run(["--version"], [:]) else { return }
        let line = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("BLAS core: ") })
        let core = String(line.dropFirst("BLAS core: ".count).prefix { $0 != " " })
        if let wanted = BLASCoreChoice.core(for: .current) {
            #expect(!BLASCoreChoice.isOlder(core, than: wanted), "\(line)")
        }
    }
}
