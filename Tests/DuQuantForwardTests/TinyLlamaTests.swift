import DuQuantCore
import DuQuantForward
import DuQuantIO
import Foundation
import Testing

/// The tiny random Llama of tools/eval/test_eval.py (Fixtures/, written by make_fixture.py) against the
/// NumPy forward pass and quantized layers of tools/eval.
@Suite struct TinyLlamaTests {
    static let fixtures: String = {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else { fatalError("Fixtures missing from the test bundle") }
        return url.path
    }()

    struct Reference: Decodable {
        var eval_ids: [Int]
        var fp: Double
        var w4a4: [String: Double]
        var w16a16_symmetric: [String: Double]
        struct Only: Decodable { var method: String; var layer: String; var w4a4: Double }
        var only_layer: Only
    }

    static let reference: Reference = {
        let data = FileManager.default.contents(atPath: fixtures + "/reference.json")!
        return try! JSONDecoder().decode(Reference.self, from: data)
    }()

    static func session() throws -> ModelSession {
        let model = try LlamaModel.load(directory: fixtures + "/tiny-llama")
        return try ModelSession(model: model, tokens: reference.eval_ids)
    }

    /// The export's parameters of the fixture (`--block 32 --steps 24 --same-settings`).
    static var params: QuantParams {
        var p = QuantParams()
        p.block = 32
        p.steps = 24
        p.sameSettings = true
        return p
    }

    /// Every layer of the model quantized after `method`'s transform, calibrated on the fixture's dump.
    static func linears(_ s: ModelSession, _ method: DuQuantCore.Method, weight: FakeQuantizer?, activation: FakeQuantizer?,
                        only: Set<LinearID>? = nil) throws -> ModelLinears {
        let dump = try DumpFile.open(fixtures + "/tiny-calib.safetensors")
        var layers: [LinearID: PreparedLinear] = [:]
        for id in s.model.linearIDs where only?.contains(id) ?? true {
            let t = try DumpCalibration.calibrate(id.name, of: dump, method: method, params).transform!
            layers[id] = PreparedLinear(weight: s.model.weight(id), transform: t.transform, weightQuantizer: weight, activationQuantizer: activation)
        }
        return ModelLinears(layers: layers)
    }

    @Test func checkpointReadsTheConfigAndFloat16Tensors() throws {
        let m = try LlamaModel.load(directory: Self.fixtures + "/tiny-llama")
        #expect(m.config.layers == 2 && m.config.hidden == 48 && m.config.intermediate == 80)
        #expect(m.config.heads == 4 && m.config.kvHeads == 2 && m.config.headDim == 12 && m.config.vocab == 61)
        #expect(!m.config.tiedEmbeddings)
        #expect(m.weight(LinearID(block: 1, module: .k)).rows == 24)
    }

    @Test func fullPrecisionPerplexityEqualsNumPy() throws {
        let fp = try #require(try Self.session().fullPrecision()).perplexity
        #expect(abs(fp / Self.reference.fp - 1) < 1e-4, "Swift \(fp) vs NumPy \(Self.reference.fp)")
    }

    @Test(arguments: DuQuantCore.Method.allCases)
    func w4a4PerplexityEqualsNumPyThroughTheExportPath(_ method: DuQuantCore.Method) throws {
        let s = try Self.session()
        let p = Self.params.resolved(for: method)
        let ppl = try #require(s.run(try Self.linears(s, method, weight: p.weightQuantizer, activation: p.activationQuantizer))).perplexity
        let numpy = try #require(Self.reference.w4a4[method.rawValue])
        #expect(abs(ppl / numpy - 1) < 1e-3, "\(method): Swift \(ppl) vs NumPy \(numpy)")
        // Quantization is really on: W4A4 moves the perplexity.
        #expect(abs(ppl / Self.reference.fp - 1) > 1e-3)
    }

    @Test(arguments: DuQuantCore.Method.allCases)
    func sixteenBitQuantizationReproducesFullPrecision(_ method: DuQuantCore.Method) throws {
        let s = try Self.session()
        let q = FakeQuantizer(bits: 16, symmetric: true)
        let ppl = try #require(s.run(try Self.linears(s, method, weight: q, activation: q))).perplexity
        #expect(abs(ppl / Self.reference.fp - 1) < 1e-3, "\(method): \(ppl) vs FP \(Self.reference.fp)")
        #expect(abs(ppl / Self.reference.w16a16_symmetric[method.rawValue]! - 1) < 1e-4)
    }

    @Test func oneLayerAloneStartsFromTheFullPrecisionTrace() throws {
        let s = try Self.session()
        let id = try #require(LinearID(name: Self.reference.only_layer.layer))
        let p = Self.params.resolved(for: .duquant)
        let one = try Self.linears(s, .duquant, weight: p.weightQuantizer, activation: p.activationQuantizer, only: [id])
        let trace = try #require(s.onlyLayers(one))
        #expect(trace.blocksComputed == s.model.config.layers - id.block)
        #expect(abs(trace.perplexity / Self.reference.only_layer.w4a4 - 1) < 1e-3)
        // The same figure as the whole pass with that layer alone quantized.
        let whole = try #require(s.run(one)).perplexity
        #expect(whole == trace.perplexity)
    }

    @Test func aCancelledPassReturnsNil() throws {
        let s = try Self.session()
        let token = CancelToken()
        token.cancel()
        #expect(s.run(.exact, cancel: token) == nil)
    }

    @Test func tokensOutsideTheVocabularyAreRefused() throws {
        let m = try LlamaModel.load(directory: Self.fixtures + "/tiny-llama")
        #expect(throws: ForwardError.self) { try ModelSession(model: m, tokens: [1, 61]) }
        #expect(throws: ForwardError.self) { try ModelSession(model: m, tokens: [1]) }
    }
}
