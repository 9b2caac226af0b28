import ExplorerModel
import ExplorerView

/// What the terminal reports to the run loop.
package enum TerminalEvent: Sendable, Equatable {
    case key(Key)
    case mouse(MouseEvent)
    case resize(Size)
    /// Background work posted a result (the run loop drains its inbox).
    case wake
    case signal(TerminalSignal)
}

/// Signals the run loop handles itself so the terminal is always restored.
package enum TerminalSignal: Sendable, Equatable {
    /// SIGINT (Ctrl-C): leave with status 130.
    case interrupt
    /// SIGTERM or SIGHUP: leave with status 143 / 129.
    case terminate, hangup
    /// SIGCONT after a stop: redraw everything.
    case resumed
}

/// The small surface a screen needs: draw a grid, wait for events, wake from another thread, shut down.
///
/// ``NcursesBackend`` (module TerminalNcurses) is the real one; ``ScriptedBackend`` replays events and
/// records frames for tests.
package protocol TerminalBackend: AnyObject {
    /// Current size in cells.
    var size: Size { get }
    /// How many colours the terminal can show (already folded with `NO_COLOR`).
    var colourMode: ColourMode { get }
    /// Shows `grid`, redrawing only what changed since the last call.
    func draw(_ grid: CellGrid)
    /// Waits up to `timeoutMilliseconds` for input, a wake-up or a signal, and returns what arrived.
    func events(timeoutMilliseconds: Int) -> [TerminalEvent]
    /// A function other threads call to make a waiting ``events(timeoutMilliseconds:)`` return `.wake`.
    func makeWaker() -> @Sendable () -> Void
    /// Restores the terminal. Safe to call more than once.
    func shutdown()
}
