#!/usr/bin/env python3
"""Writes data/demo.json, the demo inventory compiled into vpcx, from tools/demo_spec.py.

    tools/make_demo.py [-o data/demo.json]

The output has the snapshot format `vpcx dump` writes, with every record shaped as
DescribeVpcs, DescribeSubnets, DescribeNetworkInterfaces... return it (botocore's ec2 model;
the samples in tests/data/ec2-xml): addresses drawn from their subnet's usable range (never
the network address, the router +1, DNS +2, the reserved +3 or the broadcast), one per ENI
and unique; AvailableIpAddressCount = size - 5 - used; endpoint ENIs of type vpc_endpoint,
requester-managed, in the endpoint's groups; default groups with their self-referencing
rule; NACLs ending in the "*" rule. The endpoint service catalogue is
tools/demo_services.json (DescribeVpcEndpointServices for us-east-1 as moto 5.2.1 serves it
from botocore's endpoint data). Deterministic: no clock and no unseeded randomness, so a
rerun writes the same bytes.
"""
import argparse
import hashlib
import ipaddress
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import demo_spec as S  # noqa: E402

# An ENI kind: how AWS makes the ENIs of that owner. desc takes the workload name and a
# per-ENI hex string; requester is None for ENIs the account creates itself.
KINDS = {
    "lambda": {"type": "lambda", "managed": True,
               "desc": lambda n, h: "AWS Lambda VPC ENI-%s-%s-%s-%s-%s-%s" % (
                   n, h[0:8], h[8:12], h[12:16], h[16:20], h[20:32]),
               "requester": lambda n, h: "AROA%s:%s" % (h[:17].upper(), n)},
    "alb": {"type": "interface", "managed": True,
            "desc": lambda n, h: "ELB app/%s/%s" % (n, h[:16]),
            "requester": lambda n, h: "amazon-elb", "owner": "amazon-elb"},
    "nlb": {"type": "network_load_balancer", "managed": True,
            "desc": lambda n, h: "ELB net/%s/%s" % (n, h[:16]),
            "requester": lambda n, h: "amazon-elb", "owner": "amazon-elb"},
    "nat": {"type": "natGateway", "managed": True, "no_groups": True,
            "desc": lambda n, h: "Interface for NAT Gateway nat-%s" % h[:17],
            "requester": lambda n, h: "amazon-aws", "owner": "amazon-aws"},
    "rds": {"type": "interface", "managed": True,
            "desc": lambda n, h: "RDSNetworkInterface",
            "requester": lambda n, h: "amazon-rds", "owner": "amazon-rds"},
    "eks": {"type": "interface", "managed": False,
            "desc": lambda n, h: "Amazon EKS %s" % n,
            "requester": lambda n, h: "AROA%s:AmazonEKS" % h[:17].upper()},
    "k8s": {"type": "interface", "managed": False, "instance": True, "device": 1,
            "desc": lambda n, h: "aws-K8S-i-%s" % h[17:34],
            "requester": lambda n, h: "AROA%s:i-%s" % (h[:17].upper(), h[17:34])},
    "instance": {"type": "interface", "managed": False, "instance": True, "device": 0,
                 "desc": lambda n, h: "", "requester": None},
}


def digest(*parts):
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def hexid(prefix, *parts):
    return "%s-%s" % (prefix, digest(prefix, *parts)[:17])


def tags(pairs):
    return [{"Key": k, "Value": v} for k, v in pairs]


def name_of(pairs):
    return dict(pairs).get("Name")


class Subnet:
    """A subnet's address pool: AWS's five reserved addresses are never handed out."""

    def __init__(self, spec):
        self.spec = spec
        self.net = ipaddress.ip_network(spec["cidr"])
        self.used = set()
        self.rng = random.Random(spec["id"])

    def usable(self):
        first = int(self.net.network_address) + 4
        last = int(self.net.broadcast_address) - 1
        return first, last

    def take(self):
        first, last = self.usable()
        if len(self.used) >= last - first + 1:
            sys.exit("%s is full" % self.spec["id"])
        while True:
            ip = self.rng.randint(first, last)
            if ip not in self.used:
                self.used.add(ip)
                return str(ipaddress.ip_address(ip))

    def available(self):
        return self.net.num_addresses - 5 - len(self.used)


def private_dns_name(ip):
    return "ip-%s.ec2.internal" % ip.replace(".", "-")


def mac(eni_id):
    h = digest("mac", eni_id)
    return "0e:" + ":".join(h[i:i + 2] for i in range(0, 10, 2))


def az_id(zone):
    return dict(S.AZS)[zone]


def make_eni(eni_id, sn, vpc_id, ip, desc, itype, groups, managed, requester, attachment,
             tagset):
    eni = {
        "AvailabilityZone": sn.spec["az"],
        "AvailabilityZoneId": az_id(sn.spec["az"]),
        "Description": desc,
        "Groups": groups,
        "InterfaceType": itype,
        "Ipv6Addresses": [],
        "MacAddress": mac(eni_id),
        "NetworkInterfaceId": eni_id,
        "OwnerId": S.ACCOUNT,
        "PrivateDnsName": private_dns_name(ip),
        "PrivateIpAddress": ip,
        "PrivateIpAddresses": [{"Primary": True, "PrivateDnsName": private_dns_name(ip),
                                "PrivateIpAddress": ip}],
        "Ipv4Prefixes": [],
        "Ipv6Prefixes": [],
        "RequesterManaged": managed,
        "SourceDestCheck": itype != "natGateway",
        "Status": "in-use",
        "SubnetId": sn.spec["id"],
        "TagSet": tagset,
        "VpcId": vpc_id,
    }
    if requester:
        eni["RequesterId"] = requester
    if attachment:
        eni["Attachment"] = attachment
    return dict(sorted(eni.items()))


class Demo:
    def __init__(self):
        self.services = json.load(open(os.path.join(HERE, "demo_services.json"), encoding="utf-8"))
        self.vpc = {v["key"]: v for v in S.VPCS}
        self.subnets = {s["id"]: Subnet(s) for s in S.SUBNETS}
        self.sg_names = {sg["id"]: sg["name"] for sg in S.SECURITY_GROUPS}
        for v in S.VPCS:
            self.sg_names[v["default_sg"]] = "default"
        self.enis = []

    def group_refs(self, ids):
        return [{"GroupId": g, "GroupName": self.sg_names[g]} for g in ids]

    def service(self, short, kind):
        name = "com.amazonaws.%s.%s" % (S.REGION, short)
        for s in self.services:
            if s["ServiceName"] == name and s["ServiceType"][0]["ServiceType"] == kind:
                return s
        sys.exit("no %s service %s in demo_services.json" % (kind, name))

    # ---- VPCs, subnets, AZs

    def vpcs(self):
        out = []
        for v in S.VPCS:
            ipv6 = []
            if v.get("ipv6"):
                assoc, block = v["ipv6"]
                ipv6 = [{"AssociationId": assoc, "Ipv6CidrBlock": block,
                         "Ipv6CidrBlockState": {"State": "associated"},
                         "NetworkBorderGroup": S.REGION, "Ipv6Pool": "Amazon"}]
            out.append({
                "CidrBlock": v["cidr"],
                "CidrBlockAssociationSet": [{"AssociationId": v["assoc"], "CidrBlock": v["cidr"],
                                             "CidrBlockState": {"State": "associated"}}],
                "DhcpOptionsId": "dopt-%s" % digest("dopt", S.ACCOUNT)[:17],
                "InstanceTenancy": "default",
                "Ipv6CidrBlockAssociationSet": ipv6,
                "IsDefault": bool(v.get("is_default")),
                "OwnerId": S.ACCOUNT,
                "State": "available",
                "Tags": tags(v["tags"]),
                "VpcId": v["id"],
            })
        return out

    def subnet_records(self):
        out = []
        for sn in self.subnets.values():
            s = sn.spec
            v = self.vpc[s["vpc"]]
            ipv6 = []
            if s.get("ipv6"):
                assoc, block = s["ipv6"]
                ipv6 = [{"AssociationId": assoc, "Ipv6CidrBlock": block,
                         "Ipv6CidrBlockState": {"State": "associated"}}]
            default = bool(s.get("default"))
            out.append({
                "AssignIpv6AddressOnCreation": False,
                "AvailabilityZone": s["az"],
                "AvailabilityZoneId": az_id(s["az"]),
                "AvailableIpAddressCount": sn.available(),
                "CidrBlock": s["cidr"],
                "DefaultForAz": default,
                "EnableDns64": False,
                "Ipv6CidrBlockAssociationSet": ipv6,
                "Ipv6Native": False,
                "MapCustomerOwnedIpOnLaunch": False,
                "MapPublicIpOnLaunch": default,
                "OwnerId": S.ACCOUNT,
                "PrivateDnsNameOptionsOnLaunch": {"EnableResourceNameDnsAAAARecord": False,
                                                  "EnableResourceNameDnsARecord": False,
                                                  "HostnameType": "ip-name"},
                "State": "available",
                "SubnetArn": "arn:aws:ec2:%s:%s:subnet/%s" % (S.REGION, S.ACCOUNT, s["id"]),
                "SubnetId": s["id"],
                "Tags": tags(s.get("tags", [])),
                "VpcId": v["id"],
            })
        return out

    def azs(self):
        return [{"GroupName": S.REGION, "Messages": [], "NetworkBorderGroup": S.REGION,
                 "OptInStatus": "opt-in-not-required", "RegionName": S.REGION,
                 "State": "available", "ZoneId": zid, "ZoneName": zone,
                 "ZoneType": "availability-zone"} for zone, zid in S.AZS]

    # ---- endpoints and their ENIs

    def dns_entries(self, ep, svc, zones):
        base = svc["BaseEndpointDnsNames"][0]
        label = "%s-%s" % (ep["id"], digest("dns", ep["id"])[:8])
        out = [{"DnsName": "%s.%s" % (label, base), "HostedZoneId": S.VPCE_HOSTED_ZONE}]
        for zone in sorted(zones):
            out.append({"DnsName": "%s-%s.%s" % (label, zone, base),
                        "HostedZoneId": S.VPCE_HOSTED_ZONE})
        if ep.get("private_dns") and svc.get("PrivateDnsName"):
            zone_id = "Z" + digest("phz", ep["id"])[:20].upper()
            out.append({"DnsName": svc["PrivateDnsName"], "HostedZoneId": zone_id})
        return out

    def endpoint(self, ep):
        v = self.vpc[ep["vpc"]]
        svc = self.service(ep["service"], ep["type"])
        rec = {
            "CreationTimestamp": S.CREATED_AT,
            "OwnerId": S.ACCOUNT,
            "PolicyDocument": json.dumps(ep["policy"], indent=2),
            "RequesterManaged": False,
            "ServiceName": svc["ServiceName"],
            "State": "available",
            "Tags": tags([("Name", ep["name"])] if ep.get("name") else []),
            "VpcEndpointId": ep["id"],
            "VpcEndpointType": ep["type"],
            "VpcId": v["id"],
        }
        if ep["type"] == "Gateway":
            rec.update({"DnsEntries": [], "Groups": [], "NetworkInterfaceIds": [],
                        "PrivateDnsEnabled": False, "RouteTableIds": ep["route_tables"],
                        "SubnetIds": []})
            return dict(sorted(rec.items()))
        zones = []
        for subnet_id, eni_id in ep["enis"]:
            sn = self.subnets[subnet_id]
            zones.append(sn.spec["az"])
            ip = sn.take()
            self.enis.append(make_eni(
                eni_id, sn, v["id"], ip, "VPC Endpoint Interface %s" % ep["id"], "vpc_endpoint",
                self.group_refs(ep["groups"]), True, S.ENDPOINT_REQUESTER_ID, None, []))
        rec.update({
            "DnsEntries": self.dns_entries(ep, svc, zones),
            "DnsOptions": {"DnsRecordIpType": "ipv4"},
            "Groups": self.group_refs(ep["groups"]),
            "IpAddressType": "ipv4",
            "NetworkInterfaceIds": sorted(e for _, e in ep["enis"]),
            "PrivateDnsEnabled": bool(ep["private_dns"]),
            "RouteTableIds": [],
            "SubnetIds": [s for s, _ in ep["enis"]],
        })
        return dict(sorted(rec.items()))

    def workload_enis(self):
        for sn in self.subnets.values():
            s = sn.spec
            v = self.vpc[s["vpc"]]
            for kind, count, name, *owner in s.get("workloads", []):
                k = KINDS[kind]
                for i in range(count):
                    h = digest(s["id"], kind, name, str(i))
                    eni_id = "eni-" + h[-17:]
                    groups = [] if k.get("no_groups") else self.group_refs(
                        [S.WORKLOAD_GROUP[s["vpc"]]])
                    attachment = None
                    tagset = []
                    if k.get("instance"):
                        instance = "i-" + (h[17:34] if kind == "k8s" else h[:17])
                        attachment = {"AttachTime": S.CREATED_AT,
                                      "AttachmentId": "eni-attach-" + h[34:51],
                                      "DeleteOnTermination": True,
                                      "DeviceIndex": k["device"], "InstanceId": instance,
                                      "InstanceOwnerId": S.ACCOUNT, "NetworkCardIndex": 0,
                                      "Status": "attached"}
                        if kind == "k8s":
                            tagset = tags([("cluster.k8s.amazonaws.com/name", name),
                                           ("node.k8s.amazonaws.com/instance_id", instance)])
                        else:
                            tagset = tags([("Name", name)] + [("Owner", o) for o in owner])
                    elif k.get("owner"):
                        attachment = {"AttachmentId": "ela-attach-" + h[34:51],
                                      "DeleteOnTermination": False, "DeviceIndex": 1,
                                      "InstanceOwnerId": k["owner"], "Status": "attached"}
                    requester = k["requester"](name, h) if k["requester"] else None
                    self.enis.append(make_eni(eni_id, sn, v["id"], sn.take(), k["desc"](name, h),
                                              k["type"], groups, k["managed"], requester,
                                              attachment, tagset))

    # ---- security groups, NACLs, route tables

    def security_groups(self):
        out = []
        egress = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [],
                   "PrefixListIds": [], "UserIdGroupPairs": []}]
        for v in S.VPCS:
            sg = v["default_sg"]
            out.append({
                "Description": "default VPC security group", "GroupId": sg,
                "GroupName": "default",
                "IpPermissions": [{"IpProtocol": "-1", "IpRanges": [], "Ipv6Ranges": [],
                                   "PrefixListIds": [],
                                   "UserIdGroupPairs": [{"GroupId": sg, "UserId": S.ACCOUNT}]}],
                "IpPermissionsEgress": egress, "OwnerId": S.ACCOUNT,
                "SecurityGroupArn": "arn:aws:ec2:%s:%s:security-group/%s" % (
                    S.REGION, S.ACCOUNT, sg),
                "Tags": [], "VpcId": v["id"]})
        for g in S.SECURITY_GROUPS:
            perms = []
            for proto, lo, hi, peer, desc in g["ingress"]:
                p = {"FromPort": lo, "IpProtocol": proto, "IpRanges": [], "Ipv6Ranges": [],
                     "PrefixListIds": [], "ToPort": hi, "UserIdGroupPairs": []}
                if peer.startswith("sg:"):
                    p["UserIdGroupPairs"].append({"Description": desc, "GroupId": peer[3:],
                                                  "UserId": S.ACCOUNT})
                else:
                    p["IpRanges"].append({"CidrIp": peer, "Description": desc})
                perms.append(p)
            out.append({
                "Description": g["description"], "GroupId": g["id"], "GroupName": g["name"],
                "IpPermissions": perms, "IpPermissionsEgress": egress, "OwnerId": S.ACCOUNT,
                "SecurityGroupArn": "arn:aws:ec2:%s:%s:security-group/%s" % (
                    S.REGION, S.ACCOUNT, g["id"]),
                "Tags": [], "VpcId": self.vpc[g["vpc"]]["id"]})
        return out

    @staticmethod
    def acl_entry(number, egress, proto, lo, hi, cidr, action):
        e = {"Egress": egress, "Protocol": proto, "RuleAction": action, "RuleNumber": number}
        if ":" in cidr:
            e["Ipv6CidrBlock"] = cidr
        else:
            e["CidrBlock"] = cidr
        if lo is not None:
            e["PortRange"] = {"From": lo, "To": hi}
        return dict(sorted(e.items()))

    def star_entries(self, v):
        """The "*" rule closing each direction (32767; 32768 for ::/0 in an IPv6 VPC)."""
        out = []
        for egress in (False, True):
            out.append(self.acl_entry(32767, egress, "-1", None, None, "0.0.0.0/0", "deny"))
            if v.get("ipv6"):
                out.append(self.acl_entry(32768, egress, "-1", None, None, "::/0", "deny"))
        return out

    def network_acls(self):
        custom = {}
        for a in S.NETWORK_ACLS:
            for subnet_id, assoc in a["subnets"]:
                custom[subnet_id] = a
        out = []
        for v in S.VPCS:
            acl_id, assoc_prefix = v["default_acl"]
            assocs = [{"NetworkAclAssociationId": "%s%s" % (
                          assoc_prefix, digest("aclassoc", s.spec["id"])[:13]),
                       "NetworkAclId": acl_id, "SubnetId": s.spec["id"]}
                      for s in self.subnets.values()
                      if s.spec["vpc"] == v["key"] and s.spec["id"] not in custom]
            entries = []
            for egress in (False, True):
                entries.append(self.acl_entry(100, egress, "-1", None, None, "0.0.0.0/0",
                                              "allow"))
                if v.get("ipv6"):
                    entries.append(self.acl_entry(101, egress, "-1", None, None, "::/0",
                                                  "allow"))
            out.append({"Associations": assocs, "Entries": entries + self.star_entries(v),
                        "IsDefault": True, "NetworkAclId": acl_id, "OwnerId": S.ACCOUNT,
                        "Tags": [], "VpcId": v["id"]})
        for a in S.NETWORK_ACLS:
            v = self.vpc[a["vpc"]]
            entries = [self.acl_entry(*e) for e in a["entries"]] + self.star_entries(v)
            out.append({"Associations": [{"NetworkAclAssociationId": assoc,
                                          "NetworkAclId": a["id"], "SubnetId": s}
                                         for s, assoc in a["subnets"]],
                        "Entries": entries, "IsDefault": False, "NetworkAclId": a["id"],
                        "OwnerId": S.ACCOUNT, "Tags": tags([("Name", a["name"])]),
                        "VpcId": v["id"]})
        return out

    def route_tables(self):
        pl = {name: pid for pid, name in S.PREFIX_LISTS}
        out = []
        for t in S.ROUTE_TABLES:
            v = self.vpc[t["vpc"]]
            routes = [{"DestinationCidrBlock": v["cidr"], "GatewayId": "local",
                       "Origin": "CreateRouteTable", "State": "active"}]
            if v.get("ipv6"):
                routes.append({"DestinationIpv6CidrBlock": v["ipv6"][1], "GatewayId": "local",
                               "Origin": "CreateRouteTable", "State": "active"})
            for dest, target in t["routes"]:
                routes.append({"DestinationCidrBlock": dest, "GatewayId": target,
                               "Origin": "CreateRoute", "State": "active"})
            for ep in S.ENDPOINTS:
                if t["id"] in ep.get("route_tables", []):
                    name = "com.amazonaws.%s.%s" % (S.REGION, ep["service"])
                    routes.append({"DestinationPrefixListId": pl[name], "GatewayId": ep["id"],
                                   "Origin": "CreateRoute", "State": "active"})
            assocs = []
            for target, assoc_id in t["assoc"]:
                a = {"AssociationState": {"State": "associated"}, "Main": target == "main",
                     "RouteTableAssociationId": assoc_id, "RouteTableId": t["id"]}
                if target != "main":
                    a["SubnetId"] = target
                assocs.append(a)
            out.append({"Associations": assocs, "OwnerId": S.ACCOUNT, "PropagatingVgws": [],
                        "RouteTableId": t["id"], "Routes": routes, "Tags": tags(t["tags"]),
                        "VpcId": v["id"]})
        return out

    def flow_logs(self):
        # As DescribeFlowLogs returns them (default format, 10-minute aggregation).
        fmt = ("${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} "
               "${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} "
               "${log-status}")
        vpc_ids = {v["key"]: v["id"] for v in S.VPCS}
        out = []
        for f in S.FLOW_LOGS:
            vpc = vpc_ids[f["vpc"]]
            log = {"CreationTime": S.CREATED_AT, "DeliverLogsStatus": "SUCCESS",
                   "FlowLogId": hexid("fl", vpc, f["traffic"]), "FlowLogStatus": "ACTIVE",
                   "LogDestinationType": f["destination"], "LogFormat": fmt,
                   "MaxAggregationInterval": 600, "ResourceId": vpc,
                   "Tags": tags(f["tags"]), "TrafficType": f["traffic"]}
            if f["destination"] == "cloud-watch-logs":
                log["LogGroupName"] = f["log_group"]
                log["LogDestination"] = "arn:aws:logs:%s:%s:log-group:%s" % (
                    S.REGION, S.ACCOUNT, f["log_group"])
                log["DeliverLogsPermissionArn"] = "arn:aws:iam::%s:role/%s" % (S.ACCOUNT,
                                                                                f["role"])
            else:
                log["LogDestination"] = "arn:aws:s3:::%s/%s" % (f["bucket"], f["prefix"])
                log["DestinationOptions"] = {"FileFormat": "plain-text",
                                             "HiveCompatiblePartitions": False,
                                             "PerHourPartition": False}
            out.append(log)
        return sorted(out, key=lambda r: r["FlowLogId"])

    def build(self):
        # Endpoints first: their ENIs take addresses before the workloads do.
        endpoints = [self.endpoint(ep) for ep in S.ENDPOINTS]
        self.workload_enis()
        by = lambda key: (lambda r: r[key])  # noqa: E731
        return {
            "Metadata": {
                "FormatVersion": 1,
                "Generator": "tools/make_demo.py",
                "Account": S.ACCOUNT,
                "Arn": "arn:aws:sts::%s:assumed-role/demo-readonly/demo" % S.ACCOUNT,
                "Region": S.REGION,
                "Endpoint": "https://ec2.%s.amazonaws.com" % S.REGION,
                "Profile": "demo",
                "Source": "demo",
                "FetchedAt": S.FETCHED_AT,
            },
            "Vpcs": sorted(self.vpcs(), key=by("VpcId")),
            "Subnets": sorted(self.subnet_records(), key=by("SubnetId")),
            "AvailabilityZones": self.azs(),
            "VpcEndpoints": sorted(endpoints, key=by("VpcEndpointId")),
            "VpcEndpointServices": self.services,
            "NetworkInterfaces": sorted(self.enis, key=by("NetworkInterfaceId")),
            "SecurityGroups": sorted(self.security_groups(), key=by("GroupId")),
            "NetworkAcls": sorted(self.network_acls(), key=by("NetworkAclId")),
            "RouteTables": sorted(self.route_tables(), key=by("RouteTableId")),
            "FlowLogs": self.flow_logs(),
            "PrefixLists": [{"PrefixListId": p, "PrefixListName": n} for p, n in S.PREFIX_LISTS],
            "VpcAttributes": {v["id"]: {"EnableDnsSupport": v["dns_support"],
                                        "EnableDnsHostnames": v["dns_hostnames"]}
                              for v in sorted(S.VPCS, key=lambda v: v["id"])},
            "Errors": [],
        }


def render():
    return json.dumps(Demo().build(), indent=1, ensure_ascii=False) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", default=os.path.join(HERE, "..", "data", "demo.json"))
    args = ap.parse_args()
    text = render()
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s (%d bytes)" % (args.output, len(text.encode())))


if __name__ == "__main__":
    main()
