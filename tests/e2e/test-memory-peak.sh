#!/usr/bin/env bash
# End-to-end: memory that grows like the data. `export` of a LLaMA-7B-shaped down_proj (11008 channels, weight
# 4096 × 11008 = 180 MB) at 2048 and 4096 tokens (X 90 and 180 MB), in both rotation layouts:
# - what the peak resident size grows by from 2048 to 4096 tokens is at most 3.1× what X grows by: the input,
#   its double screen (2×), and the greedy search's per-row bookkeeping (four 8-byte figures per row of a
#   block: 1/16 of X at blocks of 128), with a little to spare;
# - the peak at 4096 tokens is at most 3× X + W plus 96 MiB that does not grow with the tokens (the process,
#   its libraries and BLAS buffers, the transform being written, the exact-row cache of at most 16 MB);
# - the estimate the budget check uses (printed when it refuses) is within 25% of the measured peak.
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
for t in 2048 4096; do python3 tests/e2e/make-7b-layer.py "$out/layer-$t.safetensors" --tokens $t; done
python3 - "$BIN" "$out" <<'PY'
import re, subprocess, sys

binary, out = sys.argv[1], sys.argv[2]
channels, outputs, fixed = 11008, 4096, 96 << 20
w_bytes = 4 * outputs * channels
units = {"KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}

def peak(tokens, args):
    """The export's peak resident size (GNU time's %M is not everywhere: wait4's rusage is)."""
    p = subprocess.Popen([binary, "export", f"{out}/layer-{tokens}.safetensors", "--layer", "down",
                          "-o", f"{out}/t.safetensors", "--steps", "8", *args],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = __import__("os").wait4(p.pid, 0)
    assert status == 0, p.stderr.read().decode()
    return usage.ru_maxrss * 1024

def estimate(tokens, args):
    r = subprocess.run([binary, "export", f"{out}/layer-{tokens}.safetensors", "--layer", "down",
                        "-o", f"{out}/t.safetensors", "--memory-budget", "1M", *args], capture_output=True, text=True)
    m = re.search(r"needs about ([0-9.]+) (KB|MB|GB)", r.stderr)
    assert r.returncode != 0 and m, f"no estimate in: {r.stderr!r}"
    return float(m.group(1)) * units[m.group(2)]

failed = False
for args in (["--select", "reference", "--layout", "shared"], []):
    label = " ".join(args) or "default (per block)"
    small, large = peak(2048, args), peak(4096, args)
    x_small, x_large = 4 * 2048 * channels, 4 * 4096 * channels
    slope = (large - small) / (x_large - x_small)
    bound = 3 * x_large + w_bytes + fixed
    est = estimate(4096, args)
    print(f"{label}: peak {small / 2**20:.0f} → {large / 2**20:.0f} MiB from 2048 to 4096 tokens: "
          f"{slope:.2f}× what X grew by; {(large - w_bytes) / x_large:.2f}× X + W at 4096 (bound {bound / 2**20:.0f} MiB); "
          f"estimate {est / 2**20:.0f} MiB ({(est - large) / large:+.0%})")
    if slope > 3.1:
        print("FAIL: the peak grows by more than 3.1× X"); failed = True
    if large > bound:
        print(f"FAIL: the peak is over 3× X + W + {fixed >> 20} MiB"); failed = True
    if abs(est - large) > 0.25 * large:
        print("FAIL: the estimate is more than 25% off the peak"); failed = True
sys.exit(1 if failed else 0)
PY
echo "PASS test-memory-peak"
