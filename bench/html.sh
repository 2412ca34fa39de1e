#!/usr/bin/env bash
# HTML parsing and link extraction: weft (bare gumbo, DOM, DOM + select, DOM + extract_links,
# streaming scan) against parsel (Debian's python3-parsel under /usr/bin/python3) and cheerio
# (npm, bench/node_modules), on the same files, in one run, pinned to one core.
#
#   bench/html.sh [dir=/usr/share/doc/python3.11/html]
#
# Environment: ROUNDS (3; each program reports its median round), CPU (1; the core for taskset),
# BUILD (build/htmlbench), NO_BUILD=1 to use an existing weft_scanner_bench as is.
# Setup: apt-get install -y python3-parsel; (cd bench && npm install).
# Raw output of each program goes to bench/results/html-<timestamp>/ (git-ignored).
# Exits 0 when every program ran; a missing peer is reported as n/a, not as a failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
dir=${1:-/usr/share/doc/python3.11/html}
rounds=${ROUNDS:-3}
cpu=${CPU:-1}
build=${BUILD:-$repo/build/htmlbench}
out=$here/results/html-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"

if [[ -z ${NO_BUILD:-} ]]; then
  [[ -f $build/build.ninja ]] ||
    cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DWEFT_BUILD_TESTS=OFF >/dev/null
  ninja -C "$build" -j2 weft_scanner_bench >/dev/null
fi
bench=$build/bench/weft_scanner_bench
[[ -x $bench ]] || bench=$(find "$build" -name weft_scanner_bench -type f -perm -u+x | head -n1)
[[ -x $bench ]] || { echo "weft_scanner_bench not found under $build" >&2; exit 1; }

pin=(taskset -c "$cpu")
echo "== $(date -u +%FT%TZ)  $(uname -m)  $(nproc) cores  load: $(cut -d' ' -f1-3 /proc/loadavg)  pinned to core $cpu  rounds=$rounds"
echo "== $dir"

"${pin[@]}" "$bench" "$dir" "$rounds" | tee "$out/weft.txt"

if /usr/bin/python3 -c 'import parsel' 2>/dev/null; then
  "${pin[@]}" /usr/bin/python3 "$here/peers/parsel_bench.py" "$dir" "$rounds" | tee "$out/parsel.txt"
else
  echo "parsel: not installed (apt-get install -y python3-parsel), skipped" | tee "$out/parsel.txt"
fi
if [[ -d $here/node_modules/cheerio ]] && command -v node >/dev/null; then
  "${pin[@]}" node "$here/peers/cheerio_bench.mjs" "$dir" "$rounds" | tee "$out/cheerio.txt"
else
  echo "cheerio: not installed (cd bench && npm install), skipped" | tee "$out/cheerio.txt"
fi

echo
cat "$out"/weft.txt "$out"/parsel.txt "$out"/cheerio.txt | awk '
  /^RESULT / { pps[$2] = $3; mbs[$2] = $4; sec[$2] = $5; order[n++] = $2 }
  function r(a, b) { return (a != "" && b != "" && b > 0) ? sprintf("%.2fx", a / b) : "n/a" }
  function verdict(x, goal, hi) {
    if (x == "n/a") return "n/a"
    x += 0
    return (hi ? x >= goal : x <= goal) ? "met" : "MISSED"
  }
  END {
    printf "%-16s %12s %10s %12s\n", "case", "pages/CPU-s", "MB/CPU-s", "CPU-s/round"
    for (i = 0; i < n; i++) { k = order[i]; printf "%-16s %12.1f %10.2f %12.3f\n", k, pps[k], mbs[k], sec[k] }
    print ""
    a = r(mbs["scan"], mbs["gumbo_parse"])
    printf "%-58s %8s  goal >= 10x   %s\n", "scan() MB/s vs bare gumbo MB/s", a, verdict(a, 10, 1)
    b = r(pps["scan"], pps["parsel_links"])
    printf "%-58s %8s  goal >= 5x    %s\n", "weft link extraction (scan) vs parsel links, pages/CPU-s", b, verdict(b, 5, 1)
    c = r(sec["doc_select"], sec["gumbo_parse"])
    printf "%-58s %8s  goal <= 1.3x  %s\n", "DOM+select CPU time vs bare gumbo parse CPU time", c, verdict(c, 1.3, 0)
    d = r(pps["doc_select"], pps["parsel_parse"])
    printf "%-58s %8s  goal >= 3x    %s\n", "DOM+select vs parsel parse-only, pages/CPU-s (issue 13)", d, verdict(d, 3, 1)
    w = r(pps["wdoc_select"], pps["parsel_parse"])
    printf "%-58s %8s  goal >= 3x    %s\n", "parser::weft DOM+select vs parsel parse-only (issue 13)", w, verdict(w, 3, 1)
    print ""
    printf "%-58s %8s\n", "  (info) gumbo into weft arena vs bare gumbo, CPU time", r(sec["gumbo_arena"], sec["gumbo_parse"])
    printf "%-58s %8s\n", "  (info) weft tree builder vs gumbo into the arena, CPU time", r(sec["weft_tree"], sec["gumbo_arena"])
    printf "%-58s %8s\n", "  (info) parser::weft vs gumbo document::parse + select, pages", r(pps["wdoc_select"], pps["doc_select"])
    printf "%-58s %8s\n", "  (info) DOM+docs spider selectors vs parsel parse, pages/CPU-s", r(pps["doc_docs"], pps["parsel_parse"])
    printf "%-58s %8s\n", "  (info) DOM+extract_links vs parsel links, pages/CPU-s", r(pps["doc_links"], pps["parsel_links"])
    printf "%-58s %8s\n", "  (info) scan vs cheerio links, pages/CPU-s", r(pps["scan"], pps["cheerio_links"])
    printf "%-58s %8s\n", "  (info) DOM+extract_links vs cheerio links, pages/CPU-s", r(pps["doc_links"], pps["cheerio_links"])
    printf "%-58s %8s\n", "  (info) weft document::parse vs bare gumbo, CPU time", r(sec["doc_parse"], sec["gumbo_parse"])
    printf "%-58s %8s\n", "  (info) parsel (lxml) parse vs bare gumbo, pages/CPU-s", r(pps["parsel_parse"], pps["gumbo_parse"])
  }' | tee "$out/summary.txt"
echo "(raw output: ${out#"$repo"/})"
exit 0
