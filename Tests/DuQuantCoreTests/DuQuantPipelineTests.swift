import DuQuantCore
import TestSupport
import Testing

@Suite struct DuQuantPipelineTests {
    static let layer = LayerData(
        name: "test.down_proj",
        input: TestData.activation(tokens: 48, channels: 96, outlierChannels: [5, 40, 77],
                                   massive: (token: 0, channel: 13, value: 900)),
        weight: TestData.weight(out: 24, in: 96))

    static func params(block: Int = 32, steps: Int = 24, select: Selection = .paper,
                       layout: RotationLayout = .perblock) -> QuantParams {
        var p = QuantParams()
        p.block = block
        p.steps = steps
        p.select = select
        p.layout = layout
        return p
    }

    @Test(arguments: [(32, RotationLayout.perblock), (32, .shared), (40, .perblock), (40, .shared), (96, .perblock)])
    func outputIsInvariantUnderTheTransform(block: Int, layout: RotationLayout) throws {
        let p = Self.params(block: block, layout: layout)
        let cal = try #require(DuQuant.calibrate(Self.layer, p))
        let w = Self.layer.weight!
        let y = Self.layer.input.multipliedTransposed(by: w)
        let xt = cal.transform.apply(toInput: Self.layer.input)
        let yt = xt.multipliedTransposed(by: cal.transform.apply(toWeight: w))
        #expect(TestData.relativeDifference(yt, y) < 1e-5)
        // The pipeline's own final stage is the same X̃.
        #expect(TestData.relativeDifference(cal.matrix(.rotation2), xt) < 1e-6)
    }

    @Test func everyRotationBlockIsOrthogonal() throws {
        let cal = try #require(DuQuant.calibrate(Self.layer, Self.params(block: 40)))
        for rotation in cal.transform.rotations {
            #expect(rotation.blockSizes == [40, 40, 16])
            for b in rotation.blocks { #expect(TestData.orthogonalityError(b) < 1e-5) }
        }
    }

    @Test func sameSeedSameNumbers() throws {
        let a = try #require(DuQuant.calibrate(Self.layer, Self.params()))
        let b = try #require(DuQuant.calibrate(Self.layer, Self.params()))
        #expect(a.transform == b.transform)
        #expect(a.traces == b.traces)
        var p = Self.params()
        p.seed = 99
        let c = try #require(DuQuant.calibrate(Self.layer, p))
        #expect(c.transform.rotations != a.transform.rotations)
    }

    @Test func paperSelectionPicksTheChannelOfTheLargestMagnitude() throws {
        var p = Self.params()
        p.smooth = false
        let cal = try #require(DuQuant.calibrate(Self.layer, p))
        // The massive value sits at channel 13, block 0: the first step must move channel 13.
        let first = try #require(cal.traces[0].first { $0.block == 0 })
        #expect(first.chosen.first == 13)
        // In every block, the first choice is the block's argmax |x|.
        let x = Self.layer.input
        for trace in cal.traces[0] {
            var best: Float = -1, at = -1
            for t in 0..<x.rows { for j in 0..<32 where abs(x[t, trace.block * 32 + j]) > best {
                best = abs(x[t, trace.block * 32 + j]); at = j } }
            #expect(trace.chosen.first == at)
        }
    }

    @Test(arguments: [Selection.paper, .reference], [RotationLayout.perblock, .shared])
    func keptPrefixNeverRaisesThePeak(select: Selection, layout: RotationLayout) throws {
        let cal = try #require(DuQuant.calibrate(Self.layer, Self.params(select: select, layout: layout)))
        for stage in cal.traces {
            for t in stage {
                #expect(t.peaks.count == t.chosen.count + 1)
                #expect(t.peaks[t.kept] <= t.peaks[0])
                #expect(t.peaks[t.kept] == t.peaks.min())
                #expect(!t.peaks.prefix(t.kept).contains(t.peaks[t.kept]))  // first minimum
            }
        }
    }

    @Test func massiveOutlierShrinksThroughTheStages() throws {
        var p = Self.params()
        p.smooth = false
        let cal = try #require(DuQuant.calibrate(Self.layer, p))
        let before = ChannelStats.maxAbs(of: cal.matrix(.original))
        let after = ChannelStats.maxAbs(of: cal.matrix(.rotation2))
        #expect(before == 900)
        #expect(after < before / 3)
    }

    // Regression (issue 9): this test used to check `Set(kept).count >= 1` (always true) and compared
    // anything only when every block kept the same number of steps, which real data rarely gives.
    @Test func stepThroughEndsWhereTheKeptRotationEnds() throws {
        let cal = try #require(DuQuant.calibrate(Self.layer, Self.params(block: 32)))
        let traces = cal.traces[0]
        #expect(traces.count == 3)
        // The layer has outliers: some block keeps greedy steps, so the comparison below is not X·I = X.
        #expect(traces.contains { $0.kept > 0 })
        let rotated = cal.matrix(.rotation1)
        for trace in traces {
            // Stepping every block to this block's kept step shows this block exactly as rotation 1 does.
            let shown = cal.stepThrough(rotation: 0, steps: trace.kept)
            let a = Matrix(rows: shown.rows, cols: 32, storage: shown.columns(trace.block * 32, 32))
            let b = Matrix(rows: rotated.rows, cols: 32, storage: rotated.columns(trace.block * 32, 32))
            #expect(TestData.relativeDifference(a, b) < 1e-5, "block \(trace.block), kept \(trace.kept)")
            if trace.kept < trace.chosen.count {
                // One step past the kept prefix differs: the step-through does follow the trace.
                let past = cal.stepThrough(rotation: 0, steps: trace.kept + 1)
                let c = Matrix(rows: past.rows, cols: 32, storage: past.columns(trace.block * 32, 32))
                #expect(TestData.relativeDifference(c, b) > 1e-4, "block \(trace.block)")
            }
        }
        #expect(cal.stepThrough(rotation: 0, steps: 0) == cal.rotationInputs[0])
    }

    @Test func cancelledCalibrationReturnsNil() {
        let token = CancelToken()
        token.cancel()
        #expect(DuQuant.calibrate(Self.layer, Self.params(), cancel: token) == nil)
    }
}

@Suite struct GreedySearchTests {
    /// The lazy exact search must choose what the full, step-by-step computation chooses.
    @Test(arguments: [Selection.paper, .reference], [UInt64(1), 2, 3])
    func lazySearchChoosesWhatTheFullComputationChooses(select: Selection, seed: UInt64) throws {
        let x = TestData.activation(tokens: 40, channels: 32, seed: seed, outlierChannels: [3, 17],
                                    massive: (token: 2, channel: 9, value: -400))
        var g = SeededGenerator(seed: seed)
        let base = RotationBase.stageRotation(32, using: &g)
        let rows = x.columns(0, 32)
        let lazy = try #require(GreedyRotation.search(rows: rows, width: 32, base: base, steps: 30,
                                                      select: select, block: 0))
        let full = GreedyRotation.searchFull(rows: rows, width: 32, base: base, steps: 30, select: select, block: 0)
        #expect(lazy.trace.chosen == full.trace.chosen)
        #expect(lazy.trace.kept == full.trace.kept)
        for (a, b) in zip(lazy.trace.peaks, full.trace.peaks) { #expect(abs(a - b) <= 1e-4 * max(1, abs(b))) }
        #expect(TestData.relativeDifference(lazy.rotation, full.rotation) < 1e-4)
    }

    @Test func sharedLayoutSearchesTheReshapedMatrix() throws {
        // Shared layout over (tokens·K × block): the reference rule takes the ROW index mod block.
        let x = TestData.activation(tokens: 6, channels: 16, massive: (token: 1, channel: 14, value: 50))
        let rows = x.blockRows(blocks: 0..<2, width: 8)
        var g = SeededGenerator(seed: 0)
        let base = RotationBase.stageRotation(8, using: &g)
        let r = try #require(GreedyRotation.search(rows: rows, width: 8, base: base, steps: 1, select: .reference, block: -1))
        // Token 1, block 1 is reshaped row 1·2 + 1 = 3, so the reference moves channel 3 (not 6).
        #expect(r.trace.chosen == [3])
        let p = try #require(GreedyRotation.search(rows: rows, width: 8, base: base, steps: 1, select: .paper, block: -1))
        #expect(p.trace.chosen == [6])
    }

    @Test func zeroStepsKeepsTheIdentity() throws {
        let x = TestData.activation(tokens: 4, channels: 8)
        var g = SeededGenerator(seed: 0)
        let r = try #require(GreedyRotation.search(rows: x.columns(0, 8), width: 8,
                                                   base: RotationBase.stageRotation(8, using: &g), steps: 0,
                                                   select: .paper, block: 0))
        #expect(r.trace.kept == 0)
        #expect(r.rotation == .identity(8))
    }
}

@Suite struct SmoothingAndMetricsTests {
    @Test func smoothingScalesFollowTheFormula() {
        let x = Matrix([[2, -0.001, 1], [-8, 0.0, 0.5]])
        let w = Matrix([[0.5, 1, 4], [-2, 0.25, 1]])
        let s = Smoothing.scales(x: x, w: w, alpha: 0.5)
        #expect(abs(s[0] - (8 as Float).squareRoot() / (2 as Float).squareRoot()) < 1e-5)  // √8/√2 = 2
        // Channel 1: √0.001/√1 ≈ 0.0316 stays (≥ 1e-2); channel 2: √1/√4 = 0.5.
        #expect(abs(s[1] - 0.0316228) < 1e-5)
        #expect(abs(s[2] - 0.5) < 1e-6)
        let tiny = Smoothing.scales(x: Matrix([[1e-7]]), w: Matrix([[1]]), alpha: 0.6)
        #expect(tiny == [1e-2])  // raised to the 1e-2 floor
    }

    @Test func evaluationReportsEveryMethodAndDuQuantBeatsRTNOnMassiveOutliers() throws {
        var p = QuantParams()
        p.block = 32
        p.steps = 32
        let e = try #require(Evaluator.evaluate(DuQuantPipelineTests.layer, p))
        #expect(Set(e.methods.keys) == Set(Method.allCases))
        let rtn = try #require(e.methods[.rtn]), dq = try #require(e.methods[.duquant])
        #expect(rtn.actMaxAbs == 900)
        #expect(try #require(dq.outputRelError) < (try #require(rtn.outputRelError)))
        #expect(dq.keptSteps?.count == 2)
        #expect(rtn.perTokenError.count == 48)
    }

    @Test func layerWithoutWeightHasNoWeightMetrics() throws {
        let layer = LayerData(name: "x", input: TestData.activation(tokens: 8, channels: 16))
        var p = QuantParams()
        p.block = 8
        let e = try #require(Evaluator.evaluate(layer, p))
        for m in e.methods.values {
            #expect(m.weightMSE == nil)
            #expect(m.outputRelError == nil)
        }
        #expect(e.methods[.smoothquant]?.note?.contains("no weight") == true)
    }

    @Test func statisticsFindTheMassiveOutlier() {
        let s = ActivationStats.of(DuQuantPipelineTests.layer.input)
        #expect(s.maxAbs == 900)
        #expect(s.topChannel == 13)
        #expect(s.topToken == 0)
        #expect(s.ratio > 100)
        #expect(abs(ChannelStats.kurtosis(Matrix([[1, -1, 1, -1]])) - 1) < 1e-6)
    }
}

@Suite struct EvaluationWorkspaceTests {
    @Test func bitsChangeReusesTheCalibrationAndMatchesAFreshEvaluation() throws {
        let ws = EvaluationWorkspace(DuQuantPipelineTests.layer)
        var p = DuQuantPipelineTests.params()
        _ = try #require(ws.evaluate(p))
        let cal = try #require(ws.cachedCalibration(p))
        p.abits = 3
        p.lac = 0.8
        #expect(ws.cachedCalibration(p)?.traces == cal.traces)  // bits and clipping keep the transform
        let cached = try #require(ws.evaluate(p))
        let fresh = try #require(Evaluator.evaluate(DuQuantPipelineTests.layer, p))
        for m in Method.allCases {
            #expect(cached.methods[m]?.outputRelError == fresh.methods[m]?.outputRelError, "\(m)")
            #expect(cached.methods[m]?.actMSE == fresh.methods[m]?.actMSE, "\(m)")
        }
        p.seed = 5
        #expect(ws.cachedCalibration(p) == nil)  // a new seed needs a new calibration
    }

    @Test func cancelledEvaluationStoresNothing() {
        let ws = EvaluationWorkspace(DuQuantPipelineTests.layer)
        let token = CancelToken()
        token.cancel()
        #expect(ws.evaluate(DuQuantPipelineTests.params(), cancel: token) == nil)
        #expect(ws.cachedCalibration(DuQuantPipelineTests.params()) == nil)
    }
}

@Suite struct EstimateEvaluationTests {
    /// 1024 tokens with massive activations on three of them (token 0 and two others), as real down_proj
    /// inputs have, and normal outlier channels on every token.
    static let layer: LayerData = {
        var x = TestData.activation(tokens: 1024, channels: 256, outlierChannels: [5, 77, 130], massive: (0, 13, 900))
        x.storage[417 * 256 + 13] = -650
        x.storage[801 * 256 + 200] = 1200
        return LayerData(name: "estimate.down_proj", input: x, weight: TestData.weight(out: 96, in: 256))
    }()

    @Test func sampleKeepsTheHeavyTokensAndWeightsTheRest() {
        let ws = EvaluationWorkspace(Self.layer)
        let (rows, weights) = ws.estimateSample(64)
        #expect(rows.count == 64 && Set(rows).count == 64 && rows == rows.sorted())
        for heavy in [0, 417, 801] {
            let i = rows.firstIndex(of: heavy)
            #expect(i != nil, "token \(heavy) missing")
            if let i { #expect(weights[i] == 1) }
        }
        #expect(abs(weights.reduce(0, +) - 1024) < 1e-9)
        let all = ws.estimateSample(5000)
        #expect(all.rows == Array(0..<1024) && all.weights.allSatisfy { $0 == 1 })
    }

    // Regression (issue 9 / issue 12): this test accepted an estimate anywhere within ×3 of the exact figure,
    // and on a 7B-shaped layer the estimate was ~2× off (DuQuant ≈0.0430 → 0.0803) because the even sample
    // missed tokens with massive activations. The promise is 15%.
    @Test func estimateIsWithin15PercentOfTheExactFigure() throws {
        let ws = EvaluationWorkspace(Self.layer)
        var p = DuQuantPipelineTests.params()
        p.block = 64
        let estimate = try #require(ws.evaluate(p, sampleTokens: 128))
        #expect(estimate.estimate == EvaluationEstimate(sampledTokens: 128, totalTokens: 1024))
        #expect(estimate.methods[.duquant]?.perTokenError.count == 128)
        let exact = try #require(ws.evaluate(p))
        #expect(exact.estimate == nil)
        for m in Method.allCases {
            let e = try #require(estimate.methods[m]?.outputRelError), x = try #require(exact.methods[m]?.outputRelError)
            #expect(abs(e - x) <= 0.15 * x, "\(m) output error: ≈\(e) vs \(x)")
            let ea = try #require(estimate.methods[m]?.actMSE), xa = try #require(exact.methods[m]?.actMSE)
            #expect(abs(ea - xa) <= 0.15 * xa, "\(m) act MSE: ≈\(ea) vs \(xa)")
            #expect(estimate.methods[m]?.weightMSE == exact.methods[m]?.weightMSE)  // the weight is always whole
        }
    }
}
