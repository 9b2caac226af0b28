import DuQuantCore
import ExplorerModel
import Foundation
import Testing
import TestSupport
@testable import ExplorerView

/// Issue 14 on screen: the teaching view of a small matrix, the inspect line's bin maximum, the cursor
/// glyph, the legend's scale, the header hint, the help box and the theme notice.
@Suite struct TeachingViewTests {
    /// One small layer (8 tokens × 16 channels, blocks of 4) from the toy fixture: the teaching view fits at 120×40.
    static func small(size: Size = Size(width: 120, height: 40), mode: ColourMode = .xterm256, channels: Int = 16) -> ScreenFixture {
        let fixture = EvaluationFixture.toy(channels: channels)
        var state = AppState(files: fixture.files, layers: fixture.entries, themes: ScreenThemes.choices)
        state.display.size = size
        state.display.colourMode = mode
        state.shared.params.block = 4
        state.shared.params.steps = 2
        state.shared.explanations[0] = "A toy: two outlier channels share block 0 until the zigzag deals them out."
        var f = ScreenFixture(fixture: fixture, state: state)
        f.start()
        f.state.shared.layers[0].summary = LayerSummary(maxAbs: 120, ratio: 50)
        return f
    }

    /// The text of `width` columns at (`x`, `y`), spaces trimmed.
    static func text(_ g: CellGrid, _ x: Int, _ y: Int, _ width: Int) -> String {
        String(String.UnicodeScalarView((x..<(x + width)).map { g[$0, y].glyph })).trimmingCharacters(in: .whitespaces)
    }

    /// True when `shown` reads back as `v` to the precision it is written in (`16.6` for 16.64, `.52` for
    /// 0.52, `3e3` for 3064): independent of the widget's formatter, so a wrong value fails.
    static func reads(_ shown: String, as v: Float) -> Bool {
        if let e = shown.firstIndex(of: "e"), let m = Double(shown[..<e]), let x = Double(shown[shown.index(after: e)...]) {
            return abs(m * pow(10, x) - Double(v)) <= 0.5 * pow(10, x) * 1.0001
        }
        guard let read = Double(shown) else { return false }
        let decimals = shown.firstIndex(of: ".").map { shown.distance(from: $0, to: shown.endIndex) - 1 } ?? 0
        return abs(read - Double(v)) <= 0.5 * pow(10, -Double(decimals)) * 1.0001
    }

    /// Issue 24: this compared each cell with `TeachingWidget.number` itself, so a wrong formatter passed;
    /// now each printed value must read back as the matrix's value.
    @Test func everyValueIsPrintedWithChannelNumbersAndBlockRules() throws {
        var f = Self.small()
        f.press(.enter)
        let tg = try #require(f.state.teachingGrid)
        let grid = f.render()
        let area = ScreenLayout(size: f.state.display.size, compare: false).heat
        let m = try #require(f.state.shownMatrix)
        let w = tg.cellWidth - 1
        for c in tg.channels {
            #expect(Self.text(grid, area.x + tg.x(ofChannel: c), area.y, w) == String(c))
        }
        for t in tg.tokens {
            for c in tg.channels {
                let shown = Self.text(grid, area.x + tg.x(ofChannel: c), area.y + 1 + t, w)
                #expect(Self.reads(shown, as: m[t, c]), "tok \(t) ch \(c): \(shown) for \(m[t, c])")
            }
            for c in [4, 8, 12] { #expect(grid[area.x + tg.x(ofChannel: c) - 1, area.y + 1 + t].glyph == "│") }
        }
        // The caption and the sample's explanation are on screen.
        let text = grid.text
        for line in Caption.lines(f.state) { #expect(text.contains(String(line.prefix(40)))) }
        #expect(text.contains("two outlier channels share block 0"))
    }

    @Test func theMappingRowSaysWhereEachChannelWentAndCameFrom() throws {
        var f = Self.small()
        f.press(.enter)
        let perm = try #require(f.state.calibration?.transform.permutations.last)
        let tg = try #require(f.state.teachingGrid)
        let area = ScreenLayout(size: f.state.display.size, compare: false).heat
        let y = area.y + 1 + tg.tokens.count
        let w = tg.cellWidth - 1
        // Before the permutation: "to" — channel c goes to position i where perm[i] == c.
        var grid = f.render()
        #expect(Self.text(grid, area.x, y, 4) == "to")
        for c in tg.channels { #expect(Self.text(grid, area.x + tg.x(ofChannel: c), y, w) == String(perm.firstIndex(of: c)!)) }
        f.press("4")
        grid = f.render()
        #expect(Self.text(grid, area.x, y, 4) == "from")
        for c in tg.channels { #expect(Self.text(grid, area.x + tg.x(ofChannel: c), y, w) == String(perm[c])) }
    }

    @Test func teachingSnapshots() {
        var f = Self.small()
        f.press(.enter)
        #expect(Snapshot.mismatch(f.render().snapshot, named: "teaching-original-120x40") == nil)
        f.press("4")
        #expect(Snapshot.mismatch(f.render().snapshot, named: "teaching-permutation-120x40") == nil)
        var a = Self.small(mode: .mono)
        a.state.display.ascii = true
        a.press(.enter)
        a.press("3x")
        #expect(Snapshot.mismatch(a.render(theme: "mono").snapshot, named: "teaching-ascii-rotation1-120x40") == nil)
    }

    @Test func inspectLineNamesTheBinMaximumAndWhereItSits() throws {
        var f = ScreenFixture(size: Size(width: 80, height: 24))
        f.press(.enter)
        f.press("llj")
        let grid = f.render()
        let m = try #require(f.state.shownMatrix)
        let layout = ScreenLayout(size: f.state.display.size, compare: false)
        let pool = HeatPool(matrix: m, view: f.state.heatmap.view, columns: layout.heat.width, rows: layout.heat.height * f.state.heatRowsPerCell)
        let r = try #require(pool.row(ofToken: f.state.heatmap.view.cursorToken)), k = try #require(pool.column(ofChannel: f.state.heatmap.view.cursorChannel))
        var best: (Float, Int, Int) = (-1, 0, 0)
        for t in pool.tokenBins[r] { for c in pool.channelBins[k] where abs(m[t, c]) > best.0 { best = (abs(m[t, c]), t, c) } }
        let inspect = grid.line(layout.inspect.y)
        #expect(inspect.contains("at tok \(best.1) ch \(best.2)"), "\(inspect)")
    }

    @Test func theCursorGlyphIsNotALevelOfTheRamp() {
        for glyphs in [Glyphs.ascii, Glyphs.unicode] {
            #expect(!glyphs.ramp.contains(glyphs.cursor))
            #expect(!glyphs.bars.contains(glyphs.cursor))
        }
        var f = ScreenFixture(size: Size(width: 80, height: 24), mode: .mono)
        f.state.display.ascii = true
        f.press(.enter)
        let grid = f.render(theme: "mono")
        let heat = ScreenLayout(size: f.state.display.size, compare: false).heat
        var count = 0
        for y in heat.y..<heat.maxY { for x in heat.x..<heat.maxX where grid[x, y].glyph == Glyphs.ascii.cursor { count += 1 } }
        #expect(count == 1)
    }

    @Test func theLegendSaysWhenTheScaleWasChosenForTheLayer() {
        var f = ScreenFixture(size: Size(width: 120, height: 40))
        f.state.shared.layers[0].summary?.ratio = ExplorerDefaults.autoLogRatio * 3
        let legend = { (f: ScreenFixture) in f.render().line(ScreenLayout(size: f.state.display.size, compare: false).legend.y) }
        #expect(legend(f).contains("|x| log (auto; L: linear)"))
        f.press("L")
        #expect(legend(f).contains("|x| linear") && !legend(f).contains("auto"))
        f.state.shared.layers[0].summary?.ratio = 10
        f.state.heatmap.scaleChoice = nil
        #expect(legend(f).contains("|x| linear") && !legend(f).contains("auto"))
    }

    @Test(arguments: [Size(width: 80, height: 24), Size(width: 100, height: 30), Size(width: 120, height: 40)])
    func theHeaderHintSurvives(size: Size) {
        let f = ScreenFixture(size: size)
        let top = f.render().line(0)
        #expect(top.contains("?:help q:quit"))
        #expect(top.contains("6 QErr") || top.contains("6 Quantized error"))
        // Mouse hit-testing uses the same tabs as the drawing.
        for tab in TopBar.tabs(width: size.width) { #expect(top.contains(tab.label.trimmingCharacters(in: .whitespaces))) }
    }

    @Test func theHelpBoxHasCorners() {
        var f = ScreenFixture(size: Size(width: 80, height: 24))
        f.press("?")
        let g = f.render()
        let box = Rect(x: 2, y: 1, width: 76, height: 22)
        #expect(g[box.x, box.y].glyph == "┌" && g[box.maxX - 1, box.y].glyph == "┐")
        #expect(g[box.x, box.maxY - 1].glyph == "└" && g[box.maxX - 1, box.maxY - 1].glyph == "┘")
    }

    @Test func tNamesTheThemeEvenWhileWorkIsInProgress() {
        var f = ScreenFixture(size: Size(width: 120, height: 40))
        f.state.jobs.busy[.scan] = Busy(what: "scanning layers", fraction: 0.3, elapsed: 2)
        f.press("t")
        let status = f.render(theme: f.state.theme.name).line(39)
        #expect(status.contains("theme: \(f.state.theme.name)"))
    }

    /// At 80×24 the teaching view takes the profile's rows, so an 8 × 8 toy shows every value; the legend
    /// and the inspect line move under it.
    @Test func anEightByEightToyFitsAt80x24() throws {
        var f = Self.small(size: Size(width: 80, height: 24), channels: 8)
        f.press(.enter)
        let tg = try #require(f.state.teachingGrid)
        #expect(tg.tokens.count == 8 && tg.channels.count == 8)
        let grid = f.render()
        let area = f.state.teachingArea
        #expect(area.maxY <= ScreenLayout(size: f.state.display.size, compare: false).lower.maxY - 2)
        #expect(grid.line(area.maxY).contains("|x| linear"))
        #expect(grid.line(area.maxY + 1).contains("ch \(f.state.heatmap.view.cursorChannel)"))
        #expect(!grid.text.contains("Channel max |x|"))
        #expect(Snapshot.mismatch(grid.snapshot, named: "teaching-8x8-80x24") == nil)
        // Step-through needs the lower panel: the teaching view then keeps to the heatmap's rows.
        f.press("s")
        #expect(f.state.teachingArea == ScreenLayout(size: f.state.display.size, compare: false).heat)
        #expect(f.render().text.contains("Greedy step-through"))
    }

    /// A value printed in a cell always fits and reads back close to the value: within half a unit of its
    /// last digit, or, in the exponent form for values too large for the cell, within a factor of the
    /// mantissa's rounding.
    @Test(arguments: [3, 4, 6])
    func numbersFitTheirCellAndReadBack(width: Int) {
        var g = SeededGenerator(seed: 7)
        for _ in 0..<2000 {
            let magnitude: Double = pow(10.0, Double(Int(g.next() % 7)) - 2)
            let v = Float(g.nextGaussian() * magnitude)
            let s = TeachingWidget.number(v, width: width)
            #expect(s.count <= width, "\(v) → \(s)")
            if s.allSatisfy({ $0 == "#" }) {
                // Not even the exponent form fits (a large negative value in three columns).
                #expect(abs(v) >= 10, "\(v) → \(s)")
            } else if let e = s.firstIndex(of: "e") {
                let m = Double(s[..<e])!, x = Double(s[s.index(after: e)...])!
                let scale: Double = pow(10.0, x)
                let diff: Double = abs(m * scale - Double(v))
                #expect(diff <= 0.5 * scale * 1.0001, "\(v) → \(s)")
            } else {
                let decimals = s.firstIndex(of: ".").map { s.distance(from: $0, to: s.endIndex) - 1 } ?? 0
                let unit: Double = pow(10.0, -Double(decimals))
                let read: Double = Double(s) ?? .nan
                let diff: Double = abs(read - Double(v))
                // "0" stands for anything that rounds to zero at the cell's precision.
                let allowed: Double = (s == "0" || s == "-0") ? 0.5 : 0.5 * unit * 1.0001
                #expect(diff <= allowed, "\(v) → \(s)")
            }
        }
    }

    @Test func theHelpShowsTheSamplesExplanation() {
        var f = Self.small()
        f.press("?")
        f.state.overlays.scroll = 1000  // the end of the help, where the sample's section is
        let text = f.render().text
        #expect(text.contains(HelpText.sampleTitle))
        #expect(text.contains("two outlier channels share block 0"))
    }
}
