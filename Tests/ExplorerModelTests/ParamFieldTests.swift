import DuQuantCore
import Testing
@testable import ExplorerModel

@Suite struct ParamFieldTests {
    @Test func laddersClampAndSnap() {
        var p = QuantParams()
        p = ParamField.block.adjust(p, by: 1)
        #expect(p.block == 256)
        p.block = 100
        #expect(ParamField.block.adjust(p, by: -1).block == 64)
        p.steps = 256
        #expect(ParamField.steps.adjust(p, by: 1).steps == 512)
        p.alpha = 0.62
        #expect(ParamField.alpha.adjust(p, by: 1).alpha == 0.65)
        #expect(ParamField.alpha.adjust(p, by: -1).alpha == 0.6)
        p.lac = 1
        #expect(ParamField.lac.adjust(p, by: 1).lac == 1)
        p.seed = 0
        #expect(ParamField.seed.adjust(p, by: -1).seed == 0)
        #expect(ParamField.smooth.adjust(p, by: 1).smooth == false)
    }

    @Test func summaryNamesEveryKnob() {
        #expect(QuantParams().summary == "a4w4 b128 s256 p1 α0.60 lac0.90 swc0.80 seed0 paper/perblock")
        #expect(ParamField.alpha.value(in: QuantParams()) == "0.60")
    }
}
