#!/usr/bin/env bash
# Items per second into PostgreSQL beside JSON lines, for the same crawl of a peer-harness site
# (nginx on 127.0.0.1, ../shared/bench), against a PostgreSQL 15 this script starts (initdb in a
# temporary directory, a free port, fsync on: the disk is measured as a real output would be).
#
#   bench/postgres.sh [BUILD=build/rel]
#   environment: SITE=python (a site of the peer harness)  CONC=16  REPS=3  WITH_JOB=1 (also --job-dir runs)
#
# Items/s = rows (or lines) written / wall time of `weft crawl` from start to exit; median and
# min-max over REPS runs each. Every run writes into a fresh table (?table=run_N).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build/rel}"
die() { echo "postgres.sh: $*" >&2; exit 1; }
weft="$build/framework/cli/weft"
[[ -x "$weft" ]] || die "no weft at $weft (build it: cmake --build $build --target weft)"
bin=/usr/lib/postgresql/15/bin
[[ -x "$bin/postgres" ]] || die "PostgreSQL 15 is missing: run scripts/setup.sh"
SITE="${SITE:-python}"; CONC="${CONC:-16}"; REPS="${REPS:-3}"; WITH_JOB="${WITH_JOB:-1}"

dir="$(mktemp -d)"
as_pg=()
if [[ $(id -u) == 0 ]]; then chown postgres "$dir"; as_pg=(runuser -u postgres --); fi
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
stop_nginx=0
cleanup() {
  "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  [[ $stop_nginx == 1 ]] && "$HARNESS/serve.sh" stop >/dev/null 2>&1
  rm -rf "$dir"
}
trap cleanup EXIT
"${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null || die "postgres did not start ($dir/server.log)"
psql() { "${as_pg[@]}" "$bin/psql" -X -q -At -h "$dir" -p "$port" -U postgres -d postgres -c "$1"; }

if [[ -z "${HARNESS:-}" ]]; then
  for h in "$root/../shared/bench" "$root/../../shared/bench"; do [[ -x "$h/run.sh" ]] && { HARNESS="$h"; break; }; done
fi
[[ -n "${HARNESS:-}" ]] || die "no peer harness found for the site: set HARNESS=/path/to/shared/bench"
HARNESS="$(cd "$HARNESS" && pwd)"
source "$HARNESS/conf/sites.sh"
site_info "$SITE" || die "unknown site $SITE"
if ! "$HARNESS/serve.sh" status >/dev/null 2>&1; then "$HARNESS/serve.sh" start >/dev/null || die "nginx did not start"; stop_nginx=1; fi
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port; $(nproc) cores; $(uptime | sed 's/.*load/load/')"

run_n=0
# measure LABEL OUTPUT-KIND [extra weft args]: prints the median and spread of items/s.
measure() {
  local label="$1" kind="$2"; shift 2
  local rates=()
  for rep in $(seq "$REPS"); do
    run_n=$((run_n + 1))
    local out count
    rm -rf "$dir/job"
    if [[ $kind == jsonl ]]; then out="$dir/run.jsonl"; else out="postgresql://postgres@127.0.0.1:$port/postgres?table=run_$run_n"; fi
    local start end
    start=$(date +%s.%N)
    "$weft" crawl "$SITE_ROOT_URL" --concurrency "$CONC" --per-host 64 --delay 0 -q -o "$out" "$@" 2>"$dir/weft.log" \
      || die "$label: the crawl failed: $(tail -3 "$dir/weft.log")"
    end=$(date +%s.%N)
    if [[ $kind == jsonl ]]; then count=$(wc -l <"$out"); else count=$(psql "SELECT count(*) FROM run_$run_n"); fi
    rates+=("$(echo "$count / ($end - $start)" | bc -l)")
  done
  local sorted
  sorted=$(printf '%s\n' "${rates[@]}" | sort -g)
  printf '%-28s %6d items  median %6.0f items/s  (%.0f-%.0f over %d runs)\n' "$label" "$count" \
    "$(echo "$sorted" | sed -n "$(( (REPS + 1) / 2 ))p")" "$(echo "$sorted" | head -1)" "$(echo "$sorted" | tail -1)" "$REPS"
}
measure "JSON lines" jsonl
measure "PostgreSQL" pg
if [[ $WITH_JOB == 1 ]]; then
  measure "JSON lines, --job-dir" jsonl --job-dir "$dir/job"
  measure "PostgreSQL, --job-dir" pg --job-dir "$dir/job"
fi
