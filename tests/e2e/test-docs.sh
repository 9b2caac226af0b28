#!/usr/bin/env bash
# The docs cannot drift: regenerates every figure that comes from a run (docs/TOUR.md from its template,
# the marked numbers and screens in README.md, docs/EXPLORER.md and samples/README.md) with the release
# binary and fails, showing the difference, when the committed text differs (tools/docs/make-tour.py --check).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x .build/release/duquant-explorer ] || { echo "missing .build/release/duquant-explorer (swift build -c release)"; exit 1; }
python3 tools/docs/make-tour.py --check
echo "PASS test-docs"
