#!/usr/bin/env python3
"""Writes Fixtures/ of DuQuantForwardTests: the tiny random Llama of tools/eval/test_eval.py as a Hugging
Face checkpoint (float16 tensors), its calibration dump, and NumPy's perplexities (tools/eval) that the
Swift forward pass must reproduce.

    python3 Tests/DuQuantForwardTests/make_fixture.py [--bin .build/release/duquant-explorer]

Every method is calibrated through the real `duquant-explorer export --all-layers` (the transforms are
not kept: the Swift test calibrates in process through the same code path and must get the same
perplexities). reference.json holds the evaluation token ids, the full-precision perplexity, each method's
W4A4 (lac 0.9, swc 0.8) and symmetric unclipped W16A16 perplexities, and DuQuant W4A4 on one layer alone.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tools", "eval"))

import numpy as np  # noqa: E402
import hf_checkpoint  # noqa: E402
import llama_forward as lf  # noqa: E402
import pipeline  # noqa: E402
import quant  # noqa: E402
import test_eval  # noqa: E402

ONLY = "model.layers.1.mlp.down_proj"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(REPO, ".build", "release", "duquant-explorer"))
    args = ap.parse_args()
    out = os.path.join(HERE, "Fixtures")
    os.makedirs(out, exist_ok=True)
    cfg, wts, calib_ids, eval_ids = test_eval.tiny_model()
    model_dir = os.path.join(out, "tiny-llama")
    hf_checkpoint.save(model_dir, cfg, wts, dtype=np.float16)
    cfg, wts = hf_checkpoint.load(model_dir)          # the float16 values, as float32
    dump = os.path.join(out, "tiny-calib.safetensors")
    pipeline.write_dump(dump, cfg, wts, calib_ids, {"model": "tiny random Llama (tools/eval/test_eval.py)"},
                        dtype=np.float32)
    tmp = tempfile.mkdtemp()
    try:
        methods = [m for m, _ in pipeline.list_methods(args.bin)]
        pipeline.calibrate(args.bin, dump, tmp, [pipeline.Job(m) for m in methods], test_eval.EXPORT_ARGS,
                           echo=lambda _: None)
        transforms = {m: quant.load_transforms(os.path.join(tmp, m))[1] for m in methods}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    w4a4, w16 = pipeline.SETTINGS[0], pipeline.Setting("W16A16", 16, 16)
    ref = {"export_args": test_eval.EXPORT_ARGS, "eval_ids": [int(i) for i in eval_ids],
           "fp": lf.perplexity(lf.forward(cfg, wts, eval_ids), eval_ids),
           "w4a4": {m: pipeline.evaluate_perplexity(cfg, wts, eval_ids, transforms[m], w4a4, 0.9, 0.8) for m in methods},
           "w16a16_symmetric": {m: pipeline.evaluate_perplexity(cfg, wts, eval_ids, transforms[m], w16, 1, 1, symmetric=True)
                                for m in methods}}
    qa, qw = pipeline.quantizers(w4a4, 0.9, 0.8)
    t = {ONLY: transforms["duquant"][ONLY]}
    one = quant.QuantizedLinears({(1, "mlp.down_proj"): quant.apply_transform(wts.linear(1, "mlp.down_proj"), t[ONLY], "weight")},
                                 t, qa, qw, lf.layer_name)
    exact = lf.exact_linear(wts)
    logits = lf.forward(cfg, wts, eval_ids, lambda b, m, x: one(b, m, x) if (b, m) == (1, "mlp.down_proj") else exact(b, m, x))
    ref["only_layer"] = {"method": "duquant", "layer": ONLY, "w4a4": lf.perplexity(logits, eval_ids)}
    with open(os.path.join(out, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    print(json.dumps({k: v for k, v in ref.items() if k != "eval_ids"}, indent=1))


if __name__ == "__main__":
    main()
