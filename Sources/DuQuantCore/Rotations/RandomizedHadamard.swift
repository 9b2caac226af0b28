import DuQuantCompute
/// The QuaRot-style rotation: a randomized Hadamard transform over the whole input dimension.
///
/// `Q = D · (H_{2^m} ⊗ A) / √N` for a width `N = 2^m · n`: `D` a diagonal of random signs (from the
/// seed), `H_{2^m}` Sylvester's Hadamard matrix (applied as a fast Walsh–Hadamard transform) and `A` a
/// Hadamard matrix of the small order `n` (``HadamardConstruction``; 1 for a power-of-two width), applied
/// as one dense product in ``FixedOrder``. `Q` is orthogonal, so `(X Q)(W Q)ᵀ = X Wᵀ` exactly (up to float
/// rounding); no `N × N` matrix is ever built.
///
/// Each row `v` is read as a `2^m × n` matrix `V` (row `b`, column `a`, `v[b·n + a]`); then
/// `v (H ⊗ A)` is `H V A`: the product by `A` runs over all rows at once, the transform by `H`
/// runs down the columns.
///
/// ```swift
/// let r = RandomizedHadamard(width: 1536, seed: 0)!   // 12 × 128
/// let (xr, wr) = (r.apply(to: x), r.apply(to: w))     // xr · wrᵀ ≈ x · wᵀ
/// ```
public struct RandomizedHadamard: Sendable {
    /// The input dimension `N`.
    public let width: Int
    /// The order `n` of the dense factor (1 for a power-of-two width).
    public let order: Int
    /// The power of two `2^m` of the Walsh–Hadamard factor.
    public let powerOfTwo: Int
    /// The random signs `D`, ±1.
    public let signs: [Float]
    /// `A` as floats (n × n), entries ±1.
    let dense: Matrix

    /// The transform for `width` channels with signs from `seed`; nil when the width has no factorisation
    /// `n · 2^m` with a constructible `n` (see ``HadamardConstruction/factor(width:)``).
    public init?(width: Int, seed: UInt64) {
        guard let (n, two) = HadamardConstruction.factor(width: width),
              let a = HadamardConstruction.matrix(order: n) else { return nil }
        self.width = width
        order = n
        powerOfTwo = two
        dense = Matrix(rows: n, cols: n, storage: a.map(Float.init))
        var g = SeededGenerator(seed: seed)
        signs = (0..<width).map { _ in g.next() >> 63 == 0 ? 1 : -1 }
    }

    /// How it is built, for notes: `1536 = 12 (Paley I over GF(11)) × 128`.
    public var recipe: String {
        order == 1 ? "\(width) = 2^\(powerOfTwo.trailingZeroBitCount) (Sylvester, fast Walsh–Hadamard)"
            : "\(width) = \(order) (\(HadamardConstruction.recipe(order: order) ?? "?")) × \(powerOfTwo)"
    }

    /// `m · Q`: every row signed, transformed and scaled by `1/√N`.
    public func apply(to m: Matrix) -> Matrix {
        precondition(m.cols == width, "width \(m.cols) is not the transform's \(width)")
        guard m.rows > 0 else { return m }
        // Signed into new storage in one pass (not a copy, then the signs).
        let signed = [Float](unsafeUninitializedCapacity: m.count) { buf, initialized in
            HugePages.advise(buf.baseAddress!, count: m.count)
            m.storage.withUnsafeBufferPointer { src in
                signs.withUnsafeBufferPointer { s in
                    nonisolated(unsafe) let p = buf.baseAddress!, x = src.baseAddress!, d = s.baseAddress!
                    ParallelRows.forEach(rows: m.rows, cols: width) { rows in
                        for r in rows { for c in 0..<width { p[r * width + c] = x[r * width + c] * d[c] } }
                    }
                }
            }
            initialized = m.count
        }
        // V A for every row at once: the storage read as (rows · 2^m) × n.
        var out: Matrix
        if order > 1 {
            // In fixed order, not BLAS: the same bits on every machine (the clip search decides on them).
            let rows = m.rows * powerOfTwo, n = order
            let product = [Float](unsafeUninitializedCapacity: m.count) { buf, initialized in
                signed.withUnsafeBufferPointer { src in
                    dense.storage.withUnsafeBufferPointer { a in
                        nonisolated(unsafe) let p = buf.baseAddress!, x = src.baseAddress!, b = a.baseAddress!
                        ParallelRows.forEach(rows: rows, cols: n) { r in
                            FixedOrder.multiply(rows: r.count, k: n, n: n, a: x + r.lowerBound * n, lda: n, b: b,
                                                c: p + r.lowerBound * n, ldc: n)
                        }
                    }
                }
                initialized = m.count
            }
            out = Matrix(rows: m.rows, cols: width, storage: product)
        } else {
            out = Matrix(rows: m.rows, cols: width, storage: signed)
        }
        let n = order, two = powerOfTwo, scale = 1 / Float(width).squareRoot()
        out.storage.withUnsafeMutableBufferPointer { buf in
            nonisolated(unsafe) let p = buf.baseAddress!
            ParallelRows.forEach(rows: m.rows, cols: width) { rows in
                for r in rows { Self.walshHadamard(p + r * width, lines: two, length: n, scale: scale) }
            }
        }
        return out
    }

    /// In place on `lines` consecutive vectors of `length` floats: the unnormalised fast Walsh–Hadamard
    /// transform across the lines (butterflies between whole lines), then every value times `scale`.
    static func walshHadamard(_ p: UnsafeMutablePointer<Float>, lines: Int, length n: Int, scale: Float) {
        var h = 1
        while h < lines {
            var start = 0
            while start < lines {
                for b in start..<(start + h) {
                    let u = p + b * n, v = p + (b + h) * n
                    for a in 0..<n {
                        let x = u[a], y = v[a]
                        u[a] = x + y
                        v[a] = x - y
                    }
                }
                start += 2 * h
            }
            h *= 2
        }
        for i in 0..<(lines * n) { p[i] *= scale }
    }
}
