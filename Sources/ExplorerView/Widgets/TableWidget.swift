import ExplorerModel

/// A table with a header row, fixed-width columns that are dropped by priority when space runs out, and
/// a selected row.
///
/// The first column stretches to the space left over.
package struct TableWidget: Widget {
    package struct Column: Sendable {
        package var title: String
        package var width: Int
        package var align: CellGrid.Alignment
        /// Higher stays longer when the table is narrow; the first column is always kept.
        package var priority: Int

        package init(_ title: String, width: Int, align: CellGrid.Alignment = .right, priority: Int = 0) {
            self.title = title
            self.width = width
            self.align = align
            self.priority = priority
        }
    }

    /// One cell's text and, optionally, a style instead of the row's.
    package struct Item: Sendable {
        package var text: String
        package var style: CellStyle?

        package init(_ text: String, style: CellStyle? = nil) {
            self.text = text
            self.style = style
        }
    }

    package var columns: [Column]
    package var rows: [[Item]]
    package var selected: Int?
    /// First row shown (scrolling); the caller keeps the selection visible.
    package var offset: Int
    package var showHeader: Bool
    package var palette: Palette
    /// Whether the table has the keyboard: its selected row is drawn dimmed when not.
    package var focused: Bool

    package init(columns: [Column], rows: [[Item]], selected: Int? = nil, offset: Int = 0, showHeader: Bool = true,
                palette: Palette, focused: Bool = true) {
        self.columns = columns
        self.rows = rows
        self.selected = selected
        self.offset = offset
        self.showHeader = showHeader
        self.palette = palette
        self.focused = focused
    }

    /// Indices of the columns that fit in `width` (first column at least 12 wide), in display order.
    package func visibleColumns(width: Int) -> [Int] {
        guard !columns.isEmpty else { return [] }
        var chosen: Set<Int> = [0]
        var used = min(columns[0].width, 12)
        // Strictly by priority: a column that does not fit stops the rest, so a narrow table keeps the
        // important figures rather than whatever small column happens to fit.
        let order = columns.indices.dropFirst().sorted { columns[$0].priority > columns[$1].priority }
        for i in order {
            guard used + 1 + columns[i].width <= width else { break }
            chosen.insert(i)
            used += 1 + columns[i].width
        }
        return chosen.sorted()
    }

    package func draw(into grid: inout CellGrid, area: Rect) {
        Hop.here()
        grid.fill(area, with: Cell(" ", palette.text))
        let visible = visibleColumns(width: area.width)
        let fixed = visible.dropFirst().reduce(0) { $0 + 1 + columns[$1].width }
        let firstWidth = max(1, area.width - fixed)
        var y = area.y
        func drawRow(_ texts: [Item], style: CellStyle) {
            var x = area.x
            for (k, i) in visible.enumerated() {
                let w = k == 0 ? firstWidth : columns[i].width
                if k > 0 {
                    grid.put(" ", at: Point(x: x, y: y), style: style)
                    x += 1
                }
                let item = i < texts.count ? texts[i] : Item("")
                var s = item.style ?? style
                if item.style != nil { s.bg = style.bg; s.attrs.formUnion(style.attrs) }
                grid.put(CellGrid.fit(item.text, width: w, align: k == 0 ? .left : columns[i].align),
                         at: Point(x: x, y: y), style: s, maxWidth: w)
                x += w
            }
        }
        if showHeader && area.height > 0 {
            drawRow(columns.map { Item($0.title) }, style: palette.header)
            y += 1
        }
        var r = offset
        while y < area.maxY && r < rows.count {
            var style = palette.text
            if r == selected { style = focused ? palette.selected : palette.selected.with(.dim) }
            drawRow(rows[r], style: style)
            y += 1
            r += 1
        }
    }
}
