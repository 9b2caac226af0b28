#!/usr/bin/env python3
"""Write samples/toy/zigzag.safetensors (+ zigzag.json): a tiny teaching sample for DuQuant's zigzag
permutation; and samples/toy/outlier.safetensors (+ outlier.json): the paper's figure of a massive
outlier spread by rotation 1, dealt out by the zigzag permutation and flattened by rotation 2.

8 tokens x 16 channels, two outlier channels (1 and 2) that sit in the same block of 4 channels in
the natural order. DuQuant's zigzag permutation sorts channels by their max |x| and deals them to the
blocks 0,1,2,3,3,2,1,0,0,1,... so that every block gets a similar share of large and small channels;
the variance of the block means of per-channel maxima drops, which is what lets the second block
rotation spread the outliers evenly.

Only NumPy is needed: python3 tools/samples/make_toy_sample.py
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import safetensors_np  # noqa: E402

TOKENS, CHANNELS, OUT, BLOCK = 8, 16, 8, 4
PREFIX = "model.layers.0.mlp.down_proj"


def zigzag_order(channel_max: np.ndarray, block: int) -> np.ndarray:
    """Channel order after DuQuant's zigzag permutation (new position -> old channel)."""
    n = channel_max.shape[0]
    n_blocks = n // block
    ranked = np.argsort(-channel_max, kind="stable")        # largest first
    blocks: list[list[int]] = [[] for _ in range(n_blocks)]
    for r, ch in enumerate(ranked):
        sweep, pos = divmod(r, n_blocks)
        b = pos if sweep % 2 == 0 else n_blocks - 1 - pos   # 0,1,..,B-1, B-1,..,0, 0,1,..
        blocks[b].append(int(ch))
    return np.array([ch for b in blocks for ch in b])


def block_stats(channel_max: np.ndarray, order: np.ndarray, block: int):
    means = channel_max[order].reshape(-1, block).mean(axis=1)
    return means, float(means.var())


def main() -> None:
    rng = np.random.default_rng(20240604)
    x = np.round(rng.normal(0.0, 1.0, size=(TOKENS, CHANNELS)), 2)
    x[:, 1] = np.round(x[:, 1] * 8.0 + 12.0, 2)     # outlier channel, max around 20+
    x[:, 2] = np.round(x[:, 2] * 4.0 - 9.0, 2)      # second outlier channel (negative), |max| ~ 10+
    x = x.astype(np.float32)
    w = np.round(rng.normal(0.0, 0.25, size=(OUT, CHANNELS)), 2).astype(np.float32)

    cmax = np.abs(x).max(axis=0).astype(np.float64)
    identity = np.arange(CHANNELS)
    zz = zigzag_order(cmax, BLOCK)
    sorted_order = np.argsort(-cmax, kind="stable")
    m_id, v_id = block_stats(cmax, identity, BLOCK)
    m_zz, v_zz = block_stats(cmax, zz, BLOCK)
    m_so, v_so = block_stats(cmax, sorted_order, BLOCK)
    assert v_zz < v_id / 2, (v_zz, v_id)   # the point of the sample: zigzag balances the blocks
    print("per-channel max |x|:", np.round(cmax, 2).tolist())
    print(f"block means, natural order: {np.round(m_id, 3).tolist()} variance {v_id:.3f}")
    print(f"block means, zigzag order : {np.round(m_zz, 3).tolist()} variance {v_zz:.3f}")
    print(f"block means, plain sort   : {np.round(m_so, 3).tolist()} variance {v_so:.3f}")
    print("zigzag order (new position -> old channel):", zz.tolist())

    out_dir = os.path.join(REPO, "samples", "toy")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "zigzag.safetensors")
    safetensors_np.save(path, {PREFIX + ".input": x, PREFIX + ".weight": w},
                        {"duquant.shared_inputs": "{}", "model": "toy (DuQuant zigzag teaching sample)",
                         "sidecar": "zigzag.json"})
    y = x @ w.T
    sidecar = {
        "model": "toy: hand-made teaching matrix, not a real model",
        "source": "tools/samples/make_toy_sample.py (NumPy, seed 20240604, values rounded to 0.01)",
        "text_source": "none: the 8 'tokens' are just rows t0..t7",
        "token_ids": list(range(TOKENS)),
        "tokens": [f"t{i}" for i in range(TOKENS)],
        "explanation": (
            "8 tokens x 16 channels with two outlier channels (1: large positive, 2: large negative). "
            "With block size 4 both outliers fall into block 0 in the natural channel order, so block 0's "
            "mean of per-channel max |x| is far above the others. DuQuant's zigzag permutation ranks "
            "channels by max |x| and deals them to blocks 0,1,2,3,3,2,1,0,0,1,2,3,3,2,1,0: the two "
            "outliers land in different blocks and each block also gets small channels, so the variance "
            "of the block means drops. A plain descending sort would make it worse: it puts the four "
            "largest channels together."),
        "block_size": BLOCK,
        # The explorer opens the sample with these (command-line options win): the permutation alone.
        "parameters": {"block": BLOCK, "steps": 0, "no-smooth": True},
        "channel_max_abs": [round(float(v), 4) for v in cmax],
        "natural": {"order": identity.tolist(), "block_means": [round(float(v), 4) for v in m_id],
                    "variance": round(v_id, 4)},
        "zigzag": {"order": zz.tolist(), "block_means": [round(float(v), 4) for v in m_zz],
                   "variance": round(v_zz, 4),
                   "order_note": "new position -> original channel index"},
        "plain_sort": {"order": sorted_order.tolist(), "block_means": [round(float(v), 4) for v in m_so],
                       "variance": round(v_so, 4)},
        "variance_definition": "population variance (ddof=0) of the 4 block means of per-channel max |x|",
        "weights_note": "random weights (8 x 16, N(0, 0.25) rounded to 0.01), HF orientation out x in",
        "xwt_example_row0": [round(float(v), 4) for v in y[0]],
        "layers": {"bundled": [{"layer": 0, "modules": ["mlp.down_proj"], "kind": "toy"}]},
        "dtype": "float32",
    }
    with open(os.path.join(out_dir, "zigzag.json"), "w", encoding="utf-8") as f:
        json.dump(sidecar, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(path, REPO)} and zigzag.json")
    write_outlier_sample(out_dir)


OUTLIER = 100.0
OUTLIER_BLOCK = 2
OUTLIER_CHANNELS = 8


def write_outlier_sample(out_dir: str) -> None:
    """8 tokens x 8 channels, blocks of 2; token 0 holds one massive value (100 at channel 1) and zeros.

    By hand, with one greedy step per rotation (the sidecar's parameters): a rotation of a block of 2
    is [[1, 1], [-1, 1]]/sqrt(2) up to signs and order, so rotation 1 turns token 0's block 0 (0, 100)
    into 100/sqrt(2) = 70.71 in channels 0 and 1 (peak 100 -> 70.71). Those two channels are now the
    largest, and the zigzag deals the largest to block 0 and the next to block 1, each beside a small
    channel. Rotation 2 spreads each over its block: 70.71/sqrt(2) = 50 in channels 0-3 (peak 70.71 -> 50).
    The other tokens are small noise (|x| <= 1) and stay small. The greedy search keeps a step only if
    the block's max - min drops: a spread to (70.71, -70.71) would raise it, so the sidecar picks seed 2,
    whose random completions keep both signs positive (the other seeds keep no step here).
    """
    rng = np.random.default_rng(20240605)
    x = np.round(rng.uniform(-1.0, 1.0, size=(TOKENS, OUTLIER_CHANNELS)), 2)
    x[0, :] = 0.0
    x[0, 1] = OUTLIER
    x = x.astype(np.float32)
    w = np.round(rng.normal(0.0, 0.25, size=(OUT, OUTLIER_CHANNELS)), 2).astype(np.float32)
    path = os.path.join(out_dir, "outlier.safetensors")
    safetensors_np.save(path, {PREFIX + ".input": x, PREFIX + ".weight": w},
                        {"duquant.shared_inputs": "{}", "model": "toy (DuQuant massive-outlier teaching sample)",
                         "sidecar": "outlier.json"})
    sidecar = {
        "model": "toy: hand-made teaching matrix, not a real model",
        "source": "tools/samples/make_toy_sample.py (NumPy, seed 20240605, values rounded to 0.01)",
        "text_source": "none: the 8 'tokens' are just rows t0..t7",
        "token_ids": list(range(TOKENS)),
        "tokens": [f"t{i}" for i in range(TOKENS)],
        "explanation": (
            "The paper's figure in numbers. Token 0 holds one massive value, 100 in channel 1; the other "
            "tokens are small noise. Rotation 1 (one greedy step, blocks of 2) spreads it over block 0: "
            "100/sqrt(2) = 70.71 in channels 0 and 1. The zigzag permutation deals the two large channels "
            "to blocks 0 and 1, each beside a small one. Rotation 2 spreads each over its block: "
            "70.71/sqrt(2) = 50 in channels 0-3. Token 0's peak goes 100 -> 70.71 -> 50. Seed 2: with "
            "another seed a rotation may spread to 70.71 and -70.71, a larger max - min, and the greedy "
            "search keeps no step (press [ ] on the seed row to see it)."),
        "block_size": OUTLIER_BLOCK,
        "parameters": {"block": OUTLIER_BLOCK, "steps": 1, "no-smooth": True, "seed": 2},
        "expected_token0": {"original": [0.0, OUTLIER] + [0.0] * (OUTLIER_CHANNELS - 2),
                            "rotation1": [OUTLIER / 2 ** 0.5] * 2 + [0.0] * (OUTLIER_CHANNELS - 2),
                            "rotation2": [OUTLIER / 2] * 4 + [0.0] * (OUTLIER_CHANNELS - 4)},
        "weights_note": "random weights (8 x 8, N(0, 0.25) rounded to 0.01), HF orientation out x in",
        "layers": {"bundled": [{"layer": 0, "modules": ["mlp.down_proj"], "kind": "toy"}]},
        "dtype": "float32",
    }
    with open(os.path.join(out_dir, "outlier.json"), "w", encoding="utf-8") as f:
        json.dump(sidecar, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(path, REPO)} and outlier.json")


if __name__ == "__main__":
    main()
