import DuQuantCore
import ExplorerModel

/// Draws a pooled heatmap: two data rows per text row with `▀` (fg = top, bg = bottom) in colour, one
/// row per text row with the ASCII ramp otherwise.
package struct HeatmapWidget {
    package var pool: HeatPool
    package var mapping: HeatMapping
    package var palette: Palette
    package var glyphs: Glyphs
    /// The cell under the cursor (token, channel) to mark, if any.
    package var cursor: (token: Int, channel: Int)?

    /// Data rows drawn per text row for this palette.
    package static func rowsPerCell(_ palette: Palette) -> Int { palette.asciiHeat ? 1 : 2 }

    package init(pool: HeatPool, mapping: HeatMapping, palette: Palette, glyphs: Glyphs,
                cursor: (token: Int, channel: Int)? = nil) {
        self.pool = pool
        self.mapping = mapping
        self.palette = palette
        self.glyphs = glyphs
        self.cursor = cursor
    }

    package func draw(into grid: inout CellGrid, area: Rect) {
        Hop.here()
        grid.fill(area, with: Cell(" ", palette.text))
        let perCell = HeatmapWidget.rowsPerCell(palette)
        let cursorRow = cursor.flatMap { pool.row(ofToken: $0.token) }
        let cursorCol = cursor.flatMap { pool.column(ofChannel: $0.channel) }
        for ty in 0..<min(area.height, (pool.rows + perCell - 1) / perCell) {
            for x in 0..<min(area.width, pool.columns) {
                let top = ty * perCell
                var cell: Cell
                if perCell == 2 {
                    let fg = palette.heat(mapping.intensity(pool[top, x]))
                    let bg = top + 1 < pool.rows ? palette.heat(mapping.intensity(pool[top + 1, x])) : palette.background
                    cell = Cell(glyphs.upperHalf, CellStyle(fg: fg, bg: bg))
                } else {
                    cell = Cell(glyphs.rampGlyph(mapping.intensity(pool[top, x])), palette.text)
                }
                if let cr = cursorRow, let cc = cursorCol, cc == x, cr / perCell == ty {
                    if perCell == 2 {
                        let under = cell.style.fg
                        cell = Cell(glyphs.cursor, CellStyle(fg: palette.cursor.fg, bg: cr == top ? under : cell.style.bg,
                                                             attrs: [.bold]))
                    } else {
                        cell = Cell(glyphs.cursor, palette.text.with(.reverse))
                    }
                }
                grid[area.x + x, area.y + ty] = cell
            }
        }
    }
}

/// The legend: ramp samples between the two end values and the scale name, in one row.
package struct HeatLegend {
    package var mapping: HeatMapping
    package var palette: Palette
    package var glyphs: Glyphs
    /// True when the scale was chosen for the layer (log on massive outliers) rather than by `L`.
    package var automatic: Bool

    package init(mapping: HeatMapping, palette: Palette, glyphs: Glyphs, automatic: Bool = false) {
        self.mapping = mapping
        self.palette = palette
        self.glyphs = glyphs
        self.automatic = automatic
    }

    package func draw(into grid: inout CellGrid, area: Rect) {
        Hop.here()
        guard !area.isEmpty else { return }
        grid.fill(area.row(0), with: Cell(" ", palette.text))
        // The log scale's floor and where it comes from: `p10`, the 10th percentile of |x| (below it: black).
        let low = mapping.scale == .log ? "≤" + Format.num(mapping.floor) + (mapping.floorIsPercentile ? " p10" : "") : "0"
        let high = Format.num(mapping.maximum)
        // The legend says which scale is on, and when it was chosen for the layer, how to change it.
        let tail = " \(high) |x| \(mapping.scale.rawValue)" + (automatic ? " (auto; L: linear)" : "")
        let rampWidth = max(4, min(24, area.width - CellGrid.columns(low) - CellGrid.columns(tail) - 2))
        var x = area.x
        x += grid.put(low + " ", at: Point(x: x, y: area.y), style: palette.dim, maxWidth: area.maxX - x)
        for i in 0..<rampWidth where x < area.maxX {
            let t = Double(i) / Double(max(1, rampWidth - 1))
            if palette.asciiHeat {
                grid[x, area.y] = Cell(glyphs.rampGlyph(t), palette.text)
            } else {
                grid[x, area.y] = Cell(" ", CellStyle(fg: palette.text.fg, bg: palette.heat(t)))
            }
            x += 1
        }
        grid.put(tail, at: Point(x: x, y: area.y), style: palette.dim, maxWidth: area.maxX - x)
    }
}
