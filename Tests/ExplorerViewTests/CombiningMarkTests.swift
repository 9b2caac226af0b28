import ExplorerModel
@testable import ExplorerView
import Testing

/// Combining marks stay over their glyph: the tilde of `X̃` is half of what the help says.
@Suite struct CombiningMarkTests {
    @Test func aMarkGoesOverTheGlyphBeforeItInTheSameColumn() {
        var g = CellGrid(size: Size(width: 8, height: 1))
        let n = g.put("(X̃, W̃)", at: Point(x: 0, y: 0))
        #expect(n == 6)
        #expect(g[1, 0].glyph == "X" && g[1, 0].mark == "\u{303}")
        #expect(g[4, 0].glyph == "W" && g[4, 0].mark == "\u{303}")
        #expect(g.line(0) == "(X̃, W̃)  ")
        // A mark with no glyph of its own text before it, and a second mark, are dropped.
        var h = CellGrid(size: Size(width: 4, height: 1))
        h.put("\u{303}a\u{303}\u{301}", at: Point(x: 1, y: 0))
        #expect(h[0, 0].mark == nil && h[1, 0].glyph == "a" && h[1, 0].mark == "\u{303}")
        #expect(CellGrid.columns("X̃") == 1)
        #expect(CellGrid.fit("X̃W̃Q", width: 2) == "X̃…")
        #expect(CellGrid.fit("X̃", width: 3, align: .right) == "  X̃")
        // --ascii drops them with the other non-ASCII glyphs.
        g.transliterate { $0.isASCII ? $0 : "?" }
        #expect(g.line(0) == "(X, W)  ")
    }

    // Regression (issue 25): the help read "(X, W)" and "‖XWᵀ − Q(X)Q(W)ᵀ‖" where its text says X̃, W̃.
    @Test func theHelpKeepsTheTildes() {
        var f = ScreenFixture(size: Size(width: 120, height: 40))
        f.press("?")
        var seen = false
        for scroll in stride(from: 0, through: 400, by: 10) {
            f.state.overlays.scroll = scroll
            let text = f.render().text
            if text.contains("transformed space") {
                #expect(text.contains("(X̃, W̃)"), "\(text)")
                seen = true
                break
            }
        }
        #expect(seen, "the help's methods section was not found")
    }
}
