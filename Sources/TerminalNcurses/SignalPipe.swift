import CNcursesw
import ExplorerView
#if canImport(Glibc)
import Glibc
#endif

/// Routes SIGINT, SIGTERM, SIGHUP, SIGTSTP and SIGCONT into a pipe the run loop polls, so the terminal is
/// restored outside signal context.
///
/// All `duq_signal_*` calls live in this file: the shim's pipe is a header `static`, one copy per file.
enum SignalPipe {
    /// Installs the handlers (before `initscr`, so ncurses leaves these signals to us) and returns the
    /// pipe's read end.
    static func install() -> Int32 {
        var fd: Int32 = -1
        for sig in [duq_sigint(), duq_sigterm(), duq_sighup(), duq_sigtstp(), duq_sigcont()] {
            fd = duq_signal_route(sig)
        }
        return fd
    }

    /// Signals recorded since the last call, oldest first.
    static func take() -> [Int32] {
        var out: [Int32] = []
        while true {
            let s = duq_signal_take()
            if s == 0 { break }
            out.append(s)
        }
        return out
    }

    /// Stops the process the way the default SIGTSTP action would, then re-arms the handler on resume.
    static func stopSelf() {
        let tstp = duq_sigtstp()
        duq_signal_default(tstp)
        kill(getpid(), tstp)
        // Execution continues here after SIGCONT.
        _ = duq_signal_route(tstp)
    }

    /// Puts every routed signal back to its default action.
    static func restoreDefaults() {
        for sig in [duq_sigint(), duq_sigterm(), duq_sighup(), duq_sigtstp(), duq_sigcont()] { duq_signal_default(sig) }
    }

    static func event(for sig: Int32) -> TerminalEvent? {
        switch sig {
        case duq_sigint(): return .signal(.interrupt)
        case duq_sigterm(): return .signal(.terminate)
        case duq_sighup(): return .signal(.hangup)
        case duq_sigcont(): return .signal(.resumed)
        default: return nil
        }
    }

    static var stopSignal: Int32 { duq_sigtstp() }
}
