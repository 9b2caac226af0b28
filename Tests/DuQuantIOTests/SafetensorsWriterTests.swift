import DuQuantCore
import Foundation
import Testing
@testable import DuQuantIO

@Suite("safetensors writer")
struct SafetensorsWriterTests {
    @Test func roundTripsEveryDtypeAndMetadata() throws {
        var w = SafetensorsWriter()
        w.metadata = ["model": "toy", "quote\"key": "line\nbreak"]
        let m = Matrix(rows: 3, cols: 4, storage: Fixture.grid(12))
        try w.add("a.f32", m)
        try w.add("a.f16", m, dtype: .f16)
        try w.add("a.bf16", m, dtype: .bf16)
        try w.add("a.f64", shape: [2, 2, 3], values: Fixture.grid(12), dtype: .f64)
        let bytes = w.serialized()
        let headerLength = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(headerLength % 8 == 0)

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("duq-writer-\(getpid()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try w.write(to: path)
        let dump = try DumpFile.open(path)
        #expect(dump.metadata == w.metadata)
        for name in ["a.f32", "a.f16", "a.bf16", "a.f64"] {
            #expect(try dump.loadTensor(name).storage == m.storage)
        }
        #expect(dump.tensor(named: "a.f64")?.shape == [2, 2, 3])
    }

    @Test func refusesDuplicateNamesAndBadShapes() throws {
        var w = SafetensorsWriter()
        try w.add("x", shape: [2], values: [1, 2])
        #expect(throws: DumpError.self) { try w.add("x", shape: [2], values: [1, 2]) }
        #expect(throws: DumpError.self) { try w.add("y", shape: [3], values: [1, 2]) }
        #expect(throws: DumpError.self) { try w.add("__metadata__", shape: [1], values: [1]) }
    }

    @Test func bf16RoundsToNearestEven() {
        #expect(FloatConversion.bf16Bits(1.0) == 0x3F80)
        #expect(FloatConversion.bf16Bits(Float(bitPattern: 0x3F80_8000)) == 0x3F80)  // tie → even
        #expect(FloatConversion.bf16Bits(Float(bitPattern: 0x3F81_8000)) == 0x3F82)  // tie → even
        #expect(FloatConversion.bf16Bits(Float(bitPattern: 0x3F80_8001)) == 0x3F81)
    }
}
