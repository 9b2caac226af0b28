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

    /// Mutated sidecars (bytes changed, inserted, removed, cut short): the reader accepts exactly the
    /// documents the tree parser accepts (repeated keys aside), and reading a sidecar never traps.
    @Test func mutatedSidecarsAgreeWithTheParser() throws {
        let seed = Array(#"""
            {"model": "m\u00e9", "tokens": ["<s>", "a\"b", "é"], "token_ids": [1, 2, 3],
             "parameters": {"block": 4, "no-smooth": true}, "shared_inputs": {"k": "q"},
             "model_eval": {"fp": 17.5, "methods": {"rtn": {"W4A4": 900.5}}}, "x": [[{"y": [1e5, -0.5, null, false]}]]}
            """#.utf8)
        let alphabet = Array(#"{}[]:,"\-0123456789.eE+ tfnu"#.utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xE2, 0xED, 0xF4, 0xFF]
        var rng = SplitMix(seed: 23)
        var outcomes = [0, 0]
        for _ in 0..<3000 {
            var bytes = seed
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let at = Int(rng.next() % UInt64(bytes.count + 1))
                let c = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                switch rng.next() % 4 {
                case 0 where at < bytes.count: bytes[at] = c
                case 1: bytes.insert(c, at: at)
                case 2 where at < bytes.count: bytes.remove(at: at)
                default: bytes = Array(bytes.prefix(at))
                }
            }
            var parserError: FormatError? = nil
            do throws(FormatError) { _ = try JSONParser.parse(bytes) } catch { parserError = error }
            var r = JSONStream(bytes: bytes, chunk: 7)
            let accepted = (try? r.skipDocument()) != nil
            outcomes[accepted ? 1 : 0] += 1
            if parserError?.message.contains("duplicate key") != true {
                #expect(accepted == (parserError == nil), "\(String(decoding: bytes, as: UTF8.self)): \(parserError?.message ?? "")")
            }
            // Whatever the bytes, reading them as a sidecar ends in a sidecar or one error.
            _ = try? Sidecar.parse(bytes, path: "s.json", chunk: 5)
        }
        #expect(outcomes[0] > 300 && outcomes[1] > 300, "rejected, accepted: \(outcomes)")
    }
}
