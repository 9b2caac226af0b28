import DuQuantCore

/// The parameters panel's own state: the selected row.
package struct ParametersState: Sendable {
    /// The selected row (a ``ParamField``).
    package var row = 0

    package init() {}

    /// The selected row's field.
    package var field: ParamField { ParamField(rawValue: row) ?? ParamField.allCases[0] }
}

/// The parameters panel: its selected row and the changes made from it (or from `[ ]`, `S`, `O` anywhere).
/// The parameters themselves are shared: a change goes to the app as ``Request/setParams(_:)``.
package enum Parameters {
    /// The panel's messages.
    package enum Msg: Sendable, Equatable {
        /// `p`: focus the panel, or give the focus back to the heatmap.
        case toggleFocus
        /// j k: the row `by` rows down (or up).
        case moveRow(Int)
        /// A click on row `row`.
        case select(row: Int)
        /// `[ ]`, h l: the selected parameter one notch down (−1) or up (+1).
        case adjustSelected(Int)
        /// `S`, `O`: the next value of the parameter called `name` (greedy selection, rotation layout).
        case cycle(name: String)
    }

    package static func update(_ s: inout ParametersState, _ msg: Msg, _ ctx: Context) -> [Request] {
        Hop.here()
        switch msg {
        case .toggleFocus:
            return [.focus(ctx.focus == .params ? .heatmap : .params)]
        case .moveRow(let n):
            s.row = min(ParamField.allCases.count - 1, max(0, s.row + n))
            return []
        case .select(let row):
            guard ParamField(rawValue: row) != nil else { return [] }
            s.row = row
            return [.focus(.params)]
        case .adjustSelected(let direction):
            return [.setParams(s.field.adjust(ctx.shared.params, by: direction))]
        case .cycle(let name):
            guard let spec = ParameterSpec.named(name) else { return [] }
            return [.setParams(spec.adjust(ctx.shared.params, by: 1))]
        }
    }
}
