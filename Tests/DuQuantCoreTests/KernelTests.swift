import DuQuantCore
import SyntheticLayers
import TestSupport
import Testing

/// The vectorised, multi-core element-wise kernels against their element-by-element definitions.
@Suite struct KernelTests {
    /// Sizes that exercise SIMD tails, single-thread and multi-thread paths.
    static let shapes = [(1, 3), (5, 17), (64, 1000), (300, 1031)]

    static func data(_ rows: Int, _ cols: Int, seed: UInt64 = 3) -> Matrix {
        var m = SyntheticLayer.gaussianMatrix(rows: rows, cols: cols, scale: 2, seed: seed)
        if rows > 2 && cols > 5 { m[1, 4] = 700; m[2, 5] = -0.0 }
        return m
    }

    /// The scalar quantizer exactly as specified (Swift.min/max fold, division, half-to-even).
    static func scalarQuantize(_ m: Matrix, _ q: FakeQuantizer) -> Matrix {
        var out = m
        for r in 0..<m.rows {
            var lo = m[r, 0], hi = m[r, 0]
            for c in 0..<m.cols { lo = min(lo, m[r, c]); hi = max(hi, m[r, c]) }
            let (scale, zero) = q.parameters(min: lo, max: hi)
            for c in 0..<m.cols {
                var v = (m[r, c] / scale).rounded(.toNearestOrEven) + zero
                v = min(max(v, 0), q.qmax)
                out[r, c] = (v - zero) * scale
            }
        }
        return out
    }

    @Test(arguments: shapes)
    func quantizeRowsIsBitIdenticalToTheScalarFormula(rows: Int, cols: Int) {
        let m = Self.data(rows, cols)
        for q in [FakeQuantizer(bits: 4, clip: 0.9), FakeQuantizer(bits: 3, clip: 0.8, symmetric: true), FakeQuantizer(bits: 8)] {
            let fast = q.quantizeRows(m), slow = Self.scalarQuantize(m, q)
            #expect(fast.storage.map(\.bitPattern) == slow.storage.map(\.bitPattern))
        }
    }

    @Test(arguments: shapes)
    func columnKernelsMatchTheirDefinitions(rows: Int, cols: Int) {
        let m = Self.data(rows, cols)
        let s = (0..<cols).map { Float(1 + ($0 % 7)) * 0.37 }
        let perm = (0..<cols).map { ($0 * 7 + 3) % cols }.enumerated().sorted { $0.element < $1.element }.map(\.offset)
        let div = m.dividingColumns(by: s), mul = m.multiplyingColumns(by: s), gat = m.gatheringColumns(perm)
        for r in 0..<rows {
            for c in 0..<cols {
                #expect(div[r, c].bitPattern == (m[r, c] / s[c]).bitPattern)
                #expect(mul[r, c].bitPattern == (m[r, c] * s[c]).bitPattern)
                #expect(gat[r, c] == m[r, perm[c]])
            }
        }
    }

    @Test(arguments: shapes)
    func statisticsMatchTheirDefinitions(rows: Int, cols: Int) {
        let m = Self.data(rows, cols)
        var maxes = [Float](repeating: 0, count: cols)
        for r in 0..<rows { for c in 0..<cols { maxes[c] = max(maxes[c], abs(m[r, c])) } }
        #expect(ChannelStats.maxAbs(m) == maxes)

        let n = Double(m.count)
        let mean = m.storage.reduce(0.0) { $0 + Double($1) } / n
        var m2 = 0.0, m4 = 0.0
        for v in m.storage { let d = Double(v) - mean; m2 += d * d; m4 += d * d * d * d }
        if m.count > 1 {
            let k = Float((m4 / n) / ((m2 / n) * (m2 / n)))
            #expect(abs(ChannelStats.kurtosis(m) - k) <= 1e-5 * k)
        }

        let q = FakeQuantizer(bits: 4).quantizeRows(m)
        var se = 0.0
        for i in m.storage.indices { let d = Double(m.storage[i]) - Double(q.storage[i]); se += d * d }
        let mse = Float(se / n)
        #expect(abs(Evaluator.meanSquaredDifference(m, q) - mse) <= 1e-6 * mse)
    }

    @Test func maxAbsPropagatesNaN() {
        var m = Self.data(300, 40)
        m[200, 7] = .nan
        let maxes = ChannelStats.maxAbs(m)
        #expect(maxes[7].isNaN)
        #expect(!maxes[6].isNaN)
    }

    @Test func perTokenErrorsMatchTheirDefinition() {
        let x = Self.data(70, 300)
        var p = QuantParams()
        p.block = 64
        let m = Evaluator.measure(x: x, w: nil, reference: nil, p: p)
        let q = p.activationQuantizer.quantizeRows(x)
        for t in 0..<x.rows {
            var e = 0.0, d = 0.0
            for c in 0..<x.cols { let v = Double(x[t, c]); e += (Double(q[t, c]) - v) * (Double(q[t, c]) - v); d += v * v }
            let want = Float((e / d).squareRoot())
            #expect(abs(m.perTokenError[t] - want) <= 1e-6 * want)
        }
    }

    @Test func syntheticLayersAreDeterministicAndHaveMassiveOutliers() {
        let shape = SyntheticLayer.Shape(name: "t", tokens: 64, inFeatures: 256, outFeatures: 32)
        let a = SyntheticLayer.make(shape), b = SyntheticLayer.make(shape)
        #expect(a.input == b.input && a.weight == b.weight)
        let stats = ActivationStats.of(a.input)
        #expect(stats.maxAbs >= 1000 && stats.maxAbs <= 2000)
        #expect(stats.topToken == 0 || ChannelStats.maxAbs(Matrix(rows: 1, cols: 256, storage: Array(a.input.storage[0..<256]))).max()! >= 1000)
        #expect(SyntheticLayer.make(shape, seed: 1).input != a.input)
    }
}

/// `ActivationStats.of` against the copy-and-select definition.
@Suite struct ActivationStatsKernelTests {
    static func reference(_ m: Matrix) -> (max: Float, median: Float, at: Int) {
        var best: Float = -1, at = 0
        var mags: [Float] = []
        for (i, v) in m.storage.enumerated() where !v.isNaN {
            let a = abs(v)
            mags.append(a)
            if a > best { best = a; at = i }
        }
        mags.sort()
        return (best, mags[mags.count / 2], at)
    }

    @Test(arguments: [(1, 1), (3, 7), (40, 333), (700, 1500)])
    func matchesTheDefinition(rows: Int, cols: Int) {
        var m = SyntheticLayer.gaussianMatrix(rows: rows, cols: cols, scale: 1, seed: UInt64(rows))
        if m.count > 10 { m.storage[5] = .nan; m.storage[m.count - 1] = -m.storage.map(abs).max()! }
        let s = ActivationStats.of(m), r = Self.reference(m)
        #expect(s.maxAbs == r.max)
        #expect(s.medianAbs == r.median)
        #expect(s.topToken * cols + s.topChannel == r.at)
    }

    @Test func tiesKeepTheFirstOccurrenceAndConstantDataWorks() {
        let m = Matrix(rows: 2, cols: 3, storage: [1, -3, 3, 2, 3, 2])
        let s = ActivationStats.of(m)
        #expect(s.maxAbs == 3 && s.topToken == 0 && s.topChannel == 1)
        #expect(s.medianAbs == 3)  // sorted 1 2 2 3 3 3: element 6/2
        #expect(ActivationStats.of(Matrix(rows: 1, cols: 2, storage: [.nan, .nan])).maxAbs == 0)
    }
}
