/// The Hadamard-rotation baseline: a normalised Sylvester Hadamard matrix on every block of channels.
public enum Hadamard {
    /// The normalised Sylvester Hadamard matrix of size `n` (a power of two): `H·Hᵀ = I`.
    public static func matrix(_ n: Int) -> Matrix {
        precondition(n > 0 && n & (n - 1) == 0, "Hadamard size must be a power of two")
        var h = Matrix(rows: n, cols: n)
        let v = 1 / Float(n).squareRoot()
        for r in 0..<n {
            for c in 0..<n {
                // Sylvester: H[r][c] = (−1)^popcount(r & c).
                h[r, c] = (r & c).nonzeroBitCount % 2 == 0 ? v : -v
            }
        }
        return h
    }

    /// The block size the baseline uses for `channels` input channels when asked for `block`:
    /// the largest power of two ≤ `block` that divides `channels` (1 if none larger).
    public static func blockSize(channels: Int, requested block: Int) -> Int {
        var h = 1
        while h * 2 <= block && channels % (h * 2) == 0 { h *= 2 }
        return h
    }

    /// `m` with every block of `n` channels multiplied by the Hadamard matrix of size `n`.
    public static func apply(_ m: Matrix, block n: Int) -> Matrix {
        let h = matrix(n)
        let blocks = [Matrix](repeating: h, count: m.cols / n)
        return BlockRotation(blockSizes: [Int](repeating: n, count: m.cols / n), blocks: blocks).apply(to: m)
    }
}
