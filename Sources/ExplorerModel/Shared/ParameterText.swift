import DuQuantCore

/// How the app writes each parameter: its title in the parameters panel, its line in `--help` and
/// docs/EXPLORER.md, the placeholder of its value, and how a value reads. The core's ``ParameterSpec``
/// keeps what the numerics need (the name, range, ladder, parsing and validation); this table adds the
/// words, in the spec's order, one entry per spec (`ParameterTextTests` checks both lists name the same
/// parameters).
///
/// ```swift
/// let block = ParameterText.named("block")!
/// block.title                      // "block size"
/// block.value(in: QuantParams())   // "128"
/// ```
package struct ParameterText: Sendable {
    /// The spec it writes (name, range, ladder).
    package let spec: ParameterSpec
    /// Row title in the parameters panel.
    package let title: String
    /// What the value means, one line (`--help`, docs/EXPLORER.md).
    package let help: String
    /// The placeholder of the value in `--help` (`N`, `R`, …); empty for flags.
    package let metavar: String
    /// Whether the parameters panel shows it.
    package let inPanel: Bool
    /// How the value 0 reads, when it means something else than a number (patience 0: `exact`).
    package let zero: String?

    /// Every parameter, in ``ParameterSpec/all``'s order.
    package static let all: [ParameterText] = ParameterSpec.all.map { spec in
        guard let words = table[spec.name] else { preconditionFailure("no words for the parameter --\(spec.name)") }
        return ParameterText(spec: spec, title: words.title, help: words.help, metavar: words.metavar,
                             inPanel: words.inPanel, zero: words.zero)
    }

    /// The rows of the parameters panel, in order.
    package static let panel: [ParameterText] = all.filter(\.inPanel)

    /// The parameter called `name` (as on the command line).
    package static func named(_ name: String) -> ParameterText? { all.first { $0.spec.name == name } }

    private struct Words {
        var title: String, help: String, metavar: String, inPanel = true, zero: String? = nil
    }

    // The words of each parameter, by the spec's name.
    private static let table: [String: Words] = [
        "abits": Words(title: "act bits", help: "activation bits (per token)", metavar: "N"),
        "wbits": Words(title: "weight bits", help: "weight bits (per output channel)", metavar: "N"),
        "block": Words(title: "block size", help: "channels per rotation block", metavar: "N"),
        "steps": Words(title: "greedy steps", help: "greedy steps per rotation, an upper bound", metavar: "N"),
        "patience": Words(title: "patience",
                          help: "APPROXIMATION (0 = exact): end a greedy search after K steps without a lower range (max − min)",
                          metavar: "K", zero: "exact"),
        "perm-times": Words(title: "perm times", help: "rotation + permutation rounds before the last rotation", metavar: "N"),
        "alpha": Words(title: "α smooth", help: "DuQuant's smoothing strength α (the official code's 0.6)", metavar: "A"),
        "no-smooth": Words(title: "smoothing", help: "turn DuQuant's smoothing off", metavar: ""),
        "lac": Words(title: "act clip", help: "activation clip ratio of DuQuant and block Hadamard (the official code's 0.9)",
                     metavar: "R"),
        "swc": Words(title: "weight clip", help: "weight clip ratio of DuQuant and block Hadamard (the official code's 0.8)",
                     metavar: "R"),
        "sq-alpha": Words(title: "α SmoothQuant", help: "SmoothQuant's migration strength α (its paper's 0.5)", metavar: "A"),
        "same-settings": Words(title: "same for all",
                               help: "every method under DuQuant's α, lac and swc (off: RTN, SmoothQuant and QuaRot-style "
                                   + "as their authors: no clipping, QuaRot's searched weight clip)", metavar: ""),
        "seed": Words(title: "seed", help: "seed of the random orthogonal completions", metavar: "N"),
        "select": Words(title: "selection", help: "greedy channel rule: the paper's, or the official code's", metavar: "paper|reference"),
        "layout": Words(title: "layout", help: "a rotation per block (paper), or one shared by all blocks (official code)",
                        metavar: "perblock|shared"),
        "symmetric": Words(title: "symmetric W", help: "symmetric weight quantization (as the official code's --symmetric, weights only)",
                           metavar: "", inPanel: false),
        "act-symmetric": Words(title: "symmetric X",
                               help: "symmetric activation quantization (not in the official code: activations are asymmetric there)",
                               metavar: "", inPanel: false),
    ]
}

extension ParameterText {
    /// The value in `p`, as the panel and `--help` show it.
    package func value(in p: QuantParams) -> String {
        switch spec.domain {
        case let .integer(path, _, _):
            let v = p[keyPath: path]
            return v == 0 ? zero ?? "0" : "\(v)"
        case let .ratio(path, _): return ParameterSpec.hundredths(p[keyPath: path])
        case .seed: return "\(p.seed)"
        case let .toggle(path, _): return p[keyPath: path] ? "on" : "off"
        case .selection: return p.select.rawValue
        case .layout: return p.layout.rawValue
        }
    }

    /// The default, as shown.
    package var defaultText: String { value(in: QuantParams()) }

    /// How `[` and `]` move it, in words.
    package var stepText: String {
        switch spec.domain {
        case let .integer(_, _, ladder) where ladder.isEmpty: return "±1"
        case let .integer(_, _, ladder):
            return ladder.count <= 4 ? ladder.map(String.init).joined(separator: ", ")
                : "\(ladder[0]), \(ladder[1]), \(ladder[2]) … \(ladder[ladder.count - 2]), \(ladder.last!)"
        case .ratio: return "±0.05"
        case .seed: return "±1"
        case .toggle, .selection, .layout: return "switches"
        }
    }
}
