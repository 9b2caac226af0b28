#ifndef DUQUANT_CBLAS_SHIM_H
#define DUQUANT_CBLAS_SHIM_H
// OpenBLAS's CBLAS interface. pkg-config `openblas` supplies the include path of the threading variant.
#include <cblas.h>

/// Number of threads OpenBLAS uses for one call (wrapped so Swift sees one stable symbol).
static inline void duq_blas_set_threads(int n) { openblas_set_num_threads(n); }
static inline int duq_blas_get_threads(void) { return openblas_get_num_threads(); }
#endif
