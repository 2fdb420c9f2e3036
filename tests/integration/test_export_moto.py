#!/usr/bin/env python3
"""`vpcx export` against moto, checked by the field's own tools and read back.

moto holds two VPCs: the first with an interface endpoint (two subnets, a group, a policy
whose strings hold a quote, a backslash and an IAM ${...} variable, tags with a quote, a
template and terminal controls), a second interface endpoint with the same Name, and an S3
gateway endpoint; the second VPC one more interface endpoint that a --vpc selection must
leave out.

- Terraform: HashiCorp's HCL parser (npm @cdktf/hcl2json, installed by scripts/test-tools)
  reads the file; every endpoint has an import block with its real ID and a resource with
  every field, its policy (the jsonencode argument, parsed again) equal to the document AWS
  holds, its tags as AWS holds them.
- CloudFormation: cfn-lint reports no error; the YAML read back holds the same values, and
  the ResourcesToImport file names every resource of the template with its ID.
- CLI: the commands, run with the AWS CLI against moto after the endpoints are deleted,
  recreate endpoints with the same fields.
- No output carries a raw control or bidi character.
Exit 77 without $VPCX_BIN."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vpcx_harness as h  # noqa: E402

import boto3  # noqa: E402
import yaml  # noqa: E402  (PyYAML, a dependency of cfn-lint)

SRC = os.environ.get("VPCX_SRCDIR", os.path.dirname(os.path.dirname(HERE)))
NODE_PATH = os.path.join(SRC, "tests", "tmp", "node", "node_modules")
HCL2JSON = os.path.join(SRC, "tests", "tools", "hcl2json.js")

POLICY = {
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "OnlyOurOrg",
        "Effect": "Allow",
        "Principal": "*",
        "Action": ["ssm:GetParameter", "ssm:GetParameters"],
        "Resource": "arn:aws:ssm:us-east-1:123456789012:parameter/${aws:username}/*",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc\"def\\x"}},
    }],
}
# XML 1.0 cannot carry ESC, so AWS (and moto) cannot either; C1 and bidi it can.
NASTY = "red\u009b31m \u202eevil\u202c"
TAGS = [{"Key": "Name", "Value": "prod ssm"}, {"Key": "team", "Value": "it's ${red}"},
        {"Key": "note", "Value": NASTY}]
RAW_BAD = ("\x1b", "\u009b", "\u202e", "\u202c")


def tags_of(item):
    return sorted((t["Key"], t["Value"]) for t in item.get("Tags", [])
                  if not t["Key"].startswith("aws:"))


def ec2_client(url):
    return boto3.client("ec2", endpoint_url=url, region_name=h.REGION,
                        aws_access_key_id=h.TEST_KEY, aws_secret_access_key=h.TEST_SECRET)


def seed(ec2):
    """The account described above: (VPC, the VPC's endpoint IDs, the other endpoint)."""
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.%d.0/24" % i,
                                 AvailabilityZone="us-east-1" + az)["Subnet"]["SubnetId"]
               for i, az in ((1, "a"), (2, "b"))]
    sg = ec2.create_security_group(GroupName="endpoints", Description="443 from the VPC",
                                   VpcId=vpc)["GroupId"]
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    other = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    other_subnet = ec2.create_subnet(VpcId=other, CidrBlock="10.30.1.0/24",
                                     AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]

    def create(**kw):
        return ec2.create_vpc_endpoint(**kw)["VpcEndpoint"]["VpcEndpointId"]

    ids = [
        create(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.ssm",
               VpcEndpointType="Interface", SubnetIds=subnets, SecurityGroupIds=[sg],
               PrivateDnsEnabled=True, PolicyDocument=json.dumps(POLICY),
               TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": TAGS}]),
        create(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.kms",
               VpcEndpointType="Interface", SubnetIds=subnets[:1], SecurityGroupIds=[sg],
               PrivateDnsEnabled=False,
               TagSpecifications=[{"ResourceType": "vpc-endpoint",
                                   "Tags": [{"Key": "Name", "Value": "prod ssm"}]}]),
        create(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3", VpcEndpointType="Gateway",
               RouteTableIds=[rtb]),
    ]
    outside = create(VpcId=other, ServiceName="com.amazonaws.us-east-1.sts",
                     VpcEndpointType="Interface", SubnetIds=[other_subnet])
    return vpc, ids, outside


def hcl_literal(v):
    """hcl2json keeps template text as written; $${ and %%{ are the literal ${ and %{."""
    if isinstance(v, str):
        return v.replace("$${", "${").replace("%%{", "%{")
    if isinstance(v, list):
        return [hcl_literal(x) for x in v]
    if isinstance(v, dict):
        return {k: hcl_literal(x) for k, x in v.items()}
    return v


class Export(h.MotoCase):
    work_prefix = "vpcx-export-"

    @classmethod
    def seed_moto(cls):
        cls.ec2 = ec2_client(cls.moto.url)
        cls.vpc, cls.ids, cls.outside = seed(cls.ec2)

    def endpoints(self, ids=None, ec2=None):
        eps = (ec2 or self.ec2).describe_vpc_endpoints()["VpcEndpoints"]
        return {e["VpcEndpointId"]: e for e in eps if ids is None or e["VpcEndpointId"] in ids}

    def export(self, fmt, *extra, url=None, vpc=None):
        path = os.path.join(self.work.name, "export." + fmt)
        r = h.run_vpcx(["export", "--format", fmt, "--vpc", vpc or self.vpc, "-o", path,
                        "--endpoint-url", url or self.moto.url, "--region", h.REGION,
                        "--no-cache"]
                       + list(extra), self.home.env())
        self.assertEqual(r.rc, h.EXIT_OK, r.describe())
        self.assertIn("exported 3 endpoints to", r.stderr)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for bad in RAW_BAD:
            self.assertNotIn(bad, text, "%s carries %r raw" % (fmt, bad))
        return path, text

    def hcl(self, *paths):
        env = dict(os.environ, NODE_PATH=NODE_PATH)
        p = subprocess.run(["node", HCL2JSON] + list(paths), env=env, capture_output=True,
                           text=True, timeout=120)
        self.assertEqual(p.returncode, 0, "the HCL parser refused it: " + p.stderr)
        return json.loads(p.stdout)

    def jsonencode_arg(self, expr):
        """The value of `${jsonencode(X)}`: X is an HCL literal, parsed on its own."""
        self.assertTrue(expr.startswith("${jsonencode(") and expr.endswith(")}"), expr)
        path = os.path.join(self.work.name, "value.tf")
        with open(path, "w", encoding="utf-8") as f:
            f.write("value = " + expr[len("${jsonencode("):-2] + "\n")
        return hcl_literal(self.hcl(path)[path]["value"])

    def test_terraform_parses_and_holds_every_field(self):
        path, text = self.export("terraform")
        doc = self.hcl(path)[path]
        imports = {i["id"]: i["to"] for i in doc["import"]}
        self.assertEqual(set(imports), set(self.ids), "exactly the VPC's endpoints")
        resources = doc["resource"]["aws_vpc_endpoint"]
        names = set()
        for eid, want in self.endpoints(self.ids).items():
            name = imports[eid][len("${aws_vpc_endpoint."):-1]
            names.add(name)
            res = resources[name][0]
            self.assertEqual(res["vpc_id"], want["VpcId"])
            self.assertEqual(res["service_name"], want["ServiceName"])
            self.assertEqual(res["vpc_endpoint_type"], want["VpcEndpointType"])
            if want["VpcEndpointType"] == "Gateway":
                self.assertEqual(res["route_table_ids"], want["RouteTableIds"])
                self.assertNotIn("subnet_ids", res)
            else:
                self.assertEqual(res["subnet_ids"], want["SubnetIds"])
                self.assertEqual(res["security_group_ids"],
                                 [g["GroupId"] for g in want["Groups"]])
                self.assertEqual(res["private_dns_enabled"], want["PrivateDnsEnabled"])
            self.assertEqual(self.jsonencode_arg(res["policy"]),
                             json.loads(want["PolicyDocument"]))
            got_tags = hcl_literal(res.get("tags", {}))
            self.assertEqual(sorted(got_tags.items()), tags_of(want))
        self.assertEqual(len(names), 3, "each endpoint its own name")
        self.assertIn("prod_ssm", names)
        self.assertIn("prod_ssm_2", names)
        self.assertIn('"team" = "it\'s $${red}"', text)

    def test_cloudformation_lints_and_reads_back(self):
        path, _ = self.export("cloudformation")
        lint = subprocess.run(["cfn-lint", "--", path], capture_output=True, text=True,
                              timeout=300)
        self.assertEqual(lint.returncode & 2, 0, "cfn-lint errors:\n" + lint.stdout + lint.stderr)
        self.assertEqual(lint.returncode, 0, "cfn-lint findings:\n" + lint.stdout)
        with open(path, encoding="utf-8") as f:
            tpl = yaml.safe_load(f)
        resources = tpl["Resources"]
        _, imp_text = self.export("cfn-import")
        imports = {i["ResourceIdentifier"]["Id"]: i["LogicalResourceId"]
                   for i in json.loads(imp_text)}
        self.assertEqual(set(imports), set(self.ids))
        self.assertEqual(set(imports.values()), set(resources))
        for eid, want in self.endpoints(self.ids).items():
            res = resources[imports[eid]]
            self.assertEqual(res["Type"], "AWS::EC2::VPCEndpoint")
            self.assertEqual(res["DeletionPolicy"], "Retain")
            props = res["Properties"]
            self.assertEqual(props["VpcId"], want["VpcId"])
            self.assertEqual(props["ServiceName"], want["ServiceName"])
            self.assertEqual(props["VpcEndpointType"], want["VpcEndpointType"])
            if want["VpcEndpointType"] == "Gateway":
                self.assertEqual(props["RouteTableIds"], want["RouteTableIds"])
            else:
                self.assertEqual(props["SubnetIds"], want["SubnetIds"])
                self.assertEqual(props["SecurityGroupIds"],
                                 [g["GroupId"] for g in want["Groups"]])
                self.assertEqual(props["PrivateDnsEnabled"], want["PrivateDnsEnabled"])
            self.assertEqual(props["PolicyDocument"], json.loads(want["PolicyDocument"]))
            self.assertEqual(sorted((t["Key"], t["Value"]) for t in props.get("Tags", [])),
                             tags_of(want))

    def test_cli_recreates_the_endpoints(self):
        # Its own moto: the endpoints are deleted and made again.
        moto = h.motoctl.MotoServer().start()
        try:
            self.replay(moto.url)
        finally:
            moto.stop()

    def replay(self, url):
        ec2 = ec2_client(url)
        vpc, ids, _ = seed(ec2)
        path, _ = self.export("cli", url=url, vpc=vpc)
        before = self.endpoints(ids, ec2)
        ec2.delete_vpc_endpoints(VpcEndpointIds=ids)
        # `aws` on PATH: the real AWS CLI, pointed at moto.
        bindir = os.path.join(self.work.name, "bin")
        os.makedirs(bindir, exist_ok=True)
        wrapper = os.path.join(bindir, "aws")
        with open(wrapper, "w") as f:
            f.write('#!/bin/sh\nexec %s --endpoint-url %s "$@"\n' % (shutil.which("aws"), url))
        os.chmod(wrapper, 0o755)
        env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"],
                   AWS_ACCESS_KEY_ID=h.TEST_KEY, AWS_SECRET_ACCESS_KEY=h.TEST_SECRET,
                   AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
        p = subprocess.run(["bash", path], env=env, capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        after = [e for e in self.endpoints(None, ec2).values()
                 if e["VpcId"] == vpc and e["VpcEndpointId"] not in ids]

        def key(e):
            return (e["ServiceName"], e["VpcEndpointType"], tuple(e.get("SubnetIds", [])),
                    tuple(g["GroupId"] for g in e.get("Groups", [])),
                    tuple(e.get("RouteTableIds", [])), e.get("PrivateDnsEnabled"),
                    json.dumps(json.loads(e["PolicyDocument"]), sort_keys=True),
                    tuple(tags_of(e)))
        self.assertEqual(len(after), 3)
        self.assertEqual(sorted(map(key, after)), sorted(map(key, before.values())))
        # The deleted ones are not exported again.
        _, text = self.export("cli", url=url, vpc=vpc)
        for eid in ids:
            self.assertNotIn(eid, text)

    def test_unknown_selection_is_an_error(self):
        r = h.run_vpcx(["export", "--endpoint", "vpce-0000000000000dead", "--endpoint-url",
                        self.moto.url, "--region", h.REGION, "--no-cache"], self.home.env())
        self.assertEqual(r.rc, h.EXIT_ERROR, r.describe())
        self.assertIn("no VPC endpoint vpce-0000000000000dead", r.stderr)
        r = h.run_vpcx(["export", "--format", "pulumi", "--demo"], self.home.env())
        self.assertEqual(r.rc, h.EXIT_USAGE, r.describe())
        self.assertIn("terraform, cloudformation, cfn-import or cli", r.stderr)


if __name__ == "__main__":
    h.require_vpcx()
    if not os.path.isdir(os.path.join(NODE_PATH, "@cdktf", "hcl2json")):
        print("FAIL: the HCL parser is missing; run scripts/test-tools")
        sys.exit(1)
    unittest.main(verbosity=2)
