#!/usr/bin/env python3
"""Writes Tests/DuQuantCoreTests/Fixtures/reference_crosscheck.json: the official algorithm (the NumPy
port in duquant_reference.py) run on a small matrix, for a test that our `--select reference
--layout shared` pipeline reproduces it.

The port draws each stage's rotation B = E_n·diag(1, Q') itself; the fixture records both B matrices, so
the Swift test can search with the very same rotations and must then choose the same exchange rows, keep
the same prefix, build the same composed rotation and the same zigzag permutation, and end with the same
matrix. The port decides on its float64 chain (`exact=True`), as the explorer decides on exact values.
Deterministic (seeded); run from the repository root:

    python3 tools/reference/make_crosscheck_fixture.py
"""
import json
import pathlib
import sys

# duquant_reference parses its command line when imported (it must set BLAS threads before NumPy loads);
# give it the one required argument.
sys.argv = [sys.argv[0], "--input", "unused.npy"]
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import duquant_reference as ref  # noqa: E402
import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOKENS, CHANNELS, BLOCK, STEPS = 20, 48, 16, 24


def main():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((TOKENS, CHANNELS)).astype(np.float32)
    x[:, 5] *= 12
    x[:, 30] *= -8
    x[0, 21] = 140.0
    x[3, 44] = -95.0

    bases = []
    original_get_rot = ref.get_rot

    def recording_get_rot(n, generator):
        b = original_get_rot(n, generator)
        bases.append(b.copy())
        return b

    ref.get_rot = recording_get_rot
    ref._BASE[BLOCK] = ref.givens_base(BLOCK)
    stage_rng = np.random.default_rng(11)
    x1, r0, s0 = ref.rotation(x, BLOCK, STEPS, stage_rng, exact=True)
    x1p, perm = ref.permutation_zigzag(x1, BLOCK)
    out, r1, s1 = ref.rotation(x1p, BLOCK, STEPS, stage_rng, exact=True)

    def flat(a):
        return [float(v) for v in np.asarray(a, dtype=np.float32).ravel()]

    fixture = {
        "about": "official DuQuant calibration (NumPy port, tools/reference) on a seeded matrix; "
                 "made by tools/reference/make_crosscheck_fixture.py",
        "tokens": TOKENS, "channels": CHANNELS, "block": BLOCK, "steps": STEPS,
        "x": flat(x),
        "base": [flat(bases[0]), flat(bases[1])],
        "kept": [s0["kept"], s1["kept"]],
        "peak_first": [s0["peak_first"], s1["peak_first"]],
        "peak_min": [s0["peak_min"], s1["peak_min"]],
        "chosen_head": [s0["chosen_head"], s1["chosen_head"]],
        "rotation": [flat(r0), flat(r1)],
        "permutation": [int(p) for p in perm],
        "out": flat(out),
    }
    path = ROOT / "Tests" / "DuQuantCoreTests" / "Fixtures" / "reference_crosscheck.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(fixture) + "\n")
    print(f"wrote {path.relative_to(ROOT)}: kept {fixture['kept']}, peaks {fixture['peak_first']} -> {fixture['peak_min']}")


if __name__ == "__main__":
    main()
