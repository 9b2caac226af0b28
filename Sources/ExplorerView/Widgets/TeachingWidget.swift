import DuQuantCore
import ExplorerModel
import Foundation

/// The teaching view of a small matrix: every value printed in a magnified cell (coloured by the heat
/// scale), a rule between blocks, global channel numbers above, the permutation's old → new mapping
/// below, then the caption of what the stage did and, where there is room, the sample's explanation.
package struct TeachingWidget {
    package var grid: TeachingGrid
    package var matrix: Matrix
    package var mapping: HeatMapping
    package var palette: Palette
    package var glyphs: Glyphs
    /// The cursor (token, channel), if shown.
    package var cursor: (token: Int, channel: Int)?
    /// The mapping row: its label and one number per channel (nil: no row).
    package var mappingRow: (label: String, values: [Int])?
    package var caption: [String]
    package var explanation: String?

    package init(grid: TeachingGrid, matrix: Matrix, mapping: HeatMapping, palette: Palette, glyphs: Glyphs,
                cursor: (token: Int, channel: Int)?, mappingRow: (label: String, values: [Int])?,
                caption: [String], explanation: String?) {
        self.grid = grid
        self.matrix = matrix
        self.mapping = mapping
        self.palette = palette
        self.glyphs = glyphs
        self.cursor = cursor
        self.mappingRow = mappingRow
        self.caption = caption
        self.explanation = explanation
    }

    package func draw(into out: inout CellGrid, area: Rect) {
        Hop.here()
        out.fill(area, with: Cell(" ", palette.text))
        let g = grid
        let valueWidth = g.cellWidth - 1
        var y = area.y
        // Header: global channel numbers, right-aligned over their values.
        out.put(CellGrid.fit("ch", width: g.labelWidth), at: Point(x: area.x, y: y), style: palette.dim)
        for c in g.channels {
            out.put(CellGrid.fit(String(c), width: valueWidth, align: .right), at: Point(x: area.x + g.x(ofChannel: c), y: y),
                    style: palette.header)
        }
        rules(&out, area: area, y: y)
        y += 1
        for t in g.tokens where t < matrix.rows {
            out.put(CellGrid.fit(String(t), width: g.labelWidth - 1, align: .right), at: Point(x: area.x, y: y), style: palette.dim)
            for c in g.channels where c < matrix.cols {
                let v = matrix[t, c]
                let x = area.x + g.x(ofChannel: c)
                let style = cellStyle(mapping.intensity(v), cursor: cursor.map { $0.token == t && $0.channel == c } ?? false)
                out.put(CellGrid.fit(TeachingWidget.number(v, width: valueWidth), width: valueWidth, align: .right),
                        at: Point(x: x, y: y), style: style)
            }
            rules(&out, area: area, y: y)
            y += 1
        }
        if let row = mappingRow {
            out.put(CellGrid.fit(row.label, width: g.labelWidth), at: Point(x: area.x, y: y), style: palette.accent)
            for (i, c) in g.channels.enumerated() where i < row.values.count {
                out.put(CellGrid.fit(String(row.values[i]), width: valueWidth, align: .right),
                        at: Point(x: area.x + g.x(ofChannel: c), y: y), style: palette.accent)
            }
            rules(&out, area: area, y: y)
        }
        y += 1
        for line in caption.prefix(2) where y < area.maxY {
            out.putLine(line, in: Rect(x: area.x, y: y, width: area.width, height: 1), style: palette.text)
            y += 1
        }
        if let explanation, y + 3 <= area.maxY {
            y += 1
            var lines = HelpText.wrap(explanation, width: area.width)
            let room = area.maxY - y
            if lines.count > room {
                // The rest is in the help (`?`).
                lines = Array(lines.prefix(room))
                lines[room - 1] = CellGrid.fit(lines[room - 1], width: area.width - 14) + " (? for more)"
            }
            for line in lines {
                out.putLine(line, in: Rect(x: area.x, y: y, width: area.width, height: 1), style: palette.dim)
                y += 1
            }
        }
    }

    /// The block rules in row `y`.
    func rules(_ out: inout CellGrid, area: Rect, y: Int) {
        for c in grid.channels where grid.ruleBefore(c) {
            out[area.x + grid.x(ofChannel: c) - 1, y] = Cell(glyphs.vertical, palette.border)
        }
    }

    /// The heat colour behind a value, with text that stays readable on it; the cursor is reversed.
    func cellStyle(_ t: Double, cursor: Bool) -> CellStyle {
        var style = palette.text
        if !palette.asciiHeat {
            style.bg = palette.heat(t)
            if t >= 0.5 { style.fg = palette.background == .terminalDefault ? .index(16) : palette.background }
        }
        if cursor { style.attrs = [.reverse, .bold] }
        return style
    }

    /// `v` in at most `width` characters, with as many decimals as fit (`16.64`, `16.6`, `17`, `.52`).
    package static func number(_ v: Float, width: Int) -> String {
        if v.isNaN { return "nan" }
        if v == 0 { return "0" }
        for decimals in stride(from: 2, through: 0, by: -1) {
            var s = String(format: "%.\(decimals)f", Double(v))
            if s.count > width, s.hasPrefix("0.") { s.removeFirst() }
            if s.count > width, s.hasPrefix("-0.") { s.remove(at: s.index(after: s.startIndex)) }
            if s.count <= width, Float(s) != 0 { return s }
            // Rounds to zero at every precision that fits: `0`, never `-0`.
            if decimals == 0, s.count <= width { return "0" }
        }
        // Too large for the cell (the teaching grid makes cells wide enough for the values it shows, so only a
        // caller with a narrower cell gets here): a mantissa digit and the exponent (`3e3`, `-2e4`).
        let exponent = Int(log10(Double(abs(v))).rounded(.down))
        let mantissa = Int((Double(v) / pow(10, Double(exponent))).rounded())
        let e = "\(mantissa)e\(exponent)"
        return e.count <= width ? e : String(repeating: "#", count: max(1, width))
    }
}
