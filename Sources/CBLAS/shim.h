#ifndef DUQUANT_CBLAS_SHIM_H
#define DUQUANT_CBLAS_SHIM_H
// OpenBLAS's CBLAS interface. pkg-config `openblas` supplies the include path of the threading variant.
#include <cblas.h>

/// Number of threads OpenBLAS uses for one call (wrapped so Swift sees one stable symbol).
static inline void duq_blas_set_threads(int n) { openblas_set_num_threads(n); }
static inline int duq_blas_get_threads(void) { return openblas_get_num_threads(); }
/// The kernel set ("core") OpenBLAS chose when it loaded, e.g. "Haswell", "Zen", "Prescott".
static inline const char *duq_blas_corename(void) { return openblas_get_corename(); }
/// OpenBLAS's build line, e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64".
static inline const char *duq_blas_config(void) { return openblas_get_config(); }
#endif
