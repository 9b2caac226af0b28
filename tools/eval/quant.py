"""W/A fake quantization and the exported transforms, applied in NumPy.

`fake_quant` is the core's `FakeQuantizer` (Sources/DuQuantCore/Quantization/FakeQuantizer.swift) element for
element: per row (token / output channel) min and max times the clip ratio, asymmetric
`scale = clamp((max − min)/(2^b − 1), 1e-5, 1e4)`, `zero = round(clamp(−min/scale, −1e4, 1e4))`,
`q = clamp(round(x/scale) + zero, 0, 2^b − 1)`, result `(q − zero)·scale`, rounding half to even,
float32 throughout. The transforms are never computed here: they are read from the files
`duquant-explorer export` writes (docs/EXPORT.md), whatever method wrote them, and applied with the
core's arithmetic (`apply_transform`): this is the reference the Swift forward pass (`perplexity`) is
tested against.

The quantized layer's product Q(X̃) Q(W̃)ᵀ is accumulated in float64 and rounded to float32
(`llama_forward.matmul`), a transform's rotations in the core's fixed order (`fixed_order_matmul`):
the values reaching the quantizer, and what it
returns, are then the same whatever BLAS kernel runs — with float32 products a last-bit difference
between two kernels moves values across the 4-bit grid's rounding boundaries (llama_forward's docstring).
"""
from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "samples"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_np  # noqa: E402
from llama_forward import matmul  # noqa: E402

MIN_SCALE = np.float32(1e-5)
MAX_SCALE = np.float32(1e4)


@dataclasses.dataclass(frozen=True)
class Quantizer:
    """Per-row fake quantizer; `bits=None` leaves the values alone (the "16" of W4A16)."""
    bits: int | None
    clip: float = 1.0
    symmetric: bool = False

    def __call__(self, m: np.ndarray) -> np.ndarray:
        return m if self.bits is None else fake_quant(m, self.bits, self.clip, self.symmetric)


def fake_quant(m: np.ndarray, bits: int, clip: float = 1.0, symmetric: bool = False) -> np.ndarray:
    """Quantize then dequantize every row of `m` (2-D, float32) like the core's FakeQuantizer."""
    m = np.asarray(m, dtype=np.float32)
    clip = np.float32(clip)
    lo = m.min(axis=1, keepdims=True) * clip
    hi = m.max(axis=1, keepdims=True) * clip
    qmax = np.float32((1 << bits) - 1)
    if symmetric:
        half = np.float32((1 << (bits - 1)) - 1)
        scale = np.clip(np.maximum(np.abs(lo), np.abs(hi)) / half, MIN_SCALE, MAX_SCALE)
        zero = np.full_like(scale, half)
    else:
        scale = np.clip((hi - lo) / qmax, MIN_SCALE, MAX_SCALE)
        zero = np.rint(np.clip(-lo / scale, -MAX_SCALE, MAX_SCALE))
    q = np.clip(np.rint(m / scale) + zero, np.float32(0), qmax)
    return ((q - zero) * scale).astype(np.float32)


def fixed_order_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`a @ b` (float32, stacked over leading dimensions) as the core's `FixedOrder.multiply` computes it:
    each output element `Σ_l a[.., l]·b[l, ..]` summed for l = 0, 1, … in that order in float32, one
    fused multiply-add (one rounding) per term. Emulated in float64: the product of two float32 values is
    exact there, the sum is rounded to odd (the float64 nearest, moved to its odd neighbour when inexact),
    and rounding that to float32 gives the correctly rounded fused result."""
    a = np.asarray(a, np.float32)
    b = np.asarray(b, np.float32)
    acc = np.zeros(a.shape[:-1] + b.shape[-1:], np.float32)
    for l in range(a.shape[-1]):
        p = a[..., l:l + 1].astype(np.float64) * b[..., l:l + 1, :].astype(np.float64)
        c = acc.astype(np.float64)
        s = c + p
        t = s - c
        err = (c - (s - t)) + (p - t)            # TwoSum: s + err = c + p exactly
        bits = s.view(np.int64)
        inexact_even = (err != 0) & ((bits & 1) == 0)
        step = np.where((err > 0) == (s > 0), 1, -1)
        s = np.where(inexact_even, (bits + step).view(np.float64), s)
        acc = s.astype(np.float32)
    return acc


def _block_rotate(m: np.ndarray, rot: np.ndarray | None, tail: np.ndarray | None) -> np.ndarray:
    out = np.empty_like(m)
    done = 0
    if rot is not None and rot.shape[0] > 0:
        k, n, _ = rot.shape
        done = k * n
        blocks = m[:, :done].reshape(m.shape[0], k, n).transpose(1, 0, 2)      # (k, rows, n)
        out[:, :done] = fixed_order_matmul(blocks, rot).transpose(1, 0, 2).reshape(m.shape[0], done)
    if tail is not None:
        out[:, done:] = fixed_order_matmul(m[:, done:], tail)
    elif done < m.shape[1]:
        raise ValueError(f"transform covers {done} channels, matrix has {m.shape[1]}")
    return out


def apply_transform(m: np.ndarray, t: dict[str, np.ndarray], side: str) -> np.ndarray:
    """`m` (rows x in) through transform `t` (docs/EXPORT.md): side "input" divides by the smoothing
    scales, side "weight" multiplies; then every rotation stage and permutation in order.

    The arithmetic is the core's (`DuQuantTransform.apply`), bit for bit, so that the quantizers see the
    same values as in the explorer, `report` and `perplexity`: the smoothing is folded into the first
    rotation (its block rows multiplied by 1/s for the input, by s for the weight, in float32), or, with
    no rotation, the columns are multiplied by 1/s (not divided by s); the rotations are fixed-order
    float32 products (`fixed_order_matmul`)."""
    m = np.asarray(m, dtype=np.float32)
    d = None
    if "smooth_scales" in t:
        s = t["smooth_scales"].astype(np.float32)
        d = np.float32(1) / s if side == "input" else s
    i = 0
    while f"rotation.{i}" in t or f"rotation.{i}.tail" in t:
        rot, tail = t.get(f"rotation.{i}"), t.get(f"rotation.{i}.tail")
        if i == 0 and d is not None:
            k = 0 if rot is None else rot.shape[0] * rot.shape[1]
            if rot is not None:
                rot = (rot.astype(np.float32) * d[:k].reshape(rot.shape[0], rot.shape[1], 1)).astype(np.float32)
            if tail is not None:
                tail = (tail.astype(np.float32) * d[k:, None]).astype(np.float32)
        m = _block_rotate(m, rot, tail)
        if f"permutation.{i}" in t:
            m = m[:, t[f"permutation.{i}"].astype(np.int64)]
        i += 1
    if i == 0 and d is not None:
        m = (m * d).astype(np.float32)
    return m


LOCK = ".duquant-export.lock"
PART = re.compile(r"index-([1-9][0-9]{0,8})-of-([1-9][0-9]{0,8})\.json")
# What the parts of one set agree on (docs/EXPORT.md); an index of the format before has only some.
AGREE = ("format", "method", "source", "source_stamp", "params", "seed", "layer_count")


def merge_parts(parts: dict[int, dict], n: int) -> dict | None:
    """The whole set the part-indexes `parts` (shard k -> index) of `n` shards make, or None: all n
    present, agreeing, with disjoint layers that number `layer_count` (when the parts record it)."""
    if sorted(parts) != list(range(1, n + 1)):
        return None
    first = parts[1]
    if any(p.get(k) != first.get(k) for p in parts.values() for k in AGREE):
        return None
    layers = {}
    for k in range(1, n + 1):
        for name, file in parts[k]["layers"].items():
            if name in layers:
                return None
            layers[name] = file
    if "layer_count" in first and len(layers) != first["layer_count"]:
        return None
    whole = {k: v for k, v in first.items() if k not in ("shard", "layers")}
    whole["shards"] = n
    whole["layers"] = layers
    return whole


def read_index(directory: str) -> dict:
    """The index of an `export --all-layers -o DIR` directory: `index.json`, the commit point; without
    one (a directory written before index.json was merged by the CLI), the part-indexes
    `index-K-of-N.json` when they make a complete set by the rule the CLI merges by."""
    whole = os.path.join(directory, "index.json")
    if os.path.exists(whole):
        with open(whole, encoding="utf-8") as f:
            return json.load(f)
    by_n: dict[int, dict[int, dict]] = {}
    for name in os.listdir(directory):
        m = PART.fullmatch(name)
        if m and int(m.group(1)) <= int(m.group(2)):
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                by_n.setdefault(int(m.group(2)), {})[int(m.group(1))] = json.load(f)
    sets = [s for s in (merge_parts(parts, n) for n, parts in by_n.items()) if s is not None]
    if len(sets) != 1:
        have = ", ".join(f"{k}-of-{n}" for n in sorted(by_n) for k in sorted(by_n[n])) or "none"
        raise FileNotFoundError(f"{directory}: no index.json and no single complete set of part-indexes (have: {have})")
    return sets[0]


def load_transforms(directory: str) -> tuple[dict, dict[str, dict[str, np.ndarray]]]:
    """The index (`read_index`) and every layer's transform of an `export --all-layers -o DIR`
    directory. Only the files the index names are read (each a relative path inside `directory`),
    holding the export's lock shared meanwhile so that no export removes them while they are read."""
    lock = os.path.join(directory, LOCK)
    fd = os.open(lock, os.O_RDONLY | os.O_NOFOLLOW) if os.path.isfile(lock) else None
    try:
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_SH)
        index = read_index(directory)
        out = {}
        for layer, file in index["layers"].items():
            if os.path.isabs(file) or ".." in file.split("/"):
                raise ValueError(f"{directory}: index names a file outside the directory: {file!r}")
            tensors, _ = safetensors_np.load(os.path.join(directory, file))
            out[layer] = {k: np.asarray(v, dtype=np.float32) for k, v in tensors.items()}
    finally:
        if fd is not None:
            os.close(fd)
    return index, out


def output_error(x: np.ndarray, w: np.ndarray, t: dict[str, np.ndarray], qa: Quantizer, qw: Quantizer) -> float:
    """‖X Wᵀ − Q(X̃) Q(W̃)ᵀ‖_F / ‖X Wᵀ‖_F: one layer's output error under a transform (as `report`)."""
    x = np.asarray(x, np.float32)
    w = np.asarray(w, np.float32)
    ref = (x.astype(np.float64) @ w.T.astype(np.float64))
    y = matmul(qa(apply_transform(x, t, "input")), qw(apply_transform(w, t, "weight")).T)
    return float(np.linalg.norm(y - ref) / np.linalg.norm(ref))


def transformed_weights(wts, transforms: dict[str, dict[str, np.ndarray]] | None, name_of) -> dict:
    """W̃ of every linear layer under `transforms` (layer name -> tensors; missing = identity), keyed
    (block, module): computed once per method and reused for every bit setting."""
    transforms = transforms or {}
    return {(b, module): apply_transform(w, transforms.get(name_of(b, module), {}), "weight")
            for b, block in enumerate(wts.blocks) for module, w in block.items() if w.ndim == 2}


class QuantizedLinears:
    """The `linear` function of `llama_forward.forward` for one method and setting: each layer's
    transformed weight W̃ (see `transformed_weights`) is quantized once, each input transformed and
    quantized on the fly."""

    def __init__(self, weights_t: dict, transforms: dict[str, dict[str, np.ndarray]] | None, qa: Quantizer,
                 qw: Quantizer, name_of):
        self.transforms = transforms or {}
        self.qa = qa
        self.name_of = name_of
        self.weights = {key: np.ascontiguousarray(qw(w).T) for key, w in weights_t.items()}

    def __call__(self, block: int, module: str, x: np.ndarray) -> np.ndarray:
        t = self.transforms.get(self.name_of(block, module), {})
        return matmul(self.qa(apply_transform(x, t, "input")), self.weights[(block, module)])
