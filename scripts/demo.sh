#!/usr/bin/env bash
# The main job, with embedded defaults: sets up, builds, serves Python's HTML documentation
# (Debian's python3.11-doc) with a local nginx on 127.0.0.1, and downloads every page of it
# concurrently through weft. Environment: WEFT_DEMO_CONCURRENCY (32), WEFT_DEMO_OUT (a temp dir).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

bash scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DWEFT_BUILD_TESTS=OFF >/dev/null
cmake --build build/release --target weft_cli weft_example_01_download_many -j "$(nproc)"

docroot=/usr/share/doc/python3.11/html
run="$(mktemp -d)"
out="${WEFT_DEMO_OUT:-$run/out}"
trap 'scripts/local_site.sh stop "$run/site"' EXIT
base="$(scripts/local_site.sh start "$docroot" "$run/site")"
echo "serving $docroot at $base" >&2

(cd "$docroot" && find . -name '*.html' | sort | sed "s#^\.#$base#") > "$run/urls.txt"
echo "downloading $(wc -l < "$run/urls.txt") pages into $out" >&2
start=$(date +%s.%N)
build/release/examples/weft_example_01_download_many "$out" "${WEFT_DEMO_CONCURRENCY:-32}" < "$run/urls.txt" > "$run/log.txt"
end=$(date +%s.%N)
tail -n 3 "$run/log.txt"
python3 - "$start" "$end" "$(wc -l < "$run/urls.txt")" <<'PY'
import sys
s, e, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
print(f"{n} pages in {e - s:.2f} s: {n / (e - s):.0f} pages/s", file=sys.stderr)
PY
build/release/framework/cli/weft fetch -i "$base/index.html" | head -n 12
