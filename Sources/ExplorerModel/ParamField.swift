import DuQuantCore

/// A row of the parameters panel: one knob of ``QuantParams`` with its ladder of values.
public enum ParamField: Int, CaseIterable, Sendable {
    case abits, wbits, block, steps, patience, permTimes, alpha, smooth, lac, swc, seed, select, layout

    public var title: String {
        switch self {
        case .abits: "act bits"
        case .wbits: "weight bits"
        case .block: "block size"
        case .steps: "greedy steps"
        case .patience: "patience"
        case .permTimes: "perm times"
        case .alpha: "α smooth"
        case .smooth: "smoothing"
        case .lac: "act clip"
        case .swc: "weight clip"
        case .seed: "seed"
        case .select: "selection"
        case .layout: "layout"
        }
    }

    /// The value as shown in the panel.
    public func value(in p: QuantParams) -> String {
        switch self {
        case .abits: "\(p.abits)"
        case .wbits: "\(p.wbits)"
        case .block: "\(p.block)"
        case .steps: "\(p.steps)"
        case .patience: p.patience == 0 ? "exact" : "\(p.patience) approx"
        case .permTimes: "\(p.permTimes)"
        case .alpha: ParamField.hundredths(p.alpha)
        case .smooth: p.smooth ? "on" : "off"
        case .lac: ParamField.hundredths(p.lac)
        case .swc: ParamField.hundredths(p.swc)
        case .seed: "\(p.seed)"
        case .select: p.select.rawValue
        case .layout: p.layout.rawValue
        }
    }

    static let blocks = [8, 16, 32, 64, 128, 256, 512]
    static let patienceLadder = [0, 4, 8, 16, 32, 64]
    static let stepLadder = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]

    /// `p` with this knob moved one notch (`direction` is +1 or −1), clamped to its range.
    public func adjust(_ p: QuantParams, by direction: Int) -> QuantParams {
        var q = p
        let d = direction >= 0 ? 1 : -1
        switch self {
        case .abits: q.abits = min(8, max(2, p.abits + d))
        case .wbits: q.wbits = min(8, max(2, p.wbits + d))
        case .block: q.block = ParamField.step(ParamField.blocks, from: p.block, by: d)
        case .steps: q.steps = ParamField.step(ParamField.stepLadder, from: p.steps, by: d)
        case .patience: q.patience = ParamField.step(ParamField.patienceLadder, from: p.patience, by: d)
        case .permTimes: q.permTimes = min(4, max(1, p.permTimes + d))
        case .alpha: q.alpha = ParamField.notch(p.alpha, d, lo: 0, hi: 100)
        case .smooth: q.smooth.toggle()
        case .lac: q.lac = ParamField.notch(p.lac, d, lo: 50, hi: 100)
        case .swc: q.swc = ParamField.notch(p.swc, d, lo: 50, hi: 100)
        case .seed: q.seed = d > 0 ? p.seed &+ 1 : (p.seed == 0 ? 0 : p.seed - 1)
        case .select: q.select = p.select == .paper ? .reference : .paper
        case .layout: q.layout = p.layout == .perblock ? .shared : .perblock
        }
        return q
    }

    /// The next ladder value above or below `v` (values off the ladder snap to the nearest rung).
    static func step(_ ladder: [Int], from v: Int, by d: Int) -> Int {
        if d > 0 { return ladder.first { $0 > v } ?? ladder.last! }
        return ladder.last { $0 < v } ?? ladder.first!
    }

    /// Steps a value in 0.05 notches, in hundredths to avoid drift.
    static func notch(_ v: Float, _ d: Int, lo: Int, hi: Int) -> Float {
        let h = Int((v * 100).rounded())
        let snapped = d > 0 ? h / 5 * 5 + 5 : (h - 1) / 5 * 5
        return Float(min(hi, max(lo, snapped))) / 100
    }

    static func hundredths(_ v: Float) -> String {
        let h = Int((v * 100).rounded())
        return "\(h / 100).\(h % 100 < 10 ? "0" : "")\(h % 100)"
    }
}

extension QuantParams {
    /// A compact one-line summary for the status bar: `a4w4 b128 s256 p1 α0.60 lac0.90 swc0.80 seed0 paper/perblock`.
    public var summary: String {
        "a\(abits)w\(wbits) b\(block) s\(steps) p\(permTimes) α\(smooth ? ParamField.hundredths(alpha) : "off") "
            + "lac\(ParamField.hundredths(lac)) swc\(ParamField.hundredths(swc)) seed\(seed) \(select.rawValue)/\(layout.rawValue)"
            + (patience > 0 ? " ≈pat\(patience)" : "")
    }
}
