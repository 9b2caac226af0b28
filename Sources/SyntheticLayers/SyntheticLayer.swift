#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import DuQuantCore

/// Deterministic synthetic layers with LLaMA's shapes and outliers on a flat Gaussian, for tests and kernel
/// timings at full size. `bench` uses `RealisticLayer` (SwiGLU products), which is closer to real data.
///
/// The activation is a unit Gaussian with a few outlier channels (scaled ×10–50) and a few tokens
/// carrying massive values (±1000–2000) on 1–3 channels, token 0 always among them, the way LLaMA
/// inputs to `down_proj` look. The weight is Gaussian scaled by `1/√in`. Everything is generated on
/// demand from a seed (never stored), in parallel chunks whose numbers do not depend on the thread
/// count, so the same seed always gives the same matrices.
///
/// ```swift
/// let layer = SyntheticLayer.make(.llama2DownProj)          // 2048 × 11008 input, 4096 × 11008 weight
/// let quick = SyntheticLayer.make(.llama2DownProj.quick)    // 512 tokens
/// ```
package enum SyntheticLayer {
    /// The dimensions of a synthetic linear layer.
    package struct Shape: Sendable, Equatable {
        /// Layer name used in reports.
        package var name: String
        /// Rows of the activation.
        package var tokens: Int
        /// Input channels (columns of activation and weight).
        package var inFeatures: Int
        /// Output channels (rows of the weight).
        package var outFeatures: Int

        /// A shape whose X is `tokens` × `inFeatures` and whose W is `outFeatures` × `inFeatures`.
        package init(name: String, tokens: Int, inFeatures: Int, outFeatures: Int) {
            self.name = name
            self.tokens = tokens
            self.inFeatures = inFeatures
            self.outFeatures = outFeatures
        }

        /// LLaMA-2-7B `mlp.down_proj` over 2048 tokens: X 2048 × 11008, W 4096 × 11008.
        package static let llama2DownProj = Shape(name: "llama2-7b.mlp.down_proj", tokens: 2048,
                                                 inFeatures: 11008, outFeatures: 4096)
        /// LLaMA-2-7B `self_attn.q_proj` over 2048 tokens: X 2048 × 4096, W 4096 × 4096.
        package static let llama2QProj = Shape(name: "llama2-7b.self_attn.q_proj", tokens: 2048,
                                              inFeatures: 4096, outFeatures: 4096)

        /// The same layer over 512 tokens (quick runs).
        package var quick: Shape { Shape(name: name, tokens: Swift.min(tokens, 512), inFeatures: inFeatures,
                                        outFeatures: outFeatures) }

        /// Floating-point values of activation plus weight.
        package var elementCount: Int { (tokens + outFeatures) * inFeatures }
    }

    /// The synthetic layer of `shape`; `weight: false` leaves the weight out.
    package static func make(_ shape: Shape, seed: UInt64 = 0, weight: Bool = true) -> LayerData {
        LayerData(name: shape.name, input: activation(tokens: shape.tokens, channels: shape.inFeatures, seed: seed),
                  weight: weight ? gaussianMatrix(rows: shape.outFeatures, cols: shape.inFeatures,
                                                  scale: 1 / Float(shape.inFeatures).squareRoot(),
                                                  seed: seed &+ 0x5EED_0001) : nil)
    }

    /// A tokens × channels activation with outlier channels and massive tokens.
    package static func activation(tokens: Int, channels: Int, seed: UInt64 = 0) -> Matrix {
        var m = gaussianMatrix(rows: tokens, cols: channels, scale: 1, seed: seed)
        guard tokens > 0, channels > 0 else { return m }
        var g = SeededGenerator(seed: seed &+ 0x0071_1E25)
        // Outlier channels: a handful, each a whole column scaled ×10–50.
        let outliers = distinct(Swift.min(channels, 6 + Int(g.next() % 5)), below: channels, using: &g)
        let factors = outliers.map { _ in Float(10 + g.nextUnit() * 40) }
        // Massive activations: token 0 plus two more tokens, on 1–3 fixed channels.
        let massiveChannels = distinct(Swift.min(channels, 1 + Int(g.next() % 3)), below: channels, using: &g)
        var massiveTokens = [0]
        if tokens > 1 { massiveTokens += distinct(Swift.min(tokens - 1, 2), below: tokens - 1, using: &g).map { $0 + 1 } }
        let massiveValues = massiveTokens.map { _ in
            massiveChannels.map { _ in Float(1000 + g.nextUnit() * 1000) * (g.next() & 1 == 0 ? 1 : -1) }
        }
        m.storage.withUnsafeMutableBufferPointer { buf in
            for r in 0..<tokens {
                for (c, f) in zip(outliers, factors) { buf[r * channels + c] *= f }
            }
            for (i, t) in massiveTokens.enumerated() {
                for (j, c) in massiveChannels.enumerated() { buf[t * channels + c] = massiveValues[i][j] }
            }
        }
        return m
    }

    /// A rows × cols matrix of independent normals times `scale`.
    package static func gaussianMatrix(rows: Int, cols: Int, scale: Float, seed: UInt64) -> Matrix {
        var m = Matrix(rows: rows, cols: cols)
        m.storage.withUnsafeMutableBufferPointer { fillGaussian($0, scale: scale, seed: seed) }
        return m
    }

    /// Values per independently seeded chunk; fixed so the numbers never depend on the thread count.
    static let chunk = 1 << 16

    /// Fills `out` with normals × `scale`, in parallel over fixed chunks.
    ///
    /// Box–Muller on pairs in `Float`: `u1, u2` uniform from 24 random bits each give
    /// `√(−2 ln u1)·(cos 2πu2, sin 2πu2)`.
    package static func fillGaussian(_ out: UnsafeMutableBufferPointer<Float>, scale: Float, seed: UInt64) {
        let n = out.count
        guard n > 0, let base = out.baseAddress else { return }
        let chunks = (n + chunk - 1) / chunk
        nonisolated(unsafe) let dst = base
        DispatchQueue.concurrentPerform(iterations: chunks) { k in
            var g = SeededGenerator(seed: seed ^ (UInt64(k) &* 0x9E37_79B9_7F4A_7C15))
            let start = k * chunk, end = Swift.min(n, start + chunk)
            var i = start
            let twoPi = 2 * Float.pi
            while i < end {
                let bits = g.next()
                // 24 bits each; +0.5 keeps u1 in (0, 1) so the logarithm is finite.
                let u1 = (Float(bits >> 40) + 0.5) * (1 / 16_777_216)
                let u2 = Float((bits >> 8) & 0xFF_FFFF) * (1 / 16_777_216)
                let rad = (-2 * logf(u1)).squareRoot() * scale
                let angle = twoPi * u2
                dst[i] = rad * cosf(angle)
                if i + 1 < end { dst[i + 1] = rad * sinf(angle) }
                i += 2
            }
        }
    }

    /// `count` distinct integers below `bound`, in the order drawn.
    static func distinct(_ count: Int, below bound: Int, using g: inout SeededGenerator) -> [Int] {
        var out: [Int] = []
        while out.count < count {
            let v = Int(g.next() % UInt64(bound))
            if !out.contains(v) { out.append(v) }
        }
        return out
    }
}
