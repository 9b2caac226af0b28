import ExplorerModel

/// A ``Theme`` resolved for one ``ColourMode``: the styles widgets draw with.
///
/// In mono mode every colour is the terminal default and the styles lean on attributes (reverse for
/// selection and bars, bold for titles); the heatmap then uses the ASCII ramp.
package struct Palette: Sendable {
    package let themeName: String
    package let mode: ColourMode

    package let text: CellStyle
    package let dim: CellStyle
    package let title: CellStyle
    package let header: CellStyle
    package let selected: CellStyle
    package let status: CellStyle
    package let accent: CellStyle
    package let error: CellStyle
    package let best: CellStyle
    package let cursor: CellStyle
    package let border: CellStyle
    package let spark: CellStyle
    package let kept: CellStyle
    package let dropped: CellStyle
    /// The ramp, low to high, as colour indices (empty in mono mode or for a theme without stops).
    package let heatRamp: [Colour]
    /// The background colour of the screen.
    package let background: Colour

    /// True when heatmaps must be drawn with the ASCII ramp.
    package var asciiHeat: Bool { heatRamp.isEmpty }

    /// Number of distinct heat levels computed from the theme's stops.
    package static let heatLevels = 48

    package init(theme: Theme, mode: ColourMode, asciiHeat: Bool = false) {
        themeName = theme.name
        self.mode = mode
        func c(_ key: String) -> Colour {
            guard mode != .mono, let rgb = theme.colour(key) else { return .terminalDefault }
            return Palette.map(rgb, mode)
        }
        let bg = c("main_bg"), fg = c("main_fg")
        let mono = mode == .mono
        background = bg
        text = CellStyle(fg: fg, bg: bg)
        dim = CellStyle(fg: c("dim_fg"), bg: bg, attrs: mono ? [.dim] : [])
        title = CellStyle(fg: c("title_fg"), bg: c("title_bg"), attrs: mono ? [.reverse, .bold] : [.bold])
        header = CellStyle(fg: c("header_fg"), bg: bg, attrs: [.bold])
        selected = CellStyle(fg: c("selected_fg"), bg: c("selected_bg"), attrs: mono ? [.reverse] : [])
        status = CellStyle(fg: c("status_fg"), bg: c("status_bg"), attrs: mono ? [.reverse] : [])
        accent = CellStyle(fg: c("accent_fg"), bg: bg, attrs: [.bold])
        error = CellStyle(fg: c("error_fg"), bg: bg, attrs: [.bold])
        best = CellStyle(fg: c("best_fg"), bg: bg, attrs: [.bold])
        cursor = CellStyle(fg: c("cursor_fg"), bg: bg, attrs: [.bold])
        border = CellStyle(fg: c("border_fg"), bg: bg)
        spark = CellStyle(fg: c("spark_fg"), bg: bg)
        kept = CellStyle(fg: c("kept_fg"), bg: bg, attrs: mono ? [.bold] : [])
        dropped = CellStyle(fg: c("dropped_fg"), bg: bg, attrs: mono ? [.dim] : [])
        // Whether the heatmap is ASCII is the state's rule (`AppState.asciiHeat`), passed in; a theme without
        // a two-stop ramp (or mono) cannot draw colour bins whatever the caller says.
        if asciiHeat || mono || theme.heat.count < 2 {
            heatRamp = []
        } else {
            var ramp: [Colour] = []
            let n = Palette.heatLevels
            for i in 0..<n {
                let t = Double(i) / Double(n - 1) * Double(theme.heat.count - 1)
                let k = min(Int(t), theme.heat.count - 2)
                ramp.append(Palette.map(theme.heat[k].mixed(with: theme.heat[k + 1], t - Double(k)), mode))
            }
            heatRamp = ramp
        }
    }

    /// The ramp colour for an intensity in 0...1.
    package func heat(_ t: Double) -> Colour {
        guard !heatRamp.isEmpty else { return .terminalDefault }
        let i = Int((min(1, max(0, t.isNaN ? 0 : t)) * Double(heatRamp.count - 1)).rounded())
        return heatRamp[i]
    }

    static func map(_ rgb: RGB, _ mode: ColourMode) -> Colour {
        switch mode {
        case .xterm256: return .index(XTermPalette.nearest256(rgb))
        case .ansi16: return .index(XTermPalette.nearestANSI(rgb, count: 16))
        case .ansi8: return .index(XTermPalette.nearestANSI(rgb, count: 8))
        case .mono: return .terminalDefault
        }
    }
}
