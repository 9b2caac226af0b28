import Testing
@testable import DuQuantIO

/// The names `export --all-layers` writes and the index that maps layers to them (issue 22).
@Suite struct ExportNamesTests {
    static let hostile = ["a/b", "a_b", "x\u{0}y", "x", "..", ".", "../../etc/passwd", "", "ctl\u{1b}[31m\n",
                          "ünï cödé ✓", String(repeating: "L", count: 10_000), String(repeating: "L", count: 10_001),
                          String(repeating: "é", count: 300)]

    /// Every name gives a portable file name well under the 255-byte limit, which the export's own
    /// pattern recognises; distinct positions give distinct names whatever the layers are called.
    @Test func layerFilesArePortableBoundedAndInjective() {
        let files = Self.hostile.enumerated().map { ExportNames.layerFile(position: $0.offset + 1, width: 4, name: $0.element) }
        #expect(Set(files).count == files.count)
        for f in files {
            #expect(f.utf8.count <= 90 && f.utf8.allSatisfy(ExportNames.portable.contains), "\(f)")
            #expect(ExportNames.isLayerFile(f) && !ExportNames.isLayerFile("x" + f) && !ExportNames.isTemporary(f), "\(f)")
            #expect(ExportNames.isTemporary("." + f + ".tmp-123-0"))
        }
        #expect(ExportNames.layerFile(position: 3, width: 4, name: "model.layers.0/mlp") == "0003-model.layers.0_mlp-2940b152.safetensors")
        #expect(ExportNames.layerFile(position: 12_345, width: 4, name: "q").hasPrefix("12345-q-"))
        // Not the export's: the user's files, the index, other shapes.
        for name in ["index.json", "model.safetensors", "0001-a-0123456.safetensors", "0001-a-0123456G.safetensors",
                     "001-a-01234567.safetensors", "0001-a b-01234567.safetensors", "0001a-01234567.safetensors"] {
            #expect(!ExportNames.isLayerFile(name), "\(name)")
        }
    }

    @Test func generationsAndPartIndexes() {
        let g = ExportNames.newGeneration()
        #expect(ExportNames.isGeneration(g) && g != ExportNames.newGeneration())
        for name in ["run-0123456789abcdeF", "run-0123456789abcde", "run-mine", "run-0123456789abcdef0", "xrun-0123456789abcde"] {
            #expect(!ExportNames.isGeneration(name), "\(name)")
        }
        #expect(ExportNames.parsePartIndex("index-2-of-3.json")! == (2, 3))
        for name in ["index-0-of-3.json", "index-4-of-3.json", "index-02-of-3.json", "index-1-of-3.json.tmp", "index.json",
                     "index--of-3.json", "index-1-of-99999999999.json"] {
            #expect(ExportNames.parsePartIndex(name) == nil, "\(name)")
        }
    }

    static func part(_ k: Int, _ n: Int, _ layers: [(String, String)], method: String = "duquant") -> ExportIndex {
        ExportIndex(method: method, source: "d.safetensors", sourceStamp: "1 2.000000000", params: "p", seed: "0",
                    layerCount: 3, shard: (k, n), layers: layers.map { .init(name: $0.0, file: $0.1) })
    }

    /// An index reads back as written, names with any characters included; the format before is read as
    /// legacy; anything else is not an export's index.
    @Test func indexRoundTripsAndRecognisesOnlyExportIndexes() throws {
        let index = Self.part(1, 2, Self.hostile.prefix(4).enumerated().map { ($0.element, "run-0123456789abcdef/000\($0.offset)-x-01234567.safetensors") })
        #expect(ExportIndex.parse(index.rendered()) == index)
        var whole = index
        whole.shard = nil
        #expect(ExportIndex.parse(whole.rendered()) == whole)
        let legacy = ExportIndex.parse(Array(#"{"method": "rtn", "source": "s", "params": "p", "seed": "0", "layers": {"a": "a.safetensors"}}"#.utf8))
        #expect(legacy?.legacy == true && legacy?.layers == [.init(name: "a", file: "a.safetensors")])
        for text in [#"{"method": "rtn", "source": "s", "params": "p", "seed": "0", "layers": {}, "model": "m"}"#,
                     #"{"model": "tiny", "model_eval": {}}"#, "[]", "", "not json",
                     #"{"format": "something else", "method": "rtn", "source": "s", "params": "p", "seed": "0", "layers": {}}"#] {
            #expect(ExportIndex.parse(Array(text.utf8)) == nil, "\(text)")
        }
    }

    /// The merge rule: all N parts, once each, agreeing, disjoint, covering the layer count.
    @Test func partsMergeOnlyIntoACompleteAgreeingSet() throws {
        let p1 = Self.part(1, 2, [("a", "run-1/0001-a-00000000.safetensors"), ("c", "run-1/0003-c-00000000.safetensors")])
        let p2 = Self.part(2, 2, [("b", "run-2/0002-b-00000000.safetensors")])
        let merged = try #require(ExportIndex.merged([p2, p1]))
        // Issue 29: the merged index is the one a single run writes (no `shards`), so shards and one run agree byte for byte.
        #expect(merged.layers.map(\.name) == ["a", "b", "c"] && merged.shards == nil && merged.shard == nil)
        #expect(merged.contains(p1) && merged.contains(p2) && !p1.contains(merged))
        #expect(ExportIndex.merged([p1]) == nil)
        #expect(ExportIndex.merged([p1, Self.part(2, 2, [("b", "run-2/0002-b-00000000.safetensors")], method: "rtn")]) == nil)
        #expect(ExportIndex.merged([p1, Self.part(2, 2, [("a", "run-2/0001-a-00000000.safetensors")])]) == nil)
        #expect(ExportIndex.merged([p1, Self.part(1, 2, [("b", "run-2/0002-b-00000000.safetensors")])]) == nil)
        #expect(ExportIndex.merged([p1, Self.part(2, 2, [])]) == nil)
    }
}
