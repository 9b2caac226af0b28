import DuQuantCore
import ExplorerModel

/// The whole screen as a function of the state: `Screen.render(state, theme:) -> CellGrid`.
///
/// ```swift
/// let grid = Screen.render(state, theme: dark)
/// print(grid.text)
/// ```
package enum Screen {
    /// Draws `state` at `state.display.size` with `theme` (mapped to `state.display.colourMode`), pooling the heatmap
    /// afresh: for one frame (`render`, tests). The run loop keeps a ``HeatCache`` instead.
    package static func render(_ state: AppState, theme: Theme) -> CellGrid {
        var cache = HeatCache()
        return render(state, theme: theme, cache: &cache)
    }

    /// Draws `state` with the heatmap's pools taken from `cache`, which keeps them for the next frame.
    package static func render(_ state: AppState, theme: Theme, cache: inout HeatCache) -> CellGrid {
        render(state, theme: theme, cache: &cache, order: panels)
    }

    /// A panel's drawing: it reads the context only, so the panels may be drawn in any order.
    typealias Draw = @Sendable (inout CellGrid, Context) -> Void

    /// The panels under the overlays (each into its own rectangles of the layout).
    static let panels: [Draw] = [drawTopBar, drawList, drawParams, drawHeat, drawLower, drawMetrics, drawStatus]

    /// Draws `state` with the panels drawn in `order` (tests draw them backwards: the screen must not change).
    static func render(_ state: AppState, theme: Theme, cache: inout HeatCache, order: [Draw]) -> CellGrid {
        Hop.here()
        let palette = Palette(theme: theme, mode: state.display.colourMode, asciiHeat: state.asciiHeat)
        let glyphs: Glyphs = state.display.ascii ? .ascii : .unicode
        var ctx = Context(state: state, palette: palette, glyphs: glyphs,
                          layout: ScreenLayout(size: state.display.size, compare: state.heatmap.compare))
        var grid = CellGrid(size: state.display.size, fill: Cell(" ", ctx.palette.text))
        if ctx.layout.tooSmall {
            drawTooSmall(&grid, ctx)
            if state.display.ascii { grid.transliterate(Glyphs.asciiFallback) }
            return grid
        }
        // Everything computed from the matrices before drawing: the pools (kept while they stay valid).
        ctx.panes = heatPanes(state, layout: ctx.layout, rowsPerCell: HeatmapWidget.rowsPerCell(palette))
        ctx.heat = cache.frame(for: ctx.panes, view: state.heatmap.view)
        ctx.shown = HeatShown(state, panes: ctx.panes, frame: ctx.heat)
        // Every draw below reads the context only: none depends on another having run first.
        for draw in order { draw(&grid, ctx) }
        if state.overlays.showHelp { drawHelp(&grid, ctx) }
        if state.overlays.showProblems { drawProblems(&grid, ctx) }
        if state.display.ascii { grid.transliterate(Glyphs.asciiFallback) }
        return grid
    }

    /// What the drawing functions share.
    struct Context {
        var state: AppState
        var palette: Palette
        var glyphs: Glyphs
        var layout: ScreenLayout
        /// The heatmap panes and their pools, prepared before drawing.
        var panes: [HeatPane] = []
        var heat = HeatFrame()
        /// The shared scale, the main pane's pool and the teaching view's rows, settled before drawing.
        var shown = HeatShown()
    }

    static func drawTooSmall(_ grid: inout CellGrid, _ ctx: Context) {
        let need = ScreenLayout.minimum
        let have = "\(ctx.state.display.size.width)×\(ctx.state.display.size.height)"
        // Below ~40 columns the sentences would be cut off; the short form still says what is needed.
        let lines = grid.width >= 42
            ? ["Terminal too small: \(have).", "DuQuant Explorer needs at least \(need.width)×\(need.height).",
               "Enlarge the window, or press q to quit."]
            : ["Too small: \(have)", "needs \(need.width)×\(need.height)", "q quits"]
        for (i, line) in lines.enumerated() {
            let y = max(0, grid.height / 2 - 1) + i
            grid.putLine(line, in: Rect(x: 0, y: y, width: grid.width, height: 1),
                         style: i == 0 ? ctx.palette.error : ctx.palette.text, align: .center)
        }
    }

    static func drawTopBar(_ grid: inout CellGrid, _ ctx: Context) {
        Hop.here()
        let bar = ctx.layout.topBar
        let p = ctx.palette
        grid.fill(bar, with: Cell(" ", p.title))
        grid.put(TopBar.title(width: bar.width), at: Point(x: bar.x, y: bar.y), style: p.title)
        for tab in TopBar.tabs(width: bar.width) {
            let active = tab.stage == ctx.state.heatmap.stage && ctx.state.heatmap.step == nil
            let inCompare = ctx.state.heatmap.compare && tab.stage == ctx.state.heatmap.compareLeft
            var style = p.title
            style.attrs = []
            if active { style = CellStyle(fg: p.accent.fg, bg: p.title.bg, attrs: [.bold, .reverse]) }
            else if inCompare { style = CellStyle(fg: p.accent.fg, bg: p.title.bg, attrs: [.underline]) }
            grid.put(tab.label, at: Point(x: tab.columns.lowerBound, y: bar.y), style: style)
        }
        let hint = TopBar.hint
        let x = bar.maxX - hint.count
        if x >= (TopBar.tabs(width: bar.width).last?.columns.upperBound ?? 0) {
            grid.put(hint, at: Point(x: x, y: bar.y), style: p.title)
        }
    }

    static func panelTitle(_ grid: inout CellGrid, _ rect: Rect, _ text: String, focused: Bool, _ ctx: Context) {
        guard !rect.isEmpty else { return }
        let p = ctx.palette
        grid.fill(rect.row(0), with: Cell(ctx.glyphs.horizontal, p.border))
        let label = " \(text) "
        grid.put(label, at: Point(x: rect.x + 1, y: rect.y), style: focused ? p.accent : p.header,
                 maxWidth: rect.width - 2)
    }

    static func drawStatus(_ grid: inout CellGrid, _ ctx: Context) {
        Hop.here()
        let s = ctx.state
        let p = ctx.palette
        let bar = ctx.layout.statusBar
        grid.fill(bar, with: Cell(" ", p.status))
        var right = ""
        var rightStyle = p.status
        if let search = s.list.search {
            right = "find: \(search)_"
        } else if let err = s.status.lastError {
            // Before progress: a problem stays readable until dismissed (it used to be overwritten by
            // "computing" within 0.4 s).
            right = "error (Esc/!): \(err)"
            rightStyle = CellStyle(fg: p.error.fg, bg: p.status.bg, attrs: p.error.attrs.union(p.status.attrs))
        } else if let notice = s.status.notice {
            // The answer to the last key (`t`'s theme, `x`'s value) before background progress, which
            // would hide it for as long as the scan runs; the next key clears it.
            right = notice
        } else if let kind = [EffectKind.load, .evaluate, .step, .spread, .heldOut, .model, .sensitivity, .scan].first(where: { s.jobs.busy[$0]?.fraction != nil }),
                  let busy = s.jobs.busy[kind] {
            let width = 10
            let f = busy.fraction ?? 0
            let filled = Int((f * Double(width)).rounded())
            let bar = String(repeating: Character(ctx.glyphs.progressFull), count: filled)
                + String(repeating: Character(ctx.glyphs.progressEmpty), count: width - filled)
            right = "\(busy.what) \(bar) \(Format.percent(f))" + (busy.elapsed.map { " " + Format.seconds($0) } ?? "")
            // A remaining-time guess once there is enough to go on.
            if let elapsed = busy.elapsed, elapsed >= 1, f >= 0.05, f < 1 {
                right += ", ~\(Format.seconds(elapsed * (1 - f) / f)) left"
            }
            if kind == .evaluate && s.heatmap.step == nil { right += " · Esc stops" }
        }
        let file = s.shared.open.map { s.shared.files[s.shared.layers[$0.index].file] } ?? s.shared.files.first ?? ""
        let fileName = file.split(separator: "/").last.map(String.init) ?? file
        let layer = s.shared.open.map { s.shared.layers[$0.index].name } ?? "no layer open"
        let stage = s.heatmap.step != nil ? "step-through" : (s.heatmap.compare ? "\(s.heatmap.compareLeft.title) | \(s.heatmap.stage.title)" : s.heatmap.stage.title)
        let left = " \(fileName) · \(layer) · \(stage) · \(s.shared.params.summary)"
        let rightWidth = min(CellGrid.columns(right) + 2, bar.width / 2)
        grid.putLine(left, in: Rect(x: bar.x, y: bar.y, width: bar.width - rightWidth, height: 1), style: p.status)
        if !right.isEmpty {
            grid.putLine(right + " ", in: Rect(x: bar.maxX - rightWidth, y: bar.y, width: rightWidth, height: 1),
                         style: rightStyle, align: .right)
        }
    }
}
