import DuQuantCore
import Testing
@testable import ExplorerModel

/// Issue 14: finding the outlier, moving by bins, one channel numbering, the automatic colour scale and
/// the teaching view's geometry and captions.
@Suite struct TeachTests {
    /// Every |x| of `m` with its position, largest first (ties by position): the order `x` walks.
    static func ranked(_ m: Matrix) -> [(Float, Int)] {
        m.storage.enumerated().map { (abs($0.element), $0.offset) }.sorted { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
    }

    @Test func nextWalksTheValuesInDescendingOrder() {
        var m = Matrix(rows: 3, cols: 4)
        let values: [Float] = [1, -7, 3, 7, 0.5, -2, 9, 3, 0, -1, 4, 2]
        for (i, v) in values.enumerated() { m.storage[i] = v }
        var walked: [(Float, Int)] = []
        var after: (magnitude: Float, index: Int)? = nil
        while let n = OutlierHunt.next(in: m, after: after) {
            walked.append(n)
            after = n
        }
        let expected = Self.ranked(m)
        #expect(walked.count == expected.count)
        #expect(zip(walked, expected).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 })
    }

    @Test func xLandsOnTheLargestThenTheNextAndStartsAgainOnAnotherStage() throws {
        var h = Harness()
        h.start()
        let m = try #require(h.state.shownMatrix)
        let order = Self.ranked(m)
        h.press("x")
        #expect(h.state.focus == .heatmap)
        #expect(h.state.heatmap.view.cursorToken == order[0].1 / m.cols && h.state.heatmap.view.cursorChannel == order[0].1 % m.cols)
        #expect(h.state.status.notice?.contains("tok \(order[0].1 / m.cols)") == true)
        h.press("x")
        #expect(h.state.heatmap.view.cursorToken == order[1].1 / m.cols && h.state.heatmap.view.cursorChannel == order[1].1 % m.cols)
        #expect(h.state.heatmap.hunt?.rank == 2)
        // Another stage: its own largest value, rank 1 again.
        h.press("5")
        let m5 = try #require(h.state.shownMatrix)
        let top5 = Self.ranked(m5)[0].1
        h.press("x")
        #expect(h.state.heatmap.hunt?.rank == 1)
        #expect(h.state.heatmap.view.cursorToken == top5 / m5.cols && h.state.heatmap.view.cursorChannel == top5 % m5.cols)
    }

    @Test func zoomAfterXKeepsTheValueInTheMiddleOfTheView() {
        var h = Harness()
        h.start()
        h.press("x")
        let (t, c) = (h.state.heatmap.view.cursorToken, h.state.heatmap.view.cursorChannel)
        h.press("+++")
        let v = h.state.heatmap.view
        #expect(v.cursorToken == t && v.cursorChannel == c)
        #expect((v.tokenStart..<(v.tokenStart + v.tokenSpan)).contains(t))
        #expect((v.channelStart..<(v.channelStart + v.channelSpan)).contains(c))
        // Centred unless the view is against an edge of the matrix.
        let (tokens, channels) = h.state.openShape
        #expect(v.channelStart == max(0, min(channels - v.channelSpan, c - v.channelSpan / 2)))
        #expect(v.tokenStart == max(0, min(tokens - v.tokenSpan, t - v.tokenSpan / 2)))
    }

    /// Regression: `l` moved a fixed 16 channels against bins of 16 and 17 channels, so some presses
    /// left the cursor in the same bin (and others skipped one).
    @Test(arguments: [(1536, 73), (1536, 52), (100, 30), (7, 30)])
    func lVisitsEveryBinOnceInOrder(channels: Int, columns: Int) {
        let n = min(columns, channels)
        var c = 0
        var visited: [Int] = []
        for _ in 0..<(n + 3) {
            let k = (0..<n).first { HeatView.bin($0, of: n, start: 0, count: channels).contains(c) }!
            if visited.last != k { visited.append(k) }
            c = HeatView.stepBins(cursor: c, by: 1, bins: columns, start: 0, span: channels, total: channels)
        }
        #expect(visited == Array(0..<n))
        // And back: `h` from the last channel visits them all in reverse.
        c = channels - 1
        var back: [Int] = []
        for _ in 0..<(n + 3) {
            let k = (0..<n).first { HeatView.bin($0, of: n, start: 0, count: channels).contains(c) }!
            if back.last != k { back.append(k) }
            c = HeatView.stepBins(cursor: c, by: -1, bins: columns, start: 0, span: channels, total: channels)
        }
        #expect(back == Array((0..<n).reversed()))
    }

    @Test func everyHorizontalPressMovesTheCursor() {
        var h = Harness()
        h.start()
        h.press(.enter)
        var last = h.state.heatmap.view.cursorChannel
        for _ in 0..<10 {
            h.press("l")
            #expect(h.state.heatmap.view.cursorChannel > last)
            last = h.state.heatmap.view.cursorChannel
        }
        h.press("F")
        #expect(h.state.heatmap.view.cursorChannel == min(h.state.openShape.channels - 1, last + h.state.heatmap.view.channelSpan / 2))
        let before = h.state.heatmap.view.cursorChannel
        h.press("H")
        #expect(h.state.heatmap.view.cursorChannel == max(0, before - h.state.heatmap.view.channelSpan / 2))
    }

    @Test func logIsTheDefaultOnMassiveOutliersAndLStillSwitches() {
        var h = Harness()
        h.start()
        let ratio = h.state.shared.layers[0].summary?.ratio ?? 0
        #expect(h.state.scale == (ratio >= ExplorerDefaults.autoLogRatio ? .log : .linear))
        // A layer whose max/median is large opens in log; one whose is small in linear.
        h.state.shared.layers[0].summary?.ratio = ExplorerDefaults.autoLogRatio * 2
        #expect(h.state.scale == .log && h.state.autoLog)
        h.state.shared.layers[0].summary?.ratio = 3
        #expect(h.state.scale == .linear && !h.state.autoLog)
        h.state.shared.layers[0].summary?.ratio = ExplorerDefaults.autoLogRatio * 2
        h.press("L")
        #expect(h.state.scale == .linear && !h.state.autoLog)
        h.press("L")
        #expect(h.state.scale == .log && !h.state.autoLog)
    }

    @Test func teachingGridFitsSmallMatricesOnly() {
        let area = Rect(x: 0, y: 0, width: 73, height: 23)
        let g = TeachingGrid(tokens: 0..<8, channels: 0..<16, block: 4, area: area)
        #expect(g != nil)
        if let g {
            #expect(g.width <= area.width)
            // Rules before each block start but the first; cells do not overlap.
            #expect((0..<16).filter(g.ruleBefore) == [4, 8, 12])
            for c in 1..<16 { #expect(g.x(ofChannel: c) >= g.x(ofChannel: c - 1) + g.cellWidth) }
            for c in 0..<16 { #expect(g.channel(atColumn: g.x(ofChannel: c)) == c) }
        }
        #expect(TeachingGrid(tokens: 0..<256, channels: 0..<1536, block: 128, area: area) == nil)
        #expect(TeachingGrid(tokens: 0..<8, channels: 0..<64, block: 16, area: area) == nil)
    }

    @Test func teachingViewFollowsZoomAndT() {
        var h = Harness()
        h.start()
        #expect(h.state.teachingGrid == nil)  // 24 × 64 does not fit with values printed
        h.press(.enter)
        h.press("++")  // 6 × 16 visible
        let g = h.state.teachingGrid
        #expect(g != nil && g?.channels.count == h.state.heatmap.view.channelSpan)
        // One value per bin: a press moves one channel.
        let c = h.state.heatmap.view.cursorChannel
        h.press("l")
        #expect(h.state.heatmap.view.cursorChannel == c + 1)
        h.press("T")
        #expect(h.state.teachingGrid == nil)
        h.press("T")
        #expect(h.state.teachingGrid != nil)
    }

    @Test func aFilesPresetAppliesWhenOpeningItsLayers() {
        var h = Harness()
        h.start()
        h.state.shared.files.append("toy.safetensors")
        h.state.shared.layers[2].file = 1
        var preset = h.state.shared.params
        preset.block = 4
        preset.steps = 0
        h.state.shared.presets[1] = Preset(params: preset, source: "toy.json")
        h.press("jj")
        h.press(.enter)
        #expect(h.state.shared.params == preset)
        #expect(h.state.status.notice?.contains("toy.json") == true)
        // Back to the first file: its parameters are kept as they are (no preset there).
        h.press(.escape)
        h.press("kk")
        h.press(.enter)
        #expect(h.state.shared.params == preset)
    }

    @Test func aClickInTheTeachingViewPicksThatValue() throws {
        var h = Harness()
        h.start()
        h.press(.enter)
        h.press("++")
        let g = try #require(h.state.teachingGrid)
        let area = h.state.teachingArea
        let (t, c) = (g.tokens.lowerBound + 2, g.channels.lowerBound + 5)
        h.send(.mouse(MouseEvent(.press, at: Point(x: area.x + g.x(ofChannel: c) + 1, y: area.y + TeachingGrid.rowsAbove + 2))))
        #expect(h.state.heatmap.view.cursorToken == t && h.state.heatmap.view.cursorChannel == c)
    }

    /// Notices and captions write numbers to three or four significant digits, and they read back so.
    @Test func compactNumbersReadBackToTheirDigits() {
        var g = SeededGenerator(seed: 11)
        for _ in 0..<3000 {
            let exponent = Double(Int(g.next() % 16)) - 8
            var scale = 1.0
            for _ in 0..<Int(abs(exponent)) { scale = exponent < 0 ? scale / 10 : scale * 10 }
            let v = Float(g.nextGaussian() * scale)
            guard v != 0 else { continue }
            let s = App.compact(v)
            let read = Double(s) ?? .nan
            let relative = abs(read - Double(v)) / abs(Double(v))
            #expect(relative <= 0.006, "\(v) → \(s)")
            #expect(s.count <= 10, "\(v) → \(s)")
        }
        #expect(App.compact(3064.8) == "3065" && App.compact(70.71) == "70.7" && App.compact(0.01502) == "0.0150")
    }
}
