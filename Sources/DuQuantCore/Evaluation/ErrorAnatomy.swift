/// Where a method's error comes from: which quantizer, and clipping or rounding.
///
/// The output error is measured three ways on the same transformed pair (X̃, W̃): with only the activations
/// quantized, only the weights, and both (the method's figure). Each quantizer's squared error
/// Σ(v − Q(v))² is split into the part from values beyond the clip range of their row (`min·clip`,
/// `max·clip`; `±max(|min|,|max|)·clip` when symmetric), which clipping removed, and the rest, which
/// rounding to the grid cost. With clip ratio 1 nothing lies beyond the range, so the clipping share is 0.
public struct ErrorAnatomy: Sendable, Equatable {
    /// ‖Q(X̃)W̃ᵀ − XWᵀ‖ / ‖XWᵀ‖.
    public var activationsOnly: Float
    /// ‖X̃Q(W̃)ᵀ − XWᵀ‖ / ‖XWᵀ‖.
    public var weightsOnly: Float
    /// ‖Q(X̃)Q(W̃)ᵀ − XWᵀ‖ / ‖XWᵀ‖.
    public var both: Float
    /// Share of the activation quantizer's squared error from clipped values (0…1).
    public var activationClipShare: Float
    /// Share of the weight quantizer's squared error from clipped values (0…1).
    public var weightClipShare: Float

    /// Memberwise: three output errors relative to ‖XWᵀ‖ and two clip shares in 0…1.
    public init(activationsOnly: Float, weightsOnly: Float, both: Float, activationClipShare: Float,
                weightClipShare: Float) {
        self.activationsOnly = activationsOnly
        self.weightsOnly = weightsOnly
        self.both = both
        self.activationClipShare = activationClipShare
        self.weightClipShare = weightClipShare
    }
}

extension FakeQuantizer {
    /// Of Σ(v − q)² over every row of `m` (its fake-quantized `q`), the part from values beyond their row's
    /// clip range and the part from the others: `(clipping, rounding)`.
    ///
    /// With ``searchClip``, `shrinks` are the rows' searched multipliers as quantizing found them
    /// (``quantizeRowsAndShrinks(_:)``); without them each row's is searched again.
    public func errorParts(of m: Matrix, quantized q: Matrix) -> (clipping: Double, rounding: Double) {
        errorParts(of: m, quantized: q, shrinks: nil)
    }

    package func errorParts(of m: Matrix, quantized q: Matrix, shrinks: [Float]?) -> (clipping: Double, rounding: Double) {
        precondition(m.rows == q.rows && m.cols == q.cols)
        precondition(shrinks == nil || shrinks!.count == m.rows)
        guard m.rows > 0, m.cols > 0 else { return (0, 0) }
        let cols = m.cols
        let parts = m.storage.withUnsafeBufferPointer { pm in
            q.storage.withUnsafeBufferPointer { pq in
                nonisolated(unsafe) let a = pm.baseAddress!, b = pq.baseAddress!
                return ParallelRows.mapChunks(count: m.rows, chunk: Swift.max(1, (1 << 16) / cols)) { rows in
                    var clip = 0.0, round = 0.0
                    var guess = 0
                    for r in rows {
                        let row = a + r * cols
                        var (lo, hi) = Self.extremes(row, cols)
                        var shrink: Float = 1
                        if let shrinks {
                            shrink = searchClip ? shrinks[r] : 1
                        } else if searchClip {
                            guess = searchedIndex(row, cols, lo: lo, hi: hi, guess: guess)
                            shrink = Self.searchedRatios[guess]
                        }
                        let k = self.clip * shrink
                        lo *= k
                        hi *= k
                        if symmetric {
                            let bound = Swift.max(Swift.abs(lo), Swift.abs(hi))
                            (lo, hi) = (-bound, bound)
                        }
                        for c in 0..<cols {
                            let v = row[c], d = Double(v) - Double(b[r * cols + c])
                            if v < lo || v > hi { clip += d * d } else { round += d * d }
                        }
                    }
                    return SIMD2(clip, round)
                }
            }
        }.reduce(SIMD2<Double>.zero, +)
        return (parts.x, parts.y)
    }

    /// The clipping part's share of the whole squared error (0 when there is no error); `shrinks` as in
    /// ``errorParts(of:quantized:shrinks:)``.
    public func clipShare(of m: Matrix, quantized q: Matrix) -> Float { clipShare(of: m, quantized: q, shrinks: nil) }

    package func clipShare(of m: Matrix, quantized q: Matrix, shrinks: [Float]?) -> Float {
        let (c, r) = errorParts(of: m, quantized: q, shrinks: shrinks)
        return c + r > 0 ? Float(c / (c + r)) : 0
    }
}
