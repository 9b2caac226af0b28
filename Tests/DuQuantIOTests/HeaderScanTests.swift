import Foundation
import Testing
@testable import DuQuantIO

/// The direct header scan (`SafetensorsHeader.scan`) against the generic JSON path: on every input, the
/// same tensors, metadata and errors. The scan gives up on anything unusual and the generic path then
/// decides, so the two can only differ by a bug in the scan.
@Suite struct HeaderScanTests {
    /// `(names, dtypes, shapes, ranges, metadata)` or the error text.
    static func outcome(_ bytes: [UInt8], scanning: Bool) -> String {
        bytes.withUnsafeBytes { raw in
            do throws(FormatError) {
                let h = try SafetensorsHeader.parse(raw, scanning: scanning)
                return h.entries.map { "\($0.info.name)|\($0.info.dtype.name)|\($0.info.shape)|\($0.range)" }.joined(separator: ";")
                    + " meta " + h.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            } catch {
                return "error: " + error.message
            }
        }
    }

    static func file(_ json: String, data: Int) -> [UInt8] {
        var j = Array(json.utf8)
        j += [UInt8](repeating: 0x20, count: (8 - j.count % 8) % 8)
        return withUnsafeBytes(of: UInt64(j.count).littleEndian) { Array($0) } + j + [UInt8](repeating: 7, count: data)
    }

    static let headers: [(String, Int)] = [
        (#"{"a.input":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}"#, 24),
        (#" { "__metadata__" : {"format":"pt","k":"v"} , "b" : { "shape" : [ 1 , 2 ] , "data_offsets" : [ 0 , 4 ] , "dtype" : "F16" } , "a" : {"dtype":"I8","shape":[],"data_offsets":[4,5]} } "#, 5),
        (#"{"x":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"y":{"dtype":"F32","shape":[0,7],"data_offsets":[0,0]}}"#, 0),
        (#"{"ä.input":{"dtype":"BF16","shape":[4],"data_offsets":[0,8]},"weird":{"dtype":"Q9","shape":[3],"data_offsets":[8,11]}}"#, 11),
        (#"{}"#, 0),
        // The scan gives up on these; the generic path decides (accepts, or says what is wrong).
        (#"{"a\u0041":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, 4),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}"#, 4),
        (#"{"a":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}"#, 4),
        (#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, 4),
        (#"{"a":{"dtype":"F32","shape":[01],"data_offsets":[0,4]}}"#, 4),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, 8),
        (#"{"a":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, 4),
        (#"{"__metadata__":{"k":1},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, 4),
        (#"{"a":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,4]}}"#, 4),
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, 4),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, 4),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}} x"#, 4),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}"#, 4),
        (#"["a"]"#, 0),
    ]

    @Test func scanAndGenericParserAgreeOnHandMadeHeaders() {
        for (json, data) in Self.headers {
            let bytes = Self.file(json, data: data)
            #expect(Self.outcome(bytes, scanning: true) == Self.outcome(bytes, scanning: false), "\(json)")
        }
        // The common case is really taken by the scan (and the unusual one is not).
        func scans(_ json: String) -> Bool { Array(json.utf8).withUnsafeBytes { SafetensorsHeader.scan($0) != nil } }
        #expect(scans(Self.headers[0].0) && scans(Self.headers[1].0) && scans(Self.headers[4].0))
        #expect(!scans(Self.headers[5].0) && !scans(Self.headers[6].0) && !scans(Self.headers[10].0))
    }

    /// Every single-byte change of the valid headers, from a fixed set of replacement bytes.
    @Test func scanAndGenericParserAgreeOnEveryMutation() {
        let replacements: [UInt8] = Array(#"{}[],:"\ -.e0159aF"#.utf8) + [0x00, 0x1f, 0x7f, 0xc3, 0xff]
        var checked = 0
        for (json, data) in Self.headers.prefix(5) {
            let good = Self.file(json, data: data)
            for i in 8..<(good.count - data) {
                for r in replacements where r != good[i] {
                    var bytes = good
                    bytes[i] = r
                    let a = Self.outcome(bytes, scanning: true), b = Self.outcome(bytes, scanning: false)
                    if a != b { Issue.record("byte \(i) → \(r): \(a) ≠ \(b)"); return }
                    checked += 1
                }
            }
        }
        #expect(checked > 5000)
    }
}
