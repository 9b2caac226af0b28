/// The finite field GF(p^k) for small orders, enough to build Paley Hadamard matrices.
///
/// An element is an integer `0 ..< q` whose base-`p` digits are the coefficients of a polynomial of degree
/// below `k`; products are reduced modulo a monic irreducible polynomial of degree `k`, found by search.
/// Only the operations a Jacobsthal matrix needs are here: subtraction and the quadratic character.
///
/// ```swift
/// let f = GaloisField(order: 343)!     // GF(7³)
/// f.character(f.subtract(5, 9))        // +1 (a square), −1 (not a square) or 0
/// ```
public struct GaloisField: Sendable {
    /// The characteristic `p`.
    public let prime: Int
    /// The degree `k` of the extension.
    public let degree: Int
    /// The number of elements `q = p^k`.
    public let order: Int
    /// The low `k` coefficients of the monic irreducible modulus `x^k + …` (constant term first).
    let modulus: [Int]
    /// `isSquare[a]`: whether the nonzero element `a` is a square.
    private let isSquare: [Bool]

    /// The field of `order` elements, or nil when `order` is not a prime power (or is below 2).
    public init?(order q: Int) {
        guard q >= 2, let (p, k) = Self.primePower(q) else { return nil }
        prime = p
        degree = k
        order = q
        modulus = Self.irreducible(prime: p, degree: k)
        var squares = [Bool](repeating: false, count: q)
        for a in 1..<q { squares[Self.multiply(a, a, p: p, k: k, modulus: modulus)] = true }
        isSquare = squares
    }

    /// `(p, k)` with `p^k = q` for a prime `p`, or nil.
    public static func primePower(_ q: Int) -> (Int, Int)? {
        guard q >= 2 else { return nil }
        var p = 2
        while p * p <= q && q % p != 0 { p += 1 }
        if q % p != 0 { p = q }  // q itself is prime
        var rest = q, k = 0
        while rest % p == 0 { rest /= p; k += 1 }
        return rest == 1 ? (p, k) : nil
    }

    /// `a − b`, digit by digit modulo `p`.
    public func subtract(_ a: Int, _ b: Int) -> Int {
        var a = a, b = b, out = 0, place = 1
        for _ in 0..<degree {
            out += ((a % prime - b % prime + prime) % prime) * place
            a /= prime
            b /= prime
            place *= prime
        }
        return out
    }

    /// `a · b` in the field.
    public func multiply(_ a: Int, _ b: Int) -> Int { Self.multiply(a, b, p: prime, k: degree, modulus: modulus) }

    /// The quadratic character: 0 for 0, +1 for a nonzero square, −1 otherwise.
    public func character(_ a: Int) -> Int { a == 0 ? 0 : isSquare[a] ? 1 : -1 }

    static func digits(_ a: Int, p: Int, k: Int) -> [Int] {
        var a = a
        return (0..<k).map { _ in defer { a /= p }; return a % p }
    }

    static func multiply(_ a: Int, _ b: Int, p: Int, k: Int, modulus: [Int]) -> Int {
        let x = digits(a, p: p, k: k), y = digits(b, p: p, k: k)
        // Schoolbook product (degree ≤ 2k − 2), then reduce the top terms with x^k = −(modulus).
        var prod = [Int](repeating: 0, count: 2 * k - 1)
        for i in 0..<k where x[i] != 0 { for j in 0..<k { prod[i + j] = (prod[i + j] + x[i] * y[j]) % p } }
        for d in stride(from: 2 * k - 2, through: k, by: -1) where prod[d] != 0 {
            let c = prod[d]
            prod[d] = 0
            for i in 0..<k { prod[d - k + i] = ((prod[d - k + i] - c * modulus[i]) % p + p) % p }
        }
        var out = 0
        for i in stride(from: k - 1, through: 0, by: -1) { out = out * p + prod[i] }
        return out
    }

    /// The low coefficients of the first monic irreducible polynomial of degree `k` over GF(p) (by trial
    /// division by every monic polynomial of degree 1 … k/2); `[0]` (the polynomial x) for k = 1.
    static func irreducible(prime p: Int, degree k: Int) -> [Int] {
        if k == 1 { return [0] }
        var count = 1
        for _ in 0..<k { count *= p }
        for low in 0..<count {
            let f = digits(low, p: p, k: k) + [1]
            if f[0] == 0 { continue }  // divisible by x
            var reducible = false
            for d in 1...(k / 2) where !reducible {
                var m = 1
                for _ in 0..<d { m *= p }
                for gLow in 0..<m where remainderIsZero(f, digits(gLow, p: p, k: d) + [1], p: p) {
                    reducible = true
                    break
                }
            }
            if !reducible { return Array(f.prefix(k)) }
        }
        preconditionFailure("no irreducible polynomial of degree \(k) over GF(\(p))")
    }

    /// Whether the monic `g` divides `f` over GF(p) (coefficients constant term first).
    static func remainderIsZero(_ f: [Int], _ g: [Int], p: Int) -> Bool {
        var r = f
        let dg = g.count - 1
        for d in stride(from: r.count - 1, through: dg, by: -1) where r[d] != 0 {
            let c = r[d]
            for i in 0...dg { r[d - dg + i] = ((r[d - dg + i] - c * g[i]) % p + p) % p }
        }
        return r.prefix(dg).allSatisfy { $0 == 0 }
    }
}
