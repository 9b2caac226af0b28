import DuQuantCore

/// The Methods table's keys: the anatomy, held-out tokens, the seed spread, the baseline, and which
/// method's error the layer list shows.
package enum Methods {
    /// `A`: the error's anatomy in the lower panel. It costs two more products per method: computed only
    /// once the panel is asked for.
    static func toggleAnatomy(_ state: inout AppState) -> [Effect] {
        state.showAnatomy.toggle()
        let missing = state.evaluation.map { e in e.methods.values.contains { $0.anatomy == nil && $0.outputRelError != nil } } ?? false
        return state.showAnatomy && missing ? App.evaluate(&state) : []
    }

    /// `V`: hold tokens out: fit on even tokens, on the first half, then fit and score on all again.
    static func nextHeldOut(_ state: inout AppState) -> [Effect] {
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
        return state.evaluation?.pending.isEmpty == true && state.evaluation?.estimate == nil ? App.measureHeldOut(&state) : []
    }

    /// `N`: how much the seed alone moves DuQuant here: 4 more calibrations, in the background.
    static func measureSeedSpread(_ state: inout AppState) -> [Effect] {
        guard let open = state.open else { return [] }
        let g = state.nextGeneration(.spread)
        state.busy[.spread] = Busy(what: "seeds 0–3")
        return [.seedSpread(layer: open.index, params: state.params, seeds: ExplorerDefaults.spreadSeeds, generation: g)]
    }

    /// `B`: pin the current complete figures as the baseline; on the baseline's own setting, unpin.
    static func toggleBaseline(_ state: inout AppState) -> [Effect] {
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
    }

    /// `m`: the next method for the layer list's error column (rescanned).
    static func nextListMethod(_ state: inout AppState) -> [Effect] {
        let all = Method.allCases
        state.listMethod = all[(all.firstIndex(of: state.listMethod)! + 1) % all.count]
        for i in state.layers.indices { state.layers[i].summary?.error = nil }
        if let open = state.open, let m = state.evaluation?.methods[state.listMethod] {
            state.layers[open.index].summary?.error = m.outputRelError ?? m.actMSE
            state.layers[open.index].summary?.errorParams = state.evaluation?.params
            state.layers[open.index].summary?.errorMethod = state.listMethod
        }
        state.notice = "layer list error: \(state.listMethod.title)"
        return App.rescan(&state) + ModelPanel.recompute(&state)
    }
}
