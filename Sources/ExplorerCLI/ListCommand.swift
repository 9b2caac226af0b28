import DuQuantCore
import DuQuantIO
import Foundation

/// `duquant-explorer list FILE…`: layers, shapes, dtype and where the largest value sits.
enum ListCommand {
    static let usage = """
        usage: duquant-explorer list FILE… [--memory-budget SIZE]
          FILE: .safetensors, .npy, .npz, a directory of .npy files, or a directory of .safetensors/.npz
          files (such as samples/toy: each file in name order, as the explorer opens them)
        """
    /// The options `list` accepts (`--help` lists every one).
    static let options: Set<String> = ["memory-budget"]

    static func run(_ args: [String]) throws(CLIError) -> String {
        let a = try Arguments.parse(args, options: options, flags: [], command: "list")
        return try ParameterOptions.withMemoryBudget(a) { () throws(CLIError) in try run(a) }
    }

    private static func run(_ a: Arguments) throws(CLIError) -> String {
        guard !a.positionals.isEmpty else { throw CLIError(usage) }
        var out: [String] = []
        for path in Commands.expanding(a.positionals) { out.append(list(try Commands.open(path))) }
        return out.joined(separator: "\n")
    }

    /// The listing of one dump: a line naming it, then one row per layer, warnings, notes and skipped layers.
    static func list(_ dump: DumpFile) -> String {
        var rows: [[String]] = [["layer", "kind", "tokens×in", "out", "dtype", "max|x|", "ratio", "channel", "token"]]
        var problems: [String] = []
        var notes: [String] = []
        for info in dump.layers {
            guard info.isLoadable else {
                problems.append(DisplayText.escaped("\(info.name): \(info.problem ?? "unusable")"))
                continue
            }
            let s: ActivationStats
            let nonFinite: [NonFiniteReport]
            do throws(DumpError) { (s, nonFinite) = try streamedStats(dump, info) } catch {
                problems.append(error.description)
                continue
            }
            notes += Commands.nonFiniteNotes(nonFinite).map { DisplayText.escaped("\(info.name): \($0)") }
            rows.append([DisplayText.escaped(info.name), info.moduleKind.rawValue, "\(info.tokens)×\(info.inFeatures)",
                         info.outFeatures.map(String.init) ?? "—", info.dtype.name, ReportFormatter.stat(s.maxAbs),
                         ReportFormatter.ratioText(s.ratio),
                         "\(s.topChannel)", "\(s.topToken)" + tokenText(dump, s.topToken)])
        }
        var out = "\(DisplayText.escaped(dump.path))  (\(dump.format.rawValue), \(dump.layers.count) layers, \(dump.tensors.count) tensors)\n"
        out += ReportFormatter.align(rows)
        for w in dump.warnings { out += "warning: \(w.description)\n" }
        for n in notes { out += "note: \(n)\n" }
        for p in problems { out += "skipped: \(DisplayText.escaped(p))\n" }
        return out
    }

    /// The input's statistics and both tensors' non-finite values, read in runs (two passes over the input,
    /// one over the weight) without loading either: memory stays at about 1 MB whatever the layer's size.
    static func streamedStats(_ dump: DumpFile, _ info: LayerInfo) throws(DumpError) -> (ActivationStats, [NonFiniteReport]) {
        var input = ActivationStats.Streaming(cols: info.inFeatures, tensor: "input")
        try dump.streamTensor(info.inputTensor) { input.firstPass($0, $1) }
        if input.needsSecondPass() { try dump.streamTensor(info.inputTensor) { input.secondPass($0, $1) } }
        var reports = [input.nonFiniteReport].compactMap { $0 }
        if let weight = info.weightTensor {
            var w = ActivationStats.Streaming(cols: info.inFeatures, tensor: "weight")
            try dump.streamTensor(weight) { w.firstPass($0, $1) }
            if let r = w.nonFiniteReport { reports.append(r) }
        }
        return (input.result(), reports)
    }

    /// ` "text"` for token `t` when the sidecar carries token strings.
    static func tokenText(_ dump: DumpFile, _ t: Int) -> String {
        guard let tokens = dump.sidecar?.tokens, t < tokens.count else { return "" }
        let s = tokens[t].replacingOccurrences(of: "\n", with: "\\n")
        return " " + JSONText.quote(String(s.prefix(16)))
    }
}
