import DuQuantCore
import Testing
import TestSupport
@testable import ExplorerRuntime

@Suite struct EstimateMergeTests {
    // Issue 12, item 4: on a large layer the exact pass replaces the estimates method by method (RTN's
    // exact figure shows while DuQuant still searches), each marked exact. The executor merges each exact
    // partial answer of the core into the estimate; the model's side is in ExplorerModelTests/EstimateTests.
    @Test func exactFiguresReplaceTheEstimatesOneByOne() throws {
        let layer = TestLayer.make(name: "model.layers.0.mlp.down_proj", tokens: 64, channels: 64, out: 16, seed: 5)
        var p = QuantParams()
        p.block = 32
        p.steps = 8
        let ws = EvaluationWorkspace(layer)
        let estimate = try #require(ws.evaluate(p, sampleTokens: 16, previewTokens: 8))
        #expect(estimate.estimate?.previewTokens == 8)
        #expect(Method.allCases.allSatisfy { estimate.estimate?.isEstimated($0) == true })
        var partials: [LayerEvaluation] = []
        let exact = try #require(ws.evaluate(p, partial: { partials.append(EffectExecutor.merging($0, into: estimate)) }))
        let first = try #require(partials.first)
        // The first method measured exactly is RTN; the others keep their estimates, none is pending.
        #expect(first.estimate?.exact == [.rtn])
        #expect(first.methods[.rtn]?.outputRelError == exact.methods[.rtn]?.outputRelError)
        #expect(first.methods[.duquant]?.outputRelError == estimate.methods[.duquant]?.outputRelError)
        #expect(first.pending.isEmpty && first.methods.count == Method.allCases.count)
        #expect(first.calibration == nil, "a preview's calibration is not shown")
        let afterDuQuant = try #require(partials.first { $0.estimate?.exact.contains(.duquant) == true })
        #expect(afterDuQuant.calibration != nil)
        #expect(afterDuQuant.methods[.duquant]?.outputRelError == exact.methods[.duquant]?.outputRelError)
    }
}
