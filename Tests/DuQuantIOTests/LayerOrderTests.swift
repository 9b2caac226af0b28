import DuQuantCore
import Foundation
import Testing
@testable import DuQuantIO

@Suite struct LayerOrderTests {
    @Test func layersFollowTheModelsExecutionOrder() throws {
        var w = SafetensorsWriter()
        let x = Matrix(rows: 2, cols: 4, storage: [Float](repeating: 1, count: 8))
        for name in ["model.layers.10.mlp.down_proj", "model.layers.2.mlp.down_proj", "model.layers.2.mlp.gate_proj",
                     "model.layers.2.self_attn.o_proj", "model.layers.2.self_attn.q_proj", "lm_head"] {
            try w.add(name + ".input", x)
        }
        let path = NSTemporaryDirectory() + "duq-order-\(UInt32.random(in: 0...UInt32.max)).safetensors"
        try w.write(to: path)
        defer { unlink(path) }
        let names = try DumpFile.open(path).layers.map(\.name)
        #expect(names == ["lm_head", "model.layers.2.self_attn.q_proj", "model.layers.2.self_attn.o_proj",
                          "model.layers.2.mlp.gate_proj", "model.layers.2.mlp.down_proj", "model.layers.10.mlp.down_proj"])
    }
}

@Suite struct SpecialFileTests {
    /// Regression: opening a FIFO waited for a writer forever (`list fifo.safetensors` hung).
    @Test func fifoIsRefusedAtOnceNotWaitedOn() throws {
        let dir = NSTemporaryDirectory() + "duq-fifo-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fifo = dir + "/acts.safetensors"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: DumpError.self) { try DumpFile.open(fifo) }
        do { _ = try DumpFile.open(fifo) } catch { #expect(error.description == "\(fifo): not a regular file") }
        // A FIFO posing as a member of a .npy directory fails only itself.
        let npyDir = dir + "/npy"
        try FileManager.default.createDirectory(atPath: npyDir, withIntermediateDirectories: true)
        #expect(mkfifo(npyDir + "/a.input.npy", 0o600) == 0)
        if let d = try? DumpFile.open(npyDir) { #expect(throws: DumpError.self) { try d.loadTensor("a.input") } }
    }
}
