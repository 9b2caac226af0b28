#ifndef DUQUANT_CSIGNALS_H
#define DUQUANT_CSIGNALS_H
// Signal handling for the explorer's run loop. The state (the self-pipe, the saved terminal modes, the
// text that restores the screen) lives in one C file, signals.c: a `static` in a header would be a separate
// copy in every file that includes it, and which copy a caller reached differed between debug and release
// (Ctrl-C was recorded in one pipe and never read from the other).

/// Routes SIGINT, SIGTERM, SIGHUP, SIGTSTP and SIGCONT into a non-blocking self-pipe; returns its read end,
/// or -1. Idempotent.
int duq_signals_install(void);

/// The next recorded signal number, or 0 when none is pending.
int duq_signals_take(void);


/// Stops the process as the default SIGTSTP action would; returns after SIGCONT with the handler re-armed.
void duq_signals_stop_self(void);

/// Remembers the terminal modes of `fd` (call before the UI changes them), to restore from a signal handler.
void duq_signals_save_modes(int fd);

/// Remembers the bytes that leave the UI's screen modes (alternate screen, hidden cursor, mouse reporting),
/// written to the terminal by ``duq_signals_restore_terminal`` (at most 255 bytes are kept).
void duq_signals_set_restore_text(const char *text, int len);

/// Marks the start of shutdown: from now on a SIGINT, SIGTERM or SIGHUP ends the process at once.
void duq_signals_leaving(void);

/// Restores the saved terminal (modes and screen) without ncurses; async-signal-safe.
void duq_signals_restore_terminal(void);

#endif
