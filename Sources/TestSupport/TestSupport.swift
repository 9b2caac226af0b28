import DuQuantCore

/// Deterministic test data for the numeric core.
package enum TestData {
    /// A tokens × channels activation with Gaussian noise, a few outlier channels and one massive
    /// outlier token (a down_proj-like input).
    package static func activation(tokens: Int, channels: Int, seed: UInt64 = 1,
                                   outlierChannels: [Int] = [], massive: (token: Int, channel: Int, value: Float)? = nil) -> Matrix {
        var g = SeededGenerator(seed: seed)
        var m = Matrix(rows: tokens, cols: channels)
        for i in m.storage.indices { m.storage[i] = Float(g.nextGaussian()) }
        for c in outlierChannels where c < channels {
            for t in 0..<tokens { m[t, c] *= 20 }
        }
        if let massive { m[massive.token, massive.channel] = massive.value }
        return m
    }

    /// A Gaussian weight, out × in, scaled like a trained layer.
    package static func weight(out: Int, in inFeatures: Int, seed: UInt64 = 2) -> Matrix {
        var g = SeededGenerator(seed: seed)
        var m = Matrix(rows: out, cols: inFeatures)
        let s = 1 / Double(inFeatures).squareRoot()
        for i in m.storage.indices { m.storage[i] = Float(g.nextGaussian() * s) }
        return m
    }

    /// ‖AᵀA − I‖_max: how far a square matrix is from orthogonal.
    package static func orthogonalityError(_ a: Matrix) -> Float {
        let p = a.transposed().multiplied(by: a)
        var worst: Float = 0
        for r in 0..<p.rows { for c in 0..<p.cols { worst = max(worst, abs(p[r, c] - (r == c ? 1 : 0))) } }
        return worst
    }

    /// ‖A − B‖_F / ‖B‖_F.
    package static func relativeDifference(_ a: Matrix, _ b: Matrix) -> Double {
        var n = 0.0
        for i in a.storage.indices { let d = Double(a.storage[i]) - Double(b.storage[i]); n += d * d }
        return n.squareRoot() / b.frobeniusNorm
    }
}
