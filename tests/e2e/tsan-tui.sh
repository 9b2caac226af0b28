#!/usr/bin/env bash
# The explorer's tmux end-to-end scripts once more, against a build instrumented by the thread sanitizer
# (`swift build --sanitize=thread --scratch-path .build-tsan`): the real run loop, its background work,
# OpenBLAS, signals, Ctrl-Z and a closed terminal, with every race report written to a log that must stay
# empty. Not named test-*.sh: run-all.sh does not pick it up; `make test-tsan` runs it.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build-tsan/debug/duquant-explorer}
[ -x "$BIN" ] || { echo "missing $BIN (run swift build --sanitize=thread --scratch-path .build-tsan)"; exit 1; }
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
export TSAN_OPTIONS="log_path=$logs/tsan halt_on_error=0 ${TSAN_OPTIONS:-}"
status=0
BIN="$BIN" tests/e2e/test-tui.sh || status=1
BIN="$BIN" LIVE_REPS=${LIVE_REPS:-2} tests/e2e/test-live-loop.sh || status=1
reports=$(find "$logs" -type f | wc -l)
if [ "$reports" -gt 0 ]; then
  echo "FAIL: the thread sanitizer reported in $reports process(es):"
  cat "$logs"/* | head -n 80
  status=1
fi
[ "$status" = 0 ] && echo "PASS tsan-tui (no reports)"
exit $status
