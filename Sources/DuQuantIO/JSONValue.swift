/// A parsed JSON value, keeping object members in file order and numbers as their exact text.
///
/// The explorer parses headers and sidecars itself (see `JSONParser`) so that hostile input can only
/// produce errors, never traps, and so that integers are read exactly rather than through `Double`.
package indirect enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// The number's literal text, e.g. `-12` or `1.5e3`.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in file order; keys are unique (the parser rejects duplicates).
    case object([(key: String, value: JSONValue)])

    /// The value as a string, if it is one.
    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The value as an exact `Int`, if it is an integer literal (no fraction or exponent) that fits.
    var int: Int? {
        guard case .number(let text) = self else { return nil }
        var digits = Substring(text)
        let negative = digits.first == "-"
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var v = 0
        for c in digits.utf8 {
            guard let m = Checked.mul(v, 10), let s = Checked.add(m, Int(c &- 48)) else { return nil }
            v = s
        }
        return negative ? -v : v
    }

    /// The elements, if the value is an array.
    var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The members, if the value is an object.
    var object: [(key: String, value: JSONValue)]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The member named `key`, if the value is an object that has one.
    subscript(key: String) -> JSONValue? {
        object?.first(where: { $0.key == key })?.value
    }
}
