#!/usr/bin/env bash
# `make test-distributed` (issue 29): the distributed export on a Ray cluster of three nodes started on
# this machine with `ray start` as docs/DISTRIBUTED.md says (a head that runs no task and two worker
# nodes of one CPU each), against the single-machine `export --all-layers`:
#   1. the driver refuses in one line a binary missing on the nodes and nodes whose builds differ, and
#      stops in one line (the binary's) when a task fails in the binary;
#   2. the bundled sample, exported on the cluster, is byte for byte the single-machine export;
#   3. an eval-shaped multi-layer dump (out/eval's `make eval` dump when there is one, else one generated
#      by make_multilayer_dump.py), exported while one worker node's raylet is SIGKILLed mid-task: Ray
#      retries its task on the other node and the directory is byte for byte the single-machine one;
#   4. a rerun keeps every file (same input, parameters and binary) and changes nothing.
# Ray is always stopped on exit (trap): only the processes of this test's cluster, by process id.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
BIN="$ROOT/${BIN:-.build/release/duquant-explorer}"
VENV=${RAY_VENV:-$HOME/.venvs/duquant-ray}
RAY="$VENV/bin/ray"
PY="$VENV/bin/python"
PORT=${RAY_TEST_PORT:-6479}
EVAL_DUMP=${EVAL_DUMP:-out/eval/smollm2-135m-calib.safetensors}
[ -x "$BIN" ] || { echo "missing $BIN (swift build -c release)"; exit 1; }
[ -x "$RAY" ] || { echo "missing $RAY (make test-distributed installs it)"; exit 1; }
export RAY_USAGE_STATS_ENABLED=0
# A short path: Ray's sockets live under it (a Unix socket path holds at most 107 bytes).
WORK="$(mktemp -d /tmp/dqray.XXXXXX)"
start=$SECONDS
phase() { printf '[%4ds] %s\n' $((SECONDS - start)) "$*"; }
fail() { echo "FAIL: $*"; exit 1; }

# Every process of this test's cluster: those whose command line names its temporary directory, and
# their descendants (Ray's workers rename themselves to ray::…).
cluster_pids() {
  # (The directory reaches awk through its environment: on its command line, awk would match itself.)
  ps -eo pid=,ppid=,args= | W="$WORK" awk '
    { pid[NR] = $1; ppid[NR] = $2; if (index($0, ENVIRON["W"])) mine[$1] = 1 }
    END { do { grew = 0; for (i in pid) if (!(pid[i] in mine) && (ppid[i] in mine)) { mine[pid[i]] = 1; grew = 1 } } while (grew)
          for (p in mine) print p }'
  # The killed raylet's workers, orphaned (their parent gone, their command line ray::…): recorded at the kill.
  local p
  for p in $(cat "$WORK/orphans" 2>/dev/null); do
    { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -q '^ray::' && echo "$p"
  done
  return 0
}
# The processes under `pid` (its children, theirs, …).
descendants() {
  ps -eo pid=,ppid= | awk -v root="$1" '
    { pid[NR] = $1; ppid[NR] = $2 } END { mine[root] = 1
      do { grew = 0; for (i in pid) if (!(pid[i] in mine) && (ppid[i] in mine)) { mine[pid[i]] = 1; grew = 1 } } while (grew)
      for (p in mine) if (p != root) print p }'
}
stop_ray() {
  local pids
  pids="$(cluster_pids)"
  [ -n "$pids" ] && kill -TERM $pids 2>/dev/null || true
  for _ in $(seq 1 20); do
    pids="$(cluster_pids)"
    [ -z "$pids" ] && break
    sleep 0.5
  done
  [ -n "$pids" ] && kill -KILL $pids 2>/dev/null || true
}
trap 'stop_ray; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

python3 tools/distributed/test_plan.py >"$WORK/plan-tests.log" 2>&1 || { cat "$WORK/plan-tests.log"; fail "test_plan.py"; }
phase "the driver's plan: $(tail -n 1 "$WORK/plan-tests.log") ($(grep -o 'Ran [0-9]* tests' "$WORK/plan-tests.log"))"

# The cluster, as docs/DISTRIBUTED.md starts one (here all on this machine: each worker node gets its own
# node-manager port so that the test can find its raylet).
phase "starting Ray $("$PY" -c 'import ray; print(ray.__version__)'): a head and two worker nodes"
"$RAY" start --head --port="$PORT" --num-cpus=0 --memory=$((1 << 30)) --object-store-memory=80000000 \
  --include-dashboard=false --disable-usage-stats --temp-dir="$WORK/ray" >"$WORK/head.log" 2>&1 \
  || { cat "$WORK/head.log"; fail "ray start --head"; }
for i in 1 2; do
  # Worker 2 reports another build when FAKE_BUILD is set for one probe (the version check below).
  "$RAY" start --address="127.0.0.1:$PORT" --num-cpus=1 --memory=$((3 << 30)) --object-store-memory=80000000 \
    --node-manager-port=$((PORT + 10 + i)) >"$WORK/worker$i.log" 2>&1 || { cat "$WORK/worker$i.log"; fail "ray start (worker $i)"; }
done
driver() { "$PY" tools/distributed/duquant_ray.py --address "127.0.0.1:$PORT" --progress-every 5 "$@"; }

# 1. One line when the binary is missing on the nodes, or when their builds differ.
set +e
driver samples/smollm2-135m/activations.safetensors -o "$WORK/none" --binary "$WORK/no-such-binary" >"$WORK/missing.log" 2>&1
status=$?
set -e
[ "$status" -eq 2 ] && [ "$(grep -c '^duquant-ray:' "$WORK/missing.log")" -eq 1 ] && grep -q "not found" "$WORK/missing.log" \
  || fail "a missing binary: exit $status, $(cat "$WORK/missing.log")"
phase "missing binary: $(grep '^duquant-ray:' "$WORK/missing.log")"
# Another build on the nodes: a wrapper that names another build when the driver's node is not the one
# asking (the driver runs it here with DQ_DRIVER=1; Ray's workers do not have that variable).
cat >"$WORK/other-build" <<EOF
#!/bin/sh
if [ "\$1" = --version ] && [ -z "\${DQ_DRIVER:-}" ]; then "$BIN" --version | sed 's/(build [0-9a-f]*)/(build 0000000000000000)/'; exit 0; fi
exec "$BIN" "\$@"
EOF
chmod +x "$WORK/other-build"
set +e
DQ_DRIVER=1 driver samples/smollm2-135m/activations.safetensors -o "$WORK/none" --binary "$WORK/other-build" >"$WORK/differ.log" 2>&1
status=$?
set -e
[ "$status" -eq 2 ] && [ "$(grep -c '^duquant-ray:' "$WORK/differ.log")" -eq 1 ] && grep -q "versions differ" "$WORK/differ.log" \
  || fail "differing builds: exit $status, $(cat "$WORK/differ.log")"
[ ! -e "$WORK/none" ] || fail "a refused run wrote $WORK/none"
phase "differing builds: $(grep '^duquant-ray:' "$WORK/differ.log")"
# A task the binary fails (here: every part, as a full disk would) is not retried: its one line, exit 2.
cat >"$WORK/failing" <<EOF
#!/bin/sh
case " \$* " in *" --shard "*) echo "duquant-explorer: /shared/t/run-x/0001-a.safetensors: cannot write: No space left on device (simulated)" >&2; exit 2;; esac
exec "$BIN" "\$@"
EOF
chmod +x "$WORK/failing"
set +e
driver samples/smollm2-135m/activations.safetensors -o "$WORK/failed" --binary "$WORK/failing" >"$WORK/failing.log" 2>&1
status=$?
set -e
[ "$status" -eq 2 ] && [ "$(grep -c '^duquant-ray:.*No space left' "$WORK/failing.log")" -eq 1 ] \
  || fail "a failing task: exit $status, $(cat "$WORK/failing.log")"
phase "a failing task: $(grep '^duquant-ray:.*No space' "$WORK/failing.log")"

# 2. The bundled sample: single machine, then the cluster.
sample="$ROOT/samples/smollm2-135m/activations.safetensors"   # absolute, as the driver makes every path
"$BIN" export "$sample" --all-layers -o "$WORK/sample-one" 2>"$WORK/sample-one.log" >/dev/null
phase "sample, one machine: $(tail -n 1 "$WORK/sample-one.log" | sed 's/.*\] //')"
driver "$sample" -o "$WORK/sample-ray" --binary "$BIN" >"$WORK/sample-ray.log" 2>&1 || { cat "$WORK/sample-ray.log"; fail "the driver on the sample"; }
diff -r "$WORK/sample-one" "$WORK/sample-ray" >/dev/null || fail "sample: the cluster's directory differs: $(diff -r "$WORK/sample-one" "$WORK/sample-ray" | head -5)"
phase "sample on the cluster: identical to one machine ($(grep -c ' done on ' "$WORK/sample-ray.log") parts; $(grep 'wrote' "$WORK/sample-ray.log" | sed 's/.* in \([0-9.]* s\)$/\1/'))"

# 3. The eval-shaped dump, a worker killed mid-run.
if [ -f "$EVAL_DUMP" ]; then
  multi="$(cd "$(dirname "$EVAL_DUMP")" && pwd)/$(basename "$EVAL_DUMP")"
  phase "multi-layer dump: $EVAL_DUMP (make eval's)"
else
  multi="$WORK/multi.safetensors"
  python3 tools/distributed/make_multilayer_dump.py "$multi" --blocks 4 --tokens 128
  phase "multi-layer dump: generated (make_multilayer_dump.py: 4 blocks × 7 linears, 128 tokens; no $EVAL_DUMP)"
fi
"$BIN" export "$multi" --all-layers -o "$WORK/multi-one" 2>"$WORK/multi-one.log" >/dev/null
phase "multi-layer dump, one machine: $(tail -n 1 "$WORK/multi-one.log" | sed 's/^export [a-z]*: //')"
driver "$multi" -o "$WORK/multi-ray" --binary "$BIN" >"$WORK/multi-ray.log" 2>&1 &
driver_pid=$!
# Mid-task: once both worker nodes run an export, SIGKILL worker 1's raylet.
running=0
for _ in $(seq 1 240); do
  running=$(pgrep -f -- "-o $WORK/multi-ray --method [a-z]* --shard" | wc -l || true)
  [ "$running" -ge 2 ] && break
  kill -0 "$driver_pid" 2>/dev/null || break
  sleep 0.5
done
[ "$running" -ge 2 ] || { cat "$WORK/multi-ray.log"; fail "never saw both workers export"; }
raylet=""
for p in $(pgrep -f raylet/raylet); do
  { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -q -- "--node_manager_port=$((PORT + 11)) " && raylet=$p
done
[ -n "$raylet" ] || fail "no raylet of worker 1"
descendants "$raylet" >"$WORK/orphans"
kill -KILL "$raylet"
phase "killed worker 1's raylet (pid $raylet) while $running exports ran"
wait "$driver_pid" || { cat "$WORK/multi-ray.log"; fail "the driver after a lost worker"; }
grep -q "will be retried" "$WORK/multi-ray.log" || { cat "$WORK/multi-ray.log"; fail "Ray did not retry the lost task"; }
diff -r "$WORK/multi-one" "$WORK/multi-ray" >/dev/null || fail "multi: the cluster's directory differs: $(diff -r "$WORK/multi-one" "$WORK/multi-ray" | head -5)"
[ -z "$(pgrep -f -- "-o $WORK/multi-ray" || true)" ] || fail "an export of the lost node is still running"
phase "multi-layer dump on the cluster, one worker lost: identical to one machine ($(grep 'wrote' "$WORK/multi-ray.log" | sed 's/.* in \([0-9.]* s\)$/\1/'))"
grep '^duquant-ray:' "$WORK/multi-ray.log" | sed 's/^/    /'

# 4. A rerun keeps every file and changes nothing.
driver "$multi" -o "$WORK/multi-ray" --binary "$BIN" >"$WORK/rerun.log" 2>&1 || { cat "$WORK/rerun.log"; fail "the rerun"; }
layers=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["layers"]))' "$WORK/multi-one/index.json")
grep -q ", $layers already exported" "$WORK/rerun.log" || { cat "$WORK/rerun.log"; fail "the rerun did not find every layer exported"; }
diff -r "$WORK/multi-one" "$WORK/multi-ray" >/dev/null || fail "the rerun changed the directory"
phase "rerun: $layers of $layers layers kept, directory unchanged ($(grep 'wrote' "$WORK/rerun.log" | sed 's/.* in \([0-9.]* s\)$/\1/'))"

stop_ray
left="$(cluster_pids)"
[ -z "$left" ] || fail "Ray processes left: $left"
phase "ok: test-distributed (Ray stopped, nothing left running)"
