import DuQuantCore
import ExplorerModel
import Foundation

/// The quantization options every analysing subcommand shares: read through ``ParameterSpec``, then
/// validated once; their `--help` lines and docs table written from ``ParameterText``.
enum ParameterOptions {
    /// Options that take a value: every spec's, and `--memory-budget` (not a quantization parameter).
    static let names: Set<String> = ParameterSpec.optionNames.union(["memory-budget"])
    static let flags: Set<String> = ParameterSpec.flagNames

    /// The options' part of `--help`, one line per parameter, from the spec.
    static let help: String = ParameterText.all.map { text in
        let spec = text.spec
        let option = "  --\(spec.name)" + (text.metavar.isEmpty ? "" : " \(text.metavar)")
        let detail = spec.isFlag ? text.help
            : "\(text.help) (default \(text.defaultText)" + (text.metavar.contains("|") ? ")" : "; \(spec.rangeText))")
        return option.padding(toLength: max(option.count + 2, 28), withPad: " ", startingAt: 0) + detail
    }.joined(separator: "\n") + """

          --memory-budget SIZE      most memory a layer's analysis may take, e.g. 512M, 8G (default: half
                                    the physical memory); larger layers are refused with a one-line error
        """

    /// The parameter table of docs/EXPLORER.md (Markdown), from the spec.
    static var markdownTable: String {
        var rows = ["| panel row | option | range | default | `[` `]` step | meaning |", "| --- | --- | --- | --- | --- | --- |"]
        for text in ParameterText.all {
            let spec = text.spec
            let option = "`--\(spec.name)" + (text.metavar.isEmpty ? "`" : " \(text.metavar)`")
            let cells = [text.inPanel ? text.title : "—", option, spec.rangeText, text.defaultText,
                         text.inPanel ? text.stepText : "—", text.help]
            // A bare `|` would end the cell, even inside a code span.
            rows.append("| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// Reads the options into parameters, then checks every range once (as an argument parser's
    /// `validate()` runs after parsing); `--memory-budget` sets ``MemoryBudget``.
    static func params(from a: Arguments) throws(CLIError) -> QuantParams {
        try applyMemoryBudget(a)
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

    /// The `--memory-budget SIZE` given in `a`, validated (nil when absent).
    @discardableResult
    static func applyMemoryBudget(_ a: Arguments) throws(CLIError) -> Int? {
        guard let text = a.value("memory-budget") else { return nil }
        guard let bytes = MemoryBudget.parse(text) else {
            throw CLIError("--memory-budget must be a size such as 512M or 8G (got '\(text)')")
        }
        return bytes
    }

    /// Runs `body` under the `--memory-budget` of `a`, the options of one scope already parsed: a
    /// command's, or the words of `report --baseline "…"`. Without one, the enclosing budget holds.
    ///
    /// The budget is read from the parsed options of its own scope only (it used to be found by scanning
    /// the raw argument list, so a `--memory-budget=1K` inside `--baseline "…"` bound the whole command).
    static func withMemoryBudget<T>(_ a: Arguments, _ body: () throws(CLIError) -> T) throws(CLIError) -> T {
        try withMemoryBudget(bytes: try applyMemoryBudget(a), body)
    }

    /// Runs `body` under a budget of `bytes` on this thread (nil: the enclosing budget).
    static func withMemoryBudget<T>(bytes: Int?, _ body: () throws(CLIError) -> T) throws(CLIError) -> T {
        guard let budget = bytes else { return try body() }
        var result: Result<T, CLIError>?
        MemoryBudget.$scoped.withValue(budget) {
            result = Result { () throws(CLIError) -> T in try body() }
        }
        return try result!.get()
    }
}
