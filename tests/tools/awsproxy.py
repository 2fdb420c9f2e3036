#!/usr/bin/env python3
"""A threaded HTTP proxy in front of moto that behaves like EC2 where moto does not.

    awsproxy.py serve --upstream URL [--config F.json]   # foreground; prints "READY <url>"
    awsproxy.py start --upstream URL --pidfile F [--config F.json]   # prints the URL
    awsproxy.py stop --pidfile F
    with AwsProxy(upstream, config) as proxy: proxy.url, proxy.set_config({...}), proxy.stats()

It binds 127.0.0.1:0 itself (no port race) and forwards every request to the upstream with its
headers (Authorization and Host kept, so moto routes by the credential scope).

Behaviour, all set by one JSON config (file, or POST /_proxy/config; GET shows it):
  "paging": {"enabled": true, "cap": 50}
      For the actions in PAGED: enforce AWS's MaxResults bounds (InvalidParameterValue), fetch
      moto's full answer (MaxResults/NextToken removed from the forwarded body: this breaks
      SigV4, so use paging with a moto that does not check signatures), serve pages of
      min(MaxResults or 1000, cap) items with an opaque <nextToken>. Unknown tokens get
      InvalidPaginationToken. Tokens stay valid (a retried page request works).
  "dry_run": true       DryRun=true -> 412 DryRunOperation without forwarding.
  "faults": {"<Action>|*": [{"kind": K, "nth": [1, 2]} | {"kind": K, "from": 3, "count": 2}
                           | {"kind": K, "always": true}, ...]}
      N counts the requests for that action since the config was set (1-based, retries count).
      A JSON-protocol request (X-Amz-Target, e.g. Organizations' ListAccounts) is named by the
      target's operation and gets its errors as that protocol sends them: throttle is 400
      TooManyRequestsException, internal 500 ServiceException, auth UnrecognizedClientException.
      K: throttle (503 RequestLimitExceeded), internal (500 InternalError), drop (close the
      socket without an answer), slow (real answer in "chunk" bytes every "delay" s), truncate
      (Content-Length larger than what is sent, then close), malformed (200, XML cut short),
      expired (400 RequestExpired), html500 (moto-like HTML 500 page), auth (401 AuthFailure),
      unauthorized (403 UnauthorizedOperation with an encoded message, as AWS answers a DryRun
      or a call the caller lacks permission for; match the DryRun with "nth": [1]),
      drop_after (forward to moto, let it act, then close the socket without answering: the
      client sees a lost connection although the change was made), blank_access_key (forward,
      then answer with every <AccessKeyId> emptied: an AssumeRole answer that carries no key),
      answer (reply "status" (default 200) with "body" verbatim, for answers moto never gives,
      e.g. an Unsuccessful item of DeleteVpcEndpoints), gzip_bomb (200, Content-Encoding: gzip,
      an answer for the action that decodes to "mib" MiB (default 300) from a few hundred KB:
      "fill": "space" (default) is one item, then blank text in an element EC2 never sends;
      "items" repeats one small item, as a page far larger than any MaxResults allows),
      big_item (forward, then pad the first item of the answer's list with "kib" KiB (default
      1536) of small elements EC2 never sends: an item larger than any real one).
  "idempotency": true   (default) CreateVpcEndpoint with a ClientToken is idempotent as in AWS,
      which moto does not emulate (moto 5.2.1 ignores ClientToken): the first successful answer
      per token is remembered and replayed for a repeat with the same parameters; different
      parameters get 400 IdempotentParameterMismatch.
  "deny_regions": {"<region>": K}
      Every request whose SigV4 credential scope (Authorization: Credential=KEY/DATE/REGION/
      SERVICE/aws4_request) or Host (SERVICE.REGION.amazonaws.com) names that region gets the
      error of fault kind K (e.g. "unauthorized": 403 UnauthorizedOperation, as an SCP that
      denies a region answers; "auth": 401 AuthFailure, as a region not opted in answers),
      without reaching moto; counted in stats "regions_denied".
  "deny_roles": ["<role ARN>", ...]
      sts:AssumeRole of that RoleArn gets 403 AccessDenied naming the role, as STS answers when
      the role's trust policy does not trust the caller (moto assumes any role); counted in
      stats "roles_denied".
  "rate_limit": {"<Action>|*": {"rate": R, "burst": B}}
      A token bucket per action: an empty bucket -> 503 RequestLimitExceeded.

GET /_proxy/stats: {"requests": {action: n}, "status": {action: {code: n}}, "faults": {action:
{kind: n}}, "pages": {action: n}, "max_results": {action: [values]}, "tokens_issued": {action:
n}, "tokens_redeemed": {action: n}, "final_pages": {action: n}, "dry_run": {action: n},
"idempotent_replays": {action: n}, "bodies": {action: [sha256 of each mutating request body]}}.
POST /_proxy/reset clears the stats and the per-action counters.
"""
import argparse
import base64
import hashlib
import http.client
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET
import zlib

# action -> (list elements to page in parallel, MaxResults min, max, error when above max?)
PAGED = {
    "DescribeVpcs": (["vpcSet"], 5, 1000, True),
    "DescribeSubnets": (["subnetSet"], 5, 1000, True),
    "DescribeVpcEndpoints": (["vpcEndpointSet"], 1, 1000, False),
    "DescribeNetworkInterfaces": (["networkInterfaceSet"], 5, 1000, True),
    "DescribeSecurityGroups": (["securityGroupInfo"], 5, 1000, True),
    "DescribeRouteTables": (["routeTableSet"], 5, 100, True),
    "DescribeNetworkAcls": (["networkAclSet"], 5, 1000, True),
    "DescribePrefixLists": (["prefixListSet"], 1, 1000, False),
    "DescribeFlowLogs": (["flowLogSet"], 1, 1000, False),
    "DescribeVpcEndpointServices": (["serviceDetailSet", "serviceNameSet"], 1, 1000, False),
}
DEFAULT_PAGE = 1000
HOP_HEADERS = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
               "trailer", "upgrade", "proxy-authorization", "proxy-authenticate", "expect",
               "content-length"}
DEFAULT_CONFIG = {"paging": {"enabled": False, "cap": None}, "dry_run": True, "faults": {},
                  "rate_limit": {}, "idempotency": True, "deny_regions": {}, "deny_roles": []}
CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/[a-z0-9-]+/aws4_request")
HOST_REGION = re.compile(r"^[a-z0-9-]+\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com")
MUTATING = ("CreateVpcEndpoint", "ModifyVpcEndpoint", "DeleteVpcEndpoints")
# Parameters that do not take part in the ClientToken comparison.
NOT_IDEMPOTENCY_PARAMS = ("Action", "Version", "ClientToken", "DryRun")

FAULT_ERRORS = {
    "throttle": (503, "RequestLimitExceeded", "Request limit exceeded."),
    "internal": (500, "InternalError", "An internal error has occurred"),
    "expired": (400, "RequestExpired", "Request has expired."),
    "auth": (401, "AuthFailure",
             "AWS was not able to validate the provided access credentials"),
    "unauthorized": (403, "UnauthorizedOperation",
                     "You are not authorized to perform this operation. Encoded authorization "
                     "failure message: vpcx-test-encoded-message"),
}
# The same faults as a JSON-protocol service (Organizations) answers them: {"__type", "message"}.
JSON_FAULT_ERRORS = {
    "throttle": (400, "TooManyRequestsException",
                 "AWS Organizations can't complete your request because another request is "
                 "already in progress."),
    "internal": (500, "ServiceException", "AWS Organizations can't complete your request "
                 "because of an internal service error."),
    "auth": (400, "UnrecognizedClientException", "The security token included in the request "
             "is invalid."),
}
HTML_500 = (b"<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
            b"<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and "
            b"was unable to complete your request. Either the server is overloaded or there is "
            b"an error in the application.</p>\n")


# The list element and an item's ID element of the answers gzip_bomb imitates.
BOMB_LISTS = {
    "DescribeVpcs": ("vpcSet", "vpcId", "vpc"),
    "DescribeSubnets": ("subnetSet", "subnetId", "subnet"),
    "DescribeNetworkInterfaces": ("networkInterfaceSet", "networkInterfaceId", "eni"),
    "DescribeSecurityGroups": ("securityGroupInfo", "groupId", "sg"),
    "DescribeRouteTables": ("routeTableSet", "routeTableId", "rtb"),
    "DescribeNetworkAcls": ("networkAclSet", "networkAclId", "acl"),
    "DescribeVpcEndpoints": ("vpcEndpointSet", "vpcEndpointId", "vpce"),
}
EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"
_BOMBS = {}
_BOMBS_LOCK = threading.Lock()


def gzip_bomb(action, mib, fill):
    """A gzip stream of an EC2 answer for action that decodes to about mib MiB (cached)."""
    key = (action, mib, fill)
    with _BOMBS_LOCK:
        if key in _BOMBS:
            return _BOMBS[key]
        lst, id_el, prefix = BOMB_LISTS.get(action, ("vpcSet", "vpcId", "vpc"))
        z = zlib.compressobj(9, zlib.DEFLATED, 31)
        out = [z.compress(('<?xml version="1.0" encoding="UTF-8"?>\n<%sResponse xmlns="%s">'
                           "<requestId>%s</requestId><%s>" % (action, EC2_NS, uuid.uuid4(), lst))
                          .encode())]
        item = ("<item><%s>%s-0bomb</%s></item>" % (id_el, prefix, id_el)).encode()
        if fill == "items":
            chunk = item * ((1 << 20) // len(item))
            tail = "</%s></%sResponse>" % (lst, action)
        else:
            out.append(z.compress(item + ("</%s><vpcxPadding>" % lst).encode()))
            chunk = b" " * (1 << 20)
            tail = "</vpcxPadding></%sResponse>" % action
        for _ in range(int(mib)):
            out.append(z.compress(chunk))
        out.append(z.compress(tail.encode()))
        out.append(z.flush())
        _BOMBS[key] = b"".join(out)
        return _BOMBS[key]


def pad_first_item(data, kib):
    """data with kib KiB of <vpcxPad> elements inside the first <item> of its list."""
    m = re.search(rb"<(\w+(?:Set|Info))>\s*<item>", data)
    if not m:
        return data
    pad = b"<vpcxPad>" + b"<p>x</p>" * (int(kib) * 1024 // 8) + b"</vpcxPad>"
    return data[:m.end()] + pad + data[m.end():]


def error_xml(code, message):
    """The EC2 error document, as AWS sends it."""
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>%s"
            "</Code><Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>"
            % (code, xml_escape(message), uuid.uuid4())).encode()


def xml_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def local(tag):
    return tag.rsplit("}", 1)[-1]


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


class State:
    """Config, counters, paging tokens and stats, shared by the handler threads."""

    def __init__(self, upstream, config=None):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.lock = threading.Lock()
        self.tokens = {}
        self.client_tokens = {}  # ClientToken -> (params, status, headers, body)
        self.set_config(config or {})

    def set_config(self, config):
        merged = json.loads(json.dumps(DEFAULT_CONFIG))
        for key, value in config.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key].update(value)
            else:
                merged[key] = value
        with self.lock:
            self.config = merged
            self.counters = {}
            self.buckets = {}
        self.reset_stats()

    def reset_stats(self):
        with self.lock:
            self.counters = {}
            self.stats = {k: {} for k in ("requests", "status", "faults", "pages", "max_results",
                                         "tokens_issued", "tokens_redeemed", "final_pages",
                                         "dry_run", "idempotent_replays", "bodies",
                                         "regions_denied", "roles_denied")}

    def bump(self, table, action, key=None, amount=1):
        with self.lock:
            if key is None:
                self.stats[table][action] = self.stats[table].get(action, 0) + amount
            else:
                sub = self.stats[table].setdefault(action, {})
                sub[str(key)] = sub.get(str(key), 0) + amount

    def count_request(self, action):
        """This request's 1-based number for its action."""
        with self.lock:
            n = self.counters.get(action, 0) + 1
            self.counters[action] = n
            self.stats["requests"][action] = self.stats["requests"].get(action, 0) + 1
        return n

    def fault_for(self, action, n):
        for key in (action, "*"):
            for rule in self.config["faults"].get(key, []):
                if rule_matches(rule, n):
                    return rule
        return None

    def rate_limited(self, action):
        limits = self.config.get("rate_limit") or {}
        spec = limits.get(action) or limits.get("*")
        if not spec:
            return False
        with self.lock:
            bucket = self.buckets.get(action)
            if bucket is None:
                bucket = TokenBucket(spec.get("rate", 1), spec.get("burst", spec.get("rate", 1)))
                self.buckets[action] = bucket
            return not bucket.take()

    def new_token(self, action, page_data):
        token = base64.urlsafe_b64encode(uuid.uuid4().bytes * 2).decode().rstrip("=")
        with self.lock:
            self.tokens[token] = (action, page_data)
        self.bump("tokens_issued", action)
        return token

    def get_token(self, token):
        with self.lock:
            return self.tokens.get(token)

    def snapshot(self):
        with self.lock:
            return json.loads(json.dumps(self.stats))


def rule_matches(rule, n):
    if rule.get("always"):
        return True
    if n in rule.get("nth", []):
        return True
    start = rule.get("from")
    if start is not None:
        return start <= n < start + rule.get("count", 1 << 30)
    return False


class Page:
    """Moto's full answer for a paged action, cut into pages on demand."""

    def __init__(self, root, lists, size):
        self.root = root
        self.lists = lists
        self.size = size
        self.items = {name: list(elem) for name, elem in lists.items()}

    def render(self, start, token):
        for name, elem in self.lists.items():
            for child in list(elem):
                elem.remove(child)
            for child in self.items[name][start:start + self.size]:
                elem.append(child)
        for child in list(self.root):
            if local(child.tag) == "nextToken":
                self.root.remove(child)
        if token:
            nt = ET.SubElement(self.root, self.root.tag.replace(local(self.root.tag),
                                                                 "nextToken"))
            nt.text = token
        tag = self.root.tag
        ns = tag[1:tag.index("}")] if tag.startswith("{") else None
        return b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + ET.tostring(
            self.root, encoding="utf-8", xml_declaration=False, default_namespace=ns)

    def total(self):
        return max(len(v) for v in self.items.values()) if self.items else 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None  # set on the server's subclass

    def log_message(self, fmt, *args):  # quiet; stats tell the story
        pass

    # ---- plumbing ----
    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send_plain(self, status, body, ctype="text/xml;charset=UTF-8", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, obj, status=200):
        self.send_plain(status, json.dumps(obj, indent=1).encode(), "application/json")

    def hang_up(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def upstream(self):
        conn = getattr(self, "_upconn", None)
        if conn is None:
            up = self.state.upstream
            conn = http.client.HTTPConnection(up.hostname, up.port or 80, timeout=120)
            self._upconn = conn
        return conn

    def forward(self, method, path, body):
        """Send to the upstream; returns (status, headers list, body). One retry on a stale
        keep-alive connection."""
        for attempt in (1, 2):
            conn = self.upstream()
            try:
                conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
                for k, v in self.headers.items():
                    if k.lower() not in HOP_HEADERS:
                        conn.putheader(k, v)
                conn.putheader("Content-Length", str(len(body)))
                conn.endheaders(body)
                resp = conn.getresponse()
                data = resp.read()
                return resp.status, resp.getheaders(), data
            except (http.client.HTTPException, OSError):
                conn.close()
                self._upconn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    # ---- entry points ----
    def do_GET(self):
        if self.path.startswith("/_proxy/"):
            return self.control("GET")
        return self.ec2("GET", b"")

    def do_POST(self):
        body = self.read_body()
        if self.path.startswith("/_proxy/"):
            return self.control("POST", body)
        return self.ec2("POST", body)

    def control(self, method, body=b""):
        path = self.path.split("?")[0]
        if path == "/_proxy/stats":
            return self.send_json(self.state.snapshot())
        if path == "/_proxy/config" and method == "GET":
            return self.send_json(self.state.config)
        if path == "/_proxy/config" and method == "POST":
            try:
                self.state.set_config(json.loads(body or b"{}"))
            except (ValueError, AttributeError) as exc:
                return self.send_json({"error": str(exc)}, 400)
            return self.send_json(self.state.config)
        if path == "/_proxy/reset" and method == "POST":
            self.state.reset_stats()
            return self.send_json({"ok": True})
        return self.send_json({"error": "unknown control path"}, 404)

    def ec2(self, method, body):
        query = urllib.parse.urlsplit(self.path).query
        raw = body.decode("utf-8", "replace") if method == "POST" else query
        params = urllib.parse.parse_qs(raw, keep_blank_values=True)
        action = (params.get("Action") or ["<none>"])[0]
        target = self.headers.get("X-Amz-Target")
        if target:  # JSON protocol (Organizations): the operation is the target's suffix
            action = target.rsplit(".", 1)[-1]
        denied = (self.state.config.get("deny_regions") or {}).get(self.request_region())
        if denied:
            self.state.bump("regions_denied", self.request_region(), action)
            return self.send_error_doc(action, *FAULT_ERRORS[denied])
        role = (params.get("RoleArn") or [""])[0]
        if action == "AssumeRole" and role in (self.state.config.get("deny_roles") or []):
            self.state.bump("roles_denied", role, action)
            return self.send_error_doc(
                action, 403, "AccessDenied",
                "User: arn:aws:iam::123456789012:user/moto is not authorized to perform: "
                "sts:AssumeRole on resource: %s" % role)
        n = self.state.count_request(action)
        rule = self.state.fault_for(action, n)
        if action in MUTATING:
            with self.state.lock:
                self.state.stats["bodies"].setdefault(action, []).append(
                    hashlib.sha256(body).hexdigest())
        if rule and rule["kind"] not in ("slow", "truncate", "malformed", "drop_after",
                                         "blank_access_key", "big_item"):
            return self.apply_fault(action, rule)
        if self.state.rate_limited(action):
            self.state.bump("faults", action, "rate_limit")
            return self.send_error_doc(action, *FAULT_ERRORS["throttle"])
        if self.state.config.get("dry_run") and \
                (params.get("DryRun") or [""])[0].lower() == "true":
            self.state.bump("dry_run", action)
            return self.send_error_doc(action, 412, "DryRunOperation",
                                       "Request would have succeeded, but DryRun flag is set.")
        paging = self.state.config.get("paging") or {}
        if paging.get("enabled") and action in PAGED and method == "POST":
            return self.paged(action, params, rule)
        token = (params.get("ClientToken") or [None])[0]
        if token and action == "CreateVpcEndpoint" and self.state.config.get("idempotency"):
            return self.idempotent(action, method, body, params, token, rule)
        status, headers, data = self.forward(method, self.path, body)
        return self.reply(action, status, headers, data, rule)

    def request_region(self):
        """The region a request is for: its SigV4 credential scope, else its Host."""
        m = CREDENTIAL_SCOPE.search(self.headers.get("Authorization") or "")
        if m:
            return m.group(1)
        m = HOST_REGION.match(self.headers.get("Host") or "")
        return m.group(1) if m else None

    def idempotent(self, action, method, body, params, token, rule):
        """AWS's ClientToken contract, which moto lacks: one create per token."""
        key = sorted((k, v) for k, v in params.items() if k not in NOT_IDEMPOTENCY_PARAMS)
        with self.state.lock:
            seen = self.state.client_tokens.get(token)
        if seen is not None:
            if seen[0] != key:
                return self.send_error_doc(action, 400, "IdempotentParameterMismatch",
                                           "The client token %s was already used with other "
                                           "parameters." % token)
            self.state.bump("idempotent_replays", action)
            return self.reply(action, seen[1], seen[2], seen[3], rule)
        status, headers, data = self.forward(method, self.path, body)
        if status == 200:
            with self.state.lock:
                self.state.client_tokens[token] = (key, status, headers, data)
        return self.reply(action, status, headers, data, rule)

    # ---- answers ----
    def send_error_doc(self, action, status, code, message):
        self.state.bump("status", action, status)
        if self.headers.get("X-Amz-Target"):
            body = json.dumps({"__type": code, "message": message}).encode()
            return self.send_plain(status, body, "application/x-amz-json-1.1")
        self.send_plain(status, error_xml(code, message))

    def reply(self, action, status, headers, data, rule=None):
        self.state.bump("status", action, status)
        kind = rule["kind"] if rule else None
        if kind:
            self.state.bump("faults", action, kind)
        if kind == "drop_after":  # moto acted; the client never hears of it
            self.state.bump("status", action, "dropped_after")
            return self.hang_up()
        if kind == "malformed":
            data = data[: max(1, len(data) // 2)]
        if kind == "blank_access_key":
            data = re.sub(rb"<AccessKeyId>[^<]*</AccessKeyId>", b"<AccessKeyId/>", data)
        if kind == "big_item":
            data = pad_first_item(data, rule.get("kib", 1536))
        self.send_response(status)
        for k, v in headers:
            if k.lower() not in HOP_HEADERS and k.lower() not in ("server", "date"):
                self.send_header(k, v)
        if kind == "truncate":
            self.send_header("Content-Length", str(len(data) + 1000))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            return self.hang_up()
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if kind == "slow":
            return self.dribble(data, int(rule.get("chunk", 512)), float(rule.get("delay", 0.2)))
        self.wfile.write(data)

    def dribble(self, data, chunk, delay):
        for i in range(0, len(data), chunk):
            self.wfile.write(data[i:i + chunk])
            self.wfile.flush()
            if i + chunk < len(data):
                time.sleep(delay)

    def apply_fault(self, action, rule):
        kind = rule["kind"]
        self.state.bump("faults", action, kind)
        if kind == "drop":
            self.state.bump("status", action, "dropped")
            return self.hang_up()
        if kind == "html500":
            self.state.bump("status", action, 500)
            return self.send_plain(500, HTML_500, "text/html; charset=utf-8")
        if kind == "gzip_bomb":
            self.state.bump("status", action, 200)
            body = gzip_bomb(action, rule.get("mib", 300), rule.get("fill", "space"))
            return self.send_plain(200, body, extra={"Content-Encoding": "gzip"})
        if kind == "answer":
            status = int(rule.get("status", 200))
            self.state.bump("status", action, status)
            return self.send_plain(status, rule.get("body", "").encode("utf-8"))
        if self.headers.get("X-Amz-Target") and kind in JSON_FAULT_ERRORS:
            return self.send_error_doc(action, *JSON_FAULT_ERRORS[kind])
        if kind in FAULT_ERRORS:
            return self.send_error_doc(action, *FAULT_ERRORS[kind])
        return self.send_error_doc(action, 500, "InternalError", "unknown fault " + kind)

    # ---- paging ----
    def paged(self, action, params, rule):
        lists, lo, hi, strict = PAGED[action]
        max_results = (params.get("MaxResults") or [None])[0]
        size = DEFAULT_PAGE
        if max_results is not None:
            self.state.bump("max_results", action, max_results)
            problem = check_max_results(max_results, lo, hi, strict)
            if problem:
                return self.send_error_doc(action, 400, "InvalidParameterValue", problem)
            size = min(int(max_results), hi)
        cap = (self.state.config.get("paging") or {}).get("cap")
        if cap:
            size = min(size, int(cap))
        token = (params.get("NextToken") or [None])[0]
        if token:
            return self.next_page(action, token, rule)
        status, headers, page = self.fetch_all(action, params, lists, size)
        if page is None:  # an error from moto: pass it on
            return self.reply(action, status, headers, self._last_body, rule)
        return self.serve_page(action, headers, page, 0, rule)

    def fetch_all(self, action, params, lists, size):
        """moto's answer with every item (following moto's own nextToken if it pages)."""
        forward = {k: v for k, v in params.items() if k not in ("MaxResults", "NextToken")}
        page = None
        token = None
        while True:
            if token:
                forward["NextToken"] = [token]
            body = urllib.parse.urlencode(forward, doseq=True).encode()
            status, headers, data = self.forward("POST", self.path, body)
            self._last_body = data
            if status != 200:
                return status, headers, None
            root = ET.fromstring(data)
            found = {local(c.tag): c for c in root}
            token = found["nextToken"].text if "nextToken" in found else None
            if page is None:
                page = Page(root, {n: found[n] for n in lists if n in found}, size)
                page.headers = headers
            else:
                for name in page.items:
                    if name in found:
                        page.items[name].extend(list(found[name]))
            if not token:
                return status, headers, page

    def serve_page(self, action, headers, page, start, rule):
        nxt = start + page.size
        token = None
        if nxt < page.total():
            token = self.state.new_token(action, (page, nxt))
        else:
            self.state.bump("final_pages", action)
        self.state.bump("pages", action)
        with self.state.lock:  # Page objects are shared by all tokens of one chain
            data = page.render(start, token)
        return self.reply(action, 200, headers, data, rule)

    def next_page(self, action, token, rule):
        entry = self.state.get_token(token)
        if entry is None or entry[0] != action:
            return self.send_error_doc(action, 400, "InvalidPaginationToken",
                                       "Invalid pagination token")
        self.state.bump("tokens_redeemed", action)
        page, start = entry[1]
        return self.serve_page(action, page.headers, page, start, rule)


def check_max_results(value, lo, hi, strict):
    try:
        number = int(value)
    except ValueError:
        return "Invalid value '%s' for maxResults" % value
    if number < lo:
        return ("Value ( %d ) for parameter maxResults is invalid. Expecting a value greater "
                "than %d." % (number, lo))
    if strict and number > hi:
        return ("Value ( %d ) for parameter maxResults is invalid. Expecting a value less than "
                "or equal to %d." % (number, hi))
    return None


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False


def make_server(upstream, config=None):
    state = State(upstream, config)
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = Server(("127.0.0.1", 0), handler)
    server.state = state
    return server


# ---- process control (by pid, like motoctl) ----------------------------------------------

def http_json(url, payload=None, timeout=10):
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, method="GET" if data is None else "POST")
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())


class AwsProxy:
    """The proxy as a child process. set_config()/stats()/reset() talk to its control API."""

    def __init__(self, upstream, config=None):
        self.upstream = upstream
        self.config = config
        self.proc = None
        self.url = None

    def start(self):
        cmd = [sys.executable, os.path.abspath(__file__), "serve", "--upstream", self.upstream]
        if self.config is not None:
            cmd += ["--config-json", json.dumps(self.config)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                     start_new_session=True, text=True)
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "READY":
            self.stop()
            raise RuntimeError("awsproxy did not start")
        self.url = line[1]
        return self

    def stop(self):
        if self.proc is not None:
            stop_pid(self.proc.pid)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            self.proc.stdout.close()
            self.proc = None

    def set_config(self, config):
        return http_json(self.url + "/_proxy/config", config)

    def stats(self):
        return http_json(self.url + "/_proxy/stats")

    def reset(self):
        return http_json(self.url + "/_proxy/reset", {})

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def stop_pid(pid, timeout=10.0):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import motoctl  # same helper: TERM, wait, KILL, for this one pid only
    motoctl.stop_pid(pid, timeout)


def load_config(args):
    if getattr(args, "config_json", None):
        return json.loads(args.config_json)
    if args.config:
        with open(args.config) as f:
            return json.load(f)
    return {}


def cmd_serve(args):
    server = make_server(args.upstream, load_config(args))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("READY http://127.0.0.1:%d" % server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


def cmd_start(args):
    proxy = AwsProxy(args.upstream, load_config(args)).start()
    with open(args.pidfile, "w") as f:
        f.write("%d %s\n" % (proxy.proc.pid, proxy.url))
    print(proxy.url)
    proxy.proc.stdout.close()
    proxy.proc = None  # keep running; `stop` ends it by pid
    return 0


def cmd_stop(args):
    try:
        with open(args.pidfile) as f:
            pid = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        print("awsproxy: no usable pidfile %s" % args.pidfile, file=sys.stderr)
        return 1
    stop_pid(pid)
    os.unlink(args.pidfile)
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("serve", "start"):
        p = sub.add_parser(name)
        p.add_argument("--upstream", required=True, help="moto's URL")
        p.add_argument("--config", help="JSON config file")
        p.add_argument("--config-json", help=argparse.SUPPRESS)
        if name == "start":
            p.add_argument("--pidfile", required=True)
    sp = sub.add_parser("stop")
    sp.add_argument("--pidfile", required=True)
    args = ap.parse_args(argv)
    return {"serve": cmd_serve, "start": cmd_start, "stop": cmd_stop}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
