#!/usr/bin/env bash
# End-to-end: `export` on the real sample, then the numpy recipe of docs/EXPORT.md, run as written,
# must rebuild X̃ and W̃ from the exported file with X̃ W̃ᵀ = X Wᵀ (the recipe asserts it). Needs python3
# with numpy and safetensors; skips (and says so) without them.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/duquant-explorer}
[ -x "$BIN" ] || { echo "missing $BIN (run swift build)"; exit 1; }
if ! python3 -c "import numpy, safetensors" 2>/dev/null; then
  echo "SKIP test-export-numpy: python3 lacks numpy or safetensors (pip install numpy safetensors)"
  exit 0
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$BIN" export samples/smollm2-135m/activations.safetensors --layer model.layers.11.mlp.down_proj \
  -o "$out/transform.safetensors" --steps 16 >/dev/null
python3 - "$out/transform.safetensors" <<'PY'
import sys
import numpy as np
from safetensors.numpy import load_file

doc = open("docs/EXPORT.md").read()
recipe = doc.split("```python", 1)[1].split("```", 1)[0]
s = load_file("samples/smollm2-135m/activations.safetensors")
x = s["model.layers.11.mlp.down_proj.input"].astype(np.float32)
w = s["model.layers.11.mlp.down_proj.weight"].astype(np.float32)
scope = {"x": x, "w": w}
exec(recipe.replace('"transform.safetensors"', repr(sys.argv[1])), scope)
x_t = scope["x_t"]
assert np.abs(x_t).max() < np.abs(x).max() / 100, "the transform did not tame the massive outlier"
print(f"export recipe: max|x| {np.abs(x).max():.0f} -> {np.abs(x_t).max():.2f}, X~W~^T = XW^T")
PY
echo "PASS test-export-numpy"
