"""The evaluation's steps on any Llama given as `llama_forward` config + weights (NumPy only).

1. `write_dump`: capture every linear layer's input on calibration tokens into one safetensors dump
   the explorer opens (inputs + weights, shared inputs stored once, sidecar JSON beside it);
2. `calibrate`: every method's transform of every layer through `duquant-explorer export --all-layers`
   (a few processes at a time), one directory per method (and seed);
3. `evaluate`: perplexity of a forward pass on other tokens with every linear layer fake-quantized after
   its method's exported transform.
"""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import threading
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "samples"))

import llama_forward as lf  # noqa: E402
import quant  # noqa: E402
import safetensors_np  # noqa: E402


def log(msg: str) -> None:
    print(msg, flush=True)


# --------------------------------------------------------------------------------------------------
# 1. The calibration dump


def sidecar_path(dump: str) -> str:
    return os.path.splitext(dump)[0] + ".json"


def write_dump(path: str, cfg: lf.Config, wts: lf.Weights, ids, sidecar: dict, dtype=np.float16) -> dict:
    """Captures the linear inputs of a forward over `ids` and writes `path` + its sidecar JSON.
    Returns the sidecar written."""
    inputs = lf.capture_inputs(cfg, wts, ids)
    tensors, shared = {}, {}
    for b in range(cfg.n_layers):
        for module in lf.MODULES:
            name = lf.layer_name(b, module)
            if module in lf.SHARED:
                shared[name] = lf.layer_name(b, lf.SHARED[module])
            else:
                x = inputs[name]
                if dtype == np.float16 and np.abs(x).max() > 65504:
                    raise ValueError(f"{name}: input exceeds the float16 range; write float32")
                tensors[name + ".input"] = x.astype(dtype)
            tensors[name + ".weight"] = wts.linear(b, module).astype(dtype)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    safetensors_np.save(path, tensors, {"duquant.shared_inputs": json.dumps(shared, separators=(",", ":"))})
    side = dict(sidecar)
    side["token_ids"] = [int(i) for i in ids]
    side["shared_inputs"] = shared
    side["dtype"] = np.dtype(dtype).name
    with open(sidecar_path(path), "w", encoding="utf-8") as f:
        json.dump(side, f, ensure_ascii=False, indent=1)
    return side


def update_sidecar(dump: str, key: str, value) -> None:
    """Sets `key` in the dump's sidecar JSON (the explorer reads `model_eval` from there)."""
    p = sidecar_path(dump)
    with open(p, encoding="utf-8") as f:
        side = json.load(f)
    side[key] = value
    with open(p + ".tmp", "w", encoding="utf-8") as f:
        json.dump(side, f, ensure_ascii=False, indent=1)
    os.replace(p + ".tmp", p)


# --------------------------------------------------------------------------------------------------
# 2. Calibration through the CLI


def list_methods(binary: str) -> list[tuple[str, str]]:
    """(id, title) of every method `export --method` knows, in the core's order."""
    out = subprocess.run([binary, "export", "--list-methods"], check=True, capture_output=True, text=True).stdout
    return [tuple(line.split(None, 1)) for line in out.splitlines() if line.strip()]


@dataclasses.dataclass(frozen=True)
class Job:
    """One `export --all-layers` run: a method, with a seed (only for methods that use one), optionally
    one shard `(k, n)` of the layers (`--shard k/n`: n processes share the export of one directory)."""
    method: str
    seed: int | None = None
    shard: tuple[int, int] | None = None

    @property
    def key(self) -> str:
        """The directory the job writes into (shards of one export share it)."""
        return self.method if self.seed is None else f"{self.method}-seed{self.seed}"

    @property
    def label(self) -> str:
        return self.key + (f" {self.shard[0]}/{self.shard[1]}" if self.shard else "")


def calibrate(binary: str, dump: str, out_dir: str, jobs: list[Job], export_args: list[str],
              parallel: int = 2, echo=log) -> dict[str, float]:
    """Runs the exports, `parallel` processes at a time; each job writes `out_dir/<job.key>/`.
    Every progress line of the CLI is echoed with the job's name. Returns seconds per job label."""
    os.makedirs(out_dir, exist_ok=True)
    pending = list(jobs)
    running: list[tuple[Job, subprocess.Popen, threading.Thread, float]] = []
    seconds: dict[str, float] = {}
    failures = []

    def pump(job, proc):
        for line in proc.stderr:
            line = line.rstrip("\n")
            if line:
                echo(f"  calibrate {job.label:<18} {line.removeprefix('export ')}")

    while pending or running:
        while pending and len(running) < parallel:
            job = pending.pop(0)
            cmd = [binary, "export", dump, "--all-layers", "--method", job.method, "-o",
                   os.path.join(out_dir, job.key)] + export_args
            if job.seed is not None:
                cmd += ["--seed", str(job.seed)]
            if job.shard is not None:
                cmd += ["--shard", f"{job.shard[0]}/{job.shard[1]}"]
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            t = threading.Thread(target=pump, args=(job, proc), daemon=True)
            t.start()
            running.append((job, proc, t, time.time()))
        time.sleep(0.05)
        for entry in list(running):
            job, proc, t, start = entry
            if proc.poll() is None:
                continue
            t.join()
            out = proc.stdout.read()
            proc.stdout.close()
            proc.stderr.close()
            running.remove(entry)
            seconds[job.label] = time.time() - start
            if proc.returncode != 0:
                failures.append(f"{job.label}: exit {proc.returncode} {out.strip()}")
            else:
                echo(f"  calibrate {job.label:<18} done in {seconds[job.label]:.1f} s")
    if failures:
        raise RuntimeError("calibration failed: " + "; ".join(failures))
    return seconds


# --------------------------------------------------------------------------------------------------
# 3. Evaluation


@dataclasses.dataclass(frozen=True)
class Setting:
    """Bits of weights and activations; None = not quantized (the "16" of W4A16). `clip` False ignores
    the clip ratios (lac = swc = 1)."""
    name: str
    wbits: int | None
    abits: int | None
    clip: bool = True


# The clip ratios (lac, swc) are tuned for 4 bits; the "no clip" settings show what they cost elsewhere.
SETTINGS = [Setting("W4A4", 4, 4), Setting("W4A16", 4, None), Setting("W8A8", 8, 8),
            Setting("W4A16 no clip", 4, None, clip=False), Setting("W8A8 no clip", 8, 8, clip=False)]


def quantizers(s: Setting, lac: float, swc: float, wsym=False, asym=False):
    if not s.clip:
        lac = swc = 1.0
    return (quant.Quantizer(s.abits, lac, asym), quant.Quantizer(s.wbits, swc, wsym))


def evaluate_perplexity(cfg, wts, ids, transforms, setting: Setting | None, lac: float, swc: float,
                        symmetric: bool = False, weights_t: dict | None = None) -> float:
    """Perplexity of `ids` with every linear layer under `transforms` (layer name -> tensors; missing
    = identity) and `setting`'s quantizers (`symmetric`: both symmetric); `setting` None is the
    full-precision model. `weights_t`: the transformed weights, when the caller keeps them for
    several settings (`quant.transformed_weights`)."""
    if setting is None:
        return lf.perplexity(lf.forward(cfg, wts, ids), ids)
    qa, qw = quantizers(setting, lac, swc, symmetric, symmetric)
    if weights_t is None:
        weights_t = quant.transformed_weights(wts, transforms, lf.layer_name)
    linear = quant.QuantizedLinears(weights_t, transforms, qa, qw, lf.layer_name)
    return lf.perplexity(lf.forward(cfg, wts, ids, linear), ids)


def block_sensitivity(cfg, wts, ids, transforms, setting: Setting, lac: float, swc: float, echo=log) -> list[float]:
    """Perplexity with only block b's linear layers quantized (after `transforms`), for every block b:
    how much each block alone costs the model."""
    qa, qw = quantizers(setting, lac, swc)
    exact = lf.exact_linear(wts)
    out = []
    for b in range(cfg.n_layers):
        t0 = time.time()
        only = lf.Weights(wts.tok_embd, wts.output, wts.output_norm,
                          [blk if i == b else {} for i, blk in enumerate(wts.blocks)])
        quantized = quant.QuantizedLinears(quant.transformed_weights(only, transforms, lf.layer_name), transforms,
                                           qa, qw, lf.layer_name)
        ppl = lf.perplexity(lf.forward(cfg, wts, ids, lambda blk, m, x: quantized(blk, m, x) if blk == b
                                       else exact(blk, m, x)), ids)
        out.append(round(ppl, 4))
        echo(f"    sensitivity [{b + 1}/{cfg.n_layers}] block {b} alone at {setting.name}: perplexity {ppl:.3f} "
             f"({time.time() - t0:.1f} s)")
    return out
