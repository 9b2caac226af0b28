#!/usr/bin/env bash
# Runs every end-to-end script in this folder against the debug binary.
set -euo pipefail
cd "$(dirname "$0")/../.."
status=0
for t in tests/e2e/test-*.sh; do
  [ -e "$t" ] || continue
  echo "== $t"
  if ! "$t"; then echo "FAILED: $t"; status=1; fi
done
exit $status
