import ExplorerModel

extension Screen {
    /// The help overlay: keys, then what the current stage does.
    static func drawHelp(_ grid: inout CellGrid, _ ctx: Context) {
        Hop.here()
        let p = ctx.palette
        let inner = overlayBox(grid).inset(by: 1)
        var lines: [(String, CellStyle)] = [("Keys", p.header)]
        let keyWidth = (HelpText.keys.map { CellGrid.columns($0.0) }.max() ?? 8) + 2
        for (keys, meaning) in HelpText.keys {
            let wrapped = HelpText.wrap(meaning, width: max(10, inner.width - keyWidth))
            for (i, w) in wrapped.enumerated() {
                lines.append(((i == 0 ? CellGrid.fit(keys, width: keyWidth) : String(repeating: " ", count: keyWidth)) + w, p.text))
            }
        }
        let stage = ctx.state.heatmap.stage
        lines.append(("", p.text))
        lines.append(("Stage \(stage.rawValue + 1): \(stage.title)", p.header))
        for w in HelpText.wrap(HelpText.explanation(stage), width: inner.width) { lines.append((w, p.text)) }
        if let open = ctx.state.shared.open, let text = ctx.state.shared.explanations[ctx.state.shared.layers[open.index].file] {
            lines.append(("", p.text))
            lines.append((HelpText.sampleTitle, p.header))
            for w in HelpText.wrap(text, width: inner.width) { lines.append((w, p.text)) }
        }
        lines.append(("", p.text))
        lines.append(("Methods (each under its own settings; same for all: the panel's switch)", p.header))
        for m in HelpText.methods(ctx.state.shared.params) {
            for (i, w) in HelpText.wrap("\(m.title): \(m.what)", width: inner.width).enumerated() {
                lines.append(((i == 0 ? "" : "  ") + w, p.text))
            }
            for w in HelpText.wrap(m.settings, width: max(10, inner.width - 2)) { lines.append(("  " + w, p.dim)) }
        }
        for w in HelpText.wrap(HelpText.ownSpaceNote, width: inner.width) { lines.append((w, p.text)) }
        drawOverlay(&grid, ctx, title: " Help — ? or Esc closes, j k scroll ", lines: lines)
    }

    /// The problems overlay (`!`): every problem of the session in full, oldest first.
    static func drawProblems(_ grid: inout CellGrid, _ ctx: Context) {
        Hop.here()
        let p = ctx.palette
        let inner = overlayBox(grid).inset(by: 1)
        let problems = ctx.state.status.problems
        var lines: [(String, CellStyle)] = [("\(problems.count) problem\(problems.count == 1 ? "" : "s") this session", p.header)]
        if problems.isEmpty { lines.append(("None.", p.text)) }
        for problem in problems {
            for (i, w) in HelpText.wrap(problem, width: max(10, inner.width - 2)).enumerated() {
                lines.append(((i == 0 ? "• " : "  ") + w, p.text))
            }
        }
        drawOverlay(&grid, ctx, title: " Problems — ! or Esc closes, j k scroll ", lines: lines)
    }

    /// The rectangle overlays cover.
    static func overlayBox(_ grid: CellGrid) -> Rect {
        Rect(x: 2, y: 1, width: grid.width - 4, height: grid.height - 2)
    }

    /// A framed box over the screen with `lines` scrolled by the state's `helpScroll`.
    static func drawOverlay(_ grid: inout CellGrid, _ ctx: Context, title: String, lines: [(String, CellStyle)]) {
        let p = ctx.palette
        let box = overlayBox(grid)
        grid.fill(box, with: Cell(" ", p.text))
        let inner = box.inset(by: 1)
        let maxScroll = max(0, lines.count - inner.height)
        let offset = min(ctx.state.overlays.scroll, maxScroll)
        for (i, (text, style)) in lines.dropFirst(offset).prefix(inner.height).enumerated() {
            grid.putLine(text, in: inner.row(i), style: style)
        }
        let g = ctx.glyphs
        for x in box.x..<box.maxX {
            grid[x, box.y] = Cell(g.horizontal, p.border)
            grid[x, box.maxY - 1] = Cell(g.horizontal, p.border)
        }
        for y in box.y..<box.maxY {
            grid[box.x, y] = Cell(g.vertical, p.border)
            grid[box.maxX - 1, y] = Cell(g.vertical, p.border)
        }
        for (i, corner) in [(box.x, box.y), (box.maxX - 1, box.y), (box.x, box.maxY - 1), (box.maxX - 1, box.maxY - 1)].enumerated() {
            grid[corner.0, corner.1] = Cell(g.corners[i], p.border)
        }
        grid.put(title, at: Point(x: box.x + 2, y: box.y), style: p.accent)
    }
}
