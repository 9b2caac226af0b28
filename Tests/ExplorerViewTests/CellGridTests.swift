import Testing
import TestSupport
@testable import ExplorerView
import ExplorerModel

@Suite struct CellGridTests {
    @Test func putClipsAndCleansText() {
        var g = CellGrid(size: Size(width: 6, height: 2))
        let n = g.put("ab\tc日e", at: Point(x: 1, y: 0))
        #expect(n == 5)
        #expect(g.line(0) == " ab?c?")
        g.put("xyz", at: Point(x: -1, y: 1))
        #expect(g.line(1) == "yz    ")
        g.put("beyond", at: Point(x: 0, y: 5))
        #expect(g.text == " ab?c?\nyz    \n")
    }

    @Test func fitPadsAndCutsWithEllipsis() {
        #expect(CellGrid.fit("abc", width: 5) == "abc  ")
        #expect(CellGrid.fit("abc", width: 5, align: .right) == "  abc")
        #expect(CellGrid.fit("abcdef", width: 4) == "abc…")
        #expect(CellGrid.fit("ab", width: 0) == "")
    }

    @Test func styleRunsRecordOnlyChanges() {
        var g = CellGrid(size: Size(width: 4, height: 2))
        let red = CellStyle(fg: .index(196))
        g.put("ab", at: Point(x: 1, y: 0), style: red)
        #expect(g.styleRuns == "0:0 fg=- bg=-\n0:1 fg=196 bg=-\n0:3 fg=- bg=-\n")
        #expect(g.snapshot.hasPrefix("size 4x2\n| ab |\n|    |\n--- styles\n"))
    }

    @Test func ansiTextUsesSGR256() {
        var g = CellGrid(size: Size(width: 2, height: 1))
        g.put("x", at: Point(x: 0, y: 0), style: CellStyle(fg: .index(196), bg: .index(16), attrs: [.bold]))
        #expect(g.ansiText == "\u{1B}[0;1;38;5;196;48;5;16mx\u{1B}[0m \u{1B}[0m\n")
    }
}
