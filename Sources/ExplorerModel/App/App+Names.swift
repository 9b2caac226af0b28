/// How the model names channels and writes numbers in notices and captions (the view has its own
/// `Format`; the model does without Foundation).
extension App {
    /// A channel by its global number, with its block and index inside the block when blocks apply:
    /// `ch 1229 [blk 9 #77]`.
    package static func channelName(_ state: AppState, _ c: Int) -> String { state.shared.channelName(c) }

    /// A number in at most ~5 significant characters (`3064`, `9.03`, `0.0131`).
    package static func compact(_ v: Float) -> String {
        let a = Swift.abs(v)
        if a == 0 { return "0" }
        if a >= 1000 || a < 0.001 { return formatted(v, significant: 4) }
        return formatted(v, significant: 3)
    }

    static func formatted(_ v: Float, significant: Int) -> String {
        // Model code avoids Foundation: round by hand to `significant` digits.
        let a = Double(Swift.abs(v))
        var exp = 0
        var x = a
        while x >= 10 { x /= 10; exp += 1 }
        while x < 1 && exp > -30 { x *= 10; exp -= 1 }
        let decimals = max(0, significant - 1 - exp)
        if exp >= 6 || exp < -4 {
            let m = (x * 100).rounded() / 100
            return (v < 0 ? "-" : "") + fixed(m, decimals: 2) + "e\(exp)"
        }
        return (v < 0 ? "-" : "") + fixed(a, decimals: decimals)
    }

    /// `v ≥ 0` with exactly `decimals` digits after the point.
    package static func fixed(_ v: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let n = (v * scale).rounded()
        let whole = Int(n / scale)
        guard decimals > 0 else { return String(whole) }
        var frac = String(Int(n - Double(whole) * scale))
        while frac.count < decimals { frac = "0" + frac }
        return "\(whole).\(frac)"
    }
}
