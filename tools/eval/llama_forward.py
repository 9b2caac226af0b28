"""A NumPy Llama forward pass (float32 tensors) whose every linear layer goes through one replaceable function.

NumPy only (no GGUF, no tokenizer): the evaluation runs it on SmolLM2-135M (weights from
`tools/samples/llama_numpy.py`) and its test on a tiny random Llama built here. The arithmetic is the
same as `llama_numpy.LlamaModel.forward` (RMSNorm, Hugging Face RoPE, grouped-query attention,
SwiGLU); `run_eval.py` checks that both give the same full-precision perplexity.

Every tensor between the operations is float32, but every product and reduction is accumulated in
float64 and rounded to float32 once (`matmul`; the norms, the softmax and SiLU likewise): the result is
then the correctly rounded float32 value whichever BLAS kernel computed it (OpenBLAS's Haswell and
SkylakeX kernels sum in different orders, and float32 sums differ in their last bits), except when the
exact value lies within ~1e-16 of a float32 rounding boundary. It matters because W4A4 fake
quantization is chaotic: a last-bit change moves a value across a rounding boundary of a 4-bit grid
(a whole step), and the flips cascade through 30 blocks — with float32 products SmolLM2's block
Hadamard W4A4 perplexity was 74.69 under OpenBLAS's Haswell kernels and 83.92 under its SkylakeX
kernels, with the same transforms.
"""
from __future__ import annotations

import dataclasses

import numpy as np

# Linear modules of one decoder block, in the order the forward calls them.
MODULES = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
           "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"]
# module -> module whose input it shares (inside one block).
SHARED = {"self_attn.k_proj": "self_attn.q_proj", "self_attn.v_proj": "self_attn.q_proj",
          "mlp.up_proj": "mlp.gate_proj"}


def layer_name(block: int, module: str) -> str:
    """The Hugging Face path of a linear layer, as the dump and the explorer name it."""
    return f"model.layers.{block}.{module}"


@dataclasses.dataclass
class Config:
    n_layers: int
    d_model: int
    d_ff: int
    n_heads: int
    n_kv_heads: int
    head_dim: int
    rope_theta: float
    rms_eps: float
    vocab_size: int


@dataclasses.dataclass
class Weights:
    tok_embd: np.ndarray                  # (vocab, d_model)
    output: np.ndarray                    # (vocab, d_model), the embedding when tied
    output_norm: np.ndarray
    blocks: list[dict[str, np.ndarray]]   # "attn_norm", "ffn_norm" and every name of MODULES (out x in)

    def linear(self, block: int, module: str) -> np.ndarray:
        return self.blocks[block][module]


def from_llama_numpy(model) -> tuple[Config, Weights]:
    """Config and weights of a `llama_numpy.LlamaModel` (no copy of the arrays)."""
    c = model.config
    cfg = Config(n_layers=c.n_layers, d_model=c.d_model, d_ff=c.d_ff, n_heads=c.n_heads,
                 n_kv_heads=c.n_kv_heads, head_dim=c.head_dim, rope_theta=c.rope_theta,
                 rms_eps=c.rms_eps, vocab_size=c.vocab_size)
    fields = {"self_attn.q_proj": "q", "self_attn.k_proj": "k", "self_attn.v_proj": "v",
              "self_attn.o_proj": "o", "mlp.gate_proj": "gate", "mlp.up_proj": "up", "mlp.down_proj": "down"}
    blocks = []
    for L in model.layers:
        b = {m: getattr(L, f) for m, f in fields.items()}
        b["attn_norm"], b["ffn_norm"] = L.attn_norm, L.ffn_norm
        blocks.append(b)
    return cfg, Weights(model.tok_embd, model.output, model.output_norm, blocks)


def random_llama(cfg: Config, seed: int = 0, outlier_channels: int = 2) -> Weights:
    """A Llama with random weights; a few channels of the norms are scaled up so that the linear inputs
    carry outliers (as real models do) and the methods differ."""
    rng = np.random.default_rng(seed)

    def mat(out, inp):
        return (rng.standard_normal((out, inp)) / np.sqrt(inp)).astype(np.float32)

    def norm(n):
        w = (1 + 0.1 * rng.standard_normal(n)).astype(np.float32)
        w[rng.choice(n, outlier_channels, replace=False)] *= 20
        return w

    q, kv = cfg.n_heads * cfg.head_dim, cfg.n_kv_heads * cfg.head_dim
    blocks = []
    for _ in range(cfg.n_layers):
        blocks.append({
            "attn_norm": norm(cfg.d_model), "ffn_norm": norm(cfg.d_model),
            "self_attn.q_proj": mat(q, cfg.d_model), "self_attn.k_proj": mat(kv, cfg.d_model),
            "self_attn.v_proj": mat(kv, cfg.d_model), "self_attn.o_proj": mat(cfg.d_model, q),
            "mlp.gate_proj": mat(cfg.d_ff, cfg.d_model), "mlp.up_proj": mat(cfg.d_ff, cfg.d_model),
            "mlp.down_proj": mat(cfg.d_model, cfg.d_ff),
        })
    embd = rng.standard_normal((cfg.vocab_size, cfg.d_model)).astype(np.float32)
    # An untied, small output head keeps the logits O(1): a perplexity of the order of the vocabulary.
    head = (0.3 * rng.standard_normal((cfg.vocab_size, cfg.d_model)) / np.sqrt(cfg.d_model)).astype(np.float32)
    return Weights(embd, head, np.ones(cfg.d_model, np.float32), blocks)


def matmul(a, b) -> np.ndarray:
    """`a @ b` (NumPy's matmul broadcasting) accumulated in float64, rounded to float32 once: the same
    float32 result whatever kernel or thread count the BLAS uses (see the module docstring)."""
    return np.matmul(np.asarray(a, np.float64), np.asarray(b, np.float64)).astype(np.float32)


def _rms_norm(x, w, eps):
    x = np.asarray(x, np.float64)
    var = np.mean(x * x, axis=-1, keepdims=True)
    return (x / np.sqrt(var + eps) * w).astype(np.float32)


def _rope(x, positions, cfg):
    half = cfg.head_dim // 2
    inv_freq = 1.0 / (cfg.rope_theta ** (np.arange(half, dtype=np.float64) * 2.0 / cfg.head_dim))
    angles = positions[:, None].astype(np.float64) * inv_freq[None, :]
    cos = np.concatenate([np.cos(angles)] * 2, axis=-1).astype(np.float32)
    sin = np.concatenate([np.sin(angles)] * 2, axis=-1).astype(np.float32)
    rotated = np.concatenate([-x[..., half:], x[..., :half]], axis=-1)
    return x * cos + rotated * sin


def exact_linear(wts: Weights):
    """The full-precision linear layer: `x @ Wᵀ` (float64 accumulation, float32 result)."""
    return lambda block, module, x: matmul(x, wts.linear(block, module).T)


def _attention(q, k, v, mask, head_dim):
    """softmax(q kᵀ/√d + mask) v per head, in float64 (products, exp, sums), rounded to float32 once."""
    p = np.matmul(np.asarray(q, np.float64), np.asarray(k, np.float64).transpose(0, 2, 1))
    p /= np.sqrt(head_dim)               # in place from here on: (heads, T, T) float64 arrays are large
    p += mask
    p -= p.max(axis=-1, keepdims=True)
    np.exp(p, out=p)
    p /= p.sum(axis=-1, keepdims=True)
    return np.matmul(p, np.asarray(v, np.float64)).astype(np.float32)


def _swiglu(g, u):
    """SiLU(g)·u in float64, rounded to float32 once."""
    g = np.asarray(g, np.float64)
    with np.errstate(over="ignore"):          # exp(−g) = inf for g < −709: SiLU(g) = −0, as it should
        return (g / (1.0 + np.exp(-g)) * u).astype(np.float32)


def forward(cfg: Config, wts: Weights, ids, linear=None) -> np.ndarray:
    """Logits (tokens x vocab) of a causal forward over `ids`; `linear(block, module, x)` computes every
    linear layer (default: exact)."""
    linear = linear or exact_linear(wts)
    T = len(ids)
    h = wts.tok_embd[np.asarray(ids)].astype(np.float32)
    positions = np.arange(T)
    mask = np.triu(np.full((T, T), -np.inf), k=1)
    rep = cfg.n_heads // cfg.n_kv_heads
    for li, B in enumerate(wts.blocks):
        x = _rms_norm(h, B["attn_norm"], cfg.rms_eps)
        q = linear(li, "self_attn.q_proj", x)
        k = linear(li, "self_attn.k_proj", x)
        v = linear(li, "self_attn.v_proj", x)
        q = _rope(q.reshape(T, cfg.n_heads, cfg.head_dim).transpose(1, 0, 2), positions, cfg)
        k = _rope(k.reshape(T, cfg.n_kv_heads, cfg.head_dim).transpose(1, 0, 2), positions, cfg)
        v = v.reshape(T, cfg.n_kv_heads, cfg.head_dim).transpose(1, 0, 2)
        k = np.repeat(k, rep, axis=0)
        v = np.repeat(v, rep, axis=0)
        attn = _attention(q, k, v, mask, cfg.head_dim).transpose(1, 0, 2).reshape(T, cfg.n_heads * cfg.head_dim)
        h = h + linear(li, "self_attn.o_proj", attn)
        x = _rms_norm(h, B["ffn_norm"], cfg.rms_eps)
        g = linear(li, "mlp.gate_proj", x)
        u = linear(li, "mlp.up_proj", x)
        h = h + linear(li, "mlp.down_proj", _swiglu(g, u))
    h = _rms_norm(h, wts.output_norm, cfg.rms_eps)
    return matmul(h, wts.output.T)


def perplexity(logits: np.ndarray, ids) -> float:
    """exp(mean NLL) of ids[1:] given their prefixes (ids[0] is the BOS context)."""
    z = logits[:-1].astype(np.float64)
    z -= z.max(axis=-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    nll = -logp[np.arange(len(ids) - 1), np.asarray(ids[1:])]
    return float(np.exp(nll.mean()))


def capture_inputs(cfg: Config, wts: Weights, ids) -> dict[str, np.ndarray]:
    """Every linear layer's input (tokens x in) of a forward over `ids`, shared inputs stored once under
    the module that owns them: {"model.layers.0.self_attn.q_proj": x, ...}."""
    out = {}
    exact = exact_linear(wts)

    def hook(block, module, x):
        if module not in SHARED:
            out[layer_name(block, module)] = np.array(x, dtype=np.float32)
        return exact(block, module, x)

    forward(cfg, wts, ids, hook)
    return out
