import Testing
import TerminalNcurses

/// The explorer asks terminfo about `TERM` before starting ncurses (issue 10, item 7).
@Suite struct TerminfoTests {
    /// Regression: `TERM=nonexistent` reached `initscr`, which printed ncurses' own "Error opening
    /// terminal: nonexistent." and exited 1. The check must name the problem without exiting.
    @Test func issue10_unknownTermIsAProblemNotAnExit() {
        #expect(Terminfo.problem(term: "nonexistent")?.contains("TERM 'nonexistent' is not a terminal") == true)
        #expect(Terminfo.problem(term: "xterm") == nil)
        // Asking twice, and after a success, still works (what setupterm loaded is freed each time).
        #expect(Terminfo.problem(term: "xterm-256color") == nil)
        #expect(Terminfo.problem(term: "nonexistent") != nil)
    }
}
