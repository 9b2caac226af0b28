#include "duq_signals.h"

#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

// One copy of the state, shared by every caller (see the header). The handler may run on any thread (a
// process-directed signal goes to whichever thread does not block it, an OpenBLAS worker as often as not),
// so what it reads is published with C11 atomics (lock-free, hence async-signal-safe), not only
// `volatile sig_atomic_t`, which orders nothing between threads.
static _Atomic int pipe_read = -1, pipe_write = -1;
static atomic_int terminating = 0;
static atomic_int leaving = 0;
static struct termios saved_modes;
static atomic_int have_modes = 0;
static atomic_int terminal_fd = -1;
static char restore_bytes[256];
static atomic_int restore_length = 0;

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
    int fd = atomic_load(&terminal_fd);
    if (fd < 0) return;
    int len = atomic_load_explicit(&restore_length, memory_order_acquire);
    if (len > 0) write_all(fd, restore_bytes, len);
    if (atomic_load_explicit(&have_modes, memory_order_acquire)) tcsetattr(fd, TCSANOW, &saved_modes);
}

static void handler(int sig) {
    int saved = errno;
    if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
        // A second request, or any request once shutdown has begun: the run loop may be stuck, so give the
        // terminal back here and leave without running exit handlers (no library teardown under live threads).
        if (atomic_exchange(&terminating, 1) || atomic_load(&leaving)) {
            duq_signals_restore_terminal();
            _exit(128 + sig);
        }
    }
    unsigned char c = (unsigned char)sig;
    int fd = atomic_load(&pipe_write);
    if (fd >= 0) { ssize_t n = write(fd, &c, 1); (void)n; }
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
    if (atomic_load(&pipe_read) < 0) {
        int fds[2];
        if (pipe(fds) != 0) return -1;
        for (int i = 0; i < 2; i++) {
            fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
            fcntl(fds[i], F_SETFD, FD_CLOEXEC);
        }
        atomic_store(&pipe_write, fds[1]);
        atomic_store(&pipe_read, fds[0]);
    }
    for (unsigned i = 0; i < sizeof routed / sizeof routed[0]; i++) {
        if (route(routed[i]) != 0) return -1;
    }
    return atomic_load(&pipe_read);
}

int duq_signals_take(void) {
    unsigned char c = 0;
    int fd = atomic_load(&pipe_read);
    if (fd < 0) return 0;
    return read(fd, &c, 1) == 1 ? (int)c : 0;
}

static void set_default(int sig) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

void duq_signals_stop_self(void) {
    set_default(SIGTSTP);
    // Stop the whole process (every thread) as the terminal driver would; execution resumes on SIGCONT.
    kill(getpid(), SIGTSTP);
    route(SIGTSTP);
}

void duq_signals_save_modes(int fd) {
    if (tcgetattr(fd, &saved_modes) == 0) atomic_store_explicit(&have_modes, 1, memory_order_release);
    atomic_store(&terminal_fd, fd);
}

void duq_signals_set_restore_text(const char *text, int len) {
    if (len < 0 || !text) len = 0;
    if (len > (int)sizeof restore_bytes - 1) len = (int)sizeof restore_bytes - 1;
    // Unpublish, write, publish: a handler sees either no text or the whole of it.
    atomic_store_explicit(&restore_length, 0, memory_order_release);
    if (len > 0) memcpy(restore_bytes, text, (size_t)len);
    atomic_store_explicit(&restore_length, len, memory_order_release);
}

void duq_signals_leaving(void) { atomic_store(&leaving, 1); }
