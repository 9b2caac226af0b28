import DuQuantCore
import DuQuantForward
import DuQuantIO
import Testing

/// The Model panel's loop on the tiny random Llama: scope "this layer only" started from the kept
/// full-precision hidden states gives the very figure of a forward from scratch; caches answer repeats.
@Suite struct LiveModelTests {
    static func live(budget: Int = 64 << 20) throws -> LiveModel {
        let model = try LlamaModel.load(directory: TinyLlamaTests.fixtures + "/tiny-llama")
        let dump = try DumpFile.open(TinyLlamaTests.fixtures + "/tiny-calib.safetensors")
        return try LiveModel(model: model, tokens: TinyLlamaTests.reference.eval_ids, dump: dump, budgetBytes: budget)
    }

    static let w4a4 = QuantSetting(weightBits: 4, activationBits: 4)

    @Test(arguments: ["model.layers.1.mlp.down_proj", "model.layers.1.self_attn.q_proj", "model.layers.0.mlp.up_proj"])
    func thisLayerOnlyEqualsAForwardFromScratchBitForBit(_ name: String) throws {
        let live = try Self.live()
        let id = try #require(LinearID(name: name))
        let p = TinyLlamaTests.params
        _ = live.fullPrecision()
        let incremental = try #require(try live.perplexity(.layer(id), method: .duquant, params: p, setting: Self.w4a4))
        // From scratch: a new session, every block computed, the same layer quantized through the same path.
        let s = try TinyLlamaTests.session()
        let r = p.resolved(for: .duquant)
        let one = try TinyLlamaTests.linears(s, .duquant, weight: r.weightQuantizer, activation: r.activationQuantizer, only: [id])
        let scratch = try #require(s.run(one))
        #expect(scratch.blocksComputed == s.model.config.layers)
        #expect(incremental == scratch.perplexity, "incremental \(incremental) vs from scratch \(scratch.perplexity)")
        if name == TinyLlamaTests.reference.only_layer.layer {
            #expect(abs(incremental / TinyLlamaTests.reference.only_layer.w4a4 - 1) < 1e-3)
        }
    }

    @Test func allLayersEqualsNumPyAndRepeatsAreKept() throws {
        let live = try Self.live()
        let p = TinyLlamaTests.params
        let all = try #require(try live.perplexity(.all, method: .duquant, params: p, setting: Self.w4a4))
        #expect(abs(all / TinyLlamaTests.reference.w4a4["duquant"]! - 1) < 1e-3)
        let usage = live.cacheUsage
        #expect(usage.transforms == 14 && usage.prepared == 14)
        #expect(live.kept(.all, method: .duquant, params: p, setting: Self.w4a4) == all)
        // Other bits re-quantize but do not recalibrate.
        var five = p
        five.abits = 5
        let a5 = try #require(try live.perplexity(.all, method: .duquant, params: five, setting: QuantSetting(weightBits: 4, activationBits: 5)))
        #expect(a5 != all)
        #expect(live.cacheUsage.transforms == 14 && live.cacheUsage.prepared == 28)
    }

    @Test func theCachesStayInsideTheirBudget() throws {
        // 64 KB: a quarter for transforms, the rest for quantized weights (a tiny layer's is a few KB).
        let live = try Self.live(budget: 64 << 10)
        _ = try live.perplexity(.all, method: .duquant, params: TinyLlamaTests.params, setting: Self.w4a4)
        let u = live.cacheUsage
        #expect(u.transformBytes <= max(1 << 20, (64 << 10) / 4))
        #expect(u.preparedBytes <= max(1 << 20, (64 << 10) * 3 / 4))
    }

    // Under a budget far larger than the model the caches are capped at a few whole-model settings, so
    // memory levels off under tuning; a smaller budget wins, and tuning stays inside the cap.
    @Test func underALargeBudgetTheCachesHoldAFewSettings() throws {
        let model = try LlamaModel.load(directory: TinyLlamaTests.fixtures + "/tiny-llama")
        let cap = max(LiveModel.minimumCacheBytes, LiveModel.settingsKept * model.byteCount)
        #expect(try Self.live(budget: 1 << 40).cacheBudgetBytes == cap)
        #expect(try Self.live(budget: 2 << 20).cacheBudgetBytes == 2 << 20)
        let live = try Self.live(budget: 1 << 40)
        var p = TinyLlamaTests.params
        for seed in 0..<4 {
            p.seed = UInt64(seed)
            _ = try #require(try live.perplexity(.all, method: .duquant, params: p, setting: Self.w4a4))
        }
        let u = live.cacheUsage
        #expect(u.transformBytes + u.preparedBytes <= cap, "\(u) over \(cap) bytes")
    }

    @Test func sensitivityMeasuresEveryLayerAloneLastBlockFirst() throws {
        let live = try Self.live()
        var order: [LinearID] = []
        let s = try #require(try live.sensitivity(method: .rtn, params: TinyLlamaTests.params, setting: Self.w4a4, partial: { id, _ in order.append(id) }))
        #expect(s.count == 14)
        #expect(order.first?.block == 1 && order.last?.block == 0)
        let id = LinearID(block: 0, module: .gate)
        #expect(s[id] == (try live.perplexity(.layer(id), method: .rtn, params: TinyLlamaTests.params, setting: Self.w4a4)))
    }

    @Test func aCancelledRequestReturnsNilAndKeepsNothing() throws {
        let live = try Self.live()
        let token = CancelToken()
        token.cancel()
        #expect(try live.perplexity(.all, method: .hadamard, params: TinyLlamaTests.params, setting: Self.w4a4, cancel: token) == nil)
        #expect(live.kept(.all, method: .hadamard, params: TinyLlamaTests.params, setting: Self.w4a4) == nil)
    }
}
