import DuQuantCore
import DuQuantIO
import Foundation

/// `duquant-explorer report FILE …`: every method on every chosen layer, as a table, JSON or CSV.
enum ReportCommand {
    static let usage = """
        usage: duquant-explorer report FILE [--layer P]… [--methods rtn,smoothquant,hadamard,quarot,duquant]
               [--format table|json|csv] [--anatomy] [--seeds N] [--calib-tokens A:B|even|odd]
               [--eval-file FILE2] [--baseline "PARAMS"] [parameters]
          FILE: a dump, or a directory of .safetensors/.npz files (such as samples/toy: each file in name
                order, each under its own sidecar's parameters)
          --layer P   a layer: an exact name or a unique part of one (repeat for several; default: every layer)
          --methods LIST   the methods to run, comma-separated (default: all five)
          --format table|json|csv   output format (default table; a directory: JSON is an array with one
                      object per file, CSV gets a last column "file")
          --baseline "PARAMS"   also every method under these parameters (from the defaults, e.g.
                      "--lac 1 --swc 1") and the ratio of each figure to it; they set the baseline only
          --calib-tokens SPEC   fit every transform on some tokens and score on the others: A:B (fit on
                      tokens A..<B), even or odd; the figures of both are printed
          --eval-file FILE2   fit every transform on FILE's layer and score it also on the layer of the
                      same name in FILE2 (the same model run on another text); both are printed
          --seeds N   also DuQuant's figures over seeds 0…N−1: mean, min, max, std (is a change real or luck?)
          --anatomy   also the error's anatomy: output error with only activations / only weights quantized,
                      and each quantizer's share of error from clipping (the rest is rounding)
        Parameters: each from the command line, else from the dump's sidecar ("parameters"), else the
        default; the output names those the sidecar set (table: a line "NAME.json sets …"; JSON:
        "sidecar_parameters"; CSV: a column "sidecar_parameters").
        """
    /// The valued options and the flags `report` accepts (`--help` lists every one).
    static let options: Set<String> = ParameterOptions.names.union(["layer", "methods", "format", "seeds", "calib-tokens", "eval-file", "baseline"])
    static let flags: Set<String> = ParameterOptions.flags.union(["anatomy"])

    static func run(_ args: [String]) throws(CLIError) -> String {
        try run(args, progress: isatty(2) != 0 ? { CLI.write($0, to: 2) } : nil)
    }

    /// `report`, with long calibrations reported through `progress` (a self-overwriting line).
    static func run(_ args: [String], progress: ((String) -> Void)?) throws(CLIError) -> String {
        let a = try Arguments.parse(args, options: options, flags: flags, command: "report")
        return try ParameterOptions.withMemoryBudget(a) { () throws(CLIError) in try run(a, progress: progress) }
    }

    /// The options of `--baseline "PARAMS"`, parsed in their own scope: they set the baseline's
    /// parameters (from the defaults) and, with `--memory-budget`, the budget of its evaluation only.
    static func baselineOptions(_ text: String) throws(CLIError) -> Arguments {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let b = try Arguments.parse(words, options: ParameterOptions.names, flags: ParameterOptions.flags,
                                    command: "report --baseline")
        guard b.positionals.isEmpty else { throw CLIError("--baseline takes parameters only (got '\(b.positionals[0])')") }
        return b
    }

    private static func run(_ a: Arguments, progress: ((String) -> Void)?) throws(CLIError) -> String {
        guard a.positionals.count == 1 else { throw CLIError("report needs exactly one FILE") }
        let given = try ParameterOptions.params(from: a)
        let methods = try parseMethods(a.value("methods"))
        let format = try a.choice("format", ReportFormat.self) ?? .table
        let seeds = try a.int("seeds", in: 1...1000)
        // `--baseline "--lac 1 --swc 1"`: parameters (from the defaults) to compare every figure with.
        let baselineArguments = try a.value("baseline").map { text throws(CLIError) in try baselineOptions(text) }
        let baseline = try baselineArguments.map { b throws(CLIError) in try ParameterOptions.params(from: b) }
        if a.value("calib-tokens") != nil && a.value("eval-file") != nil {
            throw CLIError("--calib-tokens and --eval-file are two ways to hold tokens out: choose one")
        }
        let evalDump = try a.value("eval-file").map { path throws(CLIError) in try Commands.open(path) }
        // A directory of sample files (samples/toy) is reported file by file, each under its sidecar.
        var reports: [ReportFormatter.FileReport] = []
        for path in Commands.expanding(a.positionals) {
            let dump = try Commands.open(path)
            let parameters = try SidecarParameters(given, given: a, dump: dump)
            let (results, skipped) = try report(dump, parameters.params, a, methods: methods, seeds: seeds,
                                                baseline: baseline, baselineArguments: baselineArguments,
                                                evalDump: evalDump, progress: progress)
            reports.append(.init(file: dump.path, parameters: parameters, layers: results, skipped: skipped))
        }
        return try ReportFormatter.render(reports, format: format)
    }

    /// Every chosen layer of `dump` evaluated under `p`, and the layers skipped (with why).
    static func report(_ dump: DumpFile, _ p: QuantParams, _ a: Arguments, methods: [Method], seeds: Int?,
                       baseline: QuantParams?, baselineArguments: Arguments?, evalDump: DumpFile?,
                       progress: ((String) -> Void)?) throws(CLIError) -> ([LayerEvaluation], [String]) {
        let names = try Commands.layerNames(a.values("layer"), in: dump)
        var results: [LayerEvaluation] = []
        // A layer named with --layer must load; without --layer, one that fails to load (a corrupt
        // member, say) is skipped and named in the report, and the others are still reported.
        let explicit = !a.values("layer").isEmpty
        var skipped: [String] = dump.layers.compactMap { l in l.problem.map { "\(l.name): \($0)" } }
        if explicit { skipped = [] }
        for name in names {
            let layer: LayerData
            do throws(CLIError) { try Commands.checkEvaluationBudget(name, in: dump) } catch {
                if explicit { throw error }
                skipped.append(error.message)
                continue
            }
            do { layer = try dump.loadLayer(name) } catch {
                if explicit { throw CLIError(error.description) }
                skipped.append(error.description)
                continue
            }
            var split: TokenSplit? = nil
            if let spec = a.value("calib-tokens") {
                do { split = try TokenSplit(spec, tokens: layer.tokens) } catch { throw CLIError(error.message) }
            }
            // With a split, the main figures are on the fit tokens (fitted there), the held-out ones beside.
            let fitted = split.map { LayerData(name: layer.name, input: layer.input.gatheringRows($0.fit), weight: layer.weight) } ?? layer
            let line = progress.map { ReportProgress(layer: DisplayText.escaped(name), write: $0) }
            var report: (@Sendable (Double) -> Void)? = nil
            if let line { report = { line.update($0) } }
            let evaluated = Evaluator.evaluate(fitted, p, methods: methods, progress: report, anatomy: a.flag("anatomy"))
            line?.finish()
            guard var e = evaluated else { throw CLIError("cancelled") }
            if let split {
                guard let h = Evaluator.evaluateHeldOut(layer, p, split: split, methods: methods) else { throw CLIError("cancelled") }
                e.heldOut = HeldOutFigures(source: .tokens(split), methods: h.methods)
            }
            if let evalDump {
                let scoring = try heldOutInput(name, of: layer, in: evalDump)
                guard let h = Evaluator.evaluateHeldOut(fit: layer, scoring: scoring, p, methods: methods) else { throw CLIError("cancelled") }
                e.heldOut = HeldOutFigures(source: .file(evalDump.path, fitTokens: layer.tokens, evalTokens: scoring.rows), methods: h.methods)
            }
            if let baseline, let baselineArguments {
                // Under the baseline's own budget when it names one: a layer over it has no baseline.
                let evaluated = try ParameterOptions.withMemoryBudget(baselineArguments) {
                    () throws(CLIError) -> Result<LayerEvaluation?, CLIError> in
                    if let problem = dump.evaluationBudgetProblem(layer: name) {
                        return .failure(CLIError("\(name): baseline not computed: \(problem)"))
                    }
                    return .success(Evaluator.evaluate(fitted, baseline, methods: methods))
                }
                switch evaluated {
                case .success(let b?): e.baseline = (baseline, b.methods)
                case .success(nil): throw CLIError("cancelled")
                case .failure(let skip): skipped.append(skip.message)
                }
            }
            if let seeds, methods.contains(.duquant) { e.seedSpread = SeedSpread.measure(layer, p, seeds: seeds) }
            results.append(e)
        }
        guard !results.isEmpty else {
            throw CLIError("\(dump.path): no layer could be loaded (\(skipped.first ?? "no usable layers"))")
        }
        return (results, skipped)
    }

    /// The input of the layer `name` in `other` (the same model run on another text), to score `layer`'s
    /// transforms on: it must exist, load and have the same in_features.
    static func heldOutInput(_ name: String, of layer: LayerData, in other: DumpFile) throws(CLIError) -> Matrix {
        let shown = DisplayText.escaped(name), file = DisplayText.escaped(other.path)
        guard other.layer(named: name) != nil else { throw CLIError("--eval-file \(file) has no layer \(shown)") }
        try Commands.checkEvaluationBudget(name, in: other)
        let input: Matrix
        do { input = try other.loadLayer(name).input } catch { throw CLIError(error.description) }
        guard input.cols == layer.inFeatures else {
            throw CLIError("--eval-file \(file): layer \(shown) has \(input.cols) input channels, not \(layer.inFeatures)")
        }
        return input
    }

    static func parseMethods(_ text: String?) throws(CLIError) -> [Method] {
        guard let text else { return Method.allCases }
        var out: [Method] = []
        for part in text.split(separator: ",") {
            guard let m = Method(rawValue: part.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw CLIError("--methods: unknown method '\(part)' (\(Method.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            if !out.contains(m) { out.append(m) }
        }
        guard !out.isEmpty else { throw CLIError("--methods is empty") }
        return out.sorted()
    }
}
