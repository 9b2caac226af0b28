#!/usr/bin/env bash
# Builds the libFuzzer harnesses for the safetensors, .npy and .npz readers and runs each for a while.
#
# usage: tools/fuzz/run-fuzz.sh [SECONDS_PER_PARSER] [safetensors|npy|npz]…
#   SECONDS_PER_PARSER defaults to 8 (the `make test` smoke run); docs/FUZZING.md records longer runs.
#
# Each harness (tools/fuzz/Fuzz_<parser>.swift) opens its input as a dump and loads every tensor and
# layer, under AddressSanitizer. Seeds: the hostile corpus (Tests/DuQuantIOTests/Fixtures/hostile) and the
# good fixtures. New inputs libFuzzer finds are kept in .build/fuzz/corpus-<parser>; a crash is written to
# .build/fuzz/crash-<parser>-* and fails the script. If the toolchain cannot build a libFuzzer binary, the
# script says so and exits 0.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER=${1:-8}
shift || true
PARSERS=("$@")
[ ${#PARSERS[@]} -eq 0 ] && PARSERS=(safetensors npy npz)
B=.build/fuzz
mkdir -p "$B"
FLAGS=(-sanitize=fuzzer,address -parse-as-library -O -g -package-name duquant)
LOG="$B/build.log"
: > "$LOG"

# Does this toolchain link libFuzzer at all?
probe() {
    cat > "$B/probe.swift" <<'SWIFT'
@_cdecl("LLVMFuzzerTestOneInput")
public func probe(_ d: UnsafePointer<UInt8>?, _ n: Int) -> CInt { 0 }
SWIFT
    swiftc "${FLAGS[@]}" "$B/probe.swift" -o "$B/probe" >>"$LOG" 2>&1
}
if ! command -v swiftc >/dev/null || ! probe; then
    echo "test-fuzz: skipped — this Swift toolchain cannot build libFuzzer binaries (-sanitize=fuzzer); see $LOG"
    exit 0
fi

# newer THAN FILES…: whether any of FILES is newer than THAN (or THAN is missing).
stale() { local t=$1; shift; [ ! -e "$t" ] && return 0; for f in "$@"; do [ "$f" -nt "$t" ] && return 0; done; return 1; }

COMPUTE=(Sources/DuQuantCompute/*.swift)
mapfile -t CORE < <(find Sources/DuQuantCore -name '*.swift' | sort)
IO=(Sources/DuQuantIO/*.swift)
if stale "$B/libDuQuantCompute.a" "${COMPUTE[@]}" "$0"; then
    echo "test-fuzz: building DuQuantCompute with -sanitize=fuzzer,address"
    swiftc "${FLAGS[@]}" -module-name DuQuantCompute -I Sources/CBLAS -I Sources/CCPUID -I Sources/CFloatEnv "${COMPUTE[@]}" \
        -emit-module -emit-module-path "$B/DuQuantCompute.swiftmodule" -emit-library -static \
        -o "$B/libDuQuantCompute.a" >>"$LOG" 2>&1 || { grep -v "Cannot export local symbol" "$LOG"; exit 1; }
fi
if stale "$B/libDuQuantCore.a" "${CORE[@]}" "$B/libDuQuantCompute.a" "$0"; then
    echo "test-fuzz: building DuQuantCore with -sanitize=fuzzer,address"
    swiftc "${FLAGS[@]}" -module-name DuQuantCore -I Sources/CBLAS -I Sources/CCPUID -I Sources/CFloatEnv -I "$B" "${CORE[@]}" \
        -emit-module -emit-module-path "$B/DuQuantCore.swiftmodule" -emit-library -static \
        -o "$B/libDuQuantCore.a" >>"$LOG" 2>&1 || { grep -v "Cannot export local symbol" "$LOG"; exit 1; }
fi
GUARD=Sources/CMapGuard
if stale "$B/mapguard.o" "$GUARD/mapguard.c" "$GUARD/include/duq_mapguard.h"; then
    clang -c -O1 -g -fsanitize=address -I "$GUARD/include" "$GUARD/mapguard.c" -o "$B/mapguard.o" >>"$LOG" 2>&1 || { cat "$LOG"; exit 1; }
fi
if stale "$B/libDuQuantIO.a" "${IO[@]}" "$B/libDuQuantCore.a" "$B/mapguard.o"; then
    echo "test-fuzz: building DuQuantIO with -sanitize=fuzzer,address"
    swiftc "${FLAGS[@]}" -module-name DuQuantIO -I Sources/CBLAS -I Sources/CCPUID -I Sources/CFloatEnv -I Sources/CZlib -I "$GUARD/include" -I "$B" "${IO[@]}" \
        -emit-module -emit-module-path "$B/DuQuantIO.swiftmodule" -emit-library -static \
        -o "$B/libDuQuantIO.a" >>"$LOG" 2>&1 || { grep -v "Cannot export local symbol" "$LOG"; exit 1; }
fi

FIX=Tests/DuQuantIOTests/Fixtures
status=0
for p in "${PARSERS[@]}"; do
    bin="$B/fuzz-$p"
    if stale "$bin" "$B/libDuQuantIO.a" tools/fuzz/FuzzExercise.swift "tools/fuzz/Fuzz_$p.swift"; then
        swiftc "${FLAGS[@]}" -module-name Fuzz_$p -I Sources/CBLAS -I Sources/CCPUID -I Sources/CFloatEnv -I Sources/CZlib -I "$GUARD/include" -I "$B" \
            tools/fuzz/FuzzExercise.swift "tools/fuzz/Fuzz_$p.swift" "$B/mapguard.o" \
            -L "$B" -lDuQuantIO -lDuQuantCore -lDuQuantCompute -lopenblas -lz -o "$bin" >>"$LOG" 2>&1 || { grep -v "Cannot export local symbol" "$LOG"; exit 1; }
    fi
    seeds="$B/seeds-$p"
    rm -rf "$seeds"; mkdir -p "$seeds" "$B/corpus-$p"
    case $p in
        safetensors) cp "$FIX"/hostile/st_* "$FIX"/*.safetensors "$seeds"/ ;;
        npy) cp "$FIX"/hostile/npy_* "$FIX"/*.npy "$FIX"/npydir/*.npy "$seeds"/ ;;
        npz) cp "$FIX"/hostile/npz_* "$FIX"/*.npz "$seeds"/ ;;
        *) echo "unknown parser $p (safetensors, npy, npz)"; exit 2 ;;
    esac
    out="$B/fuzz-$p.log"
    set +e
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 "$bin" "$B/corpus-$p" "$seeds" \
        -dict=tools/fuzz/duquant.dict -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
        -max_total_time="$SECONDS_PER" -print_final_stats=1 -artifact_prefix="$B/crash-$p-" >"$out" 2>&1
    rc=$?
    set -e
    runs=$(grep '^stat::number_of_executed_units' "$out" | awk '{print $2}' || true)
    cov=$(grep -o 'cov: [0-9]*' "$out" | tail -1 | awk '{print $2}' || true)
    if [ $rc -ne 0 ] || grep -q 'ERROR: \(AddressSanitizer\|libFuzzer\)\|SUMMARY: ' "$out"; then
        echo "test-fuzz: $p: CRASH after ${runs:-?} executions — see $out and $B/crash-$p-*"
        grep -m3 'ERROR\|SUMMARY\|Fatal error' "$out" || true
        status=1
    else
        echo "test-fuzz: $p: ${runs:-?} executions in ${SECONDS_PER}s, coverage ${cov:-?} edges, 0 crashes"
    fi
done
exit $status
