#!/usr/bin/env bash
# Fetch benchmark: each fetcher beside wrk, on the same URLs of a local nginx, in the same run.
#   bench/fetch.sh [SECONDS] [CONCURRENCIES...]     (defaults: 5 s; 1 16 64 256)
# Serves Debian's python3.11-doc HTML; prints a table of requests/s, CPU us/request and the
# ratio of each fetcher's requests/s to wrk's (wrk: the machine's ceiling).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
secs="${1:-5}"; shift || true
concs=("${@:-1 16 64 256}"); concs=(${concs[@]})

bash scripts/setup.sh
build="${WEFT_BUILD_DIR:-build/release}"   # reuse an existing optimised build with WEFT_BUILD_DIR
if [[ -z "${WEFT_BUILD_DIR:-}" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DWEFT_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$build" --target weft_fetch_bench -j "$(nproc)" >/dev/null

run="$(mktemp -d)"
trap 'scripts/local_site.sh stop "$run/site"' EXIT
docroot=/usr/share/doc/python3.11/html
base="$(scripts/local_site.sh start "$docroot" "$run/site")"
(cd "$docroot" && find . -name '*.html' | sort | sed "s#^\.#$base#") > "$run/urls.txt"
cat > "$run/cycle.lua" <<'LUA'
local paths, idx = {}, 0
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line:gsub("^https?://[^/]+", "") end
end
function request() idx = idx % #paths + 1; return wrk.format("GET", paths[idx]) end
function done(s) io.write(string.format('{"requests":%d,"seconds":%.3f}\n', s.requests, s.duration / 1e6)) end
LUA

python3 - "$run" "$base" "$secs" "$build" "${concs[@]}" <<'PY'
import json, resource, subprocess, sys
run, base, secs, build, concs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], [int(c) for c in sys.argv[5:]]

def measured(cmd, stdin=None):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, stdin=stdin, capture_output=True, text=True, check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return [json.loads(l) for l in out.splitlines() if l.startswith("{")][-1], cpu

print(f"{'concurrency':>11} {'tool':>6} {'req/s':>9} {'cpu us/req':>10} {'vs wrk':>7}")
for c in concs:
    wrk, wcpu = measured(["wrk", "-t1", f"-c{c}", f"-d{secs}s", "-s", f"{run}/cycle.lua", base + "/", "--", f"{run}/urls.txt"])
    wrate = wrk["requests"] / wrk["seconds"]
    print(f"{c:>11} {'wrk':>6} {wrate:>9.0f} {wcpu / wrk['requests'] * 1e6:>10.1f} {1:>7.2f}")
    for f in ("curl", "beast"):
        with open(f"{run}/urls.txt") as urls:
            r, _ = measured([f"{build}/bench/weft_fetch_bench", f, str(c), secs], stdin=urls)
        print(f"{c:>11} {f:>6} {r['req_per_s']:>9.0f} {r['cpu_us_per_req']:>10.1f} {r['req_per_s'] / wrate:>7.2f}"
              + (f"  ({r['errors']} errors)" if r["errors"] else ""))
    sys.stdout.flush()
PY
