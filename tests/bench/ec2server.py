#!/usr/bin/env python3
"""A fast local EC2 + STS server for benchmarks: a synthetic account as real paginated EC2 XML.

    ec2server.py serve [--enis 20000] [--seed 1] [--rtt-ms 50] [--rate 20 --burst 100]
                       [--throttle-scope action|shared|region] [--accounts 1] [--pidfile F]
        binds 127.0.0.1:0 and prints "READY http://127.0.0.1:PORT" on stdout; SIGTERM stops it.
    ec2server.py stop --pidfile F

EC2 describe calls (gen_account.Account's ten lists) honour MaxResults (clamped to the API's
largest page; omitted = everything in one answer, as EC2 does), NextToken (opaque, bound to the
action and filters; a bad one gets 400 InvalidPaginationToken), and Filter.N.Name/Value.M for
vpc-id, subnet-id, availability-zone (others: 400 InvalidParameterValue). DescribeVpcAttribute
and STS GetCallerIdentity are answered too. Signatures are not checked.

Every answer, errors included, is held back rtt_ms in its own thread (other requests go on), so
a request costs one round trip. A token bucket per action (or one shared by all, as EC2 does for
non-mutating calls) answers 503 RequestLimitExceeded when empty; rate 0 disables it.
--throttle-scope region keeps a bucket per action in each region (the SigV4 credential scope's
region) and account, as EC2 limits each account and region apart: many regions (and accounts),
all served from this one synthetic inventory, each with limits of its own.

Several accounts (--accounts N, for --org-role): an organization of the caller's account
(gen_account.ACCOUNT, the management account) and N-1 members (200000000001, ...). Emulated
after the AWS docs, as moto is too slow for a benchmark: Organizations ListAccounts (JSON 1.1,
X-Amz-Target AWSOrganizationsV20161128.ListAccounts; pages of MaxResults, at most 20, with
NextToken; errors as {"__type", "message"}), sts:AssumeRole of arn:aws:iam::MEMBER:role/NAME
(any role name; another account's role gets 403 AccessDenied), which issues temporary keys
(ASIA...) bound to that account. A request's account is its SigV4 access key's: an issued key's
account, else the management account; GetCallerIdentity answers it. Every account sees the same
synthetic inventory (so IDs repeat across accounts), and gets buckets of its own. Throttled
ListAccounts answers 400 TooManyRequestsException, as Organizations does.

Control (JSON): GET /_bench/stats -> {"requests": {action: n}, "status": {action: {code: n}},
"bytes": {action: n}, "throttled": {action: n}, "max_in_flight": n, "last_page_s": {action: s
from the first request to the list's last page}, "scope_done_s": {"account/region": s from the
first request to that scope's last answer of a list or DescribeVpcAttribute}, "account": {action: items}, "config": {...}};
POST /_bench/reset clears them; POST /_bench/config {"rtt_ms", "rate", "burst",
"throttle_scope", "save_dir"} changes the config (save_dir: write every 200 EC2 page there).
"""
import argparse
import base64
import hashlib
import http.server
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_account  # noqa: E402

CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/")
ACCESS_KEY = re.compile(r"Credential=([^/,\s]+)/")

EC2_NS = gen_account.NS
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
FILTER_NAMES = ("vpc-id", "subnet-id", "availability-zone")
VPC_ATTRIBUTES = {"enableDnsSupport": True, "enableDnsHostnames": True,
                  "enableNetworkAddressUsageMetrics": False}


class TokenBucket:
    def __init__(self, rate, burst):
        self.rate = float(rate)
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self):
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class BenchError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_xml(code, message):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>%s</Code>'
            '<Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>'
            % (code, gen_account.esc(message), uuid.uuid4())).encode()


class State:
    def __init__(self, acct, config):
        self.acct = acct
        self.vpc_ids = set(acct.vpc_ids)
        self.lock = threading.Lock()
        self.config = dict(config)
        self.filtered = {}  # (action, filter signature) -> item indexes
        self.in_flight = 0
        n = int(config.get("accounts") or 1)
        self.accounts = [gen_account.ACCOUNT] + ["2%011d" % i for i in range(1, n)]
        self.issued = {}  # access key ID from AssumeRole -> its account
        self.reset()

    def reset(self):
        with self.lock:
            self.buckets = {}
            self.stats = {"requests": {}, "status": {}, "bytes": {}, "throttled": {},
                          "max_in_flight": 0, "last_page_s": {}, "scope_done_s": {}}
            self.t0 = None
            self.saved = 0

    def set_config(self, changes):
        with self.lock:
            self.config.update(changes)
            self.buckets = {}

    def snapshot(self):
        with self.lock:
            out = json.loads(json.dumps(self.stats))
            out["config"] = dict(self.config)
            out["total_requests"] = sum(self.stats["requests"].values())
            out["account"] = {a: len(spec) for a, spec in self.acct.lists.items()}
        return out

    def count(self, table, action, amount=1, key=None):
        with self.lock:
            t = self.stats[table]
            if key is None:
                t[action] = t.get(action, 0) + amount
            else:
                sub = t.setdefault(action, {})
                sub[key] = sub.get(key, 0) + amount

    def enter(self):
        with self.lock:
            if self.t0 is None:
                self.t0 = time.monotonic()
            self.in_flight += 1
            self.stats["max_in_flight"] = max(self.stats["max_in_flight"], self.in_flight)

    def mark_last_page(self, action, scope=None):
        """Seconds from the first request since the reset to this action's last page sent;
        per scope ("account/region"), the latest such page of any action."""
        with self.lock:
            t = round(time.monotonic() - self.t0, 4)
            if action:
                self.stats["last_page_s"][action] = t
            if scope:
                by = self.stats["scope_done_s"]
                by[scope] = max(by.get(scope, 0), t)

    def leave(self):
        with self.lock:
            self.in_flight -= 1

    def admit(self, action, region=None, account=None):
        """False when the action's token bucket is empty."""
        with self.lock:
            rate = float(self.config.get("rate") or 0)
            if rate <= 0:
                return True
            scope = self.config.get("throttle_scope", "action")
            key = (account, action) if scope == "action" else \
                (account, region, action) if scope == "region" else (account, "*")
            bucket = self.buckets.get(key)
            if bucket is None:
                bucket = TokenBucket(rate, self.config.get("burst") or rate)
                self.buckets[key] = bucket
            return bucket.take()

    def indexes(self, action, spec, filters):
        """The item indexes matching the filters (AND over names, OR over values), cached."""
        sig = tuple(sorted((n, tuple(sorted(v))) for n, v in filters.items()))
        with self.lock:
            hit = self.filtered.get((action, sig))
        if hit is not None:
            return hit
        out = []
        for i, keys in enumerate(spec.keys):
            if all(keys.get(n) in vals for n, vals in filters.items()):
                out.append(i)
        with self.lock:
            self.filtered[(action, sig)] = out
        return out

    def save(self, action, body):
        d = self.config.get("save_dir")
        if not d:
            return
        with self.lock:
            self.saved += 1
            n = self.saved
        with open(os.path.join(d, "%05d-%s.xml" % (n, action)), "wb") as f:
            f.write(body)


def parse_filters(params):
    names = {}
    for key, vals in params.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "Filter" and parts[2] == "Name":
            names[parts[1]] = vals[0]
    filters = {}
    for n, name in names.items():
        values = [v[0] for k, v in params.items() if k.startswith("Filter.%s.Value." % n)]
        if name not in FILTER_NAMES:
            raise BenchError(400, "InvalidParameterValue",
                             "The filter '%s' is invalid" % name)
        filters.setdefault(name, set()).update(values)
    return filters


def make_token(action, sig, offset):
    raw = json.dumps([action[:40], sig, offset]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def read_token(token, action, sig):
    try:
        a, s, offset = json.loads(base64.urlsafe_b64decode(token.encode()))
    except Exception:
        a = s = offset = None
    if a != action[:40] or s != sig or not isinstance(offset, int) or offset < 0:
        raise BenchError(400, "InvalidPaginationToken",
                         "The pagination token is invalid or expired")
    return offset


def describe(state, action, params):
    spec = state.acct.lists[action]
    filters = parse_filters(params)
    sig = hashlib.sha1(repr(sorted((n, sorted(v)) for n, v in filters.items())).encode()) \
        .hexdigest()[:12]
    indexes = state.indexes(action, spec, filters) if filters else None
    total = len(indexes) if indexes is not None else len(spec)
    start = 0
    token = params.get("NextToken", [""])[0]
    if token:
        start = read_token(token, action, sig)
    size = total
    if spec.paged and "MaxResults" in params:
        try:
            size = int(params["MaxResults"][0])
        except ValueError:
            raise BenchError(400, "InvalidParameterValue", "MaxResults must be an integer")
        size = max(1, min(size, spec.max_results))
    end = min(total, start + size)
    next_token = make_token(action, sig, end) if end < total else None
    rid = str(uuid.uuid4())
    if indexes is None:
        return gen_account.render_page(spec, start, end - start, next_token, rid), bool(next_token)
    return gen_account.render_selected(spec, indexes[start:end], next_token, rid), bool(next_token)


def vpc_attribute(state, params):
    vpc = params.get("VpcId", [""])[0]
    attr = params.get("Attribute", [""])[0]
    if vpc not in state.vpc_ids:
        raise BenchError(400, "InvalidVpcID.NotFound", "The vpc ID '%s' does not exist" % vpc)
    if attr not in VPC_ATTRIBUTES:
        raise BenchError(400, "InvalidParameterValue", "Value (%s) for parameter attribute is "
                         "invalid. Unknown attribute." % attr)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<DescribeVpcAttributeResponse xmlns="%s">\n'
            '    <requestId>%s</requestId>\n    <vpcId>%s</vpcId>\n    <%s>\n        <value>%s'
            '</value>\n    </%s>\n</DescribeVpcAttributeResponse>\n'
            % (EC2_NS, uuid.uuid4(), vpc, attr, "true" if VPC_ATTRIBUTES[attr] else "false",
               attr)).encode()


def caller_identity(account, arn=None):
    arn = arn or "arn:aws:iam::%s:user/bench" % account
    return ('<GetCallerIdentityResponse xmlns="%s">\n  <GetCallerIdentityResult>\n'
            '    <Arn>%s</Arn>\n    <UserId>AIDAEXAMPLEBENCH0001</UserId>\n'
            '    <Account>%s</Account>\n  </GetCallerIdentityResult>\n  <ResponseMetadata>\n'
            '    <RequestId>%s</RequestId>\n  </ResponseMetadata>\n</GetCallerIdentityResponse>\n'
            % (STS_NS, gen_account.esc(arn), account, uuid.uuid4())).encode()


ROLE_ARN = re.compile(r"^arn:aws:iam::(\d{12}):role/[\w+=,.@/-]{1,128}$")


def assume_role(state, caller, params):
    """sts:AssumeRole: temporary keys of the role's account, for a member of the organization."""
    arn = (params.get("RoleArn") or [""])[0]
    m = ROLE_ARN.match(arn)
    if not m:
        raise BenchError(400, "ValidationError", "RoleArn is not a role ARN")
    target = m.group(1)
    if target not in state.accounts or target == caller:
        raise BenchError(403, "AccessDenied", "User: arn:aws:iam::%s:user/bench is not "
                         "authorized to perform: sts:AssumeRole on resource: %s" % (caller, arn))
    akid = "ASIA" + uuid.uuid4().hex[:16].upper()
    assumed = "arn:aws:sts::%s:assumed-role/%s/%s" % (
        target, arn.rsplit("/", 1)[-1], (params.get("RoleSessionName") or ["bench"])[0])
    with state.lock:
        state.issued[akid] = (target, assumed)
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    session = gen_account.esc((params.get("RoleSessionName") or ["bench"])[0])
    return ('<AssumeRoleResponse xmlns="%s">\n  <AssumeRoleResult>\n    <Credentials>\n'
            '      <AccessKeyId>%s</AccessKeyId>\n      <SecretAccessKey>%s</SecretAccessKey>\n'
            '      <SessionToken>%s</SessionToken>\n      <Expiration>%s</Expiration>\n'
            '    </Credentials>\n    <AssumedRoleUser>\n'
            '      <Arn>arn:aws:sts::%s:assumed-role/%s/%s</Arn>\n'
            '      <AssumedRoleId>AROAEXAMPLEBENCH0001:%s</AssumedRoleId>\n'
            '    </AssumedRoleUser>\n  </AssumeRoleResult>\n  <ResponseMetadata>\n'
            '    <RequestId>%s</RequestId>\n  </ResponseMetadata>\n</AssumeRoleResponse>\n'
            % (STS_NS, akid, uuid.uuid4().hex, uuid.uuid4().hex * 4, expires, target,
               gen_account.esc(arn.rsplit("/", 1)[-1]), session, session,
               uuid.uuid4())).encode()


def list_accounts(state, caller, body):
    """organizations:ListAccounts (JSON 1.1): the management account only; pages of 20."""
    if caller != gen_account.ACCOUNT:
        raise BenchError(400, "AccessDeniedException", "You don't have permissions to access "
                         "this resource.")
    try:
        req = json.loads(body or b"{}")
        start = int(req.get("NextToken") or 0)
        size = max(1, min(int(req.get("MaxResults") or 20), 20))
    except (ValueError, TypeError, AttributeError):
        raise BenchError(400, "InvalidInputException", "bad request or NextToken")
    page = state.accounts[start:start + size]
    out = {"Accounts": [{"Id": a, "Arn": "arn:aws:organizations::%s:account/o-bench/%s"
                         % (gen_account.ACCOUNT, a), "Email": "bench+%s@example.com" % a,
                         "Name": "bench-%s" % a, "State": "ACTIVE", "Status": "ACTIVE",
                         "JoinedMethod": "CREATED", "JoinedTimestamp": 1700000000.0}
                        for a in page]}
    if start + size < len(state.accounts):
        out["NextToken"] = str(start + size)
    return json.dumps(out).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AmazonEC2"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send_all(self, status, body, ctype="text/xml;charset=UTF-8"):
        # One write: headers then body in separate writes meet Nagle + delayed ACK (40 ms).
        head = ("HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
                "x-amzn-RequestId: %s\r\nServer: AmazonEC2\r\n\r\n"
                % (status, self.responses.get(status, ("",))[0], ctype, len(body),
                   uuid.uuid4())).encode()
        self.wfile.write(head + body if len(body) < 65536 else head)
        if len(body) >= 65536:
            self.wfile.write(body)

    def read_params(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        self.raw_body = body
        query = urllib.parse.urlsplit(self.path).query
        params = urllib.parse.parse_qs(query, keep_blank_values=True)
        params.update(urllib.parse.parse_qs(body.decode("utf-8", "replace"),
                                            keep_blank_values=True))
        return params

    def do_GET(self):
        if self.path.startswith("/_bench/stats"):
            self.send_all(200, json.dumps(self.server.state.snapshot()).encode(),
                          "application/json")
            return
        self.api()

    def do_POST(self):
        if self.path.startswith("/_bench/"):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            if self.path.startswith("/_bench/reset"):
                self.server.state.reset()
            elif self.path.startswith("/_bench/config"):
                self.server.state.set_config(json.loads(body or b"{}"))
            self.send_all(200, json.dumps(self.server.state.snapshot()).encode(),
                          "application/json")
            return
        self.api()

    def api(self):
        state = self.server.state
        state.enter()
        began = time.monotonic()
        try:
            params = self.read_params()
            target = self.headers.get("X-Amz-Target") or ""
            action = target.rsplit(".", 1)[-1] if target else params.get("Action", [""])[0]
            status, body, more = self.answer(state, action, params)
            state.count("requests", action)
            state.count("status", action, key=str(status))
            state.count("bytes", action, len(body))
            if status == 200 and action in state.acct.lists:
                state.save(action, body)
            wait = float(state.config.get("rtt_ms") or 0) / 1000.0 - (time.monotonic() - began)
            if wait > 0:
                time.sleep(wait)
            self.send_all(status, body, "application/x-amz-json-1.1" if target else
                          "text/xml;charset=UTF-8")
            last = status == 200 and action in state.acct.lists and not more
            if last or (status == 200 and action == "DescribeVpcAttribute"):
                m = CREDENTIAL_SCOPE.search(self.headers.get("Authorization") or "")
                state.mark_last_page(action if last else None, "%s/%s" % (
                    self.account(state)[0], m.group(1) if m else "?"))
        finally:
            state.leave()

    def account(self, state):
        """(account, assumed-role ARN or None) of the request's access key: an AssumeRole
        key's, else the caller's own account."""
        m = ACCESS_KEY.search(self.headers.get("Authorization") or "")
        with state.lock:
            return state.issued.get(m.group(1) if m else None, (gen_account.ACCOUNT, None))

    def answer(self, state, action, params):
        m = CREDENTIAL_SCOPE.search(self.headers.get("Authorization") or "")
        account, assumed = self.account(state)
        json_api = bool(self.headers.get("X-Amz-Target"))
        if not state.admit(action, m.group(1) if m else None, account):
            state.count("throttled", action)
            if json_api:
                return 400, json.dumps({"__type": "TooManyRequestsException", "message":
                                        "Too many requests"}).encode(), False
            return 503, error_xml("RequestLimitExceeded", "Request limit exceeded."), False
        try:
            if json_api and action == "ListAccounts":
                return 200, list_accounts(state, account, self.raw_body), False
            if json_api:
                raise BenchError(400, "UnknownOperationException", "unknown " + action)
            if action in state.acct.lists:
                return (200,) + describe(state, action, params)
            if action == "DescribeVpcAttribute":
                return 200, vpc_attribute(state, params), False
            if action == "GetCallerIdentity":
                return 200, caller_identity(account, assumed), False
            if action == "AssumeRole":
                return 200, assume_role(state, account, params), False
            raise BenchError(400, "InvalidAction",
                             "The action %s is not valid for this web service." % action)
        except BenchError as e:
            if json_api:
                return e.status, json.dumps({"__type": e.code, "message": e.message}).encode(), \
                    False
            return e.status, error_xml(e.code, e.message), False


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def serve(args):
    t0 = time.monotonic()
    acct = gen_account.Account(enis=args.enis, seed=args.seed)
    config = {"rtt_ms": args.rtt_ms, "rate": args.rate, "burst": args.burst,
              "throttle_scope": args.throttle_scope, "save_dir": None,
              "accounts": args.accounts}
    srv = Server(("127.0.0.1", 0), Handler)
    srv.state = State(acct, config)
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=srv.shutdown).start())
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    print("READY http://127.0.0.1:%d (generated in %.1f s)" % (srv.server_address[1],
                                                               time.monotonic() - t0), flush=True)
    try:
        srv.serve_forever(poll_interval=0.5)
    finally:
        srv.server_close()
        if args.pidfile:
            try:
                os.unlink(args.pidfile)
            except OSError:
                pass
    return 0


def stop(args):
    with open(args.pidfile) as f:
        pid = int(f.read().strip())
    os.kill(pid, signal.SIGTERM)
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--enis", type=int, default=20000)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--rtt-ms", type=float, default=50.0)
    s.add_argument("--rate", type=float, default=20.0, help="refill per second; 0 = no throttle")
    s.add_argument("--burst", type=float, default=100.0)
    s.add_argument("--throttle-scope", choices=("action", "shared", "region"),
                   default="action")
    s.add_argument("--accounts", type=int, default=1,
                   help="the caller's account and N-1 organization members")
    s.add_argument("--pidfile")
    t = sub.add_parser("stop")
    t.add_argument("--pidfile", required=True)
    args = ap.parse_args(argv)
    return serve(args) if args.cmd == "serve" else stop(args)


if __name__ == "__main__":
    sys.exit(main())
