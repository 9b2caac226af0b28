import Foundation
import Testing
@testable import DuQuantIO

/// Headers with very many tensors (issue 10, item 8): a million empty tensors took 47 s to open, mostly
/// re-splitting names inside the sorts. Keys are now made once and file order is kept.
@Suite struct ManyTensorsTests {
    /// A safetensors header of `count` empty tensors named `model.layers.i.mlp.down_proj.input`, in `order`.
    static func header(_ order: [Int]) -> [UInt8] {
        let body = order.map { "\"model.layers.\($0).mlp.down_proj.input\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}" }
        var json = Array(("{" + body.joined(separator: ",") + "}").utf8)
        json += [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8)
        return withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) } + json
    }

    @Test func sortedShuffledAndReversedHeadersGiveTheSameOrder() throws {
        let n = 20_000
        var g = SystemRandomNumberGenerator()
        let orders = [Array(0..<n), Array((0..<n).reversed()), Array(0..<n).shuffled(using: &g)]
        let expected = (0..<n).map { "model.layers.\($0).mlp.down_proj.input" }
        for order in orders {
            let dump = try DumpFile.open(contents: Self.header(order), path: "many.safetensors")
            #expect(dump.tensors.map(\.name) == expected)
            #expect(dump.layers.map(\.name) == expected.map { String($0.dropLast(6)) })
        }
    }

    /// A loose guard on the slow path (the time limit is generous for a loaded debug build; the release
    /// numbers are in docs/FUZZING.md): 100 000 tensors open well within a minute.
    @Test(.timeLimit(.minutes(1)))
    func hundredThousandTensorsOpenWithinAMinute() throws {
        let dump = try DumpFile.open(contents: Self.header(Array(0..<100_000)), path: "many.safetensors")
        #expect(dump.tensors.count == 100_000)
    }

    @Test func naturalOrderKeysAgreeWithTheComparison() {
        let names = ["l.10", "l.2", "l.02", "l.2a", "l", "l.", "x9", "x10", "a.b.3.c", "a.b.12.c", "ä.1", "a.1"]
        #expect(NaturalOrder.sorted(names, by: { $0 }) == names.sorted(by: NaturalOrder.less))
    }
}
