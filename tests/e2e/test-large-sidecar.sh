#!/usr/bin/env bash
# End-to-end (issue 23, item 4): large sidecars through the real binary. `list` on a dump beside a 19 MB
# sidecar (unknown keys, deep nesting, many small keys, a long text or a long token list) must stay within twice the
# sidecar's size in memory over the same run without it (it took 38× before: a tree of the whole file);
# a sidecar over 20 MB is refused with one warning line and the dump is listed as without it.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/duquant-explorer}
[ -x "$BIN" ] || { echo "missing $BIN (run swift build -c release, or set BIN)"; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cp tests/e2e/fixtures/tiny.safetensors "$out/run.safetensors"

# measure ARGS…: runs the binary, prints "<max RSS in bytes> <seconds> <exit status>" and keeps its
# stdout and stderr in $out/stdout, $out/stderr.
measure() {
  python3 - "$BIN" "$@" <<'PY'
import resource, subprocess, sys, time, os
out = os.environ["OUT"]
t = time.monotonic()
with open(out + "/stdout", "wb") as so, open(out + "/stderr", "wb") as se:
    status = subprocess.run(sys.argv[1:], stdout=so, stderr=se).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024, "%.2f" % (time.monotonic() - t), status)
PY
}
export OUT="$out"

# make_sidecar KIND BYTES: writes run.json of about BYTES bytes.
make_sidecar() {
  python3 - "$out/run.json" "$1" "$2" <<'PY'
import json, sys
path, kind, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(path, "w", encoding="utf-8") as f:
    f.write('{"model": "m"')
    n = len('{"model": "m"')
    k = 0
    if kind == "unknown":
        # Nested unknown values, then one nested 500 000 deep.
        item = json.dumps({"a": [1, 2.5e-3, "x" * 20, {"b": [True, None, "y\u00e9\\n"]}], "c": "z" * 40})
        deep = ', "deep": ' + "[" * 500_000 + '{"d": 1}' + "]" * 500_000
        while n < size - len(deep):
            s = ', "k%d": %s' % (k, item)
            f.write(s); n += len(s); k += 1
        f.write(deep)
    elif kind == "keys":
        # Many tiny unknown keys.
        while n < size:
            s = ', "k%d": 0' % k
            f.write(s); n += len(s); k += 1
    elif kind == "text":
        # One long known string (read, and held once), with escapes and non-ASCII text.
        f.write(', "explanation": "')
        chunk = "a\\n\\u00e9 é€ " * 1000
        while n < size - len(chunk):
            f.write(chunk); n += len(chunk.encode())
        f.write('"')
    elif kind == "tokens":
        # A long token list (short texts) and its ids.
        f.write(', "tokens": [')
        first = True
        while n < size * 0.5:
            s = ('' if first else ',') + '"t%d"' % (k % 100)
            f.write(s); n += len(s); k += 1; first = False
        f.write('], "token_ids": [' + ",".join(str(i % 32000) for i in range(k)) + ']')
    f.write("}")
PY
}

status=0
read -r base_rss base_s base_rc < <(measure list "$out/run.safetensors")
[ "$base_rc" = 0 ] || { echo "FAIL: list without a sidecar exited $base_rc"; exit 1; }
echo "  list without a sidecar: max RSS $((base_rss / 1048576)) MB, ${base_s} s"

for kind in unknown keys text tokens; do
  make_sidecar "$kind" $((19 * 1048576))
  size=$(stat -c %s "$out/run.json")
  read -r rss secs rc < <(measure list "$out/run.safetensors")
  delta=$((rss - base_rss))
  echo "  list, 19 MB sidecar ($kind): max RSS $((rss / 1048576)) MB (+$((delta / 1048576)) MB), ${secs} s"
  if [ "$rc" != 0 ]; then echo "FAIL: $kind: exit status $rc: $(cat "$out/stderr")"; status=1; fi
  if grep -q '^warning: .*run.json' "$out/stdout"; then echo "FAIL: $kind: $(grep '^warning' "$out/stdout")"; status=1; fi
  grep -q 'down_proj' "$out/stdout" || { echo "FAIL: $kind: the layers are not listed"; status=1; }
  if [ "$delta" -gt $((2 * size)) ]; then
    echo "FAIL: $kind: the sidecar cost $((delta / 1048576)) MB, over twice its $((size / 1048576)) MB"; status=1
  fi
done
# The token list is read: the top token of a layer shows its text.
grep -q ' "t[0-9]*"' "$out/stdout" || { echo "FAIL: tokens: no token text in the listing"; status=1; }

make_sidecar unknown $((50 * 1048576))
read -r rss secs rc < <(measure list "$out/run.safetensors")
echo "  list, 50 MB sidecar: max RSS $((rss / 1048576)) MB, ${secs} s"
warnings="$(grep -c '^warning: ' "$out/stdout" || true)"
if [ "$rc" != 0 ] || [ "$warnings" != 1 ] || ! grep -q '^warning: .*run.json: sidecar is 50 MB, over the 20 MB a sidecar may be; not read' "$out/stdout"; then
  echo "FAIL: a 50 MB sidecar: exit $rc, $warnings warning lines:"; cat "$out/stdout"; status=1
fi
if [ $((rss - base_rss)) -gt $((8 * 1048576)) ]; then
  echo "FAIL: a refused sidecar still cost $(((rss - base_rss) / 1048576)) MB"; status=1
fi

[ "$status" = 0 ] && echo "large sidecars: ok"
exit "$status"
