import DuQuantCore
import TestSupport
import Testing

/// Fit on some tokens, score on the others: nothing is refitted on the scored tokens.
@Suite struct HeldOutTests {
    static let layer = LayerData(
        name: "heldout.down_proj",
        input: TestData.activation(tokens: 64, channels: 64, outlierChannels: [5, 40], massive: (3, 13, 300)),
        weight: TestData.weight(out: 16, in: 64))

    static var params: QuantParams {
        var p = QuantParams()
        p.block = 32
        p.steps = 8
        return p
    }

    @Test func splitsParseAndCoverEveryTokenOnce() throws {
        let a = try TokenSplit("0:16", tokens: 64)
        #expect(a.fit == Array(0..<16) && a.eval == Array(16..<64))
        let e = try TokenSplit("even", tokens: 5)
        #expect(e.fit == [0, 2, 4] && e.eval == [1, 3])
        for bad in ["0:0", "5:3", "0:65", "x", "0:64", "1:2:3", "-1:4"] {
            #expect(throws: ParameterError.self, "\(bad)") { try TokenSplit(bad, tokens: 64) }
        }
    }

    @Test func theTransformIsFittedOnTheFitTokensOnly() throws {
        let split = try TokenSplit("0:32", tokens: 64)
        let held = try #require(Evaluator.evaluateHeldOut(Self.layer, Self.params, split: split))
        let fitLayer = LayerData(name: "fit", input: Self.layer.input.gatheringRows(split.fit), weight: Self.layer.weight)
        let cal = try #require(DuQuant.calibrate(fitLayer, Self.params))
        #expect(held.calibration?.transform == cal.transform)
        // The held-out figures are those of that transform applied to the other tokens.
        let evalX = Self.layer.input.gatheringRows(split.eval), w = Self.layer.weight!
        let direct = Evaluator.measure(x: cal.transform.apply(toInput: evalX), w: cal.transform.apply(toWeight: w),
                                       reference: evalX.multipliedTransposed(by: w), p: Self.params)
        let got = try #require(held.methods[.duquant]?.outputRelError), want = try #require(direct.outputRelError)
        #expect(abs(got - want) <= 1e-6 * want)
        #expect(held.tokens == 32)
        // Fitting on the scored tokens instead gives another transform (the test would pass vacuously if not).
        let onEval = try #require(DuQuant.calibrate(LayerData(name: "e", input: evalX, weight: w), Self.params))
        #expect(onEval.transform != cal.transform)
    }
}
