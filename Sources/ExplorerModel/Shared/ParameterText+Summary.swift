import DuQuantCore

/// The one-line summaries of the parameters: short for the status bar, in words for reports and exports.
/// Both name every parameter that differs from its default (`ParameterTextTests` checks it for each spec).
extension QuantParams {
    /// A compact one-line summary for the status bar: `a4w4 b128 s256 p1 α0.60 lac0.90 swc0.80 seed0 paper/perblock`;
    /// SmoothQuant's α, `same-settings`, the symmetric switches and patience only when not at their default.
    package var summary: String {
        let h = ParameterSpec.hundredths
        return "a\(abits)w\(wbits) b\(block) s\(steps) p\(permTimes) α\(smooth ? h(alpha) : "off") "
            + "lac\(h(lac)) swc\(h(swc))" + (sqAlpha != QuantParams().sqAlpha ? " sqα\(h(sqAlpha))" : "")
            + (sameSettings ? " same-settings" : "") + (weightSymmetric ? " symW" : "") + (actSymmetric ? " symX" : "")
            + " seed\(seed) \(select.rawValue)/\(layout.rawValue)"
            + (patience > 0 ? " ≈pat\(patience)" : "")
    }

    /// Every parameter in words, for reports, exports and the perplexity table:
    /// `W4A4 block 128 steps 256 perm-times 1 alpha 0.6 lac 0.9 swc 0.8 sq-alpha 0.5 seed 0 select paper layout perblock`.
    package var longSummary: String {
        "W\(wbits)A\(abits) block \(block) steps \(steps) perm-times \(permTimes) "
            + (smooth ? "alpha \(alpha)" : "no smoothing")
            + " lac \(lac) swc \(swc) sq-alpha \(sqAlpha) seed \(seed) select \(select.rawValue) layout \(layout.rawValue)"
            + (sameSettings ? " same-settings" : "")
            + (weightSymmetric ? " symmetric-weights" : "") + (actSymmetric ? " symmetric-activations" : "")
            + (patience > 0 ? " patience \(patience) (approximate greedy)" : "")
    }
}
