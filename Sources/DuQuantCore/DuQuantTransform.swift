/// The whole DuQuant transform of a layer's input dimension: smoothing, rotations and permutations.
///
/// `X̃ = (X/s) · R₁ · P₁ · … · R_last` and `W̃ = (W·s) · R₁ · P₁ · … · R_last`, so `X̃ W̃ᵀ = X Wᵀ`.
public struct DuQuantTransform: Sendable, Equatable {
    /// Per-channel smoothing scales, or nil when smoothing is off or impossible (no weight).
    public var smoothScales: [Float]?
    /// The rotation of each rotation stage, in order (`permTimes + 1` of them).
    public var rotations: [BlockRotation]
    /// The permutation after rotation `i` (`permTimes` of them); `out[:, i] = x[:, perm[i]]`.
    public var permutations: [[Int]]

    public init(smoothScales: [Float]?, rotations: [BlockRotation], permutations: [[Int]]) {
        self.smoothScales = smoothScales
        self.rotations = rotations
        self.permutations = permutations
    }

    /// The transformed activation `X̃`.
    public func apply(toInput x: Matrix) -> Matrix {
        var m = smoothScales.map { x.dividingColumns(by: $0) } ?? x
        applyOrthogonal(&m)
        return m
    }

    /// The transformed weight `W̃` (the same transform on the input dimension).
    public func apply(toWeight w: Matrix) -> Matrix {
        var m = smoothScales.map { w.multiplyingColumns(by: $0) } ?? w
        applyOrthogonal(&m)
        return m
    }

    private func applyOrthogonal(_ m: inout Matrix) {
        for (i, rotation) in rotations.enumerated() {
            m = rotation.apply(to: m)
            if i < permutations.count { m = m.gatheringColumns(permutations[i]) }
        }
    }
}
