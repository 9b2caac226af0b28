"""W/A fake quantization and the exported transforms, applied in NumPy.

`fake_quant` is the core's `FakeQuantizer` (Sources/DuQuantCore/FakeQuantizer.swift) element for
element: per row (token / output channel) min and max times the clip ratio, asymmetric
`scale = clamp((max − min)/(2^b − 1), 1e-5, 1e4)`, `zero = round(clamp(−min/scale, −1e4, 1e4))`,
`q = clamp(round(x/scale) + zero, 0, 2^b − 1)`, result `(q − zero)·scale`, rounding half to even,
float32 throughout. The transforms are never computed here: they are read from the files
`duquant-explorer export` writes (docs/EXPORT.md), whatever method wrote them, and applied.

Every product here (a transform's rotations, the quantized layer's Q(X̃) Q(W̃)ᵀ) is accumulated in
float64 and rounded to float32 (`llama_forward.matmul`): the values reaching the quantizer, and what it
returns, are then the same whatever BLAS kernel runs — with float32 products a last-bit difference
between two kernels moves values across the 4-bit grid's rounding boundaries (llama_forward's docstring).
"""
from __future__ import annotations

import dataclasses
import json
import os
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


def _block_rotate(m: np.ndarray, rot: np.ndarray | None, tail: np.ndarray | None) -> np.ndarray:
    out = np.empty_like(m)
    done = 0
    if rot is not None and rot.shape[0] > 0:
        k, n, _ = rot.shape
        done = k * n
        blocks = m[:, :done].reshape(m.shape[0], k, n).transpose(1, 0, 2)      # (k, rows, n)
        out[:, :done] = matmul(blocks, rot).transpose(1, 0, 2).reshape(m.shape[0], done)
    if tail is not None:
        out[:, done:] = matmul(m[:, done:], tail)
    elif done < m.shape[1]:
        raise ValueError(f"transform covers {done} channels, matrix has {m.shape[1]}")
    return out


def apply_transform(m: np.ndarray, t: dict[str, np.ndarray], side: str) -> np.ndarray:
    """`m` (rows x in) through transform `t` (docs/EXPORT.md): side "input" divides by the smoothing
    scales, side "weight" multiplies; then every rotation stage and permutation in order."""
    m = np.asarray(m, dtype=np.float32)
    if "smooth_scales" in t:
        s = t["smooth_scales"].astype(np.float32)
        m = m / s if side == "input" else m * s
    i = 0
    while f"rotation.{i}" in t or f"rotation.{i}.tail" in t:
        m = _block_rotate(m, t.get(f"rotation.{i}"), t.get(f"rotation.{i}.tail"))
        if f"permutation.{i}" in t:
            m = m[:, t[f"permutation.{i}"].astype(np.int64)]
        i += 1
    return m


def load_transforms(directory: str) -> tuple[dict, dict[str, dict[str, np.ndarray]]]:
    """The index and every layer's transform of an `export --all-layers -o DIR` directory (its
    `index.json`, or the `index-K-of-N.json` of every shard, merged)."""
    names = sorted(n for n in os.listdir(directory) if n == "index.json" or
                   (n.startswith("index-") and n.endswith(".json")))
    if not names:
        raise FileNotFoundError(f"{directory}: no index.json")
    index = None
    for n in names:
        with open(os.path.join(directory, n), encoding="utf-8") as f:
            part = json.load(f)
        if index is None:
            index = part
        else:
            index["layers"].update(part["layers"])
    out = {}
    for layer, file in index["layers"].items():
        tensors, _ = safetensors_np.load(os.path.join(directory, file))
        out[layer] = {k: np.asarray(v, dtype=np.float32) for k, v in tensors.items()}
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
