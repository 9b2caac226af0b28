/// One knob of ``QuantParams``: its command-line name, panel title, range, ladder, default, help text and
/// format — the one place each of these is written.
///
/// The command line parses with it (then calls ``QuantParams/validate()`` once), the explorer's `[`/`]`
/// move along its ladder inside its range, and `--help`, the parameter panel and docs/EXPLORER.md's
/// parameter table are produced from it.
///
/// ```swift
/// let block = ParameterSpec.named("block")!
/// var p = QuantParams()
/// p = block.adjust(p, by: +1)        // 128 → 256
/// try block.parse("64", into: &p)    // as `--block 64`
/// ```
public struct ParameterSpec: Sendable {
    /// What values the knob takes and where it lives in ``QuantParams``.
    public enum Domain: Sendable {
        /// An integer in a range; `[`/`]` move along `ladder` (one by one when it is empty).
        case integer(WritableKeyPath<QuantParams, Int> & Sendable, ClosedRange<Int>, ladder: [Int])
        /// A ratio in a range, moved in notches of 0.05.
        case ratio(WritableKeyPath<QuantParams, Float> & Sendable, ClosedRange<Float>)
        /// The seed: any non-negative 64-bit integer, moved by one.
        case seed
        /// On/off, set on the command line by the flag `--<name>` to `flagSets`.
        case toggle(WritableKeyPath<QuantParams, Bool> & Sendable, flagSets: Bool)
        /// The greedy selection rule.
        case selection
        /// The rotation layout.
        case layout
    }

    /// Command-line name: `--<name>` (a flag for toggles).
    public let name: String
    /// Row title in the explorer's parameter panel.
    public let title: String
    /// What the value means, one line.
    public let help: String
    /// The placeholder of the value in `--help` (`N`, `R`, …); empty for flags.
    public let metavar: String
    /// The kind of value, its range and ladder, and the ``QuantParams`` key path it sets.
    public let domain: Domain
    /// Whether the explorer's parameter panel shows it.
    public let inPanel: Bool

    /// Every parameter, in the panel's order (those not in the panel last).
    public static let all: [ParameterSpec] = [
        ParameterSpec(name: "abits", title: "act bits", help: "activation bits (per token)", metavar: "N",
                      domain: .integer(\.abits, 2...8, ladder: [])),
        ParameterSpec(name: "wbits", title: "weight bits", help: "weight bits (per output channel)", metavar: "N",
                      domain: .integer(\.wbits, 2...8, ladder: [])),
        ParameterSpec(name: "block", title: "block size", help: "channels per rotation block", metavar: "N",
                      domain: .integer(\.block, 2...4096, ladder: doubling(from: 2, to: 4096))),
        ParameterSpec(name: "steps", title: "greedy steps", help: "greedy steps per rotation, an upper bound",
                      metavar: "N", domain: .integer(\.steps, 0...100_000, ladder: [0] + doubling(from: 1, to: 100_000))),
        ParameterSpec(name: "patience", title: "patience",
                      help: "APPROXIMATION (0 = exact): end a greedy search after K steps without a lower range (max − min)",
                      metavar: "K", domain: .integer(\.patience, 0...100_000, ladder: [0] + doubling(from: 4, to: 100_000))),
        ParameterSpec(name: "perm-times", title: "perm times",
                      help: "rotation + permutation rounds before the last rotation", metavar: "N",
                      domain: .integer(\.permTimes, 1...16, ladder: [])),
        ParameterSpec(name: "alpha", title: "α smooth", help: "DuQuant's smoothing strength α (the official code's 0.6)",
                      metavar: "A", domain: .ratio(\.alpha, 0...1)),
        ParameterSpec(name: "no-smooth", title: "smoothing", help: "turn DuQuant's smoothing off", metavar: "",
                      domain: .toggle(\.smooth, flagSets: false)),
        ParameterSpec(name: "lac", title: "act clip",
                      help: "activation clip ratio of DuQuant and block Hadamard (the official code's 0.9)", metavar: "R",
                      domain: .ratio(\.lac, 0.01...1)),
        ParameterSpec(name: "swc", title: "weight clip",
                      help: "weight clip ratio of DuQuant and block Hadamard (the official code's 0.8)", metavar: "R",
                      domain: .ratio(\.swc, 0.01...1)),
        ParameterSpec(name: "sq-alpha", title: "α SmoothQuant", help: "SmoothQuant's migration strength α (its paper's 0.5)",
                      metavar: "A", domain: .ratio(\.sqAlpha, 0...1)),
        ParameterSpec(name: "same-settings", title: "same for all",
                      help: "every method under DuQuant's α, lac and swc (off: RTN, SmoothQuant and QuaRot-style "
                          + "as their authors: no clipping, QuaRot's searched weight clip)",
                      metavar: "", domain: .toggle(\.sameSettings, flagSets: true)),
        ParameterSpec(name: "seed", title: "seed", help: "seed of the random orthogonal completions", metavar: "N",
                      domain: .seed),
        ParameterSpec(name: "select", title: "selection",
                      help: "greedy channel rule: the paper's, or the official code's", metavar: "paper|reference",
                      domain: .selection),
        ParameterSpec(name: "layout", title: "layout",
                      help: "a rotation per block (paper), or one shared by all blocks (official code)",
                      metavar: "perblock|shared", domain: .layout),
        ParameterSpec(name: "symmetric", title: "symmetric W",
                      help: "symmetric weight quantization (as the official code's --symmetric, weights only)",
                      metavar: "", domain: .toggle(\.weightSymmetric, flagSets: true), inPanel: false),
        ParameterSpec(name: "act-symmetric", title: "symmetric X",
                      help: "symmetric activation quantization (not in the official code: activations are asymmetric there)",
                      metavar: "", domain: .toggle(\.actSymmetric, flagSets: true), inPanel: false),
    ]

    init(name: String, title: String, help: String, metavar: String, domain: Domain, inPanel: Bool = true) {
        self.name = name
        self.title = title
        self.help = help
        self.metavar = metavar
        self.domain = domain
        self.inPanel = inPanel
    }

    /// The rows of the explorer's parameter panel.
    public static let panel = all.filter(\.inPanel)

    /// The spec called `name` on the command line.
    public static func named(_ name: String) -> ParameterSpec? { all.first { $0.name == name } }

    /// Command-line options that take a value.
    public static var optionNames: Set<String> { Set(all.filter { !$0.isFlag }.map(\.name)) }

    /// Command-line flags.
    public static var flagNames: Set<String> { Set(all.filter(\.isFlag).map(\.name)) }

    /// Whether the command line sets it with a bare flag.
    public var isFlag: Bool {
        if case .toggle = domain { return true }
        return false
    }

    static func doubling(from start: Int, to end: Int) -> [Int] {
        var out: [Int] = []
        var v = start
        while v < end { out.append(v); v *= 2 }
        return out + [end]
    }
}

/// A parameter outside its range, or a value that does not parse: one line.
public struct ParameterError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, one line, naming the option and the range or form it takes.
    public let message: String
    /// The message as is.
    public var description: String { message }
    /// An error that says `message` (one line, no trailing newline).
    public init(_ message: String) { self.message = message }
}
