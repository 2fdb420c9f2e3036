#!/usr/bin/env python3
"""A local stand-in for AWS Config's SelectAggregateResourceConfig (moto serves no aggregator
queries), for vpcx's --source config-aggregator tests.

What it emulates, following the AWS Config API Reference (SelectAggregateResourceConfig,
ConfigurationItem, Common Errors) and the Developer Guide's "Query Components" page:
  - the JSON 1.1 protocol: POST /, X-Amz-Target StarlingDoveService.SelectAggregateResourceConfig,
    Content-Type application/x-amz-json-1.1, errors as {"__type": CODE, "message": ...} with
    HTTP 400;
  - request members ConfigurationAggregatorName, Expression, Limit (0..100, else
    InvalidLimitException; 0 or absent means Config's default page of 25), NextToken (an
    opaque token from the previous page, else InvalidNextTokenException);
  - the answer {"Results": [JSON strings], "QueryInfo": {"SelectFields": [{"Name"}]},
    "NextToken"}; each result holds only the selected fields;
  - an unknown aggregator: NoSuchConfigurationAggregatorException; an expression outside the
    subset below: InvalidExpressionException; throttle(n): the next n requests answer
    ThrottlingException ("Rate exceeded"), as Config does under load; deny(): every query
    answers AccessDeniedException.
The SQL subset is what vpcx sends: SELECT f1, f2, ... WHERE resourceType = 'AWS::...'.
page_cap (optional) returns fewer results than Limit per page, which Config may do too.

Configuration items are built from a moto account by items_from_moto(): boto3's describe
output for each EC2 type, turned into Config's camelCase "configuration" (keys with a lower
first letter, timestamps as epoch milliseconds, security group rules with ipRanges as bare
CIDR strings beside ipv4Ranges of {cidrIp}), with the item fields accountId, awsRegion,
resourceId, resourceType, configuration and tags (a {key: value} map). As Config records them,
VPC items carry no DNS attributes (those come from DescribeVpcAttribute, which Config does not
record).
"""
import base64
import datetime
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto_inventory

TARGET = "StarlingDoveService.SelectAggregateResourceConfig"
DEFAULT_PAGE = 25
# Config resource type -> (boto_inventory type, describe result key, ID key)
RESOURCE_TYPES = {
    "AWS::EC2::VPC": ("Vpcs", "VpcId"),
    "AWS::EC2::Subnet": ("Subnets", "SubnetId"),
    "AWS::EC2::VPCEndpoint": ("VpcEndpoints", "VpcEndpointId"),
    "AWS::EC2::NetworkInterface": ("NetworkInterfaces", "NetworkInterfaceId"),
    "AWS::EC2::SecurityGroup": ("SecurityGroups", "GroupId"),
    "AWS::EC2::RouteTable": ("RouteTables", "RouteTableId"),
    "AWS::EC2::NetworkAcl": ("NetworkAcls", "NetworkAclId"),
}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?$")
QUERY = re.compile(r"^\s*SELECT\s+(.+?)\s+WHERE\s+resourceType\s*=\s*'([^']+)'\s*$", re.I)


def _camel(key):
    return key[:1].lower() + key[1:]


def _epoch_ms(text):
    t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=datetime.timezone.utc)
    return int(t.timestamp() * 1000)


def to_config(value, key=None):
    """boto3's describe output as Config records it (see the module doc)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "IpRanges" and isinstance(v, list):
                out["ipRanges"] = [r.get("CidrIp") for r in v]
                out["ipv4Ranges"] = [to_config(r) for r in v]
                continue
            out[_camel(k)] = to_config(v, k)
        return out
    if isinstance(value, list):
        return [to_config(v) for v in value]
    if isinstance(value, str) and ISO.match(value):
        return _epoch_ms(value)
    return value


def items_from_moto(url, regions, accounts=None, default_account="123456789012"):
    """Config results for every recorded EC2 type of each region; accounts maps a region to
    the accountId its items are reported under (another account, for tests)."""
    items = []
    for region in regions:
        client = boto_inventory.make_client(url, region)
        account = (accounts or {}).get(region, default_account)
        for rtype, (name, id_key) in RESOURCE_TYPES.items():
            for item in boto_inventory.fetch_type(client, name):
                tags = item.get("Tags", item.get("TagSet", []))
                items.append({
                    "resourceId": item[id_key],
                    "resourceType": rtype,
                    "accountId": account,
                    "awsRegion": region,
                    "arn": "arn:aws:ec2:%s:%s:%s" % (region, account, item[id_key]),
                    "configuration": to_config(item),
                    "tags": {t["Key"]: t.get("Value", "") for t in tags},
                })
    return items


class ConfigServer:
    def __init__(self, items, aggregator="org", page_cap=None):
        self.items = items
        self.aggregator = aggregator
        self.page_cap = page_cap
        self.lock = threading.Lock()
        self.requests = []  # (target, body dict, credential scope) per request
        self.throttles = 0
        self.throttled = 0
        self.denied = False
        self.httpd = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.httpd.server_address[1]

    def start(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n)
                code, body = server.handle(self.headers, raw)
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("x-amzn-RequestId", "cfg-%d" % len(server.requests))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def deny(self, on=True):
        """Every query answers AccessDeniedException, as for a caller without
        config:SelectAggregateResourceConfig."""
        with self.lock:
            self.denied = on

    def throttle(self, n):
        with self.lock:
            self.throttles = n

    @staticmethod
    def error(code, message):
        return 400, {"__type": code, "message": message}

    def handle(self, headers, raw):
        auth = headers.get("Authorization", "")
        scope = re.search(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request", auth)
        try:
            req = json.loads(raw or b"{}")
        except ValueError:
            return self.error("SerializationException", "body is not JSON")
        with self.lock:
            self.requests.append((headers.get("X-Amz-Target"), req,
                                  scope.groups() if scope else None))
            if self.throttles > 0:
                self.throttles -= 1
                self.throttled += 1
                return self.error("ThrottlingException", "Rate exceeded")
            if self.denied:
                return self.error("AccessDeniedException",
                                  "User: arn:aws:iam::123456789012:user/test is not authorized "
                                  "to perform: config:SelectAggregateResourceConfig")
        if headers.get("X-Amz-Target") != TARGET:
            return self.error("UnknownOperationException", "unknown operation")
        if not scope:
            return 403, {"__type": "MissingAuthenticationTokenException",
                         "message": "Missing Authentication Token"}
        return self.select(req)

    def select(self, req):
        if req.get("ConfigurationAggregatorName") != self.aggregator:
            return self.error("NoSuchConfigurationAggregatorException",
                              "The configuration aggregator does not exist. Check the "
                              "configuration aggregator name and try again.")
        limit = req.get("Limit", 0)
        if not isinstance(limit, int) or not 0 <= limit <= 100:
            return self.error("InvalidLimitException", "Limit must be between 0 and 100")
        m = QUERY.match(req.get("Expression", ""))
        if not m:
            return self.error("InvalidExpressionException", "Invalid query expression")
        fields = [f.strip() for f in m.group(1).split(",")]
        if not all(re.match(r"^[A-Za-z.]+$", f) for f in fields):
            return self.error("InvalidExpressionException", "Invalid select field")
        matching = [i for i in self.items if i["resourceType"] == m.group(2)]
        start = 0
        if req.get("NextToken"):
            try:
                token = json.loads(base64.b64decode(req["NextToken"]))
                assert token["e"] == req["Expression"]
                start = int(token["o"])
            except Exception:
                return self.error("InvalidNextTokenException", "The nextToken is not valid")
        size = limit or DEFAULT_PAGE
        if self.page_cap:
            size = min(size, self.page_cap)
        page = matching[start:start + size]
        out = {"Results": [json.dumps({f: i[f] for f in fields if f in i}) for i in page],
               "QueryInfo": {"SelectFields": [{"Name": f} for f in fields]}}
        if start + size < len(matching):
            out["NextToken"] = base64.b64encode(json.dumps(
                {"e": req["Expression"], "o": start + size}).encode()).decode()
        return 200, out
