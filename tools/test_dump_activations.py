#!/usr/bin/env python3
"""End-to-end test of tools/dump_activations.py on a tiny random Llama (no download).

    python3 tools/test_dump_activations.py        # or: python3 -m pytest tools/test_dump_activations.py

Builds a 2-layer LlamaForCausalLM from a LlamaConfig with random weights and a small word-level
tokenizer, saves both to a temporary directory, runs the dump tool as a subprocess, then checks the
tensor names and shapes, the shared-input metadata, that input @ weight.T equals the module output
captured by an independent forward hook, and the sidecar JSON.

torch + transformers are large and CI does not install them: without them every test is skipped
with a message saying so.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "dump_activations.py")

try:
    import torch
    import transformers  # noqa: F401
    from safetensors import safe_open
    HAVE_TORCH = True
    WHY = ""
except ImportError as e:
    HAVE_TORCH = False
    WHY = (f"SKIPPED: {e.name or e} not installed; tools/test_dump_activations.py needs torch, "
           f"transformers and safetensors (pip install torch transformers) - see tools/README.md")

TEXT = ("The quick brown fox jumps over the lazy dog . A tiny model reads a tiny text , "
        "and the hooks record what every linear layer multiplied . ") * 3
MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
N_LAYERS = 2


def build_tiny_model(directory: str) -> None:
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    words = sorted(set(TEXT.split()))
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for w in words:
        vocab[w] = len(vocab)
    tok = Tokenizer(WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = Whitespace()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>")
    fast.save_pretrained(directory)

    config = LlamaConfig(vocab_size=len(vocab), hidden_size=64, intermediate_size=96,
                         num_hidden_layers=N_LAYERS, num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=128, bos_token_id=1, eos_token_id=2)
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    model.save_pretrained(directory)


class MissingPackagesTest(unittest.TestCase):
    """Issue 25: the tool names missing packages in one line, before loading anything (it used to end in a
    30-line traceback from inside transformers when `accelerate` was missing for --gguf-file). Runs without
    torch: the tool runs with Python's site-packages switched off (-S) and, where a test needs them, empty
    stand-ins for the packages that are "installed"."""

    def run_with(self, installed, *extra):
        with tempfile.TemporaryDirectory() as tmp:
            for package in installed:
                os.makedirs(os.path.join(tmp, package))
                open(os.path.join(tmp, package, "__init__.py"), "w").close()
            if "safetensors" in installed:
                open(os.path.join(tmp, "safetensors", "torch.py"), "w").close()
            text = os.path.join(tmp, "text.txt")
            with open(text, "w", encoding="utf-8") as f:
                f.write(TEXT)
            env = dict(os.environ, PYTHONPATH=tmp)
            return subprocess.run([sys.executable, "-S", TOOL, os.path.join(tmp, "model"), "--text", text,
                                   "-o", os.path.join(tmp, "out.safetensors"), *extra],
                                  capture_output=True, text=True, env=env)

    def assertOneLine(self, proc, *names):
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertEqual(proc.stdout, "")
        lines = proc.stderr.strip().split("\n")
        self.assertEqual(len(lines), 1, proc.stderr)
        self.assertIn("pip install " + " ".join(names), lines[0])
        self.assertNotIn("Traceback", proc.stderr)

    def test_gguf_without_accelerate_says_what_to_install(self):
        proc = self.run_with(["torch", "transformers", "safetensors", "gguf"], "--gguf-file", "model.gguf")
        self.assertOneLine(proc, "accelerate")
        self.assertIn("accelerate (for --gguf-file)", proc.stderr)

    def test_without_anything_names_every_package(self):
        proc = self.run_with([], "--gguf-file", "model.gguf")
        self.assertOneLine(proc, "torch", "transformers", "safetensors", "gguf", "accelerate")

    def test_gguf_packages_are_asked_for_only_with_gguf_file(self):
        proc = self.run_with(["torch"])
        self.assertOneLine(proc, "transformers", "safetensors")
        self.assertNotIn("accelerate", proc.stderr)


@unittest.skipUnless(HAVE_TORCH, WHY)
class DumpActivationsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.model_dir = os.path.join(cls.tmp.name, "tiny-llama")
        build_tiny_model(cls.model_dir)
        cls.text_path = os.path.join(cls.tmp.name, "text.txt")
        with open(cls.text_path, "w", encoding="utf-8") as f:
            f.write(TEXT)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_tool(self, out_name, *extra):
        out = os.path.join(self.tmp.name, out_name)
        proc = subprocess.run([sys.executable, TOOL, self.model_dir, "--text", self.text_path,
                               "-o", out, *extra], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        with safe_open(out, framework="pt") as f:
            tensors = {k: f.get_tensor(k) for k in f.keys()}
            meta = f.metadata()
        with open(os.path.splitext(out)[0] + ".json", encoding="utf-8") as f:
            sidecar = json.load(f)
        return tensors, meta, sidecar

    def reference_outputs(self, ids):
        """Module outputs of the same model on the same ids, captured by our own hooks."""
        from transformers import AutoModelForCausalLM
        sys.path.insert(0, HERE)
        from dump_activations import float32_kwarg
        model = AutoModelForCausalLM.from_pretrained(self.model_dir, **float32_kwarg()).eval()
        outs, handles = {}, []
        for name, module in model.named_modules():
            if isinstance(module, torch.nn.Linear) and name.split(".")[-1] in MODULES:
                handles.append(module.register_forward_hook(
                    lambda m, i, o, name=name: outs.__setitem__(name, o.detach().reshape(-1, o.shape[-1]))))
        with torch.no_grad():
            model(torch.tensor([ids]))
        for h in handles:
            h.remove()
        return outs

    def test_all_modules_f32(self):
        tensors, meta, sidecar = self.run_tool("all.safetensors", "--modules", ",".join(MODULES),
                                               "--max-tokens", "24", "--dtype", "f32")
        ids = sidecar["token_ids"]
        T = len(ids)
        self.assertEqual(T, 24)
        self.assertEqual(ids[0], 1, "BOS first")
        shared = json.loads(meta["duquant.shared_inputs"])
        expected_shared, expected_names = {}, set()
        dims = {"q_proj": (64, 64), "k_proj": (32, 64), "v_proj": (32, 64), "o_proj": (64, 64),
                "gate_proj": (96, 64), "up_proj": (96, 64), "down_proj": (64, 96)}
        for i in range(N_LAYERS):
            a, m = f"model.layers.{i}.self_attn", f"model.layers.{i}.mlp"
            expected_shared.update({f"{a}.k_proj": f"{a}.q_proj", f"{a}.v_proj": f"{a}.q_proj",
                                    f"{m}.up_proj": f"{m}.gate_proj"})
            for p in (f"{a}.q_proj", f"{a}.o_proj", f"{m}.gate_proj", f"{m}.down_proj"):
                expected_names.add(p + ".input")
            for mod in MODULES:
                parent = a if mod in ("q_proj", "k_proj", "v_proj", "o_proj") else m
                expected_names.add(f"{parent}.{mod}.weight")
                out_f, in_f = dims[mod]
                self.assertEqual(tuple(tensors[f"{parent}.{mod}.weight"].shape), (out_f, in_f))
                if f"{parent}.{mod}.input" in tensors:
                    self.assertEqual(tuple(tensors[f"{parent}.{mod}.input"].shape), (T, in_f))
        self.assertEqual(set(tensors), expected_names)
        self.assertEqual(shared, expected_shared)
        self.assertTrue(all(t.dtype == torch.float32 for t in tensors.values()))

        refs = self.reference_outputs(ids)
        self.assertEqual(len(refs), N_LAYERS * len(MODULES))
        for name, ref in refs.items():
            x = tensors[shared.get(name, name) + ".input"]
            y = x @ tensors[name + ".weight"].T
            torch.testing.assert_close(y, ref, rtol=1e-5, atol=1e-5, msg=f"{name}: input @ weight.T != output")

        self.assertEqual(sidecar["model"], "tiny-llama")
        self.assertEqual(sidecar["text_source"], ["text.txt"])
        self.assertEqual(len(sidecar["tokens"]), T)
        self.assertEqual(sidecar["tokens"][:3], ["<s>", "The", "quick"])
        self.assertEqual(sidecar["shared_inputs"], expected_shared)
        self.assertEqual(sidecar["dtype"], "f32")

    def test_down_proj_only_f16(self):
        tensors, meta, sidecar = self.run_tool("down.safetensors", "--modules", "down_proj")
        names = {f"model.layers.{i}.mlp.down_proj.{k}" for i in range(N_LAYERS) for k in ("input", "weight")}
        self.assertEqual(set(tensors), names)
        self.assertEqual(json.loads(meta["duquant.shared_inputs"]), {})
        self.assertTrue(all(t.dtype == torch.float16 for t in tensors.values()))
        T = len(sidecar["token_ids"])
        self.assertEqual(T, len(TEXT.split()) + 1)          # whole text (< 256 tokens) + BOS
        refs = self.reference_outputs(sidecar["token_ids"])
        for i in range(N_LAYERS):
            p = f"model.layers.{i}.mlp.down_proj"
            self.assertEqual(tuple(tensors[p + ".input"].shape), (T, 96))
            y = tensors[p + ".input"].float() @ tensors[p + ".weight"].float().T
            torch.testing.assert_close(y, refs[p], rtol=2e-2, atol=2e-3)

    def test_unknown_module_fails(self):
        out = os.path.join(self.tmp.name, "none.safetensors")
        proc = subprocess.run([sys.executable, TOOL, self.model_dir, "--text", self.text_path,
                               "--modules", "no_such_proj", "-o", out], capture_output=True, text=True)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("no linear module", proc.stderr)


if __name__ == "__main__":
    if not HAVE_TORCH:
        print(WHY)
    unittest.main(verbosity=2)
