#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite twice: a plain build, then ASan+UBSan.
# This is exactly what CI runs (.ci/run). Environment:
#   WEFT_TEST_SANITIZE=0   skip the sanitizer pass and the fuzzers (faster local runs)
#   WEFT_TEST_FUZZ=OFF     skip the fuzzers (scripts/fuzz.sh) only
#   WEFT_JOBS=N            parallel build jobs (default: nproc)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

bash scripts/setup.sh
jobs="${WEFT_JOBS:-$(nproc)}"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}" CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"

run_suite() { # build-dir, extra cmake args...
  local dir="$1"; shift
  local start=$SECONDS
  cmake -S . -B "$dir" -G Ninja -DWEFT_BUILD_TESTS=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  echo "== built $dir in $((SECONDS - start)) s" >&2
  start=$SECONDS
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 300)
  echo "== tested $dir in $((SECONDS - start)) s; $dir takes $(du -sh "$dir" | cut -f1)," \
       "$(df -h --output=avail . | tail -1 | tr -d ' ') left on the disk" >&2
}

# The library as a user gets it: weft installed to a prefix, then examples/ configured on its own
# against that prefix (find_package(weft), weft::weft, weft::chromium), built, and run on the
# examples' local shop (scripts/run_examples.sh).
build_examples_against_install() { # build-dir
  local dir="$1" start=$SECONDS
  cmake --install "$dir" --prefix "$dir/prefix" >/dev/null
  cmake -S examples -B "$dir/examples" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$root/$dir/prefix" >/dev/null
  cmake --build "$dir/examples" -j "$jobs"
  echo "== built examples/ against the installed weft in $((SECONDS - start)) s" >&2
  bash scripts/run_examples.sh "$dir/examples" "$dir/prefix"
}

# Release: no debug info, which is a quarter of the compile time and 5/6 of the objects' size;
# a failure here is debugged in the sanitizer pass or a RelWithDebInfo build.
run_suite build/ci -DCMAKE_BUILD_TYPE=Release -DWEFT_BUILD_EXAMPLES=OFF
build_examples_against_install build/ci
if [[ "${WEFT_TEST_SANITIZE:-1}" != 0 ]]; then
  # -g1: line tables, all that sanitizer reports need. bench/ is built (not run) by the plain
  # pass, examples/ against its installed weft.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_suite build/ci-asan -DWEFT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 \
              -DWEFT_BUILD_EXAMPLES=OFF -DWEFT_BUILD_BENCH=OFF -DWEFT_LIBRARY=OFF -DWEFT_FUZZ="${WEFT_TEST_FUZZ:-ON}"
  # The libFuzzer targets (tests/fuzz/*_fuzz.cpp, built by the pass above: -DWEFT_FUZZ=ON), 30 s each on their
  # seed corpora; WEFT_TEST_FUZZ=OFF skips them.
  if [[ "${WEFT_TEST_FUZZ:-ON}" != OFF ]]; then
    bash scripts/fuzz.sh build/ci-asan
  fi
fi
