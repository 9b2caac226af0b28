import DuQuantCore
import DuQuantIO
import Synchronization

/// The model-level loop of the explorer's Model panel: the perplexity of the whole model with its linear
/// layers quantized by a method, in two scopes, recomputing only what a parameter change touched.
///
/// - ``Scope/all``: every linear layer under the parameters (each calibrated on the dump, in forward order).
/// - ``Scope/layer(_:)``: one layer under the parameters, every other one full precision: the pass starts
///   from the full-precision hidden state entering the layer's block (kept once computed), so a change of a
///   layer in block k costs the blocks from k on and the head.
///
/// Calibrated transforms (``TransformCache``) and quantized weights (``PreparedCache``) are kept by
/// (layer, method, parameters), least recently used dropped beyond their share of the byte budget; each
/// figure is kept by (scope, method, parameters, bits), so going back to a setting is instant. Thread-safe;
/// every call runs on its caller's thread and returns nil when `cancel` fires.
///
/// ```swift
/// let live = try LiveModel(model: model, tokens: ids, dump: dump, budgetBytes: 1 << 30)
/// let fp = live.fullPrecision()!
/// let one = live.perplexity(.layer(LinearID(block: 15, module: .down)), method: .duquant, params: p)!
/// ```
public final class LiveModel: Sendable {
    /// Which layers are quantized.
    public enum Scope: Sendable, Hashable {
        /// Every linear layer of the model.
        case all
        /// This layer alone; the others full precision.
        case layer(LinearID)
    }

    /// The forward session (model, tokens, full-precision trace).
    public let session: ModelSession
    /// The dump the transforms are calibrated on.
    public let dump: DumpFile
    private let transforms: TransformCache
    private let prepared: PreparedCache
    private struct FigureKey: Hashable { var scope: Scope; var method: Method; var key: String }
    private let figures = Mutex<[FigureKey: Double]>([:])

    /// A live loop on `model` evaluated on `tokens`, calibrating on `dump`; its caches hold at most about
    /// `budgetBytes`, and never more than ``settingsKept`` whole-model settings' worth (so that memory levels
    /// off under tuning well below a large budget; ``cacheBudgetBytes``): a quarter for transforms, three
    /// quarters for quantized weights.
    public init(model: LlamaModel, tokens: [Int], dump: DumpFile, budgetBytes: Int) throws(ForwardError) {
        session = try ModelSession(model: model, tokens: tokens)
        self.dump = dump
        let bytes = min(budgetBytes, max(Self.minimumCacheBytes, Self.settingsKept * model.byteCount))
        cacheBudgetBytes = bytes
        transforms = TransformCache(budgetBytes: max(1 << 20, bytes / 4))
        prepared = PreparedCache(budgetBytes: max(1 << 20, bytes - bytes / 4))
        for id in model.linearIDs where dump.layer(named: id.name) == nil {
            throw ForwardError("\(dump.path) has no layer \(id.name): the dump does not come from this model")
        }
    }

    /// Whole-model settings the caches may hold (the current one and a few to go back to).
    public static let settingsKept = 3
    /// The caches' cap for small models (whose transforms weigh as much as their weights).
    public static let minimumCacheBytes = 16 << 20
    /// What the caches may hold together: the budget, capped at ``settingsKept`` times the model's weights
    /// (at least ``minimumCacheBytes``).
    public let cacheBudgetBytes: Int

    /// The full-precision perplexity (the pass computed once, then kept).
    public func fullPrecision(cancel: CancelToken? = nil, progress: (@Sendable (Double) -> Void)? = nil,
                              profile: ForwardProfile? = nil) -> Double? {
        session.fullPrecision(cancel: cancel, progress: progress, profile: profile)?.perplexity
    }

    /// The kept figure of `scope` under `method`, `params` and `setting`, if it was computed.
    public func kept(_ scope: Scope, method: Method, params: QuantParams, setting: QuantSetting) -> Double? {
        figures.withLock { $0[FigureKey(scope: scope, method: method, key: Self.preparedKey(method, params, setting))] }
    }

    /// The perplexity with the layers of `scope` quantized by `method` under `params` at `setting` (nil if
    /// cancelled). `progress` gets the fraction done: calibration and preparation of the layers, then the
    /// blocks of the pass.
    public func perplexity(_ scope: Scope, method: Method, params: QuantParams, setting: QuantSetting,
                           cancel: CancelToken? = nil, progress: (@Sendable (Double) -> Void)? = nil,
                           profile: ForwardProfile? = nil) throws(ForwardError) -> Double? {
        if let hit = kept(scope, method: method, params: params, setting: setting) { progress?(1); return hit }
        let ids: [LinearID]
        switch scope {
        case .all: ids = session.model.linearIDs
        case .layer(let id): ids = [id]
        }
        // Preparing every layer of the model is most of the work of the whole scope; one layer's is small
        // against the pass from its block on.
        let share = ids.count > 1 ? 0.7 : 0.3
        var layers: [LinearID: PreparedLinear] = [:]
        for (i, id) in ids.enumerated() {
            if cancel?.isCancelled == true { return nil }
            guard let p = try prepare(id, method: method, params: params, setting: setting, cancel: cancel, profile: profile) else { return nil }
            layers[id] = p
            progress?(share * Double(i + 1) / Double(ids.count))
        }
        let pass: @Sendable (Double) -> Void = { f in progress?(share + (1 - share) * f) }
        let trace: ForwardTrace?
        switch scope {
        case .all: trace = session.run(ModelLinears(layers: layers), cancel: cancel, progress: pass, profile: profile)
        case .layer: trace = onlyLayers(ModelLinears(layers: layers), cancel: cancel, progress: pass, profile: profile)
        }
        guard let trace else { return nil }
        figures.withLock { $0[FigureKey(scope: scope, method: method, key: Self.preparedKey(method, params, setting))] = trace.perplexity }
        return trace.perplexity
    }

    /// Per-layer sensitivity: for each layer of `ids` (default: every linear layer), the perplexity with that
    /// layer alone quantized, the others full precision; `partial` gets each figure as it is measured
    /// (layers from the last block first: the cheapest). Nil if cancelled.
    public func sensitivity(method: Method, params: QuantParams, setting: QuantSetting, layers ids: [LinearID]? = nil,
                            cancel: CancelToken? = nil, progress: (@Sendable (Double) -> Void)? = nil,
                            partial: ((LinearID, Double) -> Void)? = nil) throws(ForwardError) -> [LinearID: Double]? {
        let ids = (ids ?? session.model.linearIDs).sorted(by: >)
        let layers = session.model.config.layers
        // The work of a layer is about the blocks from its own on.
        let weights = ids.map { Double(layers - $0.block) + 1 }
        let total = weights.reduce(0, +)
        var done = 0.0
        var out: [LinearID: Double] = [:]
        for (id, w) in zip(ids, weights) {
            let before = done
            let step: @Sendable (Double) -> Void = { f in progress?((before + w * f) / total) }
            guard let ppl = try perplexity(.layer(id), method: method, params: params, setting: setting, cancel: cancel, progress: step) else { return nil }
            out[id] = ppl
            partial?(id, ppl)
            done += w
        }
        return out
    }

    /// Transforms and quantized weights kept, and their bytes.
    public var cacheUsage: (transforms: Int, transformBytes: Int, prepared: Int, preparedBytes: Int) {
        let t = transforms.usage, p = prepared.usage
        return (t.count, t.bytes, p.count, p.bytes)
    }

    /// Bytes held by the caches and the session's kept trace.
    public var byteCount: Int { transforms.usage.bytes + prepared.usage.bytes + session.byteCount }

    // MARK: Pieces

    /// Layer `id` ready for the pass: its transform (kept, else calibrated on the dump) and `Q(W̃)` (kept,
    /// else computed); nil if cancelled.
    func prepare(_ id: LinearID, method: Method, params: QuantParams, setting: QuantSetting,
                 cancel: CancelToken?, profile: ForwardProfile?) throws(ForwardError) -> PreparedLinear? {
        let key = Self.preparedKey(method, params, setting)
        if let hit = prepared.get(id.name, key) { return hit }
        let transform: DuQuantTransform?
        do {
            transform = try transforms.transform(layer: id.name, method: method, params: Self.transformKey(method, params)) {
                try profile.measure(.calibration) {
                    try DumpCalibration.calibrate(id.name, of: dump, method: method, params, cancel: cancel).transform?.transform
                }
            }
        } catch let e as DumpError {
            throw ForwardError(e.description)
        } catch {
            throw ForwardError("\(id.name): \(error)")
        }
        guard let transform, cancel?.isCancelled != true else { return nil }
        let (w, a) = setting.quantizers(params, method)
        let p = profile.measure(.prepare) {
            PreparedLinear(weight: session.model.weight(id), transform: transform, weightQuantizer: w, activationQuantizer: a)
        }
        prepared.put(id.name, key, p)
        return p
    }

    /// Only the layers of `linears` quantized, from the full-precision trace at their first block.
    private func onlyLayers(_ linears: ModelLinears, cancel: CancelToken?, progress: (@Sendable (Double) -> Void)?,
                            profile: ForwardProfile?) -> ForwardTrace? {
        guard let first = linears.firstBlock, first > 0 else {
            return session.run(linears, cancel: cancel, progress: progress, profile: profile)
        }
        guard let base = session.fullPrecision(cancel: cancel) else { return nil }
        return session.run(linears, from: first, base: base, cancel: cancel, progress: progress, profile: profile)
    }

    /// The parameters `method`'s transform depends on (bits and clipping are not among them).
    static func transformKey(_ method: Method, _ p: QuantParams) -> String {
        let r = p.resolved(for: method)
        switch method {
        case .rtn: return "rtn"
        case .smoothquant: return "alpha \(r.alpha)"
        case .hadamard: return "block \(r.block)"
        case .quarot: return "seed \(r.seed) block \(r.block)"
        case .duquant: return String(describing: r.calibrationKey)
        }
    }

    /// The parameters a quantized layer depends on: its transform's and its quantizers'.
    static func preparedKey(_ method: Method, _ p: QuantParams, _ setting: QuantSetting) -> String {
        let (w, a) = setting.quantizers(p, method)
        return transformKey(method, p) + " | W " + String(describing: w) + " | A " + String(describing: a)
    }
}
