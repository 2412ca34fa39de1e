#!/usr/bin/env bash
# Runs the programs of examples/ (built against an installed weft) on the examples' local shop
# (examples/site/serve.py) and checks what each one produced; fails on the first wrong answer.
#   scripts/run_examples.sh EXAMPLES_BUILD_DIR WEFT_PREFIX
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$(cd "$1" && pwd)" prefix="$(cd "$2" && pwd)"
work="$(mktemp -d)"
server_log="$work/server.out"
python3 "$root/examples/site/serve.py" > "$server_log" 2>&1 &
server=$!
# WEFT_KEEP_EXAMPLES_OUTPUT=1 keeps the outputs (the path is said at the end).
trap 'kill $server 2>/dev/null || true; [[ -n "${WEFT_KEEP_EXAMPLES_OUTPUT:-}" ]] || rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q serving "$server_log" && break; sleep 0.1; done
base="$(sed -n 's/^serving //p' "$server_log")"
[[ -n "$base" ]] || { echo "run_examples: the examples' site did not start: $(cat "$server_log")" >&2; exit 1; }

check() { # what, python expression over `items` (the JSON lines of $out)
  python3 - "$out" "$1" "$2" <<'PY'
import json, sys
path, what, expr = sys.argv[1:4]
items = [json.loads(l) for l in open(path, encoding="utf-8")]
if not eval(expr):
    sys.exit(f"run_examples: {what}: failed `{expr}` on {json.dumps(items, indent=1)}")
PY
}

out="$work/books.jsonl"
"$bin/weft_example_03_books_spider" "${base}index.html" "$out" 2> "$work/03.err" || { cat "$work/03.err"; exit 1; }
check "03 books spider" 'len(items) == 6 and all(isinstance(i["price"], float) for i in items)'

out="$work/pipelines.jsonl"
"$bin/weft_example_04_item_pipelines" "${base}index.html" "$out" 2> "$work/04.err" || { cat "$work/04.err"; exit 1; }
check "04 item pipelines" 'sorted(i["isbn"] for i in items) == sorted(["9780060513061", "9780571195527", "9782081354807", "9780307341556", "9780062316097"]) and {i["title"]: i["in_stock"] for i in items}["Sapiens"] == 12 and all(i["currency"] == "GBP" for i in items)'
grep -q "dropped 2" "$work/04.err" || { echo "run_examples: 04 should say 2 items dropped:"; cat "$work/04.err"; exit 1; } >&2

out="$work/site.jsonl"
"$bin/weft_example_05_middlewares" "${base}index.html" "$out" 2> "$work/05.err" || { cat "$work/05.err"; exit 1; }
check "05 middlewares" 'len(items) == 10 and "About the shop" in [i["title"] for i in items] and all("found_on" in i for i in items if i["depth"] > 0) and not any("admin" in i["url"] for i in items)'
grep -q "soft_bans=1" "$work/05.err" || { echo "run_examples: 05 should count one soft ban:"; cat "$work/05.err"; exit 1; } >&2

printf '%s\n' "${base}book1.html" "${base}stock/9780062316097.json" | "$bin/weft_example_01_download_many" "$work/mirror" 2 > "$work/01.out" 2>&1
copy="$(find "$work/mirror" -name book1.html)"
[[ -n "$copy" ]] && cmp "$root/examples/site/book1.html" "$copy" || { echo "run_examples: 01 did not mirror book1.html" >&2; exit 1; }
[[ -n "$(find "$work/mirror" -name 9780062316097.json)" ]] || { echo "run_examples: 01 did not download the JSON" >&2; exit 1; }

"$bin/weft_example_02_browser_login" > "$work/02.out" 2> "$work/02.err" || { cat "$work/02.err"; exit 1; } >&2
grep -q "Welcome ada: 2 orders" "$work/02.out" || { echo "run_examples: 02 did not log in:"; cat "$work/02.out" "$work/02.err"; exit 1; } >&2

"$prefix/bin/weft" crawl "${base}index.html" --plugin "$bin/weft_sink_xml.so" -o "$work/items.xml" -q
python3 - "$work/items.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
items = ET.parse(sys.argv[1]).getroot().findall("item")
urls = [i.findtext("url") for i in items]
if len(items) != 10 or not any(u.endswith("/book5.html") for u in urls):
    sys.exit(f"run_examples: the XML sink plugin wrote {len(items)} items: {urls}")
PY
echo "== examples 01 to 05 and the sink_xml plugin ran on the examples' site${WEFT_KEEP_EXAMPLES_OUTPUT:+ (outputs in $work)}" >&2
