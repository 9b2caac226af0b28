import ExplorerModel
import Testing
import TestSupport
@testable import ExplorerView

/// The heatmap's pools are made once per (matrix, visible window, pane size), before drawing, and kept
/// between frames: a redraw for a cursor move or a key in another panel pools nothing.
@Suite struct HeatCacheTests {
    static let theme = ScreenFixture.themes[0]

    @Test func aSecondFrameOfTheSameMatrixWindowAndSizePoolsNothing() {
        var f = ScreenFixture(size: Size(width: 80, height: 24))
        f.press(.enter)
        var cache = HeatCache()
        let first = Screen.render(f.state, theme: Self.theme, cache: &cache)
        #expect(cache.poolings == 1)
        #expect(Screen.render(f.state, theme: Self.theme, cache: &cache) == first)
        #expect(cache.poolings == 1)
        // The cursor moves inside the window, the focus changes: the same bins.
        f.press("ljp")
        let moved = Screen.render(f.state, theme: Self.theme, cache: &cache)
        #expect(cache.poolings == 1)
        #expect(moved == Screen.render(f.state, theme: Self.theme))  // as drawn without a cache
    }

    @Test func anotherViewSizeOrMatrixPoolsAgain() {
        var f = ScreenFixture(size: Size(width: 80, height: 24))
        f.press(.enter)
        var cache = HeatCache()
        var frames = 0
        func render() {
            let grid = Screen.render(f.state, theme: Self.theme, cache: &cache)
            #expect(grid == Screen.render(f.state, theme: Self.theme))
            frames += 1
        }
        render()
        f.press("+")  // zoom: another window
        render()
        #expect(cache.poolings == 2)
        f.send(.resize(Size(width: 100, height: 30)))  // another pane size
        render()
        #expect(cache.poolings == 3)
        f.press("5")  // another matrix
        render()
        #expect(cache.poolings == 4)
        f.press("c")  // compare: two panes of their own widths
        render()
        #expect(cache.poolings == 6)
        render()
        #expect(cache.poolings == 6 && frames == 6)
    }
}
