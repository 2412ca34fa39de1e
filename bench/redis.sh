#!/usr/bin/env bash
# The crawl state on Redis: memory per URL, the single-server ceiling, and pages/s of 1, 2 and 4
# weft workers sharing one crawl, all in one run against a redis-server this script starts
# (127.0.0.1, a free port, a temporary directory; no persistence, so the disk is not measured).
#
#   bench/redis.sh [BUILD=build/rel]
#   environment: URLS=1000000 (memory)  OPS_SECONDS=10  CONNECTIONS="4 8"  BATCH=16
#                SITE=boost (a site of the peer harness, ../shared/bench; "" skips the workers)
#                WORKERS="1 2 4"  CONC=16  REPS=3
#
# Memory: used_memory before, after adding URLS requests (over 1,000 hosts), and after deleting
# the queues (what is left is the seen-set): bytes per seen URL and per pending request.
# Ceiling: weft_redis_state_bench ops (lease, fetched, complete with one item and 4 new links)
# from CONNECTIONS connections: pages/s, round trips per page, Redis CPU per page and Redis's
# share of one core (1.0: saturated).
# Workers: the link crawl of SITE by N weft processes with --frontier, per_host 64, delay 0;
# pages/s from the first start to the last exit, REPS runs each (median, min-max), plus Redis
# CPU and commands per page.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build/rel}"
die() { echo "redis.sh: $*" >&2; exit 1; }
weft="$build/framework/cli/weft"
tool="$build/bench/weft_redis_state_bench"
[[ -x "$weft" ]] || die "no weft at $weft (build it: cmake --build $build --target weft)"
[[ -x "$tool" ]] || die "no $tool (configure with -DWEFT_BUILD_BENCH=ON and build weft_redis_state_bench)"
command -v redis-server >/dev/null || die "redis-server is missing: run scripts/setup.sh"
URLS="${URLS:-1000000}"; OPS_SECONDS="${OPS_SECONDS:-10}"; CONNECTIONS="${CONNECTIONS:-4 8}"; BATCH="${BATCH:-16}"
SITE="${SITE-boost}"; WORKERS="${WORKERS:-1 2 4}"; CONC="${CONC:-16}"; REPS="${REPS:-3}"

dir="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly no --daemonize yes \
  --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
cli() { redis-cli -p "$port" "$@"; }
stop_nginx=0
cleanup() {
  cli shutdown nosave >/dev/null 2>&1 || true
  [[ $stop_nginx == 1 ]] && "$HARNESS/serve.sh" stop >/dev/null 2>&1
  rm -rf "$dir"
}
trap cleanup EXIT
for _ in $(seq 50); do cli ping >/dev/null 2>&1 && break; sleep 0.1; done
cli ping >/dev/null || die "redis-server did not start on port $port (log: $dir/redis.log)"
address="redis://127.0.0.1:$port"
info() { cli info "$1" | tr -d '\r' | awk -F: -v k="$2" '$1 == k { print $2 }'; }
cpu() { echo "$(info cpu used_cpu_user) + $(info cpu used_cpu_sys)" | bc -l; }
# Scripts run (one a round trip: every operation is one EVALSHA).
scripts() { cli info commandstats | tr -d '\r' | awk -F'[=,:]' '$1 == "cmdstat_evalsha" { print $3 }' | grep . || echo 0; }
echo "redis-server $(redis-server --version | awk '{print $3}') on $address; $(nproc) cores; $(uptime | sed 's/.*load/load/')"

# --- memory ---
if (( URLS > 0 )); then
  before=$(info memory used_memory)
  "$tool" fill "$address" mem "$URLS" >/dev/null
  full=$(info memory used_memory)
  cli --scan --pattern '{mem}:q:*' | xargs -r -n 500 redis-cli -p "$port" del >/dev/null
  seen=$(info memory used_memory)
  printf 'memory at %d URLs: %.1f bytes per seen URL, %.1f bytes per pending request (used_memory %d -> %d -> %d)\n' \
    "$URLS" "$(echo "($seen - $before) / $URLS" | bc -l)" "$(echo "($full - $seen) / $URLS" | bc -l)" "$before" "$full" "$seen"
  cli flushall >/dev/null
fi

# --- ceiling ---
for c in $CONNECTIONS; do
  "$tool" fill "$address" ops-$c 300000 >/dev/null
  cpu0=$(cpu)
  line=$("$tool" ops "$address" ops-$c "$OPS_SECONDS" "$c" "$BATCH" 4 | awk '/^RESULT/')
  cpu1=$(cpu)
  read -r _ _ pages secs calls <<<"$line"
  printf 'ceiling, %d connections, lease batch %d: %.0f pages/s, %.2f round trips a page, Redis %.0f us CPU a page, Redis at %.2f of a core\n' \
    "$c" "$BATCH" "$(echo "$pages / $secs" | bc -l)" "$(echo "$calls / $pages" | bc -l)" \
    "$(echo "($cpu1 - $cpu0) * 1000000 / $pages" | bc -l)" "$(echo "($cpu1 - $cpu0) / $secs" | bc -l)"
  cli flushall >/dev/null
done

# --- workers ---
[[ -n "$SITE" ]] || exit 0
if [[ -z "${HARNESS:-}" ]]; then
  for h in "$root/../shared/bench" "$root/../../shared/bench"; do [[ -x "$h/run.sh" ]] && { HARNESS="$h"; break; }; done
fi
[[ -n "${HARNESS:-}" ]] || die "no peer harness found for the site: set HARNESS=/path/to/shared/bench or SITE="
HARNESS="$(cd "$HARNESS" && pwd)"
source "$HARNESS/conf/sites.sh"
site_info "$SITE" || die "unknown site $SITE"
if ! "$HARNESS/serve.sh" status >/dev/null 2>&1; then "$HARNESS/serve.sh" start >/dev/null || die "nginx did not start"; stop_nginx=1; fi
# The same crawl without Redis (the local in-memory state), as the reference of this run.
local_rates=()
for rep in $(seq "$REPS"); do
  start=$(date +%s.%N)
  "$weft" crawl "$SITE_ROOT_URL" --concurrency "$CONC" --per-host 64 --delay 0 -q -o "$dir/local.jsonl" 2>"$dir/local.log" \
    || die "the local crawl failed: $(tail -3 "$dir/local.log")"
  end=$(date +%s.%N)
  local_rates+=("$(echo "$(wc -l <"$dir/local.jsonl") / ($end - $start)" | bc -l)")
done
sorted=$(printf '%s\n' "${local_rates[@]}" | sort -g)
printf 'no Redis (one process, memory state) on %s: median %.0f pages/s (%.0f-%.0f over %d runs)\n' "$SITE" \
  "$(echo "$sorted" | sed -n "$(( (REPS + 1) / 2 ))p")" "$(echo "$sorted" | head -1)" "$(echo "$sorted" | tail -1)" "$REPS"
for n in $WORKERS; do
  rates=()
  for rep in $(seq "$REPS"); do
    id="w$n-r$rep"
    cpu0=$(cpu); calls0=$(scripts)
    start=$(date +%s.%N)
    pids=()
    for w in $(seq "$n"); do
      "$weft" crawl "$SITE_ROOT_URL" --concurrency "$CONC" --per-host 64 --delay 0 --frontier "$address" \
        --crawl-id "$id" -q >"$dir/$id-$w.log" 2>&1 & pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || die "worker failed: $(tail -3 "$dir/$id-$w.log")"; done
    end=$(date +%s.%N)
    cpu1=$(cpu); calls1=$(scripts)
    done_pages=$(cli hget "{$id}:n" done)
    rate=$(echo "$done_pages / ($end - $start)" | bc -l)
    rates+=("$rate")
    printf '  %d worker(s), run %d: %d pages in %.2f s = %.0f pages/s; Redis %.0f us CPU and %.1f round trips (scripts) a page\n' \
      "$n" "$rep" "$done_pages" "$(echo "$end - $start" | bc -l)" "$rate" \
      "$(echo "($cpu1 - $cpu0) * 1000000 / $done_pages" | bc -l)" "$(echo "($calls1 - $calls0) / $done_pages" | bc -l)"
  done
  sorted=$(printf '%s\n' "${rates[@]}" | sort -g)
  printf '%d worker(s) on %s: median %.0f pages/s (%.0f-%.0f over %d runs)\n' "$n" "$SITE" \
    "$(echo "$sorted" | sed -n "$(( (REPS + 1) / 2 ))p")" "$(echo "$sorted" | head -1)" "$(echo "$sorted" | tail -1)" "$REPS"
done
