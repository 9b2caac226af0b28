#!/usr/bin/env bash
# End-to-end test of the live explorer: drives the real binary (release unless BIN says otherwise) in tmux on the tiny synthetic dump.
# Opens it, moves through layers, switches stages, changes a parameter and sees a metric change, opens the
# help, resizes (down to "too small" and back), quits, and checks the terminal was given back (alternate
# screen left, shell prompt visible, exit status 0); then the same after Ctrl-C (status 130), the refusal
# without a terminal (status 2) and the headless `render` twin.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/duquant-explorer}
FIXTURE=tests/e2e/fixtures/tiny.safetensors
[ -x "$BIN" ] || { echo "missing $BIN (run swift build)"; exit 1; }
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 1; }

SOCK="duquant-e2e-$$"
PANE=e2e
. tests/e2e/lib.sh
trap cleanup EXIT

row() { local text; text="$(screen)"; grep -E -- "$1" <<<"$text" | head -n 1; }

start() {
  cleanup
  sleep 0.3
  T new-session -d -s e2e -x 120 -y 40 "env PS1='e2e\$ ' TERM=tmux-256color bash --norc --noprofile -i"
  sleep 0.3
  T send-keys -t e2e "$BIN $FIXTURE; echo EXIT=\$?" Enter
}

echo "-- open, wait for the first layer's metrics"
start
wait_for 'Layers \(3\)'
wait_for 'out rel err.*★'
[ "$(alternate)" = 1 ] || fail "the explorer did not switch to the alternate screen"

echo "-- move layers: j then Enter opens o_proj"
T send-keys -t e2e j Enter
wait_for 'model\.layers\.0\.self_attn\.o_proj'

echo "-- switch stages: 5, then Tab"
T send-keys -t e2e 5
wait_for '5 Rotation 2 · tok'
T send-keys -t e2e Tab
wait_for '6 Quantized error · tok'

echo "-- change a parameter (act bits 4 → 3) and see the act MSE change"
wait_for 'out rel err.*★'
before="$(row 'act MSE')"
T send-keys -t e2e '['
wait_for 'a3w4 b128'
wait_gone 'updating'
wait_for 'act MSE'
after="$(row 'act MSE')"
[ -n "$before" ] && [ "$before" != "$after" ] || fail "act MSE did not change: '$before' → '$after'"

echo "-- help overlay"
T send-keys -t e2e '?'
# The overlay's title and its first key rows (generated from the key table since issue 24; the longer key
# list pushes the stage section below the first screen).
wait_for 'Help — \? or Esc closes'
wait_for 'Ctrl-Z +suspend to the shell'
T send-keys -t e2e Escape
wait_gone 'Help — \? or Esc closes'

echo "-- resize: 80x24, too small, back to 100x30"
T resize-window -t e2e -x 80 -y 24
wait_for '1 Orig  2 Smooth'
T resize-window -t e2e -x 50 -y 12
wait_for 'needs at least 64×20'
T resize-window -t e2e -x 100 -y 30
wait_for 'Layers \(3\)'

echo "-- quit restores the terminal"
T send-keys -t e2e q
wait_for '^EXIT=0$'
[ "$(alternate)" = 0 ] || fail "still on the alternate screen after quit"
wait_for '^e2e\$ ?$'

echo "-- Ctrl-C restores the terminal too (status 130)"
start
wait_for 'Layers \(3\)'
T send-keys -t e2e C-c
wait_for '^EXIT=130$'
[ "$(alternate)" = 0 ] || fail "still on the alternate screen after Ctrl-C"

echo "-- Ctrl-Z gives the terminal back, fg takes it again, SIGTERM restores it"
start
wait_for 'Layers \(3\)'
T send-keys -t e2e C-z
wait_for 'Stopped'
[ "$(alternate)" = 0 ] || fail "still on the alternate screen after Ctrl-Z"
T send-keys -t e2e "fg" Enter
wait_for 'Layers \(3\)'
[ "$(alternate)" = 1 ] || fail "fg did not return to the explorer"
shell_pid="$(T display-message -p -t e2e '#{pane_pid}')"
app_pid="$(pgrep -P "$shell_pid" | head -n 1)"
[ -n "$app_pid" ] || fail "cannot find the explorer's process"
kill -TERM "$app_pid"
wait_gone 'Layers \(3\)'
[ "$(alternate)" = 0 ] || fail "still on the alternate screen after SIGTERM"

echo "-- without a terminal: one line, exit 2"
set +e
out="$("$BIN" "$FIXTURE" </dev/null 2>&1 | cat)"
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 2 ] || fail "expected exit 2 without a terminal, got $status"
grep -q "render" <<<"$out" || fail "the refusal does not point to render: $out"
[ "$(wc -l <<<"$out")" -eq 1 ] || fail "the refusal is not one line: $out"

echo "-- render twin"
out="$("$BIN" render "$FIXTURE" --layer down_proj --stage rotation2 --size 80x24 --color never)"
grep -q '5 Rotation 2 · tok 0–39' <<<"$out" || fail "render did not show Rotation 2: $out"
[ "$(wc -l <<<"$out")" -eq 24 ] || fail "render printed $(wc -l <<<"$out") lines, not 24"
out="$("$BIN" render "$FIXTURE" --layer down_proj --size 80x24 --color always)"
grep -q $'\e\\[0;.*38;5;' <<<"$out" || fail "--color always printed no 256-colour escapes"

echo "PASS test-tui"
