extension JSONStream {
    /// Reads the string at the current position (its opening quote included), decoding escapes and
    /// checking its UTF-8; appends at most `limit` decoded bytes to `out` and returns how many the
    /// string has (a longer string is read to its end, the rest not kept).
    ///
    /// `limit: 0` only checks the string and measures it; nothing is appended.
    @discardableResult
    mutating func string(into out: inout [UInt8], limit: Int = .max) throws(FormatError) -> Int {
        try string(into: &out, limit: limit) { $0.append($1) }
    }

    /// ``string(into:limit:)`` appending each kept byte to `out` with `append`.
    @inline(__always)
    private mutating func string<Sink>(into out: inout Sink, limit: Int,
                                       append: (inout Sink, UInt8) -> Void) throws(FormatError) -> Int {
        guard try peek() == UInt8(ascii: "\"") else { throw fail("expected a string") }
        advance()
        var count = 0
        // UTF-8 check: continuation bytes still expected, and the range the next one must fall in
        // (narrower after E0, ED, F0 and F4: no overlong forms, surrogates or values past U+10FFFF).
        var need = 0
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        while true {
            guard let c = try peek() else { throw fail("unterminated string") }
            advance()
            if need > 0 {
                guard c >= low && c <= high else { throw fail("string is not valid UTF-8") }
                need -= 1
                low = 0x80
                high = 0xBF
            } else if c == UInt8(ascii: "\"") {
                return count
            } else if c == UInt8(ascii: "\\") {
                for b in try escape() {
                    if count < limit { append(&out, b) }
                    count += 1
                }
                continue
            } else if c < 0x20 {
                throw fail("control character in string")
            } else if c >= 0x80 {
                switch c {
                case 0xC2...0xDF: need = 1
                case 0xE0: need = 2; low = 0xA0
                case 0xE1...0xEC, 0xEE, 0xEF: need = 2
                case 0xED: need = 2; high = 0x9F
                case 0xF0: need = 3; low = 0x90
                case 0xF1...0xF3: need = 3
                case 0xF4: need = 3; high = 0x8F
                default: throw fail("string is not valid UTF-8")
                }
            }
            if count < limit { append(&out, c) }
            count += 1
        }
    }

    /// The string at the current position as a `String`: measured first, then decoded straight into the
    /// string's own storage (a long text is held once, not also in a growing buffer).
    mutating func stringValue() throws(FormatError) -> String {
        let start = offset
        var none: [UInt8] = []
        let count = try string(into: &none, limit: 0)
        seek(to: start)
        var failure: FormatError? = nil
        let s = String(unsafeUninitializedCapacity: count) { buffer in
            var filled = 0
            do throws(FormatError) {
                _ = try string(into: &filled, limit: count) { filled, b in
                    buffer[filled] = b
                    filled += 1
                }
            } catch {
                failure = error
            }
            return filled
        }
        if let failure { throw failure }
        return s
    }

    /// The string at the current position if it has at most `limit` bytes, else nil (read to its end).
    mutating func shortString(limit: Int) throws(FormatError) -> String? {
        var bytes: [UInt8] = []
        let n = try string(into: &bytes, limit: limit)
        return n <= limit ? String(decoding: bytes, as: UTF8.self) : nil
    }

    /// One escape after its backslash, as the UTF-8 bytes it stands for.
    private mutating func escape() throws(FormatError) -> Unicode.UTF8.EncodedScalar {
        guard let e = try peek() else { throw fail("unterminated escape") }
        advance()
        var scalar: UInt32
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalar = UInt32(e)
        case UInt8(ascii: "b"): scalar = 0x08
        case UInt8(ascii: "f"): scalar = 0x0C
        case UInt8(ascii: "n"): scalar = 0x0A
        case UInt8(ascii: "r"): scalar = 0x0D
        case UInt8(ascii: "t"): scalar = 0x09
        case UInt8(ascii: "u"):
            scalar = try hex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard try peek() == UInt8(ascii: "\\") else { throw fail("unpaired surrogate") }
                advance()
                guard try peek() == UInt8(ascii: "u") else { throw fail("unpaired surrogate") }
                advance()
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
        default: throw fail("bad escape")
        }
        guard let u = Unicode.Scalar(scalar), let bytes = UTF8.encode(u) else { throw fail("unpaired surrogate") }
        return bytes
    }

    private mutating func hex4() throws(FormatError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let c = try peek() else { throw fail("unexpected end in \\u escape") }
            guard let d = JSONParser.hexValue(c) else { throw fail("bad hex digit in \\u escape") }
            v = v << 4 | d
            advance()
        }
        return v
    }
}
