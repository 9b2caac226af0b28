import DuQuantCore
import ExplorerModel
import ExplorerView
import TestSupport
import Testing

/// Issue 16: the help overlay explains every method with its settings, and the Methods table shows them.
@Suite struct MethodsHelpTests {
    static func text(_ f: ScreenFixture) -> String {
        let g = f.render()
        return (0..<g.height).map { g.line($0) }.joined(separator: "\n")
    }

    @Test func helpListsEveryMethodWithItsSettingsAndWhatQuaRotStyleLeavesOut() {
        // Wide enough that no sentence checked below wraps.
        var f = ScreenFixture(size: Size(width: 240, height: 40))
        f.press("?")
        var seen = ""
        for _ in 0..<40 {
            seen += Self.text(f)
            f.press("j")
        }
        for m in Method.allCases {
            let listed = seen.contains("\(m.title): ")
            #expect(listed, "\(m.title)")
        }
        for phrase in ["no GPTQ", "settings α 0.50 · clip X 1.00 W 1.00", "settings clip X 1.00 W search",
                       "do not compare across methods"] {
            let found = seen.contains(phrase)  // SmoothQuant's own settings, QuaRot-style's searched weight clip
            #expect(found, "\(phrase)")
        }
    }

    @Test func sameForAllPutsDuQuantsClippingInEveryColumn() {
        var f = ScreenFixture(size: Size(width: 120, height: 40))
        let own = DeltaBaselineTests.row(f, "α, clip X/W") ?? ""
        #expect(own.contains("1/mse") && own.contains("α.5 1/1"))
        f.press("p")
        for _ in 0..<ParamField.named("same-settings")!.rawValue { f.press("j") }
        f.press("l")
        #expect(f.state.shared.params.sameSettings)
        let same = DeltaBaselineTests.row(f, "α, clip X/W") ?? ""
        #expect(!same.contains("1/mse") && !same.contains("1/1") && same.contains("α.6 .9/.8"))
        #expect(DeltaBaselineTests.row(f, "same for all")?.contains("on") == true)
    }
}

/// Fifteen parameter rows do not fit an 80×24 screen's panel: it scrolls with the selection, and a click
/// picks the row drawn under it.
@Suite struct ParameterPanelScrollTests {
    @Test func theSelectedRowIsAlwaysDrawnAndClicksFollowTheScroll() throws {
        var f = ScreenFixture(size: Size(width: 80, height: 24))
        let layout = ScreenLayout(size: f.state.display.size, compare: false)
        #expect(layout.params.height < ParamField.allCases.count)
        f.press("p")
        for _ in 0..<ParamField.allCases.count { f.press("j") }
        #expect(f.state.parameters.row == ParamField.named("layout")!.rawValue)
        let g = f.render()
        let panel = (layout.params.y..<layout.params.maxY).map { g.line($0) }
        #expect(panel.last?.contains("layout") == true)
        #expect(!panel.contains { $0.contains("act bits") })
        // The top row now shows the parameter `offset` rows down; a click there selects it.
        let offset = ScreenLayout.paramOffset(selected: f.state.parameters.row, height: layout.params.height)
        #expect(offset == ParamField.allCases.count - layout.params.height)
        f.send(.mouse(MouseEvent(.press, at: Point(x: layout.params.x + 2, y: layout.params.y))))
        #expect(f.state.parameters.row == offset)
        #expect(panel.first?.contains(ParamField(rawValue: offset)!.title) == true)
    }
}

/// The smallest screen has room for three method columns: DuQuant and RTN are never the ones dropped.
@Suite struct NarrowMethodsTableTests {
    @Test func duQuantAndRTNStayWhenColumnsAreDropped() throws {
        let f = ScreenFixture(size: Size(width: 64, height: 20))
        let settings = try #require(DeltaBaselineTests.row(f, "clip X/W"))
        let header = try #require(DeltaBaselineTests.lines(f).first { $0.contains("RTN") && $0.contains("DuQ") })
        #expect(settings.contains(".9/.8") && settings.contains("1/1"))
        #expect(!header.contains("blk Had"))  // the first to go
    }
}
