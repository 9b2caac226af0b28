/// Every glyph the explorer draws, in one place, with ASCII stand-ins for `--ascii`.
public struct Glyphs: Sendable {
    /// Upper half block: fg paints the top data row, bg the bottom one.
    public let upperHalf: Unicode.Scalar
    /// Heat ramp for one value per cell (ASCII mode): blank is lowest.
    public let ramp: [Unicode.Scalar]
    /// Bars for sparklines and profiles, lowest to full.
    public let bars: [Unicode.Scalar]
    public let horizontal: Unicode.Scalar
    public let vertical: Unicode.Scalar
    /// Box corners: top-left, top-right, bottom-left, bottom-right.
    public let corners: [Unicode.Scalar]
    public let cursor: Unicode.Scalar
    public let pointer: Unicode.Scalar
    public let best: Unicode.Scalar
    /// Marks an estimated figure.
    public let approx: Unicode.Scalar
    public let ellipsis: Unicode.Scalar
    public let keptMark: Unicode.Scalar
    public let progressFull: Unicode.Scalar
    public let progressEmpty: Unicode.Scalar
    public let valueLeft: Unicode.Scalar
    public let valueRight: Unicode.Scalar
    /// A figure went down / up since the last setting.
    public let down: Unicode.Scalar
    public let up: Unicode.Scalar
    /// A parameter differs from the pinned baseline.
    public let changed: Unicode.Scalar

    /// The Unicode set (half blocks, eighth bars, box rules).
    public static let unicode = Glyphs(
        upperHalf: "▀", ramp: Array(" .:-=+*#%@".unicodeScalars),
        bars: Array(" ▁▂▃▄▅▆▇█".unicodeScalars),
        horizontal: "─", vertical: "│", corners: ["┌", "┐", "└", "┘"], cursor: "╳", pointer: "▶", best: "★", approx: "≈", ellipsis: "…",
        keptMark: "┃", progressFull: "█", progressEmpty: "░", valueLeft: "◂", valueRight: "▸",
        down: "▼", up: "▲", changed: "•")

    /// Plain ASCII for terminals and documents without Unicode.
    public static let ascii = Glyphs(
        upperHalf: "#", ramp: Array(" .:-=+*#%@".unicodeScalars),
        bars: Array(" .:-=+*#%@".unicodeScalars),
        horizontal: "-", vertical: "|", corners: ["+", "+", "+", "+"], cursor: "X", pointer: ">", best: "*", approx: "~", ellipsis: "~",
        keptMark: "|", progressFull: "#", progressEmpty: ".", valueLeft: "<", valueRight: ">",
        down: "v", up: "^", changed: "*")

    /// The ramp glyph for an intensity in 0...1.
    public func rampGlyph(_ t: Double) -> Unicode.Scalar {
        let i = Int((min(1, max(0, t.isNaN ? 0 : t)) * Double(ramp.count - 1)).rounded())
        return ramp[i]
    }

    /// The bar glyph for a fill in 0...1 (of one cell).
    public func bar(_ t: Double) -> Unicode.Scalar {
        let i = Int((min(1, max(0, t.isNaN ? 0 : t)) * Double(bars.count - 1)).rounded())
        return bars[i]
    }

    /// The ASCII stand-in for a scalar the text uses (`·` → `.`, `×` → `x`, `→` → `>`), `?` for others.
    ///
    /// `--ascii` passes the finished grid through this, so titles, numbers and token texts are plain
    /// ASCII too.
    public static func asciiFallback(_ s: Unicode.Scalar) -> Unicode.Scalar {
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
