import DuQuantCore

extension App {
    static func handleKey(_ state: inout AppState, _ key: Key) -> [Effect] {
        state.notice = nil
        if state.search != nil { return searchKey(&state, key) }
        if state.showProblems { return overlayKey(&state, key, opener: "!", open: \.showProblems) }
        if state.showHelp { return overlayKey(&state, key, opener: "?", open: \.showHelp) }
        switch key {
        case .char("q"): return quit(&state)
        case .char("?"):
            state.showHelp = true
            state.helpScroll = 0
            return []
        case .char("!"):
            state.showProblems = true
            state.helpScroll = 0
            return []
        case .escape where state.lastError != nil:
            // A problem stays in the status bar until dismissed; Esc does that before anything else.
            state.lastError = nil
            return []
        case .escape where state.busy[.evaluate] != nil && state.step == nil:
            // Esc stops the computation in progress, and the background scan of the other layers with it (it
            // would otherwise take the cores for the same kind of work); the figures already shown stay.
            _ = state.nextGeneration(.evaluate)
            _ = state.nextGeneration(.scan)
            state.busy[.evaluate] = nil
            state.busy[.scan] = nil
            state.notice = "computation stopped — change a parameter or press Enter on a layer to compute again"
            return [.cancel(.evaluate), .cancel(.scan)]
        case .char("/"):
            state.search = ""
            state.focus = .layers
            return []
        case .char(let c) where ("1"..."6").contains(c):
            return setStage(&state, Stage(rawValue: Int(String(c))! - 1)!)
        case .tab:
            return setStage(&state, Stage(rawValue: (state.stage.rawValue + 1) % Stage.allCases.count)!)
        case .backTab:
            return setStage(&state, Stage(rawValue: (state.stage.rawValue + Stage.allCases.count - 1) % Stage.allCases.count)!)
        case .char("c"):
            state.compare.toggle()
            if state.compare && state.stage == state.compareLeft { state.stage = .rotation2 }
            keepSelectionVisible(&state)
            return []
        case .char("C"):
            let all = Stage.allCases
            state.compareLeft = all[(state.compareLeft.rawValue + 1) % all.count]
            if !state.compare { state.compare = true }
            keepSelectionVisible(&state)
            return []
        case .char("L"):
            state.scale = state.scale.toggled
            return []
        case .char("x"):
            return huntOutlier(&state)
        case .char("T"):
            state.teach.toggle()
            state.notice = state.teach
                ? (state.teachingGrid == nil ? "teaching view on: values are printed once the visible part fits (zoom in with +)"
                                             : "teaching view on")
                : "teaching view off: pooled heatmap"
            return []
        case .char("t"):
            state.themeIndex = (state.themeIndex + 1) % state.themes.count
            state.notice = "theme: \(state.theme.name)"
            return []
        case .char("A"):
            state.showAnatomy.toggle()
            // The anatomy costs two more products per method: computed only once the panel is asked for.
            let missing = state.evaluation.map { e in e.methods.values.contains { $0.anatomy == nil && $0.outputRelError != nil } } ?? false
            return state.showAnatomy && missing ? evaluate(&state) : []
        case .char("V"):
            // Hold tokens out: fit on even tokens, on the first half, then fit and score on all again.
            let half = max(1, state.openShape.tokens / 2)
            switch state.heldOutSpec {
            case nil: state.heldOutSpec = "even"
            case "even": state.heldOutSpec = "0:\(half)"
            default: state.heldOutSpec = nil
            }
            state.heldOut = nil
            state.notice = state.heldOutSpec.map { "tokens held out: fit on \($0), score on the rest" } ?? "no tokens held out"
            guard state.heldOutSpec != nil else {
                state.busy[.heldOut] = nil
                return [.cancel(.heldOut)]
            }
            return state.evaluation?.pending.isEmpty == true && state.evaluation?.estimate == nil ? measureHeldOut(&state) : []
        case .char("N"):
            // How much the seed alone moves DuQuant here: 4 more calibrations, in the background.
            guard let open = state.open else { return [] }
            let g = state.nextGeneration(.spread)
            state.busy[.spread] = Busy(what: "seeds 0–3")
            return [.seedSpread(layer: open.index, params: state.params, seeds: ExplorerDefaults.spreadSeeds, generation: g)]
        case .char("B"):
            // Pin the current complete figures as the baseline; on the baseline's own setting, unpin.
            if let base = state.baseline, base.params == state.params {
                state.baseline = nil
                state.notice = "baseline unpinned"
            } else if let figures = state.lastFigures, state.busy[.evaluate] == nil {
                state.baseline = figures
                state.notice = "baseline pinned: \(figures.params.summary)"
            } else {
                state.notice = "nothing to pin yet: wait for the figures"
            }
            return []
        case .char("o"):
            state.listSort = state.listSort.next
            state.notice = "layers sorted by \(state.listSort.title)"
            keepSelectionVisible(&state)
            return []
        case .char("m"):
            let all = Method.allCases
            state.listMethod = all[(all.firstIndex(of: state.listMethod)! + 1) % all.count]
            for i in state.layers.indices { state.layers[i].summary?.error = nil }
            if let open = state.open, let m = state.evaluation?.methods[state.listMethod] {
                state.layers[open.index].summary?.error = m.outputRelError ?? m.actMSE
            }
            state.notice = "layer list error: \(state.listMethod.title)"
            return rescan(&state)
        case .char("+"), .char("="):
            return zoom(&state, state.heat.zoom + 1)
        case .char("-"):
            return zoom(&state, state.heat.zoom - 1)
        case .char("0"):
            return zoom(&state, 0)
        case .char("s"):
            return toggleStep(&state)
        case .char("p"):
            state.focus = state.focus == .params ? .heatmap : .params
            return []
        case .char("["):
            return setParams(&state, ParamField(rawValue: state.paramRow)!.adjust(state.params, by: -1))
        case .char("]"):
            return setParams(&state, ParamField(rawValue: state.paramRow)!.adjust(state.params, by: +1))
        case .char("S"):
            return setParams(&state, ParamField.select.adjust(state.params, by: 1))
        case .char("O"):
            return setParams(&state, ParamField.layout.adjust(state.params, by: 1))
        case .escape:
            if state.step != nil {
                state.step = nil
            } else {
                state.focus = .layers
            }
            return []
        default:
            break
        }
        if state.step != nil, let effects = stepKey(&state, key) { return effects }
        switch state.focus {
        case .layers: return listKey(&state, key)
        case .heatmap: return heatKey(&state, key)
        case .params: return paramKey(&state, key)
        }
    }

    /// Keys while an overlay (help, problems) is open: its own key, Esc or Enter close it, j/k scroll, q quits.
    static func overlayKey(_ state: inout AppState, _ key: Key, opener: Character,
                           open: WritableKeyPath<AppState, Bool>) -> [Effect] {
        switch key {
        case .char("q"): return quit(&state)
        case .char(opener), .escape, .enter: state[keyPath: open] = false
        case .char("j"), .down: state.helpScroll += 1
        case .char("k"), .up: state.helpScroll = max(0, state.helpScroll - 1)
        default: break
        }
        return []
    }

    /// Leaving is state, not work: the run loop ends once `quitting` is set, and cancels what runs.
    static func quit(_ state: inout AppState) -> [Effect] {
        state.quitting = true
        return []
    }

    static func setStage(_ state: inout AppState, _ stage: Stage) -> [Effect] {
        state.stage = stage
        state.step = nil
        if state.focus == .layers && state.open != nil { state.focus = .heatmap }
        return []
    }

    static func zoom(_ state: inout AppState, _ level: Int) -> [Effect] {
        let (t, c) = state.openShape
        state.heat.applyZoom(level, tokens: t, channels: c)
        return []
    }

    // MARK: Panels

    static func listKey(_ state: inout AppState, _ key: Key) -> [Effect] {
        let n = state.layers.count
        guard n > 0 else { return [] }
        let page = max(1, ScreenLayout(size: state.size, compare: state.compare).list.height - 2)
        // Moves go along the rows as shown (the list may be sorted).
        let order = state.listOrder, row = state.selectedRow
        switch key {
        case .char("j"), .down: state.selected = order[min(n - 1, row + 1)]
        case .char("k"), .up: state.selected = order[max(0, row - 1)]
        case .pageDown: state.selected = order[min(n - 1, row + page)]
        case .pageUp: state.selected = order[max(0, row - page)]
        case .home, .char("g"): state.selected = order[0]
        case .end, .char("G"): state.selected = order[n - 1]
        case .enter, .char("l"), .right:
            state.focus = .heatmap
            if state.open?.index != state.selected && state.loading != state.selected {
                return openLayer(&state, state.selected)
            }
        default: break
        }
        keepSelectionVisible(&state)
        return []
    }

    static func heatKey(_ state: inout AppState, _ key: Key) -> [Effect] {
        let (t, c) = state.openShape
        let bins = heatBins(state)
        let v = state.heat
        // One bin at a time: to the neighbouring bin's first item (bins differ in size by one).
        func tokenStep(_ by: Int) -> Int {
            HeatView.stepBins(cursor: v.cursorToken, by: by, bins: bins.rows, start: v.tokenStart, span: v.tokenSpan, total: t) - v.cursorToken
        }
        func channelStep(_ by: Int) -> Int {
            HeatView.stepBins(cursor: v.cursorChannel, by: by, bins: bins.columns, start: v.channelStart, span: v.channelSpan, total: c) - v.cursorChannel
        }
        var dt = 0, dc = 0
        switch key {
        case .char("j"), .down: dt = tokenStep(1)
        case .char("k"), .up: dt = tokenStep(-1)
        case .char("l"), .right: dc = channelStep(1)
        case .char("h"), .left: dc = channelStep(-1)
        case .pageDown, .char("J"): dt = max(1, state.heat.tokenSpan / 2)
        case .pageUp, .char("K"): dt = -max(1, state.heat.tokenSpan / 2)
        case .char("H"): dc = -max(1, state.heat.channelSpan / 2)
        case .char("F"): dc = max(1, state.heat.channelSpan / 2)
        case .home: dc = -c
        case .end: dc = c
        default: return []
        }
        state.heat.moveCursor(dTokens: dt, dChannels: dc, tokens: t, channels: c)
        return []
    }

    static func paramKey(_ state: inout AppState, _ key: Key) -> [Effect] {
        let n = ParamField.allCases.count
        switch key {
        case .char("j"), .down: state.paramRow = min(n - 1, state.paramRow + 1)
        case .char("k"), .up: state.paramRow = max(0, state.paramRow - 1)
        case .char("h"), .left: return setParams(&state, ParamField(rawValue: state.paramRow)!.adjust(state.params, by: -1))
        case .char("l"), .right, .enter:
            return setParams(&state, ParamField(rawValue: state.paramRow)!.adjust(state.params, by: +1))
        default: break
        }
        return []
    }

    // MARK: Search

    static func searchKey(_ state: inout AppState, _ key: Key) -> [Effect] {
        guard var query = state.search else { return [] }
        switch key {
        case .escape:
            state.search = nil
            return []
        case .enter:
            state.search = nil
            if let i = firstMatch(state, query, from: state.selected) {
                state.focus = .heatmap
                return openLayer(&state, i)
            }
            state.lastError = "no layer matches \"\(query)\""
            return []
        case .backspace, .delete:
            if !query.isEmpty { query.removeLast() }
        case .ctrl("n"), .down:
            if let i = firstMatch(state, query, from: state.selected + 1) { state.selected = i }
        case .char(let ch):
            query.append(ch)
        default:
            return []
        }
        state.search = query
        if let i = firstMatch(state, query, from: state.selected) { state.selected = i }
        keepSelectionVisible(&state)
        return []
    }

    /// The first layer at or after `from` (wrapping) whose name contains `query`, ignoring case.
    package static func firstMatch(_ state: AppState, _ query: String, from: Int) -> Int? {
        let n = state.layers.count
        guard n > 0 else { return nil }
        let q = query.lowercased()
        for k in 0..<n {
            let i = (max(0, from) + k) % n
            if q.isEmpty || state.layers[i].name.lowercased().contains(q) { return i }
        }
        return nil
    }

    // MARK: Greedy step-through

    static func toggleStep(_ state: inout AppState) -> [Effect] {
        if state.step != nil {
            state.step = nil
            return []
        }
        guard state.calibration != nil else {
            state.notice = "step-through needs the calibration; it is still computing"
            return []
        }
        var step = StepState()
        step.rotation = 0
        step.traceIndex = loudestTrace(state, rotation: 0)
        state.step = step
        if state.focus == .layers { state.focus = .heatmap }
        return requestStep(&state)
    }

    /// The block whose search starts from the highest peak: where the massive outlier is, the most
    /// instructive one to step through first (`b` moves to the others).
    static func loudestTrace(_ state: AppState, rotation: Int) -> Int {
        guard let traces = state.calibration?.traces, traces.indices.contains(rotation) else { return 0 }
        let peaks = traces[rotation].map { $0.peaks.first ?? 0 }
        return peaks.indices.max { peaks[$0] < peaks[$1] } ?? 0
    }

    /// Keys that only mean something in step mode; nil lets the key through to the panel.
    static func stepKey(_ state: inout AppState, _ key: Key) -> [Effect]? {
        guard var step = state.step else { return nil }
        let rotations = state.calibration?.traces.count ?? 0
        let maxStep = maxSteps(state, rotation: step.rotation)
        switch key {
        case .char("."): step.step = min(maxStep, step.step + 1)
        case .char(","): step.step = max(0, step.step - 1)
        case .char(">"): step.step = min(maxStep, step.step + 10)
        case .char("<"): step.step = max(0, step.step - 10)
        case .char("r"):
            guard rotations > 0 else { return [] }
            step.rotation = (step.rotation + 1) % rotations
            step.step = 0
            step.traceIndex = loudestTrace(state, rotation: step.rotation)
            step.matrix = nil
        case .char("b"):
            let blocks = state.calibration?.traces[step.rotation].count ?? 1
            step.traceIndex = (step.traceIndex + 1) % max(1, blocks)
            state.step = step
            return []
        default: return nil
        }
        state.step = step
        return requestStep(&state)
    }
}
