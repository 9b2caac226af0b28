import ExplorerModel

/// What every widget is: a value built from precomputed data and the palette and glyphs to draw with, that
/// draws itself into a rectangle of a ``CellGrid`` and nowhere else.
///
/// A widget computes nothing the app already knows (statistics, pooled bins, figures come in with it) and
/// keeps no state between frames, so it can be tested with a few hand-made values and a small grid:
///
/// ```swift
/// var grid = CellGrid(size: Size(width: 8, height: 1))
/// Sparkline(values: [1, 2, 3], palette: p, glyphs: .ascii).draw(into: &grid, area: grid.bounds)
/// #expect(grid == CellGrid(lines: ["...     "]))   // glyphs only; see `CellGrid(lines:)`
/// ```
package protocol Widget {
    /// Draws into `area` of `grid` (clipped to the grid); cells outside `area` are left as they were.
    func draw(into grid: inout CellGrid, area: Rect)
}

extension CellGrid {
    /// A grid holding `lines` (one row each, padded with blanks to the longest), in `style`: the expected
    /// side of a widget test.
    package init(lines: [String], style: CellStyle = .plain) {
        let width = lines.map { CellGrid.columns($0) }.max() ?? 0
        self.init(size: Size(width: width, height: lines.count))
        for (y, line) in lines.enumerated() { put(line, at: Point(x: 0, y: y), style: style) }
    }

    /// The glyphs of `area`, one string per row (for comparing a widget's drawing without its styles).
    package func lines(in area: Rect) -> [String] {
        (area.y..<area.maxY).map { y in
            var s = ""
            for x in area.x..<area.maxX { s.unicodeScalars.append(self[x, y].glyph) }
            return s
        }
    }
}

extension HeatmapWidget: Widget {}
extension HeatLegend: Widget {}
extension TeachingWidget: Widget {}
