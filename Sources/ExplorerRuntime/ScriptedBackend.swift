import ExplorerModel
import ExplorerView
import Foundation

/// A backend for tests: replays a script of events at a fixed size and records every frame drawn.
///
/// `.awaitWake` steps wait (up to a timeout) until background work posts a result, so scripts can say
/// "open the layer, wait for the computation, then press 2".
package final class ScriptedBackend: TerminalBackend, @unchecked Sendable {
    package enum Step: Sendable {
        case event(TerminalEvent)
        /// Wait until the run loop's executor wakes us (or `seconds` pass), then deliver `.wake`.
        case awaitWake(seconds: Double)
    }

    package private(set) var size: Size
    package let colourMode: ColourMode
    package private(set) var frames: [CellGrid] = []
    package private(set) var isShutDown = false
    private var script: [Step]
    private let wakes = DispatchSemaphore(value: 0)

    package init(size: Size, colourMode: ColourMode = .xterm256, script: [Step]) {
        self.size = size
        self.colourMode = colourMode
        self.script = script
    }

    /// Convenience: key presses from a string, one `.key(.char)` per character.
    package static func keys(_ text: String) -> [Step] {
        text.map { .event(.key(.char($0))) }
    }

    package var lastFrame: CellGrid? { frames.last }

    package func draw(_ grid: CellGrid) { frames.append(grid) }

    package func events(timeoutMilliseconds: Int) -> [TerminalEvent] {
        guard !script.isEmpty else { return [.signal(.terminate)] }
        switch script.removeFirst() {
        case .event(let e):
            Hop.here("\(e)")
            if case .resize(let s) = e { size = s }
            // Results that arrived meanwhile are drained too, as the real loop would after a wake-up.
            return [e, .wake]
        case .awaitWake(let seconds):
            _ = wakes.wait(timeout: .now() + seconds)
            return [.wake]
        }
    }

    package func makeWaker() -> @Sendable () -> Void {
        let s = wakes
        return { s.signal() }
    }

    package func shutdown() { isShutDown = true }
}
