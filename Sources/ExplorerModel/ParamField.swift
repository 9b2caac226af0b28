import DuQuantCore

/// A row of the parameters panel: one ``ParameterSpec`` of the panel, in order.
public enum ParamField: Int, CaseIterable, Sendable {
    case abits, wbits, block, steps, patience, permTimes, alpha, smooth, lac, swc, sqAlpha, sameSettings, seed, select, layout

    /// The spec this row shows (its title, range, ladder and format).
    public var spec: ParameterSpec { ParameterSpec.panel[rawValue] }

    public var title: String { spec.title }

    /// The value as shown in the panel.
    public func value(in p: QuantParams) -> String { spec.value(in: p) }

    /// `p` with this knob moved one notch (`direction` is +1 or −1), inside the spec's range.
    public func adjust(_ p: QuantParams, by direction: Int) -> QuantParams { spec.adjust(p, by: direction) }
}

extension QuantParams {
    /// A compact one-line summary for the status bar: `a4w4 b128 s256 p1 α0.60 lac0.90 swc0.80 seed0 paper/perblock`.
    public var summary: String {
        func v(_ f: ParamField) -> String { f.value(in: self) }
        return "a\(abits)w\(wbits) b\(block) s\(steps) p\(permTimes) α\(smooth ? v(.alpha) : "off") "
            + "lac\(v(.lac)) swc\(v(.swc))\(sameSettings ? " same-settings" : "") seed\(seed) \(select.rawValue)/\(layout.rawValue)"
            + (patience > 0 ? " ≈pat\(patience)" : "")
    }
}
