#!/usr/bin/env bash
# End-to-end test of issue 14 on the real binary (release unless BIN says otherwise) in tmux:
# - a student opens samples/toy without flags: the channels toy comes first (issue 25), under its sidecar's
#   parameters, with DuQuant's output error marked lowest and its caption in the help (? explains);
# - the outlier toy's sidecar sets its parameters, every value is printed with the blocks ruled and the
#   permutation's mapping, each stage's caption says what changed and the explanation why RTN wins there,
#   and opening the zigzag toy switches to its parameters;
# - a researcher on layer 11 (what `make run` opens) sees the log scale chosen for the massive outlier,
#   presses x to land on the 3064 and follows it through the stages with one channel numbering;
# - t names the theme, the header hint survives 80x24 and the help box has its corners.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/duquant-explorer}
[ -x "$BIN" ] || { echo "missing $BIN (run swift build -c release)"; exit 1; }
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 1; }

SOCK="duquant-teach-$$"
PANE=teach
. tests/e2e/lib.sh
trap cleanup EXIT

start() {
  cleanup
  sleep 0.3
  T new-session -d -s teach -x "${2:-120}" -y "${3:-40}" "env PS1='e2e\$ ' TERM=tmux-256color bash --norc --noprofile -i"
  sleep 0.3
  T send-keys -t teach "$BIN $1; echo EXIT=\$?" Enter
}

echo "-- samples/toy opens the channels toy first: DuQuant lowest, and ? says why"
start samples/toy
wait_for 'channels\.json sets --block 16 --lac 1 --swc 1 · \? explains'
wait_for 'out rel err +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ ★'
wait_for '^ block size +16 '
T send-keys -t teach '?'
# The sample's section follows the key table: scroll until its title, then its reasons, are on screen.
scroll_to() {
  local i
  for i in $(seq 40); do
    grep -Eq -- "$1" <<<"$(screen)" && return 0
    T send-keys -t teach j j j j j
    sleep 0.1
  done
  wait_for "$1" 2
}
scroll_to 'About this sample'
scroll_to 'Where DuQuant wins, and why'
T send-keys -t teach Escape
echo "-- the outlier toy opens with its sidecar's parameters, in the teaching view"
T send-keys -t teach Escape j Enter
wait_for 'outlier\.json sets --block 2 --steps 1 --no-smooth --seed 2'
wait_for 'out rel err.*★'
wait_for '^ block size +2 '
wait_for 'ch +0 +1 │ +2 +3 │'
wait_for '^ *to +0 +2 │ +3 +6 │'
T send-keys -t teach 3
wait_for "block 0's peak 100 → 70\.7 in 1 step: ch 1 spread over 2 channels"
wait_for ' 0 +70\.71 +70\.71 │ +0 +0 │'
T send-keys -t teach 4
wait_for '^ *from +0 +5 │ +1 +2 │'
wait_for 'ch 0 → 0 \(blk 0\) · ch 1 → 2 \(blk 1\)'
T send-keys -t teach 5
wait_for ' 0 +50\.00 +50\.00 │ +50\.00 +50\.00 │'
wait_for "block [01]'s peak 70\.7 → 50\.0"
wait_for 'wins here \(0\.0402, DuQuant 0\.197\)\. Per-token scales'
wait_for 'paper.s 0\.9/0\.8 cut the four 50s'
echo "-- the other toy switches to its own parameters and shows its explanation"
T send-keys -t teach Escape j Enter
wait_for 'zigzag\.json sets --block 4 --steps 0 --no-smooth'
wait_for '^ block size +4 '
T send-keys -t teach 4
wait_for '^ *from +1 +5 +9 +0 │ +2 +7 +15 +13 │'
wait_for 'variance of block means 8\.36 → 2\.61'
wait_for '8 tokens x 16 channels with two outlier channels'
T send-keys -t teach q
wait_for '^EXIT=0$'

echo "-- layer 11: log by default, x lands on the 3064, one numbering through the stages"
start "samples/smollm2-135m/activations.safetensors --layer model.layers.11.mlp.down_proj"
wait_for 'out rel err.*★' 60
wait_for '\|x\| log \(auto; L: linear\)'
T send-keys -t teach x
wait_for 'largest \|x\| 3064 at tok 0, ch 1229 \[blk 9 #77\]'
wait_for 'tok 0 .*· ch 1229 \[blk 9 #77\] · x = 3064 · bin max'
T send-keys -t teach x
wait_for '#2 largest \|x\| 1119 at tok 0, ch 1487 \[blk 11 #79\]'
T send-keys -t teach 3 x
wait_for 'largest \|x\| [0-9.]+ at tok 0, ch 1[12][0-9][0-9] \[blk 9 #'
T send-keys -t teach s .
wait_for 'chose ch 1229 \[blk 9 #77\]'
T send-keys -t teach Escape L
wait_for '\|x\| linear'

echo "-- --ascii: the cursor is X (not a level of the ramp); l moves one bin to the right every time"
T send-keys -t teach q
wait_for '^EXIT=0$'
start "samples/smollm2-135m/activations.safetensors --layer model.layers.11.mlp.down_proj --ascii"
wait_for 'out rel err.*\*' 60
T send-keys -t teach x
wait_for 'largest \|x\| 3064 at tok 0, ch 1229'
text="$(screen)"
grep -q '^layer .*DuQ out .*X' <<<"$text" || fail "no X cursor on the heatmap's first row"
ch_of() { local t; t="$(screen)"; grep -oE '^.*tok 0 .*ch ([0-9]+)' <<<"$t" | head -n 1 | grep -oE 'ch [0-9]+' | tail -n 1 | cut -d' ' -f2; }
last="$(ch_of)"
[ "$last" = 1229 ] || fail "inspect line is not on ch 1229: '$last'"
for i in 1 2 3; do
  T send-keys -t teach l
  sleep 0.3
  now="$(ch_of)"
  [ -n "$now" ] && [ "$now" -gt "$last" ] || fail "l did not move right: $last → '$now'"
  last="$now"
done

T send-keys -t teach q
wait_for '^EXIT=0$'

echo "-- t names the theme; the help box has corners; the header hint survives 80x24"
start "samples/smollm2-135m/activations.safetensors --layer model.layers.11.mlp.down_proj"
wait_for 'out rel err.*★' 60
T send-keys -t teach t
wait_for 'theme: [a-z]+'
T send-keys -t teach '?'
wait_for '┌─ Help'
wait_for '^.*└─+┘'
T send-keys -t teach Escape
T resize-window -t teach -x 80 -y 24
wait_for '^ DuQuant  1 Orig .*\?:help q:quit *$'
T send-keys -t teach q
wait_for '^EXIT=0$'
echo "PASS test-teach"
