#!/usr/bin/env python3
"""Writes a LLaMA-7B-shaped down_proj layer for the live-loop end-to-end test: input X 2048×11008 and
weight W 4096×11008 (float32, ~270 MB), shaped like real down_proj inputs rather than plain Gaussians.

X is a SwiGLU product silu(g)·u with per-channel lognormal scales (σ 0.3 for g, 0.5 for u); ~0.5% of the
channels are normal outliers (×10–30 on every token); massive values (300–2000, log-uniform) sit on 3
channels of token 0 and of two other tokens. W ~ N(0, 0.02²). Seeded: the same file every time.
`--tokens N` writes N tokens instead of 2048 (the cross-core test uses 256).

Usage: python3 tests/e2e/make-7b-layer.py OUT.safetensors [--tokens N]
"""
import json
import os
import struct
import sys

import numpy as np

T, C, N = 2048, 11008, 4096
if len(sys.argv) == 4 and sys.argv[2] == "--tokens":
    T = int(sys.argv[3])
elif len(sys.argv) != 2:
    sys.exit("usage: make-7b-layer.py OUT.safetensors [--tokens N]")
rng = np.random.default_rng(11008)


def silu(v):
    return v / (1.0 + np.exp(-v))


g = rng.standard_normal((T, C), dtype=np.float32) * rng.lognormal(0.0, 0.3, C).astype(np.float32)
u = rng.standard_normal((T, C), dtype=np.float32) * rng.lognormal(0.0, 0.5, C).astype(np.float32)
x = silu(g) * u
del g, u
outliers = rng.choice(C, size=max(1, C // 200), replace=False)
x[:, outliers] *= rng.uniform(10.0, 30.0, outliers.size).astype(np.float32)
massive_channels = rng.choice(C, size=3, replace=False)
for t in [0] + sorted(rng.choice(np.arange(1, T), size=2, replace=False).tolist()):
    x[t, massive_channels] = np.exp(rng.uniform(np.log(300.0), np.log(2000.0), 3)).astype(np.float32)
w = (rng.standard_normal((N, C), dtype=np.float32) * np.float32(0.02))

name = "model.layers.1.mlp.down_proj"
tensors = [(name + ".input", x), (name + ".weight", w)]
header, offset = {}, 0
for key, m in tensors:
    header[key] = {"dtype": "F32", "shape": list(m.shape), "data_offsets": [offset, offset + m.nbytes]}
    offset += m.nbytes
header["__metadata__"] = {"source": f"seeded SwiGLU-shaped synthetic layer, {T} tokens (tests/e2e/make-7b-layer.py)"}
head = json.dumps(header, separators=(",", ":")).encode()
head += b" " * ((8 - len(head) % 8) % 8)
with open(sys.argv[1] + ".part", "wb") as f:
    f.write(struct.pack("<Q", len(head)))
    f.write(head)
    for _, m in tensors:
        f.write(np.ascontiguousarray(m, dtype="<f4").tobytes())
os.replace(sys.argv[1] + ".part", sys.argv[1])
