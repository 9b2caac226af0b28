import DuQuantCore
import ExplorerModel

extension Screen {
    static func drawList(_ grid: inout CellGrid, _ ctx: Context) {
        Hop.here()
        let s = ctx.state
        guard !ctx.shown.teachingWide else { return }
        let title = s.list.search != nil ? "Layers — find: \(s.list.search!)"
            : "Layers (\(s.shared.layers.count))" + (s.list.sort == .file ? "" : " · \(s.list.sort.title)")
        panelTitle(&grid, ctx.layout.listTitle, title, focused: s.focus == .layers, ctx)
        // The error column names its method (`m` changes it): output error, or act MSE without weights.
        let errTitle = s.list.method.shortTitle + (s.shared.layers.contains { $0.summary?.errorIsOutput == false } ? " err" : " out")
        let columns = [
            TableWidget.Column("layer", width: 18, align: .left, priority: 10),
            TableWidget.Column("kind", width: 4, align: .left, priority: 3),
            TableWidget.Column("shape", width: 9, priority: 1),
            TableWidget.Column("max|x|", width: 6, priority: 5),
            TableWidget.Column("ratio", width: 6, priority: 2),
            TableWidget.Column(errTitle, width: 7, priority: 4),
        ]
        let rows: [[TableWidget.Item]] = s.listOrder.map { i in
            let layer = s.shared.layers[i]
            var mark = s.shared.open?.index == i ? String(ctx.glyphs.pointer) : " "
            if s.shared.files.count > 1 { mark += "\(layer.file + 1):" }
            let sum = layer.summary
            return [
                TableWidget.Item(mark + layer.shortName),
                TableWidget.Item(layer.kind),
                TableWidget.Item("\(layer.tokens)×\(layer.inFeatures)"),
                TableWidget.Item(sum.map { Format.num($0.maxAbs) } ?? "…"),
                TableWidget.Item(sum.map { Format.num($0.ratio) } ?? "…"),
                errorItem(ctx, i),
            ]
        }
        TableWidget(columns: columns, rows: rows, selected: s.selectedRow, offset: s.list.offset, palette: ctx.palette,
                    focused: s.focus == .layers)
            .draw(into: &grid, area: ctx.layout.list)
    }

    /// The list's error of layer `i`: `…` before it is measured; a figure of other settings (a parameter
    /// changed since, another file's sidecar) dimmed and marked `…` until the scan measures it again.
    static func errorItem(_ ctx: Context, _ i: Int) -> TableWidget.Item {
        guard let e = ctx.state.shared.layers[i].summary?.error else { return TableWidget.Item("…") }
        if ctx.state.listErrorIsCurrent(i) { return TableWidget.Item(Format.metric(e, width: 7)) }
        return TableWidget.Item(Format.metric(e, width: 6) + "…", style: ctx.palette.dim)
    }

    static func drawParams(_ grid: inout CellGrid, _ ctx: Context) {
        Hop.here()
        let s = ctx.state
        guard !ctx.shown.teachingWide else { return }
        let area = ctx.layout.params
        // A short panel scrolls with the selection; its title counts the rows out of view.
        let offset = ScreenLayout.paramOffset(selected: s.parameters.row, height: area.height)
        let below = max(0, ParamField.allCases.count - offset - area.height)
        let more = (offset > 0 ? " \(ctx.glyphs.up)\(offset)" : "") + (below > 0 ? " \(ctx.glyphs.down)\(below)" : "")
        panelTitle(&grid, ctx.layout.paramsTitle, (more.isEmpty ? "Parameters  [ ] change" : "Parameters [ ] change") + more,
                   focused: s.focus == .params, ctx)
        grid.fill(area, with: Cell(" ", ctx.palette.text))
        for field in ParamField.allCases where (offset..<(offset + area.height)).contains(field.rawValue) {
            let row = area.row(field.rawValue - offset)
            let selected = field.rawValue == s.parameters.row
            var style = ctx.palette.text
            if selected { style = s.focus == .params ? ctx.palette.selected : ctx.palette.selected.with(.dim) }
            grid.fill(row, with: Cell(" ", style))
            // Rows that differ from the pinned baseline are marked.
            let differs = s.methods.baseline.map { $0.differing(from: s.shared.params).contains(field.spec.name) } ?? false
            grid.put((differs ? String(ctx.glyphs.changed) : " ") + field.title, at: Point(x: row.x, y: row.y),
                     style: differs && !selected ? ctx.palette.accent : style, maxWidth: row.width)
            let g = ctx.glyphs
            let shown = selected ? "\(g.valueLeft) \(field.value(in: s.shared.params)) \(g.valueRight)" : field.value(in: s.shared.params)
            let w = CellGrid.columns(shown)
            grid.put(shown, at: Point(x: row.maxX - w - 1, y: row.y), style: selected ? style : ctx.palette.accent.with([]))
        }
    }

    static func drawMetrics(_ grid: inout CellGrid, _ ctx: Context) {
        Hop.here()
        let s = ctx.state
        let estimate = s.shared.evaluation?.estimate
        panelTitle(&grid, ctx.layout.metricsTitle, metricsTitle(ctx), focused: false, ctx)
        let methods = Method.allCases
        let area = ctx.layout.metrics
        let labelWidth = 12
        let colWidth = max(7, min(13, (area.width - labelWidth) / methods.count - 1))
        let columns = methodColumns(ctx, labelWidth: labelWidth, colWidth: colWidth)
        var rows: [[TableWidget.Item]] = [settingsRow(ctx, colWidth: colWidth)]
        // A figure, its ≈ and ★ in a column: two cells after the number keep the columns aligned; in a
        // narrow column one, and fewer digits before anything is cut.
        func cell(_ v: Float, best: Bool, approx: Bool) -> String {
            let pre = approx ? String(ctx.glyphs.approx) : "", mark = String(ctx.glyphs.best)
            guard v.isFinite else { return pre + Format.metric(v, width: colWidth - 2 - pre.count) }
            for n in Format.shortened(v) {
                for pad in [2, 1] where n.count <= colWidth - pad - pre.count {
                    return pre + n + (best ? String(repeating: " ", count: pad - 1) + mark : String(repeating: " ", count: pad))
                }
            }
            return pre + Format.num(v) + (best ? mark : "")
        }
        // The MSE rows are in each method's own transformed space: not comparable across methods, so no ★.
        // The output error first (the figure that compares methods), with what explains it right under it
        // (Δ or baseline, held-out tokens, the model's perplexity); the rest as far as the panel reaches.
        let rowsSpec: [(String, Bool, (MethodMetrics) -> Float?)] = [
            ("out rel err", true, { $0.outputRelError }),
            ("max |x|", true, { $0.actMaxAbs }),
            ("act MSE own", false, { $0.actMSE }),
            ("wt MSE own", false, { $0.weightMSE }),
            ("kurtosis", false, { $0.kurtosis }),
        ]
        for (label, ranked, get) in rowsSpec {
            let main = label == "out rel err" ? splitMainRow(s, methods, get) : nil
            let values = main?.values ?? methods.map { m in s.shared.evaluation?.methods[m].flatMap(get) }
            let finite = values.compactMap { $0 }.filter { $0.isFinite }
            // No best mark while a method is still coming: it might be the best.
            let best = s.shared.evaluation?.pending.isEmpty == false ? nil : finite.min()
            var row = [TableWidget.Item(main?.label ?? label)]
            for (m, v) in zip(methods, values) {
                let coming = main.map { $0.values.allSatisfy { $0 == nil } } ?? (s.shared.evaluation == nil || s.shared.evaluation?.pending.contains(m) == true)
                guard let v else { row.append(TableWidget.Item(coming ? "…" : "–")); continue }
                let isBest = v == best && finite.count > 1 && ranked
                let text = cell(v, best: isBest, approx: main == nil && estimate?.isEstimated(m) == true && label != "wt MSE own")
                row.append(TableWidget.Item(text, style: isBest ? ctx.palette.best : nil))
            }
            rows.append(row)
            if label == "out rel err" {
                if let delta = deltaRow(ctx, methods) { rows.append(delta) }
                rows += heldOutRows(ctx, methods) { cell($0, best: $1, approx: false) }
                if let model = modelRow(ctx, methods) { rows.append(model) }
            }
        }
        TableWidget(columns: columns, rows: rows, palette: ctx.palette).draw(into: &grid, area: area)
    }

    /// The Methods title: the bits, whether the figures are estimates or updating, the seed spread, the
    /// held-out split and the model's figures.
    static func metricsTitle(_ ctx: Context) -> String {
        let s = ctx.state
        var stale = s.jobs.busy[.evaluate] != nil ? " (updating…)" : ""
        let estimate = s.shared.evaluation?.estimate
        if let estimate {
            stale = " \(ctx.glyphs.approx) on \(estimate.sampledTokens) of \(estimate.totalTokens) tokens, exact follows"
            // A DuQuant preview searched its rotations on fewer tokens still: say how many.
            if let searched = s.shared.evaluation?.estimate?.previewTokens {
                stale = " \(ctx.glyphs.approx) on \(estimate.sampledTokens) of \(estimate.totalTokens) tokens (DuQuant's rotations on \(searched)), exact follows"
            }
        }
        // Once measured (`N`), how far the seed alone moves DuQuant's figure.
        var spread = ""
        if let sp = s.currentSeedSpread, let e = sp.outputRelError {
            spread = " · DuQuant over seeds 0–\(sp.seeds - 1): \(Format.num(Float(e.min)))–\(Format.num(Float(e.max)))"
        }
        if let mode = s.methods.heldOutMode, let h = s.currentHeldOut {
            spread += " · fit on \(h.heldOut.source.fitTokens), held out \(h.heldOut.source.evalTokens) (\(mode.spec))"
        }
        return "Methods, a\(s.shared.params.abits)w\(s.shared.params.wbits)\(stale)\(spread)\(modelTitle(ctx))"
    }

    /// Each method's own settings (α, clip ratios) sit in the first row; in narrow columns α moves to the header.
    static func alphaInHeader(colWidth: Int) -> Bool { colWidth < 9 }

    /// The label column and one column per method, titled (with α when narrow).
    static func methodColumns(_ ctx: Context, labelWidth: Int, colWidth: Int) -> [TableWidget.Column] {
        let inHeader = alphaInHeader(colWidth: colWidth)
        return [TableWidget.Column("", width: labelWidth, align: .left, priority: 10)] + Method.allCases.map {
            TableWidget.Column(methodColumnTitle($0, width: colWidth, alpha: inHeader ? ctx.state.shared.params.settings(for: $0).alpha : nil),
                               width: colWidth, priority: columnPriority($0))
        }
    }

    /// The first row: each method's α (unless in the header) and clip ratios.
    static func settingsRow(_ ctx: Context, colWidth: Int) -> [TableWidget.Item] {
        let inHeader = alphaInHeader(colWidth: colWidth)
        return [TableWidget.Item(inHeader ? "clip X/W" : "α, clip X/W", style: ctx.palette.dim)] + Method.allCases.map { m in
            let set = ctx.state.shared.params.settings(for: m)
            let alpha = inHeader ? "" : set.alpha.map { "α" + MethodSettings.compact($0) + " " } ?? ""
            let text = alpha + set.compactClip
            // Aligned with the figures (two cells for their ★) where that fits.
            return TableWidget.Item(text + (text.count + 2 <= colWidth ? "  " : ""), style: ctx.palette.dim)
        }
    }

    /// With tokens held out (`V`, `--calib-tokens`), the main row's figures: each method fitted on the fit
    /// tokens and measured there, labelled `fit` (nil values until measured). One framing with `report`,
    /// whose table is the fit under a split; the all-token fit is not shown beside it.
    static func splitMainRow(_ s: AppState, _ methods: [Method], _ get: (MethodMetrics) -> Float?) -> (label: String, values: [Float?])? {
        guard s.methods.heldOutMode != nil else { return nil }
        let fit = s.currentHeldOut?.fit
        return ("out err fit", methods.map { m in fit?[m].flatMap { get($0) ?? $0.actMSE } })
    }

    /// With tokens held out: the same transforms measured on the held-out tokens (the output error, or the
    /// activation MSE without a weight), as `format` writes a figure in a column, its best marked.
    static func heldOutRows(_ ctx: Context, _ methods: [Method], format: (Float, Bool) -> String) -> [[TableWidget.Item]] {
        let s = ctx.state
        guard s.methods.heldOutMode != nil else { return [] }
        let figures = s.currentHeldOut?.heldOut.methods
        let values = methods.map { m in figures?[m].map { $0.outputRelError ?? $0.actMSE } }
        let finite = values.compactMap { $0 }.filter(\.isFinite)
        let best = finite.count > 1 ? finite.min() : nil
        return [[TableWidget.Item("held out")] + values.map { v in
            guard figures != nil else { return TableWidget.Item("…") }
            guard let v else { return TableWidget.Item("–") }
            return TableWidget.Item(format(v, v == best), style: v == best ? ctx.palette.best : nil)
        }]
    }

    /// Which method columns a narrow table keeps first: DuQuant, then RTN (the floor), then the rest.
    static func columnPriority(_ m: Method) -> Int {
        switch m {
        case .duquant: 9
        case .rtn: 8
        case .quarot: 7
        case .smoothquant: 6
        case .hadamard: 5
        }
    }

    /// A method's column title in `width` cells: its name, shortened when narrow, with its α when given
    /// (`SQ α.5`, `DuQ α.6`).
    static func methodColumnTitle(_ m: Method, width: Int, alpha: Float? = nil) -> String {
        if let alpha { return m.shortTitle + " α" + MethodSettings.compact(alpha) }
        if m.title.count <= width { return m.title }
        switch m {
        case .smoothquant: return "SmoothQ"
        case .hadamard: return width >= 9 ? "block Had" : "blk Had"
        case .quarot: return "QuaRot"
        default: return m.shortTitle
        }
    }

    /// The row under the output error that says what the last change did: against a pinned baseline the
    /// ratio of each method's figure to the baseline's (`×0.52`), else the change since the previous setting
    /// (`▼12%` lower, `▲3%` higher, `=` within 0.5%); better in the theme's best colour, worse in its error
    /// colour. Nil until there is something to compare with.
    static func deltaRow(_ ctx: Context, _ methods: [Method]) -> [TableWidget.Item]? {
        let s = ctx.state
        guard let now = s.shared.evaluation, now.estimate == nil, now.pending.isEmpty,
              let ref = s.methods.baseline ?? s.methods.previousFigures, ref.params != now.params || s.methods.baseline != nil else { return nil }
        var row = [TableWidget.Item(s.methods.baseline != nil ? "vs baseline" : "Δ since last")]
        for m in methods {
            guard let c = ref.change(of: m, to: now.methods) else { row.append(TableWidget.Item("–")); continue }
            let text: String
            if s.methods.baseline != nil {
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
