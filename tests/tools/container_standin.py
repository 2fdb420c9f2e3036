#!/usr/bin/env python3
"""A stand-in for the container credentials endpoint (ECS task roles, EKS Pod Identity).

Emulates what the AWS documentation describes ("Amazon ECS task IAM role", "EKS Pod
Identity"): GET on any path answers
  {"AccessKeyId","SecretAccessKey","Token","Expiration","RoleArn"}
when the Authorization header equals the expected token: --token, or the content of
--token-file read at each request (so a rotated file is honoured). A wrong or missing
token is 401 with {"code":"AccessDeniedException","message":...}; --token '' accepts any
request (ECS's RELATIVE_URI endpoint needs no token). The keys and the expiry come from the
command line.

Run: container_standin.py [options]; prints "PORT" on one line, serves on 127.0.0.1 until
SIGTERM or EOF on stdin. Each request is appended to --log as "GET PATH auth=ok|bad|none".
"""
import argparse
import datetime
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOCK = threading.Lock()


def expected_token():
    if ARGS.token_file:
        with open(ARGS.token_file) as f:
            return f.read().strip()
    return ARGS.token


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, doc):
        data = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        want = expected_token()
        got = self.headers.get("Authorization")
        state = "none" if got is None else ("ok" if got == want else "bad")
        if ARGS.log:
            with LOCK, open(ARGS.log, "a") as f:
                f.write("GET %s auth=%s\n" % (self.path, state))
        if want and state != "ok":
            return self.reply(401, {"code": "AccessDeniedException",
                                    "message": "Authorization header is invalid"})
        exp = datetime.datetime.fromtimestamp(time.time() + ARGS.expires_in,
                                              datetime.timezone.utc)
        self.reply(200, {"AccessKeyId": ARGS.key, "SecretAccessKey": ARGS.secret,
                         "Token": ARGS.session_token,
                         "Expiration": exp.strftime("%Y-%m-%dT%H:%M:%SZ"),
                         "RoleArn": "arn:aws:iam::123456789012:role/task"})


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--token", default="")
    p.add_argument("--token-file")
    p.add_argument("--key", default="ASIACONTAINERSTANDIN")
    p.add_argument("--secret", default="container-secret")
    p.add_argument("--session-token", default="container-session-token")
    p.add_argument("--expires-in", type=int, default=6 * 3600)
    p.add_argument("--log")
    ARGS = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    print(srv.server_address[1], flush=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    sys.stdin.read()
    srv.shutdown()


if __name__ == "__main__":
    main()
