import DuQuantCore
import ExplorerModel

extension Screen {
    /// The Methods table's row of model-level figures (`make eval`, from the dump's sidecar): each
    /// method's perplexity of the whole model at the current bits (W4A4 when those were not measured),
    /// the best marked. Nil without model figures.
    static func modelRow(_ ctx: Context, _ methods: [Method]) -> [TableWidget.Item]? {
        Hop.here()
        guard let e = ctx.state.shared.modelEvaluation, let (setting, figures) = e.figures(for: ctx.state.shared.params) else { return nil }
        let best = figures.values.filter(\.isFinite).min()
        var row = [TableWidget.Item("\(shortMetric(e.metric)) \(setting)")]
        for m in methods {
            guard let v = figures[m] else { row.append(TableWidget.Item("–")); continue }
            let isBest = v == best && figures.count > 1
            // A figure within the measured seed spread is only as exact as that spread: marked ≈.
            let spread = e.seedSpread.map { $0.method == m && $0.setting == setting && $0.seeds > 1 } ?? false
            row.append(TableWidget.Item((spread ? String(ctx.glyphs.approx) : "") + Format.num(Float(v))
                                        + (isBest ? " " + String(ctx.glyphs.best) : "  "),
                                        style: isBest ? ctx.palette.best : nil))
        }
        return row
    }

    /// The Methods title's note on the model figures: the full-precision value and the seed spread.
    static func modelTitle(_ ctx: Context) -> String {
        guard let e = ctx.state.shared.modelEvaluation, ctx.state.shared.modelEvaluation?.figures(for: ctx.state.shared.params) != nil else { return "" }
        var s = " · model \(shortMetric(e.metric)): FP \(Format.num(Float(e.fullPrecision)))"
        if let sp = e.seedSpread, sp.seeds > 1 {
            s += ", \(sp.method.title) \(Format.num(Float(sp.min)))–\(Format.num(Float(sp.max))) over \(sp.seeds) seeds"
        }
        return s
    }

    static func shortMetric(_ metric: String) -> String { metric == "perplexity" ? "ppl" : metric }
}
