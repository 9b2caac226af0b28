import DuQuantCore
import Synchronization

/// A model and the tokens it is evaluated on: full-precision and quantized forward passes, each
/// from any block on, cancellable and reporting progress.
///
/// The full-precision trace is computed once and kept; a pass whose quantized layers all lie in blocks
/// ≥ k starts from its hidden state entering block k (``onlyLayers(_:cancel:progress:)``: "only layer L
/// quantized, others FP" costs the blocks from L's on). After a change to layers of block k alone, a pass
/// starts from the previous pass's own trace at k (``run(_:from:base:cancel:progress:)``). Thread-safe;
/// passes run on the caller's thread (BLAS spreads the products over the cores).
///
/// ```swift
/// let session = try ModelSession(model: model, tokens: ids)
/// let fp = session.fullPrecision()!.perplexity
/// let w4a4 = session.run(linears)!.perplexity
/// ```
public final class ModelSession: Sendable {
    /// The model.
    public let model: LlamaModel
    /// Token ids of the evaluation text (the first is the context of the second).
    public let tokens: [Int]
    private let rotary: LlamaForward.Rotary
    private let fp = Mutex<ForwardTrace?>(nil)

    /// A session evaluating `tokens` (at least two, each below the vocabulary size).
    public init(model: LlamaModel, tokens: [Int]) throws(ForwardError) {
        guard tokens.count >= 2 else { throw ForwardError("need at least 2 tokens to measure a perplexity (got \(tokens.count))") }
        if let bad = tokens.first(where: { $0 < 0 || $0 >= model.config.vocab }) {
            throw ForwardError("token id \(bad) is outside the vocabulary (0..<\(model.config.vocab))")
        }
        self.model = model
        self.tokens = tokens
        rotary = LlamaForward.Rotary(tokens: tokens.count, headDim: model.config.headDim, theta: model.config.ropeTheta)
    }

    /// Bytes the session holds besides the model: the kept full-precision trace.
    public var byteCount: Int { fp.withLock { $0?.byteCount } ?? 0 }

    /// The full-precision pass (computed once, then kept); nil if `cancel` fired.
    public func fullPrecision(cancel: CancelToken? = nil, progress: (@Sendable (Double) -> Void)? = nil,
                              profile: ForwardProfile? = nil) -> ForwardTrace? {
        if let kept = fp.withLock({ $0 }) { return kept }
        guard let trace = run(.exact, cancel: cancel, progress: progress, profile: profile) else { return nil }
        fp.withLock { $0 = trace }
        return trace
    }

    /// A pass with only the layers of `linears` quantized, from the full-precision trace at their first
    /// block (the whole model's pass when it has none before it); nil if cancelled.
    public func onlyLayers(_ linears: ModelLinears, cancel: CancelToken? = nil,
                           progress: (@Sendable (Double) -> Void)? = nil) -> ForwardTrace? {
        guard let first = linears.firstBlock, first > 0 else { return run(linears, cancel: cancel, progress: progress) }
        guard let base = fullPrecision(cancel: cancel) else { return nil }
        return run(linears, from: first, base: base, cancel: cancel, progress: progress)
    }

    /// A pass under `linears` from block `start` on, the hidden state entering it taken from `base`
    /// (which must have been computed with the same layers before `start`); nil if `cancel` fired
    /// (checked before every block). `progress` gets the fraction of the blocks to compute done.
    public func run(_ linears: ModelLinears, from start: Int = 0, base: ForwardTrace? = nil, cancel: CancelToken? = nil,
                    progress: (@Sendable (Double) -> Void)? = nil, profile: ForwardProfile? = nil) -> ForwardTrace? {
        let c = model.config
        precondition((0...c.layers).contains(start) && (start == 0 || base != nil), "a pass from block \(start) needs a base trace")
        var entering = start == 0 ? [] : Array(base!.entering[0..<start])
        var h = start == 0 ? LlamaForward.embed(tokens, model.embedding) : base!.entering[start]
        for b in start..<c.layers {
            if cancel?.isCancelled == true { return nil }
            entering.append(h)
            block(b, &h, linears, profile)
            progress?(Double(b - start + 1) / Double(c.layers - start + 1))
        }
        if cancel?.isCancelled == true { return nil }
        let nll = profile.measure(.head) {
            LlamaForward.negativeLogLikelihood(hidden: LlamaForward.rmsNorm(h, model.finalNorm, eps: c.rmsEps), head: model.head, ids: tokens)
        }
        progress?(1)
        return ForwardTrace(entering: entering, meanNLL: nll, blocksComputed: c.layers - start)
    }

    /// Decoder block `b` on the hidden state `h`, in place.
    private func block(_ b: Int, _ h: inout Matrix, _ linears: ModelLinears, _ profile: ForwardProfile?) {
        let c = model.config, w = model.blocks[b]
        func linear(_ m: LlamaModule, _ x: LinearInput) -> Matrix {
            linears.output(LinearID(block: b, module: m), x, model: model, profile: profile)
        }
        let x = LinearInput(profile.measure(.other) { LlamaForward.rmsNorm(h, w.attentionNorm, eps: c.rmsEps) })
        var q = linear(.q, x), k = linear(.k, x)
        let v = linear(.v, x)
        profile.measure(.other) {
            rotary.apply(&q, heads: c.heads)
            rotary.apply(&k, heads: c.kvHeads)
        }
        let attention = profile.measure(.attention) {
            LinearInput(LlamaForward.attention(q: q, k: k, v: v, heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim))
        }
        let o = linear(.o, attention)
        let mlp = LinearInput(profile.measure(.other) { () -> Matrix in
            LlamaForward.add(&h, o)
            return LlamaForward.rmsNorm(h, w.mlpNorm, eps: c.rmsEps)
        })
        let g = linear(.gate, mlp), u = linear(.up, mlp)
        let down = linear(.down, LinearInput(profile.measure(.other) { LlamaForward.swiglu(g, u) }))
        profile.measure(.other) { LlamaForward.add(&h, down) }
    }
}
