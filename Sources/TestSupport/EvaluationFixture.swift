import DuQuantCore
import ExplorerModel

/// Fixed evaluations for screen tests: layers with hand-made stage matrices, greedy traces, a permutation,
/// smoothing scales and every method's figures, given to the app as the effect executor would give them
/// (``answer(_:)``) without running the numeric core. Screens drawn from them change only when the view
/// does; one end-to-end snapshot of the real pipeline is kept apart.
///
/// The stage matrices are patterns with the shape of DuQuant's stages, not a calibration (see
/// ``Layer/init(_:index:)``): outlier channels and one massive value in the original, divided by the
/// smoothing scales, spread over their blocks by "rotation 1", dealt across blocks by the permutation,
/// flat after "rotation 2", and a small error after quantization.
///
/// ```swift
/// let fixture = EvaluationFixture.threeLayers
/// var driver = FixtureDriver(fixture: fixture, state: AppState(files: fixture.files, layers: fixture.entries))
/// driver.start()   // opens layer 0 and evaluates it from the fixture
/// ```
package struct EvaluationFixture: Sendable {
    /// What a layer is made from.
    package struct Spec: Sendable {
        package var name: String
        package var tokens: Int
        /// Input channels, a multiple of `block`.
        package var channels: Int
        package var out: Int
        /// Channels per block (the state's `params.block` should say the same).
        package var block: Int
        /// Greedy steps at most per block (the state's `params.steps`).
        package var steps: Int
        /// Outlier channels; the first holds the massive value at token 0.
        package var outliers: [Int]
        package var massive: Float
        /// The list's max |x| over median |x| (below ``ExplorerDefaults/autoLogRatio``: a linear scale).
        package var ratio: Float

        package init(name: String, tokens: Int, channels: Int, out: Int, block: Int, steps: Int, outliers: [Int],
                     massive: Float, ratio: Float) {
            precondition(channels % block == 0, "channels must be whole blocks")
            self.name = name
            self.tokens = tokens
            self.channels = channels
            self.out = out
            self.block = block
            self.steps = steps
            self.outliers = outliers
            self.massive = massive
            self.ratio = ratio
        }
    }

    package var layers: [Layer]
    /// Token texts, repeated over each layer's tokens.
    package var tokens: [String]?
    package var file: String

    package init(_ specs: [Spec], tokens: [String]?, file: String = "synthetic.safetensors") {
        layers = specs.enumerated().map { Layer($1, index: $0) }
        self.tokens = tokens
        self.file = file
    }

    package var files: [String] { [file] }

    /// The layer list's entries.
    package var entries: [LayerEntry] {
        layers.map { l in
            let kind = String(l.data.name.split(separator: ".").last?.split(separator: "_").first ?? "")
            return LayerEntry(name: l.data.name, kind: kind, tokens: l.data.tokens, inFeatures: l.data.inFeatures,
                              outFeatures: l.data.outFeatures)
        }
    }

    /// Three 32 × 96 layers (blocks of 32, outliers in channels 10 and 51, 120 at token 0 of channel 10),
    /// with the token texts of a short sentence.
    package static let threeLayers = EvaluationFixture(
        ["model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.o_proj", "model.layers.0.mlp.down_proj"].map {
            Spec(name: $0, tokens: 32, channels: 96, out: 48, block: 32, steps: 16, outliers: [10, 51], massive: 120, ratio: 328)
        },
        tokens: ["<s>", "The", "▁cat", "▁sat"])

    /// One toy layer of 8 tokens in blocks of 4 channels whose two outlier channels share block 0: small
    /// enough for the teaching view to print every value.
    package static func toy(channels: Int = 16) -> EvaluationFixture {
        EvaluationFixture([Spec(name: "model.layers.0.mlp.down_proj", tokens: 8, channels: channels, out: 8, block: 4, steps: 2,
                                outliers: [1, 3], massive: 16.6, ratio: 50)],
                          tokens: ["t0", "t1", "t2", "t3"])
    }

    /// The full-precision perplexity the fixture answers for a Model panel.
    package static let modelFullPrecision = 20.0

    /// The fixture's model-level figure of `r`: FP + abits, + 10 for all layers, + the method's index.
    package static func modelFigure(_ r: ModelRequest) -> Double {
        modelFullPrecision + Double(r.params.abits) + (r.scope == .all ? 10 : 0) + Double(Method.allCases.firstIndex(of: r.method)!)
    }

    /// The messages the effect executor would post for `effect`, from the fixed data. The background scan,
    /// the seed spread and held-out tokens are not answered (their jobs stay marked busy); the Model panel's
    /// figures are ``modelFigure(_:)``'s.
    package func answer(_ effect: Effect) -> [Msg] {
        switch effect {
        case let .loadLayer(index, generation):
            guard layers.indices.contains(index) else {
                return [.failed(kind: .load, generation: generation, message: "no layer \(index)")]
            }
            let l = layers[index]
            let texts = tokens.map { t in (0..<l.data.tokens).map { t[$0 % t.count] } }
            return [.layerLoaded(generation: generation, index: index, layer: l.data, tokens: texts, summary: l.summary,
                                 stats: StageStats.of(l.data.input))]
        case let .evaluate(index, params, generation, anatomy):
            guard layers.indices.contains(index) else { return [] }
            let e = layers[index].evaluation(params, anatomy: anatomy)
            return [.evaluated(generation: generation, evaluation: e, stats: e.calibration.map { StageStats.of($0) } ?? [:])]
        case let .stepThrough(calibration, rotation, step, generation):
            let m = Layer.stepped(calibration, rotation: rotation, step: step)
            return [.stepped(generation: generation, rotation: rotation, step: step, matrix: m, stats: StageStats.of(m))]
        case let .modelPerplexity(request, withFullPrecision, generation):
            let fp: [Msg] = withFullPrecision ? [.model(.fullPrecision(generation: generation, perplexity: Self.modelFullPrecision))] : []
            return fp + [.model(.figure(generation: generation, request: request, perplexity: Self.modelFigure(request)))]
        case let .modelSensitivity(_, params, generation):
            let names = layers.map(\.data.name)
            return names.enumerated().map { i, name in
                .model(.sensitivity(generation: generation, layer: name, perplexity: Self.modelFullPrecision + Double(i + 1) * Double(params.abits) / 4,
                                    finished: i == names.count - 1))
            }
        case .scanLayers, .seedSpread, .heldOut, .cancel:
            return []
        }
    }
}
