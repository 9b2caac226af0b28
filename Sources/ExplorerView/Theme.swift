/// A named set of colours, loaded from a `themes/NAME.theme` file.
///
/// The file format follows btop's: one `theme[key]="value"` per line, `#` starts a comment, the value is
/// `#RRGGBB` or empty for the terminal's default colour. The heatmap ramp is `heat_0`, `heat_1`, … (two or
/// more stops, low to high, interpolated); a theme without stops draws heatmaps with the ASCII ramp.
///
/// ```
/// # my.theme
/// theme[main_bg]="#1C1C1C"
/// theme[heat_0]="#000004"
/// theme[heat_1]="#FCFFA4"
/// ```
package struct Theme: Sendable, Equatable {
    /// The theme's name (its file name without `.theme`).
    package var name: String
    /// Colour per key; `nil` values mean "terminal default".
    package var colours: [String: RGB?]
    /// The heatmap ramp, low to high; empty means ASCII ramp.
    package var heat: [RGB]

    package init(name: String, colours: [String: RGB?] = [:], heat: [RGB] = []) {
        self.name = name
        self.colours = colours
        self.heat = heat
    }

    /// Every key a theme may set, with what it colours (written into `themes/README.md`).
    package static let keys: [(key: String, meaning: String)] = [
        ("main_bg", "background of the whole screen"),
        ("main_fg", "ordinary text"),
        ("dim_fg", "secondary text: units, hints, inactive tabs"),
        ("title_bg", "top bar background"),
        ("title_fg", "top bar text"),
        ("header_fg", "panel titles and table headers"),
        ("selected_bg", "selected row background"),
        ("selected_fg", "selected row text"),
        ("status_bg", "status bar background"),
        ("status_fg", "status bar text"),
        ("accent_fg", "active stage tab, focused panel title"),
        ("error_fg", "error messages"),
        ("best_fg", "best value in the metrics table"),
        ("cursor_fg", "heatmap cursor mark"),
        ("border_fg", "panel rules"),
        ("spark_fg", "channel profile and sparkline bars"),
        ("kept_fg", "greedy steps kept"),
        ("dropped_fg", "greedy steps dropped"),
        ("heat_0 … heat_N", "heatmap ramp stops, low to high"),
    ]

    /// The colour of `key`: nil when unset or set to the terminal default.
    package func colour(_ key: String) -> RGB? {
        colours[key] ?? nil
    }

    /// A theme file could not be read; the message names the line.
    package struct ParseError: Error, CustomStringConvertible, Equatable {
        package var line: Int
        package var message: String
        package var description: String { "line \(line): \(message)" }
    }

    /// Parses theme file text.
    package static func parse(name: String, text: String) throws(ParseError) -> Theme {
        var theme = Theme(name: name)
        var stops: [Int: RGB] = [:]
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard line.hasPrefix("theme["), let close = line.firstIndex(of: "]") else {
                throw ParseError(line: i + 1, message: "expected theme[key]=\"value\"")
            }
            let key = String(line[line.index(line.startIndex, offsetBy: 6)..<close])
            var rest = line[line.index(after: close)...].trimmingSpaces()
            guard rest.hasPrefix("=") else { throw ParseError(line: i + 1, message: "expected = after theme[\(key)]") }
            rest = rest.dropFirst().trimmingSpaces()
            if rest.hasPrefix("\"") && rest.hasSuffix("\"") && rest.count >= 2 { rest = rest.dropFirst().dropLast() }
            let value = rest.trimmingSpaces()
            let rgb: RGB?
            if value.isEmpty {
                rgb = nil
            } else if let c = RGB(hex: String(value)) {
                rgb = c
            } else {
                throw ParseError(line: i + 1, message: "\(key): \"\(value)\" is not #RRGGBB or empty")
            }
            if key.hasPrefix("heat_"), let n = Int(key.dropFirst(5)), n >= 0 {
                if let rgb { stops[n] = rgb }
            } else if keys.contains(where: { $0.key == key }) {
                theme.colours[key] = .some(rgb)
            } else {
                throw ParseError(line: i + 1, message: "unknown key \(key)")
            }
        }
        let ordered = stops.keys.sorted()
        guard ordered == Array(0..<ordered.count) else {
            throw ParseError(line: 0, message: "heat stops must be heat_0, heat_1, … without gaps")
        }
        guard ordered.count != 1 else { throw ParseError(line: 0, message: "a heat ramp needs at least two stops") }
        theme.heat = ordered.map { stops[$0]! }
        return theme
    }
}

extension StringProtocol {
    func trimmingSpaces() -> SubSequence {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return s
    }
}
