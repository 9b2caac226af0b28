import DuQuantCore

/// The layer list's own state: the selection, the first row shown, the order, the search being typed and
/// the method whose error the list shows.
package struct LayerListState: Sendable {
    /// The selected layer (a layer index; ``order(_:)`` maps rows to layers).
    package var selected = 0
    /// The first row shown.
    package var offset = 0
    /// The list's order (`o`).
    package var sort: ListSort = .file
    /// The query while a search is typed (`/`), else nil.
    package var search: String?
    /// The method whose error the list shows (`m`).
    package var method: Method = .duquant

    package init() {}
}

/// The layer list: moving along its rows (as sorted), opening a layer, sorting and searching by name.
package enum LayerList {
    /// The list's messages.
    package enum Msg: Sendable, Equatable {
        /// j k, PgUp PgDn, g G: the row `by` rows (or pages) on, or the first or last.
        case move(Move)
        /// The wheel: three rows up (−) or down (+), along the rows as shown.
        case wheel(Int)
        /// A click on row `row` of the list (as sorted).
        case click(row: Int)
        /// The app selects `index` (a layer being opened).
        case select(Int)
        /// The size or the layout changed: keep the selection visible.
        case keepVisible
        case openSelected, nextSort, nextMethod
        case startSearch, cancelSearch, openMatch, nextMatch, type(Character), deleteBack
    }

    /// Where a move goes.
    package enum Move: Sendable, Equatable { case rows(Int), pages(Int), first, last }

    /// Applies `msg` to the list's state; what it needs of the others comes back as requests.
    package static func update(_ s: inout LayerListState, _ msg: Msg, _ ctx: Context) -> [Request] {
        Hop.here()
        switch msg {
        case .move(let move): return self.move(&s, move, ctx)
        case .wheel(let rows):
            let order = s.order(ctx.shared)
            guard !order.isEmpty else { return [] }
            s.selected = order[min(order.count - 1, max(0, s.selectedRow(ctx.shared) + rows))]
            keepVisible(&s, ctx)
            return []
        case .click(let row): return click(&s, row: row, ctx)
        case .select(let index):
            s.selected = index
            keepVisible(&s, ctx)
            return []
        case .keepVisible:
            keepVisible(&s, ctx)
            return []
        case .openSelected: return openSelected(&s, ctx)
        case .nextSort:
            s.sort = s.sort.next
            keepVisible(&s, ctx)
            return [.notice("layers sorted by \(s.sort.title)")]
        case .nextMethod:
            let all = Method.allCases
            s.method = all[(all.firstIndex(of: s.method)! + 1) % all.count]
            return [.listMethodChanged, .notice("layer list error: \(s.method.title)"), .rescan]
        default: return search(&s, msg, ctx)
        }
    }

    /// Moves the selection to the row `move` names (clamped), along the rows as shown.
    static func move(_ s: inout LayerListState, _ move: Move, _ ctx: Context) -> [Request] {
        let order = s.order(ctx.shared)
        let n = order.count
        guard n > 0 else { return [] }
        let page = max(1, ctx.layout.list.height - 2)
        let row = s.selectedRow(ctx.shared)
        let target = switch move {
        case .rows(let k): row + k
        case .pages(let k): row + k * page
        case .first: 0
        case .last: n - 1
        }
        s.selected = order[min(n - 1, max(0, target))]
        keepVisible(&s, ctx)
        return []
    }

    /// A click opens the layer under it (or, on the open one, focuses the heatmap).
    static func click(_ s: inout LayerListState, row: Int, _ ctx: Context) -> [Request] {
        let i = s.order(ctx.shared)[row]
        if i == s.selected && ctx.shared.open?.index == i { return [.focus(.layers), .focus(.heatmap)] }
        s.selected = i
        return [.focus(.layers), .openLayer(i)]
    }

    /// Enter, l, →: focus the heatmap, opening the selected layer unless it is open or loading.
    static func openSelected(_ s: inout LayerListState, _ ctx: Context) -> [Request] {
        guard !ctx.shared.layers.isEmpty else { return [] }
        if ctx.shared.open?.index != s.selected && ctx.shared.loading != s.selected {
            return [.focus(.heatmap), .openLayer(s.selected)]
        }
        keepVisible(&s, ctx)
        return [.focus(.heatmap)]
    }

    /// Keeps the selected layer inside the visible list rows.
    static func keepVisible(_ s: inout LayerListState, _ ctx: Context) {
        let rows = max(1, ctx.layout.list.height - 1)
        let row = s.selectedRow(ctx.shared)
        if row < s.offset { s.offset = row }
        if row >= s.offset + rows { s.offset = row - rows + 1 }
        s.offset = max(0, min(s.offset, max(0, ctx.shared.layers.count - rows)))
    }
}
