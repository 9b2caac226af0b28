/// A split of a layer's tokens: transforms are fitted on some and scored on the others.
///
/// The official method calibrates on one set of samples and is evaluated on others; fitting and scoring on
/// the same tokens flatters the methods that fit (SmoothQuant's scales, DuQuant's rotations).
public struct TokenSplit: Sendable, Equatable {
    /// Tokens the transforms are fitted on.
    public var fit: [Int]
    /// Tokens the figures are measured on.
    public var eval: [Int]
    /// How the split was asked for (`0:128`, `even`, `odd`).
    public var spec: String

    /// Parses `spec` for a layer of `tokens` tokens: `A:B` fits on tokens A ..< B and scores on the rest;
    /// `even` fits on even tokens and scores on odd ones; `odd` the other way round.
    public init(_ spec: String, tokens: Int) throws(ParameterError) {
        self.spec = spec
        let all = Array(0..<tokens)
        switch spec {
        case "even": fit = all.filter { $0 % 2 == 0 }
        case "odd": fit = all.filter { $0 % 2 == 1 }
        default:
            let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), 0 <= a, a < b, b <= tokens else {
                throw ParameterError("--calib-tokens must be A:B with 0 ≤ A < B ≤ \(tokens), even or odd (got '\(spec)')")
            }
            fit = Array(a..<b)
        }
        let fitted = Set(fit)
        eval = all.filter { !fitted.contains($0) }
        guard !fit.isEmpty, !eval.isEmpty else {
            throw ParameterError("--calib-tokens \(spec) leaves no tokens to \(fit.isEmpty ? "fit on" : "score on") (\(tokens) tokens)")
        }
    }

    /// Checks the form of `spec` (`A:B` with 0 ≤ A < B, `even`, `odd`) before any layer's token count is known.
    public static func checkForm(_ spec: String) throws(ParameterError) {
        if spec == "even" || spec == "odd" { return }
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), 0 <= a, a < b else {
            throw ParameterError("--calib-tokens must be A:B with 0 ≤ A < B, even or odd (got '\(spec)')")
        }
    }

    /// `0:128 → 128 fit, 128 held out`, for outputs.
    public var description: String { "\(spec): fit on \(fit.count) tokens, scored on the other \(eval.count)" }
}

/// Where held-out figures come from: other tokens of the same layer, or the same-named layer of another file.
public enum HeldOutSource: Sendable, Equatable {
    /// Fitted on `split.fit`, scored on `split.eval` (`--calib-tokens`).
    case tokens(TokenSplit)
    /// Fitted on all `fitTokens` tokens of the layer, scored on the `evalTokens` tokens of the layer of the
    /// same name in `file` (`--eval-file`).
    case file(String, fitTokens: Int, evalTokens: Int)

    /// How it was asked for: `0:128`, `even`, or `file:PATH`.
    public var spec: String {
        switch self {
        case .tokens(let s): s.spec
        case .file(let path, _, _): "file:" + path
        }
    }

    /// The file the held-out tokens come from, if another one.
    public var evalFile: String? {
        if case .file(let path, _, _) = self { return path }
        return nil
    }

    /// Number of tokens the transforms are fitted on.
    public var fitTokens: Int {
        switch self {
        case .tokens(let s): s.fit.count
        case .file(_, let n, _): n
        }
    }

    /// Number of tokens the figures are scored on.
    public var evalTokens: Int {
        switch self {
        case .tokens(let s): s.eval.count
        case .file(_, _, let n): n
        }
    }

    /// For outputs: which tokens fitted the transforms and which were scored (`file` as the caller shows it).
    public func description(file shown: String? = nil) -> String {
        switch self {
        case .tokens(let s): "token split " + s.description
        case .file(let path, let fit, let eval):
            "fit on all \(fit) tokens of this file, scored on the \(eval) tokens of the same layer in \(shown ?? path)"
        }
    }
}

/// Figures measured on held-out tokens with transforms fitted on others.
public struct HeldOutFigures: Sendable {
    /// Which tokens fitted the transforms and which were scored.
    public var source: HeldOutSource
    /// Each method's figures on the scored tokens, with transforms fitted on the others.
    public var methods: [Method: MethodMetrics]

    /// Held-out figures `methods` measured as `source` says.
    public init(source: HeldOutSource, methods: [Method: MethodMetrics]) {
        self.source = source
        self.methods = methods
    }
}

extension Evaluator {
    /// Every method fitted on `split.fit`'s tokens and measured on `split.eval`'s: nothing is refitted on
    /// the tokens that are scored. Nil if cancelled.
    public static func evaluateHeldOut(_ layer: LayerData, _ p: QuantParams, split: TokenSplit,
                                       methods: [Method] = Method.allCases, cancel: CancelToken? = nil) -> LayerEvaluation? {
        let clean = layer.replacingNonFinite()
        return evaluateHeldOut(fit: LayerData(name: clean.name, input: clean.input.gatheringRows(split.fit), weight: clean.weight),
                               scoring: clean.input.gatheringRows(split.eval), p, methods: methods, cancel: cancel)
    }

    /// Every method fitted on `fit` (its input and weight) and measured on the input `scoring` (other tokens
    /// of the same layer, or of the same layer run on another text) with `fit`'s weight. DuQuant's
    /// `calibration`, if given, must have been fitted on `fit` with `p`. Nil if cancelled.
    public static func evaluateHeldOut(fit fitLayer: LayerData, scoring evalInput: Matrix, _ p: QuantParams,
                                       methods: [Method] = Method.allCases, calibration given: DuQuantCalibration? = nil,
                                       cancel: CancelToken? = nil) -> LayerEvaluation? {
        precondition(evalInput.cols == fitLayer.inFeatures, "held-out input has other in_features")
        let clean = fitLayer.replacingNonFinite()
        let evalX = LayerData(name: clean.name, input: evalInput, weight: nil).replacingNonFinite().input
        let reference = clean.weight.map { evalX.outputProduct($0) }
        var out = LayerEvaluation(name: clean.name, tokens: evalX.rows, inFeatures: clean.inFeatures,
                                  outFeatures: clean.outFeatures, params: p, methods: [:], calibration: nil,
                                  nonFinite: clean.nonFinite)
        for method in methods.sorted() {
            if cancel?.isCancelled == true { return nil }
            let p = p.resolved(for: method)  // each method under its own settings
            // SmoothQuant's scales and DuQuant's rotations fitted on the fit tokens only; nothing refitted here.
            guard let t = EvaluationWorkspace.transform(method, fit: clean, scoring: evalX, p, calibration: given,
                                                        cancel: cancel, progress: nil) else { return nil }
            if let cal = t.calibration { out.calibration = cal }
            out.methods[method] = measure(x: t.x, w: t.w, reference: reference, p: p, cancel: cancel)
        }
        return out
    }
}
