import DuQuantCore
import ExplorerModel
import Testing
import TestSupport
@testable import ExplorerView

/// The teaching view's captions (display text, in the view since issue 24), on the fixture's known
/// stages: three 32 × 96 layers in blocks of 32, the permutation `perm[i] = (i mod 3)·32 + i/3`.
@Suite struct CaptionTests {
    static func fixture() -> ScreenFixture { ScreenFixture(size: Size(width: 120, height: 40)) }

    @Test func channelNamesAreGlobalWithBlockAndIndexInBrackets() throws {
        let f = Self.fixture()
        #expect(App.channelName(f.state, 37) == "ch 37 [blk 1 #5]")
        let traces = try #require(f.state.calibration?.traces[0])
        for trace in traces where !trace.chosen.isEmpty {
            let global = trace.block * 32 + trace.chosen[0]
            #expect(Caption.chosenName(f.state, trace, step: 0) == "ch \(global) [blk \(trace.block) #\(trace.chosen[0])]")
        }
    }

    @Test func stepThroughCaptionNamesTheGlobalChannel() throws {
        var f = Self.fixture()
        f.press("s.")
        let step = try #require(f.state.heatmap.step)
        let trace = f.state.calibration!.traces[0][step.traceIndex]
        // The fixture's traces start from each block's loudest channel: channel 10 (block 0) is the massive one.
        #expect(trace.block == 0 && trace.chosen[0] == 10)
        #expect(Caption.lines(f.state).first == "rotation 1, step 1 of \(trace.chosen.count): block 0 spread ch 10 [blk 0 #10]")
    }

    @Test func everyStageHasTwoLinesAndTheOriginalNamesItsLargestValue() {
        var f = Self.fixture()
        for stage in Stage.allCases {
            f.state.heatmap.stage = stage
            #expect(Caption.lines(f.state).count == 2, "\(stage)")
        }
        // The massive value: 120 at token 0, channel 10.
        f.state.heatmap.stage = .original
        #expect(Caption.lines(f.state)[0] == "largest |x| 120 at tok 0, ch 10 [blk 0 #10]")
    }

    /// Regression (issue 24): the test asserted only `perm[i] >= 0`, which any index satisfies. Every move
    /// the caption names must be one the permutation made, in its block.
    @Test func thePermutationCaptionNamesMovesThePermutationMade() throws {
        var f = Self.fixture()
        f.state.heatmap.stage = .permutation
        let perm = (0..<96).map { ($0 % 3) * 32 + $0 / 3 }
        #expect(f.state.calibration?.transform.permutations.last == perm)
        let first = try #require(Caption.lines(f.state).first)
        #expect(first.hasPrefix("largest first: "))
        let moves = first.dropFirst("largest first: ".count).split(separator: "·").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(moves.count == 8)
        for move in moves {
            // "ch 10 → 30 (blk 0)"
            let w = move.split(separator: " ")
            let from = try #require(Int(w[1])), to = try #require(Int(w[3])), blk = try #require(Int(w[5].dropLast()))
            #expect(perm[to] == from, "\(move)")
            #expect(blk == to / 32, "\(move)")
        }
    }
}

/// Issue 24: `drawHeat` used to leave the pool, the scale and the teaching flag in the context for the
/// profile and the inspect line drawn after it. Now everything is settled before drawing: the panels drawn
/// backwards give the same screen.
@Suite struct DrawOrderTests {
    @Test(arguments: ["start", "teaching", "step", "compare"])
    func panelsDrawnInAnyOrderGiveTheSameScreen(_ what: String) {
        var f = ScreenFixture(size: Size(width: 100, height: 30))
        if what == "teaching" {
            let fixture = EvaluationFixture.toy(channels: 8)
            var state = AppState(files: fixture.files, layers: fixture.entries, themes: ScreenThemes.choices)
            state.display.size = Size(width: 80, height: 24)
            state.shared.params.block = 4
            state.shared.params.steps = 2
            f = ScreenFixture(fixture: fixture, state: state)
            f.start()
        }
        f.press(.enter)
        if what == "step" { f.press("s..") }
        if what == "compare" { f.press("c") }
        let theme = ScreenThemes.all[0]
        var a = HeatCache(), b = HeatCache()
        let forwards = Screen.render(f.state, theme: theme, cache: &a, order: Screen.panels)
        let backwards = Screen.render(f.state, theme: theme, cache: &b, order: Screen.panels.reversed())
        #expect(forwards.snapshot == backwards.snapshot)
        if what == "teaching" { #expect(f.state.teachingTakesLowerPanel) }
    }
}
