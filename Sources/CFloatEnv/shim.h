#ifndef DUQUANT_CFLOATENV_SHIM_H
#define DUQUANT_CFLOATENV_SHIM_H
// The per-thread floating-point mode: flush-to-zero and denormals-are-zero on x86-64 (MXCSR).
// Header-only and stateless: every function reads or writes the calling thread's register.
#if defined(__x86_64__)
#include <xmmintrin.h>

/// MXCSR bit 15, flush-to-zero: a result below the normal range (|x| < 1.18e-38) becomes 0.
static const unsigned int DUQ_MXCSR_FLUSH_TO_ZERO = 0x8000;
/// MXCSR bit 6, denormals-are-zero: a denormal operand is read as 0.
static const unsigned int DUQ_MXCSR_DENORMALS_ARE_ZERO = 0x0040;

/// The calling thread's MXCSR.
static inline unsigned int duq_fp_mode_get(void) { return _mm_getcsr(); }
/// Sets the calling thread's MXCSR.
static inline void duq_fp_mode_set(unsigned int mode) { _mm_setcsr(mode); }
/// The MXCSR bits that make denormals cost nothing: flush-to-zero and denormals-are-zero.
static inline unsigned int duq_fp_mode_flush_bits(void) {
    return DUQ_MXCSR_FLUSH_TO_ZERO | DUQ_MXCSR_DENORMALS_ARE_ZERO;
}
#else
// Other hosts: no mode to set (their denormal handling is left as it is).
static inline unsigned int duq_fp_mode_get(void) { return 0; }
static inline void duq_fp_mode_set(unsigned int mode) { (void)mode; }
static inline unsigned int duq_fp_mode_flush_bits(void) { return 0; }
#endif
#endif
