import DuQuantCore

/// One linear layer ready for the quantized forward: its method's transform, the activation quantizer,
/// and the weight transformed and quantized once, `Q(W̃)`.
///
/// The output is `Q(X̃) · Q(W̃)ᵀ` with `X̃ = transform.apply(toInput: X)` and `W̃ = transform.apply(toWeight: W)`:
/// the transform's own code (the one `export` writes and `report` measures with), the core's
/// `FakeQuantizer` per token and per output channel, and the product in double rounded once
/// (`Matrix.outputProduct`).
public struct PreparedLinear: Sendable {
    /// The method's transform of the input dimension.
    public let transform: DuQuantTransform
    /// The per-token activation quantizer; nil leaves activations unquantized (the "A16" of W4A16).
    public let activation: FakeQuantizer?
    /// `Q(W̃)`, out × in.
    public let weight: Matrix

    /// Transforms and quantizes `weight` (out × in) once; `weightQuantizer` nil leaves it unquantized.
    public init(weight: Matrix, transform: DuQuantTransform, weightQuantizer: FakeQuantizer?, activationQuantizer: FakeQuantizer?) {
        let wt = transform.apply(toWeight: weight)
        self.transform = transform
        self.activation = activationQuantizer
        self.weight = weightQuantizer?.quantizeRows(wt) ?? wt
    }

    /// `Q(X̃) · Q(W̃)ᵀ` for the layer's input `x` (tokens × in).
    public func output(_ x: Matrix) -> Matrix { output(x, profile: nil) }

    /// ``output(_:)``, timed into `profile`.
    func output(_ x: Matrix, profile: ForwardProfile?) -> Matrix {
        let xq = profile.measure(.quantize) { () -> Matrix in
            let xt = transform.apply(toInput: x)
            return activation?.quantizeRows(xt) ?? xt
        }
        return profile.measure(.linear) { xq.outputProduct(weight) }
    }

    /// Bytes held (the prepared weight and the transform's matrices).
    public var byteCount: Int { 4 * weight.count + TransformBytes.of(transform) }
}

/// How every linear layer of a forward pass is computed: the layers named here through their
/// ``PreparedLinear``, every other one exactly (`X Wᵀ` in double, rounded once).
///
/// ```swift
/// let fp = ModelLinears.exact
/// let one = ModelLinears(layers: [id: PreparedLinear(weight: model.weight(id), transform: t,
///                                                    weightQuantizer: q4, activationQuantizer: q4)])
/// ```
public struct ModelLinears: Sendable {
    /// The quantized layers.
    public var layers: [LinearID: PreparedLinear]

    /// Layers in `layers` quantized, every other one exact.
    public init(layers: [LinearID: PreparedLinear] = [:]) { self.layers = layers }

    /// Every layer exact: the full-precision model.
    public static let exact = ModelLinears()

    /// The first block with a quantized layer (nil: none): a forward from a full-precision trace can
    /// start there.
    public var firstBlock: Int? { layers.keys.map(\.block).min() }

    /// The output of layer `id` for input `x`.
    public func output(_ id: LinearID, _ x: Matrix, model: LlamaModel) -> Matrix {
        output(id, LinearInput(x), model: model, profile: nil)
    }

    /// The output of layer `id` for `input`, timed into `profile`.
    func output(_ id: LinearID, _ input: LinearInput, model: LlamaModel, profile: ForwardProfile?) -> Matrix {
        if let p = layers[id] { return p.output(input.x, profile: profile) }
        return profile.measure(.linear) { input.x.outputProduct(model.weight(id)) }
    }

    /// Bytes the prepared layers hold.
    public var byteCount: Int { layers.values.reduce(0) { $0 + $1.byteCount } }
}

/// Bytes a transform's tensors hold (scales, rotation blocks, permutations).
enum TransformBytes {
    static func of(_ t: DuQuantTransform) -> Int {
        4 * (t.smoothScales?.count ?? 0) + t.rotations.reduce(0) { $0 + 4 * $1.blocks.reduce(0) { $0 + $1.count } }
            + t.permutations.reduce(0) { $0 + 8 * $1.count }
    }
}

/// The input of one or more linear layers of a block (q, k and v read one, gate and up another).
struct LinearInput {
    /// The input, tokens × in.
    let x: Matrix

    init(_ x: Matrix) { self.x = x }
}
