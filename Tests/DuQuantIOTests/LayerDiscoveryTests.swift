import DuQuantCore
import Testing
@testable import DuQuantIO

@Suite("layer discovery")
struct LayerDiscoveryTests {
    let dump: DumpFile

    init() throws { dump = try DumpFile.open(Fixture.path("model.safetensors")) }

    @Test func naturalOrderPutsLayer2BeforeLayer10() {
        let blocks = dump.layers.map { $0.name.split(separator: ".")[2] }
        var seen: [Substring] = []
        for b in blocks where seen.last != b { seen.append(b) }
        #expect(seen == ["0", "1", "2", "10"])
        #expect(dump.layers.count == 4 * 6)
    }

    @Test func rank3InputIsFlattenedToTokensByFeatures() throws {
        let q = try #require(dump.layer(named: "model.layers.10.self_attn.q_proj"))
        #expect(q.tokens == 3 && q.inFeatures == 8 && q.outFeatures == 6 && q.dtype == .f16)
        #expect(q.moduleKind == .q)
        let data = try dump.loadLayer(q.name)
        #expect(data.input.storage == Fixture.grid(24, plus: 10))
        #expect(data.weight?.storage == Fixture.grid(48, plus: 1000))
    }

    @Test func sharedInputsComeFromMetadata() throws {
        let k = try #require(dump.layer(named: "model.layers.2.self_attn.k_proj"))
        #expect(k.inputTensor == "model.layers.2.self_attn.q_proj.input")
        #expect(k.sharesInputWith == "model.layers.2.self_attn.q_proj")
        #expect(k.outFeatures == 4 && k.moduleKind == .k && k.isLoadable)
        let up = try #require(dump.layer(named: "model.layers.2.mlp.up_proj"))
        #expect(up.inputTensor == "model.layers.2.mlp.gate_proj.input" && up.moduleKind == .up)
        let v = try dump.loadLayer("model.layers.2.self_attn.v_proj")
        #expect(v.input.storage == Fixture.grid(24, plus: 2))
        #expect(dump.warnings.isEmpty)
    }

    @Test func mismatchedInFeaturesBreaksOnlyThatLayer() throws {
        let bad = try #require(dump.layer(named: "model.layers.1.mlp.down_proj"))
        #expect(bad.problem == "weight in_features 7 ≠ input in_features 5")
        let error = #expect(throws: DumpError.self) { try dump.loadLayer(bad.name) }
        #expect(error?.description.contains("model.safetensors: layer \"model.layers.1.mlp.down_proj\": weight in_features 7") == true)
        #expect(dump.layers.filter { !$0.isLoadable }.map(\.name) == [bad.name])
        #expect(try dump.loadLayer("model.layers.0.mlp.down_proj").weight?.rows == 8)
    }

    @Test func sidecarBesideTheFile() throws {
        let s = try #require(dump.sidecar)
        #expect(s.path.hasSuffix("/model.json"))
        #expect(s.model == "toy-llama" && s.textSource == "fixture text")
        #expect(s.tokenIds == [1, 15043, 3186])
        #expect(s.tokens == ["<s>", "Hello", "\u{2581}world"])
        #expect(s.extras == ["capture": #"{"batch":1,"dtype":"float16"}"#])
    }

    @Test("module kinds from common naming schemes", arguments: [
        ("model.layers.0.self_attn.o_proj", ModuleKind.o), ("h.0.attn.c_attn", .qkv), ("h.0.attn.c_proj", .o),
        ("h.0.mlp.c_proj", .down), ("h.0.mlp.c_fc", .up), ("layers.0.fc2", .down), ("experts.3.w1", .gate),
        ("mlp.gate_up_proj", .gateUp), ("lm_head", .other),
    ])
    func moduleKinds(name: String, kind: ModuleKind) {
        #expect(ModuleKind(layerName: name) == kind)
    }

    @Test func naturalOrderHandlesLeadingZerosAndHugeNumbers() {
        let names = ["l.10", "l.2", "l.02", "l.99999999999999999999999", "l.1a", "l"]
        #expect(names.sorted(by: NaturalOrder.less) == ["l", "l.1a", "l.02", "l.2", "l.10", "l.99999999999999999999999"])
    }
}
