import DuQuantCore
import SyntheticLayers
import Testing

/// A DuQuant preview: the greedy searches look at a sample of the tokens, everything else at all of them.
@Suite struct PreviewCalibrationTests {
    static let shape = SyntheticLayer.Shape(name: "realistic.mlp.down_proj", tokens: 192, inFeatures: 320, outFeatures: 96)

    static func params() -> QuantParams {
        var p = QuantParams()
        p.block = 64
        p.steps = 24
        return p
    }

    // Searching "on a sample" that is every token is the calibration itself.
    @Test func searchingOnEveryTokenIsTheFullCalibration() throws {
        let layer = RealisticLayer.generate(Self.shape).layer
        let p = Self.params()
        let full = try #require(DuQuant.calibrate(layer, p))
        let all = try #require(DuQuant.calibrate(layer, p, searchRows: Array(0..<layer.tokens)))
        #expect(all.traces == full.traces)
        #expect(all.transform.smoothScales == full.transform.smoothScales)
        #expect(all.transform.permutations == full.transform.permutations)
        #expect(all.matrix(.rotation2) == full.matrix(.rotation2))
    }

    // The searches see only the sampled tokens (their traces are those of a search on those rows), while
    // the smoothing scales still come from every token, and the transform keeps X Wᵀ.
    @Test func aPreviewSearchesOnlyTheSampleAndSmoothsWithEveryToken() throws {
        let layer = RealisticLayer.generate(Self.shape).layer
        let w = try #require(layer.weight)
        let p = Self.params()
        let rows = Array(stride(from: 0, to: layer.tokens, by: 6))
        let preview = try #require(DuQuant.calibrate(layer, p, searchRows: rows))
        let full = try #require(DuQuant.calibrate(layer, p))
        #expect(preview.transform.smoothScales == full.transform.smoothScales)
        #expect(preview.traces != full.traces)
        // The first stage's searches, redone on the sampled rows of the smoothed input, choose the same.
        let smoothed = full.matrix(.smoothed).gatheringRows(rows)
        let sub = LayerData(name: layer.name, input: smoothed, weight: nil)
        var q = p
        q.smooth = false
        let onSample = try #require(DuQuant.calibrate(sub, q))
        #expect(preview.traces[0] == onSample.traces[0])
        // The last stage is computed on the searched rows only.
        #expect(preview.matrix(.rotation2).rows == rows.count)
        // Still an orthogonal change of basis: X̃ W̃ᵀ = X Wᵀ.
        let xt = preview.transform.apply(toInput: layer.input), wt = preview.transform.apply(toWeight: w)
        let y = layer.input.multipliedTransposed(by: w), yt = xt.multipliedTransposed(by: wt)
        var worst: Float = 0
        for i in y.storage.indices { worst = max(worst, abs(y.storage[i] - yt.storage[i])) }
        let scale = y.storage.map(abs).max() ?? 1
        #expect(worst <= 1e-4 * scale, "max |ΔY| \(worst) of \(scale)")
    }

    // The explorer's estimate uses a preview only when the search on all tokens would cost more than
    // `previewFlops`: a 7B-shaped down_proj does, a SmolLM2 attention layer does not.
    @Test func previewTokensFollowTheSearchCost() {
        let big = LayerData(name: "d", input: Matrix(rows: 2048, cols: 11008), weight: nil)
        let small = LayerData(name: "s", input: Matrix(rows: 256, cols: 576), weight: nil)
        let p = QuantParams()
        let n = EvaluationWorkspace.previewTokens(big, p)
        #expect(n != nil && n! >= 32 && n! < 256)
        let perToken = 2 * Double(p.steps) * Double(p.permTimes + 1) * 11008 * Double(p.block)
        #expect(Double(n!) * perToken <= EvaluationWorkspace.previewFlops || n == 32)
        #expect(EvaluationWorkspace.previewTokens(small, p) == nil)
    }
}
