#ifndef DUQUANT_CNCURSESW_SHIM_H
#define DUQUANT_CNCURSESW_SHIM_H
// SwiftPM drops pkg-config -D flags, so the wide-character API is switched on here.
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <ncursesw/ncurses.h>

// Globals and function-like macros do not import into Swift 6; they are named functions here.
static inline WINDOW *duq_stdscr(void) { return stdscr; }
static inline int duq_lines(void) { return LINES; }
static inline int duq_cols(void) { return COLS; }
static inline int duq_colors(void) { return COLORS; }
static inline int duq_color_pairs(void) { return COLOR_PAIRS; }
static inline void duq_getmaxyx(WINDOW *w, int *y, int *x) { int yy, xx; getmaxyx(w, yy, xx); *y = yy; *x = xx; }
static inline attr_t duq_a_normal(void) { return A_NORMAL; }
static inline attr_t duq_a_bold(void) { return A_BOLD; }
static inline attr_t duq_a_reverse(void) { return A_REVERSE; }
static inline attr_t duq_a_underline(void) { return A_UNDERLINE; }
static inline attr_t duq_a_dim(void) { return A_DIM; }
static inline int duq_key_f(int n) { return KEY_F(n); }
static inline mmask_t duq_all_mouse_events(void) { return ALL_MOUSE_EVENTS | REPORT_MOUSE_POSITION; }
static inline mmask_t duq_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t duq_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t duq_button1_released(void) { return BUTTON1_RELEASED; }
static inline mmask_t duq_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t duq_button5_pressed(void) { return BUTTON5_PRESSED; }
static inline int duq_key_mouse(void) { return KEY_MOUSE; }
static inline int duq_key_resize(void) { return KEY_RESIZE; }
static inline int duq_set_locale_all(void) { return setlocale(LC_ALL, "") != NULL; }
// MARK: - Cells, input and mouse (used by TerminalNcurses)
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>
#include <wchar.h>

/// Draws one glyph with attributes and an extended colour pair at (y, x) of stdscr.
static inline int duq_put_cell(int y, int x, unsigned int glyph, unsigned int mark, attr_t attrs, int pair) {
    cchar_t cc;
    // A combining mark (0: none) follows its base character in the same cell.
    wchar_t wch[3] = { (wchar_t)glyph, (wchar_t)mark, 0 };
    if (setcchar(&cc, wch, attrs, 0, &pair) != OK) return ERR;
    return mvwadd_wch(stdscr, y, x, &cc);
}

/// Reads one key: returns OK with a character, KEY_CODE_YES with a key code, or ERR.
static inline int duq_get_wch(unsigned int *out) {
    wint_t w = 0;
    int r = wget_wch(stdscr, &w);
    *out = (unsigned int)w;
    return r;
}

static inline int duq_key_code_yes(void) { return KEY_CODE_YES; }
static inline int duq_err(void) { return ERR; }

/// The pending mouse event: position and button state; returns ERR if none.
static inline int duq_get_mouse(int *x, int *y, unsigned long *state) {
    MEVENT ev;
    if (getmouse(&ev) != OK) return ERR;
    *x = ev.x; *y = ev.y; *state = (unsigned long)ev.bstate;
    return OK;
}

/// The terminfo string `cap` (e.g. "rmcup"), or NULL when the terminal lacks it.
static inline const char *duq_tigetstr(const char *cap) {
    char *s = tigetstr(cap);
    return (s == NULL || s == (char *)-1) ? NULL : s;
}
static inline short duq_pollhup(void) { return POLLHUP | POLLERR | POLLNVAL; }
static inline int duq_sigint(void) { return SIGINT; }
static inline int duq_sigterm(void) { return SIGTERM; }
static inline int duq_sighup(void) { return SIGHUP; }
static inline int duq_sigtstp(void) { return SIGTSTP; }
static inline int duq_sigcont(void) { return SIGCONT; }
// Last: <term.h> defines many lower-case capability macros (lines, columns, bell, …).
#include <ncursesw/term.h>

/// Whether terminfo describes `term`: 1 yes, 0 no such entry, -1 no terminfo database. Unlike initscr,
/// which prints "Error opening terminal" and exits, this only asks (setupterm with an error return) and
/// frees what it loaded.
static inline int duq_terminfo_status(const char *term) {
    int err = 0;
    if (setupterm(term, 1, &err) != OK) return err == 1 ? 0 : err;
    del_curterm(cur_term);
    return 1;
}
#endif
