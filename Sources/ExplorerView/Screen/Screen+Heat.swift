import DuQuantCore
import ExplorerModel

extension Screen {
    static func drawHeat(_ grid: inout CellGrid, _ ctx: Context) {
        Hop.here()
        let s = ctx.state
        let layout = ctx.layout
        let p = ctx.palette
        grid.fill(layout.heatTitle, with: Cell(" ", p.text))
        guard let open = s.shared.open else {
            let what = s.shared.loading.map { "loading \(s.shared.layers[$0].shortName)…" } ?? "Select a layer and press Enter."
            placeholder(&grid, layout.heat, what, ctx)
            return
        }
        let panes = ctx.panes
        guard let mapping = ctx.shown.mapping else { return }
        for (i, pane) in panes.enumerated() {
            var area = pane.area
            let stage = pane.stage
            let titleArea = Rect(x: area.x, y: layout.heatTitle.y, width: area.width, height: 1)
            grid.putLine(heatTitle(s, stage: stage, compareSide: s.heatmap.compare), in: titleArea,
                         style: s.focus == .heatmap ? p.accent : p.header)
            guard let matrix = pane.matrix, let pool = ctx.heat.pools[i] else {
                let busy = s.jobs.busy[.evaluate] != nil || s.jobs.busy[.step] != nil
                placeholder(&grid, area, busy ? "computing \(stage?.title ?? "step")…" : "not computed", ctx)
                continue
            }
            if let teaching = s.teachingGrid {
                area = s.teachingArea
                TeachingWidget(grid: teaching, matrix: matrix, mapping: mapping, palette: p, glyphs: ctx.glyphs,
                               cursor: s.focus == .heatmap ? (s.heatmap.view.cursorToken, s.heatmap.view.cursorChannel) : nil,
                               mappingRow: permutationRow(s, channels: teaching.channels), caption: Caption.lines(s),
                               explanation: s.shared.open.flatMap { s.shared.explanations[s.shared.layers[$0.index].file] })
                    .draw(into: &grid, area: area)
                continue
            }
            HeatmapWidget(pool: pool, mapping: mapping, palette: p, glyphs: ctx.glyphs,
                          cursor: s.focus == .heatmap || s.heatmap.compare ? (s.heatmap.view.cursorToken, s.heatmap.view.cursorChannel) : nil)
                .draw(into: &grid, area: area)
        }
        // The teaching view takes the profile's rows: the legend and the inspect line go under it.
        let legend = ctx.shown.teaching ? Rect(x: layout.legend.x, y: s.teachingArea.maxY, width: layout.legend.width, height: 1) : layout.legend
        HeatLegend(mapping: mapping, palette: p, glyphs: ctx.glyphs, automatic: s.autoLog).draw(into: &grid, area: legend)
        drawInspect(&grid, ctx, matrix: panes.last?.matrix, open: open)
    }

    /// The permutation under the teaching view: before it (Original … Rotation 1, step-through of rotation
    /// 1) where each channel goes (`to`), after it where each position came from (`from`).
    static func permutationRow(_ s: AppState, channels: Range<Int>) -> (label: String, values: [Int])? {
        guard let perms = s.calibration?.transform.permutations, let last = perms.last, let first = perms.first else { return nil }
        let after: Bool
        if let step = s.heatmap.step { after = step.rotation > 0 } else { after = s.heatmap.stage.rawValue >= Stage.permutation.rawValue }
        if after { return ("from", channels.map { $0 < last.count ? last[$0] : -1 }) }
        let perm = first
        var to = [Int](repeating: -1, count: perm.count)
        for (i, c) in perm.enumerated() where c < to.count { to[c] = i }
        return ("to", channels.map { $0 < to.count ? to[$0] : -1 })
    }

    static func heatTitle(_ s: AppState, stage: Stage?, compareSide: Bool) -> String {
        let v = s.heatmap.view
        let range = "tok \(v.tokenStart)–\(v.tokenStart + v.tokenSpan - 1) × ch \(v.channelStart)–\(v.channelStart + v.channelSpan - 1)"
        let zoom = v.zoom > 0 ? " · zoom \(1 << v.zoom)×" : ""
        if let stage {
            let n = stage.rawValue + 1
            return compareSide ? "\(n) \(stage.title) · \(range)" : "\(n) \(stage.title) · \(range)\(zoom)"
        }
        guard let step = s.heatmap.step else { return range }
        let rotation = step.rotation == 0 ? "Rotation 1" : "Rotation \(step.rotation + 1)"
        let shown = step.shownStep.map { "step \($0)" } ?? "step …"
        return "\(rotation) after \(shown) of \(App.maxSteps(s, rotation: step.rotation)) · \(range)\(zoom)"
    }

    static func placeholder(_ grid: inout CellGrid, _ area: Rect, _ text: String, _ ctx: Context) {
        grid.fill(area, with: Cell(" ", ctx.palette.text))
        guard area.height > 0 else { return }
        grid.putLine(text, in: area.row(area.height / 2), style: ctx.palette.dim, align: .center)
    }

    /// One line about the cell under the cursor: token (and its text), channel range, value.
    static func drawInspect(_ grid: inout CellGrid, _ ctx: Context, matrix: Matrix?, open: OpenLayer) {
        let area = ctx.shown.teaching ? Rect(x: ctx.layout.inspect.x, y: ctx.state.teachingArea.maxY + 1, width: ctx.layout.inspect.width, height: 1)
            : ctx.layout.inspect
        grid.fill(area, with: Cell(" ", ctx.palette.text))
        guard let matrix, let pool = ctx.shown.pool else { return }
        let t = ctx.state.heatmap.view.cursorToken, c = ctx.state.heatmap.view.cursorChannel
        guard t < matrix.rows, c < matrix.cols else { return }
        var word: String? = nil
        if let tokens = open.tokens, t < tokens.count { word = " \"\(visible(tokens[t]))\"" }
        let name = App.channelName(ctx.state, c)
        // After the permutation a position holds another channel: say which (one numbering, followed).
        let from = permutedFrom(ctx.state, channel: c).map { " (was ch \($0))" } ?? ""
        // The bin's maximum and where it sits (when a bin holds several values), so `+` or `x` can land on it.
        // (Found with the frame's pools, before drawing.)
        var binMax: (value: String, at: String)? = nil
        if let r = pool.row(ofToken: t), let k = pool.column(ofChannel: c), let at = ctx.heat.cursorPeak {
            binMax = (Format.num(pool[r, k]), "at tok \(at.token) ch \(at.channel)")
        }
        let bin = binMax.map { " · bin max|x| \($0.value) \($0.at)" } ?? ""
        let shortBin = binMax.map { " · bin max \($0.value) \($0.at)" } ?? ""
        let shortestBin = binMax.map { " · max \($0.value) \($0.at)" } ?? ""
        // The bin's maximum matters more than the token's text or the block: those go first when narrow.
        let value = " · x = \(Format.num(matrix[t, c]))"
        let short = "ch \(c)"
        let candidates = [
            "tok \(t)\(word ?? "") · \(name)\(from)\(value)\(bin)",
            "tok \(t) · \(name)\(from)\(value)\(bin)",
            "tok \(t) · \(short)\(from)\(value)\(bin)",
            "tok \(t) \(short) x=\(Format.num(matrix[t, c]))\(shortBin)",
            "tok \(t) \(short)\(shortestBin)",
        ]
        let text = candidates.first { CellGrid.columns($0) <= area.width } ?? candidates[candidates.count - 1]
        grid.putLine(text, in: area, style: ctx.palette.text)
    }

    /// The channel that permutation moved to position `c`, for the stages after it (nil before, or
    /// when it stayed).
    static func permutedFrom(_ s: AppState, channel c: Int) -> Int? {
        guard let perm = s.calibration?.transform.permutations.last, c < perm.count, perm[c] != c else { return nil }
        let after = s.heatmap.step.map { $0.rotation > 0 } ?? (s.heatmap.stage.rawValue >= Stage.permutation.rawValue)
        return after ? perm[c] : nil
    }

    /// Token text with whitespace made visible (`Ġ`-style markers are kept as the tokenizer wrote them).
    static func visible(_ token: String) -> String {
        var s = ""
        for ch in token {
            switch ch {
            case "\n": s += "\\n"
            case "\t": s += "\\t"
            default: s.append(ch)
            }
        }
        return s
    }
}
