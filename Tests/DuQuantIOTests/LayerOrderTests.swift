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
