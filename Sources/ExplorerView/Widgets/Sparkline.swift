import ExplorerModel

/// A one-row sparkline, max-pooled to the width, optionally split into a kept prefix and the rest.
///
/// ```swift
/// Sparkline(values: peaks, kept: 12, palette: p, glyphs: .unicode).draw(into: &grid, area: row)
/// ```
package struct Sparkline: Widget {
    package var values: [Float]
    /// Values with index ≤ `kept` are drawn in the kept style, the rest dropped; nil draws all alike.
    package var kept: Int?
    /// Index to mark (current step), if any.
    package var marker: Int?
    /// Lower end of the scale; defaults to the smallest value so a falling trajectory fills the row.
    package var floor: Float?
    package var palette: Palette
    package var glyphs: Glyphs

    package init(values: [Float], kept: Int? = nil, marker: Int? = nil, floor: Float? = nil, palette: Palette, glyphs: Glyphs) {
        self.values = values
        self.kept = kept
        self.marker = marker
        self.floor = floor
        self.palette = palette
        self.glyphs = glyphs
    }

    package func draw(into grid: inout CellGrid, area: Rect) {
        Hop.here()
        guard !area.isEmpty else { return }
        grid.fill(area.row(0), with: Cell(" ", palette.text))
        guard !values.isEmpty else { return }
        let finite = values.filter { $0.isFinite }
        let hi = finite.max() ?? 1
        let lo = floor ?? (finite.min() ?? 0)
        let n = min(area.width, values.count)
        for x in 0..<n {
            let bin = HeatView.bin(x, of: n, start: 0, count: values.count)
            let v = values[bin].filter { $0.isFinite }.max() ?? lo
            let t = hi > lo ? Double((v - lo) / (hi - lo)) : 1
            // Never blank: the lowest value still shows a sliver.
            let glyph = glyphs.bar(max(t, 1.0 / Double(glyphs.bars.count - 1)))
            var style = palette.spark
            if let kept { style = bin.lowerBound <= kept ? palette.kept : palette.dropped }
            if let marker, bin.contains(marker) { style = palette.cursor.with(.reverse) }
            grid[area.x + x, area.y] = Cell(glyph, style)
        }
    }
}
