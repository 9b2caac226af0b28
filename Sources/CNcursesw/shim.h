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
#endif
