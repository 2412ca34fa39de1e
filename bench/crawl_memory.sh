#!/usr/bin/env bash
# Peak memory of a crawl that discovers N URLs (default 1,000,000) and holds them all queued.
# A local nginx serves an index of P pages (default 1,000) with N/P unique links each. Those links
# point at a second host name (localhost) whose port accepts connections but never answers, so
# only --per-host of them are ever in flight: all N are de-duplicated (seen-set) and queued
# (frontier; spilled to disk past frontier_memory_limit) while the P pages are crawled. The
# crawl is stopped with SIGINT after SECONDS (default 40; stopping is part of what is measured).
# Prints URLs scheduled, peak RSS and bytes per URL, in memory and with --job-dir.
#   bench/crawl_memory.sh [N] [P] [SECONDS]      WEFT_BUILD_DIR=build/main to reuse a build,
#                                                WEFT_BIN=/path/to/weft to measure that binary
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
urls="${1:-1000000}"; pages="${2:-1000}"; seconds="${3:-40}"; per_page=$((urls / pages))
build="${WEFT_BUILD_DIR:-$root/build/bench}"
if [[ -n "${WEFT_BIN:-}" ]]; then
  weft="$WEFT_BIN"
else
  if [[ -z "${WEFT_BUILD_DIR:-}" ]]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" --target weft_cli >/dev/null
  fi
  weft="$build/framework/cli/weft"
fi
[[ -x "$weft" ]] || { echo "crawl_memory.sh: no weft executable at $weft" >&2; exit 1; }

work="$(mktemp -d)"
cleanup() { bash "$root/scripts/local_site.sh" stop "$work/run" >/dev/null 2>&1 || true; [[ -n "${hang:-}" ]] && kill "$hang" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
# The silent host: listens, never accepts (connections wait in the backlog).
python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(4096); print(s.getsockname()[1], flush=True); time.sleep(3600)' > "$work/hang.port" &
hang=$!
for _ in $(seq 50); do [[ -s "$work/hang.port" ]] && break; sleep 0.1; done
hang_port="$(cat "$work/hang.port")"

mkdir -p "$work/site"
python3 - "$work/site" "$pages" "$per_page" "$hang_port" <<'PY'
import sys, os
root, pages, per, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
with open(os.path.join(root, "index.html"), "w") as f:
    f.write("<html><body>" + "".join(f'<a href="/p{i}.html">p{i}</a>' for i in range(pages)) + "</body></html>")
for i in range(pages):
    with open(os.path.join(root, f"p{i}.html"), "w") as f:
        f.write("<html><body>" + "".join(f'<a href="http://localhost:{port}/q/{i}/{j}.html">x</a>' for j in range(per)) + "</body></html>")
PY
base="$(bash "$root/scripts/local_site.sh" start "$work/site" "$work/run")"

measure() { # label, extra args...
  local label="$1"; shift
  rm -f "$work/stats.json"
  # --preserve-status: a crash on stopping shows as its own status, not as timeout's 124.
  /usr/bin/time -f "%M %e %U %S" -o "$work/time" timeout --preserve-status -s INT "$seconds" "$weft" crawl "$base/index.html" \
    --allow-host 127.0.0.1 --allow-host localhost -c 32 --per-host 8 --timeout 600 --retries 0 --quiet --ignore-robots \
    -o "$work/items.jsonl" --stats "$work/stats.json" "$@" 2>"$work/err" || true
  [[ -s "$work/stats.json" ]] || { echo "no stats from weft:" >&2; cat "$work/err" "$work/time" >&2; return 1; }
  [[ -n "${SHOW_STATS:-}" ]] && cat "$work/stats.json" "$work/err" >&2
  read -r rss_kb wall user sys < <(tail -1 "$work/time")
  local scheduled; scheduled=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["scheduled"])' "$work/stats.json")
  printf '%-20s %9d URLs scheduled  peak RSS %6.1f MB  %6.1f bytes/URL  %5.1f s CPU\n' \
    "$label" "$scheduled" "$(echo "$rss_kb/1024" | bc -l)" "$(echo "$rss_kb*1024/$scheduled" | bc -l)" "$(echo "$user+$sys" | bc -l)"
}
measure "in memory seen-set"
measure "--job-dir (SQLite)" --job-dir "$work/job"
