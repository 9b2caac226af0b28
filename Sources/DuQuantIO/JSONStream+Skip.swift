extension JSONStream {
    /// Reads past one value, checking its syntax, without building it or recursing: any depth costs one
    /// bit per open container.
    mutating func skipValue() throws(FormatError) {
        var open = ContainerStack()
        var scratch: [UInt8] = []
        while true {
            // A value starts here.
            try skipSpace()
            guard let c = try peek() else { throw fail("unexpected end") }
            var complete = true
            switch c {
            case UInt8(ascii: "{"):
                advance()
                try skipSpace()
                if try peek() == UInt8(ascii: "}") {
                    advance()
                } else {
                    open.push(object: true)
                    try memberKey(&scratch)
                    complete = false
                }
            case UInt8(ascii: "["):
                advance()
                try skipSpace()
                if try peek() == UInt8(ascii: "]") {
                    advance()
                } else {
                    open.push(object: false)
                    complete = false
                }
            case UInt8(ascii: "\""): try string(into: &scratch, limit: 0)
            case UInt8(ascii: "t"): try expectWord("true")
            case UInt8(ascii: "f"): try expectWord("false")
            case UInt8(ascii: "n"): try expectWord("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number(into: &scratch, limit: 0)
            default: throw fail("unexpected character")
            }
            guard complete else { continue }
            // After a value: close the containers it ends, or go on to the next element or member.
            while let object = open.top {
                try skipSpace()
                let c = try peek()
                if c == UInt8(ascii: ",") {
                    advance()
                    if object { try memberKey(&scratch) }
                    break
                }
                guard c == (object ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw fail(object ? "expected ',' or '}'" : "expected ',' or ']'")
                }
                advance()
                open.pop()
            }
            if open.isEmpty { return }
        }
    }

    /// Reads a member's key and its colon.
    private mutating func memberKey(_ scratch: inout [UInt8]) throws(FormatError) {
        try skipSpace()
        guard try peek() == UInt8(ascii: "\"") else { throw fail("expected a string key") }
        try string(into: &scratch, limit: 0)
        try expect(UInt8(ascii: ":"), "':'")
    }

    /// Checks that the whole document is one JSON value (with white space around it).
    mutating func skipDocument() throws(FormatError) {
        try skipValue()
        try skipSpace()
        guard try atEnd() else { throw fail("unexpected data after the JSON value") }
    }

    /// Calls `element` at the start of each element of the array at the current position; `element`
    /// must read exactly one value. False, with the value skipped, when it is not an array.
    mutating func forEachElement(_ element: (inout JSONStream) throws(FormatError) -> Void) throws(FormatError) -> Bool {
        try skipSpace()
        guard try peek() == UInt8(ascii: "[") else {
            try skipValue()
            return false
        }
        advance()
        try skipSpace()
        if try peek() == UInt8(ascii: "]") {
            advance()
            return true
        }
        while true {
            try skipSpace()
            try element(&self)
            try skipSpace()
            switch try peek() {
            case UInt8(ascii: ","): advance()
            case UInt8(ascii: "]"): advance(); return true
            default: throw fail("expected ',' or ']'")
            }
        }
    }
}

/// The kinds of the containers open around a skipped value, one bit each (1: object, 0: array).
struct ContainerStack {
    private var words: [UInt64] = []
    private(set) var depth = 0

    var isEmpty: Bool { depth == 0 }

    /// Whether the innermost open container is an object; nil when none is open.
    var top: Bool? {
        guard depth > 0 else { return nil }
        let k = depth - 1
        return words[k >> 6] >> UInt64(k & 63) & 1 == 1
    }

    mutating func push(object: Bool) {
        if depth >> 6 == words.count { words.append(0) }
        let bit = UInt64(1) << UInt64(depth & 63)
        if object { words[depth >> 6] |= bit } else { words[depth >> 6] &= ~bit }
        depth += 1
    }

    mutating func pop() { depth -= 1 }
}
