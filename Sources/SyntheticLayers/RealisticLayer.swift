#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import DuQuantCore

/// Deterministic synthetic layers whose activations look like real `down_proj` inputs: SwiGLU
/// products with per-channel scales, a few outlier channels and massive values on a few tokens.
///
/// `SyntheticLayer`'s unit Gaussian is flat in a way real activations are not. Real `down_proj` inputs
/// (LLaMA-2, Mistral, SmolLM2) are `silu(g)·u`, where the gate `g` and up projection `u` have
/// per-channel scales, so channel magnitudes spread over an order of magnitude; a few channels are
/// large on every token; and a handful of "massive activations" (hundreds to thousands) sit on 2–3 fixed
/// channels of the first token and one or two other tokens. This generator builds exactly that
/// (defaults in `Recipe`):
///
/// - `g[t,c] = z·sg_c`, `u[t,c] = z'·su_c` with `z, z'` standard normal and per-channel scales
///   `sg_c = exp(0.3·n_c)`, `su_c = exp(0.5·n'_c)` (lognormal, σ 0.3 and 0.5); `x = silu(g)·u`;
/// - ~0.5% of channels (at least one) are normal-outlier channels: the whole column ×10–30;
/// - massive values `±v`, `v` log-uniform in 300–2000, on 2–3 channels of token 0 and of 1–2 other
///   tokens (the same channels for every massive token, as in real models);
/// - the weight is `N(0, 0.02²)`, as in LLaMA-sized checkpoints.
///
/// Every number comes from the seed (the Gaussians in fixed, independently seeded chunks), so the
/// same seed gives the same layer on any number of threads. The q_proj shape gets the same recipe: its
/// input (post-norm hidden states) is not a SwiGLU product, but it has the same outlier structure.
///
/// ```swift
/// let (layer, layout) = RealisticLayer.generate(.llama2DownProj, seed: 0)
/// layout.massiveTokens   // token 0 first, then one or two others
/// ```
package enum RealisticLayer {
    /// The knobs of the generator; the defaults are the documented recipe.
    package struct Recipe: Sendable, Equatable {
        /// σ of the log of the gate's per-channel scale.
        package var gateSigma: Float = 0.3
        /// σ of the log of the up projection's per-channel scale.
        package var upSigma: Float = 0.5
        /// Fraction of channels that are normal-outlier channels (at least one when > 0).
        package var outlierRatio: Double = 0.005
        /// Factor of an outlier channel, uniform in this range.
        package var outlierFactor: ClosedRange<Double> = 10...30
        /// Magnitude of a massive value, log-uniform in this range.
        package var massiveValue: ClosedRange<Double> = 300...2000
        /// How many channels carry the massive values.
        package var massiveChannels: ClosedRange<Int> = 2...3
        /// How many tokens besides token 0 carry them.
        package var otherMassiveTokens: ClosedRange<Int> = 1...2
        /// Standard deviation of the weight.
        package var weightStd: Float = 0.02

        /// The documented recipe: every knob at the default shown above.
        package init() {}
    }

    /// Where the generator put the outliers (for tests and reports).
    package struct Layout: Sendable, Equatable {
        /// The normal-outlier channels, ascending.
        package var outlierChannels: [Int]
        /// Each outlier channel's factor, in the same order.
        package var outlierFactors: [Float]
        /// The channels carrying massive values.
        package var massiveChannels: [Int]
        /// The tokens carrying massive values, token 0 first.
        package var massiveTokens: [Int]
    }

    /// The layer of `shape` (input and, unless `weight` is false, weight).
    package static func make(_ shape: SyntheticLayer.Shape, seed: UInt64 = 0, recipe: Recipe = Recipe(),
                            weight: Bool = true) -> LayerData {
        generate(shape, seed: seed, recipe: recipe, weight: weight).layer
    }

    /// The layer of `shape` and where its outliers are.
    package static func generate(_ shape: SyntheticLayer.Shape, seed: UInt64 = 0, recipe: Recipe = Recipe(),
                                weight: Bool = true) -> (layer: LayerData, layout: Layout) {
        let (x, layout) = activation(tokens: shape.tokens, channels: shape.inFeatures, seed: seed, recipe: recipe)
        let w = weight ? SyntheticLayer.gaussianMatrix(rows: shape.outFeatures, cols: shape.inFeatures,
                                                        scale: recipe.weightStd, seed: seed &+ 0x5EED_0002) : nil
        return (LayerData(name: shape.name, input: x, weight: w), layout)
    }

    /// A tokens × channels SwiGLU activation and its layout.
    package static func activation(tokens: Int, channels: Int, seed: UInt64 = 0,
                                  recipe r: Recipe = Recipe()) -> (Matrix, Layout) {
        var x = SyntheticLayer.gaussianMatrix(rows: tokens, cols: channels, scale: 1, seed: seed &+ 0x6A7E)
        guard tokens > 0, channels > 0 else {
            return (x, Layout(outlierChannels: [], outlierFactors: [], massiveChannels: [], massiveTokens: []))
        }
        let up = SyntheticLayer.gaussianMatrix(rows: tokens, cols: channels, scale: 1, seed: seed &+ 0x0C09)
        var g = SeededGenerator(seed: seed &+ 0x5A1E_5EED)
        let gateScale = (0..<channels).map { _ in expf(r.gateSigma * Float(g.nextGaussian())) }
        var upScales = (0..<channels).map { _ in expf(r.upSigma * Float(g.nextGaussian())) }

        // Normal-outlier channels: the up scale of the column times the factor, so every token has it.
        let outlierCount = r.outlierRatio > 0 ? Swift.min(channels, Swift.max(1, Int((r.outlierRatio * Double(channels)).rounded()))) : 0
        // Each part draws from its own stream, so changing one knob moves nothing else.
        var go = SeededGenerator(seed: seed &+ 0x0071_1E25)
        let outliers = SyntheticLayer.distinct(outlierCount, below: channels, using: &go).sorted()
        let factors = outliers.map { _ in Float(r.outlierFactor.lowerBound + go.nextUnit() * (r.outlierFactor.upperBound - r.outlierFactor.lowerBound)) }
        for (c, f) in zip(outliers, factors) { upScales[c] *= f }
        let upScale = upScales

        var gm = SeededGenerator(seed: seed &+ 0x3A55_1FE5)
        let massiveCount = Swift.min(channels, r.massiveChannels.lowerBound + Int(gm.next() % UInt64(r.massiveChannels.count)))
        let massiveChannels = SyntheticLayer.distinct(massiveCount, below: channels, using: &gm)
        let others = Swift.min(tokens - 1, r.otherMassiveTokens.lowerBound + Int(gm.next() % UInt64(r.otherMassiveTokens.count)))
        let massiveTokens = [0] + SyntheticLayer.distinct(others, below: tokens - 1, using: &gm).map { $0 + 1 }
        let (lo, hi) = (log(r.massiveValue.lowerBound), log(r.massiveValue.upperBound))
        let massive = massiveTokens.map { _ in
            massiveChannels.map { _ in Float(exp(lo + gm.nextUnit() * (hi - lo))) * (gm.next() & 1 == 0 ? 1 : -1) }
        }

        // x = silu(z·sg)·(z'·su), row by row in parallel (each element depends only on its inputs).
        x.storage.withUnsafeMutableBufferPointer { xb in
            up.storage.withUnsafeBufferPointer { ub in
                nonisolated(unsafe) let dst = xb.baseAddress!
                nonisolated(unsafe) let src = ub.baseAddress!
                let rowsPerChunk = Swift.max(1, (1 << 16) / channels)
                DispatchQueue.concurrentPerform(iterations: (tokens + rowsPerChunk - 1) / rowsPerChunk) { k in
                    for t in (k * rowsPerChunk)..<Swift.min(tokens, (k + 1) * rowsPerChunk) {
                        let row = dst + t * channels, u = src + t * channels
                        for c in 0..<channels {
                            let gate = row[c] * gateScale[c]
                            row[c] = gate / (1 + expf(-gate)) * (u[c] * upScale[c])
                        }
                    }
                }
            }
        }
        for (i, t) in massiveTokens.enumerated() {
            for (j, c) in massiveChannels.enumerated() { x[t, c] = massive[i][j] }
        }
        return (x, Layout(outlierChannels: outliers, outlierFactors: factors, massiveChannels: massiveChannels,
                          massiveTokens: massiveTokens))
    }
}
