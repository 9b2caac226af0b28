import DuQuantCore
import ExplorerModel
import Testing
import TestSupport
@testable import ExplorerView

/// Issue 25: the layer list kept old error figures unmarked for seconds after a parameter change
/// (`20.mlp.down 0.181` after act bits 4 → 5), and sorting by error mixed settings.
@Suite struct StaleFigureTests {
    /// The fixture with layer 1's error measured by the scan under the current parameters (0.9, the worst),
    /// then act bits 4 → 5: the open layer is measured again, layer 1 is not (the new scan has not reached it).
    static func changed() -> ScreenFixture {
        var f = ScreenFixture(size: Size(width: 120, height: 40))
        f.send(.layerSummary(generation: f.state.jobs.generation(.scan), index: 1,
                             summary: LayerSummary(maxAbs: 20, ratio: 10, error: 0.9)))
        f.press("p]")
        #expect(f.state.shared.params.abits == 5)
        return f
    }

    /// The list row of layer `i` as drawn.
    static func row(_ f: ScreenFixture, _ i: Int) -> String {
        let name = f.state.shared.layers[i].shortName
        let line = f.render().text.split(separator: "\n").first { $0.contains(" \(name) ") || $0.contains("▶\(name) ") }
        return line.map { String($0.prefix(46)) } ?? ""
    }

    // Regression (issue 25): layer 1 showed `0.900` as if measured with 5-bit activations.
    @Test func aFigureOfOtherSettingsIsMarked() {
        var f = ScreenFixture(size: Size(width: 120, height: 40))
        f.send(.layerSummary(generation: f.state.jobs.generation(.scan), index: 1,
                             summary: LayerSummary(maxAbs: 20, ratio: 10, error: 0.9)))
        #expect(Self.row(f, 1).contains("0.9") && !Self.row(f, 1).contains("…"), "current before the change: \(Self.row(f, 1))")
        f = Self.changed()
        #expect(Self.row(f, 1).contains("0.9") && Self.row(f, 1).contains("…"), "stale after the change: \(Self.row(f, 1))")
        // The open layer was measured again under the new settings: current, unmarked.
        let open = f.state.shared.layers[0].summary?.error
        #expect(open != nil && !Self.row(f, 0).contains("…"), "\(Self.row(f, 0))")
    }

    // Regression (issue 25): sorting by error put the stale 0.9 first, above figures of the current settings.
    @Test func staleFiguresAreNotSortedAsCurrent() {
        var f = Self.changed()
        f.press("p")   // back to the list
        f.press("ooo")
        #expect(f.state.list.sort == .error)
        #expect(f.state.listOrder.first == 0, "\(f.state.listOrder)")
        #expect(f.state.listOrder.firstIndex(of: 1)! > f.state.listOrder.firstIndex(of: 0)!)
    }
}
