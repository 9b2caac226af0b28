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

    /// Assembles a transform from its stages (unchecked: a pipeline gives `permutations.count + 1` rotations).
    public init(smoothScales: [Float]?, rotations: [BlockRotation], permutations: [[Int]]) {
        self.smoothScales = smoothScales
        self.rotations = rotations
        self.permutations = permutations
    }

    /// The transformed activation `X̃`.
    public func apply(toInput x: Matrix) -> Matrix {
        applied(to: x, scaleRowsBy: smoothScales.map { $0.map { 1 / $0 } })
    }

    /// The transformed weight `W̃` (the same transform on the input dimension).
    public func apply(toWeight w: Matrix) -> Matrix {
        applied(to: w, scaleRowsBy: smoothScales)
    }

    // The smoothing is folded into the first rotation: `(X·diag(d))·R = X·(diag(d)·R)`, and scaling the
    // rows of each small block matrix saves a whole pass over the (large) activation or weight.
    private func applied(to m: Matrix, scaleRowsBy d: [Float]?) -> Matrix {
        var m = m
        for (i, rotation) in rotations.enumerated() {
            m = (i == 0 ? d.map { rotation.scalingRows(by: $0) } ?? rotation : rotation).apply(to: m)
            if i < permutations.count { m = m.gatheringColumns(permutations[i]) }
        }
        if rotations.isEmpty, let d { m = m.multiplyingColumns(by: d) }
        return m
    }
}
