import DuQuantCore
import SyntheticLayers
import Testing

/// The realistic (SwiGLU) layer generator: seeded, and shaped as documented.
@Suite struct RealisticLayerTests {
    static let shape = SyntheticLayer.Shape(name: "test.down_proj", tokens: 96, inFeatures: 2048, outFeatures: 64)

    @Test func theSameSeedGivesTheSameLayerAndAnotherSeedAnother() {
        let a = RealisticLayer.generate(Self.shape, seed: 7)
        let b = RealisticLayer.generate(Self.shape, seed: 7)
        let c = RealisticLayer.generate(Self.shape, seed: 8)
        #expect(a.layer.input == b.layer.input && a.layer.weight == b.layer.weight && a.layout == b.layout)
        #expect(a.layer.input != c.layer.input && a.layer.weight != c.layer.weight)
    }

    @Test func massiveValuesSitOnTwoOrThreeChannelsOfTokenZeroAndOneOrTwoOthers() {
        for seed: UInt64 in 0..<6 {
            let (layer, layout) = RealisticLayer.generate(Self.shape, seed: seed, weight: false)
            let x = layer.input
            #expect(layout.massiveTokens.first == 0)
            #expect((2...3).contains(layout.massiveTokens.count), "token 0 plus 1–2 others")
            #expect((2...3).contains(layout.massiveChannels.count))
            for t in layout.massiveTokens {
                for c in layout.massiveChannels { #expect((300...2000).contains(abs(x[t, c])), "x[\(t), \(c)] = \(x[t, c])") }
            }
            // Token 0's largest value is a massive one.
            let row0 = (0..<x.cols).map { abs(x[0, $0]) }
            #expect(row0.max()! >= 300)
            #expect(layout.massiveChannels.contains(row0.firstIndex(of: row0.max()!)!))
        }
    }

    @Test func aboutHalfAPercentOfChannelsAreOutliersScaledOnEveryToken() {
        let (layer, layout) = RealisticLayer.generate(Self.shape, seed: 3, weight: false)
        var flat = RealisticLayer.Recipe()
        flat.outlierRatio = 0
        let (base, baseLayout) = RealisticLayer.generate(Self.shape, seed: 3, recipe: flat, weight: false)
        #expect(baseLayout.outlierChannels.isEmpty && baseLayout.massiveChannels == layout.massiveChannels)
        #expect(layout.outlierChannels.count == 10)  // round(0.005 × 2048)
        let ratio = Double(layout.outlierChannels.count) / Double(Self.shape.inFeatures)
        #expect(ratio > 0.004 && ratio < 0.006)
        let x = layer.input, x0 = base.input
        let massive = Set(layout.massiveTokens.flatMap { t in layout.massiveChannels.map { t * x.cols + $0 } })
        for (c, f) in zip(layout.outlierChannels, layout.outlierFactors) {
            #expect((10...30).contains(f))
            for t in 0..<x.rows where !massive.contains(t * x.cols + c) {
                #expect(abs(x[t, c] - f * x0[t, c]) <= 1e-4 * abs(f * x0[t, c]) + 1e-30, "channel \(c), token \(t)")
            }
        }
        // Every other channel is untouched by the outlier recipe.
        let outliers = Set(layout.outlierChannels)
        for c in 0..<x.cols where !outliers.contains(c) {
            for t in 0..<x.rows where !massive.contains(t * x.cols + c) { #expect(x[t, c] == x0[t, c]) }
        }
    }

    @Test func channelScalesSpreadAndTheWeightIsNormalWithStd002() throws {
        let (layer, layout) = RealisticLayer.generate(Self.shape, seed: 1)
        let x = layer.input
        let skip = Set(layout.outlierChannels + layout.massiveChannels)
        var rms: [Double] = []
        for c in 0..<x.cols where !skip.contains(c) {
            var s = 0.0
            for t in 1..<x.rows { s += Double(x[t, c]) * Double(x[t, c]) }
            rms.append((s / Double(x.rows - 1)).squareRoot())
        }
        rms.sort()
        // Lognormal channel scales: the 95th percentile channel is several times the 5th.
        let spread = rms[rms.count * 95 / 100] / rms[rms.count * 5 / 100]
        #expect(spread > 3 && spread < 30, "\(spread)")
        let w = try #require(layer.weight)
        let n = Double(w.storage.count)
        let mean = w.storage.reduce(0.0) { $0 + Double($1) } / n
        let std = (w.storage.reduce(0.0) { $0 + Double($1) * Double($1) } / n - mean * mean).squareRoot()
        #expect(abs(mean) < 1e-3 && abs(std - 0.02) < 0.0005, "mean \(mean), std \(std)")
    }
}
