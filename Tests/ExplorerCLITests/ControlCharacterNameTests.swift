import DuQuantIO
import Foundation
import Testing
@testable import ExplorerCLI

/// Names with control characters through every output of the command line (issue 10, item 1).
///
/// The corpus files `st_control_names.safetensors` and `npz_control_names.npz` name their layers with
/// OSC 52 (clipboard write) and OSC 0 (window title) sequences ended by BEL, a screen-clearing CSI, CR
/// and LF, DEL, the C1 CSI U+009B, a right-to-left override, TAB and NUL, after a leading spreadsheet
/// formula. Before the fix `list`, the report table, the `skipped:` lines and the errors printed them
/// raw; JSON passed DEL and U+009B through; CSV let `=HYPERLINK(…)` reach a spreadsheet.
@Suite struct ControlCharacterNameTests {
    static let files = ["st_control_names.safetensors", "npz_control_names.npz"].map(HostileFileCLITests.path)
    /// The layer name the corpus uses, as stored.
    static let evil = "=HYPERLINK(\"http://x\")\u{1b}]52;c;ZXZpbA==\u{07}\u{1b}]0;pwned\u{07}\u{1b}[2J\r\nforged\u{7f}"
        + "\u{9b}31m\u{202e}\t\u{0}end"
    static let shown = #"=HYPERLINK("http://x")\x1b]52;c;ZXZpbA==\x07\x1b]0;pwned\x07\x1b[2J\x0d\x0aforged\x7f"#
        + #"\u{9b}31m\u{202e}\x09\x00end"#

    /// Records every character of `text` (line breaks aside) a terminal would act on.
    static func expectNoControls(_ text: String, _ what: String) {
        let bad = text.unicodeScalars.filter { $0 != "\n" && DisplayText.needsEscape($0) }
        #expect(bad.isEmpty, "\(what): raw control characters \(bad.map { String($0.value, radix: 16) })")
    }

    static let quick = ["--block", "4", "--steps", "2", "--methods", "rtn,duquant"]

    @Test("regression: list, table, skipped and notes print control characters as visible escapes", arguments: files)
    func issue10_textOutputsEscapeNames(file: String) throws {
        let list = try CLI.dispatch(["list", file])
        Self.expectNoControls(list, "list")
        #expect(list.contains("\n  " + Self.shown + "  "))
        #expect(list.contains("skipped: bad" + Self.shown))
        let table = try CLI.dispatch(["report", file] + Self.quick)
        Self.expectNoControls(table, "report table")
        #expect(table.contains("\n" + Self.shown + "  2 tokens × 4"))
        #expect(table.contains("skipped: bad" + Self.shown))
    }

    @Test("regression: JSON escapes DEL, C1 and bidi controls and still round-trips the name", arguments: files)
    func issue10_jsonEscapesDelAndC1(file: String) throws {
        let text = try CLI.dispatch(["report", file, "--format", "json"] + Self.quick)
        Self.expectNoControls(text, "json")
        #expect(text.contains(#"\u007f\u009b31m\u202e"#))
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let layers = try #require(root["layers"] as? [[String: Any]])
        #expect(layers.first?["name"] as? String == Self.evil)
    }

    @Test("regression: CSV neutralises a leading formula and quotes the cell", arguments: files)
    func issue10_csvNeutralisesFormulas(file: String) throws {
        let csv = try CLI.dispatch(["report", file, "--format", "csv"] + Self.quick)
        Self.expectNoControls(csv, "csv")
        let rows = csv.split(separator: "\n")
        #expect(rows.count == 3)
        for row in rows.dropFirst() {
            #expect(row.hasPrefix("\"'=HYPERLINK(\"\"http://x\"\")"), "\(row)")
        }
        #expect(ReportFormatter.csvField("-2+3") == "\"'-2+3\"")
        #expect(ReportFormatter.csvField("@SUM(A1)") == "\"'@SUM(A1)\"")
        #expect(ReportFormatter.csvField("+1") == "\"'+1\"")
        #expect(ReportFormatter.csvField("a,b") == "\"a,b\"")
        #expect(ReportFormatter.csvField("plain.name") == "plain.name")
    }

    @Test("regression: errors naming a layer are one line without control characters", arguments: files)
    func issue10_errorsEscapeNames(file: String) throws {
        for args in [["report", file, "--layer", "bad"], ["export", file, "--layer", "bad", "-o", "/nonexistent/x"],
                     ["report", file, "--layer", "HYPERLINK"]] {
            let error = #expect(throws: CLIError.self) { try CLI.dispatch(args) }
            let message = try #require(error?.message)
            Self.expectNoControls(message, "error of \(args[0])")
            #expect(!message.contains("\n"), "\(message)")
            #expect(message.contains(Self.shown), "\(message)")
        }
    }

    @Test func escapingIsIdempotentAndKeepsOrdinaryText() {
        #expect(DisplayText.escaped(Self.evil) == Self.shown)
        #expect(DisplayText.escaped(Self.shown) == Self.shown)
        #expect(DisplayText.escaped("model.layers.0.mlp.down_proj — ü, 中文") == "model.layers.0.mlp.down_proj — ü, 中文")
        #expect(DisplayText.escapedKeepingLines("a\u{1b}\nb") == "a\\x1b\nb")
    }
}
