#!/usr/bin/python3
"""parsel (lxml) on the same pages as bench/scanner_bench.cpp.

    /usr/bin/python3 bench/peers/parsel_bench.py [dir=/usr/share/doc/python3.11/html] [rounds=3]

Debian's python3-parsel (apt-get install -y python3-parsel). Every .html/.htm file under dir is
read into memory (sorted, as weft_scanner_bench does); each case runs `rounds` times over all
pages and the median round is reported as pages per CPU-second and MB of input per CPU-second
(time.process_time, not wall time). Decoding bytes to str is part of the timed work, as encoding
detection/validation is part of weft's document::parse.

Cases:
  parse  Selector(text=...)                        (lxml HTML parse + parsel wrapper)
  links  Selector(text=...).css('a::attr(href)').getall() + urljoin + de-duplication

Prints a human-readable table and one line per case for bench/html.sh:
  RESULT <key> <pages/CPU-s> <MB/CPU-s> <median CPU-s per round> <checksum>
"""
import os
import statistics
import sys
import time
from urllib.parse import urljoin

import parsel
from parsel import Selector


def load(root):
    files = []
    for d, _, names in os.walk(root):
        for n in names:
            if n.endswith((".html", ".htm")):
                files.append(os.path.join(d, n))
    files.sort()
    pages = []
    for f in files:
        with open(f, "rb") as fh:
            # The URL a crawl of the served directory sees (as bench/scanner_bench.cpp).
            pages.append(("http://127.0.0.1:8000/" + os.path.relpath(f, root), fh.read()))
    return pages


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/doc/python3.11/html"
    rounds = max(1, int(sys.argv[2])) if len(sys.argv) > 2 else 3
    pages = load(root)
    if not pages:
        print(f"no .html files under {root}", file=sys.stderr)
        return 1
    nbytes = sum(len(b) for _, b in pages)
    print(f"parsel {parsel.__version__}: {len(pages)} pages, {nbytes / 1e6:.1f} MB, {rounds} rounds "
          "(median round, CPU time)")
    print(f"{'case':<34} {'pages/CPU-s':>12} {'MB/CPU-s':>10} {'CPU-s':>10}")

    def parse(url, body):
        sel = Selector(text=body.decode("utf-8", "replace"))
        return 1 if sel.root is not None else 0

    def links(url, body):
        sel = Selector(text=body.decode("utf-8", "replace"))
        out = dict.fromkeys(urljoin(url, h.strip()) for h in sel.css("a::attr(href)").getall())
        return len(out)

    for key, name, f in (("parsel_parse", "parsel Selector(text=) parse", parse),
                         ("parsel_links", "parsel css(a::attr(href)) + urljoin", links)):
        times = []
        sink = 0
        for _ in range(rounds):
            sink = 0
            t0 = time.process_time()
            for url, body in pages:
                sink += f(url, body)
            times.append(time.process_time() - t0)
        s = statistics.median(times)
        pps, mbs = len(pages) / s, nbytes / 1e6 / s
        print(f"{name:<34} {pps:12.1f} {mbs:10.2f} {s:10.3f}   ({sink})")
        print(f"RESULT {key} {pps:.3f} {mbs:.4f} {s:.5f} {sink}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
