#!/usr/bin/env python3
"""Peak sgemm of an independent BLAS, for `duquant-explorer bench` to compare its own peak against.

Times C = A·Bᵀ (A m×k, B n×k, float32; by default 2048×4096×4096, the bench's peak product) with
NumPy's matmul, or with `cblas_sgemm` of a shared library loaded through ctypes (`--library`, e.g.
BLIS's libblis.so.4 or the system's libopenblas.so.0, whose core OPENBLAS_CORETYPE then picks).
One warm-up call, then `--runs` timed calls; the best is the peak, as in the bench.

Usage:
    python3 blas_peak.py [--threads 2] [--runs 5] [--m 2048 --n 4096 --k 4096]
                         [--library PATH] [--json]

Prints one JSON object with `--json`: gflops_best, gflops_median, seconds, the library's name,
version and (for OpenBLAS and BLIS) the kernel set in use.
"""

import argparse
import ctypes
import json
import os
import statistics
import sys
import time


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--m", type=int, default=2048)
    p.add_argument("--n", type=int, default=4096)
    p.add_argument("--k", type=int, default=4096)
    p.add_argument("--library", default=None, help="a shared library with cblas_sgemm (32-bit ints)")
    p.add_argument("--json", action="store_true")
    return p.parse_args(argv)


ARGS = parse_args(sys.argv[1:])
# Every BLAS reads its thread count when it loads: set them all before NumPy or ctypes loads one.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402

# CBLAS enumerations (cblas.h): row-major, no transpose, transpose.
ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112


def describe_library(lib):
    """Name, version and kernel set of a ctypes-loaded BLAS, as far as it says."""
    if hasattr(lib, "openblas_get_config"):
        lib.openblas_get_config.restype = ctypes.c_char_p
        lib.openblas_get_corename.restype = ctypes.c_char_p
        config = lib.openblas_get_config().decode()
        version = config.split()[1] if config.startswith("OpenBLAS ") else config
        return "OpenBLAS", version, lib.openblas_get_corename().decode()
    if hasattr(lib, "bli_info_get_version_str"):
        lib.bli_info_get_version_str.restype = ctypes.c_char_p
        lib.bli_arch_string.restype = ctypes.c_char_p
        arch = lib.bli_arch_string(lib.bli_arch_query_id()).decode()
        return "BLIS", lib.bli_info_get_version_str().decode(), arch
    return os.path.basename(ARGS.library), "?", "?"


def numpy_blas():
    """The BLAS NumPy links, from numpy.show_config."""
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return blas.get("name", "?"), str(blas.get("version", "?")), "?"
    except Exception:  # older NumPy: no dict mode
        return "numpy's BLAS", "?", "?"


def main():
    m, n, k = ARGS.m, ARGS.n, ARGS.k
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((n, k), dtype=np.float32)
    c = np.empty((m, n), dtype=np.float32)
    if ARGS.library:
        lib = ctypes.CDLL(ARGS.library)
        name, version, core = describe_library(lib)
        f = ctypes.POINTER(ctypes.c_float)
        lib.cblas_sgemm.restype = None
        lib.cblas_sgemm.argtypes = [ctypes.c_int] * 6 + [ctypes.c_float, f, ctypes.c_int, f, ctypes.c_int,
                                                         ctypes.c_float, f, ctypes.c_int]
        pa, pb, pc = (x.ctypes.data_as(f) for x in (a, b, c))

        def product():
            lib.cblas_sgemm(ROW_MAJOR, NO_TRANS, TRANS, m, n, k, 1.0, pa, k, pb, k, 0.0, pc, n)
    else:
        name, version, core = numpy_blas()
        bt = b.T

        def product():
            np.matmul(a, bt, out=c)

    product()
    times = []
    for _ in range(ARGS.runs):
        t0 = time.perf_counter()
        product()
        times.append(time.perf_counter() - t0)
    # A cheap sanity check that the library computed the product at all.
    row = a[:1].astype(np.float64) @ b.T.astype(np.float64)
    rel = float(np.abs(row - c[:1]).max() / np.abs(row).max())
    flops = 2.0 * m * n * k
    result = {
        "library": name, "version": version, "core": core, "numpy": np.__version__,
        "threads": ARGS.threads, "shape": [m, n, k], "runs": ARGS.runs,
        "seconds": times, "gflops_best": flops / min(times) / 1e9,
        "gflops_median": flops / statistics.median(times) / 1e9, "first_row_rel_error": rel,
    }
    if ARGS.json:
        print(json.dumps(result))
    else:
        print(f"{name} {version} ({core}), {ARGS.threads} threads: best {result['gflops_best']:.1f} GFLOP/s, "
              f"median {result['gflops_median']:.1f}, first-row relative error {rel:.1e}")


if __name__ == "__main__":
    main()
