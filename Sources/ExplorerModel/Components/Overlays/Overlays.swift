/// The help (`?`) and problems (`!`) overlays: open, close, scroll.
package enum Overlays {
    static func openHelp(_ state: inout AppState) -> [Effect] {
        state.showHelp = true
        state.helpScroll = 0
        return []
    }

    static func openProblems(_ state: inout AppState) -> [Effect] {
        state.showProblems = true
        state.helpScroll = 0
        return []
    }

    /// Closes whichever overlay is open.
    static func close(_ state: inout AppState) -> [Effect] {
        state.showHelp = false
        state.showProblems = false
        return []
    }

    /// j k ↑ ↓: scrolls the open overlay by a line.
    static func scroll(_ state: inout AppState, _ key: Key) -> [Effect] {
        let down = key == .char("j") || key == .down
        state.helpScroll = down ? state.helpScroll + 1 : max(0, state.helpScroll - 1)
        return []
    }
}
