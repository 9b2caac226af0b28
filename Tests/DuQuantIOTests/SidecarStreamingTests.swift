import DuQuantCore
import Foundation
import Testing
@testable import DuQuantIO

/// Sidecars are read in chunks, and what the tool does not use is skipped without building anything
/// (issue 23, item 4): memory stays near the size of what is kept, whatever the file holds besides.
@Suite struct SidecarStreamingTests {
    /// A one-layer dump beside a sidecar holding `json`; returns the opened dump.
    static func open(sidecarBytes json: [UInt8]) throws -> DumpFile {
        let dir = NSTemporaryDirectory() + "duq-sidecar-stream-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var w = SafetensorsWriter()
        try w.add("l.input", shape: [2, 4], values: [1, 2, 3, 4, 5, 6, 7, 8])
        try w.write(to: dir + "/d.safetensors")
        try Data(json).write(to: URL(fileURLWithPath: dir + "/d.json"))
        return try DumpFile.open(dir + "/d.safetensors")
    }

    /// Regression (issue 23, item 4): a sidecar was parsed whole into a tree (38× its size in memory for
    /// unknown keys) and nesting deeper than 64 anywhere made it malformed. Unknown keys, however large or
    /// deep, are now skipped and the known keys after them are read.
    @Test func issue23_unknownKeysAreSkippedWhateverTheirDepth() throws {
        var json = Array(#"{"padding": ""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: 2 << 20) + Array(#"", "deep": "#.utf8)
        json += Array(repeating: UInt8(ascii: "["), count: 200_000) + Array(#"{"a": [1, "é", null]}"#.utf8)
        json += Array(repeating: UInt8(ascii: "]"), count: 200_000)
        json += Array(#", "objects": {"a": {"b": {"c": [true, false, -1.5e-3]}}}, "tokens": ["x", "y"], "model": "m"}"#.utf8)
        let dump = try Self.open(sidecarBytes: json)
        let s = try #require(dump.sidecar, "\(dump.warnings)")
        #expect(s.tokens == ["x", "y"] && s.model == "m")
        #expect(dump.warnings.isEmpty, "\(dump.warnings)")
        // Small unknown values are still kept as compact JSON text; large ones are not held.
        #expect(s.extras["objects"] == #"{"a":{"b":{"c":[true,false,-1.5e-3]}}}"#)
        #expect(s.extras["padding"] == nil && s.extras["deep"] == nil)
    }

    /// Regression (issue 23, item 4): sidecars up to 100 MB were read whole. Over 20 MB one is now refused
    /// from its size, before reading, with one line; the dump opens without it.
    @Test func issue23_aSidecarOver20MBIsRefusedInOneLine() throws {
        let limit = 20 << 20
        // Exactly the limit: read (an unknown string pads it).
        let head = Array(#"{"tokens": ["a"], "pad": ""#.utf8), tail = Array(#""}"#.utf8)
        let exact = head + Array(repeating: UInt8(ascii: "y"), count: limit - head.count - tail.count) + tail
        #expect(exact.count == limit)
        let atLimit = try Self.open(sidecarBytes: exact)
        #expect(atLimit.sidecar?.tokens == ["a"], "\(atLimit.warnings.map { $0.description.prefix(200) })")
        // One byte more: refused, named, one line.
        let over = try Self.open(sidecarBytes: head + Array(repeating: UInt8(ascii: "y"), count: limit - head.count - tail.count + 1) + tail)
        let refused = over.sidecar == nil  // (a failure would print 20 MB of sidecar)
        #expect(refused)
        #expect(over.warnings.count == 1)
        let line = try #require(over.warnings.first?.description)
        #expect(line.contains("d.json: sidecar is 20971521 bytes, over the 20 MB a sidecar may be; not read"), "\(line)")
        #expect(!line.contains("\n"))
        #expect(try over.loadLayer("l").input.rows == 2)
    }

    /// Known values are held compactly: the token texts take their UTF-8 bytes and four bytes each, the
    /// ids four bytes each, with capacity reserved from a first pass (no doubling).
    @Test func tokensAreHeldCompactly() throws {
        let n = 200_000
        let json = Array(("{\"tokens\": [" + (0..<n).map { "\"\($0 % 10)\"" }.joined(separator: ",")
            + "], \"token_ids\": [" + (0..<n).map { "\($0 % 10)" }.joined(separator: ",") + "]}").utf8)
        let s = try #require(try Self.open(sidecarBytes: json).sidecar)
        let tokens = try #require(s.tokens)
        #expect(tokens.count == n && tokens[12345] == "5")
        #expect(tokens.retainedBytes <= 5 * n + 64, "\(tokens.retainedBytes)")
        #expect(s.tokenIds?.count == n && s.tokenIds?.capacity ?? 0 <= n + 16)
    }

    /// A sidecar with every known key reads the same whatever the chunk size (refills fall inside keys,
    /// strings, escapes, numbers and literals).
    @Test func everyChunkSizeReadsTheSame() throws {
        let json = Array(#"""
            {"model": "m\u00e9", "text_source": "t", "token_ids": [1, 15043, 3186], "tokens": ["<s>", "\u2581The", "a\"b"],
             "shared_inputs": {"k": "q"}, "explanation": "look", "parameters": {"block": 4, "no-smooth": true},
             "model_eval": {"fp": 17.5, "methods": {"rtn": {"W4A4": 900.5}, "duquant": {"W4A4": 21}}},
             "capture": {"batch": 1, "dtype": "float16"}, "skip": [[[{"x": [1e5, -0, "\ud83d\ude00"]}]]]}
            """#.utf8)
        let reference = try Sidecar.parse(json, path: "s.json", chunk: 1 << 16)
        #expect(reference.sidecar.model == "mé" && reference.sidecar.tokens == ["<s>", "\u{2581}The", "a\"b"])
        #expect(reference.sidecar.tokenIds == [1, 15043, 3186] && reference.sidecar.sharedInputs == ["k": "q"])
        #expect(reference.sidecar.modelEvaluation?.figures["W4A4"] == [.rtn: 900.5, .duquant: 21])
        #expect(reference.sidecar.extras == ["capture": #"{"batch":1,"dtype":"float16"}"#, "skip": #"[[[{"x":[1e5,-0,"😀"]}]]]"#])
        #expect(reference.ignored.isEmpty)
        for chunk in 1...40 {
            let s = try Sidecar.parse(json, path: "s.json", chunk: chunk).sidecar
            #expect(s.model == reference.sidecar.model && s.tokens == reference.sidecar.tokens && s.tokenIds == reference.sidecar.tokenIds
                    && s.sharedInputs == reference.sidecar.sharedInputs && s.explanation == reference.sidecar.explanation
                    && s.modelEvaluation == reference.sidecar.modelEvaluation && s.extras == reference.sidecar.extras
                    && s.parameters.map(\.name) == reference.sidecar.parameters.map(\.name), "chunk \(chunk)")
        }
    }
}
