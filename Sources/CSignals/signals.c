#include "duq_signals.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

// One copy of the state, shared by every caller (see the header).
static int pipe_fds[2] = { -1, -1 };
static volatile sig_atomic_t terminating = 0;
static volatile sig_atomic_t leaving = 0;
static struct termios saved_modes;
static volatile sig_atomic_t have_modes = 0;
static int terminal_fd = -1;
static char restore_bytes[256];
static int restore_length = 0;

static const int routed[] = { SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGCONT };

static void write_all(int fd, const char *p, int n) {
    while (n > 0) {
        ssize_t w = write(fd, p, (size_t)n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        p += w;
        n -= (int)w;
    }
}

void duq_signals_restore_terminal(void) {
    if (terminal_fd < 0) return;
    if (restore_length > 0) write_all(terminal_fd, restore_bytes, restore_length);
    if (have_modes) tcsetattr(terminal_fd, TCSANOW, &saved_modes);
}

static void handler(int sig) {
    int saved = errno;
    if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
        // A second request, or any request once shutdown has begun: the run loop may be stuck, so give the
        // terminal back here and leave without running exit handlers (no library teardown under live threads).
        if (terminating || leaving) {
            duq_signals_restore_terminal();
            _exit(128 + sig);
        }
        terminating = 1;
    }
    unsigned char c = (unsigned char)sig;
    if (pipe_fds[1] >= 0) { ssize_t n = write(pipe_fds[1], &c, 1); (void)n; }
    errno = saved;
}

static int route(int sig) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    // Block the other routed signals while one is handled: the counters change one at a time.
    for (unsigned i = 0; i < sizeof routed / sizeof routed[0]; i++) sigaddset(&sa.sa_mask, routed[i]);
    sa.sa_flags = SA_RESTART;
    return sigaction(sig, &sa, NULL);
}

int duq_signals_install(void) {
    if (pipe_fds[0] < 0) {
        if (pipe(pipe_fds) != 0) { pipe_fds[0] = pipe_fds[1] = -1; return -1; }
        for (int i = 0; i < 2; i++) {
            fcntl(pipe_fds[i], F_SETFL, fcntl(pipe_fds[i], F_GETFL) | O_NONBLOCK);
            fcntl(pipe_fds[i], F_SETFD, FD_CLOEXEC);
        }
    }
    for (unsigned i = 0; i < sizeof routed / sizeof routed[0]; i++) {
        if (route(routed[i]) != 0) return -1;
    }
    return pipe_fds[0];
}

int duq_signals_take(void) {
    unsigned char c = 0;
    if (pipe_fds[0] < 0) return 0;
    return read(pipe_fds[0], &c, 1) == 1 ? (int)c : 0;
}

static void set_default(int sig) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

void duq_signals_restore_defaults(void) {
    for (unsigned i = 0; i < sizeof routed / sizeof routed[0]; i++) set_default(routed[i]);
}

void duq_signals_stop_self(void) {
    set_default(SIGTSTP);
    // Stop the whole process (every thread) as the terminal driver would; execution resumes on SIGCONT.
    kill(getpid(), SIGTSTP);
    route(SIGTSTP);
}

void duq_signals_save_modes(int fd) {
    terminal_fd = fd;
    if (tcgetattr(fd, &saved_modes) == 0) have_modes = 1;
}

void duq_signals_set_restore_text(const char *text, int len) {
    if (len < 0 || !text) len = 0;
    if (len > (int)sizeof restore_bytes - 1) len = (int)sizeof restore_bytes - 1;
    restore_length = 0;
    if (len > 0) memcpy(restore_bytes, text, (size_t)len);
    restore_length = len;
}

void duq_signals_leaving(void) { leaving = 1; }
