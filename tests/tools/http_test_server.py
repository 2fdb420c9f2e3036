#!/usr/bin/env python3
"""A tiny HTTP/1.1 server for tests/unit/test_http.c.

Binds 127.0.0.1 on a free port, prints the port on one line and serves until
SIGTERM or until its stdin reaches EOF (so it never outlives a crashed test).
Paths:
  /ok?n=N&chunks=K      200, body = lines "%06d\\n" for 0..N-1, sent in K pieces
  /slow?chunks=K&ms=M   200, K pieces "slow-%d\\n" with M ms between them
  /truncated            200 announcing 1000 bytes, sends 100 and closes
  /status?code=C        status C with a small EC2-style XML error body
  /delay?ms=M&tag=T     sleeps M ms, then 200 "delayed"; counts in-flight per tag
  /gzip                 200 with a gzip-encoded body; 406 if gzip is not accepted
  /echo                 200, body = "METHOD len=N expect=E\\n" + request body
  /stats?tag=T          JSON: connections opened, requests, max in flight for T
"""
import gzip
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LOCK = threading.Lock()
STATS = {"connections": 0, "requests": 0}
INFLIGHT = {}  # tag -> [current, max]


def ok_body(n):
    return "".join("%06d\n" % i for i in range(n)).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        with LOCK:
            STATS["connections"] += 1

    def log_message(self, fmt, *args):
        pass

    def send_body(self, code, body, ctype="text/plain", extra=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def send_pieces(self, pieces, delay):
        self.send_response(200)
        self.send_header("Content-Length", str(sum(len(p) for p in pieces)))
        self.end_headers()
        self.wfile.flush()
        for p in pieces:
            self.wfile.write(p)
            self.wfile.flush()
            time.sleep(delay)

    def do_GET(self):
        self.handle_any(b"")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.handle_any(self.rfile.read(length))

    def handle_any(self, body):
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path != "/stats":
            with LOCK:
                STATS["requests"] += 1
        route = ROUTES.get(url.path)
        try:
            if route:
                route(self, q, body)
            else:
                self.send_body(404, b"no such path\n")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def r_ok(self, q, body):
        data = ok_body(int(q.get("n", "1000")))
        k = max(1, int(q.get("chunks", "4")))
        step = (len(data) + k - 1) // k
        self.send_pieces([data[i : i + step] for i in range(0, len(data), step)], 0.005)

    def r_slow(self, q, body):
        k = int(q.get("chunks", "5"))
        self.send_pieces([b"slow-%d\n" % i for i in range(k)], int(q.get("ms", "100")) / 1000)

    def r_truncated(self, q, body):
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b"x" * 100)
        self.wfile.flush()
        self.close_connection = True

    def r_status(self, q, body):
        code = int(q.get("code", "503"))
        xml = (
            b"<Response><Errors><Error><Code>Unavailable</Code><Message>try later"
            b"</Message></Error></Errors><RequestID>r-1</RequestID></Response>"
        )
        self.send_body(code, xml, "text/xml")

    def r_delay(self, q, body):
        tag = q.get("tag", "")
        with LOCK:
            slot = INFLIGHT.setdefault(tag, [0, 0])
            slot[0] += 1
            slot[1] = max(slot[1], slot[0])
        try:
            time.sleep(int(q.get("ms", "100")) / 1000)
            self.send_body(200, b"delayed")
        finally:
            with LOCK:
                slot[0] -= 1

    def r_gzip(self, q, body):
        data = ok_body(500)
        if "gzip" in self.headers.get("Accept-Encoding", ""):
            self.send_body(200, gzip.compress(data), extra={"Content-Encoding": "gzip"})
        else:
            self.send_body(406, b"client does not accept gzip\n")

    def r_echo(self, q, body):
        head = "%s len=%d expect=%s\n" % (
            self.command,
            len(body),
            self.headers.get("Expect", "-"),
        )
        self.send_body(200, head.encode() + body)

    def r_stats(self, q, body):
        with LOCK:
            out = dict(STATS)
            out["max_inflight"] = INFLIGHT.get(q.get("tag", ""), [0, 0])[1]
        self.send_body(200, json.dumps(out).encode(), "application/json")


ROUTES = {
    "/ok": Handler.r_ok,
    "/slow": Handler.r_slow,
    "/truncated": Handler.r_truncated,
    "/status": Handler.r_status,
    "/delay": Handler.r_delay,
    "/gzip": Handler.r_gzip,
    "/echo": Handler.r_echo,
    "/stats": Handler.r_stats,
}


def exit_on_stdin_eof():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=exit_on_stdin_eof, daemon=True).start()
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
