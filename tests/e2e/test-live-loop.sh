#!/usr/bin/env bash
# End-to-end: the live loop under real use. Drives the RELEASE binary (what `make run` starts) from an
# interactive bash (job control on) inside tmux, with a CPU hog running beside it, on the bundled real
# sample and on a generated LLaMA-7B-shaped down_proj (X 2048×11008, W 4096×11008). Every fault scenario
# runs LIVE_REPS times (default 20) at varied moments, computing or idle:
#   quit (q) · Ctrl-C · two SIGINTs at once · Ctrl-Z then fg then q · SIGTERM · a parameter change then q
#   ~0.8 s later · the terminal closed (tmux server killed) while computing.
# After each: the documented status (0, 130, 143; a closed terminal leaves within 1 s), the alternate
# screen left, nothing on stderr (no crash report, no "BLAS : Bad memory unallocation"), and no process
# of ours left in the process table. Regression test for issue 9, items 1–4: Ctrl-C and Ctrl-Z were
# ignored by the release build while the loop spun; a closed terminal left orphans deaf to SIGTERM;
# quitting mid-work crashed inside OpenBLAS; Ctrl-C during a 7B calibration waited for it.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/duquant-explorer}
REPS=${LIVE_REPS:-20}
SAMPLE=samples/smollm2-135m/activations.safetensors
[ -x "$BIN" ] || { echo "missing $BIN (run swift build -c release)"; exit 1; }
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 1; }
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"

SOCK="duquant-live-$$"
PANE=live
. tests/e2e/lib.sh
WORK="$(mktemp -d)"
HOG=""
finish() {
  cleanup
  [ -n "$HOG" ] && kill "$HOG" 2>/dev/null || true
  pkill -KILL -f "$WORK/" 2>/dev/null || true
  rm -rf "$WORK"
}
trap finish EXIT

# The files are opened through links in WORK, so `pgrep -f "$WORK/"` finds exactly our processes.
ln -s "$PWD/$SAMPLE" "$WORK/sample.safetensors"
ln -s "$PWD/${SAMPLE%.safetensors}.json" "$WORK/sample.json"
echo "-- generating the 7B-shaped layer"
python3 tests/e2e/make-7b-layer.py "$WORK/l7b.safetensors"

# A CPU hog on one of the cores, as on a machine doing other work.
( while :; do :; done ) &
HOG=$!

ours() { { pgrep -f "$WORK/" || true; } | while read -r p; do
  # A zombie has exited; its parent (a killed shell) may not have reaped it yet.
  [ "$(ps -o stat= -p "$p" 2>/dev/null | cut -c1)" = Z ] || echo "$p"; done; }

shell() {
  cleanup; sleep 0.2
  T new-session -d -s live -x 120 -y 40 "env PS1='live\$ ' TERM=tmux-256color bash --norc --noprofile -i"
  for _ in $(seq 1 50); do grep -q 'live\$' <<<"$(screen)" && break; sleep 0.1; done
}

# open FILE ARGS: runs the explorer in the shell with stderr to a log; waits for its screen.
RUN=0
open_app() {
  RUN=$((RUN + 1))
  LOG="$WORK/err-$RUN.log"
  T send-keys -t live "clear; $BIN $* 2>$LOG; echo EXIT-$RUN=\$?" Enter
  wait_for 'Layers \(' 30
}

# check_after STATUS: the status, the terminal given back, a clean stderr, no process of ours left.
check_after() {
  wait_for "^EXIT-$RUN=$1\$" 10
  [ "$(alternate)" = 0 ] || fail "run $RUN: still on the alternate screen"
  if [ -s "$LOG" ]; then echo "---- stderr of run $RUN"; cat "$LOG"; fail "run $RUN wrote to stderr"; fi
  local left; left="$(ours)"
  [ -z "$left" ] || fail "run $RUN: processes left: $(ps -o pid,stat,args -p "$left" | tail -n +2)"
}

# pause_some: a varied wait (0–1.5 s) so each repetition acts at a different moment of the work.
pause_some() { sleep "0.$(( (RUN * 37) % 10 ))$(( RUN % 7 ))"; [ $((RUN % 3)) = 0 ] && sleep 0.6 || true; }

app_pid() { ours | head -n 1; }

scenario() {
  local name="$1" file="$2" args="$3" i
  echo "-- $name × $REPS on $(basename "$file")"
  for i in $(seq 1 "$REPS"); do
    case "$name" in
      quit)
        open_app "$file" $args; pause_some; T send-keys -t live q; check_after 0 ;;
      ctrl-c)
        open_app "$file" $args; pause_some; T send-keys -t live C-c; check_after 130 ;;
      double-sigint)
        open_app "$file" $args; pause_some; p="$(app_pid)"; kill -INT "$p"; kill -INT "$p" 2>/dev/null || true
        check_after 130 ;;
      sigterm)
        open_app "$file" $args; pause_some; kill -TERM "$(app_pid)"; check_after 143 ;;
      param-quit)
        # Block size 128 → 64 (the parameter panel's third row), then quit while it recomputes.
        open_app "$file" $args; pause_some; T send-keys -t live p j j h; sleep 0.8; T send-keys -t live q
        check_after 0 ;;
      ctrl-z)
        open_app "$file" $args; pause_some; T send-keys -t live C-z
        wait_for 'Stopped' 10
        [ "$(alternate)" = 0 ] || fail "run $RUN: still on the alternate screen after Ctrl-Z"
        T send-keys -t live 'clear; fg' Enter
        wait_for 'Layers \(' 10
        [ "$(alternate)" = 1 ] || fail "run $RUN: fg did not return to the explorer"
        T send-keys -t live q
        # The job's own status: bash reports it from fg.
        wait_for '^live\$ ?$' 10
        T send-keys -t live "echo EXIT-$RUN=\$?" Enter
        check_after 0
        ;;
      hangup)
        open_app "$file" $args; pause_some
        cleanup  # the terminal goes away, as when its window is closed or ssh is lost
        local k=0
        while [ -n "$(ours)" ]; do
          k=$((k + 1)); [ "$k" -le 10 ] || fail "run $RUN: still running 1 s after its terminal closed"; sleep 0.1
        done
        if [ -s "$LOG" ]; then cat "$LOG"; fail "run $RUN wrote to stderr after the hang-up"; fi
        shell ;;
    esac
  done
}

shell
for data in "$WORK/sample.safetensors --layer model.layers.11.mlp.down_proj" "$WORK/l7b.safetensors"; do
  file="${data%% *}"; args="${data#"$file"}"
  for s in quit ctrl-c double-sigint sigterm param-quit ctrl-z hangup; do scenario "$s" "$file" "$args"; done
done
echo "PASS test-live-loop ($RUN runs)"
