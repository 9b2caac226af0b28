import DuQuantCore
import Foundation

/// The quantization options every analysing subcommand shares: read through ``ParameterSpec``, then
/// validated once.
enum ParameterOptions {
    static let names: Set<String> = ParameterSpec.optionNames
    static let flags: Set<String> = ParameterSpec.flagNames

    /// The options' part of `--help`, one line per parameter, from the spec.
    static let help: String = ParameterSpec.all.map { spec in
        let option = "  --\(spec.name)" + (spec.metavar.isEmpty ? "" : " \(spec.metavar)")
        let detail = spec.isFlag ? spec.help
            : "\(spec.help) (default \(spec.defaultText)" + (spec.metavar.contains("|") ? ")" : "; \(spec.rangeText))")
        return option.padding(toLength: max(option.count + 2, 28), withPad: " ", startingAt: 0) + detail
    }.joined(separator: "\n")

    /// The parameter table of docs/EXPLORER.md (Markdown), from the spec.
    static var markdownTable: String {
        var rows = ["| panel row | option | range | default | `[` `]` step | meaning |", "| --- | --- | --- | --- | --- | --- |"]
        for spec in ParameterSpec.all {
            let option = "`--\(spec.name)" + (spec.metavar.isEmpty ? "`" : " \(spec.metavar)`")
            let cells = [spec.inPanel ? spec.title : "—", option, spec.rangeText, spec.defaultText,
                         spec.inPanel ? spec.stepText : "—", spec.help]
            // A bare `|` would end the cell, even inside a code span.
            rows.append("| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// Reads the options into parameters, then checks every range once (as an argument parser's
    /// `validate()` runs after parsing).
    static func params(from a: Arguments) throws(CLIError) -> QuantParams {
        var p = QuantParams()
        do {
            for spec in ParameterSpec.all {
                if spec.isFlag {
                    if a.flag(spec.name) { try spec.parse("", into: &p) }
                } else if let v = a.value(spec.name) {
                    try spec.parse(v, into: &p)
                }
            }
            try p.validate()
        } catch {
            throw CLIError(error.message)
        }
        return p
    }

    /// One line naming every parameter, both fidelity switches included.
    static func summary(_ p: QuantParams) -> String {
        "W\(p.wbits)A\(p.abits) block \(p.block) steps \(p.steps) perm-times \(p.permTimes) "
            + (p.smooth ? "alpha \(p.alpha)" : "no smoothing")
            + " lac \(p.lac) swc \(p.swc) seed \(p.seed) select \(p.select.rawValue) layout \(p.layout.rawValue)"
            + (p.symmetric ? " symmetric" : "")
            + (p.patience > 0 ? " patience \(p.patience) (approximate greedy)" : "")
    }
}
