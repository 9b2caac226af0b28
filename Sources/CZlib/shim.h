#ifndef DUQUANT_CZLIB_SHIM_H
#define DUQUANT_CZLIB_SHIM_H
#include <zlib.h>

/// `inflateInit2` is a macro in zlib.h; Swift cannot call macros, so it is a function here.
/// windowBits -15 selects a raw deflate stream (what .zip/.npz entries hold).
static inline int duq_inflate_init_raw(z_stream *strm) {
    return inflateInit2(strm, -15);
}
#endif
