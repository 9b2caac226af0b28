import DuQuantIO

/// A minimal JSON value for writing reports, with keys kept in insertion order.
indirect enum JSONText {
    case number(Double)
    case int(Int)
    case string(String)
    case bool(Bool)
    case null
    case array([JSONText])
    case object([(String, JSONText)])

    /// A float, written with the shortest digits that read back as the same `Float` (`--alpha 0.6` prints
    /// `0.6`, not the widened `0.6000000238418579`); non-finite values become `null` (JSON has no NaN or
    /// infinity).
    static func float(_ f: Float?) -> JSONText {
        guard let f else { return .null }
        return f.isFinite ? .number(Double(f.description) ?? Double(f)) : .null
    }

    /// Compact serialisation, or indented with `indent` spaces per level.
    func render(indent: Int? = nil, level: Int = 0) -> String {
        let nl = indent == nil ? "" : "\n"
        let pad = String(repeating: " ", count: (indent ?? 0) * (level + 1))
        let closePad = String(repeating: " ", count: (indent ?? 0) * level)
        let sep = indent == nil ? ":" : ": "
        switch self {
        case .number(let d):
            if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
            return "\(d)"
        case .int(let i): return String(i)
        case .string(let s): return JSONText.quote(s)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let items):
            if items.isEmpty { return "[]" }
            // Arrays of scalars stay on one line; they are long and uninteresting to indent.
            if items.allSatisfy({ $0.isScalar }) { return "[" + items.map { $0.render() }.joined(separator: ",") + "]" }
            return "[" + nl + items.map { pad + $0.render(indent: indent, level: level + 1) }.joined(separator: "," + nl)
                + nl + closePad + "]"
        case .object(let pairs):
            if pairs.isEmpty { return "{}" }
            return "{" + nl + pairs.map { pad + JSONText.quote($0.0) + sep + $0.1.render(indent: indent, level: level + 1) }
                .joined(separator: "," + nl) + nl + closePad + "}"
        }
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }

    /// `s` as a JSON string literal (the same escaping the loader's JSON writer uses).
    static func quote(_ s: String) -> String { JSONValue.quoted(s) }
}
