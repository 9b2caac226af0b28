#!/usr/bin/env bash
# End-to-end: memory that grows like the data. `export` of a LLaMA-7B-shaped down_proj (4096 tokens × 11008,
# weight 4096 × 11008: X and W 180 MB each) must peak at no more than 3× X + W, plus what does not grow with
# the tokens: the process's ~56 MB (binary, libraries, BLAS buffers) and the transform being written (two
# stages of 128 × 128 block rotations, ~11 MB here), in both rotation layouts; and the memory estimate the budget
# check uses (printed when refused) must be within 25% of the peak measured here.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/duquant-explorer}
[ -x "$BIN" ] || { echo "missing $BIN (run swift build -c release)"; exit 1; }
if ! python3 -c "import numpy" 2>/dev/null; then
  echo "SKIP test-memory-peak: python3 lacks numpy"
  exit 0
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
python3 tests/e2e/make-7b-layer.py "$out/layer.safetensors" --tokens 4096
python3 - "$BIN" "$out" <<'PY'
import re, resource, subprocess, sys

binary, out = sys.argv[1], sys.argv[2]
tokens, channels, outputs = 4096, 11008, 4096
x_bytes, w_bytes = 4 * tokens * channels, 4 * outputs * channels
fixed = (56 << 20) + 2 * channels * 128 * 4
dump = f"{out}/layer.safetensors"
units = {"KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}

def estimate(args):
    r = subprocess.run([binary, "export", dump, "--layer", "down", "-o", f"{out}/t.safetensors",
                        "--memory-budget", "1M", *args], capture_output=True, text=True)
    m = re.search(r"needs about ([0-9.]+) (KB|MB|GB)", r.stderr)
    assert r.returncode != 0 and m, f"no estimate in: {r.stderr!r}"
    return float(m.group(1)) * units[m.group(2)]

failed = False
for args in (["--select", "reference", "--layout", "shared"], []):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    r = subprocess.run([binary, "export", dump, "--layer", "down", "-o", f"{out}/t.safetensors", "--steps", "8", *args],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    assert peak > before * 1024, "the export's peak did not register (an earlier child peaked higher)"
    est = estimate(args)
    bound = 3 * x_bytes + w_bytes + fixed
    label = " ".join(args) or "default (perblock)"
    print(f"{label}: peak {peak / 2**20:.0f} MiB = {(peak - w_bytes - fixed) / x_bytes:.2f}× X + W + fixed; "
          f"bound {bound / 2**20:.0f} MiB; estimate {est / 2**20:.0f} MiB ({(est - peak) / peak:+.0%})")
    if peak > bound:
        print(f"FAIL: peak over 3× X + W + {fixed / 2**20:.0f} MiB"); failed = True
    if abs(est - peak) > 0.25 * peak:
        print("FAIL: the estimate is more than 25% off the peak"); failed = True
sys.exit(1 if failed else 0)
PY
echo "PASS test-memory-peak"
