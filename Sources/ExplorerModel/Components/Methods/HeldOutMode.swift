/// Which tokens are held out (`V`, `--calib-tokens`): the transforms are fitted on the others.
///
/// The command line spells it `A:B` (fit on tokens A ..< B), `even` or `odd`;
/// ``init(parsing:)`` and ``spec`` read and write that spelling.
///
/// ```swift
/// HeldOutMode(parsing: "0:128")   // .range(0, 128)
/// HeldOutMode.even.spec           // "even"
/// ```
package enum HeldOutMode: Sendable, Hashable {
    /// Fit on tokens `lower ..< upper`, score on the rest.
    case range(Int, Int)
    /// Fit on even tokens, score on odd ones.
    case even
    /// Fit on odd tokens, score on even ones.
    case odd

    /// Reads the command line's spelling: `A:B` with 0 ≤ A < B, `even`, `odd`; nil otherwise.
    package init?(parsing text: String) {
        switch text {
        case "even": self = .even
        case "odd": self = .odd
        default:
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), 0 <= a, a < b else { return nil }
            self = .range(a, b)
        }
    }

    /// The command line's spelling (`0:128`, `even`, `odd`), as the status bar and the Methods title show it.
    package var spec: String {
        switch self {
        case let .range(a, b): "\(a):\(b)"
        case .even: "even"
        case .odd: "odd"
        }
    }

    /// What `V` goes to from `mode` on a layer of `tokens` tokens: even tokens, then the first half, then
    /// none held out.
    package static func next(after mode: HeldOutMode?, tokens: Int) -> HeldOutMode? {
        switch mode {
        case nil: .even
        case .even: .range(0, max(1, tokens / 2))
        default: nil
        }
    }
}
