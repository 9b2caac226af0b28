import DuQuantCore
import Foundation
import TestSupport
import Testing

@Suite struct MethodSettingsTests {
    @Test func eachMethodHasItsAuthorsDefaults() {
        let p = QuantParams()
        #expect(p.settings(for: .rtn) == MethodSettings(alpha: nil, lac: 1, swc: 1, searchesWeightClip: false))
        #expect(p.settings(for: .smoothquant) == MethodSettings(alpha: 0.5, lac: 1, swc: 1, searchesWeightClip: false))
        #expect(p.settings(for: .hadamard) == MethodSettings(alpha: nil, lac: 0.9, swc: 0.8, searchesWeightClip: false))
        #expect(p.settings(for: .quarot) == MethodSettings(alpha: nil, lac: 1, swc: 1, searchesWeightClip: true))
        #expect(p.settings(for: .duquant) == MethodSettings(alpha: 0.6, lac: 0.9, swc: 0.8, searchesWeightClip: false))
        #expect(p.resolved(for: .smoothquant).alpha == 0.5)
        #expect(p.resolved(for: .rtn).activationQuantizer.clip == 1)
        #expect(p.resolved(for: .quarot).weightQuantizer.searchClip)
        #expect(!p.resolved(for: .duquant).weightQuantizer.searchClip)
    }

    @Test func sameSettingsGivesEveryMethodDuQuantsAlphaAndClipping() {
        var p = QuantParams()
        p.sameSettings = true
        p.lac = 0.85
        for m in Method.allCases {
            let s = p.settings(for: m)
            #expect(s.lac == 0.85 && s.swc == 0.8 && !s.searchesWeightClip, "\(m)")
        }
        #expect(p.settings(for: .smoothquant).alpha == 0.6)
        #expect(p.settings(for: .rtn).alpha == nil)
    }

    /// RTN's figures follow its own (unclipped) quantizers, not DuQuant's `lac`/`swc`, until the switch is on.
    @Test func evaluationUsesEachMethodsOwnClipping() throws {
        let layer = TestLayer.make()
        var p = QuantParams()
        p.block = 16
        p.steps = 4
        let rtn = try #require(EvaluationWorkspace(layer).evaluate(p, methods: [.rtn])?.methods[.rtn])
        var unclipped = p
        unclipped.lac = 1
        unclipped.swc = 1
        let reference = layer.input.multipliedTransposed(by: layer.weight!)
        let plain = Evaluator.measure(x: layer.input, w: layer.weight, reference: reference, p: unclipped)
        #expect(rtn.outputRelError == plain.outputRelError)
        #expect(rtn.actMSE == plain.actMSE)
        var lower = p
        lower.lac = 0.5
        #expect(EvaluationWorkspace(layer).evaluate(lower, methods: [.rtn])?.methods[.rtn]?.actMSE == rtn.actMSE)
        lower.sameSettings = true
        #expect(EvaluationWorkspace(layer).evaluate(lower, methods: [.rtn])?.methods[.rtn]?.actMSE != rtn.actMSE)
    }

    /// The searched clip never has a larger Σ|w − Q(w)|^2.4 per row than no clipping, and clips a row with
    /// an outlier.
    @Test func searchedWeightClipBeatsNoClipOnItsOwnObjective() {
        var w = TestData.weight(out: 6, in: 64, seed: 9)
        w[2, 5] = 3  // a lone large weight: the unclipped grid wastes its levels on it
        let plain = FakeQuantizer(bits: 4).quantizeRows(w)
        let searched = FakeQuantizer(bits: 4, searchClip: true).quantizeRows(w)
        func cost(_ q: Matrix, _ r: Int) -> Double {
            (0..<w.cols).reduce(0) { $0 + Double(pow(abs(q[r, $1] - w[r, $1]), 2.4)) }
        }
        for r in 0..<w.rows { #expect(cost(searched, r) <= cost(plain, r) * (1 + 1e-5), "row \(r)") }
        // The lone large weight's row gains from a clip (it is the first ratio below 1 that is kept).
        #expect(cost(searched, 2) < cost(plain, 2) * 0.999)
        #expect(searched != plain)
    }

    /// The search picks, per row, the first ratio of 1.00, 0.99 … 0.21 with the least Σ|w − Q(w)|^2.4 summed
    /// in full (QuaRot's `--w_clip` grid), whatever shortcut it takes.
    @Test func searchedClipIsTheFullGridsArgmin() {
        var w = TestData.weight(out: 12, in: 200, seed: 21)
        for r in 0..<12 { w[r, (r * 17) % 200] = Float(r) * 0.4 }  // outliers of every size, none in row 0
        let searched = FakeQuantizer(bits: 4, searchClip: true).quantizeRows(w)
        for r in 0..<w.rows {
            let row = Matrix(rows: 1, cols: w.cols, storage: Array(w.storage[(r * w.cols)..<((r + 1) * w.cols)]))
            var best = Float.infinity, bestRatio: Float = 1
            for i in 0..<80 {
                let ratio = 1 - Float(i) / 100
                let q = FakeQuantizer(bits: 4, clip: ratio).quantizeRows(row)
                var err: Float = 0
                for c in 0..<w.cols { err += powf(abs(q.storage[c] - row.storage[c]), 2.4) }
                if err < best { best = err; bestRatio = ratio }
            }
            let expected = FakeQuantizer(bits: 4, clip: bestRatio).quantizeRows(row)
            let got = Array(searched.storage[(r * w.cols)..<((r + 1) * w.cols)])
            #expect(got == expected.storage, "row \(r): ratio \(bestRatio)")
        }
    }

    @Test func quarotStyleIsExactBeforeQuantizationAndFallsBackOnAnUnfactorableWidth() throws {
        var p = QuantParams()
        p.block = 16
        p.abits = 8
        p.wbits = 8
        // 96 = 12 · 8: Paley I over GF(11) times a Sylvester 8.
        let layer = TestLayer.make(tokens: 16, channels: 96, out: 8)
        let e = try #require(EvaluationWorkspace(layer).evaluate(p, methods: [.rtn, .quarot]))
        #expect(e.methods[.quarot]?.note?.contains("12 (Paley I over GF(11)) × 8") == true)
        // Spreading the outliers leaves a smaller peak than RTN's.
        #expect(try #require(e.methods[.quarot]?.actMaxAbs) < (try #require(e.methods[.rtn]?.actMaxAbs)) / 2)
        // 86 = 43 · 2 has no factorisation: a note says so and the block Hadamard stands in.
        let odd = TestLayer.make(tokens: 8, channels: 86, out: 4)
        let f = try #require(EvaluationWorkspace(odd).evaluate(p, methods: [.hadamard, .quarot]))
        #expect(f.methods[.quarot]?.note?.contains("block Hadamard 2 instead") == true)
        // The same transform (only the clipping differs): the same peak.
        #expect(f.methods[.quarot]?.actMaxAbs == f.methods[.hadamard]?.actMaxAbs)
    }
}
