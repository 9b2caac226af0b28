import CNcursesw

/// Questions to the terminfo database, asked without starting the screen.
package enum Terminfo {
    /// Why `term` cannot be drawn on, or nil when terminfo describes it.
    ///
    /// `initscr` on an unknown `TERM` prints ncurses' own "Error opening terminal" and exits with status 1;
    /// asking first lets the explorer refuse with its own one-line message and exit status 2.
    package static func problem(term: String) -> String? {
        switch duq_terminfo_status(term) {
        case 1: nil
        case -1: "no terminfo database was found (TERM is \(term))"
        default: "TERM '\(term)' is not a terminal this system's terminfo knows"
        }
    }
}
