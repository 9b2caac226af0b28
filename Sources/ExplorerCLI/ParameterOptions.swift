import DuQuantCore

/// The quantization options every analysing subcommand shares, and how they map onto ``QuantParams``.
enum ParameterOptions {
    static let names: Set<String> = ["abits", "wbits", "block", "steps", "perm-times", "alpha", "lac", "swc",
                                     "seed", "select", "layout", "patience", "memory-budget"]
    static let flags: Set<String> = ["no-smooth", "symmetric"]

    static let help = """
          --abits N --wbits N     activation / weight bits, 2…8 (default 4 / 4)
          --block N               rotation block size (default 128)
          --steps N               greedy steps per rotation, upper bound (default 256)
          --patience K            APPROXIMATION, off by default: stop a greedy search after K steps
                                  without a lower peak (faster; every output then says so)
          --perm-times N          rotation+permutation rounds before the last rotation (default 1)
          --alpha A               smoothing strength (default 0.6); --no-smooth turns smoothing off
          --lac R --swc R         activation / weight clip ratios (default 0.9 / 0.8)
          --seed N                seed of the random orthogonal completions (default 0)
          --select paper|reference    greedy channel rule: the paper's, or the official code's
          --layout perblock|shared    a rotation per block (paper), or one shared (official code)
          --symmetric             symmetric instead of asymmetric quantization
          --memory-budget SIZE    most memory a layer's analysis may take, e.g. 512M, 8G (default: half
                                  the physical memory); larger layers are refused with a one-line error
        """

    /// Reads the options into parameters, validating ranges; `--memory-budget` sets ``MemoryBudget``.
    static func params(from a: Arguments) throws(CLIError) -> QuantParams {
        try applyMemoryBudget(a)
        var p = QuantParams()
        if let v = try a.int("abits", in: 2...8) { p.abits = v }
        if let v = try a.int("wbits", in: 2...8) { p.wbits = v }
        if let v = try a.int("block", in: 2...4096) { p.block = v }
        if let v = try a.int("steps", in: 0...100_000) { p.steps = v }
        if let v = try a.int("perm-times", in: 1...16) { p.permTimes = v }
        if let v = try a.int("patience", in: 0...100_000) { p.patience = v }
        if let v = try a.float("alpha", in: 0...1) { p.alpha = v }
        if let v = try a.float("lac", in: 0.01...1) { p.lac = v }
        if let v = try a.float("swc", in: 0.01...1) { p.swc = v }
        if let v = a.value("seed") {
            guard let s = UInt64(v) else { throw CLIError("--seed must be a non-negative integer (got '\(v)')") }
            p.seed = s
        }
        if let v = try a.choice("select", Selection.self) { p.select = v }
        if let v = try a.choice("layout", RotationLayout.self) { p.layout = v }
        if a.flag("no-smooth") { p.smooth = false }
        if a.flag("symmetric") { p.symmetric = true }
        return p
    }

    /// The `--memory-budget SIZE` given in `a`, validated (nil when absent).
    @discardableResult
    static func applyMemoryBudget(_ a: Arguments) throws(CLIError) -> Int? {
        guard let text = a.value("memory-budget") else { return nil }
        guard let bytes = MemoryBudget.parse(text) else {
            throw CLIError("--memory-budget must be a size such as 512M or 8G (got '\(text)')")
        }
        return bytes
    }

    /// The last well-formed `--memory-budget SIZE` (or `=SIZE`) among raw `args`, before any `--`.
    static func memoryBudget(in args: [String]) -> Int? {
        var found: Int?
        var i = 0
        while i < args.count, args[i] != "--" {
            if args[i] == "--memory-budget", i + 1 < args.count {
                found = MemoryBudget.parse(args[i + 1]) ?? found
                i += 1
            } else if args[i].hasPrefix("--memory-budget=") {
                found = MemoryBudget.parse(String(args[i].dropFirst("--memory-budget=".count))) ?? found
            }
            i += 1
        }
        return found
    }

    /// One line naming every parameter, both fidelity switches included.
    static func summary(_ p: QuantParams) -> String {
        "W\(p.wbits)A\(p.abits) block \(p.block) steps \(p.steps) perm-times \(p.permTimes) "
            + (p.smooth ? "alpha \(p.alpha)" : "no smoothing")
            + " lac \(p.lac) swc \(p.swc) seed \(p.seed) select \(p.select.rawValue) layout \(p.layout.rawValue)"
            + (p.symmetric ? " symmetric" : "")
            + (p.patience > 0 ? " patience \(p.patience) (approximate greedy)" : "")
    }
}
