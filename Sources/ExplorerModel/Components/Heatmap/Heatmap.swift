import DuQuantCore

/// The heatmap: which stage it shows (or two, compared), its colour scale, zoom, cursor and the teaching view.
package enum Heatmap {
    /// The heatmap's messages.
    package enum Msg: Sendable, Equatable {
        case setStage(Stage)
        /// Tab, Shift-Tab: the next (+1) or previous (−1) stage, round.
        case cycleStage(Int)
        case toggleCompare, nextCompareLeft, toggleScale, toggleTeaching
        /// `+ - 0`: zoom in, out, or back to the whole matrix.
        case zoomIn, zoomOut, zoomReset
        /// One bin along each axis (−1, 0 or +1).
        case stepCursor(tokens: Int, channels: Int)
        /// Half the visible span along one axis.
        case halfPage(tokens: Int, channels: Int)
        /// Home, End: the first (−1) or last (+1) channel.
        case toEdge(Int)
        /// `x`: the largest |x| of the shown matrix, then the next largest.
        case huntOutlier
        /// The wheel: `bins` bins of tokens up (−) or down (+).
        case wheel(bins: Int)
        /// A click on a value: the cursor there.
        case place(token: Int, channel: Int)
        /// A layer of `tokens` × `channels` was opened: the whole matrix, step-through from its start.
        case layerOpened(tokens: Int, channels: Int)
        /// Figures of a `tokens` × `channels` layer arrived: the window and cursor stay inside it.
        case evaluated(tokens: Int, channels: Int)
    }

    package static func update(_ s: inout HeatmapState, _ msg: Msg, _ ctx: Context) -> [Request] {
        Hop.here()
        let (t, c) = ctx.shared.openShape
        switch msg {
        case .setStage(let stage): return setStage(&s, stage, ctx)
        case .cycleStage(let direction):
            let n = Stage.allCases.count
            return setStage(&s, Stage(rawValue: (s.stage.rawValue + direction + n) % n)!, ctx)
        case .toggleCompare:
            s.compare.toggle()
            if s.compare && s.stage == s.compareLeft { s.stage = .rotation2 }
        case .nextCompareLeft:
            let all = Stage.allCases
            s.compareLeft = all[(s.compareLeft.rawValue + 1) % all.count]
            if !s.compare { s.compare = true }
        case .toggleScale: s.scaleChoice = s.scale(ctx.shared).toggled
        case .toggleTeaching: return toggleTeaching(&s, ctx)
        case .zoomIn: s.view.applyZoom(s.view.zoom + 1, tokens: t, channels: c)
        case .zoomOut: s.view.applyZoom(s.view.zoom - 1, tokens: t, channels: c)
        case .zoomReset: s.view.applyZoom(0, tokens: t, channels: c)
        case let .stepCursor(dt, dc): stepCursor(&s, tokens: dt, channels: dc, ctx)
        case let .halfPage(dt, dc):
            s.view.moveCursor(dTokens: dt * max(1, s.view.tokenSpan / 2), dChannels: dc * max(1, s.view.channelSpan / 2),
                              tokens: t, channels: c)
        case .toEdge(let direction): s.view.moveCursor(dTokens: 0, dChannels: direction * c, tokens: t, channels: c)
        case .huntOutlier: return huntOutlier(&s, ctx)
        case .wheel(let bins):
            s.view.moveCursor(dTokens: bins * binSize(s, ctx).tokens, dChannels: 0, tokens: t, channels: c)
        case let .place(token, channel):
            s.view.cursorToken = token
            s.view.cursorChannel = channel
            return [.focus(.heatmap)]
        case let .layerOpened(tokens, channels):
            s.view = HeatView(tokens: tokens, channels: channels)
            if s.step != nil { s.step = StepState() }
        case let .evaluated(tokens, channels):
            s.view.clamp(tokens: tokens, channels: channels)
        }
        return []
    }

    static func setStage(_ s: inout HeatmapState, _ stage: Stage, _ ctx: Context) -> [Request] {
        Hop.here()
        s.stage = stage
        s.step = nil
        return ctx.focus == .layers && ctx.shared.open != nil ? [.focus(.heatmap)] : []
    }

    static func toggleTeaching(_ s: inout HeatmapState, _ ctx: Context) -> [Request] {
        s.teach.toggle()
        let fits = s.teachingPlacement(ctx) != nil
        return [.notice(s.teach
            ? (fits ? "teaching view on" : "teaching view on: values are printed once the visible part fits (zoom in with +)")
            : "teaching view off: pooled heatmap")]
    }

    /// One bin at a time along each axis (`tokens`, `channels` are −1, 0 or +1): to the neighbouring bin's
    /// first item (bins differ in size by one).
    static func stepCursor(_ s: inout HeatmapState, tokens dt: Int, channels dc: Int, _ ctx: Context) {
        let (t, c) = ctx.shared.openShape
        let bins = self.bins(s, ctx)
        let v = s.view
        let tokenStep = dt == 0 ? 0
            : HeatView.stepBins(cursor: v.cursorToken, by: dt, bins: bins.rows, start: v.tokenStart, span: v.tokenSpan, total: t) - v.cursorToken
        let channelStep = dc == 0 ? 0
            : HeatView.stepBins(cursor: v.cursorChannel, by: dc, bins: bins.columns, start: v.channelStart, span: v.channelSpan, total: c)
                - v.cursorChannel
        s.view.moveCursor(dTokens: tokenStep, dChannels: channelStep, tokens: t, channels: c)
    }

    /// Tokens and channels per heatmap bin at the current size (the wheel's step).
    package static func binSize(_ s: HeatmapState, _ ctx: Context) -> (tokens: Int, channels: Int) {
        let layout = ctx.layout
        let rows = max(1, layout.heat.height * ctx.heatRowsPerCell)
        let cols = max(1, layout.heat.width)
        return (max(1, s.view.tokenSpan / rows), max(1, s.view.channelSpan / cols))
    }

    /// How many bins the main heatmap shows along each axis at the current size: one per value in the
    /// teaching view, else as the pooled heatmap divides the visible span (never more than the items).
    package static func bins(_ s: HeatmapState, _ ctx: Context) -> (rows: Int, columns: Int) {
        if let g = s.teachingPlacement(ctx)?.grid { return (g.tokens.count, g.channels.count) }
        let layout = ctx.layout
        let rows = max(1, layout.heat.height * ctx.heatRowsPerCell)
        let cols = max(1, layout.heat.width)
        return (min(rows, max(1, s.view.tokenSpan)), min(cols, max(1, s.view.channelSpan)))
    }
}
