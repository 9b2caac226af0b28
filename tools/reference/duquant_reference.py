#!/usr/bin/env python3
"""The official DuQuant calibration, op for op, in NumPy float32: the benchmark's peer.

A port of the activation path of the official code's UniformAffineQuantizer: `rotation()` (the full
greedy search over the reshaped (tokens*K x block) matrix), `permutation_zigzag()`,
`online_duquant_cali()` with permutation_times=1, and `get_rot()` (E_n, the Givens product with
rows/columns 0 and n-1 exchanged, times diag(1, Q') with Q' from the QR of a Gaussian matrix).
Every step multiplies the whole reshaped activation by the exchanged rotation and scans all of it,
as the official code does; nothing is skipped. Only the torch calls are replaced by their NumPy
equivalents (argmax/argmin of the flattened matrix, matmul, abs().max(axis=0)).

Usage:
    python3 duquant_reference.py --input X.npy [--block 128] [--steps 256] [--max-steps N]
                                 [--weight W.npy --smooth --alpha 0.6] [--threads 2] [--seed 0] [--json]

`--smooth` first applies the official SmoothQuant-style smoothing the official run script enables
(`--smooth --alpha 0.6`): per input channel j, `s_j = max_t|X_tj|^alpha / max_o|W_oj|^(1-alpha)`, each
maximum and `s` clamped to at least 1e-5, and the calibration runs on `X / s` (the weight would be
multiplied by `s`). It needs the weight (`--weight`, out x in). The smoothing is inside the clock.

`--max-steps N` stops each rotation stage after N greedy steps (the peak prefix is still chosen
among those steps) and reports the per-step time, so a caller can extrapolate a full run; the JSON
says `"truncated": true` when that happened.
"""

import argparse
import json
import os
import sys
import time


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--input", required=True, help="activation, tokens x channels, float32 .npy")
    p.add_argument("--block", type=int, default=128)
    p.add_argument("--steps", type=int, default=256, help="max_rotation_step of the official code")
    p.add_argument("--max-steps", type=int, default=None, help="stop each stage after this many steps")
    p.add_argument("--permutation-times", type=int, default=1)
    p.add_argument("--threads", type=int, default=None, help="BLAS threads (set before NumPy loads)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--weight", default=None, help="weight, out x in, float32 .npy (for --smooth)")
    p.add_argument("--smooth", action="store_true", help="smooth X with the weight first (official --smooth)")
    p.add_argument("--alpha", type=float, default=0.6, help="smoothing strength (official --alpha)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p.parse_args(argv)


ARGS = parse_args(sys.argv[1:])
if ARGS.threads is not None:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402  (after the thread variables, which BLAS reads when it loads)


def exchange_row_col(tensor, i, j):
    """utils.exchange_row_col: rows i, j exchanged, then columns i, j (on a copy)."""
    rows = np.arange(tensor.shape[0])
    rows[i], rows[j] = rows[j], rows[i]
    t = tensor[rows]
    cols = np.arange(t.shape[1])
    cols[i], cols[j] = cols[j], cols[i]
    return t[:, cols]


def givens_base(n):
    """get_rot.py: R = G_{n-2} ... G_0 (float32), then rows/columns 0 and n-1 exchanged."""
    r = np.eye(n, dtype=np.float32)
    for i in range(n - 1):
        rot_i = np.eye(n, dtype=np.float32)
        cos = 1 / np.sqrt(i + 2)
        sin = np.sqrt(i + 1) / np.sqrt(i + 2)
        rot_i[i, i] = rot_i[i + 1, i + 1] = cos
        rot_i[i, i + 1] = -sin
        rot_i[i + 1, i] = sin
        r = rot_i @ r
    return exchange_row_col(r, 0, n - 1)


_BASE = {}


def get_rot(n, rng):
    """utils.get_rot: E_n @ diag(1, Q') with Q' the Q of a Gaussian (n-1)x(n-1) matrix."""
    if n not in _BASE:
        _BASE[n] = givens_base(n)
    random_matrix = rng.standard_normal((n - 1, n - 1)).astype(np.float32)
    q, _ = np.linalg.qr(random_matrix)
    q = np.concatenate([np.zeros((n - 1, 1), dtype=np.float32), q.astype(np.float32)], axis=1)
    q = np.concatenate([np.zeros((1, n), dtype=np.float32), q], axis=0)
    q[0, 0] = 1
    return _BASE[n] @ q


def rotation(weight, block, max_rotation_step, rng, stop_after=None, exact=False):
    """UniformAffineQuantizer.rotation (score_func=None, other=None).

    With `exact`, every decision (argmax/argmin, |max| > |min|, the kept prefix) is taken on the same
    chain computed in float64 instead of float32, ties to the first index, and the kept rotation is
    composed in float64: the rule the explorer follows so that its choices do not depend on the BLAS
    kernel (docs/DECISIONS.md, "Screen fast, decide exactly"). The timed float32 loop is unchanged.
    """
    hidden_dim = weight.shape[-1]
    original = weight.copy()
    exchange_ids, peak_values = [], []
    w = weight.reshape(-1, block)
    w64 = w.astype(np.float64) if exact else None
    rot = get_rot(block, rng)
    rot64 = rot.astype(np.float64)
    steps = max_rotation_step if stop_after is None else min(max_rotation_step, stop_after)

    def decide(m):
        r, c = divmod(int(m.argmax()), m.shape[-1])
        r2, c2 = divmod(int(m.argmin()), m.shape[-1])
        return r, c, r2, c2, m[r, c], m[r2, c2]

    t0 = time.perf_counter()
    for _ in range(steps + 1):
        r, c, r2, c2, hi, lo = decide(w64 if exact else w)
        peak_values.append(float(hi - lo))
        exchange_id = r if abs(hi) > abs(lo) else r2
        exchange_ids.append(exchange_id)
        if len(exchange_ids) > steps:
            break
        R = exchange_row_col(rot, 0, exchange_id % block)
        w = w @ R
        if exact:
            w64 = w64 @ exchange_row_col(rot64, 0, exchange_id % block)
    loop_seconds = time.perf_counter() - t0

    # torch.argmin(torch.tensor(peak_values)): float32, first minimum (float64 with `exact`).
    select_length = int(np.argmin(np.asarray(peak_values, dtype=np.float64 if exact else np.float32)))
    kept_ids = exchange_ids[:select_length]
    R_ = np.eye(block, dtype=np.float64 if exact else np.float32)
    for eid in kept_ids:
        R_ = R_ @ exchange_row_col(rot64 if exact else rot, 0, eid % block)
    R_ = R_.astype(np.float32)
    out = (original.reshape(-1, block) @ R_).reshape(-1, hidden_dim)
    stage = {
        "steps": steps,
        "loop_seconds": loop_seconds,
        "kept": select_length,
        "peak_first": peak_values[0],
        "peak_min": peak_values[select_length],
        "peak_last": peak_values[-1],
        "chosen_head": [int(e) % block for e in exchange_ids[:8]],
    }
    return out, R_, stage


def permutation_zigzag(weight, block):
    """UniformAffineQuantizer.permutation_zigzag."""
    hidden_dim = weight.shape[-1]
    weight_max = np.abs(weight).max(axis=0)
    pairs = [(i, float(weight_max[i])) for i in range(hidden_dim)]
    pairs.sort(key=lambda x: x[1], reverse=True)
    buckets = [[] for _ in range(hidden_dim // block)]
    cur, up = 0, True
    for item in pairs:
        buckets[cur].append(item)
        if up:
            cur += 1
            if cur == len(buckets):
                cur -= 1
                up = False
        else:
            cur -= 1
            if cur == -1:
                cur += 1
                up = True
    for b in buckets:
        b.sort(key=lambda x: x[1], reverse=True)
    perm = np.zeros(hidden_dim, dtype=np.int64)
    for i, b in enumerate(buckets):
        perm[i * block:(i + 1) * block] = [p[0] for p in b]
    return weight[:, perm], perm


def online_duquant_cali(x, block, steps, permutation_times, rng, stop_after):
    """UniformAffineQuantizer.online_duquant_cali: (rotation, zigzag) x permutation_times, rotation."""
    stages = []
    for _ in range(permutation_times):
        x, _, info = rotation(x, block, steps, rng, stop_after)
        stages.append(info)
        x, _ = permutation_zigzag(x, block)
    x, _, info = rotation(x, block, steps, rng, stop_after)
    stages.append(info)
    return x, stages


def smoothing_scales(x, w, alpha):
    """Per-channel smoothing scales: max|X|^alpha / max|W|^(1-alpha), clamped at 1e-5 throughout."""
    act = np.maximum(np.abs(x).max(axis=0), 1e-5)
    wmax = np.maximum(np.abs(w).max(axis=0), 1e-5)
    return np.maximum(act ** alpha / wmax ** (1 - alpha), 1e-5).astype(np.float32)


def blas_name():
    """The BLAS NumPy links, from numpy.show_config."""
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg["Build Dependencies"]["blas"]
        return f'{blas.get("name", "?")} {blas.get("version", "")}'.strip()
    except Exception:  # older NumPy: no dict mode
        return "unknown"


def main():
    rng = np.random.default_rng(ARGS.seed)
    t0 = time.perf_counter()
    x = np.load(ARGS.input).astype(np.float32, copy=False)
    x = x.reshape(-1, x.shape[-1])
    load_seconds = time.perf_counter() - t0
    if x.shape[1] % ARGS.block != 0:
        sys.exit(f"channels {x.shape[1]} not a multiple of block {ARGS.block} (the official code needs that)")

    # The official code loads E_n from Rot.pkl (made offline by get_rot.py): build it before the clock.
    _BASE[ARGS.block] = givens_base(ARGS.block)
    w = None
    if ARGS.smooth:
        if ARGS.weight is None:
            sys.exit("--smooth needs --weight (the smoothing scales use the weight's column maxima)")
        w = np.load(ARGS.weight, mmap_mode="r")
        if w.ndim != 2 or w.shape[1] != x.shape[1]:
            sys.exit(f"weight shape {w.shape} does not match the activation's {x.shape[1]} channels")
    t0 = time.perf_counter()
    smooth_seconds = 0.0
    if w is not None:
        s = smoothing_scales(x, np.asarray(w, dtype=np.float32), ARGS.alpha)
        x = x / s
        smooth_seconds = time.perf_counter() - t0
    out, stages = online_duquant_cali(x, ARGS.block, ARGS.steps, ARGS.permutation_times, rng, ARGS.max_steps)
    seconds = time.perf_counter() - t0

    truncated = any(s["steps"] < ARGS.steps for s in stages)
    loop = sum(s["loop_seconds"] for s in stages)
    done = sum(s["steps"] for s in stages)
    per_step = loop / done if done else 0.0
    # A full run: the same fixed work plus every stage's loop at the measured per-step time.
    full = seconds - loop + per_step * ARGS.steps * len(stages)
    result = {
        "shape": list(x.shape),
        "block": ARGS.block,
        "steps_requested": ARGS.steps,
        "steps_done": [s["steps"] for s in stages],
        "truncated": truncated,
        "calibration_seconds": seconds,
        "per_step_seconds": per_step,
        "full_run_seconds": full,
        "full_run_extrapolated": truncated,
        "load_seconds": load_seconds,
        "smooth": w is not None,
        "alpha": ARGS.alpha if w is not None else None,
        "smooth_seconds": smooth_seconds,
        "stages": stages,
        "final_max_abs": float(np.abs(out).max()),
        "numpy": np.__version__,
        "blas": blas_name(),
        "threads": ARGS.threads,
    }
    if ARGS.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k}: {v}")


if __name__ == "__main__":
    main()
