import DuQuantCore
import DuQuantIO
import Foundation
import Testing
@testable import ExplorerCLI

/// Issue 25: the teaching toys no longer argue against the method without saying why. The channels toy is
/// built so that the mechanism decides the error and DuQuant wins; every figure a toy's caption quotes is
/// the one the core computes.
@Suite struct ToyCaptionTests {
    static let toys = ["channels.safetensors", "outlier.safetensors", "zigzag.safetensors"]

    /// A toy's layer and the parameters its sidecar names (over the defaults).
    static func toy(_ name: String) throws -> (LayerData, QuantParams, Sidecar) {
        let dump = try DumpFile.open(ToySampleTests.sample(name))
        let sidecar = try #require(dump.sidecar)
        let (p, _) = try ExplorerOptions.applying(sidecar, to: QuantParams(), except: [])
        return (try dump.loadLayer("model.layers.0.mlp.down_proj"), p, sidecar)
    }

    /// Every method's output error on `layer` under `p`.
    static func errors(_ layer: LayerData, _ p: QuantParams) throws -> [Method: Float] {
        let e = try #require(Evaluator.evaluate(layer, p))
        return try e.methods.mapValues { try #require($0.outputRelError) }
    }

    /// The requirement: on the channels toy, under its sidecar's parameters, DuQuant has the lowest
    /// output error of the five methods at every seed 0–4 (and 0–9, as its caption says), at least 1.5×
    /// below RTN's and SmoothQuant's. Computed here, nothing hard-coded. (On main there was no such toy:
    /// the two toys had RTN or SmoothQuant first.)
    @Test func onTheChannelsToyDuQuantWinsAtEverySeed() throws {
        let (layer, base, _) = try Self.toy("channels.safetensors")
        #expect(base.block == 16 && base.lac == 1 && base.swc == 1 && base.smooth && base.alpha == 0.6)
        for seed in UInt64(0)...9 {
            var p = base
            p.seed = seed
            let e = try Self.errors(layer, p)
            let duquant = try #require(e[.duquant])
            let others = e.filter { $0.key != .duquant }
            #expect(others.count == 4)
            for (m, v) in others { #expect(v > duquant, "seed \(seed): \(m.title) \(v) ≤ DuQuant \(duquant)") }
            for m in [Method.rtn, .smoothquant] {
                let v = try #require(e[m])
                #expect(v >= 1.5 * duquant, "seed \(seed): \(m.title) \(v) is not 1.5× DuQuant's \(duquant)")
            }
        }
    }

    /// The channels toy is what its sidecar and caption say: channel 9 is 200 on the even tokens and
    /// only there; every other value is ordinary.
    @Test func theChannelsToyIsWhatItsCaptionDescribes() throws {
        let (layer, _, sidecar) = try Self.toy("channels.safetensors")
        let x = layer.input
        #expect(x.rows == 16 && x.cols == 64 && layer.weight?.rows == 16)
        for t in 0..<x.rows { #expect((x[t, 9] == 200) == (t % 2 == 0), "token \(t): \(x[t, 9])") }
        let ordinary = (0..<x.rows).flatMap { t in (0..<x.cols).filter { !(t % 2 == 0 && $0 == 9) }.map { abs(x[t, $0]) } }
        let largest = try #require(ordinary.max())
        #expect(largest < 5)
        let explanation = try #require(sidecar.explanation)
        #expect(explanation.contains(String(format: "|x| <= %.2f", Double(largest))))
        #expect(explanation.contains("channel 9 holds 200 on every other token"))
    }

    /// The outlier toy keeps the paper's figure, and its caption says why RTN wins there: per-token scales
    /// and clipping, with the computed figures (RTN below DuQuant, with and without clipping).
    @Test func theOutlierCaptionSaysWhyRTNWins() throws {
        let (layer, p, sidecar) = try Self.toy("outlier.safetensors")
        let text = try #require(sidecar.explanation)
        for phrase in ["Yet RTN wins here", "Per-token scales", "Clipping:", "without clipping"] {
            #expect(text.contains(phrase), "missing: \(phrase)")
        }
        let e = try Self.errors(layer, p)
        #expect(try #require(e[.rtn]) < (try #require(e[.duquant])))
        var unclipped = p
        unclipped.lac = 1
        unclipped.swc = 1
        let u = try Self.errors(layer, unclipped)
        #expect(try #require(u[.rtn]) < (try #require(u[.duquant])))
    }

    /// Every figure a toy's caption quotes is listed under `caption_figures` with what it is, and is the
    /// figure the core computes now, written the way the caption writes it (3 significant digits; clip
    /// shares in whole percent). A change in the core that moves a quoted figure fails here until the toys
    /// are regenerated (`python3 tools/samples/make_toy_sample.py`).
    @Test(arguments: toys) func everyCaptionFigureIsComputed(toy: String) throws {
        let (layer, base, sidecar) = try Self.toy(toy)
        let explanation = try #require(sidecar.explanation)
        let listed = try #require(sidecar.extras["caption_figures"], "\(toy): no caption_figures")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [[String: Any]])
        #expect(entries.count >= 3)
        var evaluations: [QuantParams: LayerEvaluation] = [:]
        for entry in entries {
            let text = try #require(entry["text"] as? String)
            let method = try #require((entry["method"] as? String).flatMap(Method.init(rawValue:)))
            let figure = try #require(entry["figure"] as? String)
            var p = base
            for (name, value) in entry["parameters"] as? [String: Any] ?? [:] {
                try #require(ParameterSpec.named(name)).parse("\(value)", into: &p)
            }
            if evaluations[p] == nil { evaluations[p] = Evaluator.evaluate(layer, p, anatomy: true) }
            let m = try #require(evaluations[p]?.methods[method])
            let a = try #require(m.anatomy)
            let values: [String: Float?] = [
                "output_rel_error": m.outputRelError, "act_max_abs": m.actMaxAbs, "out_act_only": a.activationsOnly,
                "out_weight_only": a.weightsOnly, "act_clip_share": a.activationClipShare,
                "weight_clip_share": a.weightClipShare,
            ]
            let known = try #require(values[figure], "\(toy): unknown figure \(figure)")
            let value = try #require(known)
            let computed = figure.hasSuffix("clip_share") ? String(format: "%.0f%%", Double(value) * 100)
                : Self.significant(Double(value))
            #expect(computed == text, "\(toy): \(method.rawValue) \(figure) is \(computed), the caption says \(text)")
            #expect(explanation.contains(text), "\(toy): the caption does not quote \(text)")
        }
    }

    /// `x` with `digits` significant digits, as the generator and the docs write figures (0.0402, 0.197).
    static func significant(_ x: Double, digits: Int = 3) -> String {
        guard x != 0 else { return "0" }
        let decimals = max(0, digits - 1 - Int(log10(abs(x)).rounded(.down)))
        return String(format: "%.\(decimals)f", x)
    }
}
