"""A small float32 NumPy implementation of a Llama-architecture model read from a GGUF file.

Everything the model needs comes from the GGUF itself:
  * weights, dequantized with the `gguf` package (Q4_1 / Q8_0 / F32 ...);
  * hyper-parameters from the `llama.*` metadata keys;
  * the tokenizer: GPT-2 style byte-level BPE from `tokenizer.ggml.tokens`, `.merges`, `.token_type`
    and the pre-tokenizer named by `tokenizer.ggml.pre`.

llama.cpp's HF converter permutes the rows of the q and k projections so that its "normal" RoPE
(which rotates adjacent pairs 2i, 2i+1) matches Hugging Face's rotate_half RoPE (which rotates i and
i + d/2). We undo that permutation when loading, so every weight here is exactly in the Hugging Face
layout (out_features x in_features, original row order) and the forward pass uses HF-style RoPE.
"""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import regex

import gguf
from gguf import GGUFReader
from gguf.quants import dequantize


# --------------------------------------------------------------------------------------------------
# GGUF helpers


def field_value(reader: GGUFReader, key: str, default=None):
    field = reader.fields.get(key)
    if field is None:
        return default
    return field.contents()


def tensor_f32(reader: GGUFReader, name: str) -> np.ndarray:
    """Dequantize one tensor to float32 in NumPy (row-major) orientation.

    GGUF lists shapes as [ne0, ne1] = [in_features, out_features]; the NumPy array we get is
    (out_features, in_features), the Hugging Face orientation of nn.Linear.weight.
    """
    t = _tensor_index(reader)[name]
    data = dequantize(t.data, t.tensor_type)
    shape = tuple(int(n) for n in reversed(t.shape.tolist()))
    return np.ascontiguousarray(data.reshape(shape), dtype=np.float32)


def tensor_type_name(reader: GGUFReader, name: str) -> str:
    return _tensor_index(reader)[name].tensor_type.name


_INDEX_CACHE: dict[int, dict] = {}


def _tensor_index(reader: GGUFReader) -> dict:
    key = id(reader)
    if key not in _INDEX_CACHE:
        _INDEX_CACHE[key] = {t.name: t for t in reader.tensors}
    return _INDEX_CACHE[key]


def unpermute_qk(w: np.ndarray, n_heads: int) -> np.ndarray:
    """Undo llama.cpp's q/k row permutation.

    The converter maps HF rows (head, half, i) to GGUF rows (head, i, half), i.e. it interleaves the
    two rotary halves of every head. Reading GGUF rows as (head, i, half) and swapping back gives the
    HF order (head, half, i).
    """
    out, inp = w.shape
    head_dim = out // n_heads
    return (w.reshape(n_heads, head_dim // 2, 2, inp)
             .swapaxes(1, 2)
             .reshape(out, inp)
             .copy())


# --------------------------------------------------------------------------------------------------
# Tokenizer


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte -> printable character table used by byte-level BPE vocabularies."""
    printable = (list(range(ord("!"), ord("~") + 1))
                 + list(range(ord("\u00a1"), ord("\u00ac") + 1))
                 + list(range(ord("\u00ae"), ord("\u00ff") + 1)))
    table = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + extra)
            extra += 1
    return table


# Pre-tokenizer regexes by `tokenizer.ggml.pre`. The SmolLM / StarCoder family first splits every digit
# on its own, then applies the GPT-2 pattern to what remains.
_GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
PRE_TOKENIZERS = {
    "smollm": [r"\p{N}", _GPT2_PATTERN],
    "starcoder": [r"\p{N}", _GPT2_PATTERN],
    "gpt2": [_GPT2_PATTERN],
    "default": [_GPT2_PATTERN],
}

TOKEN_TYPE_NORMAL = 1
TOKEN_TYPE_CONTROL = 3
TOKEN_TYPE_USER_DEFINED = 4


class BPETokenizer:
    def __init__(self, tokens: list[str], merges: list[str], token_types: list[int], pre: str,
                 bos_id: int | None, eos_id: int | None):
        self.tokens = tokens
        self.token_to_id = {t: i for i, t in enumerate(tokens)}
        self.ranks = {}
        for rank, merge in enumerate(merges):
            left, right = merge.split(" ", 1)
            self.ranks[(left, right)] = rank
        self.token_types = token_types
        self.bos_id = bos_id
        self.eos_id = eos_id
        self.pre = pre
        if pre not in PRE_TOKENIZERS:
            raise ValueError(f"unknown pre-tokenizer {pre!r}; add its regexes to PRE_TOKENIZERS")
        self.pre_patterns = [regex.compile(p) for p in PRE_TOKENIZERS[pre]]
        self.byte_encoder = bytes_to_unicode()
        self.byte_decoder = {c: b for b, c in self.byte_encoder.items()}
        specials = [t for t, ty in zip(tokens, token_types)
                    if ty in (TOKEN_TYPE_CONTROL, TOKEN_TYPE_USER_DEFINED)]
        specials.sort(key=len, reverse=True)
        self.special_ids = {t: self.token_to_id[t] for t in specials}
        self.special_re = (regex.compile("|".join(regex.escape(s) for s in specials))
                           if specials else None)
        self._cache: dict[str, list[int]] = {}

    @classmethod
    def from_gguf(cls, reader: GGUFReader) -> "BPETokenizer":
        model = field_value(reader, "tokenizer.ggml.model")
        if model != "gpt2":
            raise ValueError(f"only byte-level BPE ('gpt2') tokenizers are supported, not {model!r}")
        return cls(tokens=list(field_value(reader, "tokenizer.ggml.tokens")),
                   merges=list(field_value(reader, "tokenizer.ggml.merges")),
                   token_types=[int(x) for x in field_value(reader, "tokenizer.ggml.token_type")],
                   pre=field_value(reader, "tokenizer.ggml.pre", "default"),
                   bos_id=field_value(reader, "tokenizer.ggml.bos_token_id"),
                   eos_id=field_value(reader, "tokenizer.ggml.eos_token_id"))

    # -- encoding

    def _pre_tokenize(self, text: str) -> list[str]:
        pieces = [text]
        for pattern in self.pre_patterns:
            nxt = []
            for piece in pieces:
                # Keep both the matches and the gaps between them (like a regex "isolated" split).
                pos = 0
                for m in pattern.finditer(piece):
                    if m.start() > pos:
                        nxt.append(piece[pos:m.start()])
                    if m.end() > m.start():
                        nxt.append(m.group())
                    pos = m.end()
                if pos < len(piece):
                    nxt.append(piece[pos:])
            pieces = nxt
        return pieces

    def _bpe(self, word: str) -> list[int]:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        parts = list(word)
        while len(parts) > 1:
            best_rank, best_i = None, -1
            for i in range(len(parts) - 1):
                r = self.ranks.get((parts[i], parts[i + 1]))
                if r is not None and (best_rank is None or r < best_rank):
                    best_rank, best_i = r, i
            if best_rank is None:
                break
            left, right = parts[best_i], parts[best_i + 1]
            merged, i = [], 0
            while i < len(parts):
                if i < len(parts) - 1 and parts[i] == left and parts[i + 1] == right:
                    merged.append(left + right)
                    i += 2
                else:
                    merged.append(parts[i])
                    i += 1
            parts = merged
        ids = [self.token_to_id[p] for p in parts]
        self._cache[word] = ids
        return ids

    def encode_ordinary(self, text: str) -> list[int]:
        ids = []
        for piece in self._pre_tokenize(text):
            mapped = "".join(self.byte_encoder[b] for b in piece.encode("utf-8"))
            ids.extend(self._bpe(mapped))
        return ids

    def encode(self, text: str, add_bos: bool = False, parse_special: bool = True) -> list[int]:
        ids = [self.bos_id] if add_bos else []
        if not parse_special or self.special_re is None:
            return ids + self.encode_ordinary(text)
        pos = 0
        for m in self.special_re.finditer(text):
            if m.start() > pos:
                ids.extend(self.encode_ordinary(text[pos:m.start()]))
            ids.append(self.special_ids[m.group()])
            pos = m.end()
        if pos < len(text):
            ids.extend(self.encode_ordinary(text[pos:]))
        return ids

    # -- decoding

    def token_bytes(self, token_id: int) -> bytes:
        tok = self.tokens[token_id]
        if self.token_types[token_id] in (TOKEN_TYPE_CONTROL, TOKEN_TYPE_USER_DEFINED):
            return tok.encode("utf-8")
        return bytes(self.byte_decoder[c] for c in tok)

    def decode(self, ids: list[int]) -> str:
        return b"".join(self.token_bytes(i) for i in ids).decode("utf-8", errors="replace")

    def piece(self, token_id: int) -> str:
        """Human-readable text of a single token (partial UTF-8 sequences become U+FFFD)."""
        return self.token_bytes(token_id).decode("utf-8", errors="replace")


# --------------------------------------------------------------------------------------------------
# Model


@dataclasses.dataclass
class LlamaConfig:
    n_layers: int
    d_model: int
    d_ff: int
    n_heads: int
    n_kv_heads: int
    rope_theta: float
    rms_eps: float
    vocab_size: int
    head_dim: int

    @classmethod
    def from_gguf(cls, reader: GGUFReader) -> "LlamaConfig":
        arch = field_value(reader, "general.architecture")
        if arch != "llama":
            raise ValueError(f"not a llama-architecture GGUF: {arch!r}")
        n_heads = int(field_value(reader, "llama.attention.head_count"))
        d_model = int(field_value(reader, "llama.embedding_length"))
        head_dim = int(field_value(reader, "llama.rope.dimension_count", d_model // n_heads))
        if head_dim * n_heads != d_model:
            raise ValueError("partial rotary dimension is not supported")
        return cls(n_layers=int(field_value(reader, "llama.block_count")),
                   d_model=d_model,
                   d_ff=int(field_value(reader, "llama.feed_forward_length")),
                   n_heads=n_heads,
                   n_kv_heads=int(field_value(reader, "llama.attention.head_count_kv", n_heads)),
                   rope_theta=float(field_value(reader, "llama.rope.freq_base", 10000.0)),
                   rms_eps=float(field_value(reader, "llama.attention.layer_norm_rms_epsilon")),
                   vocab_size=len(field_value(reader, "tokenizer.ggml.tokens")),
                   head_dim=head_dim)


@dataclasses.dataclass
class LayerWeights:
    attn_norm: np.ndarray
    q: np.ndarray   # (n_heads*head_dim, d_model), HF row order
    k: np.ndarray   # (n_kv_heads*head_dim, d_model), HF row order
    v: np.ndarray
    o: np.ndarray
    ffn_norm: np.ndarray
    gate: np.ndarray
    up: np.ndarray
    down: np.ndarray


# HF module name -> (GGUF tensor suffix, LayerWeights field)
HF_LINEAR_NAMES = {
    "self_attn.q_proj": ("attn_q", "q"),
    "self_attn.k_proj": ("attn_k", "k"),
    "self_attn.v_proj": ("attn_v", "v"),
    "self_attn.o_proj": ("attn_output", "o"),
    "mlp.gate_proj": ("ffn_gate", "gate"),
    "mlp.up_proj": ("ffn_up", "up"),
    "mlp.down_proj": ("ffn_down", "down"),
}


class LlamaModel:
    def __init__(self, path: str):
        self.path = path
        self.reader = GGUFReader(path)
        self.config = LlamaConfig.from_gguf(self.reader)
        self.tokenizer = BPETokenizer.from_gguf(self.reader)
        c = self.config
        r = self.reader
        self.tok_embd = tensor_f32(r, "token_embd.weight")          # (vocab, d_model)
        names = {t.name for t in r.tensors}
        self.output = tensor_f32(r, "output.weight") if "output.weight" in names else self.tok_embd
        self.tied_embeddings = "output.weight" not in names
        self.output_norm = tensor_f32(r, "output_norm.weight")
        self.layers: list[LayerWeights] = []
        for i in range(c.n_layers):
            p = f"blk.{i}."
            self.layers.append(LayerWeights(
                attn_norm=tensor_f32(r, p + "attn_norm.weight"),
                q=unpermute_qk(tensor_f32(r, p + "attn_q.weight"), c.n_heads),
                k=unpermute_qk(tensor_f32(r, p + "attn_k.weight"), c.n_kv_heads),
                v=tensor_f32(r, p + "attn_v.weight"),
                o=tensor_f32(r, p + "attn_output.weight"),
                ffn_norm=tensor_f32(r, p + "ffn_norm.weight"),
                gate=tensor_f32(r, p + "ffn_gate.weight"),
                up=tensor_f32(r, p + "ffn_up.weight"),
                down=tensor_f32(r, p + "ffn_down.weight"),
            ))
        half = c.head_dim // 2
        self.inv_freq = (1.0 / (c.rope_theta ** (np.arange(half, dtype=np.float64) * 2.0 / c.head_dim)))

    def linear_weight(self, layer: int, hf_name: str) -> np.ndarray:
        return getattr(self.layers[layer], HF_LINEAR_NAMES[hf_name][1])

    def quant_types(self) -> dict[str, str]:
        counts: dict[str, int] = {}
        for t in self.reader.tensors:
            counts[t.tensor_type.name] = counts.get(t.tensor_type.name, 0) + 1
        return counts

    # -- pieces

    def rms_norm(self, x: np.ndarray, w: np.ndarray) -> np.ndarray:
        var = np.mean(x.astype(np.float32) ** 2, axis=-1, keepdims=True)
        return (x / np.sqrt(var + np.float32(self.config.rms_eps))) * w

    def rope(self, x: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """HF-style rotary embedding on (heads, tokens, head_dim): rotate halves (i, i + d/2)."""
        angles = positions[:, None].astype(np.float64) * self.inv_freq[None, :]   # (T, d/2)
        cos = np.cos(angles).astype(np.float32)
        sin = np.sin(angles).astype(np.float32)
        cos = np.concatenate([cos, cos], axis=-1)
        sin = np.concatenate([sin, sin], axis=-1)
        half = x.shape[-1] // 2
        rotated = np.concatenate([-x[..., half:], x[..., :half]], axis=-1)
        return x * cos + rotated * sin

    # -- forward

    def forward(self, ids: list[int], capture=None, logits_for: str = "all") -> np.ndarray:
        """Full causal forward over `ids` (no KV cache). Returns logits (T, vocab) or (1, vocab).

        `capture(layer, name, value)` is called with the inputs and outputs of every linear layer:
        name is e.g. "self_attn.q_proj.input" / "self_attn.q_proj.output" (float32, tokens x features).
        """
        c = self.config
        T = len(ids)
        h = self.tok_embd[np.asarray(ids)].astype(np.float32)
        positions = np.arange(T)
        mask = np.triu(np.full((T, T), -np.inf, dtype=np.float32), k=1)
        rep = c.n_heads // c.n_kv_heads
        scale = np.float32(1.0 / np.sqrt(c.head_dim))

        def lin(layer, name, x, w):
            y = x @ w.T
            if capture is not None:
                capture(layer, name + ".input", x)
                capture(layer, name + ".output", y)
            return y

        for li, L in enumerate(self.layers):
            x = self.rms_norm(h, L.attn_norm)
            q = lin(li, "self_attn.q_proj", x, L.q)
            k = lin(li, "self_attn.k_proj", x, L.k)
            v = lin(li, "self_attn.v_proj", x, L.v)
            q = q.reshape(T, c.n_heads, c.head_dim).transpose(1, 0, 2)
            k = k.reshape(T, c.n_kv_heads, c.head_dim).transpose(1, 0, 2)
            v = v.reshape(T, c.n_kv_heads, c.head_dim).transpose(1, 0, 2)
            q = self.rope(q, positions)
            k = self.rope(k, positions)
            k = np.repeat(k, rep, axis=0)      # kv head j serves q heads j*rep .. j*rep+rep-1
            v = np.repeat(v, rep, axis=0)
            scores = (q @ k.transpose(0, 2, 1)) * scale + mask
            scores -= scores.max(axis=-1, keepdims=True)
            p = np.exp(scores)
            p /= p.sum(axis=-1, keepdims=True)
            attn = (p @ v).transpose(1, 0, 2).reshape(T, c.n_heads * c.head_dim)
            h = h + lin(li, "self_attn.o_proj", attn, L.o)

            x = self.rms_norm(h, L.ffn_norm)
            g = lin(li, "mlp.gate_proj", x, L.gate)
            u = lin(li, "mlp.up_proj", x, L.up)
            a = (g / (1.0 + np.exp(-g))) * u      # SiLU(gate) * up
            h = h + lin(li, "mlp.down_proj", a.astype(np.float32), L.down)

        if logits_for == "last":
            h = h[-1:]
        h = self.rms_norm(h, self.output_norm)
        return h @ self.output.T

    def generate_greedy(self, ids: list[int], max_new_tokens: int, stop_ids=()) -> list[int]:
        out = list(ids)
        new = []
        for _ in range(max_new_tokens):
            logits = self.forward(out, logits_for="last")[0]
            nxt = int(np.argmax(logits))
            if nxt in stop_ids:
                break
            out.append(nxt)
            new.append(nxt)
        return new

    def perplexity(self, ids: list[int]) -> float:
        """exp(mean NLL) of ids[1:] given their prefixes (ids[0] is the BOS context)."""
        logits = self.forward(ids).astype(np.float64)
        logits -= logits.max(axis=-1, keepdims=True)
        logp = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
        targets = np.asarray(ids[1:])
        nll = -logp[np.arange(len(ids) - 1), targets]
        return float(np.exp(nll.mean()))


def json_dumps_compact(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
