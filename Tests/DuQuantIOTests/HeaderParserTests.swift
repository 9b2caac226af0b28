import Testing
@testable import DuQuantIO

@Suite("JSON and .npy header parsers")
struct HeaderParserTests {
    func json(_ s: String) throws(FormatError) -> JSONValue { try JSONParser.parse(Array(s.utf8)) }

    @Test func jsonReadsExactIntegersAndEscapes() throws {
        let v = try json(#" {"a": [0, -7, 9007199254740993, 1.5, 1e3], "s": "x\"\u00e9\ud83d\ude00", "t": true} "#)
        #expect(v["a"]?.array?.map(\.int) == [0, -7, 9_007_199_254_740_993, nil, nil])
        #expect(v["s"]?.string == "x\"é😀")
        #expect(v.encoded == #"{"a":[0,-7,9007199254740993,1.5,1e3],"s":"x\"é😀","t":true}"#)
    }

    @Test("JSON that must be refused", arguments: [
        #"{"a":1,"a":2}"#, "[1,]", "{", #""\ud800""#, "01", "1.", "\"a\u{01}\"", "{} x",
        String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
        "99999999999999999999999",
    ])
    func jsonRejects(text: String) {
        if text.hasPrefix("9") {
            #expect((try? json(text))?.int == nil)  // parses as a number, but no Int holds it
        } else {
            #expect(throws: FormatError.self) { try json(text) }
        }
    }

    func literal(_ s: String) throws(FormatError) -> PyLiteral {
        let bytes = Array(s.utf8)
        let r: Result<PyLiteral, FormatError> = bytes.withUnsafeBytes { raw in
            do throws(FormatError) { return .success(try PyLiteral.parse(raw)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    @Test func pythonLiteralTuplesAndOldLongs() throws {
        guard case .dict(let d) = try literal("{'descr': '<f4', 'fortran_order': False, 'shape': (3L, 4), }  \n") else {
            Issue.record("not a dict"); return
        }
        #expect(d.count == 3)
        guard case .tuple(let dims) = d[2].value, case .int(let a) = dims[0], case .int(let b) = dims[1] else {
            Issue.record("shape is not a tuple of ints"); return
        }
        #expect((a, b) == (3, 4))
        guard case .tuple(let one) = try literal("(5,)"), one.count == 1 else { Issue.record("(5,) is a tuple"); return }
        guard case .int(5) = try literal("(5)") else { Issue.record("(5) is an int"); return }
    }

    @Test("Python literals that must be refused", arguments: [
        "{'a': __import__('os')}", "{'a' 1}", "(1, 2", "99999999999999999999999", String(repeating: "(", count: 40),
    ])
    func pythonLiteralRejects(text: String) {
        #expect(throws: FormatError.self) { try literal(text) }
    }

    @Test("numpy type strings", arguments: [
        ("<f4", DType.f32, 4), ("<f2", .f16, 2), ("=f8", .f64, 8), (">f4", .unsupported(">f4"), 4),
        ("<i8", .unsupported("<i8"), 8), ("|b1", .unsupported("|b1"), 1), ("<U3", .unsupported("<U3"), 12),
    ])
    func descr(text: String, dtype: DType, size: Int) throws {
        let (d, s) = try NpyHeader.decodeDescr(text)
        #expect(d == dtype && s == size)
    }

    @Test func objectArraysAreRefused() {
        #expect(throws: FormatError.self) { try NpyHeader.decodeDescr("|O") }
    }
}
