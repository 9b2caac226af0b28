import ExplorerModel
import Testing
import TestSupport
@testable import ExplorerView

/// Whole-screen snapshots at the two sizes the explorer is designed for, drawn from the fixed figures and
/// matrices of ``EvaluationFixture`` (a change of the numeric core leaves them alone), and one of the real
/// pipeline end to end. Re-record with `RECORD_SNAPSHOTS=1 swift test --filter ExplorerViewTests` and
/// review the diff.
@Suite struct ScreenSnapshotTests {
    static let sizes = [Size(width: 80, height: 24), Size(width: 120, height: 40)]

    func check(_ f: some ScreenDriver, _ name: String, theme: String = "dark") {
        let grid = f.render(theme: theme)
        #expect(Snapshot.mismatch(grid.snapshot, named: "\(name)-\(f.state.display.size)") == nil)
    }

    /// The one screen computed by the real core: three synthetic layers, the first opened, evaluated and
    /// shown at Rotation 2 with the cursor moved. It changes when the core's figures do.
    @Test func pipelineEndToEnd() {
        var f = PipelineScreen(size: Size(width: 80, height: 24))
        f.press(.enter)
        f.press("5lllj")
        check(f, "pipeline-end-to-end")
    }

    @Test(arguments: sizes) func startScreen(size: Size) {
        check(ScreenFixture(size: size), "start")
    }

    @Test(arguments: sizes) func rotation2WithCursor(size: Size) {
        var f = ScreenFixture(size: size)
        f.press(.enter)
        f.press("5lllj")
        check(f, "rotation2-cursor")
    }

    @Test(arguments: sizes) func compareOriginalAndRotation2(size: Size) {
        var f = ScreenFixture(size: size)
        f.press("c")
        check(f, "compare")
    }

    @Test(arguments: sizes) func stepThrough(size: Size) {
        var f = ScreenFixture(size: size)
        f.press("s...")
        check(f, "step")
    }

    @Test(arguments: sizes) func helpOverlay(size: Size) {
        var f = ScreenFixture(size: size)
        f.press("4?")
        check(f, "help")
    }

    @Test func monoASCIILogScale() {
        var f = ScreenFixture(size: Size(width: 80, height: 24), mode: .mono)
        f.state.display.ascii = true
        f.press("6L")
        check(f, "mono-ascii-error-log", theme: "mono")
    }

    @Test func viridisAnd16Colours() {
        var f = ScreenFixture(size: Size(width: 80, height: 24), mode: .ansi16)
        f.press("3")
        check(f, "viridis-16-rotation1", theme: "viridis")
    }

    @Test func searchAndParameterFocus() {
        var f = ScreenFixture(size: Size(width: 80, height: 24))
        f.press("pjj")
        f.press("/")
        f.press("down")
        check(f, "search-params")
    }

    @Test func tooSmall() {
        let f = ScreenFixture(size: Size(width: 50, height: 12))
        let grid = f.render()
        #expect(grid.text.contains("needs at least 64×20"))
        #expect(Snapshot.mismatch(grid.snapshot, named: "too-small-50x12") == nil)
    }

    /// Regression: at 20×6 the sentences were cut to "Terminal too small:…" and never said the size needed.
    @Test func tooSmallAt20x6StillSaysWhatIsNeeded() {
        let grid = ScreenFixture(size: Size(width: 20, height: 6)).render()
        #expect(grid.text.contains("needs 64×20"))
        #expect(grid.text.contains("Too small: 20×6"))
    }
}
