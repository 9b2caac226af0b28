import DuQuantCore
import ExplorerModel
import Testing
@testable import ExplorerView

/// Each widget on its own, with a few hand-made values and a small grid (the `Widget` contract).
@Suite struct WidgetTests {
    static let palette = Palette(theme: try! ThemeLibrary.builtin()[0], mode: .xterm256)
    static let outside = Cell("x", .plain)

    /// A grid of `width`×`height` filled with `x`, drawn into at `area` by `widget`.
    static func draw(_ widget: some Widget, width: Int, height: Int, area: Rect) -> CellGrid {
        var grid = CellGrid(size: Size(width: width, height: height), fill: outside)
        widget.draw(into: &grid, area: area)
        return grid
    }

    /// Every cell outside `area` still holds the fill.
    static func untouchedOutside(_ grid: CellGrid, _ area: Rect) -> Bool {
        for y in 0..<grid.height {
            for x in 0..<grid.width where !area.contains(Point(x: x, y: y)) && grid[x, y] != outside { return false }
        }
        return true
    }

    // MARK: Sparkline

    @Test func sparklineScalesFromTheFloorAndNeverDrawsBlank() {
        let area = Rect(x: 1, y: 1, width: 5, height: 1)
        let g = Self.draw(Sparkline(values: [1, 5, 9], palette: Self.palette, glyphs: .ascii), width: 7, height: 3, area: area)
        // 1 is the floor (a sliver, not blank), 5 halfway (level 5 of 9), 9 the top; the rest of the row is cleared.
        #expect(g.lines(in: area) == [".+@  "])
        #expect(Self.untouchedOutside(g, area))
    }

    @Test func sparklineMaxPoolsToTheWidth() {
        let area = Rect(x: 0, y: 0, width: 2, height: 1)
        let g = Self.draw(Sparkline(values: [1, 9, 1, 1], palette: Self.palette, glyphs: .ascii), width: 2, height: 1, area: area)
        #expect(g.lines(in: area) == ["@."])
    }

    @Test func sparklineStylesTheKeptPrefixTheRestAndTheMarker() {
        let p = Self.palette
        let area = Rect(x: 0, y: 0, width: 4, height: 1)
        let g = Self.draw(Sparkline(values: [4, 3, 2, 1], kept: 1, marker: 3, palette: p, glyphs: .unicode), width: 4, height: 1, area: area)
        #expect(g[0, 0].style == p.kept && g[1, 0].style == p.kept)
        #expect(g[2, 0].style == p.dropped)
        #expect(g[3, 0].style == p.cursor.with(.reverse))
    }

    // MARK: Profile

    @Test func profileBarsHaveEighthResolutionAndASliverForSmallValues() {
        let area = Rect(x: 1, y: 0, width: 5, height: 2)
        let mapping = HeatMapping(maximum: 1, scale: .linear)
        let g = Self.draw(ProfileWidget(columns: [0, 0.1, 1, 0.5, 0.001], mapping: mapping, palette: Self.palette, glyphs: .ascii),
                          width: 7, height: 3, area: area)
        // Two rows of 9 levels: 0.1 → 2 levels, 1 → 18 (both rows full), 0.5 → 9 (the bottom row), 0.001 → a sliver.
        #expect(g.lines(in: area) == ["  @  ", " :@@."])
        #expect(Self.untouchedOutside(g, area))
    }

    // MARK: Table

    static let columns = [TableWidget.Column("name", width: 12, align: .left, priority: 10),
                          TableWidget.Column("a", width: 5, priority: 5), TableWidget.Column("b", width: 5, priority: 1)]
    static let rows = [[TableWidget.Item("one"), TableWidget.Item("1"), TableWidget.Item("10")],
                       [TableWidget.Item("two"), TableWidget.Item("2"), TableWidget.Item("20")],
                       [TableWidget.Item("three"), TableWidget.Item("3"), TableWidget.Item("30")]]

    @Test func tableDropsColumnsByPriorityAndStretchesTheFirst() {
        let wide = Self.draw(TableWidget(columns: Self.columns, rows: Self.rows, palette: Self.palette), width: 24, height: 3,
                             area: Rect(x: 0, y: 0, width: 24, height: 3))
        #expect(wide.lines(in: wide.bounds) == ["name             a     b",
                                                "one              1    10",
                                                "two              2    20"])
        // Narrower: `b` (lower priority) goes first and `name` takes what is left.
        let area = Rect(x: 1, y: 1, width: 20, height: 3)
        let narrow = Self.draw(TableWidget(columns: Self.columns, rows: Self.rows, palette: Self.palette), width: 22, height: 5, area: area)
        #expect(narrow.lines(in: area) == ["name               a",
                                           "one                1",
                                           "two                2"])
        #expect(Self.untouchedOutside(narrow, area))
    }

    @Test func tableScrollsSelectsAndKeepsTheRowBackgroundUnderAnItemStyle() {
        let p = Self.palette
        var rows = Self.rows
        rows[2][1] = TableWidget.Item("3", style: p.best)
        let area = Rect(x: 0, y: 0, width: 24, height: 3)
        let focused = Self.draw(TableWidget(columns: Self.columns, rows: rows, selected: 2, offset: 1, palette: p), width: 24, height: 3, area: area)
        #expect(focused.lines(in: area).dropFirst() == ["two              2    20", "three            3    30"])
        #expect(focused[0, 2].style == p.selected)
        #expect(focused[17, 2].style.fg == p.best.fg && focused[17, 2].style.bg == p.selected.bg)
        let unfocused = Self.draw(TableWidget(columns: Self.columns, rows: rows, selected: 2, offset: 1, palette: p, focused: false),
                                  width: 24, height: 3, area: area)
        #expect(unfocused[0, 2].style == p.selected.with(.dim))
        #expect(unfocused[0, 1].style == p.text)
    }

    @Test func expectedGridsCanBeWrittenAsLines() {
        let g = CellGrid(lines: ["ab", "c"])
        #expect(g.size == Size(width: 2, height: 2))
        #expect(g.lines(in: g.bounds) == ["ab", "c "])
    }
}
