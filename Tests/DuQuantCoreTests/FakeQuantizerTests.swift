import DuQuantCore
import Testing

@Suite struct FakeQuantizerTests {
    func quantize(_ row: [Float], bits: Int, clip: Float = 1, symmetric: Bool = false) -> [Float] {
        FakeQuantizer(bits: bits, clip: clip, symmetric: symmetric)
            .quantizeRows(Matrix(rows: 1, cols: row.count, storage: row)).storage
    }

    @Test func handWorkedRowRoundsHalfToEven() {
        // scale = 3/15 = 0.2, zero = 5; 0.5/0.2 = 2.5 rounds to 2 (half-to-even), giving 0.4 not 0.6.
        let q = quantize([-1, 0, 0.5, 2], bits: 4)
        let expected: [Float] = [-1, 0, 0.4, 2]
        for i in 0..<4 { #expect(abs(q[i] - expected[i]) < 1e-6) }
    }

    @Test func clipRatioScalesTheRange() {
        // min −1.8, max 1.17 after clip 0.9: scale 0.198, zero 9 (worked by hand and with numpy float32).
        let q = quantize([0.1, -0.3, 0.7, 1.3, -2.0], bits: 4, clip: 0.9)
        let expected: [Float] = [0.198, -0.396, 0.792, 1.188, -1.782]
        for i in 0..<5 { #expect(abs(q[i] - expected[i]) < 1e-5) }
    }

    @Test func twoBitsWithWeightClip() {
        let q = quantize([-4, 1.25, 8, 0], bits: 2, clip: 0.8)
        let expected: [Float] = [-3.2, 0, 6.4, 0]
        for i in 0..<4 { #expect(abs(q[i] - expected[i]) < 1e-5) }
    }

    @Test func constantRowHitsTheScaleClampLikeTheReference() {
        // scale clamps to 1e-5 and zero to −1e4: q saturates at 15 → (15 + 1e4)·1e-5 = 0.10015.
        let q = quantize([3, 3, 3], bits: 4)
        for v in q { #expect(abs(v - 0.10015) < 1e-6) }
    }

    @Test func parametersFollowTheFormula() {
        let p = FakeQuantizer(bits: 4).parameters(min: -0.625, max: 3.125)
        #expect(p.scale == 0.25)  // 3.75 / 15
        #expect(p.zero == 2)  // round(2.5) half-to-even
    }

    @Test func symmetricUsesTheLargerMagnitude() {
        let q = FakeQuantizer(bits: 4, symmetric: true)
        let p = q.parameters(min: -7, max: 3.5)
        #expect(p.scale == 1)
        #expect(p.zero == 7)
        let out = quantize([-7, 3.5, 0.4, 2.5], bits: 4, symmetric: true)
        #expect(out == [-7, 4, 0, 2])  // 3.5 → 4 and 2.5 → 2 (half-to-even)
    }

    @Test(arguments: 2...8)
    func errorNeverExceedsHalfAStepInsideTheRange(bits: Int) {
        let row: [Float] = (0..<64).map { Float($0) * 0.37 - 11 }
        let q = quantize(row, bits: bits)
        let step = (row.max()! - row.min()!) / Float((1 << bits) - 1)
        for (a, b) in zip(row, q) { #expect(abs(a - b) <= step / 2 + 1e-4) }
    }
}
