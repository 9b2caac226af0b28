/// The layer list: moving along its rows (as sorted), opening a layer, sorting and searching by name.
package enum LayerList {
    /// Moves the selection to the row `target(row, count, page)` returns (clamped), along the rows as shown.
    static func move(_ state: inout AppState, _ target: (_ row: Int, _ count: Int, _ page: Int) -> Int) -> [Effect] {
        let n = state.layers.count
        guard n > 0 else { return [] }
        let page = max(1, ScreenLayout(size: state.size, compare: state.compare).list.height - 2)
        state.selected = state.listOrder[min(n - 1, max(0, target(state.selectedRow, n, page)))]
        App.keepSelectionVisible(&state)
        return []
    }

    /// Enter, l, →: focus the heatmap, opening the selected layer unless it is open or loading.
    static func openSelected(_ state: inout AppState) -> [Effect] {
        guard !state.layers.isEmpty else { return [] }
        state.focus = .heatmap
        if state.open?.index != state.selected && state.loading != state.selected {
            return App.openLayer(&state, state.selected)
        }
        App.keepSelectionVisible(&state)
        return []
    }

    /// `o`: the next order of the list.
    static func nextSort(_ state: inout AppState) -> [Effect] {
        state.listSort = state.listSort.next
        state.notice = "layers sorted by \(state.listSort.title)"
        App.keepSelectionVisible(&state)
        return []
    }

    // MARK: Search

    static func startSearch(_ state: inout AppState) -> [Effect] {
        state.search = ""
        state.focus = .layers
        return []
    }

    static func cancelSearch(_ state: inout AppState) -> [Effect] {
        state.search = nil
        return []
    }

    /// Enter: opens the first match, or says there is none.
    static func openMatch(_ state: inout AppState) -> [Effect] {
        guard let query = state.search else { return [] }
        state.search = nil
        if let i = firstMatch(state, query, from: state.selected) {
            state.focus = .heatmap
            return App.openLayer(&state, i)
        }
        state.lastError = "no layer matches \"\(query)\""
        return []
    }

    /// ↓ or Ctrl-N: the next match after the selection.
    static func nextMatch(_ state: inout AppState) -> [Effect] {
        guard let query = state.search else { return [] }
        if let i = firstMatch(state, query, from: state.selected + 1) { state.selected = i }
        return selectMatch(&state, query)
    }

    /// Changes the query with `edit` and selects its first match.
    static func editQuery(_ state: inout AppState, _ edit: (inout String) -> Void) -> [Effect] {
        guard var query = state.search else { return [] }
        edit(&query)
        state.search = query
        return selectMatch(&state, query)
    }

    private static func selectMatch(_ state: inout AppState, _ query: String) -> [Effect] {
        if let i = firstMatch(state, query, from: state.selected) { state.selected = i }
        App.keepSelectionVisible(&state)
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
}
