import DuQuantCore

/// A row of the parameters panel: one ``ParameterSpec`` of the panel, in order.
package enum ParamField: Int, CaseIterable, Sendable {
    case abits, wbits, block, steps, patience, permTimes, alpha, smooth, lac, swc, sqAlpha, sameSettings, seed, select, layout

    /// The spec this row shows (its title, range, ladder and format).
    package var spec: ParameterSpec { ParameterSpec.panel[rawValue] }

    package var title: String { spec.title }

    /// The value as shown in the panel.
    package func value(in p: QuantParams) -> String { spec.value(in: p) }

    /// `p` with this knob moved one notch (`direction` is +1 or −1), inside the spec's range.
    package func adjust(_ p: QuantParams, by direction: Int) -> QuantParams {
        Hop.here()
        return spec.adjust(p, by: direction)
    }
}

extension QuantParams {
    /// A compact one-line summary for the status bar: `a4w4 b128 s256 p1 α0.60 lac0.90 swc0.80 seed0 paper/perblock`.
    package var summary: String {
        func v(_ f: ParamField) -> String { f.value(in: self) }
        return "a\(abits)w\(wbits) b\(block) s\(steps) p\(permTimes) α\(smooth ? v(.alpha) : "off") "
            + "lac\(v(.lac)) swc\(v(.swc))\(sameSettings ? " same-settings" : "") seed\(seed) \(select.rawValue)/\(layout.rawValue)"
            + (patience > 0 ? " ≈pat\(patience)" : "")
    }
}
