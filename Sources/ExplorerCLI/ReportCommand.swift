import DuQuantCore
import DuQuantIO
import Foundation

/// `duquant-explorer report FILE …`: every method on every chosen layer, as a table, JSON or CSV.
enum ReportCommand {
    static let usage = """
        usage: duquant-explorer report FILE [--layer P]… [--methods rtn,smoothquant,hadamard,duquant]
               [--format table|json|csv] [parameters]
        """

    static func run(_ args: [String]) throws(CLIError) -> String {
        try run(args, progress: isatty(2) != 0 ? { CLI.write($0, to: 2) } : nil)
    }

    /// `report`, with long calibrations reported through `progress` (a self-overwriting line).
    static func run(_ args: [String], progress: ((String) -> Void)?) throws(CLIError) -> String {
        let a = try Arguments.parse(args, options: ParameterOptions.names.union(["layer", "methods", "format"]),
                                    flags: ParameterOptions.flags, command: "report")
        guard a.positionals.count == 1 else { throw CLIError("report needs exactly one FILE") }
        let p = try ParameterOptions.params(from: a)
        let methods = try parseMethods(a.value("methods"))
        let format = try a.choice("format", ReportFormat.self) ?? .table
        let dump = try Commands.open(a.positionals[0])
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
            let line = progress.map { ReportProgress(layer: DisplayText.escaped(name), write: $0) }
            var report: (@Sendable (Double) -> Void)? = nil
            if let line { report = { line.update($0) } }
            let e = Evaluator.evaluate(layer, p, methods: methods, progress: report)
            line?.finish()
            guard let e else { throw CLIError("cancelled") }
            results.append(e)
        }
        guard !results.isEmpty else {
            throw CLIError("\(dump.path): no layer could be loaded (\(skipped.first ?? "no usable layers"))")
        }
        return ReportFormatter.render(results, file: dump.path, params: p, format: format, skipped: skipped)
    }

    static func parseMethods(_ text: String?) throws(CLIError) -> [Method] {
        guard let text else { return Method.allCases }
        var out: [Method] = []
        for part in text.split(separator: ",") {
            guard let m = Method(rawValue: part.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw CLIError("--methods: unknown method '\(part)' (rtn, smoothquant, hadamard, duquant)")
            }
            if !out.contains(m) { out.append(m) }
        }
        guard !out.isEmpty else { throw CLIError("--methods is empty") }
        return out.sorted()
    }
}
