"""docs/RESULTS.md, the printed table and the sidecar's `model_eval` entry, from the results JSON."""
from __future__ import annotations

# LLaMA-2-7B, W4A4, WikiText-2 perplexity as the DuQuant paper reports it (arXiv 2406.01721, rounded as
# quoted in issue 15).
PAPER = {"model": "LLaMA-2-7B", "fp": 5.5, "smoothquant": 83.0, "omniquant": 14.0, "duquant": 6.3}


def _fmt(x: float) -> str:
    if x >= 1000:
        return f"{x:,.0f}"
    return f"{x:.2f}" if x < 100 else f"{x:.1f}"


def _grid(results):
    """{method: {setting: perplexity}} for the first seed, the methods in run order."""
    out = {}
    for r in results["rows"]:
        if r["method"] == "fp" or r.get("seed", results["params"]["seeds"][0]) != results["params"]["seeds"][0]:
            continue
        out.setdefault(r["method"], {"title": r["title"]})[r["setting"]] = r["perplexity"]
    return out


SETTINGS = ["W4A4", "W4A16", "W8A8", "W4A16 no clip", "W8A8 no clip"]


def table(results) -> str:
    grid, fp, sp = _grid(results), results["fp_perplexity"], results["duquant_seed_spread"]
    lines = ["| method | " + " | ".join(SETTINGS) + " | W4A4 ÷ FP |", "|---|" + "---:|" * (len(SETTINGS) + 1)]
    lines.append("| FP (float32) | " + " | ".join(_fmt(fp) for _ in SETTINGS) + " | 1.00 |")
    for m, row in grid.items():
        cells = []
        for s in SETTINGS:
            cell = _fmt(row[s]) if s in row else "—"
            for one in results.get("seed_spreads", [sp]):
                if m == one["method"] and s == one["setting"] and len(one["perplexities"]) > 1:
                    cell += f" (seeds {', '.join(str(x) for x in one['seeds'])}: {_fmt(one['min'])}–{_fmt(one['max'])}, " \
                            f"mean {_fmt(one['mean'])} ± {one['std']:.2f})"
            cells.append(cell)
        lines.append(f"| {row['title']} | " + " | ".join(cells) + f" | {row['W4A4'] / fp:.2f} |")
    return "\n".join(lines)


def sidecar_entry(results) -> dict:
    """What the explorer reads from the dump's sidecar (key `model_eval`)."""
    grid, sp, p = _grid(results), results["duquant_seed_spread"], results["params"]
    return {
        "metric": "perplexity",
        "text": "Apache-2.0 excerpt, %d tokens" % results["evaluation"]["tokens"],
        "fp": results["fp_perplexity"],
        "methods": {m: {s: row[s] for s in SETTINGS if s in row} for m, row in grid.items()},
        "seed_spread": {"method": sp["method"], "setting": sp["setting"], "seeds": len(sp["seeds"]),
                        "min": sp["min"], "max": sp["max"]},
        "params": f"alpha {p['alpha']} block {p['block']} steps {p['steps']} lac {p['lac']} swc {p['swc']}",
        **({"block_sensitivity": results["block_sensitivity"]} if "block_sensitivity" in results else {}),
        "date": results["date"],
    }


def _sensitivity(results) -> str:
    s = results.get("block_sensitivity")
    if not s:
        return ""
    fp = results["fp_perplexity"]
    per = s["perplexity_per_block"]
    rise = [max(0.0, v - fp) for v in per]
    total = sum(rise) or 1.0
    top = sorted(range(len(per)), key=lambda b: -per[b])[:6]
    rows = "\n".join(f"| {b} | {_fmt(per[b])} | {per[b] / fp - 1:+.1%} | {rise[b] / total:.0%} |" for b in top)
    full = {r["method"]: r["perplexity"] for r in results["rows"]
            if r["setting"] == s["setting"] and r.get("seed", s["seed"]) == s["seed"]}.get(s["method"])
    return f"""## Which blocks cost the most (second pass)

`run_eval.py --sensitivity` (or `--sensitivity-only` after a run): {_title(results, s['method'])} at {s['setting']} on one block's seven
linear layers at a time, the rest in float32 ({len(per)} forward passes, {s['seconds']:.0f} s). The blocks that
cost the most alone; the last column is each one's share of the summed rises (the rises do not add up to the
whole model's {_fmt(full) if full else '?'}: errors compound across blocks):

| block | perplexity, this block alone quantized | vs FP | share |
|---:|---:|---:|---:|
{rows}

Every block alone: {", ".join(f"{b}: {per[b] / fp - 1:+.1%}" for b in range(len(per)))}. On {results['evaluation']['predicted']}
predicted tokens a change of a percent or two is within the noise (the lowest, {min(per) / fp - 1:+.1%}, is below FP).

"""


def _seed_verdict(grid, sp) -> str:
    """Whether the runner-up lies outside DuQuant's seed spread (then the gap is not seed noise)."""
    others = {m: row["W4A4"] for m, row in grid.items() if m != sp["method"] and "W4A4" in row}
    if not others:
        return ""
    m = min(others, key=others.get)
    where = "above every seed's figure: that gap is not seed noise" if others[m] > sp["max"] else "within that spread"
    return f"; the next best, {grid[m]['title']} at {_fmt(others[m])}, is {where}"


def _title(results, method) -> str:
    return next((r["title"] for r in results["rows"] if r["method"] == method), method)


def _opt(v, f) -> str:
    return f(v) if v is not None else ""


def _load(results) -> str:
    la = results["machine"].get("load_average_1min_at_start_and_end")
    return f" (1-minute load average {la[0]} at the start, {la[1]} at the end, this run included)" if la else ""


def markdown(results) -> str:
    grid, fp, sp, p = _grid(results), results["fp_perplexity"], results["duquant_seed_spread"], results["params"]
    t = results["timings_seconds"]
    w4a4 = {m: row["W4A4"] for m, row in grid.items()}
    order = sorted(w4a4, key=w4a4.get)
    titles = {m: row["title"] for m, row in grid.items()}
    ranking = " < ".join(f"{titles[m]} {_fmt(w4a4[m])}" for m in order)
    rtn16 = grid["rtn"]["W4A16"]
    rtn16_noclip = grid["rtn"].get("W4A16 no clip")
    rtn8, rtn8_noclip = grid["rtn"]["W8A8"], grid["rtn"].get("W8A8 no clip")
    g = results["q4_1_grid"]
    paper_ranking = (f"DuQuant {PAPER['duquant']} ({PAPER['duquant'] / PAPER['fp']:.2f}× FP) < OmniQuant "
                     f"{PAPER['omniquant']:.0f} ({PAPER['omniquant'] / PAPER['fp']:.1f}×) < SmoothQuant "
                     f"{PAPER['smoothquant']:.0f} ({PAPER['smoothquant'] / PAPER['fp']:.0f}×)")
    duq, sq = w4a4.get("duquant"), w4a4.get("smoothquant")
    same_top = order[0] == "duquant"
    sq_vs_duq = sq / duq if sq and duq else float("nan")
    calib = t.get("calibrate (duquant-explorer export)", 0)
    return f"""# Model-level results: W4A4 perplexity of SmolLM2-135M per method

Written by `make eval` (`tools/eval/run_eval.py`) on {results['date']}; the raw numbers are in
[RESULTS.json](RESULTS.json). Every linear layer of the model (q, k, v, o, gate, up, down of all 30 blocks:
210 layers) is fake-quantized after its method's transform, which `duquant-explorer export --method M
--all-layers` calibrated on the calibration dump (nothing of any transform is computed in Python); the
embedding, the head, the norms and the attention are not quantized. The forward passes: {results['params'].get('forward', 'tools/eval/llama_forward.py (NumPy)')}.
Tensors are float32; every product of the model is accumulated in float64 and rounded to float32 once, so
that the figures do not depend on the BLAS kernel (float32 products did: block Hadamard's W4A4 perplexity
moved 12% between OpenBLAS's Haswell and SkylakeX kernels); the transforms are applied with the core's own
fixed-order arithmetic (the NumPy reference emulates it bit for bit).

## Perplexity

{table(results)}

Reproducible is not the same as precise: W4A4 rounding is chaotic, and on this short text one-ulp nudges of
the embeddings moved block Hadamard's W4A4 perplexity over 79.5–94.1 and DuQuant's (seed 0) over 30.9–35.7
(six nudges each, measured 2026-12-07). Gaps between methods smaller than about 10–15% are not evidence.

- **Model:** {results['model']}.
- **Evaluation text:** {results['evaluation']['text']}: {results['evaluation']['tokens']} tokens, BOS first,
  {results['evaluation']['predicted']} predicted. FP perplexity {fp:.4f} (llama_numpy's forward: {results['fp_perplexity_llama_numpy']:.4f};
  samples/README.md: 17.53).
- **Calibration text (different):** {results['calibration']['text']}: the first {results['calibration']['tokens']}
  tokens, BOS first. The dump (`{results['calibration']['dump']}`, gitignored, regenerated by `make eval`) opens in
  the explorer, which then shows these figures as a "ppl W4A4" row of its Methods table (its sidecar's `model_eval`).
- **Quantizers:** as the core's `FakeQuantizer`: activations {p['activations']}; weights {p['weights']};
  lac {p['lac']}, swc {p['swc']} ("no clip": both 1), rounding half to even. W4A16 leaves activations in float32.
- **Transforms:** every method under the same α and clip ratios ({p.get('method_settings', 'the same for every method')};
  the explorer's defaults differ per method); SmoothQuant α {p['alpha']}; block Hadamard block = the largest power of two ≤ {p['block']} dividing the
  layer's width{" (64 for the 576-wide inputs, 128 for down_proj's 1536)" if p['block'] == 128 else ""}; QuaRot-style: a randomized
  Hadamard over the whole width (576 = 36·16, 1536 = 12·128; signs from the seed), no GPTQ, no online rotations;
  DuQuant block {p['block']}, ≤ {p['steps']} greedy steps, one zigzag permutation, smoothing α {p['alpha']}; the seeded
  methods (QuaRot-style, DuQuant) at seed {p['seeds'][0]} for every setting, seeds {', '.join(map(str, p['seeds']))} at W4A4.
- **Time:** {results['timings_seconds']['total']:.0f} s in all on {results['machine']['cores']} cores{_load(results)}{_opt(t.get('cpu'), lambda c: f", {c:.0f} s of CPU time (this process and the exports: about {c / 2 / 60:.0f} minutes of two idle cores)")}:
  load {t.get('load model', 0):.0f} s, capture {t.get('capture calibration dump', 0):.0f} s, calibration {calib:.0f} s
  ({len(t['calibrate_per_job'])} export processes, {results['params'].get('jobs', 2)} at a time; each DuQuant seed's 210 layers split
  into shards), {len(results['rows'])} forward passes {t.get('evaluate perplexity', 0):.0f} s.

## Caveats, measured

**The weights were already 4-bit.** SmolLM2's linear weights come dequantized from Q4_1: of the
{g['groups_of_32']:,} groups of 32 input channels, {g['with_at_most_16_values']:,} hold at most 16 distinct values
(Q4_1's 16 levels per group). W4 here therefore re-quantizes from one 4-bit grid (per 32 inputs) onto another
(per output channel): W4A16 RTN costs {rtn16 / fp - 1:+.0%} perplexity with swc {p['swc']} ({_fmt(rtn16)} vs {_fmt(fp)}){_opt(rtn16_noclip, lambda v: f" and {v / fp - 1:+.0%} without clipping ({_fmt(v)})")}.
The per-output-channel grid cannot hold the per-32 grid's levels, so weight-only 4-bit error is real here,
but it starts from weights that already lost what Q4_1 lost: on the original bf16 checkpoint the weight
share of the error would differ. The activation side — the subject of DuQuant — is unaffected.

**The clip ratios are tuned for 4 bits.** lac {p['lac']} and swc {p['swc']} cut every token's and every output
channel's range by {1 - p['lac']:.0%} and {1 - p['swc']:.0%}; W8A8 RTN gives {_fmt(rtn8)} with them{_opt(rtn8_noclip, lambda v: f", {_fmt(v)} without" + ("; at 8 bits the clipping costs far more than the rounding" if v < rtn8 * 0.8 else ""))}.
The "no clip" columns give each method at lac = swc = 1.

**Per layer, not per fused input.** q, k and v share one input, and so do gate and up; each of them gets its
own transform here (the smoothing scales depend on each weight), exactly as the explorer shows each layer. A
deployment fuses them and applies one transform per shared input, which is at most as good.

**Small model, small texts.** {results['evaluation']['predicted']} predicted tokens of licence prose and
{results['calibration']['tokens']} calibration tokens of Alice; the paper uses WikiText-2 (hundreds of thousands of tokens)
and 128 × 2048 calibration tokens. DuQuant's seed spread at W4A4 ({_fmt(sp['min'])}–{_fmt(sp['max'])} over {len(sp['seeds'])}
seeds) gives a sense of the noise between runs of one method{_seed_verdict(grid, sp)}.

{_sensitivity(results)}## Against the paper's LLaMA-2-7B W4A4 table

Ranking here at W4A4: {ranking} (FP {_fmt(fp)}). The paper's {PAPER['model']} W4A4 WikiText-2 figures: FP16
{PAPER['fp']}, {paper_ranking}.
{"DuQuant is the closest to FP here too" if same_top else "Unlike the paper, DuQuant is not the closest to FP here"}: {titles.get('duquant', 'DuQuant')}
is {duq / fp:.2f}× FP against the paper's {PAPER['duquant'] / PAPER['fp']:.2f}×, and SmoothQuant is
{sq_vs_duq:.1f}× DuQuant's perplexity against the paper's {PAPER['smoothquant'] / PAPER['duquant']:.0f}×.
{"The order of the methods is the paper's: rotations ≪ SmoothQuant ≪ RTN, DuQuant first." if order[:1] == ["duquant"] and w4a4.get("smoothquant", 0) > w4a4.get("hadamard", float("inf")) and w4a4.get("rtn", 0) >= max(w4a4.values()) else "The order of the methods differs from the paper's (rotations ≪ SmoothQuant ≪ RTN, DuQuant first)."}
What does not carry over is the size of the gaps: DuQuant's {duq / fp:.2f}× FP is far from the paper's {PAPER['duquant'] / PAPER['fp']:.2f}×.
Likely reasons, not measured here: a 135M model with 576-wide layers has far less redundancy than a 7B one,
and the calibration here is {results['calibration']['tokens']} tokens against the paper's 128 × 2048; measured above: its weights were
already 4-bit. SmoothQuant's collapse at W4A4 ({_fmt(sq)} vs FP {_fmt(fp)}) has a measured weight side: with
activations left in float32 (W4A16) its smoothed weights give {_fmt(grid['smoothquant']['W4A16'])} against RTN's {_fmt(rtn16)} —
α {p['alpha']} moves SmolLM2's massive activations (thousands at the BOS token, samples/README.md) into weights
that are then quantized to 4 bits.
"""
