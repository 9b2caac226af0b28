extension CellGrid {
    /// The grid as text with ANSI SGR escapes (256-colour `38;5;N` / `48;5;N`), reset at every line end.
    ///
    /// Used by `render --color always`; the plain ``text`` is the `--color never` twin.
    package var ansiText: String {
        var out = ""
        for y in 0..<height {
            var last: CellStyle?
            for x in 0..<width {
                let cell = self[x, y]
                if cell.style != last {
                    out += CellGrid.sgr(cell.style)
                    last = cell.style
                }
                out.unicodeScalars.append(contentsOf: cell.scalars)
            }
            out += "\u{1B}[0m\n"
        }
        return out
    }

    static func sgr(_ s: CellStyle) -> String {
        var codes = ["0"]
        if s.attrs.contains(.bold) { codes.append("1") }
        if s.attrs.contains(.dim) { codes.append("2") }
        if s.attrs.contains(.underline) { codes.append("4") }
        if s.attrs.contains(.reverse) { codes.append("7") }
        if case .index(let i) = s.fg { codes.append("38;5;\(i)") }
        if case .index(let i) = s.bg { codes.append("48;5;\(i)") }
        return "\u{1B}[" + codes.joined(separator: ";") + "m"
    }
}
