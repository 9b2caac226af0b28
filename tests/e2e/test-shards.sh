#!/usr/bin/env bash
# End-to-end (issue 30): DuQuant's greedy search over token shards in worker processes makes one
# machine's decisions. `shard-run --check` starts 2 or 3 `shard-worker` processes of the binary, drives
# them (smoothing statistics, every greedy step's candidates, the zigzag ranking reduced across shards),
# then calibrates on one machine on the same tokens and fails unless the chosen channels of every step,
# the kept steps, the bases and the transform are identical. Both layouts and both selection rules, on
# the bundled layer-29 down_proj (256 tokens, all 256 steps) and on a generated LLaMA-7B-shaped down_proj
# at 2048 tokens (X 2048×11008; SHARDS_7B_STEPS greedy steps, default 16; cached under .build/e2e-cache).
# Then the fault: one worker of a sharded run is SIGKILLed mid-search; the driver restarts it, replays the
# decisions so far (every state-changing request, in order) and resumes; the result must still be one
# machine's. Prints each run's time and bytes per step.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/duquant-explorer}
STEPS_7B=${SHARDS_7B_STEPS:-16}
[ -x "$BIN" ] || { echo "missing $BIN (swift build -c release)"; exit 1; }

run() {  # run LABEL ARGS…: one shard-run --check, its summary lines printed
  local label="$1" out
  shift
  if ! out="$("$BIN" shard-run "$@" --check 2>&1)"; then
    echo "FAIL: $label"
    echo "$out" | tail -20
    exit 1
  fi
  grep -q "as one machine: yes" <<<"$out" || { echo "FAIL: $label: no verdict"; echo "$out" | tail -5; exit 1; }
  echo "ok   $label"
  grep -E "^(steps|one machine|worker peak)" <<<"$out" | sed 's/^/     /'
}

SAMPLE=samples/smollm2-135m-layer29-down_proj.npz
run "layer 29, perblock, paper, 3 shards" "$SAMPLE" --layer down_proj --shards 3 --layout perblock --select paper
run "layer 29, perblock, reference, 2 shards" "$SAMPLE" --layer down_proj --shards 2 --layout perblock --select reference
run "layer 29, shared, paper, 2 shards" "$SAMPLE" --layer down_proj --shards 2 --layout shared --select paper
run "layer 29, shared, reference, 3 shards" "$SAMPLE" --layer down_proj --shards 3 --layout shared --select reference

CACHE=.build/e2e-cache
mkdir -p "$CACHE"
L7B="$CACHE/l7b-2048.safetensors"
[ -s "$L7B" ] || python3 tests/e2e/make-7b-layer.py "$L7B"
run "7B down_proj 2048 tokens, perblock, paper, 3 shards, $STEPS_7B steps" "$L7B" --layer down_proj --shards 3 \
  --layout perblock --select paper --steps "$STEPS_7B"
run "7B down_proj 2048 tokens, perblock, reference, 2 shards, $STEPS_7B steps" "$L7B" --layer down_proj --shards 2 \
  --layout perblock --select reference --steps "$STEPS_7B"
run "7B down_proj 2048 tokens, shared, paper, 2 shards, $STEPS_7B steps" "$L7B" --layer down_proj --shards 2 \
  --layout shared --select paper --steps "$STEPS_7B"
run "7B down_proj 2048 tokens, shared, reference, 3 shards, $STEPS_7B steps" "$L7B" --layer down_proj --shards 3 \
  --layout shared --select reference --steps "$STEPS_7B"

# The fault: SIGKILL the first worker of the run (by process id: a child of this run's shard-run) once the
# search is under way.
out="$(mktemp)"
"$BIN" shard-run "$L7B" --layer down_proj --shards 2 --layout perblock --steps "$STEPS_7B" --check >"$out" 2>&1 &
driver=$!
sleep "${SHARDS_KILL_AFTER:-7}"
victim="$(ps -o pid= --ppid "$driver" | head -1 | tr -d ' ')"
[ -n "$victim" ] || { echo "FAIL: fault: no worker to kill (the run ended already?)"; cat "$out"; exit 1; }
kill -KILL "$victim"
status=0
wait "$driver" || status=$?
if [ "$status" -ne 0 ] || ! grep -q "worker restarts: 1" "$out" || ! grep -q "as one machine: yes" "$out"; then
  echo "FAIL: fault: a killed worker's shard was not resumed to the same decisions (exit $status)"
  grep -v "^stage" "$out" | tail -20
  rm -f "$out"
  exit 1
fi
echo "ok   fault: worker $victim SIGKILLed mid-search, restarted, decisions replayed, same result"
grep -E "^(steps|worker restarts)" "$out" | sed 's/^/     /'
rm -f "$out"
echo "PASS: token shards decide as one machine"
