import ExplorerCLI
import Foundation

/// The sgemm peak of independent BLAS libraries, measured in the same bench run as ours: NumPy's
/// matmul (its own OpenBLAS build) and BLIS when `libblis.so.4` is installed, each in a child
/// `python3 tools/reference/blas_peak.py` on 2 threads.
///
/// A gap of more than `gapLimit` between the best of them and our peak is flagged: it means our BLAS
/// runs kernels older than the machine allows (issue 12: Prescott on an AVX-512 Xeon).
struct BenchPeerPeak {
    /// One library's measurement.
    struct Result {
        var library: String
        var version: String
        var core: String
        var gflops: Double
    }

    /// Our peak may trail the best independent one by this factor before the bench flags it.
    static let gapLimit = 1.5

    /// The libraries to try: NumPy's own (nil: matmul) and BLIS through ctypes.
    static let libraries: [(label: String, library: String?)] = [("NumPy matmul", nil), ("BLIS", "libblis.so.4")]

    /// Measures every library it can; a missing one gives its reason instead.
    static func measure(runs: Int, threads: Int = 2) -> [(label: String, result: Result?, why: String)] {
        guard let script = BenchPeer.findScript("tools/reference/blas_peak.py") else {
            return libraries.map { ($0.label, nil, "tools/reference/blas_peak.py not found (run from the package root)") }
        }
        guard let python = BenchPeer.which("python3") else { return libraries.map { ($0.label, nil, "python3 not found") } }
        return libraries.map { label, library in
            var args = [script, "--json", "--threads", "\(threads)", "--runs", "\(runs)"]
            if let library { args += ["--library", library] }
            guard let r = BenchPeer.run(python, args, environment: [:]) else { return (label, nil, "could not start python3") }
            guard r.status == 0, let line = r.stdout.split(separator: "\n").last,
                  let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let gflops = (obj["gflops_best"] as? NSNumber)?.doubleValue else {
                let why = r.stderr.split(separator: "\n").last.map(String.init) ?? "exit status \(r.status)"
                return (label, nil, library == nil ? "skipped: \(why)" : "skipped (\(library!) not loadable?): \(why)")
            }
            return (label, Result(library: obj["library"] as? String ?? "?", version: obj["version"] as? String ?? "?",
                                  core: obj["core"] as? String ?? "?", gflops: gflops), "")
        }
    }

    /// "ours/best = 0.98× …" with a warning past `gapLimit`.
    static func verdict(ours: Double, best: Double) -> String {
        let gap = best / ours
        let ratio = "best independent / ours = \(BenchTable.fixed(gap, 2))×"
        return gap > gapLimit
            ? "⚠ \(ratio): over \(BenchTable.fixed(gapLimit, 1))×, our BLAS runs kernels older than this machine allows"
            : "\(ratio) (within \(BenchTable.fixed(gapLimit, 1))×)"
    }
}
