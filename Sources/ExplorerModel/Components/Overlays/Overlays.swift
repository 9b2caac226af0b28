/// The overlays' own state: which one is open and how far it is scrolled.
package struct OverlaysState: Sendable {
    /// The help (`?`) is open.
    package var showHelp = false
    /// The problems overlay (`!`) is open.
    package var showProblems = false
    /// Lines scrolled in the open overlay.
    package var scroll = 0

    package init() {}
}

/// The help (`?`) and problems (`!`) overlays: open, close, scroll.
package enum Overlays {
    package enum Msg: Sendable, Equatable {
        case openHelp, openProblems
        /// Closes whichever overlay is open.
        case close
        /// j k ↑ ↓: a line down (+1) or up (−1).
        case scroll(Int)
    }

    package static func update(_ s: inout OverlaysState, _ msg: Msg) -> [Request] {
        switch msg {
        case .openHelp:
            s.showHelp = true
            s.scroll = 0
        case .openProblems:
            s.showProblems = true
            s.scroll = 0
        case .close:
            s.showHelp = false
            s.showProblems = false
        case .scroll(let n):
            s.scroll = max(0, s.scroll + n)
        }
        return []
    }
}
