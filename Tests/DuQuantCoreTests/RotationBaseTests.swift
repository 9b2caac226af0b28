import DuQuantCore
import TestSupport
import Testing

@Suite struct RotationBaseTests {
    @Test func e4MatchesHandComputedEntries() {
        let e = RotationBase.givensBase(4)
        let expected: [[Float]] = [
            [0.5, 0.5, 0.5, 0.5],
            [0, 0.4082483, -0.8164966, 0.4082483],
            [-0.8660254, 0.2886751, 0.2886751, 0.2886751],
            [0, -0.7071068, 0, 0.7071068],
        ]
        for r in 0..<4 { for c in 0..<4 { #expect(abs(e[r, c] - expected[r][c]) < 1e-6, "E_4[\(r)][\(c)]") } }
    }

    @Test func e8RowsMatchHandComputedEntries() {
        let e = RotationBase.givensBase(8)
        for c in 0..<8 { #expect(abs(e[0, c] - 0.3535534) < 1e-6) }  // uniform 1/√8
        let row1: [Float] = [0, 0.4082483, -0.8164966, 0, 0, 0, 0, 0.4082483]
        let row7: [Float] = [0, -0.7071068, 0, 0, 0, 0, 0, 0.7071068]
        for c in 0..<8 {
            #expect(abs(e[1, c] - row1[c]) < 1e-6)
            #expect(abs(e[7, c] - row7[c]) < 1e-6)
        }
    }

    @Test(arguments: [2, 3, 7, 64, 128])
    func baseAndStageRotationsAreOrthogonalWithUniformRowZero(n: Int) {
        let e = RotationBase.givensBase(n)
        #expect(TestData.orthogonalityError(e) < 1e-5)
        for c in 0..<n { #expect(abs(e[0, c] - 1 / Float(n).squareRoot()) < 1e-6) }
        var g = SeededGenerator(seed: 7)
        let b = RotationBase.stageRotation(n, using: &g)
        #expect(TestData.orthogonalityError(b) < 1e-5)
        // diag(1, Q′) leaves column 0 alone, so B's first entry is still 1/√n.
        #expect(abs(b[0, 0] - 1 / Float(n).squareRoot()) < 1e-6)
    }

    @Test func randomOrthogonalIsSeeded() {
        var g1 = SeededGenerator(seed: 3), g2 = SeededGenerator(seed: 3), g3 = SeededGenerator(seed: 4)
        let a = RotationBase.randomOrthogonal(16, using: &g1)
        #expect(a == RotationBase.randomOrthogonal(16, using: &g2))
        #expect(a != RotationBase.randomOrthogonal(16, using: &g3))
        #expect(TestData.orthogonalityError(a) < 1e-5)
    }

    @Test func exchangeMovesRowZeroToTheChosenChannel() {
        let e = RotationBase.givensBase(8)
        let x = e.exchangingRowsAndColumns(0, 5)
        // Row 5 is now the uniform row: a spike at channel 5 spreads evenly over the block.
        for c in 0..<8 { #expect(abs(x[5, c] - 0.3535534) < 1e-6) }
        var spike = Matrix(rows: 1, cols: 8)
        spike[0, 5] = 8
        let y = spike.multiplied(by: x)
        for c in 0..<8 { #expect(abs(y[0, c] - 8 * 0.3535534) < 1e-5) }
    }

    @Test(arguments: [1, 2, 4, 8, 128])
    func hadamardIsOrthogonal(n: Int) {
        #expect(TestData.orthogonalityError(Hadamard.matrix(n)) < 1e-5)
    }

    @Test func hadamardBlockFallsBackToAPowerOfTwoThatDivides() {
        #expect(Hadamard.blockSize(channels: 1536, requested: 128) == 128)
        #expect(Hadamard.blockSize(channels: 96, requested: 128) == 32)
        #expect(Hadamard.blockSize(channels: 100, requested: 96) == 4)
    }
}
