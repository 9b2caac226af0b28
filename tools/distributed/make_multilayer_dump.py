#!/usr/bin/env python3
"""Writes a multi-layer dump shaped like `make eval`'s (SmolLM2-135M: hidden 576, MLP 1536, k/v 192),
with fewer blocks and tokens, for `make test-distributed` when out/eval/ holds no dump.

    python3 tools/distributed/make_multilayer_dump.py OUT.safetensors [--blocks 4] [--tokens 128]

Every block has the seven linears under the names `make eval` uses (model.layers.B.self_attn.q_proj …
mlp.down_proj), float16 like its dump, k_proj and v_proj sharing q_proj's input and up_proj sharing
gate_proj's (the `duquant.shared_inputs` metadata). Inputs have a few outlier channels and, for
down_proj, one massive token, as real activations do. Deterministic (seeded), standard library only.
"""

import argparse
import json
import random
import struct

HIDDEN, MLP, KV = 576, 1536, 192
# module -> (in, out); the input it shares, if any.
MODULES = [("self_attn.q_proj", HIDDEN, HIDDEN), ("self_attn.k_proj", HIDDEN, KV), ("self_attn.v_proj", HIDDEN, KV),
           ("self_attn.o_proj", HIDDEN, HIDDEN), ("mlp.gate_proj", HIDDEN, MLP), ("mlp.up_proj", HIDDEN, MLP),
           ("mlp.down_proj", MLP, HIDDEN)]
SHARED = {"self_attn.k_proj": "self_attn.q_proj", "self_attn.v_proj": "self_attn.q_proj", "mlp.up_proj": "mlp.gate_proj"}


def activation(rng: random.Random, tokens: int, cols: int, massive: bool) -> list[float]:
    outliers = {rng.randrange(cols): rng.uniform(8, 30) for _ in range(4)}
    values = []
    for t in range(tokens):
        row = [rng.gauss(0.0, 0.5) for _ in range(cols)]
        for c, scale in outliers.items():
            row[c] = row[c] * scale + scale / 2
        if massive and t == 0:
            row[rng.randrange(cols)] = 900.0
        values += row
    return values


def weight(rng: random.Random, out: int, cols: int) -> list[float]:
    return [rng.gauss(0.0, 0.04) for _ in range(out * cols)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--blocks", type=int, default=4)
    ap.add_argument("--tokens", type=int, default=128)
    ap.add_argument("--seed", type=int, default=29)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    tensors, shared = [], {}
    for b in range(a.blocks):
        for module, n_in, n_out in MODULES:
            name = f"model.layers.{b}.{module}"
            if module in SHARED:
                shared[name] = f"model.layers.{b}.{SHARED[module]}"
            else:
                tensors.append((name + ".input", [a.tokens, n_in],
                                activation(rng, a.tokens, n_in, module == "mlp.down_proj")))
            tensors.append((name + ".weight", [n_out, n_in], weight(rng, n_out, n_in)))
    header, blobs, offset = {"__metadata__": {"duquant.shared_inputs": json.dumps(shared, separators=(",", ":"))}}, [], 0
    for name, shape, values in tensors:
        blob = struct.pack(f"<{len(values)}e", *values)
        header[name] = {"dtype": "F16", "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(a.out, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


if __name__ == "__main__":
    main()
