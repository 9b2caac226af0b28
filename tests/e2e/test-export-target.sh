#!/usr/bin/env bash
# End-to-end: `export` past `ulimit -f` (issue 10). The write used to raise SIGXFSZ, killing the process
# and leaving a `.dat.nosync*` temporary file; now SIGXFSZ is ignored, the write fails with EFBIG, the
# command prints one line and exits 2, the old output is kept and no temporary file is left.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/duquant-explorer}
[ -x "$BIN" ] || { echo "missing $BIN (run swift build -c release, or set BIN)"; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo old >"$out/kept.safetensors"
set +e
(ulimit -f 4; "$BIN" export tests/e2e/fixtures/tiny.safetensors --layer q_proj --steps 2 -o "$out/kept.safetensors" \
  >"$out/stdout" 2>"$out/stderr")
status=$?
(ulimit -f 4; "$BIN" export tests/e2e/fixtures/tiny.safetensors --layer q_proj --steps 2 -o "$out/new.safetensors" \
  >/dev/null 2>&1)
status2=$?
set -e
[ "$status" -eq 2 ] && [ "$status2" -eq 2 ] || { echo "FAIL: exit statuses $status, $status2 (want 2, 2)"; cat "$out/stderr"; exit 1; }
grep -q "cannot write: .*File too large" "$out/stderr" || { echo "FAIL: stderr: $(cat "$out/stderr")"; exit 1; }
[ "$(wc -l <"$out/stderr")" -eq 1 ] || { echo "FAIL: more than one line on stderr"; exit 1; }
[ "$(cat "$out/kept.safetensors")" = old ] || { echo "FAIL: the old output was changed"; exit 1; }
left="$(ls -A "$out" | grep -v -x -e kept.safetensors -e stdout -e stderr || true)"
[ -z "$left" ] || { echo "FAIL: left behind: $left"; exit 1; }
echo "ok: export past ulimit -f fails in one line (exit 2) and leaves no temporary file"
