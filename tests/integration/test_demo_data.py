#!/usr/bin/env python3
"""The shipped demo (data/demo.json) is what AWS would return, and tools/make_demo.py made it.

Checked on the file itself, record by record, against the shapes of botocore's ec2 model:
- every ENI address lies in its subnet, is none of the five AWS reserves and is unique in its
  VPC; AvailableIpAddressCount = size - 5 - addresses in use;
- endpoint ENIs are InterfaceType vpc_endpoint, requester-managed (RequesterId an AWS
  account, not ours), described "VPC Endpoint Interface <id>", in the endpoint's groups, one
  per endpoint subnet; nothing else claims to be an endpoint's;
- every InterfaceType is in botocore's NetworkInterfaceType enum, with AWS's descriptions for
  NAT gateway, load balancer and Lambda ENIs;
- gateway endpoints have no private DNS, ENIs, subnets, groups or DNS names, and their route
  tables route the service's prefix list to them;
- interface endpoints' DnsEntries are AWS's: the regional name, one per AZ, and the private
  DNS name exactly when private DNS is on;
- every VPC has its default group with the self-referencing rule, and every NACL closes both
  directions with the "*" (32767) deny; every subnet has one NACL;
- the deliberate problems of data/README.md are all in the data, and the README names them;
- rerunning the generator reproduces the file byte for byte.
Needs no vpcx binary."""
import ipaddress
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("VPCX_SRCDIR", os.path.dirname(os.path.dirname(HERE)))
DEMO = os.path.join(SRC, "data", "demo.json")

ID = r"[0-9a-f]{17}"


def load():
    with open(DEMO, encoding="utf-8") as f:
        return json.load(f)


def interface_types():
    import botocore.session
    model = botocore.session.get_session().get_service_model("ec2")
    return set(model.shape_for("NetworkInterfaceType").enum)


def tag(rec, key):
    for t in rec.get("Tags", rec.get("TagSet", [])):
        if t["Key"] == key:
            return t["Value"]
    return None


class DemoData(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = load()
        d = cls.d
        cls.subnets = {s["SubnetId"]: s for s in d["Subnets"]}
        cls.vpcs = {v["VpcId"]: v for v in d["Vpcs"]}
        cls.enis = {e["NetworkInterfaceId"]: e for e in d["NetworkInterfaces"]}
        cls.endpoints = {e["VpcEndpointId"]: e for e in d["VpcEndpoints"]}
        cls.owner = {}
        for ep in d["VpcEndpoints"]:
            for eni in ep["NetworkInterfaceIds"]:
                cls.owner[eni] = ep

    def addresses(self, eni):
        out = [p["PrivateIpAddress"] for p in eni["PrivateIpAddresses"]]
        self.assertIn(eni["PrivateIpAddress"], out)
        return out

    def test_addresses_in_subnet_unique_not_reserved(self):
        seen = {}
        for eni in self.d["NetworkInterfaces"]:
            sn = self.subnets[eni["SubnetId"]]
            self.assertEqual(eni["VpcId"], sn["VpcId"])
            self.assertEqual(eni["AvailabilityZone"], sn["AvailabilityZone"])
            net = ipaddress.ip_network(sn["CidrBlock"])
            reserved = {net.network_address + i for i in range(4)} | {net.broadcast_address}
            for ip in self.addresses(eni):
                a = ipaddress.ip_address(ip)
                self.assertIn(a, net, (eni["NetworkInterfaceId"], ip, sn["CidrBlock"]))
                self.assertNotIn(a, reserved, (eni["NetworkInterfaceId"], ip))
                key = (eni["VpcId"], ip)
                self.assertNotIn(key, seen, "%s held by %s and %s" % (
                    ip, seen.get(key), eni["NetworkInterfaceId"]))
                seen[key] = eni["NetworkInterfaceId"]

    def test_available_count(self):
        used = {}
        for eni in self.d["NetworkInterfaces"]:
            used[eni["SubnetId"]] = used.get(eni["SubnetId"], 0) + len(self.addresses(eni))
        for sn in self.d["Subnets"]:
            net = ipaddress.ip_network(sn["CidrBlock"])
            vpc_net = ipaddress.ip_network(self.vpcs[sn["VpcId"]]["CidrBlock"])
            self.assertTrue(net.subnet_of(vpc_net), sn["SubnetId"])
            self.assertEqual(sn["AvailableIpAddressCount"],
                             net.num_addresses - 5 - used.get(sn["SubnetId"], 0), sn["SubnetId"])
            for a in sn["Ipv6CidrBlockAssociationSet"]:
                self.assertEqual(a["Ipv6CidrBlockState"]["State"], "associated")

    def test_endpoint_enis(self):
        for ep in self.d["VpcEndpoints"]:
            if ep["VpcEndpointType"] != "Interface":
                continue
            self.assertEqual(len(ep["NetworkInterfaceIds"]), len(ep["SubnetIds"]), ep)
            subnets = set()
            for eni_id in ep["NetworkInterfaceIds"]:
                eni = self.enis[eni_id]
                self.assertEqual(eni["InterfaceType"], "vpc_endpoint")
                self.assertIs(eni["RequesterManaged"], True)
                self.assertRegex(eni["RequesterId"], r"^\d{12}$")
                self.assertNotEqual(eni["RequesterId"], self.d["Metadata"]["Account"])
                self.assertEqual(eni["Description"],
                                 "VPC Endpoint Interface " + ep["VpcEndpointId"])
                self.assertEqual(eni["Groups"], ep["Groups"])
                self.assertIn(eni["SubnetId"], ep["SubnetIds"])
                self.assertEqual(eni["VpcId"], ep["VpcId"])
                self.assertEqual(eni["Status"], "in-use")
                subnets.add(eni["SubnetId"])
            self.assertEqual(subnets, set(ep["SubnetIds"]))
            azs = [self.subnets[s]["AvailabilityZone"] for s in ep["SubnetIds"]]
            self.assertEqual(len(azs), len(set(azs)), "one subnet per AZ")
        for eni in self.d["NetworkInterfaces"]:
            if eni["InterfaceType"] == "vpc_endpoint" or eni["Description"].startswith("VPC E"):
                self.assertIn(eni["NetworkInterfaceId"], self.owner, eni)

    def test_other_enis_typed_as_aws_types_them(self):
        types = interface_types()
        for eni in self.d["NetworkInterfaces"]:
            t, desc = eni["InterfaceType"], eni["Description"]
            self.assertIn(t, types, eni["NetworkInterfaceId"])
            self.assertRegex(eni["NetworkInterfaceId"], "^eni-" + ID + "$")
            self.assertRegex(eni["MacAddress"], r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
            if desc.startswith("Interface for NAT Gateway"):
                self.assertEqual(t, "natGateway")
                self.assertRegex(desc, "^Interface for NAT Gateway nat-" + ID + "$")
                self.assertEqual(eni["Groups"], [])
            if t == "natGateway":
                self.assertTrue(desc.startswith("Interface for NAT Gateway nat-"))
            if desc.startswith("ELB net/"):
                self.assertEqual(t, "network_load_balancer")
            if t == "network_load_balancer":
                self.assertRegex(desc, r"^ELB net/[\w-]+/[0-9a-f]{16}$")
            if desc.startswith("ELB app/"):
                self.assertEqual(t, "interface")  # ALB ENIs keep the plain type
                self.assertRegex(desc, r"^ELB app/[\w-]+/[0-9a-f]{16}$")
            if desc.startswith("ELB "):
                self.assertEqual(eni["RequesterId"], "amazon-elb")
            if t == "lambda" or desc.startswith("AWS Lambda"):
                self.assertEqual(t, "lambda")
                self.assertRegex(desc, r"^AWS Lambda VPC ENI-[\w-]+-[0-9a-f]{8}-[0-9a-f]{4}-")
            if eni["RequesterManaged"]:
                self.assertTrue(eni.get("RequesterId"), eni["NetworkInterfaceId"])
            if eni["Description"] == "" or desc.startswith("aws-K8S-"):
                self.assertRegex(eni["Attachment"]["InstanceId"], "^i-" + ID + "$")
        kinds = {e["InterfaceType"] for e in self.d["NetworkInterfaces"]}
        self.assertLessEqual({"vpc_endpoint", "lambda", "natGateway", "network_load_balancer",
                              "interface"}, kinds)

    def test_gateway_endpoints(self):
        gateways = [e for e in self.d["VpcEndpoints"] if e["VpcEndpointType"] == "Gateway"]
        self.assertTrue(gateways)
        prefix = {p["PrefixListName"]: p["PrefixListId"] for p in self.d["PrefixLists"]}
        tables = {t["RouteTableId"]: t for t in self.d["RouteTables"]}
        for ep in gateways:
            self.assertIs(ep["PrivateDnsEnabled"], False)
            for k in ("NetworkInterfaceIds", "SubnetIds", "Groups", "DnsEntries"):
                self.assertEqual(ep[k], [], k)
            self.assertTrue(ep["RouteTableIds"])
            for rtb in ep["RouteTableIds"]:
                routes = tables[rtb]["Routes"]
                self.assertIn((prefix[ep["ServiceName"]], ep["VpcEndpointId"]),
                              [(r.get("DestinationPrefixListId"), r["GatewayId"]) for r in routes])

    def test_dns_entries(self):
        services = {(s["ServiceName"], s["ServiceType"][0]["ServiceType"]): s
                    for s in self.d["VpcEndpointServices"]}
        for ep in self.d["VpcEndpoints"]:
            if ep["VpcEndpointType"] != "Interface":
                continue
            svc = services[(ep["ServiceName"], "Interface")]
            base = svc["BaseEndpointDnsNames"][0]
            short = ep["ServiceName"].split(".", 3)[3]
            self.assertTrue(base.endswith(".us-east-1.vpce.amazonaws.com"), base)
            names = [e["DnsName"] for e in ep["DnsEntries"]]
            m = re.match(r"^(%s-[0-9a-z]{8})\.%s$" % (re.escape(ep["VpcEndpointId"]),
                                                      re.escape(base)), names[0])
            self.assertTrue(m, names[0])
            label = m.group(1)
            azs = sorted(self.subnets[s]["AvailabilityZone"] for s in ep["SubnetIds"])
            self.assertEqual(names[1:1 + len(azs)],
                             ["%s-%s.%s" % (label, az, base) for az in azs])
            rest = names[1 + len(azs):]
            if ep["PrivateDnsEnabled"]:
                self.assertEqual(rest, [svc["PrivateDnsName"]])
            else:
                self.assertEqual(rest, [])
            for e in ep["DnsEntries"]:
                self.assertRegex(e["HostedZoneId"], r"^Z[0-9A-Z]{8,31}$")
            if short == "ssm":
                self.assertEqual(rest, ["ssm.us-east-1.amazonaws.com"])
                self.assertEqual(names[0], "%s.ssm.us-east-1.vpce.amazonaws.com" % label)

    def test_default_groups_and_nacls(self):
        for vpc_id in self.vpcs:
            defaults = [g for g in self.d["SecurityGroups"]
                        if g["VpcId"] == vpc_id and g["GroupName"] == "default"]
            self.assertEqual(len(defaults), 1, vpc_id)
            g = defaults[0]
            pairs = [p for perm in g["IpPermissions"] for p in perm["UserIdGroupPairs"]
                     if perm["IpProtocol"] == "-1"]
            self.assertEqual([p["GroupId"] for p in pairs], [g["GroupId"]])
            acls = [a for a in self.d["NetworkAcls"] if a["VpcId"] == vpc_id and a["IsDefault"]]
            self.assertEqual(len(acls), 1, vpc_id)
        assoc = {}
        for acl in self.d["NetworkAcls"]:
            for egress in (False, True):
                star = [e for e in acl["Entries"]
                        if e["Egress"] == egress and e["RuleNumber"] == 32767]
                self.assertEqual(len(star), 1, (acl["NetworkAclId"], egress))
                self.assertEqual((star[0]["RuleAction"], star[0]["Protocol"],
                                  star[0]["CidrBlock"]), ("deny", "-1", "0.0.0.0/0"))
            for a in acl["Associations"]:
                self.assertNotIn(a["SubnetId"], assoc)
                assoc[a["SubnetId"]] = acl["NetworkAclId"]
        self.assertEqual(set(assoc), set(self.subnets))

    def test_deliberate_problems_present_and_documented(self):
        d = self.d
        with open(os.path.join(SRC, "data", "README.md"), encoding="utf-8") as f:
            readme = f.read()
        attrs = d["VpcAttributes"]
        # A single-AZ interface endpoint.
        single = [e for e in d["VpcEndpoints"] if e["VpcEndpointType"] == "Interface"
                  and len({self.subnets[s]["AvailabilityZone"] for s in e["SubnetIds"]}) == 1]
        self.assertEqual([e["VpcEndpointId"] for e in single], ["vpce-11cbb5606ad9a5d72"])
        # A nearly full /28.
        full = [s for s in d["Subnets"] if s["CidrBlock"].endswith("/28")
                and s["AvailableIpAddressCount"] <= 2]
        self.assertEqual([s["SubnetId"] for s in full], ["subnet-b71df36b8fe8707cb"])
        # A group with no 443, the only one of its endpoint.
        ep = self.endpoints["vpce-11cbb5606ad9a5d72"]
        self.assertEqual([g["GroupId"] for g in ep["Groups"]], ["sg-d6a47113618568990"])
        sg = [g for g in d["SecurityGroups"] if g["GroupId"] == "sg-d6a47113618568990"][0]
        self.assertFalse([p for p in sg["IpPermissions"]
                          if p["IpProtocol"] in ("-1", "tcp")
                          and p.get("FromPort", 0) <= 443 <= p.get("ToPort", 65535)])
        # DNS hostnames off and private DNS requested.
        off = [v for v, a in attrs.items() if not a["EnableDnsHostnames"]]
        self.assertEqual(off, ["vpc-30e24bdcd19a93686"])
        asking = [e["VpcEndpointId"] for e in d["VpcEndpoints"]
                  if e["VpcId"] in off and e["PrivateDnsEnabled"]]
        self.assertEqual(asking, ["vpce-667dbdad3ef93bf96"])
        # A full-access policy.
        full_access = [e["VpcEndpointId"] for e in d["VpcEndpoints"]
                       if "Condition" not in e["PolicyDocument"]]
        self.assertEqual(full_access, ["vpce-c3c27dc11431791ac"])
        for rid in ("vpce-11cbb5606ad9a5d72", "subnet-b71df36b8fe8707cb", "sg-d6a47113618568990",
                    "vpce-667dbdad3ef93bf96", "vpc-30e24bdcd19a93686", "vpce-c3c27dc11431791ac"):
            self.assertIn(rid, readme)

    def test_generator_reproduces_the_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "demo.json")
            subprocess.run([sys.executable, os.path.join(SRC, "tools", "make_demo.py"),
                            "-o", out], check=True, stdout=subprocess.DEVNULL)
            with open(out, "rb") as a, open(DEMO, "rb") as b:
                self.assertTrue(a.read() == b.read(),
                                "data/demo.json differs from tools/make_demo.py's output")


if __name__ == "__main__":
    unittest.main()
