// See include/duq_mapguard.h. One C file, so the slots exist once per process.
#define _GNU_SOURCE
#include "duq_mapguard.h"
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SLOTS 64

// A slot is free when its start is 0. `length` is written before `start` is published.
static _Atomic uintptr_t slot_start[SLOTS];
static _Atomic size_t slot_length[SLOTS];
static _Atomic unsigned long slot_faults[SLOTS];

static struct sigaction previous;
static uintptr_t page_size = 4096;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void hand_on(int sig, siginfo_t *info, void *context) {
    if (previous.sa_flags & SA_SIGINFO) {
        if (previous.sa_sigaction) { previous.sa_sigaction(sig, info, context); return; }
    } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
        previous.sa_handler(sig);
        return;
    }
    // Default action: restore it and return; the faulting access runs again and ends the process as it would
    // have without us.
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGBUS, &dfl, NULL);
}

static void on_bus(int sig, siginfo_t *info, void *context) {
    uintptr_t at = (uintptr_t)info->si_addr;
    for (int i = 0; i < SLOTS; i++) {
        uintptr_t start = atomic_load(&slot_start[i]);
        if (start == 0 || at < start || at - start >= atomic_load(&slot_length[i])) continue;
        void *page = (void *)(at & ~(page_size - 1));
        if (mmap(page, page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
            atomic_fetch_add(&slot_faults[i], 1);
            return;
        }
        break;
    }
    hand_on(sig, info, context);
}

static void install(void) {
    long p = sysconf(_SC_PAGESIZE);
    if (p > 0) page_size = (uintptr_t)p;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_bus;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, &previous);
}

int duq_mapguard_register(const void *start, size_t length) {
    if (start == NULL || length == 0) return -1;
    pthread_once(&once, install);
    for (int i = 0; i < SLOTS; i++) {
        uintptr_t expected = 0;
        // Claim with a placeholder so no other thread takes the slot, then publish.
        if (atomic_compare_exchange_strong(&slot_start[i], &expected, (uintptr_t)1)) {
            atomic_store(&slot_faults[i], 0);
            atomic_store(&slot_length[i], 0);
            atomic_store(&slot_start[i], (uintptr_t)start);
            atomic_store(&slot_length[i], length);
            return i;
        }
    }
    return -1;
}

unsigned long duq_mapguard_unregister(int slot) {
    if (slot < 0 || slot >= SLOTS) return 0;
    atomic_store(&slot_length[slot], 0);
    unsigned long faults = atomic_load(&slot_faults[slot]);
    atomic_store(&slot_start[slot], 0);
    return faults;
}
