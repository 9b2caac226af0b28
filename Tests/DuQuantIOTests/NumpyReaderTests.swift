import DuQuantCore
import Testing
@testable import DuQuantIO

@Suite(".npy, .npz and npy-directory readers")
struct NumpyReaderTests {
    @Test("npy versions 1.0, 2.0, 3.0 with f4, f2, f8",
          arguments: [("v1_f4.npy", DType.f32, [3, 4]), ("v2_f2.npy", .f16, [2, 3]), ("v3_f8.npy", .f64, [8])])
    func npyVersions(file: String, dtype: DType, shape: [Int]) throws {
        let dump = try DumpFile.open(Fixture.path(file))
        #expect(dump.format == .npy)
        let info = try #require(dump.tensors.first)
        #expect(info.name == String(file.dropLast(4)))
        #expect(info.dtype == dtype && info.shape == shape)
        let m = try dump.loadTensor(info.name)
        #expect(m.storage == Fixture.grid(shape.reduce(1, *)))
        #expect(m.cols == shape.last && m.rows == (shape.count == 1 ? 1 : shape[0]))
    }

    @Test func rank3FlattensLeadingDimensions() throws {
        let dump = try DumpFile.open(Fixture.path("rank3.npy"))
        let m = try dump.loadTensor("rank3")
        #expect(m.rows == 6 && m.cols == 4)
        #expect(m.storage == Fixture.grid(24))
    }

    @Test("npz stored and deflated give identical tensors", arguments: ["stored.npz", "deflated.npz"])
    func npz(file: String) throws {
        let dump = try DumpFile.open(Fixture.path(file))
        #expect(dump.format == .npz)
        #expect(dump.tensors.map(\.name) == ["blk.0.fc1.input", "blk.0.fc1.weight", "blk.1.fc2.input"])
        #expect(try dump.loadTensor("blk.0.fc1.input").storage == Fixture.grid(12))
        let big = try dump.loadTensor("blk.1.fc2.input")
        #expect(big.rows == 64 && big.cols == 32)
        #expect(big.storage == Fixture.grid(64 * 32).map { Float(Float16($0)) })
        #expect(dump.layers.map(\.name) == ["blk.0.fc1", "blk.1.fc2"])
        #expect(dump.layers.map(\.moduleKind) == [.up, .down])
        let layer = try dump.loadLayer("blk.0.fc1")
        #expect(layer.weight?.storage == Fixture.grid(8))
    }

    @Test func npyDirectoryWithSidecar() throws {
        let dump = try DumpFile.open(Fixture.path("npydir"))
        #expect(dump.format == .npyDirectory)
        #expect(dump.layers.map(\.name) == ["layers.0.mlp.down_proj", "layers.1.mlp.down_proj"])
        let l0 = try dump.loadLayer("layers.0.mlp.down_proj")
        #expect(l0.input.rows == 4 && l0.input.cols == 6 && l0.weight?.rows == 3)
        let l1 = try #require(dump.layer(named: "layers.1.mlp.down_proj"))
        #expect(l1.tokens == 4 && l1.inFeatures == 6 && l1.dtype == .f64 && l1.weightTensor == nil)
        #expect(try dump.loadLayer(l1.name).input.storage == Fixture.grid(24))
        #expect(dump.sidecar?.tokens == ["a", "b", "c", "d"])
    }
}
