import DuQuantCore
import ExplorerModel
import Testing
@testable import ExplorerView

/// The teaching widget on hand-made data: a 2 × 4 matrix in blocks of 2, drawn into 30 columns, compared
/// with the expected rows written out by hand (not with the widget's own formatter).
@Suite struct TeachingWidgetTests {
    static let palette = Palette(theme: try! ThemeLibrary.builtin()[0], mode: .xterm256)

    static func matrix() -> Matrix {
        var m = Matrix(rows: 2, cols: 4)
        let values: [Float] = [1.5, -0.25, 16.64, 0, 120, 0.52, -3, 12345]
        for (i, v) in values.enumerated() { m.storage[i] = v }
        return m
    }

    static func draw(height: Int, mapping: (label: String, values: [Int])?, explanation: String? = nil,
                     cursor: (token: Int, channel: Int)? = nil) throws -> CellGrid {
        let area = Rect(x: 0, y: 0, width: 30, height: height)
        let grid = try #require(TeachingGrid(tokens: 0..<2, channels: 0..<4, block: 2, area: area))
        #expect(grid.labelWidth == 5 && grid.cellWidth == 6)
        var out = CellGrid(size: Size(width: 30, height: height))
        TeachingWidget(grid: grid, matrix: matrix(), mapping: HeatMapping(maximum: 120, scale: .linear), palette: palette,
                       glyphs: .ascii, cursor: cursor, mappingRow: mapping, caption: ["caption one", "caption two"],
                       explanation: explanation)
            .draw(into: &out, area: area)
        return out
    }

    @Test func valuesHeaderRulesMappingAndCaption() throws {
        let out = try Self.draw(height: 7, mapping: ("from", [2, 0, 3, 1]))
        #expect(out.lines(in: out.bounds) == [
            "ch       0     1 |    2     3 ",
            "   0  1.50 -0.25 |16.64     0 ",
            "   1 120.0  0.52 |-3.00 12345 ",
            "from     2     0 |    3     1 ",
            "caption one                   ",
            "caption two                   ",
            "                              ",
        ])
    }

    @Test func withoutAMappingRowItsLineStaysBlank() throws {
        let out = try Self.draw(height: 6, mapping: nil)
        #expect(out.line(3).trimmingCharacters(in: .whitespaces).isEmpty)
        #expect(out.line(4).hasPrefix("caption one"))
    }

    @Test func cellsAreColouredByTheirValueAndTheCursorIsReversed() throws {
        let out = try Self.draw(height: 7, mapping: nil, cursor: (1, 3))
        // 120 is the maximum: the hottest colour; 0 the coldest.
        #expect(out[5, 2].style.bg == Self.palette.heat(1))
        #expect(out[24, 1].style.bg == Self.palette.heat(0))
        // The cursor's cell (token 1, channel 3 at columns 24–28, row 2), and only it.
        for x in 0..<30 {
            for y in 1...2 {
                let reversed = out[x, y].style.attrs.contains(.reverse)
                #expect(reversed == (y == 2 && (24...28).contains(x)), "(\(x), \(y))")
            }
        }
    }

    @Test func aLongExplanationIsCutWithAPointerToTheHelp() throws {
        let text = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau"
        let out = try Self.draw(height: 10, mapping: nil, explanation: text)
        #expect(out.line(6).trimmingCharacters(in: .whitespaces).isEmpty)
        #expect(out.line(7) == "alpha beta gamma delta epsilon")
        #expect(out.line(8) == "zeta eta theta iota kappa     ")
        #expect(out.line(9).hasPrefix("lambda mu nu") && out.line(9).trimmingCharacters(in: .whitespaces).hasSuffix("(? for more)"))
    }
}
