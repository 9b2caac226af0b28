import DuQuantCore
import Testing
@testable import ExplorerModel

@Suite struct ParamFieldTests {
    @Test func laddersClampAndSnap() {
        var p = QuantParams()
        p = ParamField.named("block")!.adjust(p, by: 1)
        #expect(p.block == 256)
        p.block = 100
        #expect(ParamField.named("block")!.adjust(p, by: -1).block == 64)
        p.steps = 256
        #expect(ParamField.named("steps")!.adjust(p, by: 1).steps == 512)
        p.alpha = 0.62
        #expect(ParamField.named("alpha")!.adjust(p, by: 1).alpha == 0.65)
        #expect(ParamField.named("alpha")!.adjust(p, by: -1).alpha == 0.6)
        p.lac = 1
        #expect(ParamField.named("lac")!.adjust(p, by: 1).lac == 1)
        p.seed = 0
        #expect(ParamField.named("seed")!.adjust(p, by: -1).seed == 0)
        #expect(ParamField.named("no-smooth")!.adjust(p, by: 1).smooth == false)
    }

    @Test func summaryNamesEveryKnob() {
        #expect(QuantParams().summary == "a4w4 b128 s256 p1 α0.60 lac0.90 swc0.80 seed0 paper/perblock")
        #expect(ParamField.named("alpha")!.value(in: QuantParams()) == "0.60")
    }
}

/// The words of the parameters (the app's) and their specs (the core's) are one list.
@Suite struct ParameterTextTests {
    @Test func everySpecHasItsWordsInTheSpecsOrder() {
        #expect(ParameterText.all.map(\.spec.name) == ParameterSpec.all.map(\.name))
        #expect(ParamField.allCases.map(\.spec.name) == ParameterText.panel.map(\.spec.name))
        #expect(ParamField.named("sq-alpha") != nil && ParamField.named("symmetric") == nil)
    }

    /// Patience 0 reads "exact" (the greedy search runs to the end), other integers as numbers.
    @Test func patienceZeroReadsExact() {
        var p = QuantParams()
        p.patience = 0
        #expect(ParameterText.named("patience")!.value(in: p) == "exact")
        #expect(ParameterText.named("steps")!.value(in: QuantParams()) == "256")
        p.patience = 8
        #expect(ParameterText.named("patience")!.value(in: p) == "8")
    }

    // Issue 26, item 3: the status bar's summary omitted SmoothQuant's α and the symmetric switches, which
    // the reports' summary named. Both summaries now change with every parameter.
    @Test func bothSummariesNameEveryParameterThatDiffers() {
        let base = QuantParams()
        for spec in ParameterSpec.all {
            let p = spec.adjust(base, by: +1) == base ? spec.adjust(base, by: -1) : spec.adjust(base, by: +1)
            #expect(p != base, "\(spec.name)")
            #expect(p.summary != base.summary, "the status bar's summary ignores --\(spec.name)")
            #expect(p.longSummary != base.longSummary, "the long summary ignores --\(spec.name)")
        }
    }
}
