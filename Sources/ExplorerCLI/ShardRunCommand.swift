import DuQuantCore
import DuQuantIO
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `duquant-explorer shard-run FILE --layer P --shards K [--check] [parameters]`: DuQuant on one layer over
/// K token shards, each a `shard-worker` process of this binary; prints every search's decisions, the time
/// and bytes per greedy step, and with `--check` whether they are one machine's on the same tokens.
enum ShardRunCommand {
    static let usage = """
        usage: duquant-explorer shard-run FILE --layer P --shards K [--check] [parameters]
          --shards K   token shards (worker processes), 1 to 64
          --check      also calibrate on one machine and fail unless the decisions, kept steps, bases and
                       transform are identical
        """
    static let options: Set<String> = ParameterOptions.names.union(["layer", "shards"])
    static let flags: Set<String> = ParameterOptions.flags.union(["check"])

    static func run(_ args: [String]) throws(CLIError) -> String {
        let a = try Arguments.parse(args, options: options, flags: flags, command: "shard-run")
        guard a.positionals.count == 1, let name = a.value("layer"), let k = try a.int("shards", in: 1...64) else {
            throw CLIError(usage)
        }
        let p = try ParameterOptions.params(from: a)
        let file = a.positionals[0]
        let dump = try Commands.open(file)
        let layerName = try Commands.layerNames([name], in: dump)[0]
        let info = dump.layer(named: layerName)!
        guard info.tokens >= k else { throw CLIError("--shards \(k): the layer has only \(info.tokens) tokens") }
        // The parameters as given, for the workers.
        var forwarded: [String] = []
        for (key, values) in a.options where ParameterOptions.names.contains(key) {
            for v in values { forwarded += ["--\(key)", v] }
        }
        for f in a.flags where ParameterOptions.flags.contains(f) { forwarded.append("--\(f)") }
        // A worker that dies is restarted (RemoteShard.recover); writing to its pipe must not end the driver.
        signal(SIGPIPE, SIG_IGN)
        let exe = Bundle.main.executablePath ?? CommandLine.arguments[0]
        var shards: [RemoteShard] = []
        for i in 0..<k {
            let lo = info.tokens * i / k, hi = info.tokens * (i + 1) / k
            shards.append(try RemoteShard(executable: exe, arguments: [file, "--layer", layerName, "--tokens", "\(lo):\(hi)"] + forwarded))
        }
        var weight: Matrix? = nil
        if let w = info.weightTensor {
            let m: Matrix
            do { m = try dump.loadTensor(w) } catch { throw CLIError(error.description) }
            weight = LayerData(name: layerName, input: Matrix(rows: 1, cols: m.cols), weight: m)
                .replacingNonFinite().flushingSubnormals().weight
        }
        var stats = DuQuantShards.Stats()
        let clock = ContinuousClock(), start = clock.now
        let sharded = DuQuantShards.calibrate(weight: weight, cols: info.inFeatures, p: p, shards: shards, stats: &stats)
        let seconds = Self.seconds(clock.now - start)
        let sent = shards.reduce(0) { $0 + $1.bytesSent }, received = shards.reduce(0) { $0 + $1.bytesReceived }
        var out = "\(layerName): \(info.tokens) tokens over \(k) shards, \(p.layout.rawValue), select \(p.select.rawValue)\n"
        out += describe(sharded)
        let steps = Swift.max(1, stats.steps)
        out += String(format: "steps %d  time %.3f s (%.2f ms a step)  bytes %d (%.0f a step)  candidates %d  exact values %d\n",
                      stats.steps, seconds, 1000 * seconds / Double(steps), sent + received,
                      Double(sent + received) / Double(steps), stats.candidates, stats.exactValues)
        let restarts = shards.reduce(0) { $0 + $1.restarts }
        if restarts > 0 {
            out += "worker restarts: \(restarts) (each replayed the decisions so far and resumed)\n"
        }
        let peaks = shards.compactMap(\.peakResidentBytes)
        if !peaks.isEmpty {
            out += "worker peak memory: " + peaks.map { String(format: "%.1f MB", Double($0) / 1e6) }.joined(separator: ", ") + "\n"
        }
        shards.removeAll()
        guard a.flag("check") else { return out }
        let layer: LayerData
        do { layer = try dump.loadLayer(layerName) } catch { throw CLIError(error.description) }
        let t0 = clock.now
        guard let one = DuQuant.calibrate(layer, p, retain: .transform) else { throw CLIError("calibration cancelled") }
        let oneSeconds = Self.seconds(clock.now - t0)
        let same = DuQuantShards.sameDecisions(sharded, one)
        out += String(format: "one machine: %.3f s (%.2f ms a step)\n", oneSeconds, 1000 * oneSeconds / Double(steps))
        out += "same decisions, kept steps, bases and transform as one machine: \(same ? "yes" : "NO")\n"
        guard same else { throw CLIError(out + "one machine's decisions:\n" + describe(one)) }
        return out
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// One line per search: stage, block, kept steps, chosen channels.
    static func describe(_ c: DuQuantCalibration) -> String {
        var out = ""
        for (s, traces) in c.traces.enumerated() {
            for t in traces {
                out += "stage \(s) block \(t.block) kept \(t.kept) chosen " + t.chosen.map(String.init).joined(separator: ",") + "\n"
            }
        }
        return out
    }
}
