import DuQuantCore
import ExplorerModel

extension Screen {
    static func drawList(_ grid: inout CellGrid, _ ctx: Context) {
        let s = ctx.state
        let title = s.search != nil ? "Layers — find: \(s.search!)"
            : "Layers (\(s.layers.count))" + (s.listSort == .file ? "" : " · \(s.listSort.title)")
        panelTitle(&grid, ctx.layout.listTitle, title, focused: s.focus == .layers, ctx)
        // The error column names its method (`m` changes it): output error, or act MSE without weights.
        let errTitle = s.listMethod.shortTitle + (s.layers.contains { $0.summary?.errorIsOutput == false } ? " err" : " out")
        let columns = [
            TableWidget.Column("layer", width: 18, align: .left, priority: 10),
            TableWidget.Column("kind", width: 4, align: .left, priority: 3),
            TableWidget.Column("shape", width: 9, priority: 1),
            TableWidget.Column("max|x|", width: 6, priority: 5),
            TableWidget.Column("ratio", width: 6, priority: 2),
            TableWidget.Column(errTitle, width: 7, priority: 4),
        ]
        let rows: [[TableWidget.Item]] = s.listOrder.map { i in
            let layer = s.layers[i]
            var mark = s.open?.index == i ? String(ctx.glyphs.pointer) : " "
            if s.files.count > 1 { mark += "\(layer.file + 1):" }
            let sum = layer.summary
            return [
                TableWidget.Item(mark + layer.shortName),
                TableWidget.Item(layer.kind),
                TableWidget.Item("\(layer.tokens)×\(layer.inFeatures)"),
                TableWidget.Item(sum.map { Format.num($0.maxAbs) } ?? "…"),
                TableWidget.Item(sum.map { Format.num($0.ratio) } ?? "…"),
                TableWidget.Item(sum?.error.map { Format.num($0) } ?? "…"),
            ]
        }
        TableWidget(columns: columns, rows: rows, selected: s.selectedRow, offset: s.listOffset)
            .draw(into: &grid, area: ctx.layout.list, palette: ctx.palette, focused: s.focus == .layers)
    }

    static func drawParams(_ grid: inout CellGrid, _ ctx: Context) {
        let s = ctx.state
        panelTitle(&grid, ctx.layout.paramsTitle, "Parameters  [ ] change", focused: s.focus == .params, ctx)
        let area = ctx.layout.params
        grid.fill(area, with: Cell(" ", ctx.palette.text))
        for field in ParamField.allCases where field.rawValue < area.height {
            let row = area.row(field.rawValue)
            let selected = field.rawValue == s.paramRow
            var style = ctx.palette.text
            if selected { style = s.focus == .params ? ctx.palette.selected : ctx.palette.selected.with(.dim) }
            grid.fill(row, with: Cell(" ", style))
            // Rows that differ from the pinned baseline are marked.
            let differs = s.baseline.map { $0.differing(from: s.params).contains(field.spec.name) } ?? false
            grid.put((differs ? String(ctx.glyphs.changed) : " ") + field.title, at: Point(x: row.x, y: row.y),
                     style: differs && !selected ? ctx.palette.accent : style, maxWidth: row.width)
            let g = ctx.glyphs
            let shown = selected ? "\(g.valueLeft) \(field.value(in: s.params)) \(g.valueRight)" : field.value(in: s.params)
            let w = CellGrid.columns(shown)
            grid.put(shown, at: Point(x: row.maxX - w - 1, y: row.y), style: selected ? style : ctx.palette.accent.with([]))
        }
    }

    static func drawMetrics(_ grid: inout CellGrid, _ ctx: Context) {
        let s = ctx.state
        var stale = s.busy[.evaluate] != nil ? " (updating…)" : ""
        let estimate = s.evaluation?.estimate
        if let estimate {
            stale = " \(ctx.glyphs.approx) on \(estimate.sampledTokens) of \(estimate.totalTokens) tokens, exact follows"
        }
        // Once measured (`N`), how far the seed alone moves DuQuant's figure.
        var spread = ""
        if let sp = s.currentSeedSpread, let e = sp.outputRelError {
            spread = " · DuQuant over seeds 0–\(sp.seeds - 1): \(Format.num(Float(e.min)))–\(Format.num(Float(e.max)))"
        }
        panelTitle(&grid, ctx.layout.metricsTitle, "Methods, a\(s.params.abits)w\(s.params.wbits)\(stale)\(spread)\(modelTitle(ctx))",
                   focused: false, ctx)
        let methods = Method.allCases
        let area = ctx.layout.metrics
        let labelWidth = 12
        let colWidth = max(7, min(13, (area.width - labelWidth) / methods.count - 1))
        var columns = [TableWidget.Column("", width: labelWidth, align: .left, priority: 10)]
        columns += methods.map { TableWidget.Column($0.title, width: colWidth, priority: 5) }
        let rowsSpec: [(String, (MethodMetrics) -> Float?)] = [
            ("max |x|", { $0.actMaxAbs }),
            ("act MSE", { $0.actMSE }),
            ("out rel err", { $0.outputRelError }),
            ("weight MSE", { $0.weightMSE }),
            ("kurtosis", { $0.kurtosis }),
        ]
        var rows: [[TableWidget.Item]] = []
        for (label, get) in rowsSpec {
            if label == "weight MSE", let delta = deltaRow(ctx, methods) { rows.append(delta) }
            let values = methods.map { m in s.evaluation?.methods[m].flatMap(get) }
            let finite = values.compactMap { $0 }.filter { $0.isFinite }
            // No best mark while a method is still coming: it might be the best.
            let best = s.evaluation?.pending.isEmpty == false ? nil : finite.min()
            var row = [TableWidget.Item(label)]
            for (m, v) in zip(methods, values) {
                let coming = s.evaluation == nil || s.evaluation?.pending.contains(m) == true
                guard let v else { row.append(TableWidget.Item(coming ? "…" : "–")); continue }
                let isBest = v == best && finite.count > 1 && label != "kurtosis"
                let text = (estimate != nil && label != "weight MSE" ? String(ctx.glyphs.approx) : "")
                    + Format.num(v) + (isBest ? " " + String(ctx.glyphs.best) : "  ")
                row.append(TableWidget.Item(text, style: isBest ? ctx.palette.best : nil))
            }
            rows.append(row)
            if label == "out rel err", let model = modelRow(ctx, methods) { rows.append(model) }
        }
        TableWidget(columns: columns, rows: rows).draw(into: &grid, area: area, palette: ctx.palette)
    }

    /// The row under the output error that says what the last change did: against a pinned baseline the
    /// ratio of each method's figure to the baseline's (`×0.52`), else the change since the previous setting
    /// (`▼12%` lower, `▲3%` higher, `=` within 0.5%); better in the theme's best colour, worse in its error
    /// colour. Nil until there is something to compare with.
    static func deltaRow(_ ctx: Context, _ methods: [Method]) -> [TableWidget.Item]? {
        let s = ctx.state
        guard let now = s.evaluation, now.estimate == nil, now.pending.isEmpty,
              let ref = s.baseline ?? s.previousFigures, ref.params != now.params || s.baseline != nil else { return nil }
        var row = [TableWidget.Item(s.baseline != nil ? "vs baseline" : "Δ since last")]
        for m in methods {
            guard let c = ref.change(of: m, to: now.methods) else { row.append(TableWidget.Item("–")); continue }
            let text: String
            if s.baseline != nil {
                text = "×" + Format.num(Float(1 + c))
            } else if abs(c) < 0.005 {
                text = "="
            } else {
                text = String(c < 0 ? ctx.glyphs.down : ctx.glyphs.up) + "\(Int((abs(c) * 100).rounded()))%"
            }
            // DuQuant's change within what the seed alone does (`N`): marked, and not coloured as a verdict.
            var noise = false
            if m == .duquant, let sp = s.currentSeedSpread?.outputRelError, let a = ref.methods[m]?.outputRelError,
               let b = now.methods[m]?.outputRelError {
                noise = sp.contains(change: Double(b) - Double(a))
            }
            let style = abs(c) < 0.005 || noise ? nil : (c < 0 ? ctx.palette.best : ctx.palette.error)
            row.append(TableWidget.Item((noise ? String(ctx.glyphs.approx) : "") + text, style: style))
        }
        return row
    }
}
