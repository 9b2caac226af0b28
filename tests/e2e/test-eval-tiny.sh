#!/usr/bin/env bash
# End-to-end: the model-level evaluation (tools/eval, `make eval`) on a tiny random Llama built in NumPy —
# no model download. Every method is calibrated through the real `export --all-layers`; 16-bit
# quantization must give the full-precision perplexity (the transforms are exact) and the pipeline's
# per-layer output error must equal `report`'s. Needs python3 with numpy; skips (and says so) without.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/duquant-explorer}
[ -x "$BIN" ] || { echo "missing $BIN (run swift build)"; exit 1; }
if ! python3 -c "import numpy" 2>/dev/null; then
  echo "SKIP test-eval-tiny: python3 lacks numpy (tools/install-deps.sh installs it with pip)"
  exit 0
fi
if out="$(DUQUANT_BIN="$BIN" python3 tools/eval/test_eval.py 2>&1)"; then
  printf '%s\n' "$out" | tail -n 3
  echo "PASS test-eval-tiny"
else
  printf '%s\n' "$out"
  echo "FAIL test-eval-tiny"
  exit 1
fi
