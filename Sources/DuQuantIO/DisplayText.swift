/// The one escaping rule for text that came from a file (tensor, member and file names, error details)
/// before it reaches a terminal, a log or a table.
///
/// A name is data, not instructions: ESC, OSC and CSI sequences, BEL, CR and line breaks in a tensor
/// name must not move the cursor, retitle the window, write the clipboard or forge a line of output.
/// Every control character is shown as a visible escape instead:
///
/// - C0 controls U+0000–U+001F and DEL U+007F become `\xNN` (ESC is `\x1b`, a newline `\x0a`);
/// - C1 controls U+0080–U+009F (U+009B is a CSI for many terminals) become `\u{9b}`;
/// - line and paragraph separators and bidirectional overrides (U+2028, U+2029, U+200E, U+200F,
///   U+202A–U+202E, U+2066–U+2069), which reorder or break what the reader sees, become `\u{202e}`.
///
/// Backslashes are kept as they are, so applying the rule twice changes nothing: layers that escape a
/// name and a sink that escapes a whole line again cannot disagree.
///
/// ```swift
/// DisplayText.escaped("evil\u{1b}]0;pwned\u{7}")   // evil\x1b]0;pwned\x07
/// ```
public enum DisplayText {
    /// `s` with every control character (line breaks included) replaced by a visible escape.
    public static func escaped(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: needsEscape) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for u in s.unicodeScalars { append(u, to: &out) }
        return out
    }

    /// `s` escaped as by ``escaped(_:)`` except for `\n`, which still separates lines: for text the
    /// program composed of several lines (a table, a usage message) that may hold file-derived parts.
    public static func escapedKeepingLines(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0 != "\n" && needsEscape($0) }) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for u in s.unicodeScalars {
            if u == "\n" { out.unicodeScalars.append(u) } else { append(u, to: &out) }
        }
        return out
    }

    /// Whether `u` is shown as an escape rather than as itself.
    public static func needsEscape(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    private static func append(_ u: Unicode.Scalar, to out: inout String) {
        guard needsEscape(u) else { out.unicodeScalars.append(u); return }
        let hex = String(u.value, radix: 16)
        if u.value < 0x80 {
            out += "\\x" + (hex.count < 2 ? "0" : "") + hex
        } else {
            out += "\\u{" + hex + "}"
        }
    }
}
