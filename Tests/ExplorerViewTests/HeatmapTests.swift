import DuQuantCore
import Testing
import TestSupport
@testable import ExplorerView
import ExplorerModel

@Suite struct HeatmapTests {
    /// 16 tokens × 64 channels of small values with one outlier.
    static func matrix(outlierAt t: Int = 5, _ c: Int = 37) -> Matrix {
        var m = Matrix(rows: 16, cols: 64)
        for r in 0..<16 { for k in 0..<64 { m[r, k] = Float((r * 7 + k * 3) % 11) / 100 - 0.05 } }
        m[t, c] = -50
        return m
    }

    @Test func poolingByMaxKeepsASingleOutlier() {
        let m = Self.matrix()
        let pool = HeatPool(matrix: m, view: HeatView(tokens: 16, channels: 64), columns: 8, rows: 4)
        #expect(pool.columns == 8 && pool.rows == 4)
        #expect(pool[1, 4] == 50)  // token 5 → row 1, channel 37 → column 4
        #expect(pool.values.filter { $0 == 50 }.count == 1)
        #expect(pool.channelBins[4] == 32..<40)
        #expect(pool.row(ofToken: 5) == 1)
    }

    @Test func zoomedPoolCoversOnlyTheViewport() {
        var v = HeatView(tokens: 16, channels: 64)
        v.cursorToken = 5; v.cursorChannel = 37
        v.applyZoom(2, tokens: 16, channels: 64)
        #expect(v.tokenSpan == 4 && v.channelSpan == 16)
        #expect((v.tokenStart..<(v.tokenStart + v.tokenSpan)).contains(5))
        let pool = HeatPool(matrix: Self.matrix(), view: v, columns: 32, rows: 8)
        #expect(pool.columns == 16 && pool.rows == 4)
        #expect(pool.values.max() == 50)
    }

    @Test func logScaleShowsSmallValues() {
        let lin = HeatMapping(maximum: 50, scale: .linear)
        let log = HeatMapping(maximum: 50, scale: .log)
        #expect(lin.intensity(0.05) < 0.01)
        #expect(log.intensity(0.05) > 0.2)
        #expect(log.intensity(50) == 1)
        #expect(log.intensity(0) == 0)
    }

    @Test func heatmapSnapshotsInColourAndASCII() throws {
        let theme = try ThemeLibrary.builtin()[0]
        for (name, mode, glyphs) in [("heatmap-colour", ColourMode.xterm256, Glyphs.unicode),
                                     ("heatmap-ascii", .mono, Glyphs.ascii)] {
            let palette = Palette(theme: theme, mode: mode)
            let rows = 4 * HeatmapWidget.rowsPerCell(palette)
            let pool = HeatPool(matrix: Self.matrix(), view: HeatView(tokens: 16, channels: 64), columns: 16, rows: rows)
            var g = CellGrid(size: Size(width: 20, height: 6))
            let mapping = HeatMapping(maximum: 50, scale: .log)
            HeatmapWidget(pool: pool, mapping: mapping, palette: palette, glyphs: glyphs, cursor: (0, 0))
                .draw(into: &g, area: Rect(x: 0, y: 0, width: 16, height: 4))
            HeatLegend(mapping: mapping, palette: palette, glyphs: glyphs).draw(into: &g, area: Rect(x: 0, y: 5, width: 20, height: 1))
            #expect(Snapshot.mismatch(g.snapshot, named: name) == nil)
        }
    }
}
