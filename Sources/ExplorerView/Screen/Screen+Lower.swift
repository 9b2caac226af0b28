import DuQuantCore
import ExplorerModel

extension Screen {
    static func drawLower(_ grid: inout CellGrid, _ ctx: Context) {
        Hop.here()
        // With the dump's model attached, the Model panel has these rows (step-through and the anatomy,
        // asked for by a key, still take them).
        if ctx.state.model.available && ctx.state.heatmap.step == nil && !ctx.state.methods.showAnatomy {
            drawModelPanel(&grid, ctx)
            return
        }
        // The teaching view's caption took these rows (it says in numbers what the profile shows).
        if ctx.shown.teaching && ctx.state.heatmap.step == nil && !ctx.state.methods.showAnatomy { return }
        if ctx.state.heatmap.step != nil {
            drawStepPanel(&grid, ctx)
        } else if ctx.state.methods.showAnatomy {
            drawAnatomy(&grid, ctx)
        } else {
            drawProfile(&grid, ctx)
        }
    }

    /// The Model panel (`M` scope, `Z` sensitivity): the model's perplexity, live.
    static func drawModelPanel(_ grid: inout CellGrid, _ ctx: Context) {
        let s = ctx.state
        let area = ctx.layout.lower
        panelTitle(&grid, ctx.layout.lowerTitle, "Model perplexity · \(s.model.description ?? "")", focused: false, ctx)
        ModelPanelWidget(model: s.model, request: s.modelRequest, stale: s.modelFigureIsStale,
                         progress: s.jobs.busy[.model].map { $0.fraction ?? 0 }, sensitivityProgress: s.jobs.busy[.sensitivity]?.fraction,
                         palette: ctx.palette).draw(into: &grid, area: area)
    }

    /// Per-channel max |x| under the heatmap, and how evenly the permutation spread the outliers.
    static func drawProfile(_ grid: inout CellGrid, _ ctx: Context) {
        let s = ctx.state
        let area = ctx.layout.lower
        panelTitle(&grid, ctx.layout.lowerTitle, "Channel max |x| · \(s.heatmap.stage.title)", focused: false, ctx)
        grid.fill(area, with: Cell(" ", ctx.palette.text))
        guard area.height > 0 else { return }
        let (bars, balance) = area.splitRows(fromBottom: 1)
        if let pool = ctx.shown.pool, let mapping = ctx.shown.mapping {
            let x0 = s.heatmap.compare ? (ctx.layout.heatRight?.x ?? area.x) : area.x
            let barArea = Rect(x: x0, y: bars.y, width: area.maxX - x0, height: bars.height)
            ProfileWidget(columns: pool.columnMax, mapping: mapping, palette: ctx.palette, glyphs: ctx.glyphs).draw(into: &grid, area: barArea)
        }
        drawBlockBalance(&grid, ctx, area: balance)
    }

    /// Per-block share of the outlier mass after the permutation, and the block-mean variance before/after.
    static func drawBlockBalance(_ grid: inout CellGrid, _ ctx: Context, area: Rect) {
        guard let cal = ctx.state.calibration else {
            grid.putLine("blocks: waiting for the calibration", in: area, style: ctx.palette.dim)
            return
        }
        // The figures came with the stage statistics (for the calibration's block size).
        let block = cal.params.block
        guard let before = ctx.state.shared.stageStats[.rotation1]?.blocks, let after = ctx.state.shared.stageStats[.permutation]?.blocks,
              before.size == block, after.size == block else { return }
        let varBefore = before.meanVariance, varAfter = after.meanVariance
        let shares = after.shares
        let wide = area.width >= 90
        let label = wide ? "after perm, outlier share per block " : "perm blocks "
        var x = area.x
        x += grid.put(label, at: Point(x: x, y: area.y), style: ctx.palette.dim, maxWidth: area.width)
        let tail = (wide ? " · block-mean var " : " var ") + "\(Format.num(varBefore)) → \(Format.num(varAfter))"
        let sparkWidth = min(shares.count, max(1, area.maxX - x - CellGrid.columns(tail)))
        Sparkline(values: shares, floor: 0, palette: ctx.palette, glyphs: ctx.glyphs)
            .draw(into: &grid, area: Rect(x: x, y: area.y, width: sparkWidth, height: 1))
        x += sparkWidth
        grid.put(tail, at: Point(x: x, y: area.y), style: ctx.palette.text, maxWidth: area.maxX - x)
    }

    /// Greedy step-through: which channel each step chose, and the trajectory of the block's range (max − min) with the kept prefix.
    static func drawStepPanel(_ grid: inout CellGrid, _ ctx: Context) {
        let s = ctx.state
        guard let step = s.heatmap.step else { return }
        let area = ctx.layout.lower
        let p = ctx.palette
        let stages = s.calibration?.traces.count ?? 0
        panelTitle(&grid, ctx.layout.lowerTitle,
                   "Greedy step-through · rotation \(step.rotation + 1) of \(stages) · \(s.shared.params.select.rawValue)/\(s.shared.params.layout.rawValue)",
                   focused: true, ctx)
        grid.fill(area, with: Cell(" ", p.text))
        guard let cal = s.calibration, cal.traces.indices.contains(step.rotation), area.height > 0 else { return }
        let traces = cal.traces[step.rotation]
        guard !traces.isEmpty else {
            grid.putLine("no greedy steps in this stage", in: area.row(0), style: p.dim)
            return
        }
        let trace = traces[min(step.traceIndex, traces.count - 1)]
        let blockName = trace.block < 0 ? "shared" : "block \(trace.block)"
        var line = "\(blockName) (\(min(step.traceIndex, traces.count - 1) + 1)/\(traces.count)) · step \(step.step)/\(trace.chosen.count)"
        if step.step > 0 && step.step <= trace.chosen.count {
            line += " · chose \(Caption.chosenName(s, trace, step: step.step - 1))"
        }
        if let first = trace.peaks.first, step.step < trace.peaks.count {
            line += " · range \(Format.num(first)) → \(Format.num(trace.peaks[step.step]))"
        }
        line += " · kept \(trace.kept)"
        grid.putLine(line, in: area.row(0), style: p.text)
        if area.height > 1 {
            let label = "range "
            grid.put(label, at: Point(x: area.x, y: area.y + 1), style: p.dim)
            Sparkline(values: trace.peaks, kept: trace.kept, marker: step.step, palette: p, glyphs: ctx.glyphs)
                .draw(into: &grid, area: Rect(x: area.x + label.count, y: area.y + 1, width: area.width - label.count, height: 1))
        }
        if area.height > 2 {
            grid.putLine("kept prefix bright, dropped steps dim · . , step · > < ten · r rotation · b block · Esc leaves",
                         in: area.row(2), style: p.dim)
        }
    }

    /// Where each method's error comes from (`A`): the output error with only activations, only weights
    /// and both quantized, and the share of each quantizer's error due to clipping (the rest is rounding).
    static func drawAnatomy(_ grid: inout CellGrid, _ ctx: Context) {
        let s = ctx.state
        let area = ctx.layout.lower
        panelTitle(&grid, ctx.layout.lowerTitle, "Error anatomy (A closes) · out err by quantizer, clipping share",
                   focused: false, ctx)
        grid.fill(area, with: Cell(" ", ctx.palette.text))
        let methods = Method.allCases
        let labelWidth = 12
        let colWidth = max(7, min(13, (area.width - labelWidth) / methods.count - 1))
        var columns = [TableWidget.Column("", width: labelWidth, align: .left, priority: 10)]
        columns += methods.map {
            TableWidget.Column(methodColumnTitle($0, width: colWidth), width: colWidth, priority: columnPriority($0))
        }
        let specs: [(String, (ErrorAnatomy) -> String)] = [
            ("X only", { Format.metric($0.activationsOnly) }),
            ("W only", { Format.metric($0.weightsOnly) }),
            ("X and W", { Format.metric($0.both) }),
            ("clip % X W", { "\(Int(($0.activationClipShare * 100).rounded())) \(Int(($0.weightClipShare * 100).rounded()))" }),
        ]
        let rows: [[TableWidget.Item]] = specs.map { label, text in
            [TableWidget.Item(label)] + methods.map { m in
                guard let a = s.shared.evaluation?.methods[m]?.anatomy else {
                    let computing = s.jobs.busy[.evaluate] != nil || s.shared.evaluation?.pending.contains(m) == true
                    return TableWidget.Item(computing ? "…" : "–")
                }
                return TableWidget.Item(text(a))
            }
        }
        TableWidget(columns: columns, rows: rows, palette: ctx.palette).draw(into: &grid, area: area)
    }
}
