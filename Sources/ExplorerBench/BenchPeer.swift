import DuQuantCore
import ExplorerCLI
import Foundation

/// The benchmark's peer: the official DuQuant calibration ported op for op to NumPy
/// (`tools/reference/duquant_reference.py`), run as a child process on the same activation, with the
/// official smoothing first when given the weight.
struct BenchPeer {
    /// What one peer run reported (its JSON, the fields the bench uses).
    struct Report {
        var calibrationSeconds: Double
        var fullRunSeconds: Double
        var extrapolated: Bool
        var stepsDone: [Int]
        var perStepSeconds: Double
        var kept: [Int]
        var peakFirst: [Double]
        var peakMin: [Double]
        var blas: String
        var numpy: String
        /// Whether the peer smoothed X first.
        var smooth: Bool
    }

    /// The Python interpreter.
    var python: String
    /// The reference script.
    var script: String
    /// BLAS threads the peer may use.
    var threads = 2

    /// Finds `python3` with NumPy and the script; nil and a reason when the peer cannot run.
    static func locate() -> (peer: BenchPeer?, why: String) {
        guard let script = findScript() else {
            return (nil, "tools/reference/duquant_reference.py not found (run from the package root)")
        }
        guard let python = which("python3") else { return (nil, "python3 not found: peer skipped") }
        let probe = run(python, ["-c", "import numpy"], environment: [:])
        guard probe?.status == 0 else { return (nil, "python3 has no numpy: peer skipped") }
        return (BenchPeer(python: python, script: script), "")
    }

    /// Runs the peer on the .npy at `input`, smoothed first with the weight at `smoothWeight` (the
    /// official `--smooth --alpha`) when given; nil and the error text on failure.
    func calibrate(input: String, block: Int, steps: Int, maxSteps: Int?,
                   smoothWeight: String? = nil, alpha: Float = 0.6) -> (Report?, String) {
        var args = [script, "--input", input, "--block", "\(block)", "--steps", "\(steps)", "--threads", "\(threads)", "--json"]
        if let maxSteps { args += ["--max-steps", "\(maxSteps)"] }
        if let smoothWeight { args += ["--weight", smoothWeight, "--smooth", "--alpha", "\(alpha)"] }
        let env = ["OMP_NUM_THREADS": "\(threads)", "OPENBLAS_NUM_THREADS": "\(threads)", "MKL_NUM_THREADS": "\(threads)"]
        guard let r = Self.run(python, args, environment: env) else { return (nil, "could not start \(python)") }
        guard r.status == 0 else { return (nil, "peer failed (\(r.status)): \(r.stderr.suffix(300))") }
        guard let data = r.stdout.split(separator: "\n").last.map({ Data($0.utf8) }),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return (nil, "peer printed no JSON")
        }
        let stages = obj["stages"] as? [[String: Any]] ?? []
        func num(_ any: Any?) -> Double { (any as? NSNumber)?.doubleValue ?? .nan }
        let report = Report(
            calibrationSeconds: num(obj["calibration_seconds"]), fullRunSeconds: num(obj["full_run_seconds"]),
            extrapolated: (obj["full_run_extrapolated"] as? Bool) ?? false,
            stepsDone: (obj["steps_done"] as? [NSNumber])?.map(\.intValue) ?? [],
            perStepSeconds: num(obj["per_step_seconds"]),
            kept: stages.map { ($0["kept"] as? NSNumber)?.intValue ?? -1 },
            peakFirst: stages.map { num($0["peak_first"]) }, peakMin: stages.map { num($0["peak_min"]) },
            blas: obj["blas"] as? String ?? "?", numpy: obj["numpy"] as? String ?? "?",
            smooth: (obj["smooth"] as? Bool) ?? false)
        return (report, "")
    }

    /// Writes `m` as a version-1 `.npy` of little-endian float32.
    static func writeNpy(_ m: Matrix, to path: String) throws {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(m.rows), \(m.cols)), }"
        // magic(6) + version(2) + length(2) + header + '\n' is padded to a multiple of 64.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let len = UInt16(header.utf8.count)
        bytes += [UInt8(len & 0xFF), UInt8(len >> 8)]
        bytes += Array(header.utf8)
        var data = Data(bytes)
        m.storage.withUnsafeBytes { data.append(contentsOf: $0) }  // x86_64 and arm64 are little-endian
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// A script of the package, looked up from the working directory and beside the executable.
    static func findScript(_ rel: String = "tools/reference/duquant_reference.py") -> String? {
        var candidates = [FileManager.default.currentDirectoryPath + "/" + rel]
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").deletingLastPathComponent()
        for _ in 0..<4 {
            dir = dir.deletingLastPathComponent()
            candidates.append(dir.path + "/" + rel)
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// The first `name` on PATH.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a process to completion, capturing its output.
    static func run(_ exe: String, _ args: [String], environment extra: [String: String])
        -> (status: Int32, stdout: String, stderr: String)? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { return nil }
        // Drain stderr on another thread so a chatty child cannot block on a full pipe.
        nonisolated(unsafe) var errData = Data()
        let reader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
