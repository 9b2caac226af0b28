#ifndef DUQUANT_CMALLOC_SHIM_H
#define DUQUANT_CMALLOC_SHIM_H
// Giving freed heap memory back to the kernel. Header-only and stateless.
#if defined(__GLIBC__)
#include <malloc.h>

/// Returns the free memory of every malloc arena to the kernel (`malloc_trim(0)`): whole free pages
/// inside the heaps as well as their tops. 1 if any was returned.
static inline int duq_release_free_heap(void) { return malloc_trim(0); }
#else
// Other C libraries: nothing to ask.
static inline int duq_release_free_heap(void) { return 0; }
#endif
#endif
