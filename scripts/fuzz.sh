#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/*_fuzz.cpp, ASan+UBSan) and runs each for a bounded
# time on its seed corpus (tests/fuzz/corpus/<target>/). A crash, a leak, an input slower than
# WEFT_FUZZ_TIMEOUT seconds or one over WEFT_FUZZ_RSS_MB fails the script; libFuzzer writes the
# input to $dir/artifacts/<target>/ (reproduce: $dir/tests/weft_<target> <that file>).
# Environment:
#   WEFT_FUZZ_SECONDS=N     run time per target (default 30 per target)
#   WEFT_FUZZ_TIMEOUT=N     per-input timeout in seconds (default 5)
#   WEFT_FUZZ_RSS_MB=N      memory limit (default 2048)
#   WEFT_JOBS=N             parallel build jobs (default: nproc)
# Usage: scripts/fuzz.sh [build-dir] [target...]   (default build/ci-asan, every target)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
dir="${1:-build/ci-asan}"
shift || true
seconds="${WEFT_FUZZ_SECONDS:-30}"
jobs="${WEFT_JOBS:-$(nproc)}"

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for src in tests/fuzz/*_fuzz.cpp; do targets+=("$(basename "$src" .cpp)"); done
fi

start=$SECONDS
if [[ ! -f "$dir/CMakeCache.txt" ]]; then
  # As scripts/test.sh's sanitizer pass, which builds the fuzzers too (-DWEFT_FUZZ=ON).
  CXX="${CXX:-clang++-16}" cmake -S . -B "$dir" -G Ninja -DWEFT_BUILD_TESTS=ON -DWEFT_FUZZ=ON -DWEFT_SANITIZE=ON \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DWEFT_BUILD_EXAMPLES=OFF -DWEFT_BUILD_BENCH=OFF >/dev/null
elif ! grep -q '^WEFT_FUZZ:BOOL=ON' "$dir/CMakeCache.txt"; then
  echo "fuzz: $dir is configured without -DWEFT_FUZZ=ON; reconfigure it or pass another build directory" >&2
  exit 1
fi
cmake --build "$dir" -j "$jobs" --target "${targets[@]/#/weft_}"
echo "== built the fuzzers in $((SECONDS - start)) s" >&2

for t in "${targets[@]}"; do
  seeds="tests/fuzz/corpus/$t"
  [[ -d "$seeds" ]] || { echo "fuzz: no seed corpus $seeds for $t: add a few small inputs" >&2; exit 1; }
  work="$dir/corpus/$t" artifacts="$dir/artifacts/$t"
  mkdir -p "$work" "$artifacts"
  echo "== fuzzing $t for $seconds s" >&2
  # New inputs go to $work (not the committed seeds); -timeout and -rss_limit_mb make a slow or
  # bloated input a failure, as a hostile page would be for a crawl.
  if ! ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS="suppressions=$root/tests/fuzz/lsan.supp" UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$dir/tests/weft_$t" -max_total_time="$seconds" -timeout="${WEFT_FUZZ_TIMEOUT:-5}" \
      -rss_limit_mb="${WEFT_FUZZ_RSS_MB:-2048}" -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "$work" "$seeds" 2>"$dir/$t.log"; then
    tail -60 "$dir/$t.log" >&2
    echo "fuzz: $t failed; the input is in $artifacts/ (run $dir/tests/weft_$t on it to reproduce)" >&2
    exit 1
  fi
  grep -E "^stat::(number_of_executed_units|peak_rss_mb)" "$dir/$t.log" | tr '\n' ' ' >&2; echo >&2
done
echo "== fuzzed ${#targets[@]} targets in $((SECONDS - start)) s" >&2
