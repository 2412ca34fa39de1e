#!/usr/bin/env python3
"""The examples' local bookshop: the files of this directory over HTTP on 127.0.0.1.

    python3 examples/site/serve.py [PORT]      # prints "serving http://127.0.0.1:PORT/" first

Like many real shops it sometimes answers a page with a "soft ban": status 200 and a captcha
page instead of the content. Here that is the first request for about.html (a page only
the crawls that follow every link reach), so the middleware of examples/05_middlewares.cpp
has something to retry.
"""
import functools
import http.server
import os
import sys
import threading

SOFT_BAN = b"""<!doctype html><html><head><title>Just a moment</title></head><body>
<p class="captcha">Too many requests: please complete the captcha to continue.</p></body></html>"""


class Handler(http.server.SimpleHTTPRequestHandler):
    banned_once = set()
    lock = threading.Lock()

    def do_GET(self):
        with self.lock:
            first = self.path == "/about.html" and self.path not in self.banned_once
            self.banned_once.add(self.path)
        if not first:
            return super().do_GET()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(SOFT_BAN)))
        self.end_headers()
        self.wfile.write(SOFT_BAN)

    def log_message(self, format, *args):
        pass  # quiet: the examples print what matters


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    handler = functools.partial(Handler, directory=os.path.dirname(os.path.abspath(__file__)))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    print(f"serving http://127.0.0.1:{server.server_address[1]}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
