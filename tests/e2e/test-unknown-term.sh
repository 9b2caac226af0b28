#!/usr/bin/env bash
# End-to-end: an unknown TERM (issue 10). ncurses' initscr printed its own "Error opening terminal:
# nonexistent." and exited 1; the explorer must instead refuse in its own words, with the render/report
# hint, exit 2, and leave the terminal as it was.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/duquant-explorer}
GOOD=tests/e2e/fixtures/tiny.safetensors
[ -x "$BIN" ] || { echo "missing $BIN (run swift build -c release, or set BIN)"; exit 1; }
SOCK="duquant-term-$$"
PANE=u
. tests/e2e/lib.sh
trap cleanup EXIT
T new-session -d -s u -x 150 -y 20 "env PS1='u\$ ' TERM=tmux-256color bash --norc --noprofile"
sleep 0.3
T send-keys -t u "TERM=nonexistent $BIN $GOOD; echo EXIT=\$?" Enter
wait_for 'EXIT=[0-9]+' 20
text="$(screen)"
grep -q "EXIT=2" <<<"$text" || fail "exit status is not 2"
grep -q "duquant-explorer: TERM 'nonexistent' is not a terminal this system's terminfo knows; for text output use 'duquant-explorer report FILE'" <<<"$text" \
  || fail "not the explorer's own message"
grep -q "Error opening terminal" <<<"$text" && fail "ncurses' own message was printed"
[ "$(alternate)" = 0 ] || fail "left in the alternate screen"
echo "ok: unknown TERM is refused in one line with exit status 2"
