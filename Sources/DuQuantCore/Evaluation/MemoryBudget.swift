import DuQuantCompute

/// The most memory the analysis may take, checked before any allocation whose size comes from a file.
///
/// A file's shapes are claims: an 800 KB dump with an input of 100000×1 and a weight of 100000×1 asks
/// for a 100000×100000 output product (40 GB). Every size derived from shapes is checked here first and
/// refused with a one-line reason instead of aborting in the allocator. The output product itself is
/// never held whole when it is large (see ``Evaluator``'s tiles), so what is checked is the layer and
/// its transformed copies.
///
/// The default is half the physical memory (or of the cgroup or address-space limit, if lower);
/// `--memory-budget SIZE` overrides it.
///
/// ```swift
/// if let problem = MemoryBudget.problem(needing: 48 << 30, for: "layer x") { print(problem) }
/// ```
public enum MemoryBudget {
    /// Share of the available memory the default budget allows.
    public static let defaultFraction = 0.5

    private static let override = Locked<Int?>(nil)

    /// A budget for the work bound inside `$scoped.withValue(…)` on this thread (one command of many in
    /// the same process, as in tests); it wins over the process-wide one.
    @TaskLocal public static var scoped: Int?

    /// The budget in bytes: the scoped one, else the process-wide override, else the default.
    public static var bytes: Int { scoped ?? override.withLock { $0 } ?? defaultBytes }

    /// Sets the process-wide budget (nil restores the default): for the explorer, whose work runs on
    /// other threads.
    public static func set(_ bytes: Int?) { override.withLock { $0 = bytes } }

    /// Half of the smallest of physical memory, the cgroup's `memory.max` and `RLIMIT_AS`
    /// (``ProcessMemory/availableBytes()`` in DuQuantCompute).
    public static let defaultBytes: Int = Int(Double(ProcessMemory.availableBytes()) * defaultFraction)

    /// A size such as `512M`, `4G`, `1.5g`, `64k` or a plain byte count; nil if malformed or ≤ 0.
    public static func parse(_ text: String) -> Int? {
        var t = text.lowercased()
        if t.hasSuffix("b") { t.removeLast() }
        let scale: Double
        switch t.last {
        case "k": scale = 1024
        case "m": scale = 1_048_576
        case "g": scale = 1_073_741_824
        case "t": scale = 1_099_511_627_776
        default: scale = 1
        }
        if scale > 1 { t.removeLast() }
        guard let v = Double(t), v.isFinite, v > 0, v * scale < 9e18 else { return nil }
        return Int(v * scale)
    }

    /// `1.5 GB`, `512 MB`, `12 KB` (binary units).
    public static func describe(_ bytes: Int) -> String {
        let b = Double(bytes)
        for (unit, size) in [("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)] where b >= Double(size) {
            let v = b / Double(size)
            let tenths = Int((v * 10).rounded())
            return (v >= 100 || tenths % 10 == 0 ? String(Int(v.rounded())) : String(Double(tenths) / 10)) + " " + unit
        }
        return "\(bytes) bytes"
    }

    /// Why `need` bytes (nil: more than an `Int` holds) for `what` do not fit, or nil when they do.
    public static func problem(needing need: Int?, for what: String) -> String? {
        let budget = bytes
        if let need, need <= budget { return nil }
        let size = need.map { "about " + describe($0) } ?? "more memory than can be addressed"
        return "\(what) needs \(size), over the memory budget of \(describe(budget)) "
            + "(--memory-budget SIZE raises it)"
    }

    /// Bytes to load a layer: the input and the weight as `Float`.
    public static func loadBytes(tokens: Int, inFeatures: Int, outFeatures: Int?) -> Int? {
        sum([mul(tokens, inFeatures), mul(outFeatures ?? 0, inFeatures)]).flatMap { mul($0, 4) }
    }

    /// Bytes to evaluate every method on a layer: the layer, the transformed copies the workspace
    /// keeps (and DuQuant's stage matrices), the output product when it is small enough to be kept whole
    /// (``keepsWholeProduct(tokens:outFeatures:)``), else its tiles.
    ///
    /// The factors were measured (peak RSS of `report` on 2048×2048 and 4096×1024 layers with weights)
    /// and rounded up; see docs/DECISIONS.md.
    public static func evaluationBytes(tokens: Int, inFeatures: Int, outFeatures: Int?) -> Int? {
        guard let x = mul(tokens, inFeatures), let w = mul(outFeatures ?? 0, inFeatures),
              let y = mul(tokens, outFeatures ?? 0) else { return nil }
        let product = keepsWholeProduct(tokens: tokens, outFeatures: outFeatures ?? 0) ? mul(y, 3) : 2 * Evaluator.tileElements
        return sum([mul(x, activationCopies), mul(w, weightCopies), product]).flatMap { mul($0, 4) }
    }

    /// Bytes at the peak of calibrating `method`'s transform on a layer, as `export` and the forward pass do
    /// (``Method/exportableTransform(_:_:cancel:progress:)``: no stage matrices, no figures): the input and
    /// the weight as `Float`; for DuQuant the input's double-precision screen (8 bytes per value, rotated in
    /// place) and the searches' bookkeeping (four 8-byte figures per row of one block, at most a quarter
    /// byte per value at blocks of 128) and the block rotations of two stages (8 bytes a value of an n × n
    /// block per stage: 1 KB a channel at 128) and the exact rows kept for reuse (16 MB); for QuaRot the written-out n × n rotation and the identity it is
    /// applied to; and ``processBytes`` for the process and BLAS's buffers. Measured against the peak
    /// resident size of `export` by tests/e2e/test-memory-peak.sh (within 25%).
    public static func transformBytes(tokens: Int, inFeatures: Int, outFeatures: Int?, method: Method) -> Int? {
        guard let x = mul(tokens, inFeatures), let w = mul(outFeatures ?? 0, inFeatures) else { return nil }
        let work: Int?
        switch method {
        case .duquant: work = sum([mul(x, 8), x / 4, mul(inFeatures, 1024), ExactStages.cacheBytes])
        case .quarot: work = mul(inFeatures, inFeatures).flatMap { mul($0, 8) }
        case .rtn, .smoothquant, .hadamard: work = 0
        }
        return sum([mul(x, 4), mul(w, 4), work, processBytes])
    }

    /// Resident bytes of the process before any layer: the binary, its libraries and BLAS's thread buffers
    /// (measured: ~22 MB at `--version`, ~55 MB once BLAS has run).
    public static let processBytes = 56 << 20

    /// Copies of the activation an evaluation holds at its peak (input, stages, transforms, quantized).
    static let activationCopies = 14
    /// Copies of the weight an evaluation holds at its peak (weight, transforms, quantized weights).
    static let weightCopies = 10

    /// Whether the tokens × out output product is small enough to compute and keep whole (an eighth of
    /// the budget); larger products are computed in tiles and never held.
    public static func keepsWholeProduct(tokens: Int, outFeatures: Int) -> Bool {
        guard let n = mul(tokens, outFeatures), let b = mul(n, 4) else { return false }
        return b <= bytes / 8
    }

    private static func mul(_ a: Int, _ b: Int) -> Int? {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o ? nil : r
    }

    private static func sum(_ terms: [Int?]) -> Int? {
        var total = 0
        for t in terms {
            guard let t else { return nil }
            let (r, o) = total.addingReportingOverflow(t)
            if o { return nil }
            total = r
        }
        return total
    }
}
