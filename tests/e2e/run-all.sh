#!/usr/bin/env bash
# Runs every end-to-end script in this folder against the release binary (what `make run` starts), then
# the main TUI script once more against the debug binary (the two builds have differed: issue 9).
set -euo pipefail
cd "$(dirname "$0")/../.."
status=0
for t in tests/e2e/test-*.sh; do
  [ -e "$t" ] || continue
  echo "== $t"
  if ! "$t"; then echo "FAILED: $t"; status=1; fi
done
echo "== tests/e2e/test-tui.sh (debug build)"
if ! BIN=.build/debug/duquant-explorer tests/e2e/test-tui.sh; then echo "FAILED: test-tui.sh (debug)"; status=1; fi
exit $status
