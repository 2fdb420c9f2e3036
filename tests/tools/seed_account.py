#!/usr/bin/env python3
"""Seed a moto account with a VPC landscape for vpcx tests and demos.

    seed_account.py --endpoint-url URL [--region us-east-1] [--mode big|small]
                    [--moto-seed 42] [--enis N] [--json]
    seed_account.py --endpoint-url URL --vpcs N     # only N bare VPCs, for scale tests

big (default): 3 VPCs besides moto's default one, subnets in 3 AZs (a /28 nearly full, a busy
/24, IPv6 on one), 8 interface endpoints (single- and multi-AZ, SG with and without 443, custom
and default policies, private DNS on/off), 3 gateway endpoints on route tables, custom NACLs,
hostile tag text (C1 CSI escape, literal "\\x1b[31m", wide and RTL characters) and ~1170 ENIs
with Lambda/ELB/NAT/EKS/RDS-like descriptions. small: same shape, ~370 ENIs, no hostile tags.

Deterministic for a given --moto-seed (POSTed to /moto-api/seed before anything is created;
our own choices come from random.Random(seed)). Only CreationTimestamp-like fields vary.
Prints a JSON summary (counts and key IDs) on stdout.

Note on "\\x1b[31m": a raw ESC (U+001B) is not a legal XML 1.0 character; moto writes it raw
and every XML parser (botocore's too) rejects the whole DescribeVpcs answer. So tags carry the
C1 control CSI (U+009B, legal in XML, a terminal escape introducer) and the literal text
"\\x1b[31m". --raw-esc adds one tag with a real ESC on a separate, otherwise unused VPC, to
test how a client copes with a document that does not parse (boto3 cannot read it either).
"""
import argparse
import json
import os
import random
import sys
import time
import urllib.request

import boto3
from botocore.config import Config

AZS = ["a", "b", "c"]
CSI_TAG = "\u009b31mred-team\u009b0m and \\x1b[31m literal"
WIDE_TAG = "ネットワーク班 / فريق الشبكة / 网络组"
RTL_NAME = "\u202eprod-core\u202c (עברית)"

# (vpc key, name, cidr, az letter, enis big, enis small, extra)
SUBNETS = [
    ("prod", "prod-app-a", "10.0.0.0/21", "a", 500, 60, {}),
    ("prod", "prod-app-b-busy", "10.0.8.0/24", "b", 235, 180, {}),
    ("prod", "prod-app-c-v6", "10.0.9.0/24", "c", 120, 25, {"ipv6": True}),
    ("prod", "prod-endpoints-a", "10.0.10.0/28", "a", 7, 7, {}),
    ("prod", "prod-data-b", "10.0.11.0/26", "b", 30, 10, {}),
    ("staging", "stg-a", "10.20.0.0/22", "a", 150, 30, {}),
    ("staging", "stg-b", "10.20.4.0/24", "b", 40, 15, {}),
    ("staging", "stg-c", "10.20.5.0/27", "c", 10, 5, {}),
    ("shared", "shared-a", "172.16.0.0/23", "a", 60, 12, {}),
    ("shared", "shared-b", "172.16.2.0/24", "b", 20, 6, {}),
]

ENI_KINDS = {
    "prod-app-a": ["lambda", "lambda", "eks", "eks-cni"],
    "prod-app-b-busy": ["lambda", "eks-cni", "elb-app"],
    "prod-app-c-v6": ["eks", "eks-cni", "plain"],
    "prod-endpoints-a": ["plain"],
    "prod-data-b": ["rds"],
    "stg-a": ["lambda", "eks-cni", "elb-net"],
    "stg-b": ["lambda", "rds"],
    "stg-c": ["nat"],
    "shared-a": ["nat", "elb-app", "elb-net"],
    "shared-b": ["plain", "lambda"],
}


def custom_policy(vpc_id, action):
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "OnlyFromThisVpc",
            "Effect": "Allow",
            "Principal": "*",
            "Action": action,
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceVpc": vpc_id}},
        }],
    })


def tags(**kv):
    return [{"Key": k, "Value": v} for k, v in kv.items()]


class Seeder:
    def __init__(self, ec2, region, mode, seed, eni_total=None, raw_esc=False):
        self.ec2 = ec2
        self.region = region
        self.mode = mode
        self.rng = random.Random(seed)
        self.eni_total = eni_total
        self.raw_esc = raw_esc
        self.vpcs = {}
        self.subnets = {}
        self.sgs = {}
        self.rts = {}
        self.endpoints = []
        self.enis = 0

    def az(self, letter):
        return self.region + letter

    def hex(self, n):
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def create_vpcs(self):
        hostile = self.mode == "big"
        prod = self.ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)
        stg = self.ec2.create_vpc(CidrBlock="10.20.0.0/16")
        shared = self.ec2.create_vpc(CidrBlock="172.16.0.0/16")
        self.vpcs = {"prod": prod["Vpc"]["VpcId"], "staging": stg["Vpc"]["VpcId"],
                     "shared": shared["Vpc"]["VpcId"]}
        self.ec2.create_tags(Resources=[self.vpcs["prod"]], Tags=tags(
            Name=RTL_NAME if hostile else "prod-core", Env="prod", Team=WIDE_TAG,
            CostCenter="cc-1042"))
        self.ec2.create_tags(Resources=[self.vpcs["staging"]], Tags=tags(
            Name="staging" if not hostile else "staging " + CSI_TAG, Env="staging",
            Notes="<b>&amp; \"quoted\" 'single' </b>"))
        # The shared VPC deliberately has no Name tag.
        self.ec2.create_tags(Resources=[self.vpcs["shared"]], Tags=tags(Env="shared"))
        if self.raw_esc:
            raw = self.ec2.create_vpc(CidrBlock="192.168.0.0/24")["Vpc"]["VpcId"]
            self.ec2.create_tags(Resources=[raw], Tags=tags(Name="raw\x1b[31mesc"))
            self.vpcs["raw-esc"] = raw

    def create_subnets(self):
        prod_v6 = self.ec2.describe_vpcs(VpcIds=[self.vpcs["prod"]])["Vpcs"][0]
        v6_block = prod_v6.get("Ipv6CidrBlockAssociationSet", [{}])[0].get("Ipv6CidrBlock")
        for vpc, name, cidr, az, _, _, extra in SUBNETS:
            args = {"VpcId": self.vpcs[vpc], "CidrBlock": cidr, "AvailabilityZone": self.az(az),
                    "TagSpecifications": [{"ResourceType": "subnet", "Tags": tags(
                        Name=name, Tier=name.split("-")[1])}]}
            if extra.get("ipv6") and v6_block:
                args["Ipv6CidrBlock"] = v6_block.replace("::/56", "::/64")
            self.subnets[name] = self.ec2.create_subnet(**args)["Subnet"]["SubnetId"]

    def create_security_groups(self):
        for vpc in ("prod", "staging", "shared"):
            vid = self.vpcs[vpc]
            https = self.ec2.create_security_group(
                GroupName=vpc + "-endpoints-https", Description="HTTPS from the VPC",
                VpcId=vid)["GroupId"]
            self.ec2.authorize_security_group_ingress(GroupId=https, IpPermissions=[{
                "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "internal"}]}])
            ssh = self.ec2.create_security_group(
                GroupName=vpc + "-ssh-only", Description="SSH only, no 443", VpcId=vid)["GroupId"]
            self.ec2.authorize_security_group_ingress(GroupId=ssh, IpPermissions=[{
                "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                "IpRanges": [{"CidrIp": "192.168.100.0/24"}]}])
            self.sgs[vpc] = {"https": https, "ssh": ssh}

    def create_routing(self):
        for vpc in ("prod", "staging", "shared"):
            vid = self.vpcs[vpc]
            rt = self.ec2.create_route_table(VpcId=vid, TagSpecifications=[{
                "ResourceType": "route-table", "Tags": tags(Name=vpc + "-private")}])
            rtid = rt["RouteTable"]["RouteTableId"]
            self.rts[vpc] = rtid
            for vpc_key, name, *_ in SUBNETS:
                if vpc_key == vpc and not name.endswith("-a"):
                    self.ec2.associate_route_table(RouteTableId=rtid,
                                                   SubnetId=self.subnets[name])
        igw = self.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        self.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=self.vpcs["prod"])
        main = self.ec2.describe_route_tables(Filters=[
            {"Name": "vpc-id", "Values": [self.vpcs["prod"]]},
            {"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]
        self.rts["prod-main"] = main["RouteTableId"]
        self.ec2.create_route(RouteTableId=main["RouteTableId"],
                              DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)

    def create_nacls(self):
        nacl = self.ec2.create_network_acl(VpcId=self.vpcs["prod"], TagSpecifications=[{
            "ResourceType": "network-acl", "Tags": tags(Name="prod-data-strict")}])
        nid = nacl["NetworkAcl"]["NetworkAclId"]
        entries = [(100, "6", "allow", False, "10.0.0.0/16", (443, 443)),
                   (110, "6", "allow", False, "10.0.0.0/16", (5432, 5432)),
                   (200, "-1", "deny", False, "0.0.0.0/0", None),
                   (100, "6", "allow", True, "10.0.0.0/16", (1024, 65535))]
        for num, proto, action, egress, cidr, ports in entries:
            args = {"NetworkAclId": nid, "RuleNumber": num, "Protocol": proto,
                    "RuleAction": action, "Egress": egress, "CidrBlock": cidr}
            if ports:
                args["PortRange"] = {"From": ports[0], "To": ports[1]}
            self.ec2.create_network_acl_entry(**args)
        sub = self.subnets["prod-data-b"]
        assoc = self.ec2.describe_network_acls(Filters=[
            {"Name": "association.subnet-id", "Values": [sub]}])["NetworkAcls"]
        for acl in assoc:
            for a in acl.get("Associations", []):
                if a.get("SubnetId") == sub:
                    self.ec2.replace_network_acl_association(
                        AssociationId=a["NetworkAclAssociationId"], NetworkAclId=nid)

    def interface(self, vpc, service, subnet_names, sg_kinds, dns, policy_action=None, name=""):
        vid = self.vpcs[vpc]
        args = {"VpcEndpointType": "Interface", "VpcId": vid,
                "ServiceName": "com.amazonaws.%s.%s" % (self.region, service),
                "SubnetIds": [self.subnets[s] for s in subnet_names],
                "SecurityGroupIds": [self.sgs[vpc][k] for k in sg_kinds],
                "PrivateDnsEnabled": dns,
                "TagSpecifications": [{"ResourceType": "vpc-endpoint",
                                       "Tags": tags(Name=name or vpc + "-" + service)}]}
        if policy_action:
            args["PolicyDocument"] = custom_policy(vid, policy_action)
        ep = self.ec2.create_vpc_endpoint(**args)["VpcEndpoint"]
        self.endpoints.append(ep["VpcEndpointId"])

    def gateway(self, vpc, service, rt_keys, policy_action=None):
        vid = self.vpcs[vpc]
        args = {"VpcEndpointType": "Gateway", "VpcId": vid,
                "ServiceName": "com.amazonaws.%s.%s" % (self.region, service),
                "RouteTableIds": [self.rts[k] for k in rt_keys]}
        if policy_action:
            args["PolicyDocument"] = custom_policy(vid, policy_action)
        ep = self.ec2.create_vpc_endpoint(**args)["VpcEndpoint"]
        self.endpoints.append(ep["VpcEndpointId"])

    def create_endpoints(self):
        i = self.interface
        i("prod", "ssm", ["prod-app-a", "prod-app-b-busy", "prod-app-c-v6"], ["https"], True)
        i("prod", "ec2messages", ["prod-endpoints-a"], ["ssh"], True)
        i("prod", "sts", ["prod-endpoints-a", "prod-app-b-busy"], ["https"], False,
          "sts:AssumeRole")
        i("prod", "logs", ["prod-app-c-v6"], ["https", "ssh"], True)
        i("staging", "ecr.api", ["stg-a", "stg-b"], ["https"], False, "ecr:*")
        i("staging", "ecr.dkr", ["stg-a", "stg-b", "stg-c"], ["https"], True)
        i("staging", "ssmmessages", ["stg-c"], ["ssh"], True)
        i("shared", "secretsmanager", ["shared-a", "shared-b"], ["https"], True,
          "secretsmanager:GetSecretValue")
        self.gateway("prod", "s3", ["prod-main", "prod"])
        self.gateway("prod", "dynamodb", ["prod"], "dynamodb:*")
        self.gateway("staging", "s3", ["staging"], "s3:GetObject")

    def eni_description(self, kind):
        h = self.hex
        if kind == "lambda":
            fn = self.rng.choice(["orders-api", "thumbnailer", "billing-sync", "auth-edge"])
            return "AWS Lambda VPC ENI-%s-%s-%s-%s-%s-%s" % (fn, h(8), h(4), h(4), h(4), h(12))
        if kind == "eks":
            return "Amazon EKS " + self.rng.choice(["prod-cluster", "batch-cluster"])
        if kind == "eks-cni":
            return "aws-K8S-i-0" + h(16)
        if kind == "elb-app":
            return "ELB app/web-%s/%s" % (self.rng.choice(["public", "internal"]), h(16))
        if kind == "elb-net":
            return "ELB net/nlb-%s/%s" % (self.rng.choice(["grpc", "tcp"]), h(16))
        if kind == "nat":
            return "Interface for NAT Gateway nat-0" + h(16)
        if kind == "rds":
            return "RDSNetworkInterface"
        return ""

    def eni_tags(self, kind, n):
        if kind in ("eks", "eks-cni") and n % 3 == 0:
            return tags(**{"cluster.k8s.amazonaws.com/name": "prod-cluster",
                           "node.k8s.amazonaws.com/instance_id": "i-0" + self.hex(16)})
        if n % 11 == 0:
            return tags(Owner="team-" + self.rng.choice(["red", "blue", "green"]))
        return []

    def eni_plan(self):
        col = 4 if self.mode == "big" else 5
        plan = [(name, row[col]) for row, name in ((r, r[1]) for r in SUBNETS)]
        if self.eni_total is not None:
            base = sum(n for _, n in plan)
            plan = [(name, n * self.eni_total // base) for name, n in plan]
        return plan

    def create_enis(self):
        for name, count in self.eni_plan():
            kinds = ENI_KINDS[name]
            vpc = next(r[0] for r in SUBNETS if r[1] == name)
            for n in range(count):
                kind = kinds[n % len(kinds)]
                args = {"SubnetId": self.subnets[name], "Description": self.eni_description(kind),
                        "Groups": [self.sgs[vpc]["https" if n % 2 else "ssh"]]}
                t = self.eni_tags(kind, n)
                if t:
                    args["TagSpecifications"] = [{"ResourceType": "network-interface",
                                                  "Tags": t}]
                self.ec2.create_network_interface(**args)
                self.enis += 1

    def run(self):
        steps = [self.create_vpcs, self.create_subnets, self.create_security_groups,
                 self.create_routing, self.create_nacls, self.create_endpoints]
        for step in steps:
            step()
        t0 = time.monotonic()
        self.create_enis()
        return {"mode": self.mode, "region": self.region, "vpcs": self.vpcs,
                "subnets": self.subnets, "security_groups": self.sgs,
                "route_tables": self.rts, "endpoints": self.endpoints,
                "enis_created": self.enis, "eni_seconds": round(time.monotonic() - t0, 2)}


def make_client(endpoint_url, region):
    return boto3.client(
        "ec2", endpoint_url=endpoint_url, region_name=region,
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
        config=Config(retries={"mode": "standard", "total_max_attempts": 3}))


def post_moto_seed(endpoint_url, seed):
    req = urllib.request.Request("%s/moto-api/seed?a=%d" % (endpoint_url, seed), data=b"",
                                 method="POST")
    urllib.request.urlopen(req, timeout=10).read()


def seed(endpoint_url, region="us-east-1", mode="big", moto_seed=42, enis=None, raw_esc=False,
         client=None):
    """Seed the account; returns the summary dict. Importable by tests."""
    if moto_seed is not None:
        post_moto_seed(endpoint_url, moto_seed)
    ec2 = client or make_client(endpoint_url, region)
    t0 = time.monotonic()
    summary = Seeder(ec2, region, mode, moto_seed or 0, enis, raw_esc).run()
    summary["seconds"] = round(time.monotonic() - t0, 2)
    return summary


def seed_vpcs(endpoint_url, n, region="us-east-1", threads=4):
    """Creates n bare VPCs (10.X.Y.0/24, nothing in them); returns their IDs."""
    import concurrent.futures
    ec2 = make_client(endpoint_url, region)

    def one(i):
        cidr = "10.%d.%d.0/24" % (i // 256 % 256, i % 256)
        return ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]

    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, range(n)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--endpoint-url", required=True)
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--mode", choices=["big", "small"], default="big")
    ap.add_argument("--moto-seed", type=int, default=42,
                    help="POST /moto-api/seed?a=N first (-1: do not)")
    ap.add_argument("--enis", type=int, help="scale the ENI count to about N")
    ap.add_argument("--raw-esc", action="store_true",
                    help="add a VPC whose tag holds a raw ESC (breaks XML parsing)")
    ap.add_argument("--vpcs", type=int, help="only create N bare VPCs (nothing else)")
    args = ap.parse_args(argv)
    if args.vpcs is not None:
        t0 = time.monotonic()
        ids = seed_vpcs(args.endpoint_url, args.vpcs, args.region)
        print(json.dumps({"vpcs": len(ids), "seconds": round(time.monotonic() - t0, 2)}))
        return 0
    summary = seed(args.endpoint_url, args.region, args.mode,
                   None if args.moto_seed < 0 else args.moto_seed, args.enis, args.raw_esc)
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
