import ExplorerModel

/// A screen as a value: width × height cells that widgets draw into and backends blit.
///
/// Every glyph occupies exactly one column; text is cleaned on the way in (see ``CellGrid/put(_:at:style:maxWidth:)``)
/// so the grid, its snapshots and the terminal always agree on positions.
///
/// ```swift
/// var grid = CellGrid(size: Size(width: 10, height: 2))
/// grid.put("hello", at: Point(x: 0, y: 0))
/// ```
package struct CellGrid: Sendable, Equatable {
    package let size: Size
    package private(set) var cells: [Cell]

    package init(size: Size, fill: Cell = .blank) {
        self.size = Size(width: max(0, size.width), height: max(0, size.height))
        self.cells = [Cell](repeating: fill, count: self.size.width * self.size.height)
    }

    package var width: Int { size.width }
    package var height: Int { size.height }
    package var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// The cell at column `x`, row `y`; writes outside the grid are ignored, reads return a blank.
    package subscript(x: Int, y: Int) -> Cell {
        get {
            guard x >= 0, y >= 0, x < width, y < height else { return .blank }
            return cells[y * width + x]
        }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            cells[y * width + x] = newValue
        }
    }

    /// Fills `rect` (clipped to the grid) with `cell`.
    package mutating func fill(_ rect: Rect, with cell: Cell) {
        let x0 = max(0, rect.x), x1 = min(width, rect.maxX)
        let y0 = max(0, rect.y), y1 = min(height, rect.maxY)
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 {
            for x in x0..<x1 { cells[y * width + x] = cell }
        }
    }

    /// Restyles `rect` keeping the glyphs.
    package mutating func style(_ rect: Rect, _ transform: (inout CellStyle) -> Void) {
        let x0 = max(0, rect.x), x1 = min(width, rect.maxX)
        let y0 = max(0, rect.y), y1 = min(height, rect.maxY)
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 {
            for x in x0..<x1 { transform(&cells[y * width + x].style) }
        }
    }

    /// Replaces every glyph with `map(glyph)` and drops the combining marks (for `--ascii`).
    package mutating func transliterate(_ map: (Unicode.Scalar) -> Unicode.Scalar) {
        for i in cells.indices {
            cells[i].glyph = map(cells[i].glyph)
            cells[i].mark = nil
        }
    }

    /// Writes `text` starting at `point`, at most `maxWidth` columns (and never past the grid edge).
    ///
    /// Control characters and wide characters become `?`; a combining mark (the tilde of `X̃`) goes over the
    /// glyph written just before it, in the same column (one mark per glyph; others are dropped), and other
    /// zero-width scalars are dropped, so every kept glyph is one column. Returns the number of columns written.
    @discardableResult
    package mutating func put(_ text: String, at point: Point, style: CellStyle = .plain, maxWidth: Int = .max) -> Int {
        guard point.y >= 0, point.y < height else { return 0 }
        var x = point.x
        let (sum, overflow) = point.x.addingReportingOverflow(max(0, maxWidth))
        let limit = overflow ? width : min(width, sum)
        for scalar in text.unicodeScalars {
            if CellGrid.isCombiningMark(scalar) {
                let last = x - 1
                if last >= max(0, point.x), last < width, cells[point.y * width + last].mark == nil {
                    cells[point.y * width + last].mark = scalar
                }
                continue
            }
            guard x < limit else { break }
            guard let g = CellGrid.displayable(scalar) else { continue }
            if x >= 0 { cells[point.y * width + x] = Cell(g, style) }
            x += 1
        }
        return x - point.x
    }

    /// Combining diacritical marks (U+0300–036F, their supplement and extended blocks, those for symbols,
    /// half marks): drawn over the glyph before them.
    package static func isCombiningMark(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return (0x300...0x36F).contains(v) || (0x1AB0...0x1AFF).contains(v) || (0x1DC0...0x1DFF).contains(v)
            || (0x20D0...0x20FF).contains(v) || (0xFE20...0xFE2F).contains(v)
    }

    /// Writes `text` inside `rect`'s first row, padded with spaces or cut with `…` to exactly its width.
    package mutating func putLine(_ text: String, in rect: Rect, style: CellStyle = .plain, align: Alignment = .left) {
        guard !rect.isEmpty else { return }
        let fitted = CellGrid.fit(text, width: rect.width, align: align)
        put(fitted, at: Point(x: rect.x, y: rect.y), style: style, maxWidth: rect.width)
    }

    /// Text alignment within a field.
    package enum Alignment: Sendable { case left, right, center }

    /// `text` padded or cut (with a trailing `…`) to exactly `width` columns.
    package static func fit(_ text: String, width: Int, align: Alignment = .left) -> String {
        guard width > 0 else { return "" }
        // Each column: a displayable glyph with the combining marks that follow it.
        var glyphs: [[Unicode.Scalar]] = []
        for scalar in text.unicodeScalars {
            if isCombiningMark(scalar) {
                if !glyphs.isEmpty { glyphs[glyphs.count - 1].append(scalar) }
            } else if let g = displayable(scalar) {
                glyphs.append([g])
            }
        }
        func joined(_ gs: ArraySlice<[Unicode.Scalar]>) -> String { String(String.UnicodeScalarView(gs.joined())) }
        if glyphs.count > width {
            var cut = joined(glyphs.prefix(width - 1))
            cut.append("…")
            return cut
        }
        let s = joined(glyphs[...])
        let pad = width - glyphs.count
        switch align {
        case .left: return s + String(repeating: " ", count: pad)
        case .right: return String(repeating: " ", count: pad) + s
        case .center:
            return String(repeating: " ", count: pad / 2) + s + String(repeating: " ", count: pad - pad / 2)
        }
    }

    /// Display width of `text` after cleaning (one column per kept scalar).
    package static func columns(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + (displayable($1) == nil ? 0 : 1) }
    }

    /// The scalar as it will be shown in one column, `?` for unshowable ones, nil for zero-width ones.
    package static func displayable(_ s: Unicode.Scalar) -> Unicode.Scalar? {
        let v = s.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return "?" }
        // Line separators and bidirectional overrides would reorder or break the drawn row.
        if v == 0x2028 || v == 0x2029 || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) { return "?" }
        if isCombiningMark(s) || (0x200B...0x200F).contains(v) || v == 0xFE0F { return nil }
        if v < 0x1100 { return s }
        let wide: [ClosedRange<UInt32>] = [
            0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F,
            0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1FAFF, 0x20000...0x3FFFD,
        ]
        return wide.contains { $0.contains(v) } ? "?" : s
    }
}
