#!/usr/bin/env bash
# End-to-end: hostile names through the real binary's stdout and stderr (issue 10). Names with ESC, OSC,
# BEL, CR/LF, DEL, C1 and bidi controls — in safetensors tensor names, npz member names, .npy file names
# and theme file names — must reach the terminal only as visible escapes such as \x1b.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/duquant-explorer}
[ -x "$BIN" ] || { echo "missing $BIN (run swift build -c release, or set BIN)"; exit 1; }
H=Tests/DuQuantIOTests/Fixtures/hostile
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# no_controls FILE WHAT: fails if FILE holds a byte a terminal acts on (C0 but LF, DEL, UTF-8 C1 and bidi).
no_controls() {
  python3 - "$1" "$2" <<'PY'
import sys
data = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
bad = sorted({hex(ord(c)) for c in data if c != "\n" and (ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f
              or ord(c) in (0x200e, 0x200f, 0x2028, 0x2029) or 0x202a <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069)})
if bad:
    print("FAIL: %s printed raw control characters %s" % (sys.argv[2], bad)); sys.exit(1)
PY
}

# .npy files whose own names carry the sequences (made here: such names are awkward in git).
mkdir "$out/npydir"
cp tests/e2e/fixtures/tiny.safetensors "$out/plain.safetensors"
python3 - "$out/npydir" <<'PY'
import struct, sys
name = "x\x1b]0;pwned\x07\x1b[2J\r\u009b31m\u202e"
header = b"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }"
header += b" " * (-(10 + len(header) + 1) % 64) + b"\n"
data = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + struct.pack("<8f", *range(8))
open(sys.argv[1] + "/" + name + ".input.npy", "wb").write(data)
open(sys.argv[1] + "/" + name + "bad.input.npy", "wb").write(b"\x93NUMPZ" + data[6:])
PY
mkdir "$out/themes"
cp themes/mono.theme "$out/themes/$(printf 'evil\033]0;t\007\033[2J')".theme

status=0
run() {  # run NAME ARGS…: stdout and stderr of one command, both checked
  local name="$1"; shift
  "$BIN" "$@" >"$out/$name.out" 2>"$out/$name.err" || true
  no_controls "$out/$name.out" "$name (stdout)" || status=1
  no_controls "$out/$name.err" "$name (stderr)" || status=1
}
for f in "$H/st_control_names.safetensors" "$H/npz_control_names.npz" "$out/npydir"; do
  b="$(basename "$f")"
  run "list-$b" list "$f"
  run "table-$b" report "$f" --block 4 --steps 2
  run "json-$b" report "$f" --block 4 --steps 2 --format json
  run "csv-$b" report "$f" --block 4 --steps 2 --format csv
  run "err-$b" report "$f" --layer bad
  run "export-$b" export "$f" --layer bad -o "$out/never.safetensors"
  run "render-$b" render "$f" --size 80x24 --color never
done
DUQUANT_THEMES="$out/themes" run theme-have render "$out/plain.safetensors" --theme nosuch
grep -q 'evil\\x1b\]0;t\\x07\\x1b\[2J' "$out/theme-have.err" || { echo "FAIL: theme list lacks the escaped name"; cat -A "$out/theme-have.err"; status=1; }
grep -q 'x\\x1b\]0;pwned\\x07' "$out/list-npydir.out" || { echo "FAIL: .npy file name not shown escaped"; status=1; }
[ $status -eq 0 ] && echo "ok: hostile names reach stdout and stderr only as visible escapes"
exit $status
