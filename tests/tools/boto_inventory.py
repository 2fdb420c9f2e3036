#!/usr/bin/env python3
"""The reference inventory: what boto3 sees, in the shape of `vpcx dump --format json`.

    boto_inventory.py --endpoint-url URL [--region us-east-1] [--out F]
    boto_inventory.py --compare VPCX.json BOTO.json      # exit 1 and list differences

Timestamps: botocore's response parser is given an identity timestamp parser (see
make_client), so every timestamp stays the exact wire string, as vpcx prints it. Integers
and booleans are typed as botocore types them (vpcx must do the same).

Shape: {"Metadata": {...}, "Errors": [], and one list per type in TYPES}. VpcEndpointServices
holds the ServiceDetails items (the ServiceNames list is the same names again), keyed by
ServiceId because ServiceName repeats (s3: Interface and Gateway). ENIs carry "TagSet", not
"Tags" (botocore's model), so vpcx must use the same key.

compare() ignores, by design: the top-level "Metadata", "Derived" and "Errors" sections
(checked separately by the tests), "ResponseMetadata" and "NextToken" keys anywhere.
Items are matched by ID (ID_KEYS); item order does not matter, list order inside an item does.
"""
import argparse
import datetime
import json
import os
import sys

import boto3
from botocore.config import Config

# type -> (client method, paginated?, result key, id key)
TYPES = {
    "Vpcs": ("describe_vpcs", True, "Vpcs", "VpcId"),
    "Subnets": ("describe_subnets", True, "Subnets", "SubnetId"),
    "AvailabilityZones": ("describe_availability_zones", False, "AvailabilityZones", "ZoneId"),
    "VpcEndpoints": ("describe_vpc_endpoints", True, "VpcEndpoints", "VpcEndpointId"),
    # ServiceName is not unique: s3 is listed once as Interface and once as Gateway.
    "VpcEndpointServices": ("describe_vpc_endpoint_services", True, "ServiceDetails",
                            "ServiceId"),
    "NetworkInterfaces": ("describe_network_interfaces", True, "NetworkInterfaces",
                          "NetworkInterfaceId"),
    "SecurityGroups": ("describe_security_groups", True, "SecurityGroups", "GroupId"),
    "NetworkAcls": ("describe_network_acls", True, "NetworkAcls", "NetworkAclId"),
    "RouteTables": ("describe_route_tables", True, "RouteTables", "RouteTableId"),
    "PrefixLists": ("describe_prefix_lists", True, "PrefixLists", "PrefixListId"),
    "FlowLogs": ("describe_flow_logs", True, "FlowLogs", "FlowLogId"),
}
ID_KEYS = {t: spec[3] for t, spec in TYPES.items()}
IGNORED_SECTIONS = ("Metadata", "Derived", "Errors")
IGNORED_KEYS = ("ResponseMetadata", "NextToken")
FORMAT_VERSION = 1


def make_client(endpoint_url, region, max_attempts=3, service="ec2", **config):
    """A client whose parser keeps timestamps as the wire strings. max_attempts counts all
    attempts (botocore's total_max_attempts); config: more botocore Config arguments."""
    session = boto3.session.Session(
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
        aws_session_token=os.environ.get("AWS_SESSION_TOKEN"),
        region_name=region)
    factory = session._session.get_component("response_parser_factory")
    factory.set_parser_defaults(timestamp_parser=lambda value: value)
    return session.client(service, endpoint_url=endpoint_url, config=Config(
        retries={"mode": "standard", "total_max_attempts": max_attempts}, **config))


def fetch_type(client, name, page_size=None):
    method, paged, key, _ = TYPES[name]
    if not paged:
        return getattr(client, method)()[key]
    paginator = client.get_paginator(method)
    config = {"PageSize": page_size} if page_size else {}
    items = []
    for page in paginator.paginate(PaginationConfig=config):
        items.extend(page.get(key, []))
    return items


def error_entry(name, exc):
    err = getattr(exc, "response", {}).get("Error", {})
    return {"Type": name, "Code": err.get("Code", type(exc).__name__),
            "Message": err.get("Message", str(exc))}


def inventory(endpoint_url, region="us-east-1", page_size=None, client=None):
    """Every type in TYPES, plus Metadata and Errors, as one dict."""
    client = client or make_client(endpoint_url, region)
    out = {"Metadata": {"FormatVersion": FORMAT_VERSION, "Region": region,
                        "Endpoint": endpoint_url,
                        "FetchedAt": datetime.datetime.now(datetime.timezone.utc)
                        .strftime("%Y-%m-%dT%H:%M:%SZ")},
           "Errors": []}
    for name in TYPES:
        try:
            out[name] = fetch_type(client, name, page_size)
        except Exception as exc:  # one type failing must not hide the others
            out[name] = []
            out["Errors"].append(error_entry(name, exc))
    try:
        owner = out["Vpcs"][0]["OwnerId"] if out["Vpcs"] else None
    except (KeyError, IndexError):
        owner = None
    out["Metadata"]["Account"] = owner
    return out


# ---- comparison -------------------------------------------------------------------------

def _diff_value(path, a, b, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k in IGNORED_KEYS:
                continue
            if k not in a:
                out.append((path + "." + k, "<missing>", b[k]))
            elif k not in b:
                out.append((path + "." + k, a[k], "<missing>"))
            else:
                _diff_value(path + "." + k, a[k], b[k], out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append((path + ".length", len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            _diff_value("%s[%d]" % (path, i), x, y, out)
    elif type(a) is not type(b) or a != b:
        out.append((path, a, b))


def _index(items, id_key, side, tname, problems):
    index = {}
    for pos, item in enumerate(items or []):
        ident = item.get(id_key) if isinstance(item, dict) else None
        if ident is None:
            problems.append({"type": tname, "id": None, "path": "[%d]" % pos,
                             "problem": "item without %s in %s" % (id_key, side)})
            continue
        if ident in index:
            problems.append({"type": tname, "id": ident, "path": "",
                             "problem": "duplicate ID in %s" % side})
        index[ident] = item
    return index


def compare(vpcx_json, boto_json, types=None):
    """List of differences, each {type, id, path, problem, vpcx, boto}; [] means equal."""
    problems = []
    for tname in types or TYPES:
        id_key = ID_KEYS[tname]
        if tname not in vpcx_json:
            problems.append({"type": tname, "id": None, "path": "",
                             "problem": "section missing in vpcx output"})
            continue
        left = _index(vpcx_json.get(tname), id_key, "vpcx", tname, problems)
        right = _index(boto_json.get(tname), id_key, "boto", tname, problems)
        for ident in sorted(set(left) | set(right)):
            if ident not in left:
                problems.append({"type": tname, "id": ident, "path": "",
                                 "problem": "missing in vpcx"})
            elif ident not in right:
                problems.append({"type": tname, "id": ident, "path": "",
                                 "problem": "only in vpcx"})
            else:
                diffs = []
                _diff_value("", left[ident], right[ident], diffs)
                for path, a, b in diffs:
                    problems.append({"type": tname, "id": ident, "path": path.lstrip("."),
                                     "problem": "differs", "vpcx": a, "boto": b})
    return problems


def format_problems(problems, limit=40):
    lines = []
    for p in problems[:limit]:
        line = "%s %s %s: %s" % (p["type"], p["id"], p["path"], p["problem"])
        if p["problem"] == "differs":
            line += " (vpcx=%r boto=%r)" % (p["vpcx"], p["boto"])
        lines.append(line)
    if len(problems) > limit:
        lines.append("... and %d more" % (len(problems) - limit))
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--endpoint-url")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--page-size", type=int, help="MaxResults for paginated calls")
    ap.add_argument("--out", help="write here instead of stdout")
    ap.add_argument("--compare", nargs=2, metavar=("VPCX_JSON", "BOTO_JSON"))
    args = ap.parse_args(argv)
    if args.compare:
        with open(args.compare[0]) as f:
            left = json.load(f)
        with open(args.compare[1]) as f:
            right = json.load(f)
        problems = compare(left, right)
        print(format_problems(problems, limit=1000) or "identical")
        return 1 if problems else 0
    if not args.endpoint_url:
        ap.error("--endpoint-url is required")
    data = inventory(args.endpoint_url, args.region, args.page_size)
    text = json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)
    return 1 if data["Errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
