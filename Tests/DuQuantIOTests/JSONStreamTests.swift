import Testing
@testable import DuQuantIO

/// The chunked JSON reader of sidecars (issue 23, item 4).
@Suite struct JSONStreamTests {
    /// The streaming reader accepts exactly what the tree parser accepts (nesting and duplicate keys
    /// aside, which only a tree can check), at every chunk boundary.
    @Test func theSkipperAgreesWithTheParser() throws {
        let valid = ["0", "-0.5e+3", "1E9", "\"a\\u00e9\\n\\\"\"", "\"\\ud83d\\ude00\"", "[]", "{}", " [1, [2, {\"a\": null}]] ",
                     "true", "false", "null", "\"é€😀\"", "{\"a\":{\"b\":[[],{}]}}", "[\"]\", \"}\", \"\\\\\"]"]
        let invalid = ["01", "1.", "-", "+1", ".5", "1e", "[1,]", "{\"a\"}", "{\"a\":1,}", "\"\u{01}\"", "\"\\ud800\"",
                       "\"\\ud800\\u0041\"", "\"\\x\"", "tru", "nul", "[1 2]", "{1:2}", "]", "[}", "{]", "[", "{\"a\":",
                       "\"abc", "\"\\u12\"", "[1]]", "{} {}", ""]
        let invalidBytes: [[UInt8]] = [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xC0, 0xAF, 0x22],
                                       [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
                                       [0x22, 0xE2, 0x82, 0x22]]
        let cases = valid.map { (Array($0.utf8), true) } + invalid.map { (Array($0.utf8), false) } + invalidBytes.map { ($0, false) }
        for (bytes, ok) in cases {
            #expect((try? JSONParser.parse(bytes)) != nil || !ok, "parser: \(String(decoding: bytes, as: UTF8.self))")
            for chunk in [1, 2, 3, 5, 8, 64] {
                var r = JSONStream(bytes: bytes, chunk: chunk)
                let accepted = (try? r.skipDocument()) != nil
                #expect(accepted == ok, "chunk \(chunk): \(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }

    /// Nesting costs one bit per level: a million levels are skipped without recursion.
    @Test func aMillionLevelsAreSkipped() throws {
        let depth = 1_000_000
        var r = JSONStream(bytes: Array(repeating: UInt8(ascii: "["), count: depth) + Array(repeating: UInt8(ascii: "]"), count: depth))
        try r.skipDocument()
        var unclosed = JSONStream(bytes: Array(repeating: UInt8(ascii: "["), count: depth) + Array(repeating: UInt8(ascii: "]"), count: depth - 1))
        #expect(throws: FormatError.self) { try unclosed.skipDocument() }
    }

    /// A value measured by skipping it can be read again (a chunk boundary between the two).
    @Test func aSkippedValueIsReadAgain() throws {
        let text = Array(#"{"a": [1, "two", {"b": null}], "c": 3}"#.utf8)
        for chunk in 1...12 {
            var r = JSONStream(bytes: text, chunk: chunk)
            try r.expect(UInt8(ascii: "{"), "'{'")
            try r.skipSpace()
            let key = try r.stringValue()
            try r.expect(UInt8(ascii: ":"), "':'")
            try r.skipSpace()
            let start = r.offset
            try r.skipValue()
            let again = String(decoding: try r.bytes(from: start, to: r.offset), as: UTF8.self)
            #expect(key == "a" && again == #"[1, "two", {"b": null}]"#, "chunk \(chunk)")
            try r.expect(UInt8(ascii: ","), "','")
        }
    }
}
