#!/usr/bin/env bash
# End-to-end: the same figures on every machine. Runs `report --format json` in child processes under
# each OpenBLAS core of Haswell, SkylakeX, Cooperlake and Zen that this CPU can run (each probed: its
# cpuinfo flags, then `OPENBLAS_CORETYPE=X OPENBLAS_VERBOSE=2 duquant-explorer --version` must exit 0 with
# OpenBLAS reporting "Core: X"; the others are skipped, saying so), each with OPENBLAS_NUM_THREADS 1 and 2,
# on: every bundled layer (samples/smollm2-135m, 10 layers; the layer-29 .npz; the three toys, each under
# its sidecar's parameters, the outlier toy once more with them on the command line;
# samples/smollm2-135m-npy holds layer 28 again, the same values, so it is not
# repeated); layer 11's down_proj fitted on tokens 0:128 (where the divergence was first seen: DuQuant's
# error 0.012787 under one core, 0.013540 under another); the same layer under the official code's rules
# (--select reference --layout shared); and a generated LLaMA-7B-shaped down_proj at 256 tokens
# (X 256×11008, W 4096×11008; cached under .build/e2e-cache). Every configuration must give the first
# one's integers exactly (DuQuant's kept_steps and kept_steps_per_block, counts) and every other figure
# within 1e-5 relative (timings ignored; tests/e2e/cross_core.py compare). Prints DuQuant's output error
# and kept steps per configuration, and on failure the differing fields. Skips entirely (exit 0) when
# OPENBLAS_CORETYPE is set: the user chose a core. CROSS_CORES="Haswell Zen" narrows the cores;
# CROSS_JOBS (default: the number of CPUs) configurations run at once.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/duquant-explorer}
CORES=${CROSS_CORES:-Haswell SkylakeX Cooperlake Zen}
JOBS=${CROSS_JOBS:-$(nproc 2>/dev/null || echo 2)}
REL=1e-5
[ -x "$BIN" ] || { echo "missing $BIN (swift build -c release)"; exit 1; }
if [ -n "${OPENBLAS_CORETYPE:-}" ]; then
  echo "SKIP test-cross-core: OPENBLAS_CORETYPE is set ($OPENBLAS_CORETYPE), so every run would use that one core"
  exit 0
fi
if ! python3 -c "import numpy" 2>/dev/null; then
  echo "SKIP test-cross-core: python3 lacks numpy (pip install numpy), needed to generate the 7B-shaped layer"
  exit 0
fi
start=$SECONDS
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# A copy, so that every configuration runs the same build even if the binary is rebuilt meanwhile.
cp "$BIN" "$WORK/duquant-explorer"
BIN="$WORK/duquant-explorer"

# The children see only the variables chosen here (no re-execution marker, no probe flag, no thread
# settings of the caller's shell).
child() { # CORE THREADS CMD…
  local core="$1" threads="$2"
  shift 2
  env -u DUQUANT_BLAS_REEXEC -u DUQUANT_BLAS_PROBE -u OMP_NUM_THREADS -u GOTO_NUM_THREADS \
    OPENBLAS_CORETYPE="$core" OPENBLAS_NUM_THREADS="$threads" OPENBLAS_VERBOSE=2 "$@"
}
# The core OpenBLAS says it loaded ("Core: X" on stderr; the last one: a name it does not know is
# reported as "Core not found: X" and then the core it fell back to).
loaded_core() { sed -n 's/^Core: *\([A-Za-z0-9_]*\).*/\1/p' "$1" | tail -n 1; }

# ---- which cores this CPU can run
flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
needs() { # CORE → the cpuinfo flags its kernels use
  case "$1" in
    Haswell|Zen) echo "avx2 fma" ;;
    SkylakeX) echo "avx2 fma avx512f avx512bw avx512dq avx512vl" ;;
    Cooperlake) echo "avx2 fma avx512f avx512bw avx512dq avx512vl avx512_bf16" ;;
    *) echo "" ;;
  esac
}
supported=()
for core in $CORES; do
  missing=""
  for f in $(needs "$core"); do
    case "$flags" in *" $f "*) ;; *) missing="$missing $f" ;; esac
  done
  if [ -n "$missing" ]; then echo "core $core: skipped (the CPU lacks$missing)"; continue; fi
  rc=0
  child "$core" 1 timeout 30 "$BIN" --version >"$WORK/probe.out" 2>"$WORK/probe.err" || rc=$?
  got="$(loaded_core "$WORK/probe.err")"
  if [ "$rc" -ne 0 ]; then
    echo "core $core: skipped (the probe exited with status $rc: $(tr '\n' ' ' <"$WORK/probe.err" | cut -c1-120))"
  elif [ "${got,,}" != "${core,,}" ]; then
    echo "core $core: skipped (OpenBLAS loaded ${got:-no core it named} instead)"
  else
    note=""
    grep -q "^Core not found" "$WORK/probe.err" && note=" (OpenBLAS does not know the name and falls back on the CPU's features to it)"
    echo "core $core: supported$note"
    supported+=("$core")
  fi
done
if [ "${#supported[@]}" -eq 0 ]; then
  echo "SKIP test-cross-core: the CPU runs none of: $CORES"
  exit 0
fi
[ "${#supported[@]}" -lt 2 ] && echo "only one core runs here: comparing 1 and 2 threads under ${supported[0]}"

# ---- the 7B-shaped layer at 256 tokens, generated once
mkdir -p .build/e2e-cache
L7B=.build/e2e-cache/7b-down_proj-256.safetensors
if [ ! -s "$L7B" ]; then
  echo "-- generating the 7B-shaped down_proj (256×11008, W 4096×11008) into $L7B"
  python3 tests/e2e/make-7b-layer.py "$L7B" --tokens 256
fi

# ---- the cases: NAME|report arguments (each one child process per configuration)
SAMPLE=samples/smollm2-135m/activations.safetensors
L11=model.layers.11.mlp.down_proj
CASES=(
  "smollm2-all|$SAMPLE"
  "layer29-npz|samples/smollm2-135m-layer29-down_proj.npz"
  "toy-outlier|samples/toy/outlier.safetensors"
  "toy-outlier-sidecar|samples/toy/outlier.safetensors --block 2 --steps 1 --no-smooth --seed 2"
  "toy-zigzag|samples/toy/zigzag.safetensors"
  "toy-channels|samples/toy/channels.safetensors"
  "l11-calib-0-128|$SAMPLE --layer $L11 --calib-tokens 0:128"
  "l11-reference-shared|$SAMPLE --layer $L11 --select reference --layout shared"
  "7b-down_proj-256|$L7B"
)

# One configuration: every case, in order; writes DIR/NAME.json and DIR/status ("ok" or why not).
run_config() { # CORE THREADS DIR
  local core="$1" threads="$2" dir="$3" c name args rc got
  mkdir -p "$dir"
  for c in "${CASES[@]}"; do
    name="${c%%|*}"
    read -r -a args <<<"${c#*|}"
    rc=0
    child "$core" "$threads" timeout 600 "$BIN" report "${args[@]}" --format json >"$dir/$name.json" 2>"$dir/$name.err" || rc=$?
    if [ "$rc" -ne 0 ]; then
      echo "report ${args[*]} exited with status $rc: $(grep -v '^Core' "$dir/$name.err" | head -n 3 | tr '\n' ' ')" >"$dir/status"
      return
    fi
    got="$(loaded_core "$dir/$name.err")"
    if [ "${got,,}" != "${core,,}" ]; then
      echo "report ${args[*]} ran under ${got:-an unnamed core}, not $core" >"$dir/status"
      return
    fi
  done
  echo ok >"$dir/status"
}

configs=()
for core in "${supported[@]}"; do
  for threads in 1 2; do configs+=("$core/$threads"); done
done
echo "-- ${#configs[@]} configurations (${configs[*]}) × ${#CASES[@]} reports, $JOBS at a time"
for cfg in "${configs[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do sleep 0.2; done
  run_config "${cfg%/*}" "${cfg#*/}" "$WORK/${cfg/\//-}" &
done
wait
# CPU time of every child (the figure that does not depend on what else the machine is doing).
times >"$WORK/times"
cpu="$(awk 'NR == 2 { n = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); n += p[1] * 60 + p[2] } printf "%.0f", n }' "$WORK/times")"
echo "-- reports done in $((SECONDS - start)) s (CPU time ${cpu} s: at best $((cpu / JOBS)) s on $JOBS idle CPUs)"

status=0
for cfg in "${configs[@]}"; do
  s="$(cat "$WORK/${cfg/\//-}/status" 2>/dev/null || echo "no status")"
  if [ "$s" != ok ]; then echo "FAIL: $cfg: $s"; status=1; fi
done
[ "$status" -eq 0 ] || exit 1

ref="${configs[0]}"
for c in "${CASES[@]}"; do
  name="${c%%|*}"
  runs=()
  for cfg in "${configs[@]}"; do runs+=("$cfg=$WORK/${cfg/\//-}/$name.json"); done
  echo "== $name: DuQuant's output error and kept steps (configurations core/threads)"
  python3 tests/e2e/cross_core.py table "${runs[@]}" || status=1
  [ "${#runs[@]}" -gt 1 ] || continue
  python3 tests/e2e/cross_core.py compare --rel "$REL" "${runs[@]}" || status=1
done
elapsed=$((SECONDS - start))
if [ "$status" -ne 0 ]; then
  echo "FAIL test-cross-core: figures differ between OpenBLAS cores or thread counts (reference $ref; ${elapsed} s)"
  exit 1
fi
echo "PASS test-cross-core: ${#CASES[@]} reports identical (integers) and within $REL (figures) under ${configs[*]} (${elapsed} s)"
