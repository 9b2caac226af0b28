/// Text attributes of a cell.
package struct CellAttributes: OptionSet, Sendable, Hashable, CustomStringConvertible {
    package let rawValue: UInt8
    package init(rawValue: UInt8) { self.rawValue = rawValue }

    package static let bold = CellAttributes(rawValue: 1 << 0)
    package static let reverse = CellAttributes(rawValue: 1 << 1)
    package static let underline = CellAttributes(rawValue: 1 << 2)
    package static let dim = CellAttributes(rawValue: 1 << 3)

    package var description: String {
        var names: [String] = []
        if contains(.bold) { names.append("bold") }
        if contains(.reverse) { names.append("reverse") }
        if contains(.underline) { names.append("underline") }
        if contains(.dim) { names.append("dim") }
        return names.joined(separator: ",")
    }
}

/// Foreground, background and attributes: everything about a cell except its glyph.
package struct CellStyle: Sendable, Hashable, CustomStringConvertible {
    package var fg: Colour
    package var bg: Colour
    package var attrs: CellAttributes

    package init(fg: Colour = .terminalDefault, bg: Colour = .terminalDefault, attrs: CellAttributes = []) {
        self.fg = fg
        self.bg = bg
        self.attrs = attrs
    }

    package static let plain = CellStyle()

    /// The same style with `extra` attributes added.
    package func with(_ extra: CellAttributes) -> CellStyle {
        var s = self
        s.attrs.formUnion(extra)
        return s
    }

    package var description: String {
        var s = "fg=\(fg) bg=\(bg)"
        if !attrs.isEmpty { s += " " + attrs.description }
        return s
    }
}

/// One terminal cell: a single-width glyph, an optional combining mark over it (the tilde of `X̃`) and
/// its style.
package struct Cell: Sendable, Hashable {
    package var glyph: Unicode.Scalar
    /// A combining mark drawn over `glyph` in the same column, or nil.
    package var mark: Unicode.Scalar?
    package var style: CellStyle

    package init(_ glyph: Unicode.Scalar = " ", _ style: CellStyle = .plain, mark: Unicode.Scalar? = nil) {
        self.glyph = glyph
        self.mark = mark
        self.style = style
    }

    /// The glyph and its mark, as a terminal prints them.
    package var scalars: [Unicode.Scalar] { mark.map { [glyph, $0] } ?? [glyph] }

    package static let blank = Cell()
}
