/// A Python literal as found in a .npy header: strings, integers, booleans, None, tuples, lists, dicts.
///
/// .npy headers are the `repr` of a dict such as `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
/// `PyLiteral.parse` reads that grammar with a tiny tokenizer and never evaluates anything.
indirect enum PyLiteral {
    case string(String)
    case int(Int)
    case bool(Bool)
    case none
    case tuple([PyLiteral])
    case list([PyLiteral])
    case dict([(key: PyLiteral, value: PyLiteral)])

    static let maxDepth = 16

    /// Parses exactly one literal from `bytes`, allowing surrounding whitespace.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(FormatError) -> PyLiteral {
        var p = Parser(bytes: bytes)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == bytes.count else { throw p.fail("unexpected text after the header dict") }
        return v
    }

    private struct Parser {
        let bytes: UnsafeRawBufferPointer
        var i = 0

        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        func fail(_ what: String) -> FormatError { FormatError("header dict at byte \(i): \(what)") }

        mutating func skipSpace() {
            while let c = peek, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { i += 1 }
        }

        mutating func value(depth: Int) throws(FormatError) -> PyLiteral {
            guard depth < PyLiteral.maxDepth else { throw fail("nested too deeply") }
            guard let c = peek else { throw fail("unexpected end") }
            switch c {
            case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try string(quote: c))
            case UInt8(ascii: "("):
                let (items, trailingComma) = try sequence(close: UInt8(ascii: ")"), depth: depth)
                // `(x)` is just x in Python; `(x,)` is a tuple.
                if items.count == 1, !trailingComma { return items[0] }
                return .tuple(items)
            case UInt8(ascii: "["): return .list(try sequence(close: UInt8(ascii: "]"), depth: depth).items)
            case UInt8(ascii: "{"): return try dict(depth: depth)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .int(try integer())
            default:
                let word = identifier()
                switch word {
                case "True": return .bool(true)
                case "False": return .bool(false)
                case "None": return .none
                default: throw fail(word.isEmpty ? "unexpected character" : "unexpected name '\(word)'")
                }
            }
        }

        mutating func identifier() -> String {
            let s = i
            while let c = peek, (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F { i += 1 }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[s..<i]), as: UTF8.self)
        }

        mutating func integer() throws(FormatError) -> Int {
            let negative = peek == UInt8(ascii: "-")
            if negative { i += 1 }
            var v = 0
            var n = 0
            while let c = peek, c >= 0x30, c <= 0x39 {
                guard let m = Checked.mul(v, 10), let s = Checked.add(m, Int(c - 0x30)) else {
                    throw fail("integer too large")
                }
                v = s
                n += 1
                i += 1
            }
            guard n > 0 else { throw fail("expected a digit") }
            if peek == UInt8(ascii: "L") { i += 1 }  // Python 2 long suffix, seen in old files
            return negative ? -v : v
        }

        mutating func string(quote: UInt8) throws(FormatError) -> String {
            i += 1
            var out: [UInt8] = []
            while true {
                guard let c = peek else { throw fail("unterminated string") }
                i += 1
                if c == quote { return String(decoding: out, as: UTF8.self) }
                if c == UInt8(ascii: "\\") {
                    guard let e = peek else { throw fail("unterminated escape") }
                    i += 1
                    out.append(e == UInt8(ascii: "n") ? 0x0A : e == UInt8(ascii: "t") ? 0x09 : e)
                } else {
                    out.append(c)
                }
            }
        }

        mutating func sequence(close: UInt8, depth: Int) throws(FormatError) -> (items: [PyLiteral], trailingComma: Bool) {
            i += 1
            var items: [PyLiteral] = []
            var trailingComma = false
            while true {
                skipSpace()
                if peek == close { i += 1; return (items, trailingComma) }
                items.append(try value(depth: depth + 1))
                skipSpace()
                trailingComma = false
                if peek == UInt8(ascii: ",") {
                    i += 1
                    trailingComma = true
                } else if peek != close {
                    throw fail("expected ',' or closing bracket")
                }
            }
        }

        mutating func dict(depth: Int) throws(FormatError) -> PyLiteral {
            i += 1
            var members: [(key: PyLiteral, value: PyLiteral)] = []
            while true {
                skipSpace()
                if peek == UInt8(ascii: "}") { i += 1; return .dict(members) }
                let key = try value(depth: depth + 1)
                skipSpace()
                guard peek == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                skipSpace()
                members.append((key, try value(depth: depth + 1)))
                skipSpace()
                if peek == UInt8(ascii: ",") {
                    i += 1
                } else if peek != UInt8(ascii: "}") {
                    throw fail("expected ',' or '}'")
                }
            }
        }
    }
}
