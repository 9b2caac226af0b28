import DuQuantCore
import TestSupport
import Testing

@Suite struct RandomizedHadamardTests {
    /// `H Hᵀ = n I` with entries ±1, in integers; the first failure's description, or nil.
    static func hadamardProblem(_ h: [Int8], order n: Int) -> String? {
        guard h.count == n * n else { return "\(h.count) entries for order \(n)" }
        if let bad = h.firstIndex(where: { $0 != 1 && $0 != -1 }) { return "entry \(bad) is \(h[bad])" }
        return h.withUnsafeBufferPointer { p -> String? in
            for r in 0..<n {
                for s in r..<n {
                    var dot = 0
                    for c in 0..<n { dot += Int(p[r * n + c]) * Int(p[s * n + c]) }
                    if dot != (r == s ? n : 0) { return "rows \(r)·\(s) = \(dot)" }
                }
            }
            return nil
        }
    }

    @Test func fieldsOfPrimePowerOrderHaveHalfTheirNonzeroElementsSquareAndAMultiplicativeCharacter() throws {
        for q in [7, 9, 25, 27, 343] {
            let f = try #require(GaloisField(order: q))
            #expect((1..<q).filter { f.character($0) == 1 }.count == (q - 1) / 2, "GF(\(q))")
            // χ(ab) = χ(a)χ(b) holds only when the product is a field's (a wrong modulus breaks it).
            for a in stride(from: 1, to: q, by: max(1, q / 17)) {
                for b in stride(from: 1, to: q, by: max(1, q / 13)) {
                    #expect(f.character(f.multiply(a, b)) == f.character(a) * f.character(b), "GF(\(q)) \(a)·\(b)")
                }
            }
            #expect(f.subtract(3 % q, 3 % q) == 0)
        }
        #expect(GaloisField(order: 12) == nil)
        #expect(GaloisField(order: 343)?.prime == 7 && GaloisField(order: 343)?.degree == 3)
    }

    @Test(arguments: [4, 12, 20, 24, 28, 36, 40, 52, 60, 108, 140, 344])
    func constructedOrdersAreHadamard(order n: Int) throws {
        let h = try #require(HadamardConstruction.matrix(order: n), "order \(n)")
        #expect(Self.hadamardProblem(h, order: n) == nil, "order \(n): \(Self.hadamardProblem(h, order: n) ?? "")")
    }

    @Test func ordersOutOfReachOfPaleyAreNotClaimed() {
        // 156 and 172 need other constructions (Williamson); none here pretends to build them.
        #expect(HadamardConstruction.matrix(order: 156) == nil)
        #expect(HadamardConstruction.matrix(order: 172) == nil)
        #expect(HadamardConstruction.matrix(order: 6) == nil)
    }

    @Test func widthsFactorIntoTheSmallestConstructibleOrderTimesAPowerOfTwo() {
        #expect(HadamardConstruction.factor(width: 11008)! == (344, 32))  // LLaMA-7B intermediate: 7³ + 1
        #expect(HadamardConstruction.factor(width: 1536)! == (12, 128))  // SmolLM2 intermediate
        #expect(HadamardConstruction.factor(width: 576)! == (36, 16))  // SmolLM2 hidden: Paley II, q = 17
        #expect(HadamardConstruction.factor(width: 4096)! == (1, 4096))
        #expect(HadamardConstruction.factor(width: 86) == nil)  // 43 · 2: neither 86 nor 172 is reachable
        #expect(RandomizedHadamard(width: 86, seed: 0) == nil)
    }

    /// `(X Q)(W Q)ᵀ = X Wᵀ` and `(X Q)(X Q)ᵀ = X Xᵀ` on a few rows of a wide layer.
    @Test(arguments: [1536, 11008, 576, 4096])
    func transformIsExactAndOrthogonal(width: Int) throws {
        let r = try #require(RandomizedHadamard(width: width, seed: 3))
        let x = TestData.activation(tokens: 5, channels: width, seed: 11, outlierChannels: [7, width - 1])
        let w = TestData.weight(out: 4, in: width, seed: 12)
        let xr = r.apply(to: x), wr = r.apply(to: w)
        #expect(TestData.relativeDifference(xr.multipliedTransposed(by: wr), x.multipliedTransposed(by: w)) < 1e-5)
        #expect(TestData.relativeDifference(xr.multipliedTransposed(by: xr), x.multipliedTransposed(by: x)) < 1e-5)
        // It is a rotation, not the identity: the outlier channel's energy is spread over every channel.
        let peak = xr.storage.map(abs).max()!, before = x.storage.map(abs).max()!
        #expect(peak < before / 4)
    }

    /// Rows of `Q` (images of basis vectors): orthonormal, and every entry ±1/√N (a scaled Hadamard matrix).
    /// All of 1536's rows; a sample of 11008's across its 344 × 32 structure (the whole would be 0.5 GB).
    @Test(arguments: [1536, 11008])
    func transformRowsAreAScaledSignedHadamardMatrix(width: Int) throws {
        let rowsToCheck = width == 1536 ? Array(0..<1536) : [0, 1, 31, 32, 343, 344, 5000, 11007]
        let r = try #require(RandomizedHadamard(width: width, seed: 5))
        var e = Matrix(rows: rowsToCheck.count, cols: width)
        for (i, c) in rowsToCheck.enumerated() { e[i, c] = 1 }
        let q = r.apply(to: e)
        let v = 1 / Float(width).squareRoot()
        #expect(q.storage.allSatisfy { abs(abs($0) - v) < 1e-6 * v * 50 })
        let gram = q.multipliedTransposed(by: q)
        var worst: Float = 0
        for i in 0..<gram.rows { for j in 0..<gram.cols { worst = max(worst, abs(gram[i, j] - (i == j ? 1 : 0))) } }
        #expect(worst < 1e-4)
    }

    @Test func signsComeFromTheSeed() throws {
        let a = try #require(RandomizedHadamard(width: 1536, seed: 0))
        let b = try #require(RandomizedHadamard(width: 1536, seed: 0))
        let c = try #require(RandomizedHadamard(width: 1536, seed: 1))
        #expect(a.signs == b.signs)
        #expect(a.signs != c.signs)
        #expect(a.signs.allSatisfy { $0 == 1 || $0 == -1 })
        let plus = a.signs.filter { $0 == 1 }.count
        #expect(plus > 600 && plus < 936)  // random, not all one sign
    }
}
