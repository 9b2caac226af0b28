/// Every glyph the explorer draws, in one place, with ASCII stand-ins for `--ascii`.
package struct Glyphs: Sendable {
    /// Upper half block: fg paints the top data row, bg the bottom one.
    package let upperHalf: Unicode.Scalar
    /// Heat ramp for one value per cell (ASCII mode): blank is lowest.
    package let ramp: [Unicode.Scalar]
    /// Bars for sparklines and profiles, lowest to full.
    package let bars: [Unicode.Scalar]
    package let horizontal: Unicode.Scalar
    package let vertical: Unicode.Scalar
    /// Box corners: top-left, top-right, bottom-left, bottom-right.
    package let corners: [Unicode.Scalar]
    package let cursor: Unicode.Scalar
    package let pointer: Unicode.Scalar
    package let best: Unicode.Scalar
    /// Marks an estimated figure.
    package let approx: Unicode.Scalar
    package let ellipsis: Unicode.Scalar
    package let keptMark: Unicode.Scalar
    package let progressFull: Unicode.Scalar
    package let progressEmpty: Unicode.Scalar
    package let valueLeft: Unicode.Scalar
    package let valueRight: Unicode.Scalar
    /// A figure went down / up since the last setting.
    package let down: Unicode.Scalar
    package let up: Unicode.Scalar
    /// A parameter differs from the pinned baseline.
    package let changed: Unicode.Scalar

    /// The Unicode set (half blocks, eighth bars, box rules).
    package static let unicode = Glyphs(
        upperHalf: "▀", ramp: Array(" .:-=+*#%@".unicodeScalars),
        bars: Array(" ▁▂▃▄▅▆▇█".unicodeScalars),
        horizontal: "─", vertical: "│", corners: ["┌", "┐", "└", "┘"], cursor: "╳", pointer: "▶", best: "★", approx: "≈", ellipsis: "…",
        keptMark: "┃", progressFull: "█", progressEmpty: "░", valueLeft: "◂", valueRight: "▸",
        down: "▼", up: "▲", changed: "•")

    /// Plain ASCII for terminals and documents without Unicode.
    package static let ascii = Glyphs(
        upperHalf: "#", ramp: Array(" .:-=+*#%@".unicodeScalars),
        bars: Array(" .:-=+*#%@".unicodeScalars),
        horizontal: "-", vertical: "|", corners: ["+", "+", "+", "+"], cursor: "X", pointer: ">", best: "*", approx: "~", ellipsis: "~",
        keptMark: "|", progressFull: "#", progressEmpty: ".", valueLeft: "<", valueRight: ">",
        down: "v", up: "^", changed: "*")

    /// The ramp glyph for an intensity in 0...1.
    package func rampGlyph(_ t: Double) -> Unicode.Scalar {
        let i = Int((min(1, max(0, t.isNaN ? 0 : t)) * Double(ramp.count - 1)).rounded())
        return ramp[i]
    }

    /// The bar glyph for a fill in 0...1 (of one cell).
    package func bar(_ t: Double) -> Unicode.Scalar {
        let i = Int((min(1, max(0, t.isNaN ? 0 : t)) * Double(bars.count - 1)).rounded())
        return bars[i]
    }

    /// The ASCII stand-in for a scalar the text uses (`·` → `.`, `×` → `x`, `→` → `>`), `?` for others.
    ///
    /// `--ascii` passes the finished grid through this, so titles, numbers and token texts are plain
    /// ASCII too.
    package static func asciiFallback(_ s: Unicode.Scalar) -> Unicode.Scalar {
        if s.isASCII { return s }
        switch s {
        case "·", "•": return "."
        case "×": return "x"
        case "–", "—", "─", "━", "−": return "-"
        case "│", "┃": return "|"
        case "┌", "┐", "└", "┘": return "+"
        case "╳": return "X"
        case "→", "▸", "▶", "›": return ">"
        case "←", "◂", "‹", "≤": return "<"
        case "≥", "≫": return ">"
        case "÷": return "/"
        case "α": return "a"
        case "★": return "*"
        case "…": return "~"
        case "ᵀ": return "T"
        case "⁻": return "-"
        case "¹", "₁": return "1"
        case "₂": return "2"
        case "▁": return "_"
        case "Ġ": return "_"
        default: return "?"
        }
    }
}
