#!/usr/bin/env bash
# Render benchmark: weft's chromium page pool beside puppeteer-core, driving the same Chromium
# (/usr/bin/chromium) on the same local pages, in the same run.
#   bench/render.sh [PAGES=200] [CONCURRENCY=4]
# Each render: goto (load), wait_for_selector('#ready') (a script inserts it 30 ms after load),
# content(). Prints pages/s and the goto -> selector-matched time (p50, p90) for both.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
pages="${1:-200}"; conc="${2:-4}"; distinct=20

# WEFT_BENCH_BUILD=build/xyz uses weft_render_bench already built there.
build="${WEFT_BENCH_BUILD:-}"
if [[ -z "$build" ]]; then
  bash scripts/setup.sh
  build=build/release
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DWEFT_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" --target weft_render_bench -j "$(nproc)" >/dev/null
fi
[[ -d bench/node_modules/puppeteer-core ]] || npm install --prefix bench --no-audit --no-fund --silent >/dev/null

run="$(mktemp -d)"
trap 'scripts/local_site.sh stop "$run/site"; rm -rf "$run"' EXIT
mkdir -p "$run/pages"
for i in $(seq 0 $((distinct - 1))); do
  {
    echo "<!doctype html><html><head><title>page $i</title><style>td{padding:2px}</style></head><body>"
    echo "<h1>Page $i</h1><table>"
    for r in $(seq 1 50); do echo "<tr><td>$i.$r</td><td>item $r</td><td>$((r * 7 % 100)).99</td></tr>"; done
    echo "</table><script>setTimeout(() => { const d = document.createElement('div'); d.id = 'ready';"
    echo "d.textContent = 'rendered $i'; document.body.appendChild(d); }, 30);</script></body></html>"
  } > "$run/pages/page_$i.html"
done
base="$(scripts/local_site.sh start "$run/pages" "$run/site")"

weft="$("$build"/bench/weft_render_bench "$base" "$pages" "$conc" "$distinct" | grep '^{')"
pptr="$(node bench/render_puppeteer.mjs "$base" "$pages" "$conc" "$distinct" | grep '^{')"

python3 - "$weft" "$pptr" <<'PY'
import json, sys
rows = [json.loads(a) for a in sys.argv[1:]]
print(f"{'tool':16} {'pages':>6} {'conc':>5} {'pages/s':>9} {'ready p50 ms':>13} {'ready p90 ms':>13} {'client RSS MB':>14}")
for r in rows:
    print(f"{r['tool']:16} {r['pages']:>6} {r['concurrency']:>5} {r['pages_per_s']:>9.1f} "
          f"{r['ready_ms_p50']:>13.1f} {r['ready_ms_p90']:>13.1f} {r['client_peak_rss_mb']:>14.1f}")
PY
