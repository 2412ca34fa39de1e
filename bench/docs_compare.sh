#!/usr/bin/env bash
# The docs spider, two weft builds and Scrapy, interleaved on the peer harness's doc sites, and a
# byte-for-byte comparison of the two builds' items. For before/after measurements on a noisy
# machine: every repetition runs Scrapy, then build A, then build B, back to back.
#
#   bench/docs_compare.sh OLD_WEFT NEW_WEFT [reps=3] [sites="python pgdoc"]
#
# Environment: BENCH (/work/shared/bench: serve.sh and peers/), CONC (16), SCRAPY=0 to skip Scrapy,
# NEW_ARGS / OLD_ARGS extra arguments for each build (e.g. "-s parse_workers=2").
# Prints one line per run (CPU-s = user + sys, wall, max RSS) and, per site, the medians and
# whether the two builds' items (sorted lines) are identical. Output under bench/results/docs-*.
set -euo pipefail
old=$(realpath "$1"); new=$(realpath "$2"); reps=${3:-3}; sites=${4:-python pgdoc}
bench=${BENCH:-/work/shared/bench}; conc=${CONC:-16}
here=$(cd "$(dirname "$0")" && pwd)
out=$here/results/docs-$(date +%Y%m%d-%H%M%S); mkdir -p "$out"
source "$bench/conf/sites.sh"
started=0
if ! "$bench/serve.sh" status >/dev/null 2>&1; then "$bench/serve.sh" start >/dev/null; started=1; fi
trap '[[ $started == 1 ]] && "$bench/serve.sh" stop >/dev/null' EXIT

run_one() { # name site rep cmd...
  local name=$1 site=$2 rep=$3; shift 3
  local d=$out/$site/$name/r$rep; mkdir -p "$d"
  /usr/bin/time -v -o "$d/time.txt" "$@" > "$d/log.txt" 2>&1 || echo "$name exited $?" >&2
  awk -v n="$name" -v s="$site" -v r="$rep" -F': ' '
    /User time/ {u=$2} /System time/ {y=$2} /Maximum resident/ {m=$2}
    /Elapsed \(wall/ {split($2, a, ":"); w = (length(a) == 3) ? a[1]*3600 + a[2]*60 + a[3] : a[1]*60 + a[2]}
    END {printf "%-7s %-6s r%s  cpu %7.2f  wall %7.2f  rss %6.1f MB\n", s, n, r, u + y, w, m / 1024}' "$d/time.txt" | tee -a "$out/runs.txt"
}
weft_run() { # name bin site rep extra-args
  local bin=$2 d=$out/$3/$1/r$4
  mkdir -p "$d"
  WEFT_PLUGIN_PATH=$(dirname "$bin")/../../lib/weft/plugins run_one "$1" "$3" "$4" \
    "$bin" crawl docs -a url="$SITE_ROOT_URL" --concurrency "$conc" -o "$d/items.jsonl" $5
}
for rep in $(seq 1 "$reps"); do
  for site in $sites; do
    site_info "$site"
    if [[ ${SCRAPY:-1} == 1 ]]; then
      d=$out/$site/scrapy/r$rep; mkdir -p "$d"
      run_one scrapy "$site" "$rep" "$bench/peers/scrapy_docs.sh" "$SITE_ROOT_URL" "$conc" "$d"
    fi
    weft_run old "$old" "$site" "$rep" "${OLD_ARGS:-}"
    weft_run new "$new" "$site" "$rep" "${NEW_ARGS:-}"
  done
done
echo
for site in $sites; do
  awk -v s="$site" '$1 == s {cpu[$2] = cpu[$2] " " $5; wall[$2] = wall[$2] " " $7; rss[$2] = rss[$2] " " $9}
    function med(str,   a, n, i, j, t) { n = split(str, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    END { for (k in cpu) printf "%-7s %-6s median cpu %6.2f (%s)  wall %6.2f (%s)  rss %6.1f\n", s, k, med(cpu[k]), cpu[k], med(wall[k]), wall[k], med(rss[k])
          if (cpu["scrapy"] != "") for (k in cpu) if (k != "scrapy") printf "%-7s %-6s vs scrapy: %.1fx cpu, %.1fx wall\n", s, k, med(cpu["scrapy"]) / med(cpu[k]), med(wall["scrapy"]) / med(wall[k]) }' "$out/runs.txt" | tee -a "$out/summary.txt"
  for rep in $(seq 1 "$reps"); do
    a=$out/$site/old/r$rep/items.jsonl b=$out/$site/new/r$rep/items.jsonl
    if cmp -s <(sort "$a") <(sort "$b"); then echo "$site r$rep: items identical ($(wc -l < "$a") items)"
    else echo "$site r$rep: ITEMS DIFFER ($(wc -l < "$a") vs $(wc -l < "$b"))"; fi
  done | tee -a "$out/summary.txt"
done
echo "(raw output: ${out#"$here"/})"
