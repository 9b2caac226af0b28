#!/usr/bin/env python3
"""Write the three teaching toys of samples/toy, each a .safetensors file with a sidecar .json:

- channels: 16 tokens x 64 channels, one channel holding 200 on every other token beside ordinary
  values; the mechanism decides the error there, and DuQuant has the lowest output error;
- outlier: the paper's figure of a massive outlier spread by rotation 1, dealt out by the zigzag
  permutation and flattened by rotation 2 (where plain RTN wins, and its caption says why);
- zigzag: a tiny sample for DuQuant's zigzag permutation alone.

8 tokens x 16 channels, two outlier channels (1 and 2) that sit in the same block of 4 channels in
the natural order. DuQuant's zigzag permutation sorts channels by their max |x| and deals them to the
blocks 0,1,2,3,3,2,1,0,0,1,... so that every block gets a similar share of large and small channels;
the variance of the block means of per-channel maxima drops, which is what lets the second block
rotation spread the outliers evenly.

The data needs NumPy only. The figures the captions quote (each method's output error, …) are computed by
the explorer itself: build it first (swift build -c release), then

    python3 tools/samples/make_toy_sample.py [--bin .build/release/duquant-explorer]

Every figure a caption quotes is also listed under the sidecar's "caption_figures" key (what was
computed, under which parameters, and the text the caption shows); Tests/ExplorerCLITests/ToySampleTests
recomputes each one, so a change in the core that moves a figure fails until the toys are regenerated.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

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


def explorer_binary(given: str | None) -> str:
    """The duquant-explorer that computes the captions' figures (the release build, else the debug one)."""
    candidates = [given] if given else [os.path.join(REPO, ".build", kind, "duquant-explorer")
                                         for kind in ("release", "debug")]
    for path in candidates:
        if path and os.access(path, os.X_OK):
            return path
    sys.exit("make_toy_sample: the captions quote figures the explorer computes: build it first "
             "(swift build -c release) or name it with --bin PATH")


def as_options(parameters: dict) -> list[str]:
    """A sidecar's "parameters" object as command-line options: {"block": 2, "no-smooth": true} -> --block 2 --no-smooth."""
    out: list[str] = []
    for name, value in parameters.items():
        if value is True:
            out.append(f"--{name}")
        elif value is not False:
            out += [f"--{name}", str(value)]
    return out


def report(binary: str, path: str, parameters: dict) -> dict:
    """Each method's figures (JSON of `report PATH --anatomy`) under exactly `parameters` (over the defaults)."""
    cmd = [binary, "report", path, "--format", "json", "--anatomy"] + as_options(parameters)
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"make_toy_sample: {' '.join(cmd)} failed: {out.stderr.strip()}")
    return json.loads(out.stdout)["layers"][0]["methods"]


def significant(x: float, digits: int = 3) -> str:
    """`x` with `digits` significant digits, as the docs write figures: 0.0402, 0.197, 12.3."""
    if x == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    return f"{round(x, decimals):.{decimals}f}"


class Figures:
    """The figures a caption quotes, computed by the explorer on the toy's file and recorded for the test.

    `f(method, figure, **changes)` is the text of one figure: `figure` is a key of the report's JSON for
    that method (output_rel_error, act_max_abs) or of its anatomy (out_act_only, out_weight_only: an
    error; act_clip_share, weight_clip_share: a percentage); `changes` are parameters that differ from
    the sidecar's for this figure (e.g. lac=0.9). Each is appended to `listed` as the sidecar's
    "caption_figures" entry that ToySampleTests recomputes.
    """

    def __init__(self, binary: str, path: str, parameters: dict):
        self.binary, self.path, self.parameters = binary, path, parameters
        self.reports: dict[str, dict] = {}
        self.listed: list[dict] = []

    def value(self, method: str, figure: str, changes: dict) -> float:
        params = dict(self.parameters, **changes)
        key = json.dumps(params, sort_keys=True)
        if key not in self.reports:
            self.reports[key] = report(self.binary, self.path, params)
        m = self.reports[key][method]
        return float(m[figure] if figure in m else m["anatomy"][figure])

    def __call__(self, method: str, figure: str, **changes) -> str:
        v = self.value(method, figure, {k.replace("_", "-"): c for k, c in changes.items()})
        text = f"{v * 100:.0f}%" if figure.endswith("clip_share") else significant(v)
        entry = {"text": text, "method": method, "figure": figure}
        if changes:
            entry["parameters"] = {k.replace("_", "-"): c for k, c in changes.items()}
        if entry not in self.listed:
            self.listed.append(entry)
        return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", help="duquant-explorer binary that computes the captions' figures "
                        "(default: .build/release/duquant-explorer, else .build/debug/duquant-explorer)")
    parser.add_argument("--survey", type=int, metavar="N",
                        help="write nothing; say for how many of N data seeds the channels toy's recipe keeps "
                        "its promise (DuQuant lowest, 1.5x below RTN and SmoothQuant, at DuQuant seeds 0-9)")
    args = parser.parse_args()
    binary = explorer_binary(args.bin)
    if args.survey:
        survey(binary, args.survey)
        return
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
    parameters = {"block": BLOCK, "steps": 0, "no-smooth": True}
    f = Figures(binary, path, parameters)
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
            "largest channels together. The errors do not move: a permutation alone (no rotation, no "
            "smoothing) changes no token's and no weight row's min and max, so without clipping DuQuant's "
            f"output error equals RTN's ({f('duquant', 'output_rel_error', lac=1, swc=1)} and "
            f"{f('rtn', 'output_rel_error')}); the paper's clip ratios make it {f('duquant', 'output_rel_error')}."),
        "block_size": BLOCK,
        # The explorer opens the sample with these (command-line options win): the permutation alone.
        "parameters": parameters,
        "caption_figures": f.listed,
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
    write_outlier_sample(out_dir, binary)
    write_channels_sample(out_dir, binary)


OUTLIER = 100.0
OUTLIER_BLOCK = 2
OUTLIER_CHANNELS = 8


def write_outlier_sample(out_dir: str, binary: str) -> None:
    """8 tokens x 8 channels, blocks of 2; token 0 holds one massive value (100 at channel 1) and zeros.

    By hand, with one greedy step per rotation (the sidecar's parameters): a rotation of a block of 2
    is [[1, 1], [-1, 1]]/sqrt(2) up to signs and order, so rotation 1 turns token 0's block 0 (0, 100)
    into 100/sqrt(2) = 70.71 in channels 0 and 1 (peak 100 -> 70.71). Those two channels are now the
    largest, and the zigzag deals the largest to block 0 and the next to block 1, each beside a small
    channel. Rotation 2 spreads each over its block: 70.71/sqrt(2) = 50 in channels 0-3 (peak 70.71 -> 50).
    The other tokens are small noise (|x| <= 1) and stay small. The greedy search keeps a step only if
    the block's max - min drops: a spread to (70.71, -70.71) would raise it, so the sidecar picks seed 2,
    whose random completions keep both signs positive (the other seeds keep no step here).

    RTN has the lower output error on this toy, and the caption says why: per-token scales represent a
    row such as [0, 100, 0, ...] exactly (its min 0 and max 100 are both on RTN's grid), so flattening it
    gains nothing; and with the paper's clip ratios (0.9 / 0.8) DuQuant cuts token 0's four 50s.
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
    parameters = {"block": OUTLIER_BLOCK, "steps": 1, "no-smooth": True, "seed": 2}
    f = Figures(binary, path, parameters)
    sidecar = {
        "model": "toy: hand-made teaching matrix, not a real model",
        "source": "tools/samples/make_toy_sample.py (NumPy, seed 20240605, values rounded to 0.01)",
        "text_source": "none: the 8 'tokens' are just rows t0..t7",
        "token_ids": list(range(TOKENS)),
        "tokens": [f"t{i}" for i in range(TOKENS)],
        "explanation": (
            "The paper's figure: token 0 holds 100 in channel 1 (the others small noise); rotation 1 spreads "
            "it to 70.71 twice, the zigzag deals those to blocks 0 and 1, rotation 2 spreads each to 50 in "
            f"channels 0-3. Yet RTN wins here ({f('rtn', 'output_rel_error')}, DuQuant "
            f"{f('duquant', 'output_rel_error')}). Per-token scales: token 0's 16 levels run from 0 to 100, so "
            "[0, 100, 0, ...] is exact (RTN with only activations quantized: "
            f"{f('rtn', 'out_act_only')}); flattening gains nothing. Clipping: the paper's 0.9/0.8 cut the four "
            f"50s: {f('duquant', 'act_clip_share')} of DuQuant's activation error, "
            f"{f('duquant', 'weight_clip_share')} of its weight error; without clipping it gets "
            f"{f('duquant', 'output_rel_error', lac=1, swc=1)}, still above RTN. Rotations pay where a token "
            "holds ordinary values beside its outlier (the channels toy). Seed 2: with another seed a rotation "
            "may spread to 70.71 and -70.71, a larger max - min, "
            "and the greedy search keeps no step (press [ ] on the seed row to see it)."),
        "block_size": OUTLIER_BLOCK,
        "parameters": parameters,
        "caption_figures": f.listed,
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


CH_TOKENS, CH_CHANNELS, CH_OUT, CH_BLOCK = 16, 64, 16, 16
CH_CHANNEL, CH_VALUE = 9, 200.0
# The recipe's data seeds start at 20240606; the toy takes the first that keeps the promise at DuQuant seeds
# 0-9 (20240606 and 20240607 miss the 1.5x margin over SmoothQuant at one seed each; see `--survey`).
CH_SURVEY_FROM, CH_SEED = 20240606, 20240608
CH_PARAMETERS = {"block": CH_BLOCK, "lac": 1, "swc": 1}
METHODS = ["rtn", "smoothquant", "hadamard", "quarot", "duquant"]


def channels_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """16 tokens x 64 channels: ordinary values (normal, each channel its own scale exp(0.3 z)), channel 9
    set to 200 on the even tokens; a 16 x 64 weight N(0, 0.25). Values rounded to 0.01."""
    rng = np.random.default_rng(seed)
    scale = np.exp(0.3 * rng.normal(size=CH_CHANNELS))
    x = np.round(rng.normal(size=(CH_TOKENS, CH_CHANNELS)) * scale, 2)
    x[0::2, CH_CHANNEL] = CH_VALUE
    w = np.round(rng.normal(0.0, 0.25, size=(CH_OUT, CH_CHANNELS)), 2)
    return x.astype(np.float32), w.astype(np.float32)


def channels_ranking(binary: str, path: str, seeds) -> list[str]:
    """Why `path` fails the channels toy's promise, per seed (empty when DuQuant has the lowest output error
    at every seed, at least 1.5x below RTN's and SmoothQuant's)."""
    problems = []
    for seed in seeds:
        errors = {m: v["output_rel_error"] for m, v in report(binary, path, dict(CH_PARAMETERS, seed=seed)).items()}
        best = min(errors, key=errors.get)
        dq = errors["duquant"]
        if best != "duquant" or errors["rtn"] < 1.5 * dq or errors["smoothquant"] < 1.5 * dq:
            problems.append(f"seed {seed}: " + ", ".join(f"{m} {significant(errors[m])}" for m in METHODS))
    return problems


def survey(binary: str, count: int) -> None:
    """How often the recipe keeps its promise over data seeds 20240606 ... (DuQuant seeds 0-9 each)."""
    kept = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "channels.safetensors")
        for seed in range(CH_SURVEY_FROM, CH_SURVEY_FROM + count):
            x, w = channels_data(seed)
            safetensors_np.save(path, {PREFIX + ".input": x, PREFIX + ".weight": w})
            problems = channels_ranking(binary, path, range(10))
            kept += not problems
            print(f"data seed {seed}: " + ("kept at DuQuant seeds 0-9" if not problems else "; ".join(problems)))
    print(f"{kept} of {count} data seeds keep the promise at every DuQuant seed 0-9")


def write_channels_sample(out_dir: str, binary: str) -> None:
    """16 tokens x 64 channels, blocks of 16: an outlier channel shared by half the tokens, beside ordinary
    values, where the mechanism decides the error and DuQuant has the lowest output error.

    Channel 9 is 200 on the even tokens (0, 2, ..., 14); every other value is ordinary (normal, each
    channel its own scale). RTN's per-token scales represent 200 well, but each weight's rounding error
    in channel 9 is multiplied by 200. SmoothQuant (alpha 0.5) moves part of the 200 into the weight's
    column, so both sides keep an outlier. A rotation alone keeps each token's norm, so the weights'
    error is multiplied as much as before. DuQuant smooths (alpha 0.6), then its rotations and the zigzag
    spread what remains over all 64 channels of both the activations and the weights.

    Clipping is off in the sidecar (lac 1, swc 1): on rows of 64 values, after the rotations a row's
    extremes are several values of similar size, and the paper's 0.9 / 0.8 (chosen for rows of
    thousands of channels) cut them all; the caption gives DuQuant's error with them.

    Not tuned to one seed: `--survey 16` runs the recipe on data seeds 20240606 ... 20240621. DuQuant has
    the lowest output error of the five methods at every DuQuant seed 0-9 on all 16; its error is at
    least 1.5x below RTN's and SmoothQuant's at every seed 0-9 on 12 of them (on the other 4 SmoothQuant
    comes within 1.5x at one or more seeds: its error is 1.3-1.5x DuQuant's there). The toy uses the
    first data seed that keeps the whole promise, 20240608; the generator refuses to write one that
    misses it at any seed 0-9.
    """
    x, w = channels_data(CH_SEED)
    path = os.path.join(out_dir, "channels.safetensors")
    safetensors_np.save(path, {PREFIX + ".input": x, PREFIX + ".weight": w},
                        {"duquant.shared_inputs": "{}", "model": "toy (DuQuant shared-outlier-channel teaching sample)",
                         "sidecar": "channels.json"})
    problems = channels_ranking(binary, path, range(10))
    if problems:
        sys.exit("make_toy_sample: channels toy: DuQuant is not lowest by 1.5x: " + "; ".join(problems))
    f = Figures(binary, path, CH_PARAMETERS)
    ordinary = float(np.abs(np.delete(x, CH_CHANNEL, axis=1)).max())
    errors = ", ".join(f"{name} {f(m, 'output_rel_error')}" for name, m in
                       [("RTN", "rtn"), ("SmoothQuant", "smoothquant"), ("block Hadamard", "hadamard"),
                        ("QuaRot-style", "quarot"), ("DuQuant", "duquant")])
    sidecar = {
        "model": "toy: hand-made teaching matrix, not a real model",
        "source": f"tools/samples/make_toy_sample.py (NumPy, seed {CH_SEED}, values rounded to 0.01)",
        "text_source": f"none: the {CH_TOKENS} 'tokens' are just rows t0..t{CH_TOKENS - 1}",
        "token_ids": list(range(CH_TOKENS)),
        "tokens": [f"t{i}" for i in range(CH_TOKENS)],
        "explanation": (
            f"Where DuQuant wins, and why. {CH_TOKENS} tokens x {CH_CHANNELS} channels, blocks of {CH_BLOCK}: "
            f"channel {CH_CHANNEL} holds {CH_VALUE:.0f} on every other token (t0, t2, ..., t14), every other "
            f"value is ordinary (|x| <= {ordinary:.2f}), the weight is random. Output error at W4A4: {errors}. "
            f"RTN: its per-token scales keep the {CH_VALUE:.0f} itself, but every weight's 4-bit rounding error "
            f"in channel {CH_CHANNEL} is multiplied by {CH_VALUE:.0f} (with only the weights quantized its error "
            f"is already {f('rtn', 'out_weight_only')}). SmoothQuant (alpha 0.5) divides channel "
            f"{CH_CHANNEL} by its scale and multiplies the weight's column by it: the outlier drops to "
            f"{f('smoothquant', 'act_max_abs')}, still far above the rest of its token, and the weight's "
            "column becomes the outlier of every weight row, so both quantizers lose the ordinary values "
            f"(only activations quantized {f('smoothquant', 'out_act_only')}, only weights "
            f"{f('smoothquant', 'out_weight_only')}). A rotation alone (block Hadamard, QuaRot-style) "
            "flattens the activations but keeps each token's norm, so the weights' error is multiplied as "
            f"much as before (only weights {f('quarot', 'out_weight_only')} for QuaRot-style). DuQuant "
            f"smooths first (alpha 0.6), then rotation 1 spreads what is left of channel {CH_CHANNEL} over its "
            f"block of {CH_BLOCK}, the zigzag deals those channels to all {CH_CHANNELS // CH_BLOCK} blocks and "
            "rotation 2 spreads them again, in the activations and in the weights alike: max |x~| "
            f"{f('duquant', 'act_max_abs')} (from {CH_VALUE:.0f}), only activations "
            f"{f('duquant', 'out_act_only')}, only weights {f('duquant', 'out_weight_only')}. Clipping is "
            "off here (act clip and weight clip 1). The paper's 0.9 and 0.8 suit rows of thousands of "
            f"channels; on rows of {CH_CHANNELS}, after the rotations a row's extremes are several values of "
            "similar size and clipping cuts them all: with 0.9 / 0.8 DuQuant's error would be "
            f"{f('duquant', 'output_rel_error', lac=0.9, swc=0.8)}, behind SmoothQuant's "
            f"({f('duquant', 'weight_clip_share', lac=0.9, swc=0.8)} of its weight error from clipping; "
            "press [ ] on those rows to see it). Without clipping DuQuant is first at every seed 0-9 "
            "(the seed row), at least 1.5x below RTN and SmoothQuant."),
        "block_size": CH_BLOCK,
        "parameters": CH_PARAMETERS,
        "caption_figures": f.listed,
        "outlier": {"channel": CH_CHANNEL, "value": CH_VALUE, "tokens": list(range(0, CH_TOKENS, 2))},
        "weights_note": f"random weights ({CH_OUT} x {CH_CHANNELS}, N(0, 0.25) rounded to 0.01), HF orientation out x in",
        "layers": {"bundled": [{"layer": 0, "modules": ["mlp.down_proj"], "kind": "toy"}]},
        "dtype": "float32",
    }
    with open(os.path.join(out_dir, "channels.json"), "w", encoding="utf-8") as fh:
        json.dump(sidecar, fh, indent=1)
        fh.write("\n")
    print(f"wrote {os.path.relpath(path, REPO)} and channels.json")


if __name__ == "__main__":
    main()
