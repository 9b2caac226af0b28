import DuQuantCore

/// The heatmap: which stage it shows (or two, compared), its colour scale, zoom, cursor and the teaching view.
package enum Heatmap {
    static func setStage(_ state: inout AppState, _ stage: Stage) -> [Effect] {
        Hop.here()
        state.stage = stage
        state.step = nil
        if state.focus == .layers && state.open != nil { state.focus = .heatmap }
        return []
    }

    /// Tab, Shift-Tab: the next or previous stage, round.
    static func cycleStage(_ state: inout AppState, by direction: Int) -> [Effect] {
        let n = Stage.allCases.count
        return setStage(&state, Stage(rawValue: (state.stage.rawValue + direction + n) % n)!)
    }

    static func toggleCompare(_ state: inout AppState) -> [Effect] {
        state.compare.toggle()
        if state.compare && state.stage == state.compareLeft { state.stage = .rotation2 }
        App.keepSelectionVisible(&state)
        return []
    }

    /// `C`: the next stage on the left of the comparison (comparing if not yet).
    static func nextCompareLeft(_ state: inout AppState) -> [Effect] {
        let all = Stage.allCases
        state.compareLeft = all[(state.compareLeft.rawValue + 1) % all.count]
        if !state.compare { state.compare = true }
        App.keepSelectionVisible(&state)
        return []
    }

    static func toggleScale(_ state: inout AppState) -> [Effect] {
        state.scale = state.scale.toggled
        return []
    }

    static func toggleTeaching(_ state: inout AppState) -> [Effect] {
        state.teach.toggle()
        state.notice = state.teach
            ? (state.teachingGrid == nil ? "teaching view on: values are printed once the visible part fits (zoom in with +)"
                                         : "teaching view on")
            : "teaching view off: pooled heatmap"
        return []
    }

    static func zoom(_ state: inout AppState, _ level: Int) -> [Effect] {
        let (t, c) = state.openShape
        state.heat.applyZoom(level, tokens: t, channels: c)
        return []
    }

    // MARK: The cursor

    /// One bin at a time along each axis (`tokens`, `channels` are −1, 0 or +1): to the neighbouring bin's
    /// first item (bins differ in size by one).
    static func stepCursor(_ state: inout AppState, tokens dt: Int, channels dc: Int) -> [Effect] {
        let (t, c) = state.openShape
        let bins = App.heatBins(state)
        let v = state.heat
        let tokenStep = dt == 0 ? 0
            : HeatView.stepBins(cursor: v.cursorToken, by: dt, bins: bins.rows, start: v.tokenStart, span: v.tokenSpan, total: t) - v.cursorToken
        let channelStep = dc == 0 ? 0
            : HeatView.stepBins(cursor: v.cursorChannel, by: dc, bins: bins.columns, start: v.channelStart, span: v.channelSpan, total: c)
                - v.cursorChannel
        state.heat.moveCursor(dTokens: tokenStep, dChannels: channelStep, tokens: t, channels: c)
        return []
    }

    /// J K H F, PgDn PgUp: half the visible span along one axis.
    static func halfPage(_ state: inout AppState, tokens dt: Int, channels dc: Int) -> [Effect] {
        let (t, c) = state.openShape
        state.heat.moveCursor(dTokens: dt * max(1, state.heat.tokenSpan / 2), dChannels: dc * max(1, state.heat.channelSpan / 2),
                              tokens: t, channels: c)
        return []
    }

    /// Home, End: the first or last channel.
    static func toEdge(_ state: inout AppState, channels direction: Int) -> [Effect] {
        let (t, c) = state.openShape
        state.heat.moveCursor(dTokens: 0, dChannels: direction * c, tokens: t, channels: c)
        return []
    }
}
