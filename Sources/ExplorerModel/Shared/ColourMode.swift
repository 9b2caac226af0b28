/// How many colours the screen may use, from the terminal's abilities, `NO_COLOR` and `--ascii`.
package enum ColourMode: String, Sendable, CaseIterable {
    /// The xterm-256 palette.
    case xterm256
    /// The 16 ANSI colours.
    case ansi16
    /// The 8 basic ANSI colours.
    case ansi8
    /// No colour: attributes only, ASCII ramp for heatmaps.
    case mono

    /// The mode for a terminal reporting `colours` colours (ncurses `COLORS`), or mono without colour.
    package static func forTerminal(colours: Int, hasColours: Bool, noColor: Bool) -> ColourMode {
        if noColor || !hasColours { return .mono }
        if colours >= 256 { return .xterm256 }
        if colours >= 16 { return .ansi16 }
        if colours >= 8 { return .ansi8 }
        return .mono
    }
}
