"""A `llama_forward` model written as a Hugging Face checkpoint (`config.json` + `model.safetensors`),
the layout `duquant-explorer perplexity --model DIR` reads, and read back.

Tensor names are Hugging Face's (`model.embed_tokens.weight`, `model.layers.N.input_layernorm.weight`,
`model.layers.N.self_attn.q_proj.weight`, …, `model.norm.weight`, `lm_head.weight` unless tied). The q and
k rows are written as `llama_forward` uses them: in Hugging Face's rotary order (llama_numpy has already
undone the row permutation llama.cpp's converter applies for its interleaved RoPE). The epsilon and the
rotary base are written as the exact float64 value the NumPy pass adds, so both passes use the same
numbers.
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "samples"))

import llama_forward as lf  # noqa: E402
import safetensors_np  # noqa: E402

NORMS = {"attn_norm": "input_layernorm", "ffn_norm": "post_attention_layernorm"}


def save(directory: str, cfg: lf.Config, wts: lf.Weights, dtype=np.float32, extra_config: dict | None = None) -> None:
    """Writes `directory/config.json` and `directory/model.safetensors` (every tensor as `dtype`),
    each through a temporary file renamed into place."""
    os.makedirs(directory, exist_ok=True)
    tied = wts.output is wts.tok_embd
    tensors = {"model.embed_tokens.weight": wts.tok_embd.astype(dtype)}
    for b, block in enumerate(wts.blocks):
        for ours, theirs in NORMS.items():
            tensors[f"model.layers.{b}.{theirs}.weight"] = block[ours].astype(dtype)
        for module in lf.MODULES:
            tensors[f"{lf.layer_name(b, module)}.weight"] = block[module].astype(dtype)
    tensors["model.norm.weight"] = wts.output_norm.astype(dtype)
    if not tied:
        tensors["lm_head.weight"] = wts.output.astype(dtype)
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "num_hidden_layers": cfg.n_layers,
              "hidden_size": cfg.d_model, "intermediate_size": cfg.d_ff, "num_attention_heads": cfg.n_heads,
              "num_key_value_heads": cfg.n_kv_heads, "head_dim": cfg.head_dim, "rope_theta": float(cfg.rope_theta),
              "rms_norm_eps": float(cfg.rms_eps), "vocab_size": cfg.vocab_size, "tie_word_embeddings": tied,
              "hidden_act": "silu", "torch_dtype": np.dtype(dtype).name}
    config.update(extra_config or {})
    path = os.path.join(directory, "model.safetensors")
    safetensors_np.save(path + ".tmp", tensors, {"format": "pt"})
    os.replace(path + ".tmp", path)
    with open(os.path.join(directory, "config.json.tmp"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=1)
    os.replace(os.path.join(directory, "config.json.tmp"), os.path.join(directory, "config.json"))


def load(directory: str) -> tuple[lf.Config, lf.Weights]:
    """The config and float32 weights of a checkpoint `save` wrote."""
    with open(os.path.join(directory, "config.json"), encoding="utf-8") as f:
        c = json.load(f)
    cfg = lf.Config(n_layers=c["num_hidden_layers"], d_model=c["hidden_size"], d_ff=c["intermediate_size"],
                    n_heads=c["num_attention_heads"], n_kv_heads=c["num_key_value_heads"], head_dim=c["head_dim"],
                    rope_theta=c["rope_theta"], rms_eps=c["rms_norm_eps"], vocab_size=c["vocab_size"])
    t, _ = safetensors_np.load(os.path.join(directory, "model.safetensors"))
    f32 = {k: np.asarray(v, np.float32) for k, v in t.items()}
    blocks = []
    for b in range(cfg.n_layers):
        block = {ours: f32[f"model.layers.{b}.{theirs}.weight"] for ours, theirs in NORMS.items()}
        block.update({m: f32[f"{lf.layer_name(b, m)}.weight"] for m in lf.MODULES})
        blocks.append(block)
    embd = f32["model.embed_tokens.weight"]
    return cfg, lf.Weights(embd, f32.get("lm_head.weight", embd), f32["model.norm.weight"], blocks)
