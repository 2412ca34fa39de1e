#!/usr/bin/env bash
# Adaptive rendering: `weft crawl --render auto` beside HTTP only (--render requested) and
# render-all (--render always), on one local site of static pages and script-built pages side
# by side, in the same run.
#   bench/render_auto.sh [STATIC=300] [APPS=60] [RUNS=3]     # WEFT_BENCH_BUILD=build/x reuses a build
# The site: an index; STATIC documentation pages (text, links to their neighbours); APPS app
# pages (an empty #app that a script fills with a heading and a link to /only/N.html, a page
# nothing else links to); the APPS /only/ pages. Each mode crawls it RUNS times (concurrency 8);
# printed: pages, wall seconds and CPU seconds (weft and its Chromium: user+sys of the process
# tree), renders, and the pages whose item (title, links) differs from render-all's ("wrong").
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
statics="${1:-300}"; apps="${2:-60}"; runs="${3:-3}"

build="${WEFT_BENCH_BUILD:-}"
if [[ -z "$build" ]]; then
  bash scripts/setup.sh
  build=build/release
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DWEFT_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" --target weft -j "$(nproc)" >/dev/null
fi
weft="$root/$build/framework/cli/weft"

run="$(mktemp -d)"
trap 'scripts/local_site.sh stop "$run/site"; rm -rf "$run"' EXIT
site="$run/www"; mkdir -p "$site/docs" "$site/app" "$site/only"
prose="Static pages carry their content in the HTML as served, so a crawler needs no browser for them."
{
  echo "<!doctype html><title>Index</title><h1>Index</h1><p>$prose</p>"
  for i in $(seq 1 "$statics"); do echo "<a href=/docs/$i.html>doc $i</a>"; done
  for i in $(seq 1 "$apps"); do echo "<a href=/app/$i/view.html>app $i</a>"; done
} > "$site/index.html"
for i in $(seq 1 "$statics"); do
  printf '<!doctype html><title>Doc %s</title><h1>Doc %s</h1><p>%s %s</p><a href=/docs/%s.html>next</a> <a href=/>index</a><script>var analytics = %s;</script>\n' \
    "$i" "$i" "$prose" "$prose" "$(( i % statics + 1 ))" "$i" > "$site/docs/$i.html"
done
for i in $(seq 1 "$apps"); do
  mkdir -p "$site/app/$i"
  printf '<!doctype html><title>App %s</title><body><div id="app"></div><script>document.getElementById("app").innerHTML = "<h1>App %s</h1><p>Drawn by script.</p><a href=\\"/only/%s.html\\">more</a>";</script>\n' \
    "$i" "$i" "$i" > "$site/app/$i/view.html"
  printf '<!doctype html><title>Only %s</title><h1>Only %s</h1><p>%s</p>\n' "$i" "$i" "$prose" > "$site/only/$i.html"
done
base="$(scripts/local_site.sh start "$site" "$run/site")"

for r in $(seq 1 "$runs"); do
  for mode in requested auto always; do
    out="$run/$mode.$r.jsonl"
    /usr/bin/time -f "%e %U %S" -o "$run/$mode.$r.time" \
      "$weft" crawl "$base/" -q -c 8 --render "$mode" --stats "$run/$mode.$r.stats" -o "$out" 2>/dev/null
  done
done

python3 - "$run" "$runs" "$statics" "$apps" <<'PY'
import json, statistics, sys
run, runs, statics, apps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def items(path):
    out = {}
    for line in open(path):
        j = json.loads(line)
        out[j["url"].split("/", 3)[3]] = (j.get("title"), j.get("links"))
    return out
rows = {}
for mode in ("requested", "auto", "always"):
    for r in range(1, runs + 1):
        wall, user, sys_ = map(float, open(f"{run}/{mode}.{r}.time").read().split()[-3:])
        stats = json.load(open(f"{run}/{mode}.{r}.stats"))
        c = stats.get("custom", {})
        got, ref = items(f"{run}/{mode}.{r}.jsonl"), items(f"{run}/always.{r}.jsonl")
        wrong = sum(1 for u, v in ref.items() if got.get(u) != v)
        renders = {"requested": 0, "always": len(got)}.get(mode, c.get("render_auto_rendered", 0) + c.get("render_auto_direct", 0))
        rows.setdefault(mode, []).append((len(got), wall, user + sys_, renders, wrong))
print(f"site: 1 index, {statics} static pages, {apps} script-built pages, {apps} pages only they link to; {runs} runs, medians (min-max)")
print("| mode | pages | wall s | CPU s | pages/s | pages per CPU-s | renders | wrong |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
def span(xs, fmt):
    return f"{fmt.format(statistics.median(xs))} ({fmt.format(min(xs))}-{fmt.format(max(xs))})"
for mode, rs in rows.items():
    pages = [r[0] for r in rs]; wall = [r[1] for r in rs]; cpu = [r[2] for r in rs]
    print(f"| {mode} | {statistics.median(pages):.0f} | {span(wall, '{:.2f}')} | {span(cpu, '{:.2f}')} | "
          f"{span([p / w for p, w in zip(pages, wall)], '{:.0f}')} | {span([p / c for p, c in zip(pages, cpu)], '{:.0f}')} | "
          f"{statistics.median(r[3] for r in rs):.0f} | {max(r[4] for r in rs)} |")
PY
