extension App {
    /// A click or wheel turn goes to the panel under it (the same rectangles the view draws into).
    static func handleMouse(_ state: inout AppState, _ event: MouseEvent) -> [Effect] {
        guard !state.showHelp, state.search == nil else { return [] }
        let layout = ScreenLayout(size: state.size, compare: state.compare)
        guard !layout.tooSmall else { return [] }
        let p = event.at
        if layout.list.contains(p) { return listMouse(&state, event, layout) }
        if layout.params.contains(p), event.kind == .press {
            let row = p.y - layout.params.y + ScreenLayout.paramOffset(selected: state.paramRow, height: layout.params.height)
            if ParamField(rawValue: row) != nil {
                state.paramRow = row
                state.focus = .params
            }
            return []
        }
        if let stage = stageTab(at: p, width: state.size.width), layout.topBar.contains(p), event.kind == .press {
            return Heatmap.setStage(&state, stage)
        }
        // The teaching view: one cell per value, under a header row.
        if let g = state.teachingGrid, event.kind == .press, state.teachingArea.contains(p) {
            let area = state.teachingArea
            let t = g.tokens.lowerBound + (p.y - area.y - TeachingGrid.rowsAbove)
            guard g.tokens.contains(t), let c = g.channel(atColumn: p.x - area.x) else { return [] }
            state.heat.cursorToken = t
            state.heat.cursorChannel = c
            state.focus = .heatmap
            return []
        }
        for area in [layout.heat, layout.heatRight] {
            guard let area, area.contains(p), state.open != nil else { continue }
            heatMouse(&state, event, area)
            return []
        }
        return []
    }

    /// The wheel scrolls the list three rows; a click opens the layer (or, on the open one, focuses the heatmap).
    static func listMouse(_ state: inout AppState, _ event: MouseEvent, _ layout: ScreenLayout) -> [Effect] {
        switch event.kind {
        case .wheelUp: state.selected = state.listOrder[max(0, state.selectedRow - 3)]
        case .wheelDown: state.selected = state.listOrder[min(state.layers.count - 1, state.selectedRow + 3)]
        case .press:
            guard let row = layout.layerIndex(at: event.at, offset: state.listOffset, count: state.layers.count) else { return [] }
            let i = state.listOrder[row]
            state.focus = .layers
            if i == state.selected && state.open?.index == i { state.focus = .heatmap; return [] }
            state.selected = i
            return openLayer(&state, i)
        }
        keepSelectionVisible(&state)
        return []
    }

    /// The wheel moves the cursor three bins of tokens; a click puts it on the bin under the pointer.
    static func heatMouse(_ state: inout AppState, _ event: MouseEvent, _ area: Rect) {
        let (t, c) = state.openShape
        switch event.kind {
        case .wheelUp, .wheelDown:
            let bin = heatBinSize(state)
            state.heat.moveCursor(dTokens: (event.kind == .wheelUp ? -3 : 3) * bin.tokens, dChannels: 0, tokens: t, channels: c)
        case .press:
            let perCell = state.heatRowsPerCell
            let dataRows = min(area.height * perCell, state.heat.tokenSpan)
            let cols = min(area.width, state.heat.channelSpan)
            let x = event.at.x - area.x, y = (event.at.y - area.y) * perCell
            guard x < cols, y < dataRows else { return }
            state.heat.cursorToken = HeatView.bin(y, of: dataRows, start: state.heat.tokenStart, count: state.heat.tokenSpan).lowerBound
            state.heat.cursorChannel = HeatView.bin(x, of: cols, start: state.heat.channelStart, count: state.heat.channelSpan).lowerBound
            state.focus = .heatmap
        }
    }
}
