#!/usr/bin/env python3
"""`vpcx check` against a moto account seeded to trigger the rules.

One VPC per concern, so each finding is traced to what was seeded:
- vpc-main (10.1.0.0/16, subnets in a, b, c): "single" (ssm, one subnet, a group with only
  port 22, no policy, private DNS on while DNS hostnames is off: moto's default, as AWS's);
  "pair" (sts, subnets in a and b, a workload ENI in c's subnet: az gap) with a policy that
  allows Principal * with no condition; "clean" (kms, a and b, 443 from the VPC, a policy
  limited to the organization, private DNS off): no finding at all except the AZ gap;
  "nodefault" (logs, no SecurityGroupIds: moto puts its ENIs in the default group).
  The /28 in a holds 8 ENIs (subnet-capacity); a custom NACL on b denies 443 before any allow.
- A gateway endpoint with no route table; another on a non-main route table while the
  subnets use the main one (gateway-subnet-unrouted).
- ecr.api in three more VPCs of the account (duplicate-service).
Not seeded: endpoint-state (moto's endpoints are always available).
Exit 77 without $VPCX_BIN."""
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vpcx_harness as h  # noqa: E402

import boto3  # noqa: E402

SVC = "com.amazonaws.us-east-1."
ORG_POLICY = json.dumps({"Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}]})
ANY_POLICY = json.dumps({"Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*"}]})


def seed(ec2):
    ids = {}
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    ids["vpc"] = vpc

    def subnet(cidr, az):
        return ec2.create_subnet(VpcId=vpc, CidrBlock=cidr,
                                 AvailabilityZone="us-east-1" + az)["Subnet"]["SubnetId"]

    ids["sa"] = subnet("10.1.0.0/28", "a")
    ids["sb"] = subnet("10.1.1.0/24", "b")
    ids["sc"] = subnet("10.1.2.0/24", "c")
    ssh = ec2.create_security_group(GroupName="ssh", Description="22 only", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=ssh, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
        "IpRanges": [{"CidrIp": "10.1.0.0/16"}]}])
    https = ec2.create_security_group(GroupName="https", Description="443", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=https, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "IpRanges": [{"CidrIp": "10.1.0.0/16"}]}])

    def endpoint(**kw):
        return ec2.create_vpc_endpoint(**kw)["VpcEndpoint"]["VpcEndpointId"]

    ids["single"] = endpoint(VpcId=vpc, ServiceName=SVC + "ssm", VpcEndpointType="Interface",
                             SubnetIds=[ids["sa"]], SecurityGroupIds=[ssh],
                             PrivateDnsEnabled=True)
    ids["pair"] = endpoint(VpcId=vpc, ServiceName=SVC + "sts", VpcEndpointType="Interface",
                           SubnetIds=[ids["sa"], ids["sb"]], SecurityGroupIds=[https],
                           PrivateDnsEnabled=False, PolicyDocument=ANY_POLICY)
    ids["clean"] = endpoint(VpcId=vpc, ServiceName=SVC + "kms", VpcEndpointType="Interface",
                            SubnetIds=[ids["sa"], ids["sb"]], SecurityGroupIds=[https],
                            PrivateDnsEnabled=False, PolicyDocument=ORG_POLICY)
    ids["nodefault"] = endpoint(VpcId=vpc, ServiceName=SVC + "logs",
                                VpcEndpointType="Interface", SubnetIds=[ids["sb"], ids["sc"]],
                                PrivateDnsEnabled=False, PolicyDocument=ORG_POLICY)
    # A workload in c (az gap for "pair" and "clean"); the /28 filled to 8 of 11.
    ec2.create_network_interface(SubnetId=ids["sc"], Description="app")
    for _ in range(5):
        ec2.create_network_interface(SubnetId=ids["sa"], Description="app")
    # A NACL on b that denies 443 before anything is allowed.
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ids["acl"] = acl
    for num, action, egress, ports in ((50, "deny", False, (443, 443)),
                                       (100, "allow", False, (0, 65535)),
                                       (100, "allow", True, (0, 65535))):
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=num, Protocol="6",
                                     RuleAction=action, Egress=egress, CidrBlock="0.0.0.0/0",
                                     PortRange={"From": ports[0], "To": ports[1]})
    assoc = ec2.describe_network_acls(Filters=[
        {"Name": "association.subnet-id", "Values": [ids["sb"]]}])["NetworkAcls"]
    for a in assoc[0]["Associations"]:
        if a["SubnetId"] == ids["sb"]:
            ec2.replace_network_acl_association(AssociationId=a["NetworkAclAssociationId"],
                                                NetworkAclId=acl)
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ids["gw_routed"] = endpoint(VpcId=vpc, ServiceName=SVC + "s3", VpcEndpointType="Gateway",
                                RouteTableIds=[rtb], PolicyDocument=ORG_POLICY)
    ids["gw_none"] = endpoint(VpcId=vpc, ServiceName=SVC + "dynamodb",
                              VpcEndpointType="Gateway", PolicyDocument=ORG_POLICY)
    # ecr.api in three VPCs.
    ids["dups"] = []
    for i in range(3):
        v = ec2.create_vpc(CidrBlock="10.%d.0.0/16" % (50 + i))["Vpc"]["VpcId"]
        s = ec2.create_subnet(VpcId=v, CidrBlock="10.%d.0.0/24" % (50 + i),
                              AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        g = ec2.create_security_group(GroupName="h", Description="443", VpcId=v)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
            "IpRanges": [{"CidrIp": "10.%d.0.0/16" % (50 + i)}]}])
        ids["dups"].append(endpoint(VpcId=v, ServiceName=SVC + "ecr.api",
                                    VpcEndpointType="Interface", SubnetIds=[s],
                                    SecurityGroupIds=[g], PrivateDnsEnabled=False,
                                    PolicyDocument=ORG_POLICY))
    return ids


class CheckMoto(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = h.motoctl.MotoServer().start()
        cls.addClassCleanup(cls.moto.stop)  # also when seeding fails
        cls.home = h.CleanHome()
        cls.addClassCleanup(cls.home.cleanup)
        ec2 = boto3.client("ec2", endpoint_url=cls.moto.url, region_name=h.REGION,
                           aws_access_key_id=h.TEST_KEY, aws_secret_access_key=h.TEST_SECRET)
        cls.ids = seed(ec2)
        r = h.run_vpcx(["check", "--format", "json", "--fail-on", "info", "--endpoint-url",
                        cls.moto.url, "--region", h.REGION, "--no-cache"],
                       cls.home.env(XDG_CONFIG_HOME=cls.home.path))
        cls.result = r
        cls.doc = json.loads(r.stdout) if r.stdout else {"Findings": []}

    def got(self):
        return {(f["RuleId"], f["ResourceId"]) for f in self.doc["Findings"]}

    def test_exit_status(self):
        self.assertEqual(self.result.rc, h.EXIT_ERROR, self.result.describe())

    def test_every_seeded_rule_fires(self):
        i = self.ids
        want = {
            ("endpoint-single-az", i["single"]),
            ("endpoint-az-gap", i["pair"]),
            ("subnet-capacity", i["sa"]),
            ("sg-no-https", i["single"]),
            ("nacl-blocks-https", i["sb"]),
            ("private-dns-vpc-attributes", i["single"]),
            ("policy-full-access", i["single"]),
            ("policy-principal-any", i["pair"]),
            ("gateway-no-routes", i["gw_none"]),
            ("gateway-subnet-unrouted", i["gw_routed"]),
            ("default-security-group", i["nodefault"]),
            ("duplicate-service", SVC + "ecr.api"),
        }
        self.assertLessEqual(want, self.got(), self.result.describe())

    def test_clean_endpoint_has_only_its_az_gap(self):
        mine = {r for r, res in self.got() if res == self.ids["clean"]}
        self.assertEqual(mine, {"endpoint-az-gap"})
        for dup in self.ids["dups"]:
            self.assertEqual({r for r, res in self.got() if res == dup}, set())

    def test_duplicate_service_saving(self):
        f = [f for f in self.doc["Findings"] if f["RuleId"] == "duplicate-service"][0]
        # Three one-AZ endpoints in us-east-1a; one shared endpoint there: 2 x 730 x $0.01.
        self.assertIn("$14.60 a month", f["Fix"])


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main()
