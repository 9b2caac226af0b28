import ExplorerModel

/// Vertical bars of per-channel max |x| (the paper's Figure 1), pooled to the heatmap's columns, several
/// rows tall with eighth-block resolution.
package struct ProfileWidget: Widget {
    /// Per-column value (already pooled to the heatmap columns).
    package var columns: [Float]
    package var mapping: HeatMapping
    package var palette: Palette
    package var glyphs: Glyphs

    package init(columns: [Float], mapping: HeatMapping, palette: Palette, glyphs: Glyphs) {
        self.columns = columns
        self.mapping = mapping
        self.palette = palette
        self.glyphs = glyphs
    }

    package func draw(into grid: inout CellGrid, area: Rect) {
        Hop.here()
        grid.fill(area, with: Cell(" ", palette.text))
        guard area.height > 0 else { return }
        let levels = glyphs.bars.count - 1
        for x in 0..<min(area.width, columns.count) {
            let t = mapping.intensity(columns[x])
            // At least a sliver for any non-zero channel so small ones stay visible.
            var units = Int((t * Double(area.height * levels)).rounded())
            if units == 0 && columns[x] > 0 { units = 1 }
            for r in 0..<area.height {
                let y = area.maxY - 1 - r
                let fill = min(levels, max(0, units - r * levels))
                guard fill > 0 else { break }
                grid[area.x + x, y] = Cell(glyphs.bars[fill], palette.spark)
            }
        }
    }
}
