#!/usr/bin/env bash
# End-to-end: `export --all-layers` past `ulimit -f` (issue 22). A re-export that failed half-way (the disk
# "full" after two of the three layers) used to leave index.json describing the old method while the files
# written before the failure held the new one. Now the run's files go to a generation of their own and
# index.json, renamed into place last, is the commit point: the failed run prints one error line, exits 2 and
# leaves the directory byte for byte as it was. The same for a shard; the shard completing the set merges
# index.json, and generations no index names are removed (a file of the user's is kept).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/duquant-explorer}
[ -x "$BIN" ] || { echo "missing $BIN (run swift build -c release, or set BIN)"; exit 1; }
dump=tests/e2e/fixtures/tiny.safetensors   # layers q_proj (in 128), o_proj (64), down_proj (256)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
out="$tmp/out"

fail() { echo "FAIL: $*"; exit 1; }
# Every path under the output directory, and every regular file's SHA-256.
snapshot() { (cd "$out" && find . | LC_ALL=C sort && find . -type f -exec sha256sum {} + | LC_ALL=C sort); }
# The index's method, and a check that every file it names exists.
method() {
  python3 - "$out" <<'EOF'
import json, os, sys
index = json.load(open(os.path.join(sys.argv[1], "index.json")))
missing = [f for f in index["layers"].values() if not os.path.isfile(os.path.join(sys.argv[1], f))]
print(index["method"] if len(index["layers"]) == 3 and not missing else f"incomplete: {missing}")
EOF
}
# export ARGS… under a file size limit of 100 KiB: block Hadamard's q_proj (66 KB) and o_proj (17 KB) fit,
# down_proj (131 KB) does not. Sets $status; stderr in $tmp/stderr.
limited() {
  set +e
  (ulimit -f 100; "$BIN" export "$dump" --all-layers -o "$out" "$@" >/dev/null 2>"$tmp/stderr")
  status=$?
  set -e
}
one_error() {
  [ "$status" -eq 2 ] || fail "$1: exit status $status (want 2); stderr: $(cat "$tmp/stderr")"
  grep -q "File too large" "$tmp/stderr" || fail "$1: stderr: $(cat "$tmp/stderr")"
  [ "$(grep -c '^duquant-explorer:' "$tmp/stderr")" -eq 1 ] || fail "$1: not one error line: $(cat "$tmp/stderr")"
}

"$BIN" export "$dump" --all-layers --method rtn -o "$out" >/dev/null 2>&1
echo mine >"$out/notes.txt"
before="$(snapshot)"
limited --method hadamard
one_error "re-export"
[ "$(snapshot)" = "$before" ] || fail "the failed re-export changed the directory: $(diff <(echo "$before") <(snapshot))"
[ "$(method)" = rtn ] || fail "index: $(method)"

# Shards: 2/2 (o_proj) succeeds, 1/2 (q_proj, down_proj) fails half-way, then succeeds and merges.
"$BIN" export "$dump" --all-layers --method hadamard --shard 2/2 -o "$out" >/dev/null 2>&1
[ "$(method)" = rtn ] || fail "a part replaced index.json: $(method)"
with_part="$(snapshot)"
limited --method hadamard --shard 1/2
one_error "shard 1/2"
[ "$(snapshot)" = "$with_part" ] || fail "the failed shard changed the directory: $(diff <(echo "$with_part") <(snapshot))"
"$BIN" export "$dump" --all-layers --method hadamard --shard 1/2 -o "$out" >"$tmp/stdout" 2>/dev/null
grep -q "index.json merged from 2 parts" "$tmp/stdout" || fail "stdout: $(cat "$tmp/stdout")"
[ "$(method)" = hadamard ] || fail "merged index: $(method)"
# Left: the indexes, the lock, the user's file and the generations index.json names (RTN's was removed).
named="$(python3 -c 'import json,sys; print("\n".join(sorted({f.split("/")[0] for f in json.load(open(sys.argv[1]))["layers"].values()})))' "$out/index.json")"
want="$(printf '%s\n' .duquant-export.lock index-1-of-2.json index-2-of-2.json index.json notes.txt $named | LC_ALL=C sort)"
[ "$(ls -A "$out" | LC_ALL=C sort)" = "$want" ] || fail "left in the directory: $(ls -A "$out")"
[ "$(cat "$out/notes.txt")" = mine ] || fail "the user's file changed"
echo "ok: export --all-layers past ulimit -f fails in one line (exit 2) and leaves the previous set; shards merge index.json"
