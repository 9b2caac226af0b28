import DuQuantCompute
import DuQuantCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs OpenBLAS with the kernel set ("core") the CPU's features call for when the library's own choice
/// is older, by re-executing the process with `OPENBLAS_CORETYPE` set.
///
/// OpenBLAS picks its core in a constructor when it loads, before `main`; setting the variable in `main`
/// is too late, so the process re-executes itself (`execv` of `/proc/self/exe`: same argv, same file
/// descriptors, so stdin and the terminal stay as they were). In order:
/// 1. a process started by a probe (`DUQUANT_BLAS_PROBE=1`) only checks its kernels and exits;
/// 2. a re-executed process (marker `DUQUANT_BLAS_REEXEC` set) never re-executes again: no loops;
/// 3. a value of `OPENBLAS_CORETYPE` already in the environment always wins;
/// 4. commands where the kernels do not matter (`help`, `list`) never re-execute;
/// 5. otherwise, when cpuid calls for a newer core than `openblas_get_corename()` names, a probe
///    subprocess with that core runs `BLASSelfCheck` (small products against a double reference); if it
///    passes, the process re-executes with the core, and if not (or it crashes) the library's own choice
///    stays and stderr says so once.
///
/// ```swift
/// BLASCoreSelection.prepare(arguments: args)   // first thing in main; may not return (exec)
/// ```
package enum BLASCoreSelection {
    /// How the core in use came about.
    package enum Status: Sendable, Equatable {
        /// The library's own choice; `wanted` is what the features call for (nil: nothing beyond it).
        case library(core: String, wanted: String?)
        /// `OPENBLAS_CORETYPE` was set in the environment; never overridden.
        case environment(core: String, requested: String)
        /// Chosen from cpuid and checked; the library alone would have run `library`.
        case chosen(core: String, library: String)
        /// `wanted` failed the check, so the library's own `core` is in use.
        case rejected(core: String, wanted: String, reason: String)
        /// Not decided: a command where the kernels do not matter.
        case undecided(core: String)
    }

    static let coreVariable = "OPENBLAS_CORETYPE"
    /// Set on the re-executed process: "CHOSEN,LIBRARY" (the core chosen, the library's own).
    static let markerVariable = "DUQUANT_BLAS_REEXEC"
    /// Set on the probe subprocess.
    static let probeVariable = "DUQUANT_BLAS_PROBE"
    /// How long a probe may take before it counts as failed.
    static let probeTimeout = 20.0

    /// What to do at startup.
    enum Plan: Equatable {
        /// Use the loaded kernels.
        case keep(Status)
        /// Probe `wanted` and re-execute with it if it passes.
        case probe(wanted: String, library: String)
    }

    /// The decision before any probe, from the command line, the environment, the CPU and the core
    /// the library loaded (pure, so every rule above is testable with fake CPUs).
    static func plan(arguments: [String], environment: [String: String], features: CPUFeatures,
                     libraryCore: String) -> Plan {
        if let marker = environment[markerVariable] {
            let parts = marker.split(separator: ",", maxSplits: 1).map(String.init)
            return .keep(.chosen(core: libraryCore, library: parts.count == 2 ? parts[1] : "unknown"))
        }
        if let requested = environment[coreVariable], !requested.isEmpty {
            return .keep(.environment(core: libraryCore, requested: requested))
        }
        guard matters(arguments) else { return .keep(.undecided(core: libraryCore)) }
        guard let wanted = BLASCoreChoice.core(for: features), BLASCoreChoice.isOlder(libraryCore, than: wanted) else {
            return .keep(.library(core: libraryCore, wanted: BLASCoreChoice.core(for: features)))
        }
        return .probe(wanted: wanted, library: libraryCore)
    }

    /// What a probe reported.
    enum ProbeResult: Equatable {
        case passed(String)
        case failed(String)
    }

    /// After the probe: re-execute with `wanted`, or keep the library's core and say why.
    enum Outcome: Equatable {
        case reexec(core: String, marker: String)
        case fallback(Status, message: String)
    }

    /// The outcome of probing `wanted` (pure).
    static func resolve(wanted: String, library: String, probe: ProbeResult) -> Outcome {
        switch probe {
        case .passed:
            return .reexec(core: wanted, marker: "\(wanted),\(library)")
        case .failed(let reason):
            return .fallback(.rejected(core: library, wanted: wanted, reason: reason),
                             message: "duquant-explorer: the \(wanted) BLAS kernels failed a correctness check (\(reason)); "
                                 + "using the library's own choice, \(library) (set OPENBLAS_CORETYPE to choose)\n")
        }
    }

    /// Whether the command runs matrix products (the explorer, report, export, render, perplexity, bench) or prints
    /// the kernels in use (`--version`).
    static func matters(_ arguments: [String]) -> Bool {
        guard let first = arguments.first else { return false }
        if ["version", "--version", "report", "export", "render", "bench", "perplexity"].contains(first) { return true }
        return !first.hasPrefix("-") && !CLI.subcommands.contains(first)  // a FILE: the explorer
    }

    /// The status this process recorded at startup.
    private static let recorded = Locked<Status?>(nil)

    /// How the core in use came about (`.undecided` before `prepare`).
    package static var status: Status { recorded.withLock { $0 } ?? .undecided(core: BLASLibrary.coreName) }

    /// Decides the kernels at startup; re-executes the process when a better core passes its check
    /// (then it does not return), or exits when this process is a probe.
    package static func prepare(arguments: [String]) {
        let env = ProcessInfo.processInfo.environment
        if env[probeVariable] == "1" { runProbeAndExit(expected: env[coreVariable] ?? "", environment: env) }
        let loaded = BLASLibrary.coreName
        let decidedHere = env[markerVariable] == nil && (env[coreVariable] ?? "").isEmpty
        let library = decidedHere ? (testLibraryCore(env) ?? loaded) : loaded
        switch plan(arguments: arguments, environment: env, features: testFeatures(env) ?? .current, libraryCore: library) {
        case .keep(let status):
            if env[markerVariable] != nil {
                // The library has loaded its kernels: children (the bench's NumPy peer, another
                // explorer) see the environment the user gave, and choose for themselves.
                unsetenv(markerVariable)
                unsetenv(coreVariable)
            }
            recorded.withLock { $0 = status }
        case .probe(let wanted, let library):
            switch resolve(wanted: wanted, library: library, probe: probe(wanted, environment: env)) {
            case .reexec(let core, let marker):
                setenv(coreVariable, core, 1)
                setenv(markerVariable, marker, 1)
                execv("/proc/self/exe", CommandLine.unsafeArgv)
                // Only reached when exec failed: keep the loaded kernels.
                let reason = "exec failed: \(String(cString: strerror(errno)))"
                unsetenv(coreVariable)
                unsetenv(markerVariable)
                CLI.writeErr("duquant-explorer: could not restart with the \(core) BLAS kernels (\(reason)); using \(loaded)\n")
                recorded.withLock { $0 = .rejected(core: loaded, wanted: core, reason: reason) }
            case .fallback(let status, let message):
                CLI.writeErr(message)
                recorded.withLock { $0 = status }
            }
        }
    }

    /// Runs this executable as a probe with `OPENBLAS_CORETYPE=core`; a crash, a timeout or a failed
    /// check is a failure.
    static func probe(_ core: String, environment env: [String: String]) -> ProbeResult {
        var childEnv = env
        childEnv[coreVariable] = core
        childEnv[probeVariable] = "1"
        let (outcome, output) = ChildProcess.run("/proc/self/exe", arguments: ["--blas-probe"], environment: childEnv,
                                                 timeout: probeTimeout)
        let text = output.trimmingCharacters(in: .whitespacesAndNewlines)
        switch outcome {
        case .exited(0): return .passed(text)
        case .exited(let status): return .failed(text.isEmpty ? "probe exit status \(status)" : text)
        case .signalled(let sig): return .failed("the probe died of signal \(sig)")
        case .timedOut: return .failed("the probe did not finish in \(Int(probeTimeout)) s")
        case .failed(let why): return .failed("could not run a probe: \(why)")
        }
    }

    /// The probe's side: checks the loaded kernels are `expected` and compute correctly, prints one
    /// line and exits 0 (pass) or 1 (fail).
    static func runProbeAndExit(expected: String, environment env: [String: String]) -> Never {
        let core = BLASLibrary.coreName
        guard core.lowercased() == expected.lowercased() else {
            CLI.writeOut("the library does not provide the \(expected) kernels (it loaded \(core))\n")
            exit(1)
        }
        let outcome = testBrokenCheck(env) ? BLASSelfCheck.run(gemm: brokenGemm) : BLASSelfCheck.run()
        CLI.writeOut(outcome.summary + "\n")
        exit(outcome.passed ? 0 : 1)
    }
}
