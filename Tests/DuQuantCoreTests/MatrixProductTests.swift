@testable import DuQuantCore
import SyntheticLayers
import TestSupport
import Testing

/// Products written into uninitialised storage against one BLAS call into zeroed storage, and the
/// QuaRot-style transform built on them against its step-by-step definition, to rounding.
@Suite struct MatrixProductTests {
    /// `a · op(b)` by one BLAS call into zeroed storage (what `Matrix` did before).
    static func zeroedProduct(_ a: Matrix, _ b: Matrix, transposed: Bool) -> [Float] {
        let n = transposed ? b.rows : b.cols
        var c = [Float](repeating: 0, count: a.rows * n)
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BLAS.gemm(m: a.rows, n: n, k: a.cols, a: pa.baseAddress!, lda: a.cols, b: pb.baseAddress!, ldb: b.cols,
                              transB: transposed, c: pc.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }

    // (1500 × 1500: over the huge-page threshold, so the advised path runs too.)
    @Test(arguments: [(1, 1, 1), (3, 5, 7), (37, 19, 53), (1500, 64, 1500)])
    func productsEqualOneCallIntoZeroedStorage(m: Int, k: Int, n: Int) {
        let a = SyntheticLayer.gaussianMatrix(rows: m, cols: k, scale: 1, seed: 3)
        let b = SyntheticLayer.gaussianMatrix(rows: k, cols: n, scale: 1, seed: 4)
        let bt = SyntheticLayer.gaussianMatrix(rows: n, cols: k, scale: 1, seed: 5)
        // To rounding, not bit for bit: other tests running in parallel change OpenBLAS's thread count
        // (`BLAS.singleThreaded` around every calibration), and one multi-threaded call splits its work by
        // that count. Garbage from uninitialised storage would be far off.
        func close(_ x: [Float], _ y: [Float]) -> Bool {
            let scale = max(1, y.map(abs).max() ?? 0)
            return x.count == y.count && zip(x, y).allSatisfy { abs($0 - $1) <= 1e-5 * scale }
        }
        #expect(close(a.multiplied(by: b).storage, Self.zeroedProduct(a, b, transposed: false)))
        #expect(close(a.multipliedTransposed(by: bt).storage, Self.zeroedProduct(a, bt, transposed: true)))
    }

    @Test func emptyInnerDimensionGivesZeros() {
        let a = Matrix(rows: 3, cols: 0), b = Matrix(rows: 4, cols: 0)
        #expect(a.multipliedTransposed(by: b) == Matrix(rows: 3, cols: 4))
    }

    /// `m · Q` step by step: signs, the dense factor on every line of the rows, the Walsh–Hadamard
    /// butterflies across lines, the scale. Widths with and without a dense factor, odd row counts.
    @Test(arguments: [(3, 96), (17, 1536), (5, 4096), (9, 11008)])
    func randomizedHadamardIsItsDefinition(rows: Int, width: Int) throws {
        let r = try #require(RandomizedHadamard(width: width, seed: 7))
        let m = SyntheticLayer.gaussianMatrix(rows: rows, cols: width, scale: 1, seed: 6)
        var v = m
        for i in 0..<rows { for c in 0..<width { v[i, c] = m[i, c] * r.signs[c] } }
        let n = r.order, lines = r.powerOfTwo
        if n > 1 {
            let flat = Matrix(rows: rows * lines, cols: n, storage: v.storage)
            v = Matrix(rows: rows, cols: width, storage: Self.zeroedProduct(flat, r.dense, transposed: false))
        }
        let scale = 1 / Float(width).squareRoot()
        for i in 0..<rows {
            var h = 1
            while h < lines {
                for start in stride(from: 0, to: lines, by: 2 * h) {
                    for b in start..<(start + h) {
                        for a in 0..<n {
                            let x = v[i, b * n + a], y = v[i, (b + h) * n + a]
                            v[i, b * n + a] = x + y
                            v[i, (b + h) * n + a] = x - y
                        }
                    }
                }
                h *= 2
            }
            for c in 0..<width { v[i, c] *= scale }
        }
        // To rounding: BLAS may split the dense factor's product into other row blocks than one call does
        // (seen once under load on 17 × 1536), which changes the order of additions, not the transform.
        let got = r.apply(to: m)
        var worst: Float = 0
        for i in v.storage.indices { worst = max(worst, abs(got.storage[i] - v.storage[i])) }
        #expect(worst <= 1e-5, "max |Δ| \(worst)")
    }
}
