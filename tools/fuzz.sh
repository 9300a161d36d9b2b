#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz (Debian clang, ASan + UBSan) in build-fuzz/ and runs each
# for SECONDS (default 60) from its checked-in seed corpus, on one core. Prints executions per harness;
# a finding is left in build-fuzz/findings/<harness>/ and makes the script fail. FLOWGUARD_FUZZ_BUILD names
# another tree; one already configured with FLOWGUARD_FUZZ=ON is used as it is (tools/sanitize-ci.sh's tree,
# which also holds the tests).
#   bash tools/fuzz.sh [SECONDS]
set -euo pipefail
seconds=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FLOWGUARD_FUZZ_BUILD:-$root/build-fuzz}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if ! grep -qx 'FLOWGUARD_FUZZ:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DFLOWGUARD_FUZZ=ON -DFLOWGUARD_BUILD_TESTS=OFF -DFLOWGUARD_BUILD_BENCH=OFF \
    "${launcher[@]}" >/dev/null
fi
cmake --build "$build" -j2 --target fuzzers
status=0
for source in "$root"/tests/fuzz/fuzz_*.cpp; do
  name=$(basename "$source" .cpp)
  corpus="$build/corpus/$name"
  findings="$build/findings/$name"
  mkdir -p "$corpus" "$findings"
  cp -n "$root/tests/fuzz/corpus/$name"/* "$corpus"/ 2>/dev/null || true
  if "$build/tests/fuzz/$name" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" >"$build/findings/$name.log" 2>&1; then
    result=ok
  else
    result="FINDING (see $findings/ and $build/findings/$name.log)"
    status=1
  fi
  runs=$(grep -o "stat::number_of_executed_units: [0-9]*" "$build/findings/$name.log" | tail -1 | grep -o "[0-9]*$" || echo "?")
  echo "$name: $runs executions in ${seconds}s, corpus $(ls "$corpus" | wc -l) inputs: $result"
done
exit $status
