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
        let reference = layer.input.outputProduct(layer.weight!)
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
    /// in full (QuaRot's `--w_clip` grid), although it stops summing a ratio that cannot win.
    @Test func searchedClipIsTheFullGridsArgmin() {
        var w = TestData.weight(out: 12, in: 203, seed: 21)  // 203: a tail past the eight-wide loop
        for r in 0..<12 { w[r, (r * 17) % 203] = Float(r) * 0.4 }  // outliers of every size, none in row 0
        let search = FakeQuantizer(bits: 4, searchClip: true)
        let searched = search.quantizeRows(w)
        var ratios: Set<Float> = []
        for r in 0..<w.rows {
            let row = Array(w.storage[(r * w.cols)..<((r + 1) * w.cols)])
            let (lo, hi) = (row.min()!, row.max()!)
            var best = Float.infinity, bestRatio: Float = 1
            for i in 0..<80 {
                let ratio = 1 - Float(i) / 100
                let (scale, zero) = search.parameters(min: lo * ratio, max: hi * ratio)
                let err = row.withUnsafeBufferPointer {
                    search.clipCost($0.baseAddress!, row.count, scale: scale, zero: zero, stopAt: .infinity)
                }
                if err < best { best = err; bestRatio = ratio }
            }
            ratios.insert(bestRatio)
            let expected = FakeQuantizer(bits: 4, clip: bestRatio).quantizeRows(Matrix(rows: 1, cols: w.cols, storage: row))
            let got = Array(searched.storage[(r * w.cols)..<((r + 1) * w.cols)])
            #expect(got == expected.storage, "row \(r): ratio \(bestRatio)")
        }
        #expect(ratios.count > 3)  // the rows really chose different ratios
        // The cost itself is Σ powf(|e|, 2.4) to float accuracy, tail included.
        let row = Array(w.storage[0..<203])
        let (scale, zero) = search.parameters(min: row.min()! * 0.8, max: row.max()! * 0.8)
        var direct = 0.0
        for v in row {
            let q = Swift.min(Swift.max((v / scale).rounded(.toNearestOrEven) + zero, 0), search.qmax)
            direct += Double(powf(abs((q - zero) * scale - v), 2.4))
        }
        let cost = row.withUnsafeBufferPointer { search.clipCost($0.baseAddress!, 203, scale: scale, zero: zero, stopAt: .infinity) }
        #expect(abs(Double(cost) - direct) <= 1e-4 * direct)
    }

    /// The clip search's power: within 1e-5 of `powf(d, 2.4)` from tiny errors to clipped outliers; 0 for 0.
    @Test func polynomialPowerMatchesPowf() {
        var worst: Float = 0
        for k in 0..<400 {
            let base = Float(pow(10, -9 + Double(k) * 0.035))  // 1e-9 … 1e5
            let d = SIMD8<Float>((0..<8).map { base * (1 + Float($0) * 0.11) })
            let approx = FakeQuantizer.pow24(d)
            for i in 0..<8 { worst = max(worst, abs(approx[i] - powf(d[i], 2.4)) / powf(d[i], 2.4)) }
        }
        #expect(worst < 2e-5)
        #expect(FakeQuantizer.pow24(SIMD8<Float>(repeating: 0)) == SIMD8<Float>(repeating: 0))
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
