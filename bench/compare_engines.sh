#!/usr/bin/env bash
# Two weft binaries (an old engine and a new one) on the peer harness's link crawl, in one run:
# for each documentation site, OLD and NEW alternate (the order flips each repetition, so neither
# always runs on a warmer machine), REPS runs each. Prints per site pages/s and pages per
# CPU-second for each binary (median and min-max over the runs) and NEW/OLD of the medians; then
# the peak RSS of bench/crawl_memory.sh (a crawl holding N queued URLs) for both.
#
#   bench/compare_engines.sh OLD_WEFT NEW_WEFT
#   environment: SITES="python pgdoc boost"  CONC=16  REPS=3
#                HARNESS=<the peer harness; default ../shared/bench beside the repository>
#                MEMORY_URLS=1000000 (0 skips crawl_memory.sh)  MEMORY_PAGES=1000  MEMORY_SECONDS=75
#
# Stops with an error when a binary, the harness, a site's documents or its ground truth is
# missing, or when a run fails. A crawl that fetches fewer than 98% of the ground truth's pages is
# shown as INCOMPLETE and makes the script exit 1 after the table: its rate is not comparable; so
# does a memory crawl stopped (after MEMORY_SECONDS) before it queued all MEMORY_URLS URLs.
# Raw results: $HARNESS/results/engines-<timestamp>/{old,new}-r<rep>/ (one harness run each).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
die() { echo "compare_engines.sh: $*" >&2; exit 1; }

[[ $# -eq 2 ]] || die "usage: bench/compare_engines.sh OLD_WEFT NEW_WEFT"
declare -A bin=([old]="$(realpath -e "$1" 2>/dev/null || true)" [new]="$(realpath -e "$2" 2>/dev/null || true)")
for which in old new; do
  [[ -n "${bin[$which]}" && -x "${bin[$which]}" ]] || die "the ${which^^} binary '$([[ $which == old ]] && echo "$1" || echo "$2")' is missing or not executable"
  "${bin[$which]}" --version >/dev/null 2>&1 || die "the ${which^^} binary ${bin[$which]} does not run ('--version' failed)"
done

SITES="${SITES:-python pgdoc boost}"; CONC="${CONC:-16}"; REPS="${REPS:-3}"
MEMORY_URLS="${MEMORY_URLS:-1000000}"; MEMORY_PAGES="${MEMORY_PAGES:-1000}"; MEMORY_SECONDS="${MEMORY_SECONDS:-75}"
if [[ -z "${HARNESS:-}" ]]; then
  for h in "$root/../shared/bench" "$root/../../shared/bench"; do
    [[ -x "$h/run.sh" ]] && { HARNESS="$h"; break; }
  done
fi
[[ -n "${HARNESS:-}" && -x "$HARNESS/run.sh" ]] || die "no peer harness (run.sh) found: set HARNESS=/path/to/shared/bench"
HARNESS="$(cd "$HARNESS" && pwd)"
[[ -x "$HARNESS/peers/weft.sh" ]] || die "the harness at $HARNESS has no peers/weft.sh"
source "$HARNESS/conf/sites.sh"
for site in $SITES; do
  site_info "$site" || die "unknown site '$site' (the harness has: ${ALL_SITES:-python pgdoc boost})"
  [[ -d "$SITE_DOCROOT" ]] || die "site $site: $SITE_DOCROOT is missing (install its package: $HARNESS/setup.sh)"
  [[ -s "$HARNESS/gt/$site/html_pages.txt" ]] || die "site $site: no ground truth in $HARNESS/gt/$site (one run.sh computes it)"
done

id="engines-$(date +%Y%m%d-%H%M%S)"
log="$HARNESS/results/$id/harness.log"
mkdir -p "$HARNESS/results/$id"
started_nginx=0
cleanup() { [[ $started_nginx == 1 ]] && "$HARNESS/serve.sh" stop >/dev/null; true; }
trap cleanup EXIT
# One nginx for every run (run.sh reuses a running one), so no run pays its start.
if ! "$HARNESS/serve.sh" status >/dev/null 2>&1; then "$HARNESS/serve.sh" start >/dev/null || die "the harness's nginx did not start"; started_nginx=1; fi

echo "OLD ${bin[old]}"
echo "NEW ${bin[new]}"
echo "sites: $SITES; concurrency $CONC; $REPS runs each, alternating; results in $HARNESS/results/$id"
uptime
for rep in $(seq 1 "$REPS"); do
  order="old new"; (( rep % 2 == 0 )) && order="new old"
  for site in $SITES; do
    for which in $order; do
      RUN_ID="$id/$which-r$rep" WEFT_BIN="${bin[$which]}" SITES="$site" CONCS="$CONC" REPS=1 PEERS=weft \
        "$HARNESS/run.sh" >> "$log" 2>&1 || true
      out="$HARNESS/results/$id/$which-r$rep/$site/c$CONC/weft/r1"
      [[ -f "$out/rc" ]] || die "no result in $out: see $log"
      [[ "$(cat "$out/rc")" == 0 ]] || die "${which^^} exited $(cat "$out/rc") on $site (rep $rep): $(tail -5 "$out/peer.log" 2>/dev/null)"
      [[ -s "$out/count.json" ]] || die "no count.json in $out: see $log"
      printf '[%s] %-6s %s wall=%ss %s\n' "$rep" "$site" "${which^^}" "$(cat "$out/wall_s")" "$(cut -c1-90 "$out/count.json")"
    done
  done
done

summary_rc=0
/usr/bin/python3 - "$HARNESS/results/$id" "$CONC" "$SITES" <<'PY' || summary_rc=$?
import json, os, statistics, sys
res, conc, sites = sys.argv[1], sys.argv[2], sys.argv[3].split()

def run(which, rep, site):
    d = os.path.join(res, f'{which}-r{rep}', site, f'c{conc}', 'weft', 'r1')
    t = {}
    for line in open(os.path.join(d, 'time.txt')):
        k, _, v = line.strip().rpartition(': ')
        t[k] = v
    c = json.load(open(os.path.join(d, 'count.json')))
    wall = float(open(os.path.join(d, 'wall_s')).read())
    cpu = float(t['User time (seconds)']) + float(t['System time (seconds)'])
    return dict(pages=c['pages'], gt=c['gt_pages'], coverage=c['coverage'], pps=c['pages'] / wall,
                ppc=c['pages'] / cpu if cpu else float('nan'), rss=int(t['Maximum resident set size (kbytes)']) / 1024)

reps = sorted({int(n.split('-r')[1]) for n in os.listdir(res) if '-r' in n})
incomplete = False
print(f'\nMedians over {len(reps)} runs each, [min-max]; pages = ground-truth pages fetched with 200.\n')
print('| site | binary | pages / GT | pages/s | pages/CPU-s | peak RSS MB | note |')
print('|---|---|---|---:|---:|---:|---|')
ratios = []
for site in sites:
    med = {}
    for which in ('old', 'new'):
        rs = [run(which, r, site) for r in reps]
        note = ''
        if min(r['coverage'] for r in rs) < 0.98:
            note, incomplete = 'INCOMPLETE: fewer pages, rate not comparable', True
        pps = [r['pps'] for r in rs]; ppc = [r['ppc'] for r in rs]
        med[which] = (statistics.median(pps), statistics.median(ppc))
        print(f"| {site} | {which.upper()} | {min(r['pages'] for r in rs)}-{max(r['pages'] for r in rs)} / {rs[0]['gt']} "
              f"| {med[which][0]:,.0f} [{min(pps):,.0f}-{max(pps):,.0f}] "
              f"| {med[which][1]:,.0f} [{min(ppc):,.0f}-{max(ppc):,.0f}] "
              f"| {statistics.median(r['rss'] for r in rs):.0f} | {note} |")
    ratios.append((site, med['new'][0] / med['old'][0], med['new'][1] / med['old'][1]))
print('\n| site | NEW/OLD pages/s | NEW/OLD pages/CPU-s |')
print('|---|---:|---:|')
for site, a, b in ratios:
    print(f'| {site} | {a:.3f} | {b:.3f} |')
sys.exit(1 if incomplete else 0)
PY

if [[ "$MEMORY_URLS" != 0 ]]; then
  echo
  echo "Peak memory, bench/crawl_memory.sh $MEMORY_URLS $MEMORY_PAGES $MEMORY_SECONDS:"
  declare -A rss
  for which in old new; do
    mem="$(WEFT_BIN="${bin[$which]}" "$root/bench/crawl_memory.sh" "$MEMORY_URLS" "$MEMORY_PAGES" "$MEMORY_SECONDS")" \
      || die "crawl_memory.sh failed for ${which^^} (${bin[$which]})"
    sed "s/^/${which^^} /" <<<"$mem"
    rss[$which]="$(sed -n 's/.*peak RSS *\([0-9.]*\) MB.*/\1/p' <<<"$mem" | tr '\n' ' ')"
    # A crawl stopped before it queued them all peaked lower: its figure is not comparable.
    while read -r queued; do
      if (( queued < MEMORY_URLS )); then
        echo "INCOMPLETE: ${which^^} queued $queued of $MEMORY_URLS URLs in $MEMORY_SECONDS s: raise MEMORY_SECONDS" >&2
        summary_rc=1
      fi
    done < <(sed -n 's/^.* \([0-9][0-9]*\) URLs scheduled.*/\1/p' <<<"$mem")
  done
  read -r -a o <<<"${rss[old]}"; read -r -a n <<<"${rss[new]}"
  [[ ${#o[@]} -eq 2 && ${#n[@]} -eq 2 ]] || die "crawl_memory.sh printed no peak RSS for both modes"
  printf 'NEW/OLD peak RSS: in memory %.3f, --job-dir %.3f\n' "$(bc -l <<<"${n[0]}/${o[0]}")" "$(bc -l <<<"${n[1]}/${o[1]}")"
fi
exit "$summary_rc"
