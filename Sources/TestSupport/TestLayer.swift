import DuQuantCore

/// Small deterministic layers with the outlier structure DuQuant targets, for tests.
package enum TestLayer {
    /// `tokens` × `channels` activations (Gaussian-ish, a few outlier channels, one massive token value)
    /// and an `out` × `channels` weight, all from `seed`.
    package static func make(name: String = "model.layers.0.mlp.down_proj", tokens: Int = 24, channels: Int = 64,
                             out: Int? = 32, seed: UInt64 = 1) -> LayerData {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
        func next() -> Float {
            // xorshift64*, mapped to a rough N(0, 1) by summing uniforms.
            var s: Float = 0
            for _ in 0..<4 {
                state ^= state >> 12; state ^= state << 25; state ^= state >> 27
                let u = Float((state &* 2_685_821_657_736_338_717) >> 40) / Float(1 << 24)
                s += u
            }
            return (s - 2) * 1.7
        }
        var x = Matrix(rows: tokens, cols: channels)
        let outliers = [channels / 9, channels / 2 + 3]
        for t in 0..<tokens {
            for c in 0..<channels {
                var v = next() * 0.5
                if outliers.contains(c) { v = v * 12 + 6 }
                x[t, c] = v
            }
        }
        x[0, outliers[0]] = 120
        var w: Matrix? = nil
        if let out {
            var m = Matrix(rows: out, cols: channels)
            for i in 0..<m.storage.count { m.storage[i] = next() * 0.05 }
            w = m
        }
        return LayerData(name: name, input: x, weight: w)
    }
}
