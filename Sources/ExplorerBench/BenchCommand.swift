import DuQuantCore
import DuQuantIO
import ExplorerCLI
import Foundation
import SyntheticLayers

/// `duquant-explorer bench`: times every stage on LLaMA-2-7B-sized realistic synthetic layers (and the
/// real sample layers when present) against the machine's sgemm peak and the official algorithm.
///
/// Prints Markdown tables: the machine (BLAS library, version and core; our sgemm peak beside
/// independent BLAS libraries), the headline (the official setting on the realistic layers: ours
/// against its bound and the NumPy peer), first frame of a large dump, each layer (our calibration,
/// transforms, quantization, metrics and output error, then the peer), and the sample layers. Progress
/// goes to stderr. Meant for the release build.
package enum BenchCommand {
    static let usage = """
        usage: duquant-explorer bench [--quick] [--runs N] [--no-peer] [--samples DIR]
               [--peer-budget SECONDS] [--peer-steps N] [--steps N] [--no-large-file] [--live] [--evaluation]
               [--decisions] [--soak [--changes N]] [--forward [--model DIR] [--dump FILE] [--tokens FILE] [--method M]]
        --steps changes the greedy steps of every calibration (default 256, the comparison's setting)
        --live times only what the explorer shows on the realistic 7B down_proj, and when
        --evaluation times only what follows the DuQuant search on the 7B down_proj, piece by piece
        --decisions times DuQuant's calibration with exact decisions against the screen alone
        --forward times the model-level perplexity on SmolLM2 (make eval's files by default): first figure, one-layer update
        --soak runs N parameter changes (default 300) in the explorer on the sample and a 200-layer dump, resident memory after each
        """

    /// Options of one bench run.
    struct Options {
        var quick = false
        var runs = 3
        var peer = true
        var samples = "samples"
        var peerBudget = 120.0
        var peerSteps = 32
        var largeFile = true
        var steps = 256
        var liveOnly = false
        var evaluation = false
        var decisions = false
        var soak = false
        var changes = 300
        var forward = false
        var model = "out/eval/smollm2-135m-hf"
        var dump = "out/eval/smollm2-135m-calib.safetensors"
        var tokens = "out/eval/apache-2.0-excerpt-tokens.json"
        var method: DuQuantCore.Method = .hadamard
    }

    @Sendable package static func run(_ args: [String]) throws(CLIError) -> String {
        let a = try Arguments.parse(args, options: ["runs", "samples", "peer-budget", "peer-steps", "steps", "changes", "model", "dump", "tokens", "method"],
                                    flags: ["quick", "no-peer", "no-large-file", "live", "evaluation", "decisions", "soak", "forward"], command: "bench")
        guard a.positionals.isEmpty else { throw CLIError("bench takes no FILE (usage: duquant-explorer bench [--quick] [--runs N] [--no-peer] [--samples DIR])") }
        var o = Options()
        o.quick = a.flag("quick")
        o.peer = !a.flag("no-peer")
        o.largeFile = !a.flag("no-large-file")
        o.runs = try a.int("runs", in: 1...100) ?? (o.quick ? 1 : 3)
        o.samples = a.value("samples") ?? o.samples
        if a.value("samples") != nil { try Commands.requireDirectory(o.samples, option: "--samples") }
        o.peerBudget = Double(try a.int("peer-budget", in: 1...86_400) ?? 120)
        o.peerSteps = try a.int("peer-steps", in: 1...100_000) ?? 32
        o.steps = try a.int("steps", in: 1...100_000) ?? 256
        o.liveOnly = a.flag("live")
        o.evaluation = a.flag("evaluation")
        o.decisions = a.flag("decisions")
        o.soak = a.flag("soak")
        o.changes = try a.int("changes", in: 2...100_000) ?? 300
        o.forward = a.flag("forward")
        o.model = a.value("model") ?? o.model
        o.dump = a.value("dump") ?? o.dump
        o.tokens = a.value("tokens") ?? o.tokens
        if let m = a.value("method") {
            guard let method = DuQuantCore.Method(rawValue: m) else { throw CLIError("--method: unknown method '\(m)'") }
            o.method = method
        }
        return o.liveOnly ? BenchLayer.live(o) : run(o)
    }

    static func progress(_ s: String) { CLI.writeErr("bench: \(s)\n") }

    static func run(_ o: Options) -> String {
        var out = "# duquant-explorer bench\n\n"
        #if DEBUG
        let warning = "WARNING: this is a debug build; numbers are meaningless. Run `swift build -c release` and `.build/release/duquant-explorer bench`.\n\n"
        progress(warning)
        out += warning
        #endif
        out += "load average at start: \(loadAverage()) (2 cores, shared)\n\n"
        out += "runs per figure: \(o.runs) (median)\(o.quick ? ", quick shapes (512 tokens)" : ""); BLAS threads: \(BLAS.threads)\n\n"
        if o.evaluation { return out + BenchEvaluation.run(o) }
        if o.decisions { return out + BenchDecisions.run(o) }
        if o.soak { return out + BenchSoak.section(samples: o.samples, changes: o.changes) }
        if o.forward { return out + BenchForward.run(model: o.model, dump: o.dump, tokens: o.tokens, method: o.method) }

        // The large-file probe runs first: peak RSS only grows, so it must precede the big layers.
        let largeFile = o.largeFile ? largeFileSection(o).render() : ""

        progress("measuring the sgemm peak")
        let peak = BenchPeak.measure(runs: max(5, o.runs))
        out += peak.table.render()
        var headline = BenchTable(title: "Headline: the official setting (\(BenchLayer.officialSetting), \(o.steps) steps) on realistic LLaMA-2-7B layers")
        var layers = ""

        let located: (peer: BenchPeer?, why: String) = o.peer ? BenchPeer.locate() : (nil, "--no-peer")
        var shapes: [SyntheticLayer.Shape] = [.llama2DownProj, .llama2QProj]
        if o.quick { shapes = shapes.map(\.quick) }
        for shape in shapes {
            layers += BenchLayer.synthetic(shape, options: o, peak: peak, peer: located.peer, peerWhy: located.why,
                                           headline: &headline)
        }
        out += headline.render() + largeFile + layers
        out += BenchSamples.section(dir: o.samples, runs: o.runs)

        var frame = BenchTable(title: "Terminal UI: composing a 200×60 frame (Screen.render, computed state)")
        if let file = BenchSamples.find(o.samples) {
            progress("frame composition on \(file)")
            do {
                for (stage, seconds) in try BenchFrame.measure(file: file, runs: o.runs) {
                    frame.add("frame compose 200×60, first layer, stage \(stage)", seconds, note: "target ≤ 5 ms")
                }
            } catch {
                frame.note("frame compose 200×60", "failed: \(error.message)")
            }
        } else {
            frame.note("frame compose 200×60", "skipped: no sample dump in \(o.samples)")
        }
        out += frame.render()
        return out
    }

    /// `/proc/loadavg`'s first three fields, or "unknown".
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    static func largeFileSection(_ o: Options) -> BenchTable {
        let layers = o.quick ? 8 : 30
        progress("writing a \(layers)-layer f16 safetensors file (2048×11008 each)")
        var t = BenchTable(title: "Opening a large dump (\(layers) layers of 2048×11008 f16)")
        do {
            let r = try BenchLargeFile.run(layers: layers, tokens: 2048, channels: 11008, runs: o.runs)
            t.add("write the file (not a target)", r.writeSeconds, bytes: Double(r.fileBytes))
            t.add("first frame, cold (open + load layer 0 + ActivationStats)", r.coldSeconds,
                  note: r.evicted ? "file evicted from the page cache first" : "page cache not evicted (fadvise failed)")
            t.add("first frame, warm (median)", r.warmSeconds,
                  note: "open \(BenchTable.duration(r.openSeconds)), load \(BenchTable.duration(r.loadSeconds)), stats \(BenchTable.duration(r.statsSeconds)) (last run)")
            t.note("file size", BenchTable.size(r.fileBytes))
            t.note("max RSS: bench start → after writing → after first frame",
                   "\(BenchTable.size(r.maxRSSStart)) → \(BenchTable.size(r.maxRSSBefore)) → \(BenchTable.size(r.maxRSSAfter)) (+\(BenchTable.size(r.maxRSSAfter - r.maxRSSBefore)); one layer as Float = \(BenchTable.size(r.layerFloatBytes)))")
            if let now = r.rssAfter { t.note("RSS after first frame", BenchTable.size(now)) }
        } catch {
            t.note("large file", "skipped: \(error)")
        }
        return t
    }
}
