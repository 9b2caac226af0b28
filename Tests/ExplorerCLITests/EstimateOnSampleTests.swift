import DuQuantCore
import DuQuantIO
import Foundation
import Testing

/// Estimates on the bundled real SmolLM2 layers: a quarter of the tokens, heavy ones kept, within 15%.
@Suite struct EstimateOnSampleTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples/smollm2-135m/activations.safetensors").path

    // Regression (issue 12, item 4): estimates were up to ~2× off the exact figures on layers with massive
    // activations; the promise is 15%.
    @Test(arguments: ["model.layers.5.mlp.down_proj", "model.layers.11.mlp.down_proj", "model.layers.28.mlp.down_proj",
                      "model.layers.11.self_attn.q_proj"])
    func estimateIsWithin15PercentOnTheBundledLayer(_ name: String) throws {
        let layer = try DumpFile.open(Self.sample).loadLayer(name)
        var p = QuantParams()
        p.steps = 32
        let ws = EvaluationWorkspace(layer)
        let estimate = try #require(ws.evaluate(p, sampleTokens: layer.tokens / 4))
        let exact = try #require(ws.evaluate(p))
        for m in Method.allCases {
            let e = try #require(estimate.methods[m]?.outputRelError), x = try #require(exact.methods[m]?.outputRelError)
            #expect(abs(e - x) <= 0.15 * x, "\(name) \(m): ≈\(e) vs \(x)")
        }
    }
}
