import DuQuantCore
import ExplorerModel
import Testing
import TestSupport
@testable import ExplorerView

/// The top bar's tabs are the view's text; a click on one reaches the heatmap as its message.
@Suite struct TopBarTests {
    @Test func aClickOnATabShowsItsStage() {
        var f = FixtureDriver(size: Size(width: 120, height: 40))
        let tab = TopBar.tabs(width: 120)[4]
        #expect(tab.stage == .rotation2 && tab.label.contains("Rotation 2"))
        f.send(TopBar.message(for: .mouse(MouseEvent(.press, at: Point(x: tab.columns.lowerBound, y: 0))), in: f.state))
        #expect(f.state.heatmap.stage == .rotation2)
        // Under the help overlay, or off the tabs, a click is left to the model (which ignores it there).
        f.press("?")
        guard case .mouse = TopBar.message(for: .mouse(MouseEvent(.press, at: Point(x: tab.columns.lowerBound, y: 0))), in: f.state)
        else { Issue.record("a click under the help changed the stage"); return }
    }

    @Test func narrowScreensShortenTheTabsAndKeepTheHint() {
        let tabs = TopBar.tabs(width: 80)
        #expect(tabs.map(\.label).joined().contains("Rot2"))
        #expect(TopBar.title(width: 80).count + tabs.reduce(0) { $0 + $1.label.count } + TopBar.hint.count <= 80)
    }
}
