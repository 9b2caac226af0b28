import DuQuantCore

/// Every key of the explorer, in the order the help lists them: one table drives both dispatch
/// (``App/handleKey(_:_:)``) and the help overlay (``KeyTable/helpRows``), so they cannot disagree.
///
/// Each binding names its scope (the component or mode that owns the key) and calls that component's
/// update; `KeyTableTests` fails when a bound key is missing from its help row or a help row names an
/// unbound key.
package enum KeyTable {
    package static let all: [KeyBinding] = general + panels + display + methods

    private static func chars(_ s: String) -> [Key] { s.map { Key.char($0) } }

    // MARK: Leaving, overlays, Esc, search

    static let quitHelp = KeyHelp("q", "quit (the terminal is restored)")
    static let helpHelp = KeyHelp("?", "this help; ? Esc or Enter closes it, j k ↑ ↓ scroll")
    static let problemsHelp = KeyHelp("!", "every problem of this session in full (files, skipped layers, failed work); "
                                          + "! Esc or Enter closes, j k ↑ ↓ scroll")
    static let escHelp = KeyHelp("Esc", "dismiss the problem in the status bar; else stop the computation in progress; "
                                     + "else leave step-through; else back to the layer list")
    static let searchHelp = KeyHelp("/", "find a layer by name: type to filter, Enter opens, Esc cancels, ↓ or Ctrl-N next "
                                       + "match, Backspace or Del deletes")

    static let general: [KeyBinding] = [
        KeyBinding([.char("q")], .app, quitHelp) { s, _ in App.quit(&s) },
        KeyBinding([.char("q")], .help, quitHelp) { s, _ in App.quit(&s) },
        KeyBinding([.char("q")], .problems, quitHelp) { s, _ in App.quit(&s) },
        KeyBinding([.ctrl("z")], .terminal, KeyHelp("Ctrl-Z", "suspend to the shell (fg comes back; the terminal is restored meanwhile)"),
                   action: nil),
        KeyBinding([.char("?")], .app, helpHelp) { s, _ in Overlays.openHelp(&s) },
        KeyBinding([.char("?"), .escape, .enter], .help, helpHelp) { s, _ in Overlays.close(&s) },
        KeyBinding([.char("j"), .down, .char("k"), .up], .help, helpHelp) { s, k in Overlays.scroll(&s, k) },
        KeyBinding([.escape], .app, escHelp, when: { $0.lastError != nil }) { s, _ in Status.dismissProblem(&s) },
        KeyBinding([.escape], .app, escHelp, when: { $0.busy[.evaluate] != nil && $0.step == nil }) { s, _ in
            // The Model panel's work stops with it: Esc stops every computation in progress.
            let modelBusy = s.busy[.model] != nil || s.busy[.sensitivity] != nil
            return Status.stopComputation(&s) + (modelBusy ? ModelPanel.stop(&s) : [])
        },
        KeyBinding([.escape], .app, escHelp, when: { ($0.busy[.model] != nil || $0.busy[.sensitivity] != nil) && $0.step == nil }) { s, _ in
            ModelPanel.stop(&s)
        },
        KeyBinding([.escape], .app, escHelp) { s, _ in App.back(&s) },
        KeyBinding([.char("!")], .app, problemsHelp) { s, _ in Overlays.openProblems(&s) },
        KeyBinding([.char("!"), .escape, .enter], .problems, problemsHelp) { s, _ in Overlays.close(&s) },
        KeyBinding([.char("j"), .down, .char("k"), .up], .problems, problemsHelp) { s, k in Overlays.scroll(&s, k) },
        KeyBinding([.char("/")], .app, searchHelp) { s, _ in LayerList.startSearch(&s) },
        KeyBinding([.escape], .search, searchHelp) { s, _ in LayerList.cancelSearch(&s) },
        KeyBinding([.enter], .search, searchHelp) { s, _ in LayerList.openMatch(&s) },
        KeyBinding([.backspace, .delete], .search, searchHelp) { s, _ in LayerList.editQuery(&s) { if !$0.isEmpty { $0.removeLast() } } },
        KeyBinding([.ctrl("n"), .down], .search, searchHelp) { s, _ in LayerList.nextMatch(&s) },
        KeyBinding([], .search, searchHelp, anyCharacter: true) { s, k in
            guard case .char(let c) = k else { return [] }
            return LayerList.editQuery(&s) { $0.append(c) }
        },
    ]

    // MARK: The focused panels

    static let moveHelp = KeyHelp("j k ↑ ↓", "move in the focused panel (layers, heatmap cursor, parameters)")
    static let pageHelp = KeyHelp("PgUp PgDn", "layer list: a page up / down; g G or Home End: the first / last layer")
    static let openHelp = KeyHelp("Enter", "open the selected layer; focus the heatmap (also l →)")
    static let cursorHelp = KeyHelp("h j k l", "heatmap cursor, one bin at a time (also ← ↓ ↑ →); J K or PgDn PgUp half a page "
                                         + "of tokens, H F half a page of channels left / right, Home End first / last channel")
    static let paramsHelp = KeyHelp("p", "focus the parameters panel (j k row, h l or ← → change, Enter up)")

    static let panels: [KeyBinding] = [
        KeyBinding([.char("j"), .down], .layers, moveHelp) { s, _ in LayerList.move(&s) { row, _, _ in row + 1 } },
        KeyBinding([.char("k"), .up], .layers, moveHelp) { s, _ in LayerList.move(&s) { row, _, _ in row - 1 } },
        KeyBinding([.char("j"), .down], .params, moveHelp) { s, _ in Parameters.moveRow(&s, by: 1) },
        KeyBinding([.char("k"), .up], .params, moveHelp) { s, _ in Parameters.moveRow(&s, by: -1) },
        KeyBinding([.pageDown], .layers, pageHelp) { s, _ in LayerList.move(&s) { row, _, page in row + page } },
        KeyBinding([.pageUp], .layers, pageHelp) { s, _ in LayerList.move(&s) { row, _, page in row - page } },
        KeyBinding([.home, .char("g")], .layers, pageHelp) { s, _ in LayerList.move(&s) { _, _, _ in 0 } },
        KeyBinding([.end, .char("G")], .layers, pageHelp) { s, _ in LayerList.move(&s) { _, n, _ in n - 1 } },
        KeyBinding([.enter, .char("l"), .right], .layers, openHelp) { s, _ in LayerList.openSelected(&s) },
        KeyBinding([.char("h"), .left], .heatmap, cursorHelp) { s, _ in Heatmap.stepCursor(&s, tokens: 0, channels: -1) },
        KeyBinding([.char("j"), .down], .heatmap, cursorHelp) { s, _ in Heatmap.stepCursor(&s, tokens: 1, channels: 0) },
        KeyBinding([.char("k"), .up], .heatmap, cursorHelp) { s, _ in Heatmap.stepCursor(&s, tokens: -1, channels: 0) },
        KeyBinding([.char("l"), .right], .heatmap, cursorHelp) { s, _ in Heatmap.stepCursor(&s, tokens: 0, channels: 1) },
        KeyBinding([.pageDown, .char("J")], .heatmap, cursorHelp) { s, _ in Heatmap.halfPage(&s, tokens: 1, channels: 0) },
        KeyBinding([.pageUp, .char("K")], .heatmap, cursorHelp) { s, _ in Heatmap.halfPage(&s, tokens: -1, channels: 0) },
        KeyBinding([.char("H")], .heatmap, cursorHelp) { s, _ in Heatmap.halfPage(&s, tokens: 0, channels: -1) },
        KeyBinding([.char("F")], .heatmap, cursorHelp) { s, _ in Heatmap.halfPage(&s, tokens: 0, channels: 1) },
        KeyBinding([.home], .heatmap, cursorHelp) { s, _ in Heatmap.toEdge(&s, channels: -1) },
        KeyBinding([.end], .heatmap, cursorHelp) { s, _ in Heatmap.toEdge(&s, channels: 1) },
        KeyBinding([.char("p")], .app, paramsHelp) { s, _ in Parameters.toggleFocus(&s) },
        KeyBinding([.char("h"), .left], .params, paramsHelp) { s, _ in Parameters.adjustSelected(&s, by: -1) },
        KeyBinding([.char("l"), .right, .enter], .params, paramsHelp) { s, _ in Parameters.adjustSelected(&s, by: 1) },
    ]

    // MARK: What the heatmap shows

    static let stageHelp = KeyHelp("1–6 Tab", "stage: Original, Smoothed, Rotation 1, Permutation, Rotation 2, Quantized error "
                                        + "(Tab next, Shift-Tab previous)")
    static let stepHelp = KeyHelp("s", "greedy step-through: . , one step, > < ten, r next rotation, b next block")

    static let display: [KeyBinding] = [
        KeyBinding(chars("123456"), .app, stageHelp) { s, k in
            guard case .char(let c) = k, let n = Int(String(c)), let stage = Stage(rawValue: n - 1) else { return [] }
            return Heatmap.setStage(&s, stage)
        },
        KeyBinding([.tab], .app, stageHelp) { s, _ in Heatmap.cycleStage(&s, by: 1) },
        KeyBinding([.backTab], .app, stageHelp) { s, _ in Heatmap.cycleStage(&s, by: -1) },
        KeyBinding([.char("x")], .app, KeyHelp("x", "cursor to the largest |x| of this stage; x again: the next largest")) { s, _ in
            Heatmap.huntOutlier(&s)
        },
        KeyBinding(chars("+="), .app, KeyHelp("+ - 0", "zoom in / out around the cursor, reset zoom (= zooms in too)")) { s, _ in
            Heatmap.zoom(&s, s.heat.zoom + 1)
        },
        KeyBinding([.char("-")], .app, KeyHelp("+ - 0", "zoom in / out around the cursor, reset zoom (= zooms in too)")) { s, _ in
            Heatmap.zoom(&s, s.heat.zoom - 1)
        },
        KeyBinding([.char("0")], .app, KeyHelp("+ - 0", "zoom in / out around the cursor, reset zoom (= zooms in too)")) { s, _ in
            Heatmap.zoom(&s, 0)
        },
        KeyBinding([.char("T")], .app, KeyHelp("T", "teaching view on / off: every value printed, blocks ruled, the permutation's "
                                                + "mapping and a caption (when the visible part fits)")) { s, _ in Heatmap.toggleTeaching(&s) },
        KeyBinding([.char("L")], .app, KeyHelp("L", "linear / log colour scale (log is the default on layers with massive outliers)")) { s, _ in
            Heatmap.toggleScale(&s)
        },
        KeyBinding([.char("c")], .app, KeyHelp("c C", "compare: Original beside the chosen stage, same scale; C changes the left stage")) { s, _ in
            Heatmap.toggleCompare(&s)
        },
        KeyBinding([.char("C")], .app, KeyHelp("c C", "compare: Original beside the chosen stage, same scale; C changes the left stage")) { s, _ in
            Heatmap.nextCompareLeft(&s)
        },
        KeyBinding([.char("s")], .app, stepHelp) { s, _ in StepThrough.toggle(&s) },
        KeyBinding([.char(".")], .step, stepHelp) { s, _ in StepThrough.move(&s, by: 1) },
        KeyBinding([.char(",")], .step, stepHelp) { s, _ in StepThrough.move(&s, by: -1) },
        KeyBinding([.char(">")], .step, stepHelp) { s, _ in StepThrough.move(&s, by: 10) },
        KeyBinding([.char("<")], .step, stepHelp) { s, _ in StepThrough.move(&s, by: -10) },
        KeyBinding([.char("r")], .step, stepHelp) { s, _ in StepThrough.nextRotation(&s) },
        KeyBinding([.char("b")], .step, stepHelp) { s, _ in StepThrough.nextBlock(&s) },
    ]

    // MARK: Parameters, methods, the list's figures, themes

    static let methods: [KeyBinding] = [
        KeyBinding(chars("[]"), .app, KeyHelp("[ ]", "change the selected parameter down / up (from any panel)")) { s, k in
            Parameters.adjustSelected(&s, by: k == .char("]") ? 1 : -1)
        },
        KeyBinding([.char("S")], .app, KeyHelp("S O", "switch greedy selection paper/reference, rotation layout perblock/shared")) { s, _ in
            Parameters.cycle(&s, .select)
        },
        KeyBinding([.char("O")], .app, KeyHelp("S O", "switch greedy selection paper/reference, rotation layout perblock/shared")) { s, _ in
            Parameters.cycle(&s, .layout)
        },
        KeyBinding([.char("m")], .app, KeyHelp("m", "method whose error the layer list shows (its column is named after it: DuQ out, "
                                                + "RTN out, …)")) { s, _ in Methods.nextListMethod(&s) },
        KeyBinding([.char("A")], .app, KeyHelp("A", "error anatomy: output error with only activations / only weights quantized, "
                                                + "clipping's share")) { s, _ in Methods.toggleAnatomy(&s) },
        KeyBinding([.char("N")], .app, KeyHelp("N", "DuQuant over seeds 0–3 in the background: the spread in the Methods title; a Δ "
                                                + "within it is marked ≈")) { s, _ in Methods.measureSeedSpread(&s) },
        KeyBinding([.char("V")], .app, KeyHelp("V", "hold tokens out: fit on even tokens, then on the first half, then off; rows 'fit' "
                                                + "and 'held out'")) { s, _ in Methods.nextHeldOut(&s) },
        KeyBinding([.char("B")], .app, KeyHelp("B", "pin these figures as the baseline (ratios to it under the output error; • marks "
                                                + "changed parameters)")) { s, _ in Methods.toggleBaseline(&s) },
        KeyBinding([.char("o")], .app, KeyHelp("o", "sort the layer list: file order, max|x|, ratio, error (worst first)")) { s, _ in
            LayerList.nextSort(&s)
        },
        KeyBinding([.char("t")], .app, KeyHelp("t", "next colour theme (its name shows in the status bar)")) { s, _ in App.nextTheme(&s) },
        KeyBinding([.char("M")], .app, KeyHelp("M", "Model panel (with --model DIR): perplexity of this layer only quantized (others "
                                                + "FP) ↔ of all layers quantized, under the current parameters and the list's method")) { s, _ in
            ModelPanel.switchScope(&s)
        },
        KeyBinding([.char("Z")], .app, KeyHelp("Z", "per-layer sensitivity (with --model DIR): every layer alone quantized, sorted by "
                                                + "the perplexity it costs, in the background; Z again hides / shows")) { s, _ in
            ModelPanel.toggleSensitivity(&s)
        },
    ]

    /// The scopes that take keys in `state`, first match first: a search or an overlay has all the keys;
    /// otherwise the app's keys, then step-through's, then the focused panel's.
    package static func activeScopes(_ state: AppState) -> [KeyScope] {
        if state.search != nil { return [.search] }
        if state.showProblems { return [.problems] }
        if state.showHelp { return [.help] }
        let panel: KeyScope = switch state.focus {
        case .layers: .layers
        case .heatmap: .heatmap
        case .params: .params
        }
        return state.step != nil ? [.app, .step, panel] : [.app, panel]
    }

    /// The binding `key` triggers in `state`, if any.
    package static func binding(for key: Key, in state: AppState) -> KeyBinding? {
        Hop.here()
        for scope in activeScopes(state) {
            if let b = all.first(where: { $0.scope == scope && $0.action != nil && $0.matches(key, state) }) { return b }
        }
        return nil
    }

    /// The help overlay's rows: each help row once, in table order.
    package static var helpRows: [KeyHelp] {
        var rows: [KeyHelp] = []
        for b in all where !rows.contains(b.help) { rows.append(b.help) }
        return rows
    }
}
