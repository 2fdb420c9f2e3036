#!/usr/bin/env python3
"""A synthetic EC2 account for benchmarks: seeded, deterministic, pre-rendered as EC2 XML items.

    gen_account.py [--enis 20000] [--seed 1] [--summary]        # print the counts
    gen_account.py --enis 20000 --write-pages DIR               # every page as vpcx asks for it

    from gen_account import Account
    acct = Account(enis=20000, seed=1)
    acct.lists["DescribeNetworkInterfaces"]  -> ListSpec(root, set_names, items, keys)

Every item is rendered once, as bytes, with the element names and nesting of the EC2 API
(botocore's model: `locationName`s, list members `item`), indented as AWS indents. A page is then a
header + a slice of items + an optional <nextToken> + a footer, so serving costs one join.
Each item also carries filter keys (vpc-id, subnet-id, availability-zone) so the server can
answer Filter.N requests (sharding experiments).

Default shape (about what a large multi-team account holds): 20 VPCs over 3-6 of 6 AZs, 2,000
subnets, 500 endpoints (460 Interface, 40 Gateway), ENIs = endpoint ENIs + instance/lambda/NAT
ENIs up to --enis, 50 security groups per VPC, 20 route tables per VPC, 5 NACLs per VPC,
3 AWS prefix lists, 150 endpoint services.
"""
import argparse
import os
import random
import sys
import uuid

NS = "http://ec2.amazonaws.com/doc/2016-11-15/"
ACCOUNT = "111122223333"
IND = "    "


class Struct(list):
    """A nested structure: a list of (tag, value) pairs rendered as child elements."""


def esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_fields(fields, depth, out):
    pad = IND * depth
    for tag, value in fields:
        if value is None:
            continue
        if isinstance(value, bool):
            out.append("%s<%s>%s</%s>\n" % (pad, tag, "true" if value else "false", tag))
        elif isinstance(value, int):
            out.append("%s<%s>%d</%s>\n" % (pad, tag, value, tag))
        elif isinstance(value, str):
            out.append("%s<%s>%s</%s>\n" % (pad, tag, esc(value), tag))
        elif isinstance(value, Struct):
            out.append("%s<%s>\n" % (pad, tag))
            render_fields(value, depth + 1, out)
            out.append("%s</%s>\n" % (pad, tag))
        elif not value:
            out.append("%s<%s/>\n" % (pad, tag))
        else:
            out.append("%s<%s>\n" % (pad, tag))
            for member in value:
                render_item(member, depth + 1, out)
            out.append("%s</%s>\n" % (pad, tag))


def render_item(member, depth, out):
    pad = IND * depth
    if isinstance(member, str):
        out.append("%s<item>%s</item>\n" % (pad, esc(member)))
        return
    out.append("%s<item>\n" % pad)
    render_fields(member, depth + 1, out)
    out.append("%s</item>\n" % pad)


def item_bytes(fields):
    """One list member at the depth of a top-level set (Response > set > item)."""
    out = []
    render_item(fields, 2, out)
    return "".join(out).encode()


def tags(**kv):
    return [[("key", k), ("value", v)] for k, v in kv.items()]


class ListSpec:
    """One describe action's data: its response root, list elements, items and filter keys."""

    def __init__(self, root, set_names, max_results, paged=True):
        self.root = root
        self.set_names = set_names  # more than one: lists paged in parallel (endpoint services)
        self.items = [[] for _ in set_names]
        self.keys = []  # per item: {"vpc-id": ..., "subnet-id": [...], ...}
        self.max_results = max_results
        self.paged = paged

    def add(self, *fields_per_set, keys=None):
        for i, fields in enumerate(fields_per_set):
            self.items[i].append(fields if isinstance(fields, bytes) else item_bytes(fields))
        self.keys.append(keys or {})

    def __len__(self):
        return len(self.keys)

    def nbytes(self):
        return sum(len(b) for items in self.items for b in items)


class Account:
    def __init__(self, enis=20000, seed=1, vpcs=20, subnets=2000, endpoints=500,
                 region="us-east-1"):
        self.rng = random.Random(seed)
        self.region = region
        self.n_enis = enis
        self.lists = {
            "DescribeVpcs": ListSpec("DescribeVpcsResponse", ["vpcSet"], 1000),
            "DescribeSubnets": ListSpec("DescribeSubnetsResponse", ["subnetSet"], 1000),
            "DescribeAvailabilityZones": ListSpec("DescribeAvailabilityZonesResponse",
                                                  ["availabilityZoneInfo"], 0, paged=False),
            "DescribeVpcEndpoints": ListSpec("DescribeVpcEndpointsResponse", ["vpcEndpointSet"],
                                             1000),
            "DescribeVpcEndpointServices": ListSpec("DescribeVpcEndpointServicesResponse",
                                                    ["serviceNameSet", "serviceDetailSet"], 1000),
            "DescribeNetworkInterfaces": ListSpec("DescribeNetworkInterfacesResponse",
                                                  ["networkInterfaceSet"], 1000),
            "DescribeSecurityGroups": ListSpec("DescribeSecurityGroupsResponse",
                                               ["securityGroupInfo"], 1000),
            "DescribeNetworkAcls": ListSpec("DescribeNetworkAclsResponse", ["networkAclSet"],
                                            1000),
            "DescribeRouteTables": ListSpec("DescribeRouteTablesResponse", ["routeTableSet"], 100),
            "DescribePrefixLists": ListSpec("DescribePrefixListsResponse", ["prefixListSet"],
                                            1000),
            "DescribeFlowLogs": ListSpec("DescribeFlowLogsResponse", ["flowLogSet"], 1000),
        }
        self.vpc_ids = []
        self._build(vpcs, subnets, endpoints)

    # ---- ids ------------------------------------------------------------------------------
    def hexid(self, prefix, n=17):
        return "%s-%0*x" % (prefix, n, self.rng.getrandbits(4 * n))

    def mac(self):
        return "02:" + ":".join("%02x" % self.rng.getrandbits(8) for _ in range(5))

    def stamp(self):
        return "2024-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
            self.rng.randint(1, 12), self.rng.randint(1, 28), self.rng.randint(0, 23),
            self.rng.randint(0, 59), self.rng.randint(0, 59), self.rng.randint(0, 999))

    # ---- build ----------------------------------------------------------------------------
    def _build(self, n_vpcs, n_subnets, n_endpoints):
        r = self.region
        self.azs = ["%s%s" % (r, c) for c in "abcdef"]
        self.az_ids = {az: "use1-az%d" % (i + 1) for i, az in enumerate(self.azs)}
        for az in self.azs:
            self.lists["DescribeAvailabilityZones"].add([
                ("zoneState", "available"), ("optInStatus", "opt-in-not-required"),
                ("messageSet", []), ("regionName", r), ("zoneName", az),
                ("zoneId", self.az_ids[az]), ("groupName", r), ("networkBorderGroup", r),
                ("zoneType", "availability-zone")], keys={"zone-name": az})
        self.services = self._services()
        self.prefix_lists = self._prefix_lists()
        self.vpcs = []
        per_vpc = [n_subnets // n_vpcs + (1 if i < n_subnets % n_vpcs else 0)
                   for i in range(n_vpcs)]
        for v in range(n_vpcs):
            self._vpc(v, per_vpc[v])
        self._endpoints(n_endpoints)
        self._other_enis()
        self._flow_logs()

    def _services(self):
        names = ["s3", "dynamodb"] + ["svc%03d" % i for i in range(146)] + ["ssm", "ec2"]
        out = []
        spec = self.lists["DescribeVpcEndpointServices"]
        for name in names:
            kinds = ["Gateway", "Interface"] if name in ("s3", "dynamodb") else ["Interface"]
            for kind in kinds:
                full = "com.amazonaws.%s.%s" % (self.region, name)
                sid = self.hexid("vpce-svc")
                out.append((full, kind, sid))
                azs = self.azs if kind == "Interface" else self.azs
                spec.add(full, [
                    ("serviceName", full), ("serviceId", sid),
                    ("serviceType", [[("serviceType", kind)]]),
                    ("serviceRegion", self.region),
                    ("availabilityZoneSet", list(azs)), ("owner", "amazon"),
                    ("baseEndpointDnsNameSet", ["%s.%s.vpce.amazonaws.com" % (name, self.region)]),
                    ("privateDnsName", "%s.%s.amazonaws.com" % (name, self.region)
                     if kind == "Interface" else None),
                    ("privateDnsNameSet", [[("privateDnsName", "%s.%s.amazonaws.com"
                                             % (name, self.region))]] if kind == "Interface"
                     else []),
                    ("vpcEndpointPolicySupported", True), ("acceptanceRequired", False),
                    ("managesVpcEndpoints", False), ("tagSet", []),
                    ("privateDnsNameVerificationState", "verified"),
                    ("supportedIpAddressTypeSet", ["ipv4"])])
        return out

    def _prefix_lists(self):
        spec = self.lists["DescribePrefixLists"]
        out = {}
        for name, n in (("s3", 4), ("dynamodb", 2), ("cloudfront.origin-facing", 40)):
            pid = self.hexid("pl", 8)
            full = "com.amazonaws.%s.%s" % (self.region, name) if name != "cloudfront.origin-facing" \
                else "com.amazonaws.global.cloudfront.origin-facing"
            cidrs = ["%d.%d.%d.0/%d" % (self.rng.randint(3, 99), self.rng.randint(0, 255),
                                        self.rng.randint(0, 255), self.rng.choice((20, 22, 24)))
                     for _ in range(n)]
            spec.add([("prefixListId", pid), ("prefixListName", full), ("cidrSet", cidrs)])
            out[name] = pid
        return out

    def _vpc(self, v, n_subnets):
        rng = self.rng
        vpc_id = self.hexid("vpc")
        cidr = "10.%d.0.0/16" % v
        self.vpc_ids.append(vpc_id)
        team = "team%02d" % v
        self.lists["DescribeVpcs"].add([
            ("vpcId", vpc_id), ("ownerId", ACCOUNT), ("state", "available"), ("cidrBlock", cidr),
            ("cidrBlockAssociationSet", [[("cidrBlock", cidr),
                                          ("associationId", self.hexid("vpc-cidr-assoc")),
                                          ("cidrBlockState", Struct([("state", "associated")]))]]),
            ("ipv6CidrBlockAssociationSet", []), ("dhcpOptionsId", self.hexid("dopt")),
            ("tagSet", tags(Name="%s-vpc" % team, team=team)), ("instanceTenancy", "default"),
            ("isDefault", False)], keys={"vpc-id": vpc_id})
        azs = sorted(rng.sample(self.azs, rng.randint(3, 6)))
        subnets = []
        for s in range(n_subnets):
            az = azs[s % len(azs)]
            sid = self.hexid("subnet")
            # /24s past 255 reuse the third octet with a different 4th-octet range: keep valid
            base = "10.%d.%d" % (v, s % 256)
            subnets.append({"id": sid, "az": az, "base": base, "next": 4})
            self.lists["DescribeSubnets"].add([
                ("subnetId", sid),
                ("subnetArn", "arn:aws:ec2:%s:%s:subnet/%s" % (self.region, ACCOUNT, sid)),
                ("state", "available"), ("ownerId", ACCOUNT), ("vpcId", vpc_id),
                ("cidrBlock", base + ".0/24"), ("ipv6CidrBlockAssociationSet", []),
                ("availableIpAddressCount", 251), ("availabilityZone", az),
                ("availabilityZoneId", self.az_ids[az]), ("defaultForAz", False),
                ("mapPublicIpOnLaunch", False), ("assignIpv6AddressOnCreation", False),
                ("mapCustomerOwnedIpOnLaunch", False), ("enableDns64", False),
                ("ipv6Native", False),
                ("privateDnsNameOptionsOnLaunch", Struct([
                    ("hostnameType", "ip-name"), ("enableResourceNameDnsARecord", False),
                    ("enableResourceNameDnsAAAARecord", False)])),
                ("tagSet", tags(Name="%s-%s-%d" % (team, az[-1], s), tier=rng.choice(
                    ("private", "private", "public", "data"))))],
                keys={"vpc-id": vpc_id, "subnet-id": sid, "availability-zone": az})
        sgs = [self._security_group(vpc_id, cidr, team, g) for g in range(50)]
        rts = self._route_tables(vpc_id, cidr, team, subnets)
        self._nacls(vpc_id, team, subnets)
        self.vpcs.append({"id": vpc_id, "cidr": cidr, "azs": azs, "subnets": subnets,
                          "sgs": sgs, "rts": rts, "team": team})

    def _perm(self, proto, lo, hi, cidrs=(), groups=(), pls=()):
        return [("ipProtocol", proto), ("fromPort", lo), ("toPort", hi),
                ("groups", [[("userId", ACCOUNT), ("groupId", g)] for g in groups]),
                ("ipRanges", [[("cidrIp", c), ("description", "from %s" % c)] for c in cidrs]),
                ("ipv6Ranges", []), ("prefixListIds", [[("prefixListId", p)] for p in pls])]

    def _security_group(self, vpc_id, cidr, team, g):
        rng = self.rng
        gid = self.hexid("sg")
        name = "default" if g == 0 else "%s-sg-%02d" % (team, g)
        ingress = [self._perm("tcp", p, p, cidrs=[cidr]) for p in
                   rng.sample((22, 80, 443, 3306, 5432, 6379, 8080, 8443), rng.randint(1, 4))]
        egress = [[("ipProtocol", "-1"), ("groups", []), ("ipRanges", [[("cidrIp", "0.0.0.0/0")]]),
                   ("ipv6Ranges", []), ("prefixListIds", [])]]
        if g % 7 == 3:
            egress.append(self._perm("tcp", 443, 443, pls=[self.prefix_lists["s3"]]))
        self.lists["DescribeSecurityGroups"].add([
            ("ownerId", ACCOUNT), ("groupId", gid), ("groupName", name),
            ("groupDescription", "default VPC security group" if g == 0 else "%s tier %d"
             % (team, g)),
            ("vpcId", vpc_id),
            ("securityGroupArn", "arn:aws:ec2:%s:%s:security-group/%s"
             % (self.region, ACCOUNT, gid)),
            ("ipPermissions", ingress), ("ipPermissionsEgress", egress),
            ("tagSet", tags(team=team) if g else [])], keys={"vpc-id": vpc_id})
        return {"id": gid, "name": name}

    def _route_tables(self, vpc_id, cidr, team, subnets):
        spec = self.lists["DescribeRouteTables"]
        rts = [self.hexid("rtb") for _ in range(20)]
        igw, nat = self.hexid("igw"), self.hexid("nat")
        for i, rtb in enumerate(rts):
            assoc = []
            if i == 0:
                assoc.append([("routeTableAssociationId", self.hexid("rtbassoc")),
                              ("routeTableId", rtb), ("main", True),
                              ("associationState", Struct([("state", "associated")]))])
            for s in subnets[i::len(rts)]:
                assoc.append([("routeTableAssociationId", self.hexid("rtbassoc")),
                              ("routeTableId", rtb), ("subnetId", s["id"]), ("main", False),
                              ("associationState", Struct([("state", "associated")]))])
            routes = [[("destinationCidrBlock", cidr), ("gatewayId", "local"),
                       ("state", "active"), ("origin", "CreateRouteTable")],
                      [("destinationCidrBlock", "0.0.0.0/0"),
                       ("gatewayId" if i % 2 else "natGatewayId", igw if i % 2 else nat),
                       ("state", "active"), ("origin", "CreateRoute")]]
            spec.add([("routeTableId", rtb), ("vpcId", vpc_id), ("ownerId", ACCOUNT),
                      ("routeSet", routes), ("associationSet", assoc), ("propagatingVgwSet", []),
                      ("tagSet", tags(Name="%s-rt-%02d" % (team, i)))],
                     keys={"vpc-id": vpc_id})
        return rts

    def _flow_logs(self):
        """Three VPCs in four log to CloudWatch Logs; every other one also logs its first
        subnet's rejects to S3, and every fifth of those fails delivery. IDs come from the VPC
        index, not the generator, so adding them changed no other ID."""
        spec = self.lists["DescribeFlowLogs"]
        fmt = ("${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} "
               "${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} "
               "${log-status}")
        for v, vpc in enumerate(self.vpcs):
            base = [("deliverLogsPermissionArn",
                     "arn:aws:iam::%s:role/flow-logs" % ACCOUNT),
                    ("logFormat", fmt), ("maxAggregationInterval", 600),
                    ("creationTime", "2024-01-%02dT00:00:00.000Z" % (v % 28 + 1))]
            if v % 4 != 3:
                spec.add([("flowLogId", "fl-%017x" % (2 * v)), ("resourceId", vpc["id"]),
                          ("trafficType", "ALL"), ("logDestinationType", "cloud-watch-logs"),
                          ("logGroupName", "/vpc/%s" % vpc["team"]),
                          ("flowLogStatus", "ACTIVE"), ("deliverLogsStatus", "SUCCESS"),
                          ("tagSet", tags(Name="%s-flow" % vpc["team"]))] + base,
                         keys={"resource-id": vpc["id"]})
            if v % 2 == 0 and vpc["subnets"]:
                sub = vpc["subnets"][0]["id"]
                failed = v % 10 == 0
                spec.add([("flowLogId", "fl-%017x" % (2 * v + 1)), ("resourceId", sub),
                          ("trafficType", "REJECT"), ("logDestinationType", "s3"),
                          ("logDestination", "arn:aws:s3:::%s-flow-logs" % vpc["team"]),
                          ("flowLogStatus", "ACTIVE"),
                          ("deliverLogsStatus", "FAILED" if failed else "SUCCESS"),
                          ("deliverLogsErrorMessage", "Access error" if failed else None),
                          ("tagSet", [])] + base, keys={"resource-id": sub})

    def _nacls(self, vpc_id, team, subnets):
        for i in range(5):
            acl = self.hexid("acl")
            entries = []
            for egress in (True, False):
                entries.append([("ruleNumber", 100), ("protocol", "-1"), ("ruleAction", "allow"),
                                ("egress", egress), ("cidrBlock", "0.0.0.0/0")])
                entries.append([("ruleNumber", 200), ("protocol", "6"), ("ruleAction", "deny"),
                                ("egress", egress), ("cidrBlock", "198.51.100.0/24"),
                                ("portRange", Struct([("from", 22), ("to", 22)]))])
                entries.append([("ruleNumber", 32767), ("protocol", "-1"), ("ruleAction", "deny"),
                                ("egress", egress), ("cidrBlock", "0.0.0.0/0")])
            assoc = [[("networkAclAssociationId", self.hexid("aclassoc")), ("networkAclId", acl),
                      ("subnetId", s["id"])] for s in subnets[i::5]]
            self.lists["DescribeNetworkAcls"].add([
                ("networkAclId", acl), ("vpcId", vpc_id), ("default", i == 0),
                ("entrySet", entries), ("associationSet", assoc),
                ("tagSet", tags(Name="%s-acl-%d" % (team, i))), ("ownerId", ACCOUNT)],
                keys={"vpc-id": vpc_id})

    def _next_ip(self, subnet):
        n = subnet["next"]
        subnet["next"] = n + 1 if n < 254 else 4
        return "%s.%d" % (subnet["base"], n)

    def _eni_fields(self, eni_id, subnet, vpc_id, ip, description, kind, groups,
                    requester=None, attachment=None, tagset=None):
        dns = "ip-%s.ec2.internal" % ip.replace(".", "-")
        return [
            ("networkInterfaceId", eni_id), ("subnetId", subnet["id"]), ("vpcId", vpc_id),
            ("availabilityZone", subnet["az"]), ("availabilityZoneId", self.az_ids[subnet["az"]]),
            ("description", description), ("ownerId", ACCOUNT),
            ("requesterId", requester), ("requesterManaged", requester is not None),
            ("status", "in-use"), ("macAddress", self.mac()), ("privateIpAddress", ip),
            ("privateDnsName", dns), ("sourceDestCheck", True),
            ("groupSet", [[("groupId", g["id"]), ("groupName", g["name"])] for g in groups]),
            ("attachment", attachment), ("tagSet", tagset or []),
            ("privateIpAddressesSet", [[("privateIpAddress", ip), ("privateDnsName", dns),
                                        ("primary", True)]]),
            ("ipv6AddressesSet", []), ("interfaceType", kind)]

    def _add_eni(self, fields, vpc_id, subnet):
        self.lists["DescribeNetworkInterfaces"].add(
            fields, keys={"vpc-id": vpc_id, "subnet-id": subnet["id"],
                          "availability-zone": subnet["az"]})

    def _endpoints(self, n):
        rng = self.rng
        spec = self.lists["DescribeVpcEndpoints"]
        interface = [s for s in self.services if s[1] == "Interface"]
        gateway = [s for s in self.services if s[1] == "Gateway"]
        self.endpoint_enis = 0
        n_gw = n * 8 // 100
        for e in range(n):
            vpc = self.vpcs[e % len(self.vpcs)]
            vid = self.hexid("vpce")
            if e < n_gw:
                svc = gateway[e % len(gateway)]
                spec.add([
                    ("vpcEndpointId", vid), ("vpcEndpointType", "Gateway"), ("vpcId", vpc["id"]),
                    ("serviceName", svc[0]), ("state", "available"),
                    ("policyDocument", '{"Version":"2008-10-17","Statement":[{"Effect":"Allow",'
                                       '"Principal":"*","Action":"*","Resource":"*"}]}'),
                    ("routeTableIdSet", rng.sample(vpc["rts"], 4)), ("subnetIdSet", []),
                    ("groupSet", []), ("ipAddressType", "ipv4"), ("privateDnsEnabled", False),
                    ("requesterManaged", False), ("networkInterfaceIdSet", []),
                    ("dnsEntrySet", []), ("creationTimestamp", self.stamp()),
                    ("tagSet", tags(Name="%s-gw-%d" % (vpc["team"], e))),
                    ("ownerId", ACCOUNT)], keys={"vpc-id": vpc["id"]})
                continue
            svc = interface[e % len(interface)]
            short = svc[0].rsplit(".", 1)[1]
            per_az = {}
            for s in vpc["subnets"]:
                per_az.setdefault(s["az"], []).append(s)
            chosen = [rng.choice(per_az[az]) for az in sorted(per_az)][:rng.randint(2, 3)]
            sg = rng.choice(vpc["sgs"])
            enis = []
            for s in chosen:
                eni = self.hexid("eni")
                enis.append(eni)
                self._add_eni(self._eni_fields(
                    eni, s, vpc["id"], self._next_ip(s), "VPC Endpoint Interface %s" % vid,
                    "vpc_endpoint", [sg], requester="727180483921"), vpc["id"], s)
            self.endpoint_enis += len(enis)
            suffix = "%08x" % rng.getrandbits(32)
            dns = [[("dnsName", "%s-%s.%s.%s.vpce.amazonaws.com" % (vid, suffix, short,
                                                                       self.region)),
                    ("hostedZoneId", "Z7HUB22UULQXV")]]
            dns += [[("dnsName", "%s-%s-%s.%s.%s.vpce.amazonaws.com"
                      % (vid, suffix, s["az"], short, self.region)),
                     ("hostedZoneId", "Z7HUB22UULQXV")] for s in chosen]
            private = e % 3 != 0
            if private:
                dns.append([("dnsName", "%s.%s.amazonaws.com" % (short, self.region)),
                            ("hostedZoneId", "Z0%012X" % rng.getrandbits(48))])
            spec.add([
                ("vpcEndpointId", vid), ("vpcEndpointType", "Interface"), ("vpcId", vpc["id"]),
                ("serviceName", svc[0]), ("state", "available"),
                ("policyDocument", '{\n  "Statement": [\n    {\n      "Action": "*",\n'
                                   '      "Effect": "Allow",\n      "Principal": "*",\n'
                                   '      "Resource": "*"\n    }\n  ]\n}'),
                ("routeTableIdSet", []), ("subnetIdSet", [s["id"] for s in chosen]),
                ("groupSet", [[("groupId", sg["id"]), ("groupName", sg["name"])]]),
                ("ipAddressType", "ipv4"),
                ("dnsOptions", Struct([("dnsRecordIpType", "ipv4")])),
                ("privateDnsEnabled", private), ("requesterManaged", False),
                ("networkInterfaceIdSet", enis), ("dnsEntrySet", dns),
                ("creationTimestamp", self.stamp()),
                ("tagSet", tags(Name="%s-%s" % (vpc["team"], short), team=vpc["team"])),
                ("ownerId", ACCOUNT)], keys={"vpc-id": vpc["id"]})

    def _other_enis(self):
        rng = self.rng
        all_subnets = [(v, s) for v in self.vpcs for s in v["subnets"]]
        left = self.n_enis - self.endpoint_enis
        for i in range(max(0, left)):
            vpc, s = all_subnets[i % len(all_subnets)]
            eni = self.hexid("eni")
            roll = rng.random()
            groups = rng.sample(vpc["sgs"][1:], rng.randint(1, 2))
            if roll < 0.1:
                fields = self._eni_fields(eni, s, vpc["id"], self._next_ip(s),
                                          "AWS Lambda VPC ENI-fn-%d" % i, "lambda", groups,
                                          requester="AROAEXAMPLELAMBDA:%d" % i)
            else:
                inst = self.hexid("i")
                att = Struct([("attachmentId", self.hexid("eni-attach")),
                              ("instanceId", inst), ("instanceOwnerId", ACCOUNT),
                              ("deviceIndex", 0), ("status", "attached"),
                              ("attachTime", self.stamp()), ("deleteOnTermination", True),
                              ("networkCardIndex", 0)])
                fields = self._eni_fields(eni, s, vpc["id"], self._next_ip(s),
                                          "Primary network interface", "interface", groups,
                                          attachment=att,
                                          tagset=tags(team=vpc["team"]) if i % 4 == 0 else None)
            self._add_eni(fields, vpc["id"], s)

    # ---- pages ----------------------------------------------------------------------------
    def summary(self):
        return {action: {"items": len(spec), "bytes": spec.nbytes()}
                for action, spec in self.lists.items()}


def render_page(spec, start, count, next_token, request_id):
    """The bytes of one EC2 describe response holding items[start:start+count] of every list."""
    parts = [b'<?xml version="1.0" encoding="UTF-8"?>\n<', spec.root.encode(), b' xmlns="',
             NS.encode(), b'">\n    <requestId>', request_id.encode(), b"</requestId>\n"]
    for name, items in zip(spec.set_names, spec.items):
        chunk = items[start:start + count]
        if chunk:
            parts += [b"    <", name.encode(), b">\n"]
            parts += chunk
            parts += [b"    </", name.encode(), b">\n"]
        else:
            parts += [b"    <", name.encode(), b"/>\n"]
    if next_token:
        parts += [b"    <nextToken>", next_token.encode(), b"</nextToken>\n"]
    parts += [b"</", spec.root.encode(), b">\n"]
    return b"".join(parts)


def render_selected(spec, indexes, next_token, request_id):
    """Like render_page, for an explicit list of item indexes (filtered requests)."""
    sub = ListSpec(spec.root, spec.set_names, spec.max_results)
    sub.items = [[items[i] for i in indexes] for items in spec.items]
    return render_page(sub, 0, len(indexes), next_token, request_id)


def write_pages(acct, outdir):
    """Every page at the API's largest page size, as vpcx requests them."""
    os.makedirs(outdir, exist_ok=True)
    n = 0
    for action, spec in acct.lists.items():
        size = spec.max_results or max(1, len(spec))
        for start in range(0, max(1, len(spec)), size):
            token = "t%d" % (start + size) if start + size < len(spec) else None
            path = os.path.join(outdir, "%s-%06d.xml" % (action, start))
            with open(path, "wb") as f:
                f.write(render_page(spec, start, size, token, str(uuid.UUID(int=n))))
            n += 1
    return n


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enis", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--write-pages", metavar="DIR")
    args = ap.parse_args(argv)
    acct = Account(enis=args.enis, seed=args.seed)
    if args.write_pages:
        print("%d pages written to %s" % (write_pages(acct, args.write_pages), args.write_pages))
    for action, info in acct.summary().items():
        print("%-30s %7d items %11d bytes" % (action, info["items"], info["bytes"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
