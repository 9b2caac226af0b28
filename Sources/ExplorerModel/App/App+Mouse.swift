extension App {
    /// A click or wheel turn goes to the component under it (the same rectangles the view draws into), as
    /// that component's message. (A click on a stage tab arrives as the heatmap's message: the tabs' text and
    /// columns are the view's, see ExplorerView's `TopBar`.)
    static func handleMouse(_ state: inout AppState, _ event: MouseEvent) -> [Effect] {
        guard !state.overlays.showHelp, state.list.search == nil else { return [] }
        let layout = ScreenLayout(size: state.display.size, compare: state.heatmap.compare)
        guard !layout.tooSmall else { return [] }
        let p = event.at
        if layout.list.contains(p) { return listMouse(&state, event, layout) }
        if layout.params.contains(p), event.kind == .press {
            let row = p.y - layout.params.y + ScreenLayout.paramOffset(selected: state.parameters.row, height: layout.params.height)
            return route(&state, .parameters(.select(row: row)))
        }
        // The teaching view: one cell per value, under a header row.
        if let g = state.teachingGrid, event.kind == .press, state.teachingArea.contains(p) {
            let area = state.teachingArea
            let t = g.tokens.lowerBound + (p.y - area.y - TeachingGrid.rowsAbove)
            guard g.tokens.contains(t), let c = g.channel(atColumn: p.x - area.x) else { return [] }
            return route(&state, .heatmap(.place(token: t, channel: c)))
        }
        for area in [layout.heat, layout.heatRight] {
            guard let area, area.contains(p), state.shared.open != nil else { continue }
            return heatMouse(&state, event, area)
        }
        return []
    }

    /// The wheel scrolls the list three rows; a click opens the layer (or, on the open one, focuses the heatmap).
    static func listMouse(_ state: inout AppState, _ event: MouseEvent, _ layout: ScreenLayout) -> [Effect] {
        switch event.kind {
        case .wheelUp: return route(&state, .list(.wheel(-3)))
        case .wheelDown: return route(&state, .list(.wheel(3)))
        case .press:
            let count = state.shared.layers.count
            guard let row = layout.layerIndex(at: event.at, offset: state.list.offset, count: count) else { return [] }
            return route(&state, .list(.click(row: row)))
        }
    }

    /// The wheel moves the cursor three bins of tokens; a click puts it on the bin under the pointer.
    static func heatMouse(_ state: inout AppState, _ event: MouseEvent, _ area: Rect) -> [Effect] {
        let view = state.heatmap.view
        switch event.kind {
        case .wheelUp, .wheelDown:
            return route(&state, .heatmap(.wheel(bins: event.kind == .wheelUp ? -3 : 3)))
        case .press:
            let perCell = state.heatRowsPerCell
            let dataRows = min(area.height * perCell, view.tokenSpan)
            let cols = min(area.width, view.channelSpan)
            let x = event.at.x - area.x, y = (event.at.y - area.y) * perCell
            guard x < cols, y < dataRows else { return [] }
            let t = HeatView.bin(y, of: dataRows, start: view.tokenStart, count: view.tokenSpan).lowerBound
            let c = HeatView.bin(x, of: cols, start: view.channelStart, count: view.channelSpan).lowerBound
            return route(&state, .heatmap(.place(token: t, channel: c)))
        }
    }
}
