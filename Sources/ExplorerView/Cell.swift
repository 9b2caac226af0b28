/// Text attributes of a cell.
public struct CellAttributes: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = CellAttributes(rawValue: 1 << 0)
    public static let reverse = CellAttributes(rawValue: 1 << 1)
    public static let underline = CellAttributes(rawValue: 1 << 2)
    public static let dim = CellAttributes(rawValue: 1 << 3)

    public var description: String {
        var names: [String] = []
        if contains(.bold) { names.append("bold") }
        if contains(.reverse) { names.append("reverse") }
        if contains(.underline) { names.append("underline") }
        if contains(.dim) { names.append("dim") }
        return names.joined(separator: ",")
    }
}

/// Foreground, background and attributes: everything about a cell except its glyph.
public struct CellStyle: Sendable, Hashable, CustomStringConvertible {
    public var fg: Colour
    public var bg: Colour
    public var attrs: CellAttributes

    public init(fg: Colour = .terminalDefault, bg: Colour = .terminalDefault, attrs: CellAttributes = []) {
        self.fg = fg
        self.bg = bg
        self.attrs = attrs
    }

    public static let plain = CellStyle()

    /// The same style with `extra` attributes added.
    public func with(_ extra: CellAttributes) -> CellStyle {
        var s = self
        s.attrs.formUnion(extra)
        return s
    }

    public var description: String {
        var s = "fg=\(fg) bg=\(bg)"
        if !attrs.isEmpty { s += " " + attrs.description }
        return s
    }
}

/// One terminal cell: a single-width glyph and its style.
public struct Cell: Sendable, Hashable {
    public var glyph: Unicode.Scalar
    public var style: CellStyle

    public init(_ glyph: Unicode.Scalar = " ", _ style: CellStyle = .plain) {
        self.glyph = glyph
        self.style = style
    }

    public static let blank = Cell()
}
