#!/usr/bin/env python3
"""End-to-end test of the model-level evaluation on a tiny random Llama (no download).

Builds a 2-block Llama with random weights in NumPy (outlier channels in its norms), writes the
calibration dump, calibrates every method `duquant-explorer export --list-methods` names through the
real CLI, and checks:
  * with 16-bit "quantization" (symmetric, no clipping) every method's perplexity equals full precision to 1e-3
    relative: the exported transforms are exact and applied right;
  * at W4A4 quantization is really on (RTN moves the perplexity) and the methods differ;
  * the pipeline's per-layer output error (transform applied in NumPy, FakeQuantizer in NumPy) equals
    `report`'s on the same dump for every method, on one layer of each shape;
  * a transform applied to input and weight leaves X Wᵀ unchanged;
  * the forward's products are the correctly rounded float32 of the exact ones, and the full-precision
    logits, the captured calibration inputs and RTN's, block Hadamard's and DuQuant's W4A4 logits are bit
    for bit the same under two OpenBLAS kernels (OPENBLAS_CORETYPE=Nehalem and the one the CPU picks),
    where float32 products differ in their last bits (on SmolLM2, W4A4's rounding to the 4-bit grid turned
    that into a 12% perplexity move).
Needs NumPy and the release binary (DUQUANT_BIN, default .build/release/duquant-explorer); without
NumPy every test is skipped with the reason, without the binary they fail.

    python3 tools/eval/test_eval.py
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

try:
    import numpy as np
    import llama_forward as lf
    import pipeline
    import quant
    MISSING = None
except ImportError as e:  # NumPy not installed: skip, saying why
    MISSING = f"NumPy is not installed ({e}); the model-level evaluation test is skipped"

BIN = os.environ.get("DUQUANT_BIN", os.path.join(REPO, ".build", "release", "duquant-explorer"))
# Small enough for seconds, shaped to exercise partial blocks: 48 = 32 + 16 (DuQuant tail, Hadamard 16),
# 80 = 2·32 + 16.
# Every method under the same α and clip ratios (the Python quantizer applies one lac and swc to all).
EXPORT_ARGS = ["--block", "32", "--steps", "24", "--same-settings"]


def tiny_model():
    """(cfg, weights, calibration ids, evaluation ids) of the test's tiny random Llama."""
    cfg = lf.Config(n_layers=2, d_model=48, d_ff=80, n_heads=4, n_kv_heads=2, head_dim=12,
                    rope_theta=10000.0, rms_eps=1e-5, vocab_size=61)
    rng = np.random.default_rng(7)
    calib_ids = [1] + rng.integers(2, cfg.vocab_size, 63).tolist()
    eval_ids = [1] + rng.integers(2, cfg.vocab_size, 47).tolist()
    return cfg, lf.random_llama(cfg, seed=3), calib_ids, eval_ids


# Run in a subprocess per BLAS kernel (OPENBLAS_CORETYPE is read when the library loads): SHA-256 of a
# plain float32 product (to tell whether the kernels differ at all), of the full-precision logits, of the
# captured calibration inputs and of each method's W4A4 logits. argv: transforms directory, methods.
KERNEL_PROBE = r"""
import hashlib, json, os, sys
sys.path.insert(0, os.environ["EVAL_DIR"])
import numpy as np
import llama_forward as lf, pipeline, quant, test_eval
digest = lambda a: hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()
cfg, wts, calib_ids, eval_ids = test_eval.tiny_model()
rng = np.random.default_rng(0)
a, b = rng.standard_normal((64, 96), np.float32), rng.standard_normal((96, 80), np.float32)
out = {"float32 product": digest(a @ b), "FP logits": digest(lf.forward(cfg, wts, eval_ids))}
captured = lf.capture_inputs(cfg, wts, calib_ids)
out["calibration inputs"] = digest(np.concatenate([captured[k].ravel() for k in sorted(captured)]))
qa, qw = pipeline.quantizers(pipeline.SETTINGS[0], 0.9, 0.8)
for m in sys.argv[2:]:
    t = quant.load_transforms(os.path.join(sys.argv[1], m))[1]
    linear = quant.QuantizedLinears(quant.transformed_weights(wts, t, lf.layer_name), t, qa, qw, lf.layer_name)
    out[m + " W4A4 logits"] = digest(lf.forward(cfg, wts, eval_ids, linear))
print(json.dumps(out))
"""


@unittest.skipIf(MISSING is not None, MISSING or "")
class TinyLlamaEvaluation(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(BIN, os.X_OK):
            raise unittest.SkipTest(f"{BIN} is missing: build it with `swift build -c release`") \
                if os.environ.get("DUQUANT_EVAL_TEST_ALLOW_NO_BIN") else AssertionError(f"{BIN} is missing")
        cls.tmp = tempfile.mkdtemp(prefix="duquant-eval-test-")
        cls.cfg, cls.wts, cls.calib_ids, cls.eval_ids = tiny_model()
        cls.dump = os.path.join(cls.tmp, "tiny.safetensors")
        pipeline.write_dump(cls.dump, cls.cfg, cls.wts, cls.calib_ids, {"model": "tiny random Llama"},
                            dtype=np.float32)
        cls.methods = [m for m, _ in pipeline.list_methods(BIN)]
        jobs = [pipeline.Job(m) for m in cls.methods]
        pipeline.calibrate(BIN, cls.dump, os.path.join(cls.tmp, "t"), jobs, EXPORT_ARGS, echo=lambda _: None)
        cls.transforms = {m: quant.load_transforms(os.path.join(cls.tmp, "t", m))[1] for m in cls.methods}
        cls.fp = pipeline.evaluate_perplexity(cls.cfg, cls.wts, cls.eval_ids, None, None, 1, 1)

    @classmethod
    def tearDownClass(cls):
        if hasattr(cls, "tmp"):
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_every_method_and_layer_was_calibrated(self):
        # Every method the core exports, the baselines and DuQuant among them.
        self.assertEqual(self.methods[0], "rtn")
        for m in ["smoothquant", "hadamard", "quarot", "duquant"]:
            self.assertIn(m, self.methods)
        for m in self.methods:
            self.assertEqual(len(self.transforms[m]), 7 * self.cfg.n_layers, m)
        self.assertEqual(self.transforms["rtn"]["model.layers.0.mlp.down_proj"], {})
        self.assertIn("smooth_scales", self.transforms["smoothquant"]["model.layers.0.mlp.down_proj"])
        self.assertIn("permutation.0", self.transforms["duquant"]["model.layers.1.mlp.down_proj"])

    def test_16_bit_quantization_gives_the_full_precision_perplexity(self):
        # Symmetric and unclipped: the asymmetric quantizer clamps its zero point to ±1e4 (the reference's
        # CLIPMAX), which clips the negative end of a row at 16 bits (2^16 − 1 levels); symmetric has a
        # fixed zero point 2^15 − 1 and is exact to about 2^-15 of each row's largest |value|.
        sixteen = pipeline.Setting("W16A16", 16, 16)
        for m in self.methods:
            ppl = pipeline.evaluate_perplexity(self.cfg, self.wts, self.eval_ids, self.transforms[m], sixteen, 1, 1,
                                               symmetric=True)
            self.assertLess(abs(ppl / self.fp - 1), 1e-3, f"{m}: {ppl} vs FP {self.fp}")

    def test_w4a4_moves_the_perplexity_and_the_methods_differ(self):
        w4a4 = pipeline.SETTINGS[0]
        ppl = {m: pipeline.evaluate_perplexity(self.cfg, self.wts, self.eval_ids, self.transforms[m], w4a4, 0.9, 0.8)
               for m in self.methods}
        self.assertGreater(abs(ppl["rtn"] / self.fp - 1), 0.01, ppl)
        self.assertGreater(len({round(v, 4) for v in ppl.values()}), 2, ppl)

    def test_swift_perplexity_equals_the_numpy_pass(self):
        # `duquant-explorer perplexity` (the Swift forward pass) on the same model, tokens and exported
        # transforms: FP to 1e-4, every method's W4A4 and W4A16 to 1e-3 (the transforms are applied by the
        # same arithmetic in both, so the quantizers see the same values), and one layer alone.
        import hf_checkpoint
        model_dir = os.path.join(self.tmp, "hf")
        hf_checkpoint.save(model_dir, self.cfg, self.wts)
        tokens = os.path.join(self.tmp, "eval-tokens.json")
        with open(tokens, "w", encoding="utf-8") as f:
            json.dump(self.eval_ids, f)
        cmd = [BIN, "perplexity", self.dump, "--model", model_dir, "--tokens", tokens, "--format", "json",
               "--settings", "W4A4,W4A16", "--lac", "0.9", "--swc", "0.8"] + EXPORT_ARGS
        for m in self.methods:
            cmd += ["--transforms", os.path.join(self.tmp, "t", m)]
        rows = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)["rows"]
        fp = next(r["perplexity"] for r in rows if r["method"] == "fp")
        self.assertLess(abs(fp / self.fp - 1), 1e-4, f"Swift FP {fp} vs NumPy {self.fp}")
        for s in pipeline.SETTINGS[:2]:
            for m in self.methods:
                numpy = pipeline.evaluate_perplexity(self.cfg, self.wts, self.eval_ids, self.transforms[m], s, 0.9, 0.8)
                swift = next(r["perplexity"] for r in rows if r["method"] == m and r["setting"] == s.name)
                self.assertLess(abs(swift / numpy - 1), 1e-3, f"{m} {s.name}: Swift {swift} vs NumPy {numpy}")
        # One block alone (the per-block sensitivity): Swift's incremental pass against NumPy's.
        out = subprocess.run(cmd[:cmd.index("--transforms")] + ["--transforms", os.path.join(self.tmp, "t", "duquant"),
                                                                 "--settings", "W4A4", "--only-layer", "model.layers.1."],
                             check=True, capture_output=True, text=True).stdout
        one = json.loads(out)["rows"][-1]
        self.assertEqual(one["blocks_computed"], 1)
        numpy = pipeline.block_sensitivity(self.cfg, self.wts, self.eval_ids, self.transforms["duquant"],
                                           pipeline.SETTINGS[0], 0.9, 0.8, echo=lambda _: None)[1]
        self.assertLess(abs(one["perplexity"] / numpy - 1), 1e-3, f"only block 1: Swift {one['perplexity']} vs NumPy {numpy}")

    def test_transforms_leave_the_layer_output_unchanged(self):
        x = self.wts.blocks[1]["mlp.down_proj"]
        xs = np.random.default_rng(1).standard_normal((9, x.shape[1])).astype(np.float32) * 3
        for m in self.methods:
            t = self.transforms[m]["model.layers.1.mlp.down_proj"]
            y = quant.apply_transform(xs, t, "input") @ quant.apply_transform(x, t, "weight").T
            np.testing.assert_allclose(y, xs @ x.T, rtol=1e-4, atol=1e-4 * np.abs(xs @ x.T).max(), err_msg=m)

    def test_per_layer_output_error_matches_report(self):
        tensors, _ = pipeline.safetensors_np.load(self.dump)
        for layer, owner in [("model.layers.1.mlp.down_proj", "model.layers.1.mlp.down_proj"),
                             ("model.layers.0.self_attn.k_proj", "model.layers.0.self_attn.q_proj")]:
            out = subprocess.run([BIN, "report", self.dump, "--layer", layer, "--format", "json"] + EXPORT_ARGS,
                                 check=True, capture_output=True, text=True).stdout
            reported = json.loads(out)["layers"][0]["methods"]
            qa, qw = pipeline.quantizers(pipeline.SETTINGS[0], 0.9, 0.8)
            for m in self.methods:
                mine = quant.output_error(tensors[owner + ".input"], tensors[layer + ".weight"],
                                          self.transforms[m][layer], qa, qw)
                theirs = reported[m]["output_rel_error"]
                # Measured ~1e-7: the same quantized values, summed in another order.
                self.assertLess(abs(mine / theirs - 1), 1e-5, f"{layer} {m}: pipeline {mine} vs report {theirs}")

    def test_block_sensitivity_quantizes_one_block_at_a_time(self):
        t = self.transforms["duquant"]
        # Unquantized, each block's transform alone leaves the model as it was.
        none = pipeline.block_sensitivity(self.cfg, self.wts, self.eval_ids, t, pipeline.Setting("none", None, None),
                                          1, 1, echo=lambda _: None)
        for v in none:
            self.assertLess(abs(v / self.fp - 1), 1e-4)
        w4a4 = pipeline.block_sensitivity(self.cfg, self.wts, self.eval_ids, t, pipeline.SETTINGS[0], 0.9, 0.8,
                                          echo=lambda _: None)
        self.assertEqual(len(w4a4), self.cfg.n_layers)
        everything = pipeline.evaluate_perplexity(self.cfg, self.wts, self.eval_ids, t, pipeline.SETTINGS[0], 0.9, 0.8)
        for v in w4a4:
            self.assertNotAlmostEqual(v, self.fp, places=6)
            self.assertNotAlmostEqual(v, everything, places=6)

    def test_products_are_the_correctly_rounded_float32_of_the_exact_ones(self):
        # What makes the forward independent of the BLAS kernel: whichever order a kernel sums in, a float64
        # accumulation rounded to float32 gives the float32 nearest the exact sum (math.fsum: exact sums of
        # the float64 products of float32 values, themselves exact). A float32 product (`a @ b`) does not.
        import math
        rng = np.random.default_rng(5)
        a = (rng.standard_normal((6, 1536)) * np.exp(rng.standard_normal(1536))).astype(np.float32)
        b = rng.standard_normal((1536, 5)).astype(np.float32)
        exact = np.array([[math.fsum(a[i].astype(np.float64) * b[:, j]) for j in range(b.shape[1])]
                          for i in range(a.shape[0])]).astype(np.float32)
        np.testing.assert_array_equal(lf.matmul(a, b), exact)
        # Stacked operands (the block rotations, the attention heads): one product per slice.
        x, r = rng.standard_normal((3, 4, 128)).astype(np.float32), rng.standard_normal((3, 128, 128)).astype(np.float32)
        np.testing.assert_array_equal(lf.matmul(x, r)[1], lf.matmul(x[1], r[1]))

    def test_forward_and_w4a4_are_bit_identical_under_two_blas_kernels(self):
        env = dict(os.environ, EVAL_DIR=HERE)
        env.pop("OPENBLAS_CORETYPE", None)
        methods = [m for m in ["rtn", "hadamard", "duquant"] if m in self.methods]
        runs = {}
        for core in [None, "Nehalem"]:       # the kernel OpenBLAS picks for this CPU, and SSE4.2's
            e = dict(env, OPENBLAS_CORETYPE=core) if core else env
            out = subprocess.run([sys.executable, "-c", KERNEL_PROBE, os.path.join(self.tmp, "t")] + methods,
                                 env=e, check=True, capture_output=True, text=True).stdout
            runs[core or "default"] = json.loads(out)
        a, b = runs.values()
        if a["float32 product"] == b["float32 product"]:
            self.skipTest("NumPy's BLAS gives the same float32 product under OPENBLAS_CORETYPE=Nehalem "
                          "(not OpenBLAS, or not x86-64): no second kernel to compare")
        differ = [key for key in a if key != "float32 product" and a[key] != b[key]]
        self.assertEqual(differ, [], "differ between the BLAS kernels")

    def test_fake_quant_matches_the_core_definition(self):
        # Hand-computed: row [-1, 0, 0.5, 2], 2 bits, no clip: scale 1, zero 1, q = [0, 1, 1, 3] (0.5 rounds to 0).
        q = quant.fake_quant(np.array([[-1, 0, 0.5, 2]], np.float32), 2)
        np.testing.assert_array_equal(q, [[-1, 0, 0, 2]])
        # Clip 0.5 at 2 bits: extremes -0.5, 1 → scale 0.5, zero 1; 2 saturates at (3 − 1)·0.5 = 1.
        q = quant.fake_quant(np.array([[-1, 0, 0.5, 2]], np.float32), 2, clip=0.5)
        np.testing.assert_array_equal(q, [[-0.5, 0, 0.5, 1]])


@unittest.skipIf(MISSING is not None, MISSING or "")
class ExportIndexReading(unittest.TestCase):
    """`quant.read_index` follows index.json only; without it, a complete set of agreeing part-indexes
    (the CLI's merge rule, docs/EXPORT.md); never a file outside the directory."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="duquant-index-test-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)

    def write(self, name, index):
        with open(os.path.join(self.dir, name), "w", encoding="utf-8") as f:
            json.dump(index, f)

    @staticmethod
    def part(k, n, layers, method="duquant"):
        return {"format": "duquant-explorer export index v2", "method": method, "source": "d", "source_stamp": "1 2.0",
                "params": "p", "seed": "0", "layer_count": 3, "shard": f"{k}/{n}", "layers": layers}

    def test_parts_merge_only_when_complete_and_agreeing(self):
        self.write("index-1-of-2.json", self.part(1, 2, {"a": "run-1/0001-a.safetensors", "c": "run-1/0003-c.safetensors"}))
        with self.assertRaises(FileNotFoundError):
            quant.read_index(self.dir)
        self.write("index-2-of-2.json", self.part(2, 2, {"b": "run-2/0002-b.safetensors"}, method="rtn"))
        with self.assertRaises(FileNotFoundError):
            quant.read_index(self.dir)
        self.write("index-2-of-2.json", self.part(2, 2, {"b": "run-2/0002-b.safetensors"}))
        self.assertEqual(sorted(quant.read_index(self.dir)["layers"]), ["a", "b", "c"])
        # index.json, when present, is the commit point: the parts are not read.
        self.write("index.json", dict(self.part(1, 1, {"a": "run-3/0001-a.safetensors"}, method="rtn"), shard=None))
        self.assertEqual(quant.read_index(self.dir)["method"], "rtn")

    def test_an_index_naming_a_file_outside_the_directory_is_refused(self):
        self.write("index.json", {"method": "rtn", "source": "d", "params": "p", "seed": "0", "layers": {"a": "../x"}})
        with self.assertRaises(ValueError):
            quant.load_transforms(self.dir)


if __name__ == "__main__":
    if MISSING:
        print(f"SKIP: {MISSING}")
    unittest.main(verbosity=2)
