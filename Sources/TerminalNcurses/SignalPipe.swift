import CNcursesw
import CSignals
import ExplorerRuntime
import ExplorerView
#if canImport(Glibc)
import Glibc
#endif

/// Routes SIGINT, SIGTERM, SIGHUP, SIGTSTP and SIGCONT into a pipe the run loop polls, so the terminal is
/// restored outside signal context; a second SIGINT/SIGTERM/SIGHUP, or one after shutdown began, restores
/// the terminal inside the handler and ends the process at once (see `Sources/CSignals/signals.c`).
enum SignalPipe {
    /// Installs the handlers (before `initscr`, so ncurses leaves these signals to us), remembers the
    /// terminal modes of `fd`, and returns the pipe's read end (-1 if it could not be made).
    static func install(terminal fd: Int32) -> Int32 {
        duq_signals_save_modes(fd)
        return duq_signals_install()
    }

    /// Remembers the bytes that take the terminal out of the UI's modes, for the handler's emergency exit.
    static func rememberRestoreText() {
        var text: [CChar] = []
        for cap in ["rmcup", "cnorm", "rmkx", "sgr0"] {
            if let s = duq_tigetstr(cap) {
                var p = s
                while p.pointee != 0 { text.append(p.pointee); p += 1 }
            }
        }
        // Mouse reporting (ncurses turns on 1000/1002/1006 where the terminal has kmous).
        if duq_tigetstr("kmous") != nil {
            text += Array("\u{1b}[?1006l\u{1b}[?1002l\u{1b}[?1000l".utf8CString.dropLast())
        }
        duq_signals_set_restore_text(text, Int32(text.count))
    }

    /// Signals recorded since the last call, oldest first.
    static func take() -> [Int32] {
        var out: [Int32] = []
        while true {
            let s = duq_signals_take()
            if s == 0 { break }
            out.append(s)
        }
        return out
    }

    /// Stops the process the way the default SIGTSTP action would; returns after `fg` (SIGCONT).
    static func stopSelf() { duq_signals_stop_self() }

    /// From now on a terminating signal ends the process at once (the terminal restored first).
    static func leaving() { duq_signals_leaving() }


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
