#!/usr/bin/env python3
"""The boto3 side of the benchmark: the describe calls `vpcx dump` makes, with paginators, in one
process, sequentially (as a typical inventory script does), then the whole inventory as JSON.

    boto_dump.py --endpoint-url URL [--region us-east-1] [-o FILE] [--check]

Calls: sts GetCallerIdentity; the nine paginated describe calls at the API's largest page size
(RouteTables 100, others 1000, as vpcx asks); DescribeAvailabilityZones; DescribeVpcAttribute
enableDnsSupport and enableDnsHostnames per VPC. Credentials come from the environment.
--check prints the item count per type on stderr (used to verify the server's XML parses).
"""
import argparse
import json
import sys

import boto3
from botocore.config import Config

# (client method, result key, page size or None when the call does not page)
CALLS = [
    ("describe_vpcs", "Vpcs", 1000),
    ("describe_subnets", "Subnets", 1000),
    ("describe_availability_zones", "AvailabilityZones", None),
    ("describe_vpc_endpoints", "VpcEndpoints", 1000),
    ("describe_vpc_endpoint_services", "ServiceDetails", 1000),
    ("describe_network_interfaces", "NetworkInterfaces", 1000),
    ("describe_security_groups", "SecurityGroups", 1000),
    ("describe_network_acls", "NetworkAcls", 1000),
    ("describe_route_tables", "RouteTables", 100),
    ("describe_prefix_lists", "PrefixLists", 1000),
    ("describe_flow_logs", "FlowLogs", 1000),
]
ATTRIBUTES = ("enableDnsSupport", "enableDnsHostnames")


def dump(endpoint_url, region):
    session = boto3.session.Session(region_name=region)
    cfg = Config(retries={"mode": "standard", "total_max_attempts": 3})
    ec2 = session.client("ec2", endpoint_url=endpoint_url, config=cfg)
    sts = session.client("sts", endpoint_url=endpoint_url, config=cfg)
    out = {"Metadata": {"Account": sts.get_caller_identity()["Account"], "Region": region}}
    for method, key, size in CALLS:
        if size is None:
            out[key] = getattr(ec2, method)()[key]
            continue
        items = []
        for page in ec2.get_paginator(method).paginate(PaginationConfig={"PageSize": size}):
            items.extend(page.get(key, []))
        out[key] = items
    attrs = []
    for vpc in out["Vpcs"]:
        for attr in ATTRIBUTES:
            r = ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute=attr)
            r.pop("ResponseMetadata", None)
            attrs.append(r)
    out["VpcAttributes"] = attrs
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--endpoint-url", required=True)
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("-o", "--output", default="/dev/null")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    data = dump(args.endpoint_url, args.region)
    with open(args.output, "w") as f:
        json.dump(data, f, default=str, separators=(",", ":"))
    if args.check:
        for key, value in data.items():
            if isinstance(value, list):
                print("%s %d" % (key, len(value)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
