/// One knob of ``QuantParams``: its name, range, ladder and default, how a value parses and when it is
/// valid — the numerics' part of a parameter, written once.
///
/// The command line and the sidecars parse with it (then call ``QuantParams/validate()`` once), and the
/// explorer's `[`/`]` move along its ladder inside its range. The words (panel titles, `--help` lines,
/// metavars, how a value reads) belong to the app: ExplorerModel's `ParameterText`.
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

    /// The parameter's name: `--<name>` on the command line (a flag for toggles), the key in a sidecar.
    public let name: String
    /// The kind of value, its range and ladder, and the ``QuantParams`` key path it sets.
    public let domain: Domain

    /// Every parameter, in the order the app lists them (the panel's order; the symmetric switches last).
    public static let all: [ParameterSpec] = [
        ParameterSpec(name: "abits", domain: .integer(\.abits, 2...8, ladder: [])),
        ParameterSpec(name: "wbits", domain: .integer(\.wbits, 2...8, ladder: [])),
        ParameterSpec(name: "block", domain: .integer(\.block, 2...4096, ladder: doubling(from: 2, to: 4096))),
        ParameterSpec(name: "steps", domain: .integer(\.steps, 0...100_000, ladder: [0] + doubling(from: 1, to: 100_000))),
        ParameterSpec(name: "patience", domain: .integer(\.patience, 0...100_000, ladder: [0] + doubling(from: 4, to: 100_000))),
        ParameterSpec(name: "perm-times", domain: .integer(\.permTimes, 1...16, ladder: [])),
        ParameterSpec(name: "alpha", domain: .ratio(\.alpha, 0...1)),
        ParameterSpec(name: "no-smooth", domain: .toggle(\.smooth, flagSets: false)),
        ParameterSpec(name: "lac", domain: .ratio(\.lac, 0.01...1)),
        ParameterSpec(name: "swc", domain: .ratio(\.swc, 0.01...1)),
        ParameterSpec(name: "sq-alpha", domain: .ratio(\.sqAlpha, 0...1)),
        ParameterSpec(name: "same-settings", domain: .toggle(\.sameSettings, flagSets: true)),
        ParameterSpec(name: "seed", domain: .seed),
        ParameterSpec(name: "select", domain: .selection),
        ParameterSpec(name: "layout", domain: .layout),
        ParameterSpec(name: "symmetric", domain: .toggle(\.weightSymmetric, flagSets: true)),
        ParameterSpec(name: "act-symmetric", domain: .toggle(\.actSymmetric, flagSets: true)),
    ]

    init(name: String, domain: Domain) {
        self.name = name
        self.domain = domain
    }

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
