import DuQuantCore

/// A row of the parameters panel: an index into ``ParameterText/panel`` (the spec's order), so the rows
/// are the spec's and nothing else.
package struct ParamField: Hashable, Sendable {
    /// The row, from 0 at the top.
    package let rawValue: Int

    /// The row `rawValue`, if the panel has it.
    package init?(rawValue: Int) {
        guard ParameterText.panel.indices.contains(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// Every row of the panel, in order.
    package static var allCases: [ParamField] { ParameterText.panel.indices.compactMap { ParamField(rawValue: $0) } }

    /// The row of the parameter called `name` (as on the command line), if the panel shows it.
    package static func named(_ name: String) -> ParamField? {
        ParameterText.panel.firstIndex { $0.spec.name == name }.flatMap { ParamField(rawValue: $0) }
    }

    /// The words of this row's parameter (title, how its value reads).
    package var text: ParameterText { ParameterText.panel[rawValue] }

    /// The spec this row shows (its range, ladder and format).
    package var spec: ParameterSpec { text.spec }

    package var title: String { text.title }

    /// The value as shown in the panel.
    package func value(in p: QuantParams) -> String { text.value(in: p) }

    /// `p` with this knob moved one notch (`direction` is +1 or −1), inside the spec's range.
    package func adjust(_ p: QuantParams, by direction: Int) -> QuantParams {
        Hop.here()
        return spec.adjust(p, by: direction)
    }
}
