import DuQuantCore
import Foundation

/// Number formatting for tables, legends and the status bar: short, aligned, never scientific for
/// everyday magnitudes.
package enum Format {
    /// About three significant digits in at most 7 columns: `12.3`, `0.0123`, `1.2e-05`, `45612`.
    /// Not finite: undefined (``ShownFigure/statistic(_:)``), shown as `—`; a metric goes through ``metric(_:)``.
    package static func num(_ v: Float?) -> String {
        guard let v else { return "–" }
        guard v.isFinite else { return NumericAudit.undefinedFlag }
        let a = abs(v)
        if a == 0 { return "0" }
        if a >= 100_000 || a < 0.001 { return String(format: "%.2g", Double(v)) }
        if a >= 100 { return String(format: "%.0f", Double(v)) }
        if a >= 10 { return String(format: "%.1f", Double(v)) }
        if a >= 1 { return String(format: "%.2f", Double(v)) }
        if a >= 0.1 { return String(format: "%.3f", Double(v)) }
        if a >= 0.01 { return String(format: "%.4f", Double(v)) }
        return String(format: "%.5f", Double(v))
    }

    /// A metric of a method's figures by the one rule (``ShownFigure``): `overflow` when it overflowed
    /// `Float` (`ovfl` in `width` under 8), else ``num(_:)``.
    package static func metric(_ v: Float?, width: Int = .max) -> String {
        switch ShownFigure.metric(v) {
        case .number(let x): num(x)
        case .undefined: "–"  // a metric is undefined only when absent
        case .overflow: width >= NumericAudit.overflowFlag.count ? NumericAudit.overflowFlag : NumericAudit.overflowFlagShort
        }
    }

    /// `num(v)`, then shorter forms of it, most precise first: `0.00228`, `0.0023`, `2.3e-3`, `2e-3`.
    package static func shortened(_ v: Float) -> [String] {
        guard v.isFinite else { return [num(v)] }
        let a = Double(v)
        var out = [num(v), String(format: "%.2g", a)]
        if a != 0, a.isFinite {
            let e = Int((log10(Swift.abs(a))).rounded(.down)), m = a / pow(10, Double(e))
            out += [String(format: "%.1fe%d", m, e), String(format: "%.0fe%d", m, e)]
        }
        return out
    }

    /// A ratio like `×12.3`.
    package static func ratio(_ v: Float?) -> String {
        guard let v else { return "–" }
        return "×" + num(v)
    }

    /// A percentage with no decimals.
    package static func percent(_ v: Double) -> String {
        String(format: "%.0f%%", v * 100)
    }

    /// A duration: `85ms`, `1.2s`.
    package static func seconds(_ s: Double) -> String {
        s < 1 ? String(format: "%.0fms", s * 1000) : String(format: "%.1fs", s)
    }
}
