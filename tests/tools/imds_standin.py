#!/usr/bin/env python3
"""A stand-in for the EC2 instance metadata service (IMDS), for the credential tests.

Emulates what the AWS documentation describes ("Use the Instance Metadata Service to access
instance metadata", "Retrieve security credentials from instance metadata"):
  PUT /latest/api/token       needs X-aws-ec2-metadata-token-ttl-seconds (1..21600), else 400;
                              a request carrying X-Forwarded-For is refused (403), as IMDS
                              refuses proxied token requests. The answer repeats the TTL in
                              X-aws-ec2-metadata-token-ttl-seconds and is sent with the IP
                              TTL (hop limit) set to --hop-limit (AWS default 1).
  GET  /latest/meta-data/...  with X-aws-ec2-metadata-token: the token must be one this
                              server issued and not expired, else 401. Without it: answered
                              (IMDSv1) unless --v2-only, then 401.
    iam/security-credentials/       the role name (--role)
    iam/security-credentials/ROLE   {"Code":"Success","LastUpdated","Type":"AWS-HMAC",
                                     "AccessKeyId","SecretAccessKey","Token","Expiration"}
    placement/region                --region
  --no-token makes the token PUT answer 404 (an IMDS without v2), for the v1 fallback.
  --no-role makes security-credentials/ answer 404 (no instance profile).
The keys and the expiry (--expires-in seconds) come from the command line.

--delay-ms holds each credentials answer that long (under the 1 s client timeout).

Run: imds_standin.py [options]; prints "PORT" on one line, serves on 127.0.0.1 until SIGTERM
or EOF on stdin. With --pidfile F it prints the URL instead, goes to the background, writes
its pid to F and serves until SIGTERM (for the C tests). Every request is appended to --log
as "METHOD PATH token=yes|no".
"""
import argparse
import datetime
import json
import os
import secrets
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
TOKENS = {}  # token -> expiry (monotonic)
LOCK = threading.Lock()


def iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self):
        if ARGS.log:
            with LOCK, open(ARGS.log, "a") as f:
                has = "yes" if self.headers.get("X-aws-ec2-metadata-token") else "no"
                f.write("%s %s token=%s\n" % (self.command, self.path, has))

    def reply(self, code, body, extra=None):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        self.record()
        if self.path != "/latest/api/token":
            return self.reply(404, "Not Found")
        if ARGS.no_token:
            return self.reply(404, "Not Found")
        if self.headers.get("X-Forwarded-For"):
            return self.reply(403, "Forbidden")
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "")
        if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return self.reply(400, "Bad Request")
        token = secrets.token_urlsafe(32)
        with LOCK:
            TOKENS[token] = time.monotonic() + int(ttl)
        try:
            self.connection.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ARGS.hop_limit)
        except OSError:
            pass
        self.reply(200, token, {"X-aws-ec2-metadata-token-ttl-seconds": ttl})

    def token_state(self):
        token = self.headers.get("X-aws-ec2-metadata-token")
        if token is None:
            return "none"
        with LOCK:
            exp = TOKENS.get(token)
        return "ok" if exp is not None and exp > time.monotonic() else "bad"

    def do_GET(self):
        self.record()
        state = self.token_state()
        if state == "bad" or (state == "none" and ARGS.v2_only):
            return self.reply(401, "Unauthorized")
        base = "/latest/meta-data/iam/security-credentials/"
        if self.path == base:
            if ARGS.no_role:
                return self.reply(404, "Not Found")
            return self.reply(200, ARGS.role)
        if self.path == base + ARGS.role and not ARGS.no_role:
            time.sleep(ARGS.delay_ms / 1000.0)
            now = time.time()
            doc = {"Code": "Success", "LastUpdated": iso(now), "Type": "AWS-HMAC",
                   "AccessKeyId": ARGS.key, "SecretAccessKey": ARGS.secret,
                   "Token": ARGS.session_token, "Expiration": iso(now + ARGS.expires_in)}
            return self.reply(200, json.dumps(doc))
        if self.path == "/latest/meta-data/placement/region":
            return self.reply(200, ARGS.region)
        return self.reply(404, "Not Found")


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--role", default="web-bastion")
    p.add_argument("--region", default="eu-west-1")
    p.add_argument("--key", default="ASIAIMDSSTANDIN")
    p.add_argument("--secret", default="imds-secret")
    p.add_argument("--session-token", default="imds-session-token")
    p.add_argument("--expires-in", type=int, default=6 * 3600)
    p.add_argument("--hop-limit", type=int, default=1)
    p.add_argument("--v2-only", action="store_true")
    p.add_argument("--no-token", action="store_true")
    p.add_argument("--no-role", action="store_true")
    p.add_argument("--log")
    p.add_argument("--delay-ms", type=int, default=0)
    p.add_argument("--pidfile")
    ARGS = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    if ARGS.pidfile:
        print("http://127.0.0.1:%d" % srv.server_address[1], flush=True)
        if os.fork():
            os._exit(0)
        os.setsid()
        with open(ARGS.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        srv.serve_forever()  # until SIGTERM
        return
    print(srv.server_address[1], flush=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    sys.stdin.read()  # EOF: the test is gone
    srv.shutdown()


if __name__ == "__main__":
    main()
