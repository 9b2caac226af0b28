import ExplorerModel
import Foundation

/// The Model panel: the model's perplexity in full precision and with the current method quantizing the
/// layers of the scope (this layer only, or all), marked stale (dimmed, `…`) while a change recomputes,
/// then the per-layer sensitivity (`Z`) as many layers as fit, most harmful first.
package struct ModelPanelWidget: Widget {
    package var model: ModelPanelState
    /// The figure the current state asks for (nil: nothing to show yet).
    package var request: ModelRequest?
    package var stale: Bool
    /// The running job's fraction done (nil: not running).
    package var progress: Double?
    package var sensitivityProgress: Double?
    package var palette: Palette

    package init(model: ModelPanelState, request: ModelRequest?, stale: Bool, progress: Double?, sensitivityProgress: Double?,
                 palette: Palette) {
        self.model = model
        self.request = request
        self.stale = stale
        self.progress = progress
        self.sensitivityProgress = sensitivityProgress
        self.palette = palette
    }

    package func draw(into grid: inout CellGrid, area: Rect) {
        guard area.height > 0 else { return }
        grid.fill(area, with: Cell(" ", palette.text))
        var x = area.x
        let fp = model.fullPrecision.map { "FP " + Self.figure($0) } ?? (progress != nil ? "FP …" : "FP –")
        x += grid.put(fp + "   ", at: Point(x: x, y: area.y), style: palette.text, maxWidth: area.maxX - x)
        if let f = model.figure {
            let r = f.request
            let what = "\(r.method.title) W\(r.params.wbits)A\(r.params.abits) \(r.scope == .all ? "all layers" : "only " + Self.short(r.layer ?? ""))"
            x += grid.put(what + " ", at: Point(x: x, y: area.y), style: palette.dim, maxWidth: area.maxX - x)
            var value = Self.figure(f.perplexity) + (stale ? "…" : "")
            if let fp = model.fullPrecision, !stale { value += " (×" + String(format: "%.3f", f.perplexity / fp) + " FP)" }
            grid.put(value, at: Point(x: x, y: area.y), style: stale ? palette.dim : palette.accent, maxWidth: area.maxX - x)
        } else if let r = request {
            grid.put("\(r.method.title) \(r.scope.title): computing", at: Point(x: x, y: area.y), style: palette.dim, maxWidth: area.maxX - x)
        }
        if area.height > 1 {
            var line: String
            if let p = progress {
                line = "computing \(request?.scope.title ?? "") \(Int((p * 100).rounded()))%" + (stale ? " · the figure above is stale" : "") + " · Esc stops"
            } else {
                line = "scope: \(model.scope.title) · M: \(model.scope == .layer ? "all layers" : "this layer only") · Z: sensitivity per layer"
            }
            grid.putLine(line, in: area.row(1), style: palette.dim)
        }
        guard area.height > 2, model.showSensitivity, let s = model.sensitivity else { return }
        var head = "sensitivity, \(s.method.title) W\(s.params.wbits)A\(s.params.abits), one layer alone: \(s.entries.count)/\(s.total)"
        if let p = sensitivityProgress, !s.finished { head += " (\(Int((p * 100).rounded()))%)" }
        grid.putLine(head, in: area.row(2), style: palette.header)
        var row = 3, cx = area.x
        for (i, e) in s.entries.enumerated() {
            guard row < area.height else { break }
            var item = "\(i + 1). \(Self.short(e.layer)) \(Self.figure(e.perplexity))"
            if let fp = model.fullPrecision { item += String(format: " +%.1f%%", (e.perplexity / fp - 1) * 100) }
            item += "   "
            let w = CellGrid.columns(item)
            if cx + w > area.maxX && cx > area.x { row += 1; cx = area.x }
            guard row < area.height else { break }
            cx += grid.put(item, at: Point(x: cx, y: area.y + row), style: i < 3 ? palette.error : palette.text, maxWidth: area.maxX - cx)
        }
    }

    /// A perplexity with four significant digits (`17.53`, `3,681`).
    static func figure(_ v: Double) -> String {
        guard v.isFinite else { return "overflow" }
        if v >= 1000 {
            let f = NumberFormatter()
            f.numberStyle = .decimal
            f.maximumFractionDigits = 0
            return f.string(from: NSNumber(value: v.rounded())) ?? String(format: "%.0f", v)
        }
        return String(format: v >= 100 ? "%.1f" : "%.2f", v)
    }

    /// `model.layers.29.mlp.down_proj` → `29.down`.
    static func short(_ name: String) -> String {
        name.replacingOccurrences(of: "model.layers.", with: "").replacingOccurrences(of: "self_attn.", with: "")
            .replacingOccurrences(of: "mlp.", with: "").replacingOccurrences(of: "_proj", with: "")
    }
}
