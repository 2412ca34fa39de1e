#!/usr/bin/env bash
# Render benchmark: weft's chromium page pool beside puppeteer-core, driving the same Chromium
# (/usr/bin/chromium) on the same local pages, in the same run.
#   bench/render.sh [PAGES=200] [CONCURRENCY=4] [RUNS=3]
# Each render: goto (load), wait_for_selector('#ready') (a script inserts it 30 ms after load),
# content(). Prints, per run and as medians (min-max) over the runs: pages/s, the goto ->
# selector-matched time (p50, p90), the driver's peak RSS and its Chromium's peak PSS (the
# process tree's, bench/peers/tree_memory.py), and the load average at each run's start.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
pages="${1:-200}"; conc="${2:-4}"; runs="${3:-3}"; distinct=20

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

# One tool's run: its JSON line, with the peak memory of its Chromium (the PSS of its process
# tree, sampled every 100 ms) and the load average when it started.
measure() {
  local load; load="$(cut -d' ' -f1 /proc/loadavg)"
  "$@" > "$run/out.txt" &
  local pid=$!
  local mem; mem="$(python3 bench/peers/tree_memory.py "$pid" 0.1)"
  wait "$pid"
  python3 - "$(grep '^{' "$run/out.txt")" "$mem" "$load" <<'PY'
import json, sys
r = json.loads(sys.argv[1]); r.update(json.loads(sys.argv[2])); r['load'] = float(sys.argv[3])
print(json.dumps(r))
PY
}

: > "$run/rows.jsonl"
for i in $(seq 1 "$runs"); do
  # Alternating which goes first, so neither always gets the cooler machine.
  if (( i % 2 )); then order="weft pptr"; else order="pptr weft"; fi
  for tool in $order; do
    if [[ $tool == weft ]]; then
      measure "$build"/bench/weft_render_bench "$base" "$pages" "$conc" "$distinct" >> "$run/rows.jsonl"
    else
      measure node bench/render_puppeteer.mjs "$base" "$pages" "$conc" "$distinct" >> "$run/rows.jsonl"
    fi
  done
done

python3 - "$run/rows.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(f"{'tool':16} {'run':>3} {'pages/s':>8} {'p50 ms':>7} {'p90 ms':>7} {'driver MB':>9} {'chromium PSS MB':>15} {'load':>5}")
for i, r in enumerate(rows):
    print(f"{r['tool']:16} {i // 2 + 1:>3} {r['pages_per_s']:>8.1f} {r['ready_ms_p50']:>7.1f} {r['ready_ms_p90']:>7.1f} "
          f"{r['client_peak_rss_mb']:>9.1f} {r['children_pss_mb']:>15.1f} {r['load']:>5.2f}")
def spread(tool, key):
    v = [r[key] for r in rows if r['tool'] == tool]
    return f"{statistics.median(v):.1f} ({min(v):.1f}-{max(v):.1f})"
print()
print("| tool | pages/s | ready p50 ms | ready p90 ms | driver peak RSS MB | Chromium peak PSS MB |")
print("|---|---:|---:|---:|---:|---:|")
for tool in ('weft', 'puppeteer-core'):
    print(f"| {tool} | {spread(tool, 'pages_per_s')} | {spread(tool, 'ready_ms_p50')} | {spread(tool, 'ready_ms_p90')} "
          f"| {spread(tool, 'client_peak_rss_mb')} | {spread(tool, 'children_pss_mb')} |")
w = statistics.median(r['pages_per_s'] for r in rows if r['tool'] == 'weft')
p = statistics.median(r['pages_per_s'] for r in rows if r['tool'] == 'puppeteer-core')
print(f"\nweft / puppeteer-core pages/s (medians): {w / p:.2f}x; load average at the runs' starts: "
      + ", ".join(f"{r['load']:.2f}" for r in rows))
PY
