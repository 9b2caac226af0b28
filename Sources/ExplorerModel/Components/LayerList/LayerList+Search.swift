/// The layer list's search (`/`): type to filter, Enter opens, Esc cancels.
extension LayerList {
    static func search(_ s: inout LayerListState, _ msg: Msg, _ ctx: Context) -> [Request] {
        switch msg {
        case .startSearch:
            s.search = ""
            return [.focus(.layers)]
        case .cancelSearch:
            s.search = nil
            return []
        case .openMatch: return openMatch(&s, ctx)
        case .nextMatch:
            guard let query = s.search else { return [] }
            if let i = firstMatch(ctx.shared.layers, query, from: s.selected + 1) { s.selected = i }
            return selectMatch(&s, query, ctx)
        case .type(let c): return editQuery(&s, ctx) { $0.append(c) }
        case .deleteBack: return editQuery(&s, ctx) { if !$0.isEmpty { $0.removeLast() } }
        default: return []
        }
    }

    /// Enter: opens the first match, or says there is none.
    static func openMatch(_ s: inout LayerListState, _ ctx: Context) -> [Request] {
        guard let query = s.search else { return [] }
        s.search = nil
        if let i = firstMatch(ctx.shared.layers, query, from: s.selected) {
            return [.focus(.heatmap), .openLayer(i)]
        }
        return [.error("no layer matches \"\(query)\"")]
    }

    /// Changes the query with `edit` and selects its first match.
    static func editQuery(_ s: inout LayerListState, _ ctx: Context, _ edit: (inout String) -> Void) -> [Request] {
        guard var query = s.search else { return [] }
        edit(&query)
        s.search = query
        return selectMatch(&s, query, ctx)
    }

    private static func selectMatch(_ s: inout LayerListState, _ query: String, _ ctx: Context) -> [Request] {
        if let i = firstMatch(ctx.shared.layers, query, from: s.selected) { s.selected = i }
        keepVisible(&s, ctx)
        return []
    }

    /// The first layer at or after `from` (wrapping) whose name contains `query`, ignoring case.
    package static func firstMatch(_ layers: [LayerEntry], _ query: String, from: Int) -> Int? {
        let n = layers.count
        guard n > 0 else { return nil }
        let q = query.lowercased()
        for k in 0..<n {
            let i = (max(0, from) + k) % n
            if q.isEmpty || layers[i].name.lowercased().contains(q) { return i }
        }
        return nil
    }
}
