/// Hadamard matrices of orders that are not powers of two, built with textbook constructions.
///
/// A Hadamard matrix `H` of order `n` has entries ±1 and `H Hᵀ = n I`. Built here:
/// - **Paley I**: `q` a prime power with `q ≡ 3 (mod 4)` gives order `q + 1`;
/// - **Paley II**: `q` a prime power with `q ≡ 1 (mod 4)` gives order `2(q + 1)`;
/// - **Sylvester doubling** `[[H, H], [H, −H]]` of either (and of `[1]`: the powers of two).
///
/// ```swift
/// let h = HadamardConstruction.matrix(order: 12)!   // Paley I over GF(11)
/// HadamardConstruction.factor(width: 11008)         // (344, 32): 344 = 7³ + 1, Paley I over GF(343)
/// ```
public enum HadamardConstruction {
    /// Largest order searched for the non-power-of-two factor of a width.
    public static let maxOrder = 1024

    /// How an order is built, for notes: `Paley I over GF(343)`, `Sylvester`, …
    public static func recipe(order n: Int) -> String? {
        if n >= 1 && n & (n - 1) == 0 { return "Sylvester" }
        if let q = paleyOne(n) { return "Paley I over GF(\(q))" }
        if let q = paleyTwo(n) { return "Paley II over GF(\(q))" }
        if n % 2 == 0, let inner = recipe(order: n / 2) { return inner + " doubled" }
        return nil
    }

    /// A Hadamard matrix of order `n` (row-major, entries ±1), or nil when none of the constructions reaches it.
    public static func matrix(order n: Int) -> [Int8]? {
        guard n >= 1 else { return nil }
        if n == 1 { return [1] }
        if let q = paleyOne(n), let f = GaloisField(order: q) { return paleyOne(f) }
        if let q = paleyTwo(n), let f = GaloisField(order: q) { return paleyTwo(f) }
        if n % 2 == 0, let h = matrix(order: n / 2) { return doubled(h, n / 2) }
        return nil
    }

    /// The smallest order `n ≤ maxOrder` with a construction such that `width = n · 2^m`: `(n, 2^m)`;
    /// nil when there is none.
    public static func factor(width: Int) -> (order: Int, powerOfTwo: Int)? {
        guard width >= 1 else { return nil }
        var n = width, two = 1
        while n % 2 == 0 { n /= 2; two *= 2 }
        // n is the odd part: try n, 2n, 4n, … (the smaller the dense factor, the cheaper the product).
        while n <= maxOrder && two >= 1 {
            if recipe(order: n) != nil { return (n, two) }
            guard two > 1 else { break }
            n *= 2
            two /= 2
        }
        return nil
    }

    /// `q` when `n = q + 1` with `q` a prime power, `q ≡ 3 (mod 4)`.
    static func paleyOne(_ n: Int) -> Int? {
        let q = n - 1
        return q >= 3 && q % 4 == 3 && GaloisField.primePower(q) != nil ? q : nil
    }

    /// `q` when `n = 2(q + 1)` with `q` a prime power, `q ≡ 1 (mod 4)`.
    static func paleyTwo(_ n: Int) -> Int? {
        guard n % 2 == 0 else { return nil }
        let q = n / 2 - 1
        return q >= 5 && q % 4 == 1 && GaloisField.primePower(q) != nil ? q : nil
    }

    /// The Jacobsthal matrix `Q[a][b] = χ(a − b)` of the field.
    static func jacobsthal(_ f: GaloisField) -> [Int8] {
        let q = f.order
        var m = [Int8](repeating: 0, count: q * q)
        for a in 0..<q { for b in 0..<q { m[a * q + b] = Int8(f.character(f.subtract(a, b))) } }
        return m
    }

    /// Paley I: `H = I + S`, `S = [[0, 1ᵀ], [−1, Q]]` (Q antisymmetric as q ≡ 3 mod 4); order q + 1.
    static func paleyOne(_ f: GaloisField) -> [Int8] {
        let q = f.order, n = q + 1
        let jac = jacobsthal(f)
        var h = [Int8](repeating: 0, count: n * n)
        for r in 0..<n {
            for c in 0..<n {
                let s: Int8 = r == 0 ? (c == 0 ? 0 : 1) : c == 0 ? -1 : jac[(r - 1) * q + (c - 1)]
                h[r * n + c] = s + (r == c ? 1 : 0)
            }
        }
        return h
    }

    /// Paley II: the symmetric conference matrix `C = [[0, 1ᵀ], [1, Q]]` (q ≡ 1 mod 4) with every 0 replaced
    /// by `[[1, −1], [−1, −1]]` and every ±1 by `±[[1, 1], [1, −1]]`; order 2(q + 1).
    static func paleyTwo(_ f: GaloisField) -> [Int8] {
        let q = f.order, m = q + 1, n = 2 * m
        let jac = jacobsthal(f)
        var h = [Int8](repeating: 0, count: n * n)
        for r in 0..<m {
            for c in 0..<m {
                let e: Int8 = r == 0 ? (c == 0 ? 0 : 1) : c == 0 ? 1 : jac[(r - 1) * q + (c - 1)]
                let block: [Int8] = e == 0 ? [1, -1, -1, -1] : [e, e, e, -e]
                for i in 0..<2 { for j in 0..<2 { h[(2 * r + i) * n + 2 * c + j] = block[i * 2 + j] } }
            }
        }
        return h
    }

    /// Sylvester doubling `[[H, H], [H, −H]]` of an order-`n` matrix.
    static func doubled(_ h: [Int8], _ n: Int) -> [Int8] {
        let m = 2 * n
        var out = [Int8](repeating: 0, count: m * m)
        for r in 0..<m {
            for c in 0..<m {
                let v = h[(r % n) * n + c % n]
                out[r * m + c] = r >= n && c >= n ? -v : v
            }
        }
        return out
    }
}
