import DuQuantCore
import DuQuantForward
import DuQuantIO
import ExplorerModel
import Foundation

/// `duquant-explorer perplexity DUMP --model DIR`: the model's perplexity in full precision and with every
/// linear layer fake-quantized after each method's transform, computed by the Swift forward pass.
///
/// Transforms are calibrated on the dump's captured inputs through the code path `export` writes its files
/// from (``DumpCalibration``), or read from `export --all-layers` directories (`--transforms DIR`,
/// repeated). Tokens: `--tokens FILE` (a JSON array of ids, or an object with `token_ids`), else the
/// dump's sidecar `token_ids`. `--only-layer P` (repeated): only the layers named P (an exact name or a
/// name prefix such as `model.layers.3.`) quantized, the others full precision, computed from the
/// full-precision hidden states entering P's block (the incremental time).
enum PerplexityCommand {
    static let usage = """
        usage: duquant-explorer perplexity DUMP --model DIR [--tokens FILE] [--methods M,…] [--transforms DIR]…
                                           [--settings W4A4,W4A16,…] [--only-layer P]… [--no-fp]
                                           [--format table|json] [parameters]
        """

    struct Row {
        var method: String
        var seed: String?
        var setting: String
        var scope: String
        var perplexity: Double
        var calibrateSeconds: Double
        var prepareSeconds: Double
        var forwardSeconds: Double
        var blocks: Int
    }

    static func run(_ args: [String]) throws(CLIError) -> String {
        let a = try Arguments.parse(args, options: ParameterOptions.names.union(["model", "tokens", "methods", "transforms", "settings", "only-layer", "format"]),
                                    flags: ParameterOptions.flags.union(["no-fp"]), command: "perplexity")
        return try ParameterOptions.withMemoryBudget(a) { () throws(CLIError) in try run(a) }
    }

    private static func run(_ a: Arguments) throws(CLIError) -> String {
        guard a.positionals.count == 1 else { throw CLIError(usage) }
        guard let modelDir = a.value("model") else { throw CLIError("perplexity needs --model DIR (config.json + *.safetensors)") }
        let json = try a.choice("format", Format.self) == .json
        let p = try ParameterOptions.params(from: a)
        let settings = try forward { () throws(ForwardError) in
            try (a.value("settings")?.split(separator: ",").map { (s) throws(ForwardError) in try QuantSetting(parsing: String(s)) })
                ?? [QuantSetting(weightBits: p.wbits, activationBits: p.abits)]
        }
        let dump = try Commands.open(a.positionals[0])
        let clock = ContinuousClock()
        var t0 = clock.now
        let model = try forward { () throws(ForwardError) in try LlamaModel.load(directory: modelDir) }
        let loadSeconds = ExportCommand.seconds(clock.now - t0)
        let tokens = try self.tokens(a.value("tokens"), dump: dump)
        let session = try forward { () throws(ForwardError) in try ModelSession(model: model, tokens: tokens) }
        let scopes = try onlyLayers(a.values("only-layer"), model: model)
        progress("model \(modelDir): \(model.config.layers) blocks, \(tokens.count) tokens, loaded in \(ExportCommand.format1(loadSeconds)) s")

        var rows: [Row] = []
        if !a.flag("no-fp") || !scopes.isEmpty {
            t0 = clock.now
            guard let fp = session.fullPrecision() else { throw CLIError("cancelled") }
            rows.append(Row(method: "fp", setting: "FP32", scope: "all", perplexity: fp.perplexity, calibrateSeconds: 0,
                            prepareSeconds: 0, forwardSeconds: ExportCommand.seconds(clock.now - t0), blocks: fp.blocksComputed))
            progress("FP perplexity \(fmt(fp.perplexity)) (\(ExportCommand.format1(rows[0].forwardSeconds)) s)")
            if a.flag("no-fp") { rows.removeAll() }
        }
        // The transform sets: read from export directories, or calibrated here.
        var sets: [(method: Method, seed: String?, source: (LinearID) throws(CLIError) -> DuQuantTransform, calibrate: () -> Double)] = []
        for dir in a.values("transforms") {
            let read: ExportedTransforms
            do { read = try ExportedTransforms.read(directory: dir) } catch { throw CLIError(error.description) }
            guard let m = Method(rawValue: read.method) else { throw CLIError("\(dir): unknown method \(read.method)") }
            sets.append((m, read.seed, { (id) throws(CLIError) in
                guard let t = read.transforms[id.name] else { throw CLIError("\(dir): no transform for \(id.name)") }
                return t
            }, { 0 }))
        }
        if a.values("transforms").isEmpty {
            let names = a.value("methods").map { $0.split(separator: ",").map(String.init) } ?? Method.allCases.map(\.rawValue)
            for name in names {
                let m = try ExportCommand.method(name)
                var seconds = 0.0
                sets.append((m, m == .duquant || m == .quarot ? String(p.seed) : nil, { (id) throws(CLIError) in
                    let start = clock.now
                    defer { seconds += ExportCommand.seconds(clock.now - start) }
                    try Commands.checkTransformBudget(id.name, in: dump, method: m)
                    let calibrated: MethodTransform?
                    do throws(DumpError) { calibrated = try DumpCalibration.calibrate(id.name, of: dump, method: m, p).transform } catch { throw CLIError(error.description) }
                    guard let t = calibrated else { throw CLIError("cancelled") }
                    return t.transform
                }, { seconds }))
            }
        }
        for set in sets {
            let layers = scopes.isEmpty ? [("all", model.linearIDs)] : scopes
            // Each layer's transform once per set, whatever the settings and scopes.
            var transforms: [LinearID: DuQuantTransform] = [:]
            for (_, ids) in layers { for id in ids where transforms[id] == nil { transforms[id] = try set.source(id) } }
            let calibrate = set.calibrate()
            for setting in settings {
                let (wq, aq) = setting.quantizers(p, set.method)
                for (scope, ids) in layers {
                    t0 = clock.now
                    var prepared: [LinearID: PreparedLinear] = [:]
                    for id in ids {
                        prepared[id] = PreparedLinear(weight: model.weight(id), transform: transforms[id]!, weightQuantizer: wq, activationQuantizer: aq)
                    }
                    let linears = ModelLinears(layers: prepared)
                    let prepare = ExportCommand.seconds(clock.now - t0)
                    t0 = clock.now
                    guard let trace = scopes.isEmpty ? session.run(linears) : session.onlyLayers(linears) else { throw CLIError("cancelled") }
                    let row = Row(method: set.method.rawValue, seed: set.seed, setting: setting.description, scope: scope,
                                  perplexity: trace.perplexity, calibrateSeconds: calibrate, prepareSeconds: prepare,
                                  forwardSeconds: ExportCommand.seconds(clock.now - t0), blocks: trace.blocksComputed)
                    rows.append(row)
                    progress("\(set.method.title) \(setting)\(scope == "all" ? "" : " only \(scope)"): perplexity \(fmt(row.perplexity)) "
                             + "(calibrate \(ExportCommand.format1(calibrate)) s, prepare \(ExportCommand.format1(prepare)) s, "
                             + "forward \(ExportCommand.format1(row.forwardSeconds)) s over \(row.blocks) blocks)")
                }
            }
        }
        return json ? renderJSON(rows, model: modelDir, tokens: tokens.count, load: loadSeconds, p: p)
                    : renderTable(rows, model: modelDir, tokens: tokens.count, load: loadSeconds)
    }

    enum Format: String, CaseIterable { case table, json }

    /// The evaluation tokens: `--tokens FILE`, else the dump's sidecar.
    static func tokens(_ file: String?, dump: DumpFile) throws(CLIError) -> [Int] {
        guard let file else {
            guard let ids = dump.sidecar?.tokenIds else {
                throw CLIError("\(dump.path): its sidecar has no token_ids; give the evaluation tokens with --tokens FILE")
            }
            return ids.map(Int.init)
        }
        guard let data = FileManager.default.contents(atPath: file),
              let any = try? JSONSerialization.jsonObject(with: data) else { throw CLIError("--tokens \(file): cannot read it as JSON") }
        let list = (any as? [Any]) ?? ((any as? [String: Any])?["token_ids"] as? [Any])
        guard let list, let ids = list.map({ ($0 as? NSNumber).flatMap { Int(exactly: $0.doubleValue) } }) as [Int?]?,
              !ids.contains(nil) else {
            throw CLIError("--tokens \(file): expected a JSON array of integer token ids (or an object with token_ids)")
        }
        return ids.map { $0! }
    }

    /// `--only-layer P` values: the layers each names (exact name, or every layer whose name starts with P).
    static func onlyLayers(_ asked: [String], model: LlamaModel) throws(CLIError) -> [(String, [LinearID])] {
        try asked.map { (p) throws(CLIError) in
            let ids = model.linearIDs.filter { $0.name == p || $0.name.hasPrefix(p) }
            guard !ids.isEmpty else { throw CLIError("--only-layer \(p): no linear layer of the model is named so (e.g. model.layers.0.mlp.down_proj, or model.layers.3.)") }
            return (p, ids)
        }
    }

    static func forward<T>(_ body: () throws(ForwardError) -> T) throws(CLIError) -> T {
        do { return try body() } catch { throw CLIError(error.message) }
    }

    static func progress(_ s: String) { CLI.writeErr("perplexity: \(s)\n") }

    static func fmt(_ x: Double) -> String { x.isFinite ? String(format: "%.4f", x) : "overflow" }

    static func renderTable(_ rows: [Row], model: String, tokens: Int, load: Double) -> String {
        var out = "model \(model), \(tokens) tokens (\(tokens - 1) predicted), loaded in \(ExportCommand.format1(load)) s\n"
        out += "method        seed  setting          scope                          perplexity  calibrate s  forward s  blocks\n"
        for r in rows {
            func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) }
            func left(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
            out += pad(r.method, 14) + pad(r.seed ?? "", 6) + pad(r.setting, 17) + pad(r.scope, 30)
                + left(fmt(r.perplexity), 11) + left(ExportCommand.format1(r.calibrateSeconds), 13)
                + left(ExportCommand.format1(r.forwardSeconds), 11) + left(String(r.blocks), 8) + "\n"
        }
        return out
    }

    static func renderJSON(_ rows: [Row], model: String, tokens: Int, load: Double, p: QuantParams) -> String {
        let items: [JSONText] = rows.map { r in
            .object([("method", .string(r.method)), ("seed", r.seed.map { .string($0) } ?? .null), ("setting", .string(r.setting)),
                     ("scope", .string(r.scope)), ("perplexity", r.perplexity.isFinite ? .number(r.perplexity) : .null),
                     ("calibrate_seconds", .number(r.calibrateSeconds)), ("prepare_seconds", .number(r.prepareSeconds)),
                     ("forward_seconds", .number(r.forwardSeconds)), ("blocks_computed", .int(r.blocks))])
        }
        return JSONText.object([("model", .string(model)), ("tokens", .int(tokens)), ("load_seconds", .number(load)),
                                ("params", .string(p.longSummary)), ("rows", .array(items))]).render(indent: 1) + "\n"
    }
}
