import DuQuantCore

/// Every key of the explorer, in the order the help lists them: one table drives both dispatch
/// (``App/handleKey(_:_:)``) and the help overlay (``KeyTable/helpRows``), so they cannot disagree.
///
/// Each binding names its scope (the component or mode that owns the key) and the message it sends to that
/// component (``App/update(_:_:)`` routes it); `KeyTableTests` fails when a bound key is missing from its help row or a help row names an
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
        KeyBinding([.char("q")], .app, quitHelp) { _ in .app(.quit) },
        KeyBinding([.char("q")], .help, quitHelp) { _ in .app(.quit) },
        KeyBinding([.char("q")], .problems, quitHelp) { _ in .app(.quit) },
        KeyBinding([.ctrl("z")], .terminal, KeyHelp("Ctrl-Z", "suspend to the shell (fg comes back; the terminal is restored meanwhile)"),
                   action: nil),
        KeyBinding([.char("?")], .app, helpHelp) { _ in .overlays(.openHelp) },
        KeyBinding([.char("?"), .escape, .enter], .help, helpHelp) { _ in .overlays(.close) },
        KeyBinding([.char("j"), .down, .char("k"), .up], .help, helpHelp) { k in .overlays(.scroll(k == .char("j") || k == .down ? 1 : -1)) },
        KeyBinding([.escape], .app, escHelp, when: { $0.status.lastError != nil }) { _ in .status(.dismissProblem) },
        KeyBinding([.escape], .app, escHelp, when: { $0.jobs.busy[.evaluate] != nil && $0.heatmap.step == nil }) { _ in .status(.stopComputation) },
        KeyBinding([.escape], .app, escHelp, when: { ($0.jobs.busy[.model] != nil || $0.jobs.busy[.sensitivity] != nil) && $0.heatmap.step == nil }) { _ in
            .status(.stopComputation)
        },
        KeyBinding([.escape], .app, escHelp) { _ in .app(.back) },
        KeyBinding([.char("!")], .app, problemsHelp) { _ in .overlays(.openProblems) },
        KeyBinding([.char("!"), .escape, .enter], .problems, problemsHelp) { _ in .overlays(.close) },
        KeyBinding([.char("j"), .down, .char("k"), .up], .problems, problemsHelp) { k in .overlays(.scroll(k == .char("j") || k == .down ? 1 : -1)) },
        KeyBinding([.char("/")], .app, searchHelp) { _ in .list(.startSearch) },
        KeyBinding([.escape], .search, searchHelp) { _ in .list(.cancelSearch) },
        KeyBinding([.enter], .search, searchHelp) { _ in .list(.openMatch) },
        KeyBinding([.backspace, .delete], .search, searchHelp) { _ in .list(.deleteBack) },
        KeyBinding([.ctrl("n"), .down], .search, searchHelp) { _ in .list(.nextMatch) },
        KeyBinding([], .search, searchHelp, anyCharacter: true) { k in
            guard case .char(let c) = k else { return nil }
            return .list(.type(c))
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
        KeyBinding([.char("j"), .down], .layers, moveHelp) { _ in .list(.move(.rows(1))) },
        KeyBinding([.char("k"), .up], .layers, moveHelp) { _ in .list(.move(.rows(-1))) },
        KeyBinding([.char("j"), .down], .params, moveHelp) { _ in .parameters(.moveRow(1)) },
        KeyBinding([.char("k"), .up], .params, moveHelp) { _ in .parameters(.moveRow(-1)) },
        KeyBinding([.pageDown], .layers, pageHelp) { _ in .list(.move(.pages(1))) },
        KeyBinding([.pageUp], .layers, pageHelp) { _ in .list(.move(.pages(-1))) },
        KeyBinding([.home, .char("g")], .layers, pageHelp) { _ in .list(.move(.first)) },
        KeyBinding([.end, .char("G")], .layers, pageHelp) { _ in .list(.move(.last)) },
        KeyBinding([.enter, .char("l"), .right], .layers, openHelp) { _ in .list(.openSelected) },
        KeyBinding([.char("h"), .left], .heatmap, cursorHelp) { _ in .heatmap(.stepCursor(tokens: 0, channels: -1)) },
        KeyBinding([.char("j"), .down], .heatmap, cursorHelp) { _ in .heatmap(.stepCursor(tokens: 1, channels: 0)) },
        KeyBinding([.char("k"), .up], .heatmap, cursorHelp) { _ in .heatmap(.stepCursor(tokens: -1, channels: 0)) },
        KeyBinding([.char("l"), .right], .heatmap, cursorHelp) { _ in .heatmap(.stepCursor(tokens: 0, channels: 1)) },
        KeyBinding([.pageDown, .char("J")], .heatmap, cursorHelp) { _ in .heatmap(.halfPage(tokens: 1, channels: 0)) },
        KeyBinding([.pageUp, .char("K")], .heatmap, cursorHelp) { _ in .heatmap(.halfPage(tokens: -1, channels: 0)) },
        KeyBinding([.char("H")], .heatmap, cursorHelp) { _ in .heatmap(.halfPage(tokens: 0, channels: -1)) },
        KeyBinding([.char("F")], .heatmap, cursorHelp) { _ in .heatmap(.halfPage(tokens: 0, channels: 1)) },
        KeyBinding([.home], .heatmap, cursorHelp) { _ in .heatmap(.toEdge(-1)) },
        KeyBinding([.end], .heatmap, cursorHelp) { _ in .heatmap(.toEdge(1)) },
        KeyBinding([.char("p")], .app, paramsHelp) { _ in .parameters(.toggleFocus) },
        KeyBinding([.char("h"), .left], .params, paramsHelp) { _ in .parameters(.adjustSelected(-1)) },
        KeyBinding([.char("l"), .right, .enter], .params, paramsHelp) { _ in .parameters(.adjustSelected(1)) },
    ]

    // MARK: What the heatmap shows

    static let stageHelp = KeyHelp("1–6 Tab", "stage: Original, Smoothed, Rotation 1, Permutation, Rotation 2, Quantized error "
                                        + "(Tab next, Shift-Tab previous)")
    static let stepHelp = KeyHelp("s", "greedy step-through: . , one step, > < ten, r next rotation, b next block")

    static let display: [KeyBinding] = [
        KeyBinding(chars("123456"), .app, stageHelp) { k in
            guard case .char(let c) = k, let n = Int(String(c)), let stage = Stage(rawValue: n - 1) else { return nil }
            return .heatmap(.setStage(stage))
        },
        KeyBinding([.tab], .app, stageHelp) { _ in .heatmap(.cycleStage(1)) },
        KeyBinding([.backTab], .app, stageHelp) { _ in .heatmap(.cycleStage(-1)) },
        KeyBinding([.char("x")], .app, KeyHelp("x", "cursor to the largest |x| of this stage; x again: the next largest")) { _ in .heatmap(.huntOutlier) },
        KeyBinding(chars("+="), .app, KeyHelp("+ - 0", "zoom in / out around the cursor, reset zoom (= zooms in too)")) { _ in .heatmap(.zoomIn) },
        KeyBinding([.char("-")], .app, KeyHelp("+ - 0", "zoom in / out around the cursor, reset zoom (= zooms in too)")) { _ in .heatmap(.zoomOut) },
        KeyBinding([.char("0")], .app, KeyHelp("+ - 0", "zoom in / out around the cursor, reset zoom (= zooms in too)")) { _ in .heatmap(.zoomReset) },
        KeyBinding([.char("T")], .app, KeyHelp("T", "teaching view on / off: every value printed, blocks ruled, the permutation's "
                                                + "mapping and a caption (when the visible part fits)")) { _ in .heatmap(.toggleTeaching) },
        KeyBinding([.char("L")], .app, KeyHelp("L", "linear / log colour scale (log is the default on layers with massive outliers)")) { _ in .heatmap(.toggleScale) },
        KeyBinding([.char("c")], .app, KeyHelp("c C", "compare: Original beside the chosen stage, same scale; C changes the left stage")) { _ in .heatmap(.toggleCompare) },
        KeyBinding([.char("C")], .app, KeyHelp("c C", "compare: Original beside the chosen stage, same scale; C changes the left stage")) { _ in .heatmap(.nextCompareLeft) },
        KeyBinding([.char("s")], .app, stepHelp) { _ in .step(.toggle) },
        KeyBinding([.char(".")], .step, stepHelp) { _ in .step(.move(1)) },
        KeyBinding([.char(",")], .step, stepHelp) { _ in .step(.move(-1)) },
        KeyBinding([.char(">")], .step, stepHelp) { _ in .step(.move(10)) },
        KeyBinding([.char("<")], .step, stepHelp) { _ in .step(.move(-10)) },
        KeyBinding([.char("r")], .step, stepHelp) { _ in .step(.nextRotation) },
        KeyBinding([.char("b")], .step, stepHelp) { _ in .step(.nextBlock) },
    ]

    // MARK: Parameters, methods, the list's figures, themes

    static let methods: [KeyBinding] = [
        KeyBinding(chars("[]"), .app, KeyHelp("[ ]", "change the selected parameter down / up (from any panel)")) { k in
            .parameters(.adjustSelected(k == .char("]") ? 1 : -1))
        },
        KeyBinding([.char("S")], .app, KeyHelp("S O", "switch greedy selection paper/reference, rotation layout perblock/shared")) { _ in .parameters(.cycle(name: "select")) },
        KeyBinding([.char("O")], .app, KeyHelp("S O", "switch greedy selection paper/reference, rotation layout perblock/shared")) { _ in .parameters(.cycle(name: "layout")) },
        KeyBinding([.char("m")], .app, KeyHelp("m", "method whose error the layer list shows (its column is named after it: DuQ out, "
                                                + "RTN out, …)")) { _ in .list(.nextMethod) },
        KeyBinding([.char("A")], .app, KeyHelp("A", "error anatomy: output error with only activations / only weights quantized, "
                                                + "clipping's share")) { _ in .methods(.toggleAnatomy) },
        KeyBinding([.char("N")], .app, KeyHelp("N", "DuQuant over seeds 0–3 in the background: the spread in the Methods title; a Δ "
                                                + "within it is marked ≈")) { _ in .methods(.measureSeedSpread) },
        KeyBinding([.char("V")], .app, KeyHelp("V", "hold tokens out: fit on even tokens, then on the first half, then off; rows 'fit' "
                                                + "and 'held out'")) { _ in .methods(.nextHeldOut) },
        KeyBinding([.char("B")], .app, KeyHelp("B", "pin these figures as the baseline (ratios to it under the output error; • marks "
                                                + "changed parameters)")) { _ in .methods(.toggleBaseline) },
        KeyBinding([.char("o")], .app, KeyHelp("o", "sort the layer list: file order, max|x|, ratio, error (worst first)")) { _ in .list(.nextSort) },
        KeyBinding([.char("t")], .app, KeyHelp("t", "next colour theme (its name shows in the status bar)")) { _ in .app(.nextTheme) },
        KeyBinding([.char("M")], .app, KeyHelp("M", "Model panel (with --model DIR): perplexity of this layer only quantized (others "
                                                + "FP) ↔ of all layers quantized, under the current parameters and the list's method")) { _ in
            .model(.switchScope)
        },
        KeyBinding([.char("Z")], .app, KeyHelp("Z", "per-layer sensitivity (with --model DIR): every layer alone quantized, sorted by "
                                                + "the perplexity it costs, in the background; Z again hides / shows")) { _ in
            .model(.toggleSensitivity)
        },
    ]

    /// The scopes that take keys in `state`, first match first: a search or an overlay has all the keys;
    /// otherwise the app's keys, then step-through's, then the focused panel's.
    package static func activeScopes(_ state: AppState) -> [KeyScope] {
        if state.list.search != nil { return [.search] }
        if state.overlays.showProblems { return [.problems] }
        if state.overlays.showHelp { return [.help] }
        let panel: KeyScope = switch state.focus {
        case .layers: .layers
        case .heatmap: .heatmap
        case .params: .params
        }
        return state.heatmap.step != nil ? [.app, .step, panel] : [.app, panel]
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
