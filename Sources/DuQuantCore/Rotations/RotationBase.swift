#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The building blocks of DuQuant's block rotations.
///
/// `E_n` is the product `G_{n−2}…G_0` of Givens rotations, `G_i` acting on coordinates `i, i+1` with
/// `cos = 1/√(i+2)` and `sin = √(i+1)/√(i+2)`, followed by exchanging rows and columns `0` and `n−1`.
/// Its row 0 is uniform (`1/√n` each), so a channel placed at row 0 is spread evenly over the block.
/// A rotation stage then completes it with a random orthogonal `Q′` of size `n−1`:
/// `B = E_n · diag(1, Q′)`, exactly as the official code builds it.
public enum RotationBase {
    /// The deterministic base matrix `E_n` (n ≥ 1).
    public static func givensBase(_ n: Int) -> Matrix {
        precondition(n >= 1)
        // R = G_i · R, for i = 0 … n−2. G_i only mixes rows i and i+1 of R.
        var r = Matrix.identity(n)
        if n > 1 {
            r.storage.withUnsafeMutableBufferPointer { m in
                for i in 0..<(n - 1) {
                    let c = 1 / Double(i + 2).squareRoot()
                    let s = Double(i + 1).squareRoot() / Double(i + 2).squareRoot()
                    let upper = m.baseAddress! + i * n, lower = upper + n
                    for j in 0..<n {
                        let a = Double(upper[j]), b = Double(lower[j])
                        upper[j] = Float(c * a - s * b)
                        lower[j] = Float(s * a + c * b)
                    }
                }
            }
        }
        return r.exchangingRowsAndColumns(0, n - 1)
    }

    /// A Haar-distributed random orthogonal matrix: QR of a Gaussian matrix, signs fixed by `diag(R)`.
    public static func randomOrthogonal(_ n: Int, using g: inout SeededGenerator) -> Matrix {
        guard n > 0 else { return Matrix(rows: 0, cols: 0) }
        // Householder QR in Double on a column-major copy.
        var a = [Double](repeating: 0, count: n * n)  // a[col * n + row]
        for i in 0..<(n * n) { a[i] = g.nextGaussian() }
        var q = [Double](repeating: 0, count: n * n)  // row-major, starts as identity
        for i in 0..<n { q[i * n + i] = 1 }
        var signs = [Double](repeating: 1, count: n)
        var v = [Double](repeating: 0, count: n)
        a.withUnsafeMutableBufferPointer { ab in
            q.withUnsafeMutableBufferPointer { qb in
                v.withUnsafeMutableBufferPointer { vb in
                    let a = ab.baseAddress!, q = qb.baseAddress!, v = vb.baseAddress!
                    for k in 0..<n {
                        var norm = 0.0
                        for i in k..<n { norm += a[k * n + i] * a[k * n + i] }
                        norm = norm.squareRoot()
                        let alpha = a[k * n + k] >= 0 ? -norm : norm
                        // R[k][k] = alpha; Haar correction multiplies column k of Q by sign(R[k][k]).
                        signs[k] = alpha < 0 ? -1 : 1
                        for i in 0..<n { v[i] = 0 }
                        for i in k..<n { v[i] = a[k * n + i] }
                        v[k] -= alpha
                        var vnorm2 = 0.0
                        for i in k..<n { vnorm2 += v[i] * v[i] }
                        if vnorm2 == 0 { continue }
                        // Apply H = I − 2vvᵀ/vᵀv to the remaining columns of A.
                        for j in k..<n {
                            let col = a + j * n
                            var dot = 0.0
                            for i in k..<n { dot += v[i] * col[i] }
                            let f = 2 * dot / vnorm2
                            for i in k..<n { col[i] -= f * v[i] }
                        }
                        // Q = Q · H (accumulate on the right).
                        for r in 0..<n {
                            let row = q + r * n
                            var dot = 0.0
                            for i in k..<n { dot += row[i] * v[i] }
                            let f = 2 * dot / vnorm2
                            for i in k..<n { row[i] -= f * v[i] }
                        }
                    }
                }
            }
        }
        var out = [Float](repeating: 0, count: n * n)
        for r in 0..<n { for c in 0..<n { out[r * n + c] = Float(q[r * n + c] * signs[c]) } }
        return Matrix(rows: n, cols: n, storage: out)
    }

    /// `B = E_n · diag(1, Q′)`: the rotation a stage uses for every greedy step (before the exchange).
    public static func stageRotation(_ n: Int, using g: inout SeededGenerator) -> Matrix {
        let e = givensBase(n)
        guard n > 1 else { return e }
        let qp = randomOrthogonal(n - 1, using: &g)
        var d = [Double](repeating: 0, count: n * n)
        d[0] = 1
        for r in 0..<(n - 1) { for c in 0..<(n - 1) { d[(r + 1) * n + c + 1] = Double(qp[r, c]) } }
        // In one fixed order (not BLAS): every decision of the search starts from these bits.
        let b = FixedOrder.product(e.storage.map(Double.init), d, n: n)
        return Matrix(rows: n, cols: n, storage: b.map { Float($0) })
    }
}

extension Matrix {
    /// A copy with rows `i, j` exchanged and then columns `i, j` exchanged (`P·M·P` for the swap `P`).
    public func exchangingRowsAndColumns(_ i: Int, _ j: Int) -> Matrix {
        var m = self
        m.exchangeRowsAndColumns(i, j)
        return m
    }

    /// Exchanges rows `i` and `j`, then columns `i` and `j`, in place (its own inverse).
    public mutating func exchangeRowsAndColumns(_ i: Int, _ j: Int) {
        guard i != j else { return }
        let cols = cols
        storage.withUnsafeMutableBufferPointer { m in
            for c in 0..<cols { m.swapAt(i * cols + c, j * cols + c) }
            for r in 0..<rows { m.swapAt(r * cols + i, r * cols + j) }
        }
    }
}
