import DuQuantCore

/// The parameters panel: its selected row and the changes made from it (or from `[ ]`, `S`, `O` anywhere).
package enum Parameters {
    /// `p`: focus the panel, or give the focus back to the heatmap.
    static func toggleFocus(_ state: inout AppState) -> [Effect] {
        state.focus = state.focus == .params ? .heatmap : .params
        return []
    }

    static func moveRow(_ state: inout AppState, by n: Int) -> [Effect] {
        state.paramRow = min(ParamField.allCases.count - 1, max(0, state.paramRow + n))
        return []
    }

    /// `[ ]`, h l: the selected parameter one notch down or up, and what depends on it recomputed.
    static func adjustSelected(_ state: inout AppState, by direction: Int) -> [Effect] {
        Hop.here()
        return App.setParams(&state, ParamField(rawValue: state.paramRow)!.adjust(state.params, by: direction))
    }

    /// `S`, `O`: the next value of `field` (greedy selection, rotation layout).
    static func cycle(_ state: inout AppState, _ field: ParamField) -> [Effect] {
        App.setParams(&state, field.adjust(state.params, by: 1))
    }
}
