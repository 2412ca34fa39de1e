#!/usr/bin/env bash
# The main job, with embedded defaults: sets up, builds, serves Python's HTML documentation
# (Debian's python3.11-doc) with a local nginx on 127.0.0.1, and crawls all of it with
# `weft crawl` (the built-in site spider), writing one JSON item per page.
# Environment: WEFT_DEMO_CONCURRENCY (32), WEFT_DEMO_OUT (items file; default a temp dir).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

bash scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DWEFT_BUILD_TESTS=OFF >/dev/null
cmake --build build/release --target weft_cli -j "$(nproc)"

docroot=/usr/share/doc/python3.11/html
run="$(mktemp -d)"
trap 'scripts/local_site.sh stop "$run/site"' EXIT
base="$(scripts/local_site.sh start "$docroot" "$run/site")"
echo "serving $docroot at $base" >&2

out="${WEFT_DEMO_OUT:-$run/items.jsonl}"
build/release/framework/cli/weft crawl "$base/index.html" -c "${WEFT_DEMO_CONCURRENCY:-32}" \
  --per-host "${WEFT_DEMO_CONCURRENCY:-32}" -o "$out" --stats "$run/stats.json"
echo "$(wc -l < "$out") items in $out; first one:" >&2
head -n 1 "$out"
