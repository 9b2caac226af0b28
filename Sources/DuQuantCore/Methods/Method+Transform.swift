/// What a method does to a layer's input dimension, in the one exportable form every method fits.
///
/// Every method here is an invertible transform `T` of the channels, applied to activations as `X·T`
/// and to the weight's input dimension as `W·T⁻ᵀ`, so the layer's exact output is unchanged:
/// RTN is the identity (no tensors), SmoothQuant is the smoothing scales alone, block Hadamard is one block
/// rotation by the normalised Sylvester Hadamard matrix, QuaRot-style is one rotation over the whole width
/// (the randomized Hadamard written out densely, N × N), DuQuant is its calibrated transform. Each method
/// under its own settings (``QuantParams/resolved(for:)``: SmoothQuant's α is its own).
/// `apply(toInput:)` of the result gives the very activation `EvaluationWorkspace` measures for the method.
///
/// ```swift
/// let e = Method.smoothquant.exportableTransform(layer, params)!
/// let xt = e.transform.apply(toInput: layer.input)   // X / s
/// ```
public struct MethodTransform: Sendable {
    /// The method.
    public var method: Method
    /// Its transform of the input dimension.
    public var transform: DuQuantTransform
    /// The DuQuant calibration it came from (DuQuant only).
    public var calibration: DuQuantCalibration?
    /// A note such as the Hadamard block used or why smoothing was skipped.
    public var note: String?
}

extension Method {
    /// The transform this method applies to `layer` under `p`; nil if `cancel` fired (DuQuant's search).
    ///
    /// Built from the same pieces as `EvaluationWorkspace` (``Smoothing/scales(x:w:alpha:)``,
    /// ``Hadamard/blockSize(channels:requested:)``, ``DuQuant/calibrate(_:_:searchRows:retain:cancel:progress:)``).
    public func exportableTransform(_ layer: LayerData, _ p: QuantParams, cancel: CancelToken? = nil,
                                    progress: (@Sendable (Double) -> Void)? = nil) -> MethodTransform? {
        let identity = DuQuantTransform(smoothScales: nil, rotations: [], permutations: [])
        let p = p.resolved(for: self)
        func blockHadamard(note: String?) -> MethodTransform {
            let channels = layer.inFeatures
            let h = Hadamard.blockSize(channels: channels, requested: p.block)
            let k = channels / h
            let rotation = BlockRotation(blockSizes: [Int](repeating: h, count: k),
                                         blocks: [Matrix](repeating: Hadamard.matrix(h), count: k))
            return MethodTransform(method: self, transform: DuQuantTransform(smoothScales: nil, rotations: [rotation], permutations: []),
                                   note: note ?? "hadamard block \(h)")
        }
        switch self {
        case .rtn:
            return MethodTransform(method: self, transform: identity)
        case .smoothquant:
            guard let w = layer.weight else {
                return MethodTransform(method: self, transform: identity, note: "no weight: smoothing skipped (same as RTN)")
            }
            let s = Smoothing.scales(x: layer.input, w: w, alpha: p.alpha)
            return MethodTransform(method: self, transform: DuQuantTransform(smoothScales: s, rotations: [], permutations: []))
        case .hadamard:
            return blockHadamard(note: nil)
        case .quarot:
            let n = layer.inFeatures
            guard let r = RandomizedHadamard(width: n, seed: p.seed) else {
                return blockHadamard(note: EvaluationWorkspace.quarotFallbackNote(width: n, block: Hadamard.blockSize(channels: n, requested: p.block)))
            }
            // Q written out: the rows of I·Q.
            let q = r.apply(to: Matrix.identity(n))
            return MethodTransform(method: self, transform: DuQuantTransform(smoothScales: nil, rotations: [BlockRotation(blockSizes: [n], blocks: [q])],
                                                                            permutations: []),
                                   note: "randomized Hadamard \(r.recipe), signs from seed \(p.seed)")
        case .duquant:
            guard let cal = DuQuant.calibrate(layer, p, retain: .transform, cancel: cancel, progress: progress) else { return nil }
            return MethodTransform(method: self, transform: cal.transform, calibration: cal,
                                   note: !cal.smoothed && p.smooth ? "no weight: smoothing skipped" : nil)
        }
    }
}
