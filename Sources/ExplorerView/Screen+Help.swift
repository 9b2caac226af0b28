import ExplorerModel

extension Screen {
    /// The help overlay: keys, then what the current stage does.
    static func drawHelp(_ grid: inout CellGrid, _ ctx: Context) {
        let p = ctx.palette
        let box = Rect(x: 2, y: 1, width: grid.width - 4, height: grid.height - 2)
        grid.fill(box, with: Cell(" ", p.text))
        let inner = box.inset(by: 1)
        var lines: [(String, CellStyle)] = [("Keys", p.header)]
        let keyWidth = (HelpText.keys.map { CellGrid.columns($0.0) }.max() ?? 8) + 2
        for (keys, meaning) in HelpText.keys {
            let wrapped = HelpText.wrap(meaning, width: max(10, inner.width - keyWidth))
            for (i, w) in wrapped.enumerated() {
                lines.append(((i == 0 ? CellGrid.fit(keys, width: keyWidth) : String(repeating: " ", count: keyWidth)) + w, p.text))
            }
        }
        let stage = ctx.state.stage
        lines.append(("", p.text))
        lines.append(("Stage \(stage.rawValue + 1): \(stage.title)", p.header))
        for w in HelpText.wrap(HelpText.explanation(stage), width: inner.width) { lines.append((w, p.text)) }
        let maxScroll = max(0, lines.count - inner.height)
        let offset = min(ctx.state.helpScroll, maxScroll)
        for (i, (text, style)) in lines.dropFirst(offset).prefix(inner.height).enumerated() {
            grid.putLine(text, in: inner.row(i), style: style)
        }
        // Frame.
        let g = ctx.glyphs
        for x in box.x..<box.maxX {
            grid[x, box.y] = Cell(g.horizontal, p.border)
            grid[x, box.maxY - 1] = Cell(g.horizontal, p.border)
        }
        for y in box.y..<box.maxY {
            grid[box.x, y] = Cell(g.vertical, p.border)
            grid[box.maxX - 1, y] = Cell(g.vertical, p.border)
        }
        grid.put(" Help — ? or Esc closes, j k scroll ", at: Point(x: box.x + 2, y: box.y), style: p.accent)
    }
}
