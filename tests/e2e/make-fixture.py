#!/usr/bin/env python3
"""Writes fixtures/tiny.safetensors (+ tiny.json sidecar): three small synthetic layers with
channel outliers and one massive token outlier, for the explorer's end-to-end tests.

Deterministic (seeded), standard library only. Regenerate with: python3 tests/e2e/make-fixture.py
"""
import json
import os
import random
import struct

rng = random.Random(7)
TOKENS = 40


def activation(cols, outlier_channels, massive=None):
    rows = []
    for t in range(TOKENS):
        row = [rng.gauss(0.0, 0.5) for _ in range(cols)]
        for c, scale in outlier_channels:
            row[c] *= scale
            row[c] += scale * 0.5
        if massive and t == massive[0]:
            row[massive[1]] = massive[2]
        rows.append(row)
    return rows


def weight(out, cols):
    return [[rng.gauss(0.0, 0.05) for _ in range(cols)] for _ in range(out)]


layers = {
    "model.layers.0.self_attn.q_proj": (activation(128, [(5, 20.0), (77, 12.0)]), weight(64, 128)),
    "model.layers.0.self_attn.o_proj": (activation(64, [(9, 6.0)]), weight(128, 64)),
    "model.layers.0.mlp.down_proj": (activation(256, [(3, 25.0), (140, 15.0), (200, 8.0)], (0, 3, 900.0)),
                                     weight(128, 256)),
}

tensors = {}
for name, (x, w) in layers.items():
    tensors[name + ".input"] = x
    tensors[name + ".weight"] = w

header = {}
blobs = []
offset = 0
for name in sorted(tensors):
    m = tensors[name]
    data = b"".join(struct.pack("<%df" % len(r), *r) for r in m)
    header[name] = {"dtype": "F32", "shape": [len(m), len(m[0])], "data_offsets": [offset, offset + len(data)]}
    blobs.append(data)
    offset += len(data)
header["__metadata__"] = {"source": "synthetic fixture for the explorer's e2e tests"}
head = json.dumps(header, separators=(",", ":")).encode()
head += b" " * ((8 - len(head) % 8) % 8)

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
os.makedirs(here, exist_ok=True)
with open(os.path.join(here, "tiny.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(head)))
    f.write(head)
    for b in blobs:
        f.write(b)
words = ["<s>", "The", "▁quick", "▁brown", "▁fox", "▁jumps", "▁over", "▁the", "▁lazy", "▁dog", "."]
with open(os.path.join(here, "tiny.json"), "w") as f:
    json.dump({"model": "synthetic", "text_source": "made-up tokens",
               "tokens": [words[i % len(words)] for i in range(TOKENS)]}, f)
    f.write("\n")
print("wrote", os.path.join("fixtures", "tiny.safetensors"))
