import DuQuantCore
import Testing
import TestSupport

/// The fixed-order kernels: every blocking gives the bits of the plain scalar loop.
@Suite struct FixedOrderTests {
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float(g.nextGaussian()) * (g.next() % 7 == 0 ? 300 : 1) }
    }

    @Test(arguments: [(1, 1), (3, 5), (4, 16), (7, 33), (9, 128)])
    func floatProductIsTheScalarLoopBitForBit(rows: Int, n: Int) {
        let a = Self.values(rows * n, seed: 1), b = Self.values(n * n, seed: 2)
        var c = [Float](repeating: .nan, count: rows * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    FixedOrder.multiply(rows: rows, k: n, n: n, a: pa.baseAddress!, lda: n, b: pb.baseAddress!,
                                        c: pc.baseAddress!, ldc: n)
                }
            }
        }
        for i in 0..<rows {
            for j in 0..<n {
                var s: Float = 0
                for l in 0..<n { s.addProduct(a[i * n + l], b[l * n + j]) }
                #expect(c[i * n + j].bitPattern == s.bitPattern, "(\(i), \(j))")
            }
        }
    }

    @Test(arguments: [1, 5, 8, 13, 64])
    func doubleProductIsTheScalarLoopBitForBit(n: Int) {
        let a = Self.values(n * n, seed: 3).map(Double.init), b = Self.values(n * n, seed: 4).map(Double.init)
        var c = [Double](repeating: .nan, count: n * n), row = [Double](repeating: 0, count: n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { FixedOrder.multiply(pa.baseAddress!, pb.baseAddress!, n: n, $0.baseAddress!) }
                row.withUnsafeMutableBufferPointer { FixedOrder.rowTimes(pa.baseAddress!, pb.baseAddress!, n: n, $0.baseAddress!) }
            }
        }
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for l in 0..<n { s.addProduct(a[i * n + l], b[l * n + j]) }
                #expect(c[i * n + j].bitPattern == s.bitPattern)
                if i == 0 { #expect(row[j].bitPattern == s.bitPattern) }
            }
        }
    }

    /// A row taken through greedy steps equals the row times the composed rotation (to rounding), and the
    /// composed rotation stays orthogonal.
    @Test func greedyStepsComposeToTheKeptRotation() {
        let n = 16
        var g = SeededGenerator(seed: 5)
        let base = RotationBase.stageRotation(n, using: &g).storage.map(Double.init)
        let chosen = [3, 0, 15, 7, 7, 2]
        let r = FixedOrder.composed(base: base, n: n, chosen: chosen)
        var y = Self.values(n, seed: 6).map(Double.init)
        let y0 = y
        var scratch = [Double](repeating: 0, count: n)
        for d in chosen {
            y.withUnsafeMutableBufferPointer { yp in
                base.withUnsafeBufferPointer { b in
                    scratch.withUnsafeMutableBufferPointer { FixedOrder.greedyStep(yp.baseAddress!, base: b.baseAddress!, n: n, channel: d, scratch: $0.baseAddress!) }
                }
            }
        }
        for j in 0..<n {
            var s = 0.0
            for l in 0..<n { s += y0[l] * r[l * n + j] }
            #expect(abs(s - y[j]) < 1e-5)
        }
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for l in 0..<n { s += r[l * n + i] * r[l * n + j] }
                #expect(abs(s - (i == j ? 1 : 0)) < 1e-5)
            }
        }
    }
}

/// Screen fast, decide exactly: a screen that differs within its bound never changes a decision.
@Suite struct ScreenedChoiceTests {
    @Test func aCandidateAloneInItsBandIsNotRecomputed() {
        let c = ScreenedChoice.largest([(0, 1.0), (1, 2.0), (2, 0.5)], bound: 0.1) { _ in
            Issue.record("recomputed")
            return 0
        }
        #expect(c.index == 1 && c.exact == nil && c.recomputed == 0)
    }

    @Test func nearTiesAreDecidedOnExactValuesAndExactTiesByLowestIndex() {
        let exact = [5.0, 7.0, 7.0, 1.0]
        // The screen ranks item 3 first and 1 above 2; the exact values tie 1 and 2.
        let screened: [(index: Int, value: Double)] = [(0, 5.0), (1, 7.05), (2, 6.99), (3, 7.08)]
        let c = ScreenedChoice.largest(screened, bound: 0.1) { exact[$0] }
        #expect(c.index == 1)
        #expect(c.exact == 7.0)
        #expect(c.recomputed == 3)  // items 1, 2, 3; item 0 lies outside the band
        let m = ScreenedChoice.smallest([(0, 1.0), (1, 1.05), (2, 3.0)], bound: 0.05) { [1.0, 1.0, 3.0][$0] }
        #expect(m.index == 0)
    }

    /// Any screen within the bound of the exact values gives the exact ranking.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func rankingIsTheExactRankingUnderAnyScreen(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        // Many exact ties and near-ties, as f16 data and repeated channels give.
        let exact = (0..<300).map { _ in Double(g.next() % 40) / 8 + (g.next() % 3 == 0 ? 1e-9 : 0) }
        let bound = 1e-6
        let screened = exact.map { $0 + (Double(g.next() % 2001) / 1000 - 1) * bound }
        let (order, recomputed) = ScreenedChoice.ranking(screened, bound: bound) { exact[$0] }
        let truth = exact.indices.sorted { exact[$0] != exact[$1] ? exact[$0] > exact[$1] : $0 < $1 }
        #expect(order == truth)
        #expect(recomputed > 0 && recomputed <= exact.count)
    }

    @Test func lessDecidesOnTheScreenWhenTheBandsAreApart() {
        var asked = 0
        let r = ScreenedChoice.less(1, bound: 0.1, 2, bound: 0.1, exactA: { asked += 1; return 1 }, exactB: { asked += 1; return 2 })
        #expect(r.less && !r.recomputed && asked == 0)
        let t = ScreenedChoice.less(1, bound: 0.1, 1.05, bound: 0.1, exactA: { 1.2 }, exactB: { 1.2 })
        #expect(!t.less && t.recomputed)  // an exact tie is not less
    }
}

/// The greedy search decides as on exact values, whatever last bits its screen holds.
@Suite struct KernelIndependentSearchTests {
    /// Rows with exact ties everywhere: values on a coarse grid (like f16), some rows repeated.
    static func tiedRows(tokens: Int, n: Int, seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed)
        var rows = (0..<(tokens * n)).map { _ in Float(Int(g.next() % 17) - 8) / 4 }
        for j in 0..<n { rows[5 * n + j] = rows[2 * n + j] }
        rows[3 * n + 1] = 9
        rows[4 * n + 6] = 9
        rows[7 * n + 2] = -9
        return rows
    }

    /// The decisions equal the exact full computation's, and stay the same when every screened entry is
    /// moved by up to half the bound (what another BLAS kernel would do to the last bits).
    @Test(arguments: [Selection.paper, .reference], [UInt64(1), 2])
    func perturbedScreensChooseTheSame(select: Selection, seed: UInt64) throws {
        let n = 16, tokens = 24
        let rows = Self.tiedRows(tokens: tokens, n: n, seed: seed)
        var g = SeededGenerator(seed: seed &+ 10)
        let base = RotationBase.stageRotation(n, using: &g)
        let full = GreedyRotation.searchFull(rows: rows, width: n, base: base, steps: 40, select: select, block: 0)
        let plain = try #require(GreedyRotation.search(rows: rows, width: n, base: base, steps: 40, select: select, block: 0))
        #expect(plain.trace.chosen == full.trace.chosen)
        #expect(plain.trace.kept == full.trace.kept)
        #expect(plain.rotation == full.rotation)
        let bound = 1e-9
        let exactRows = rows.map(Double.init)
        let screened = exactRows.map { $0 + (Double(g.next() % 2001) / 1000 - 1) * bound / 2 }
        let input = GreedyInput(screened: screened, width: n, bound: bound) { i in Array(exactRows[(i * n)..<((i + 1) * n)]) }
        let moved = try #require(GreedyRotation.search(input, base: base, steps: 40, select: select, block: 0))
        #expect(moved.trace.chosen == full.trace.chosen)
        #expect(moved.trace.kept == full.trace.kept)
        #expect(moved.rotation == full.rotation)
        #expect(moved.recomputed > 0)  // the ties (the two 9s) were decided exactly, not by the screen's order
    }

    /// Rows split among one or two worker threads (each its own BLAS calls): the same decisions.
    @Test func workerThreadsDoNotChangeTheSearch() throws {
        let n = 32
        let x = TestData.activation(tokens: 1200, channels: n, seed: 4, outlierChannels: [5],
                                    massive: (token: 700, channel: 9, value: 250))
        var g = SeededGenerator(seed: 4)
        let base = RotationBase.stageRotation(n, using: &g)
        let one = try #require(GreedyRotation.search(rows: x.storage, width: n, base: base, steps: 20, select: .paper,
                                                     block: 0, threads: 1))
        let two = try #require(GreedyRotation.search(rows: x.storage, width: n, base: base, steps: 20, select: .paper,
                                                     block: 0, threads: 2))
        #expect(one.trace == two.trace)
        #expect(one.rotation == two.rotation)
    }
}
