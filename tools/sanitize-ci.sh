#!/usr/bin/env bash
# CI's sanitizer step: one clang tree in build-asan/ compiled with ASan + UBSan and libFuzzer's coverage
# (FLOWGUARD_FUZZ=ON, no benchmarks) serves both checks, so CI compiles the code once more, not twice:
# the whole CTest suite runs under ASan + UBSan (tests link without -fsanitize=fuzzer; the ASan runtime
# provides the coverage callbacks), then each libFuzzer harness runs SECONDS (default 30) from its seed
# corpus (tools/fuzz.sh). Any sanitizer report, failed test or fuzz finding fails the script; both checks
# run either way. -O1 and line tables only: quicker to compile than RelWithDebInfo; stacks keep file:line.
#   bash tools/sanitize-ci.sh [SECONDS]
set -uo pipefail
seconds=${1:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-asan
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" -DCMAKE_CXX_COMPILER=clang++ \
  -DFLOWGUARD_FUZZ=ON -DFLOWGUARD_BUILD_TESTS=ON -DFLOWGUARD_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null || exit 1
cmake --build "$build" -j2 || exit 1

# Leak checking on, with no suppressions (the suite is leak-free). Qt is built without frame pointers:
# fast_unwind_on_malloc=0 would give full leak stacks, at several times the run time.
export ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1:strict_init_order=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
echo "== CTest suite under ASan + UBSan"
bash "$root/tools/run-tests.sh" "$build" || status=1
echo "== libFuzzer harnesses, ${seconds}s each"
FLOWGUARD_FUZZ_BUILD=$build bash "$root/tools/fuzz.sh" "$seconds" || status=1
exit $status
