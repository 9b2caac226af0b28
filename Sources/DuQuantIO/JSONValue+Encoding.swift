extension JSONValue {
    /// Compact JSON text for this value (members in stored order).
    var encoded: String {
        var out = ""
        encode(into: &out)
        return out
    }

    private func encode(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let t): out += t
        case .string(let s): out += JSONValue.quoted(s)
        case .array(let a):
            out += "["
            for (k, v) in a.enumerated() {
                if k > 0 { out += "," }
                v.encode(into: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (k, m) in o.enumerated() {
                if k > 0 { out += "," }
                out += JSONValue.quoted(m.key)
                out += ":"
                m.value.encode(into: &out)
            }
            out += "}"
        }
    }

    /// `s` as a JSON string literal, escaping quotes, backslashes and control characters.
    ///
    /// Beyond what JSON requires (below U+0020), DEL, the C1 controls U+0080–U+009F (U+009B is a CSI
    /// for many terminals), the line separators U+2028/U+2029 and the bidirectional overrides are
    /// written as `\uXXXX` too (``DisplayText/needsEscape(_:)``), so a report piped to a terminal
    /// cannot carry a control sequence from a tensor name.
    package static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where DisplayText.needsEscape(u):
                let h = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
