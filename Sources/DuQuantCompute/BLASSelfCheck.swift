#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks the loaded BLAS's sgemm against a double-precision reference on small products of the
/// shapes DuQuant uses: a 128×128 block rotation, skinny products and the transposed `X·Wᵀ`.
///
/// Old OpenBLAS builds are known to compute wrong results (or crash) with some kernel sets on some
/// newer CPUs, so a kernel set the app picks itself must pass this before it is used. Each product's
/// output starts as NaN (a kernel that reads `C` when `beta` is 0 fails) and every element must lie
/// within `tolerance · Σ_k |a_ik|·|b_kj|` of the double result; correct float kernels stay below ~1e-6.
///
/// ```swift
/// let outcome = BLASSelfCheck.run()            // the real sgemm
/// if !outcome.passed { print(outcome.summary) }
/// ```
public enum BLASSelfCheck {
    /// `C = A·op(B)`, row-major, as ``BLASLibrary/sgemm(m:n:k:a:lda:b:ldb:transB:c:ldc:beta:)`` computes it
    /// (injectable so tests can break it).
    public typealias Gemm = (_ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int,
                             _ b: UnsafePointer<Float>, _ ldb: Int, _ transB: Bool,
                             _ c: UnsafeMutablePointer<Float>, _ ldc: Int) -> Void

    /// One checked product: `A` is m×k, `B` is k×n (or n×k when `transB`).
    public struct Product: Sendable {
        /// What the product stands for, with its shapes; shown as ``Outcome/worstProduct``.
        public var name: String
        /// Dimensions: `A` is m×k, `op(B)` is k×n and `C` is m×n.
        public var m: Int, n: Int, k: Int
        /// Whether `B` is stored n×k and used transposed, as in the layer product `X·Wᵀ`.
        public var transB: Bool
    }

    /// The products checked: the block rotation, skinny on either side, and the layer product `X·Wᵀ`
    /// with sizes that are not multiples of any kernel's tile.
    public static let products: [Product] = [
        Product(name: "block 128×128 rotation (384×128·128×128)", m: 384, n: 128, k: 128, transB: false),
        Product(name: "skinny (3×640·640×130)", m: 3, n: 130, k: 640, transB: false),
        Product(name: "skinny (515×128·128×2)", m: 515, n: 2, k: 128, transB: false),
        Product(name: "transposed X·Wᵀ (97×352·(81×352)ᵀ)", m: 97, n: 81, k: 352, transB: true),
    ]

    /// Largest allowed |error| relative to `Σ_k |a_ik|·|b_kj|`.
    public static let tolerance = 1e-5

    /// What the check found.
    public struct Outcome: Sendable {
        /// Whether every product agreed with the reference.
        public var passed: Bool
        /// The worst error over all products, relative to `Σ|a|·|b|` (NaN counts as infinite).
        public var worst: Double
        /// The product with the worst error.
        public var worstProduct: String

        /// "max error 3.1e-08 (relative to Σ|a||b|) on …".
        public var summary: String {
            "max error \(worst.isFinite ? shortExponent(worst) : "not finite") (relative to Σ|a||b|) on \(worstProduct)"
        }
    }

    /// Runs every product through `gemm` (the loaded BLAS by default).
    public static func run(gemm: Gemm = { m, n, k, a, lda, b, ldb, transB, c, ldc in
        BLASLibrary.sgemm(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, transB: transB, c: c, ldc: ldc)
    }) -> Outcome {
        var outcome = Outcome(passed: true, worst: 0, worstProduct: products[0].name)
        var g = SeededGenerator(seed: 0xB1A5)
        for p in products {
            let e = error(of: p, gemm: gemm, using: &g)
            if !(e <= outcome.worst) { outcome.worst = e; outcome.worstProduct = p.name }
        }
        outcome.passed = outcome.worst <= tolerance
        return outcome
    }

    /// The largest relative error of one product (infinity when an element is not finite).
    static func error(of p: Product, gemm: Gemm, using g: inout SeededGenerator) -> Double {
        let bRows = p.transB ? p.n : p.k, bCols = p.transB ? p.k : p.n
        // Normal values with one large entry, as in activations with a massive outlier.
        var a = (0..<(p.m * p.k)).map { _ in Float(g.nextGaussian()) }
        a[a.count / 3] = 900
        let b = (0..<(bRows * bCols)).map { _ in Float(g.nextGaussian() * 0.1) }
        var c = [Float](repeating: .nan, count: p.m * p.n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    gemm(p.m, p.n, p.k, pa.baseAddress!, p.k, pb.baseAddress!, bCols, p.transB, pc.baseAddress!, p.n)
                }
            }
        }
        // Bᵀ rows (n × k) make every reference element a contiguous dot product.
        let bt = p.transB ? b : (0..<(p.n * p.k)).map { b[($0 % p.k) * p.n + $0 / p.k] }
        var worst = 0.0
        a.withUnsafeBufferPointer { pa in
            bt.withUnsafeBufferPointer { pb in
                for i in 0..<p.m {
                    for j in 0..<p.n {
                        var exact = 0.0, magnitude = 0.0
                        for l in 0..<p.k {
                            let xy = Double(pa[i * p.k + l]) * Double(pb[j * p.k + l])
                            exact += xy
                            magnitude += abs(xy)
                        }
                        let got = Double(c[i * p.n + j])
                        worst = got.isFinite ? Swift.max(worst, abs(got - exact) / Swift.max(magnitude, .leastNormalMagnitude)) : .infinity
                    }
                }
            }
        }
        return worst
    }

    /// `x` as "3.1e-08" (two significant digits).
    static func shortExponent(_ x: Double) -> String {
        guard x > 0 else { return "0" }
        var exponent = Int(log10(x).rounded(.down))
        var mantissa = x / pow(10, Double(exponent))
        mantissa = (mantissa * 10).rounded() / 10
        if mantissa >= 10 { mantissa /= 10; exponent += 1 }
        let sign = exponent < 0 ? "-" : "+"
        let digits = String(abs(exponent))
        return "\(mantissa)e\(sign)\(digits.count < 2 ? "0" + digits : digits)"
    }
}
