extension App {
    static func handleMouse(_ state: inout AppState, _ event: MouseEvent) -> [Effect] {
        Hop.here()
        guard !state.showHelp, state.search == nil else { return [] }
        let layout = ScreenLayout(size: state.size, compare: state.compare)
        guard !layout.tooSmall else { return [] }
        let p = event.at
        if layout.list.contains(p) {
            switch event.kind {
            case .wheelUp: state.selected = state.listOrder[max(0, state.selectedRow - 3)]
            case .wheelDown: state.selected = state.listOrder[min(state.layers.count - 1, state.selectedRow + 3)]
            case .press:
                guard let row = layout.layerIndex(at: p, offset: state.listOffset, count: state.layers.count) else { return [] }
                let i = state.listOrder[row]
                state.focus = .layers
                if i == state.selected && state.open?.index == i { state.focus = .heatmap; return [] }
                state.selected = i
                return openLayer(&state, i)
            }
            keepSelectionVisible(&state)
            return []
        }
        if layout.params.contains(p), event.kind == .press {
            let row = p.y - layout.params.y
                + ScreenLayout.paramOffset(selected: state.paramRow, height: layout.params.height)
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
        for (area, isRight) in [(layout.heat, false), (layout.heatRight, true)] {
            guard let area, area.contains(p), state.open != nil else { continue }
            let (t, c) = state.openShape
            switch event.kind {
            case .wheelUp, .wheelDown:
                let bin = heatBinSize(state)
                state.heat.moveCursor(dTokens: (event.kind == .wheelUp ? -3 : 3) * bin.tokens, dChannels: 0, tokens: t, channels: c)
            case .press:
                let perCell = state.heatRowsPerCell
                let rows = area.height * perCell
                let dataRows = min(rows, state.heat.tokenSpan)
                let cols = min(area.width, state.heat.channelSpan)
                let x = p.x - area.x, y = (p.y - area.y) * perCell
                guard x < cols, y < dataRows else { return [] }
                let tb = HeatView.bin(y, of: dataRows, start: state.heat.tokenStart, count: state.heat.tokenSpan)
                let cb = HeatView.bin(x, of: cols, start: state.heat.channelStart, count: state.heat.channelSpan)
                state.heat.cursorToken = tb.lowerBound
                state.heat.cursorChannel = cb.lowerBound
                state.focus = .heatmap
                _ = isRight
            }
            return []
        }
        return []
    }
}
