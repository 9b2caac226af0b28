import DuQuantCore
import TestSupport
import Testing

/// Bad numbers and awkward shapes: every result is finite, or named by `NumericAudit.overflowedMetrics`.
@Suite struct NumericEdgeCaseTests {
    static func params(block: Int = 4, steps: Int = 8, select: Selection = .paper,
                       layout: RotationLayout = .perblock) -> QuantParams {
        DuQuantPipelineTests.params(block: block, steps: steps, select: select, layout: layout)
    }

    static let allParams: [QuantParams] = Selection.allCases.flatMap { s in
        RotationLayout.allCases.map { l in params(select: s, layout: l) }
    }

    /// Every metric of every method is finite.
    static func expectFinite(_ e: LayerEvaluation, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(e.methods.count == Method.allCases.count, sourceLocation: sourceLocation)
        for (method, m) in e.methods {
            #expect(NumericAudit.overflowedMetrics(m) == [], "\(what) \(method)", sourceLocation: sourceLocation)
            #expect(m.actMaxAbs.isFinite && m.kurtosis.isFinite && m.actMSE.isFinite && m.blockMeanVariance.isFinite,
                    "\(what) \(method)", sourceLocation: sourceLocation)
            #expect(m.weightMSE?.isFinite ?? true, sourceLocation: sourceLocation)
            #expect(m.outputRelError?.isFinite ?? true, sourceLocation: sourceLocation)
        }
    }

    /// `X̃ W̃ᵀ` of DuQuant equals `X Wᵀ`.
    static func expectOutputPreserved(_ layer: LayerData, _ p: QuantParams, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let cal = try #require(DuQuant.calibrate(layer, p))
        let w = try #require(layer.weight)
        let y = layer.input.multipliedTransposed(by: w)
        let yt = cal.matrix(.rotation2).multipliedTransposed(by: cal.transform.apply(toWeight: w))
        #expect(TestData.relativeDifference(yt, y) < 1e-5, sourceLocation: sourceLocation)
    }

    // MARK: - NaN and infinity: replaced by 0, counted, first location kept

    static func nonFiniteLayer() -> LayerData {
        var x = TestData.activation(tokens: 6, channels: 8, seed: 3)
        x[0, 2] = .nan
        x[1, 0] = .infinity
        x[4, 7] = -.infinity
        return LayerData(name: "nf", input: x, weight: TestData.weight(out: 5, in: 8))
    }

    @Test func nonFiniteValuesAreReplacedByZeroAndReported() {
        let raw = Self.nonFiniteLayer()
        let clean = raw.replacingNonFinite()
        #expect(clean.nonFinite == [NonFiniteReport(tensor: "input", count: 3, nanCount: 1, firstRow: 0, firstColumn: 2)])
        #expect(clean.input[0, 2] == 0 && clean.input[1, 0] == 0 && clean.input[4, 7] == 0)
        #expect(clean.input.storage.allSatisfy { $0.isFinite })
        #expect(clean.input[3, 3] == raw.input[3, 3])
        #expect(clean.nonFinite[0].summary
            == "input: 3 non-finite values (1 NaN, 2 ±inf), first at (token 0, channel 2); replaced by 0")
        // Applying the rule twice changes nothing, and finite layers are left alone.
        #expect(clean.replacingNonFinite().nonFinite == clean.nonFinite)
        #expect(DuQuantPipelineTests.layer.replacingNonFinite().nonFinite.isEmpty)
    }

    @Test func nonFiniteWeightIsReportedAsWeight() {
        var w = TestData.weight(out: 5, in: 8)
        w[3, 6] = .nan
        let clean = LayerData(name: "w", input: TestData.activation(tokens: 4, channels: 8), weight: w).replacingNonFinite()
        #expect(clean.nonFinite.map(\.tensor) == ["weight"])
        #expect(clean.nonFinite[0].firstRow == 3 && clean.nonFinite[0].firstColumn == 6)
        #expect(clean.nonFinite[0].summary.contains("first at (output channel 3, channel 6)"))
    }

    /// Regression: one NaN used to turn every metric of every method into NaN.
    @Test func evaluationOfNonFiniteInputEqualsEvaluationOfTheZeroedCopy() throws {
        let raw = Self.nonFiniteLayer()
        var zeroed = raw
        zeroed.input = NumericAudit.replacingNonFinite(raw.input)
        let p = Self.params()
        let a = try #require(Evaluator.evaluate(raw, p))
        let b = try #require(Evaluator.evaluate(zeroed, p))
        Self.expectFinite(a, "non-finite input")
        #expect(a.nonFinite.first?.count == 3)
        #expect(b.nonFinite.isEmpty)
        for m in Method.allCases {
            var ma = try #require(a.methods[m]), mb = try #require(b.methods[m])
            ma.seconds = 0
            mb.seconds = 0
            #expect(ma == mb, "\(m)")
        }
    }

    // MARK: - Constant and all-zero tokens and channels (the reference's scale clamp)

    @Test func constantAndZeroRowsQuantizeToTheReferenceValues() {
        let q = FakeQuantizer(bits: 4, clip: 0.9)
        let m = q.quantizeRows(Matrix([[0, 0, 0, 0], [1, 1, 1, 1], [-1, -1, -1, -1]]))
        // Zero row: scale clamps to 1e-5, zero point 0, every value stays 0.
        #expect(m.storage[0..<4].allSatisfy { $0 == 0 })
        // Constant 1 (clipped to 0.9): scale 1e-5, zero point clamped to −1e4, q saturates at 15.
        let one = (Float(15) - Float(-10_000)) * FakeQuantizer.minScale
        #expect(m.storage[4..<8].allSatisfy { $0 == one })
        // Constant −1: zero point clamped to +1e4, q saturates at 0.
        let minusOne = (Float(0) - Float(10_000)) * FakeQuantizer.minScale
        #expect(m.storage[8..<12].allSatisfy { $0 == minusOne })
    }

    @Test(arguments: allParams)
    func zeroAndConstantTokensAndChannelsGiveFiniteResults(p: QuantParams) throws {
        var x = TestData.activation(tokens: 8, channels: 12, seed: 9)
        for c in 0..<12 { x[2, c] = 0; x[5, c] = 3.5 }      // an all-zero and a constant token
        for t in 0..<8 { x[t, 4] = 0; x[t, 9] = -2 }        // an all-zero and a constant channel
        var w = TestData.weight(out: 6, in: 12)
        for o in 0..<6 { w[o, 7] = 0 }                       // a dead weight column
        let layer = LayerData(name: "z", input: x, weight: w)
        Self.expectFinite(try #require(Evaluator.evaluate(layer, p)), "zero/constant")
        try Self.expectOutputPreserved(layer, p)
    }

    @Test(arguments: allParams)
    func allZeroLayerGivesZeroErrors(p: QuantParams) throws {
        let layer = LayerData(name: "0", input: Matrix(rows: 4, cols: 8), weight: Matrix(rows: 3, cols: 8))
        let e = try #require(Evaluator.evaluate(layer, p))
        Self.expectFinite(e, "all zero")
        for (_, m) in e.methods { #expect(m.actMSE == 0 && m.outputRelError == 0 && m.actMaxAbs == 0) }
    }

    // MARK: - Shapes

    @Test(arguments: allParams)
    func oneToken(p: QuantParams) throws {
        let layer = LayerData(name: "1", input: TestData.activation(tokens: 1, channels: 12, massive: (0, 3, 500)),
                              weight: TestData.weight(out: 5, in: 12))
        Self.expectFinite(try #require(Evaluator.evaluate(layer, p)), "one token")
        try Self.expectOutputPreserved(layer, p)
    }

    @Test(arguments: allParams)
    func channelsNotDivisibleByTheBlock(p: QuantParams) throws {
        let layer = LayerData(name: "10", input: TestData.activation(tokens: 6, channels: 10, outlierChannels: [7]),
                              weight: TestData.weight(out: 4, in: 10))
        let e = try #require(Evaluator.evaluate(layer, p))
        Self.expectFinite(e, "10 channels, block 4")
        #expect(e.calibration?.transform.rotations.first?.blockSizes == [4, 4, 2])
        try Self.expectOutputPreserved(layer, p)
    }

    @Test(arguments: [RotationLayout.perblock, .shared])
    func inFeaturesSmallerThanTheBlock(layout: RotationLayout) throws {
        let p = Self.params(block: 128, layout: layout)
        let layer = LayerData(name: "3", input: TestData.activation(tokens: 5, channels: 3, outlierChannels: [1]),
                              weight: TestData.weight(out: 2, in: 3))
        let e = try #require(Evaluator.evaluate(layer, p))
        Self.expectFinite(e, "3 channels, block 128")
        #expect(e.calibration?.transform.rotations.first?.blockSizes == [3])
        try Self.expectOutputPreserved(layer, p)
    }

    @Test func oneChannel() throws {
        let layer = LayerData(name: "c1", input: TestData.activation(tokens: 4, channels: 1),
                              weight: TestData.weight(out: 2, in: 1))
        Self.expectFinite(try #require(Evaluator.evaluate(layer, Self.params())), "one channel")
    }

    // MARK: - Magnitudes near Float.greatestFiniteMagnitude

    /// Squares of 1e20 overflow Float but not Double: the statistics must not.
    @Test func sumsOfSquaresAreAccumulatedInDouble() {
        let m = Matrix([[1e20, -1e20], [1e20, -1e20]])
        #expect(ChannelStats.kurtosis(m) == 1)
        #expect(Evaluator.meanSquaredDifference(m, Matrix(rows: 2, cols: 2)) == .infinity)  // 1e40 does not fit a Float
        #expect(m.frobeniusNorm == 2 * Double(Float(1e20)))
        let layer = LayerData(name: "big", input: TestData.activation(tokens: 6, channels: 8).scaled(by: 1e18),
                              weight: TestData.weight(out: 4, in: 8))
        let e = Evaluator.measure(x: layer.input, w: layer.weight, reference: layer.input.multipliedTransposed(by: layer.weight!),
                                  p: Self.params())
        #expect(e.outputRelError?.isFinite == true && e.kurtosis.isFinite)
    }

    /// Values near Float max overflow the Float products XWᵀ and Q(X̃)Q(W̃)ᵀ: the metrics that are not
    /// finite are named, never shown as numbers without a flag, and nothing traps.
    @Test(arguments: allParams)
    func nearFloatMaxIsFlagged(p: QuantParams) throws {
        var x = TestData.activation(tokens: 4, channels: 8, seed: 4)
        x[0, 1] = 3e38
        x[2, 5] = -3e38
        let w = Matrix(rows: 3, cols: 8, storage: [Float](repeating: 3e38, count: 24))
        let e = try #require(Evaluator.evaluate(LayerData(name: "max", input: x, weight: w), p))
        for (method, m) in e.methods {
            let flagged = Set(NumericAudit.overflowedMetrics(m))
            #expect(flagged.contains("output_rel_error"), "\(method)")
            if !m.actMSE.isFinite { #expect(flagged.contains("act_mse")) }
            if !m.actMaxAbs.isFinite { #expect(flagged.isSuperset(of: ["act_max_abs", "kurtosis"])) }
        }
    }
}

extension Matrix {
    func scaled(by s: Float) -> Matrix { Matrix(rows: rows, cols: cols, storage: storage.map { $0 * s }) }
}
