import DuQuantCore
import TestSupport
import Testing

/// The error's anatomy against direct computations on a small layer.
@Suite struct ErrorAnatomyTests {
    static let layer = LayerData(
        name: "anatomy.down_proj",
        input: TestData.activation(tokens: 24, channels: 64, outlierChannels: [5, 40], massive: (0, 13, 300)),
        weight: TestData.weight(out: 16, in: 64))

    static func evaluate(_ change: (inout QuantParams) -> Void = { _ in }) throws -> LayerEvaluation {
        var p = QuantParams()
        p.block = 32
        p.steps = 8
        change(&p)
        let e = Evaluator.evaluate(Self.layer, p, anatomy: true)
        return try #require(e)
    }

    static func relativeError(_ y: Matrix, _ ref: Matrix) -> Float {
        var num = 0.0, den = 0.0
        for (a, b) in zip(y.storage, ref.storage) {
            num += Double(a - b) * Double(a - b)
            den += Double(b) * Double(b)
        }
        return Float((num / den).squareRoot())
    }

    @Test func thePartsMatchDirectProducts() throws {
        var p = QuantParams()
        p.block = 32
        p.steps = 8
        let e = try Self.evaluate()
        let x = Self.layer.input, w = Self.layer.weight!
        let y = x.multipliedTransposed(by: w)
        // RTN's transformed pair is the layer itself: the parts are plain products.
        let a = try #require(e.methods[.rtn]?.anatomy)
        let rtn = p.resolved(for: .rtn)  // RTN's own (unclipped) quantizers
        let qx = rtn.activationQuantizer.quantizeRows(x), qw = rtn.weightQuantizer.quantizeRows(w)
        #expect(abs(a.activationsOnly - Self.relativeError(qx.multipliedTransposed(by: w), y)) <= 1e-5)
        #expect(abs(a.weightsOnly - Self.relativeError(x.multipliedTransposed(by: qw), y)) <= 1e-5)
        #expect(abs(a.both - Self.relativeError(qx.multipliedTransposed(by: qw), y)) <= 1e-5)
        #expect(a.both == e.methods[.rtn]?.outputRelError)
        // Every method carries its anatomy, with shares in 0…1.
        for m in Method.allCases {
            let x = try #require(e.methods[m]?.anatomy)
            #expect((0...1).contains(x.activationClipShare) && (0...1).contains(x.weightClipShare))
        }
    }

    @Test func withClipRatioOneNothingIsClipped() throws {
        let e = try Self.evaluate { $0.lac = 1; $0.swc = 1 }
        for m in Method.allCases {
            let a = try #require(e.methods[m]?.anatomy)
            // QuaRot-style searches its weight rows' clip ratio whatever swc says.
            #expect(a.activationClipShare == 0 && (m == .quarot || a.weightClipShare == 0), "\(m)")
        }
        // With DuQuant's clip ratios (0.9 / 0.8) for every method the outliers are clipped: a real share.
        let clipped = try #require(try Self.evaluate { $0.sameSettings = true }.methods[.rtn]?.anatomy)
        #expect(clipped.activationClipShare > 0.05 && clipped.weightClipShare > 0.05)
    }

    /// 12 bits rather than 16: the reference clamps the zero point to ±1e4, which 16-bit grids of rows
    /// with a large range exceed (the grid is then shifted and the "rounding" error is large).
    @Test func withManyBitsTheRoundingPartVanishes() {
        let x = Self.layer.input
        let q12 = FakeQuantizer(bits: 12, clip: 0.9)
        let parts12 = q12.errorParts(of: x, quantized: q12.quantizeRows(x))
        let q4 = FakeQuantizer(bits: 4, clip: 0.9)
        let parts4 = q4.errorParts(of: x, quantized: q4.quantizeRows(x))
        // The step is 273× finer: the rounding part ~273² = 75,000× smaller.
        #expect(parts12.rounding < 1e-4 * parts4.rounding)
        // Clipping does not depend on the bits: the same values are cut by about as much.
        #expect(abs(parts12.clipping - parts4.clipping) <= 0.2 * parts4.clipping)
    }
}
