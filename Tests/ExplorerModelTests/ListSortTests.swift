import DuQuantCore
import Testing
@testable import ExplorerModel

/// `o` sorts the layer list worst first, and moving, clicking and scrolling follow the rows as shown.
@Suite struct ListSortTests {
    static func driver() -> Harness {
        var h = Harness(runEffects: false)
        let figures: [(Float, Float, Float?)] = [(5, 10, 0.02), (50, 2, nil), (20, 30, 0.09)]
        for (i, f) in figures.enumerated() {
            h.state.shared.layers[i].summary = LayerSummary(maxAbs: f.0, ratio: f.1, error: f.2, errorParams: h.state.shared.params,
                                                     errorMethod: h.state.list.method)
        }
        return h
    }

    @Test func oCyclesTheOrderAndTheListFollows() {
        var h = Self.driver()
        #expect(h.state.listOrder == [0, 1, 2])
        h.press("o")
        #expect(h.state.list.sort == .maxAbs && h.state.listOrder == [1, 2, 0])
        h.press("o")
        #expect(h.state.list.sort == .ratio && h.state.listOrder == [2, 0, 1])
        h.press("o")
        // A layer whose error is not known yet goes last.
        #expect(h.state.list.sort == .error && h.state.listOrder == [2, 0, 1])
        h.press("o")
        #expect(h.state.list.sort == .file)
    }

    @Test func movingGoesAlongTheShownRows() {
        var h = Self.driver()
        h.press("o")  // max|x|: rows are layers 1, 2, 0
        h.state.list.selected = 1
        h.press("j")
        #expect(h.state.list.selected == 2)
        h.press("j")
        #expect(h.state.list.selected == 0)
        h.press("j")
        #expect(h.state.list.selected == 0)  // the last row stays
        h.press("g")
        #expect(h.state.list.selected == 1)
        h.press("G")
        #expect(h.state.list.selected == 0)
        h.press(.enter)
        #expect(h.effects.contains(.loadLayer(index: 0, generation: 1)))
    }
}
