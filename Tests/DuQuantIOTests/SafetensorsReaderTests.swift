import DuQuantCore
import Testing
@testable import DuQuantIO

@Suite("safetensors reader")
struct SafetensorsReaderTests {
    @Test("every supported dtype converts to the same exact values",
          arguments: ["f32", "f16", "bf16", "f64"])
    func dtypes(name: String) throws {
        let dump = try DumpFile.open(Fixture.path("dtypes.safetensors"))
        #expect(dump.format == .safetensors)
        let m = try dump.loadTensor(name)
        #expect(m.rows == 3 && m.cols == 4)
        #expect(m.storage == Fixture.grid(12))
        #expect(dump.tensor(named: name)?.dtype.name == name.uppercased())
    }

    @Test func listsUnsupportedDtypeButRefusesToLoadIt() throws {
        let dump = try DumpFile.open(Fixture.path("dtypes.safetensors"))
        let ids = try #require(dump.tensor(named: "ids"))
        #expect(ids.dtype == .unsupported("I32"))
        #expect(ids.shape == [5] && ids.byteCount == 20)
        let error = #expect(throws: DumpError.self) { try dump.loadTensor("ids") }
        #expect(error?.description.hasSuffix("dtypes.safetensors: tensor \"ids\" has unsupported dtype I32") == true)
    }

    @Test func readsMetadataAndNaturalTensorOrder() throws {
        let dump = try DumpFile.open(Fixture.path("dtypes.safetensors"))
        #expect(dump.metadata == ["format": "np", "note": "dtype fixture"])
        #expect(dump.tensors.map(\.name) == ["bf16", "f16", "f32", "f64", "ids"])
    }

    @Test func missingTensorIsAnError() throws {
        let dump = try DumpFile.open(Fixture.path("dtypes.safetensors"))
        #expect(throws: DumpError.self) { try dump.loadTensor("nope") }
    }

    @Test func loadsConcurrently() async throws {
        let dump = try DumpFile.open(Fixture.path("model.safetensors"))
        let names = dump.tensors.map(\.name)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for name in names { group.addTask { try dump.loadTensor(name).count } }
            var total = 0
            for try await n in group { total += n }
            #expect(total == dump.tensors.reduce(0) { $0 + $1.elementCount })
        }
    }
}
