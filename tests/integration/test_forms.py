#!/usr/bin/env python3
"""The explorer's endpoint forms against moto behind tests/tools/awsproxy.py (which answers
DryRun as AWS does): the headless explorer runs with --write and a key script that fills in
the real forms; moto's state is then checked with boto3.

Covered: create interface and gateway endpoints, modify subnets / groups / policy, delete;
read-only refusal of every mutating action with no request reaching the proxy; a DryRun
permission failure (proxy fault `unauthorized`); a create whose answer is lost after moto
acted (`drop_after`) yields exactly one endpoint; a modify racing an outside change (made
with boto3 while the form is open, synchronised by the key script's `pause-file`) shows the
conflict and reloads. Skips (77) without $VPCX_BIN."""
import calendar
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vpcx_harness as h  # noqa: E402

import boto3  # noqa: E402

SSM = "com.amazonaws.us-east-1.ssm"
S3 = "com.amazonaws.us-east-1.s3"


class Account:
    """One VPC of the test's own: two subnets in two zones, DNS on, a group admitting 443."""

    def __init__(self, ec2, n):
        self.ec2 = ec2
        cidr = "10.%d.0.0/16" % n
        self.vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        for attr in ("EnableDnsSupport", "EnableDnsHostnames"):
            ec2.modify_vpc_attribute(VpcId=self.vpc, **{attr: {"Value": True}})
        subnets = []
        for i, az in enumerate(("us-east-1a", "us-east-1b")):
            s = ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.%d.%d.0/24" % (n, i + 1),
                                  AvailabilityZone=az)["Subnet"]
            subnets.append((az, s["SubnetId"]))
        self.subnets = [sid for _, sid in sorted(subnets)]  # the form's order: zone, ID
        sg = ec2.create_security_group(GroupName="https-%d" % n, Description="https",
                                       VpcId=self.vpc)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
            "IpRanges": [{"CidrIp": cidr}]}])
        self.https_sg = sg
        groups = ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [self.vpc]}])["SecurityGroups"]
        self.groups = sorted(g["GroupId"] for g in groups)  # the form's order: ID
        self.default_sg = [g["GroupId"] for g in groups if g["GroupName"] == "default"][0]
        rtbs = ec2.describe_route_tables(
            Filters=[{"Name": "vpc-id", "Values": [self.vpc]}])["RouteTables"]
        self.rtbs = sorted(r["RouteTableId"] for r in rtbs)

    def endpoint(self, name, subnets=None, groups=None):
        return self.ec2.create_vpc_endpoint(
            VpcId=self.vpc, ServiceName=SSM, VpcEndpointType="Interface",
            SubnetIds=subnets or [self.subnets[0]], SecurityGroupIds=groups or [self.https_sg],
            PrivateDnsEnabled=False,
            TagSpecifications=[{"ResourceType": "vpc-endpoint",
                                "Tags": [{"Key": "Name", "Value": name}]}],
        )["VpcEndpoint"]["VpcEndpointId"]


def pick(checks):
    """Down to each row of a check list, Space on the chosen ones."""
    keys = []
    for on in checks:
        keys.append("Down")
        if on:
            keys.append("Space")
    return keys


class FormsTest(h.MotoCase):
    proxy_config = {}

    @classmethod
    def seed_moto(cls):
        cls.ec2 = boto3.client("ec2", endpoint_url=cls.moto.url, region_name=h.REGION,
                               aws_access_key_id=h.TEST_KEY,
                               aws_secret_access_key=h.TEST_SECRET)
        cls.n = 30

    def setUp(self):
        type(self).n += 1
        self.acct = Account(self.ec2, self.n)
        self.proxy.set_config({})
        self.proxy.reset()
        self.tmp = tempfile.TemporaryDirectory(prefix="vpcx-forms-")

    def tearDown(self):
        self.tmp.cleanup()

    # ---- running the explorer ----

    def command(self, keys, write=True):
        path = os.path.join(self.tmp.name, "script.keys")
        with open(path, "w") as f:
            f.write("wait\n" + "\n".join(keys) + "\n")
        cmd = [h.vpcx_bin(), "--endpoint-url", self.proxy.url, "--region", h.REGION,
               "--no-cache", "--headless", "120x50", "--keys", path, "--screen-out", "-"]
        return cmd + (["--write"] if write else [])

    def explore(self, keys, write=True):
        p = subprocess.run(self.command(keys, write), env=self.home.env(),
                           capture_output=True, timeout=300)
        out = p.stdout.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace") + out)
        return out

    def create_keys(self, service_filter, name, subnets=(), groups=(), dns=True):
        """The create form from the test's VPC, down to Name, then check (DryRun) and preview."""
        keys = [":%s<Enter>" % self.acct.vpc, "c", "Enter", "type " + service_filter, "Enter",
                "Down"]  # Type
        keys += pick(s in subnets for s in self.acct.subnets)
        keys += pick(g in groups for g in self.acct.groups)
        keys += ["Down"] + ([] if dns else ["Space"])  # private DNS
        keys += ["Down", "Down", "Down", "Enter", "type " + name, "Enter"]  # IP type, policy, Name
        return keys + ["s", "wait", "snap"]

    def stats(self):
        return self.proxy.stats()

    def named(self, name):
        eps = self.ec2.describe_vpc_endpoints(
            Filters=[{"Name": "vpc-id", "Values": [self.acct.vpc]}])["VpcEndpoints"]
        return [e for e in eps if {"Key": "Name", "Value": name} in e.get("Tags", [])
                and e["State"].lower() not in ("deleted", "deleting")]

    def describe(self, vpce):
        eps = self.ec2.describe_vpc_endpoints(VpcEndpointIds=[vpce])["VpcEndpoints"]
        return eps[0]

    # ---- tests ----

    def test_create_interface(self):
        a = self.acct
        keys = self.create_keys(SSM, "forms-ssm", subnets=a.subnets, groups=[a.https_sg])
        out = self.explore(keys + ["Enter", "wait", "snap"])
        self.assertIn("WRITE", out)
        self.assertIn("DryRun passed", out)
        self.assertIn("aws ec2 create-vpc-endpoint", out)
        self.assertIn("--client-token", out)
        eps = self.named("forms-ssm")
        self.assertEqual(len(eps), 1, out)
        self.assertEqual(sorted(eps[0]["SubnetIds"]), sorted(a.subnets))
        self.assertEqual([g["GroupId"] for g in eps[0]["Groups"]], [a.https_sg])
        self.assertTrue(eps[0]["PrivateDnsEnabled"])
        st = self.stats()
        self.assertEqual(st["dry_run"].get("CreateVpcEndpoint"), 1)
        self.assertEqual(st["requests"].get("CreateVpcEndpoint"), 2)  # DryRun + the call
        self.assertIn("Done", out)
        # DONE refetches the subnets and ENIs: the calls went out after the create.
        self.assertGreaterEqual(st["requests"].get("DescribeSubnets", 0), 2, st["requests"])

    def test_create_gateway(self):
        a = self.acct
        keys = [":%s<Enter>" % a.vpc, "c", "Enter", "type s3 gateway", "Enter", "Down"]
        keys += pick(True for _ in a.rtbs)
        keys += ["Down", "Down", "Enter", "type forms-s3", "Enter", "s", "wait", "snap",  # policy, Name
                 "Enter", "wait", "snap"]
        out = self.explore(keys)
        self.assertIn("--vpc-endpoint-type Gateway", out)
        eps = self.named("forms-s3")
        self.assertEqual(len(eps), 1, out)
        self.assertEqual(eps[0]["VpcEndpointType"], "Gateway")
        self.assertEqual(eps[0]["ServiceName"], S3)
        self.assertEqual(sorted(eps[0]["RouteTableIds"]), a.rtbs)

    def test_modify_subnets_groups_policy(self):
        a = self.acct
        vpce = a.endpoint("forms-modify")
        policy = ('{"Statement":[{"Effect":"Allow","Principal":"*","Action":"ssm:Get*",'
                  '"Resource":"*"}]}')
        # The cursor opens on the first subnet row (already on).
        keys = [":%s<Enter>" % vpce, "e", "Down", "Space"]  # add the second subnet
        keys += pick(g == a.default_sg for g in a.groups)  # add the default group
        keys += ["Down", "Down", "Space", "Down", "Enter", "type " + policy, "Enter"]
        keys += ["s", "wait", "snap", "Enter", "wait", "snap"]
        out = self.explore(keys)
        self.assertIn("aws ec2 modify-vpc-endpoint", out)
        self.assertIn("Add subnets", out)
        self.assertIn('+      "Action": "ssm:Get*",', out)  # the policy diff
        ep = self.describe(vpce)
        self.assertEqual(sorted(ep["SubnetIds"]), sorted(a.subnets))
        self.assertEqual(sorted(g["GroupId"] for g in ep["Groups"]),
                         sorted([a.https_sg, a.default_sg]))
        self.assertEqual(json.loads(ep["PolicyDocument"])["Statement"][0]["Action"], "ssm:Get*")
        self.assertEqual(self.stats()["requests"].get("ModifyVpcEndpoint"), 2)  # DryRun + call

    def test_delete(self):
        vpce = self.acct.endpoint("forms-delete")
        out = self.explore([":%s<Enter>" % vpce, "D", "type " + vpce, "Enter", "wait", "snap",
                            "Enter", "wait", "snap"])
        # The preview lays the command out with continuations, as y copies it.
        self.assertIn("aws ec2 delete-vpc-endpoints \\", out)
        self.assertIn("--region us-east-1 \\", out)
        self.assertIn("--vpc-endpoint-ids " + vpce, out)
        self.assertEqual(self.named("forms-delete"), [], out)
        self.assertEqual(self.stats()["requests"].get("DeleteVpcEndpoints"), 2)

    def test_read_only_refuses_every_mutation(self):
        a = self.acct
        vpce = a.endpoint("forms-ro")
        self.proxy.reset()
        keys = self.create_keys(SSM, "forms-ro-new", subnets=a.subnets[:1])
        keys += ["q", ":%s<Enter>" % vpce, "e", "Down", "Space", "s", "snap", "q",
                 ":%s<Enter>" % vpce, "D", "type " + vpce, "Enter", "snap"]
        out = self.explore(keys, write=False)
        screens = out.split("--- snap ---")[1:]
        self.assertEqual(len(screens), 3)
        for screen in screens:
            self.assertIn("read-only", screen.splitlines()[1])  # the header
            self.assertIn("vpcx is read-only: nothing was sent", screen)
            self.assertIn("--write", screen)
        st = self.stats()
        for action in ("CreateVpcEndpoint", "ModifyVpcEndpoint", "DeleteVpcEndpoints"):
            self.assertNotIn(action, st["requests"], st["requests"])
        self.assertEqual(st["dry_run"], {})
        self.assertEqual(self.named("forms-ro-new"), [])
        self.assertEqual(len(self.named("forms-ro")), 1)

    def test_profile_config_enables_writes(self):
        vpce = self.acct.endpoint("forms-profile")
        cfg = os.path.join(self.tmp.name, "xdg")
        os.makedirs(os.path.join(cfg, "vpcx"))
        with open(os.path.join(cfg, "vpcx", "config"), "w") as f:
            f.write("profile other write true\nprofile formsprof write = true\n")
        self.home.write("credentials", "[formsprof]\naws_access_key_id = %s\n"
                        "aws_secret_access_key = %s\n" % (h.TEST_KEY, h.TEST_SECRET))
        env = self.home.env(key=None, secret=None, XDG_CONFIG_HOME=cfg, VPCX_HEADLESS_CONFIG="1")
        for profile, mode in (("formsprof", "WRITE"), ("default", "read-only")):
            if profile == "default":
                env = self.home.env(XDG_CONFIG_HOME=cfg, VPCX_HEADLESS_CONFIG="1")
            cmd = self.command([":%s<Enter>" % vpce, "D", "type " + vpce, "Enter", "wait"],
                               write=False) + ["--profile", profile] * (profile != "default")
            p = subprocess.run(cmd, env=env, capture_output=True, timeout=300)
            out = p.stdout.decode("utf-8", "replace")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("  %s  " % mode, out.splitlines()[0])
            if mode == "WRITE":
                self.assertIn("enabled by profile formsprof", out)
                self.assertIn("DryRun passed", out)
            else:
                self.assertIn("vpcx is read-only", out)
        st = self.stats()
        self.assertEqual(st["requests"].get("DeleteVpcEndpoints"), 1)  # the DryRun only
        self.assertEqual(st["dry_run"].get("DeleteVpcEndpoints"), 1)
        self.assertEqual(len(self.named("forms-profile")), 1)  # previewed, never sent

    def test_dry_run_permission_failure(self):
        a = self.acct
        self.proxy.set_config({"faults": {"CreateVpcEndpoint": [
            {"kind": "unauthorized", "nth": [1]}]}})
        keys = self.create_keys(SSM, "forms-denied", subnets=a.subnets[:1])
        out = self.explore(keys + ["Enter", "snap"])
        self.assertIn("not authorized", out)
        self.assertIn("vpcx-test-encoded-message", out)
        self.assertNotIn("Preview", out)
        # The form kept what was typed.
        self.assertIn("forms-denied", out.split("--- snap ---")[-1])
        self.assertEqual(self.stats()["requests"].get("CreateVpcEndpoint"), 1)
        self.assertEqual(self.named("forms-denied"), [])

    def test_lost_answer_makes_one_endpoint(self):
        a = self.acct
        # Request 1 is the DryRun; the real call (2) reaches moto and its answer is lost.
        self.proxy.set_config({"faults": {"CreateVpcEndpoint": [
            {"kind": "drop_after", "nth": [2]}]}})
        keys = self.create_keys(SSM, "forms-retried", subnets=a.subnets[:1])
        out = self.explore(keys + ["Enter", "wait", "snap"])
        self.assertIn("Done", out)
        self.assertEqual(len(self.named("forms-retried")), 1, out)
        st = self.stats()
        self.assertEqual(st["requests"].get("CreateVpcEndpoint"), 3)
        self.assertEqual(st["idempotent_replays"].get("CreateVpcEndpoint"), 1)
        bodies = st["bodies"]["CreateVpcEndpoint"]
        self.assertEqual(bodies[1], bodies[2])  # the retry is the same request, same token

    def test_modify_racing_an_outside_change(self):
        a = self.acct
        vpce = a.endpoint("forms-race")
        gate = os.path.join(self.tmp.name, "go")
        keys = [":%s<Enter>" % vpce, "e", "Down", "Space", "pause-file " + gate, "s", "wait",
                "snap", "r", "snap"]
        proc = subprocess.Popen(self.command(keys), env=self.home.env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.time() + 120
            while not os.path.exists(gate + ".paused") and time.time() < deadline:
                self.assertIsNone(proc.poll(), proc.stderr.read() if proc.poll() else "")
                time.sleep(0.1)
            self.assertTrue(os.path.exists(gate + ".paused"))
            # Someone else changes the endpoint while the form is open.
            self.ec2.modify_vpc_endpoint(VpcEndpointId=vpce, AddSecurityGroupIds=[a.default_sg])
            open(gate, "w").close()
            out, err = proc.communicate(timeout=240)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        out = out.decode("utf-8", "replace")
        self.assertEqual(proc.returncode, 0, err.decode(errors="replace"))
        conflict, reloaded = out.split("--- snap ---")[1:3]
        self.assertIn("conflict:", conflict)
        self.assertIn("When the form opened", conflict)
        self.assertIn("In AWS now", conflict)
        self.assertIn(a.default_sg, conflict.split("In AWS now")[1])
        self.assertNotIn(a.default_sg, conflict.split("In AWS now")[0].split("When the form")[1])
        # Reloaded: the form now starts from AWS's version (the default group on).
        # The group's row: checked, its name, then its ID.
        self.assertRegex(reloaded, r"\[x\] (\S+ +)?" + a.default_sg)
        self.assertNotIn("ModifyVpcEndpoint", self.stats()["requests"])
        ep = self.describe(vpce)
        self.assertEqual(ep["SubnetIds"], [a.subnets[0]])  # nothing was sent

    def test_refetch_after_create_carries_its_own_time(self):
        """The ENIs and subnets refetched after a create are as old as that refetch, not as the
        refresh at start: the saved snapshot's per-type times say so."""
        a = self.acct
        gate = os.path.join(self.tmp.name, "go")
        saved = os.path.join(self.tmp.name, "after.json")
        keys = ["pause-file " + gate]
        keys += self.create_keys(SSM, "forms-ages", subnets=a.subnets[:1], groups=[a.https_sg])
        keys += ["Enter", "wait", "snap", "q", ":save %s<Enter>" % saved]
        proc = subprocess.Popen(self.command(keys), env=self.home.env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.time() + 120
            while not os.path.exists(gate + ".paused") and time.time() < deadline:
                self.assertIsNone(proc.poll(), proc.stderr.read() if proc.poll() else "")
                time.sleep(0.1)
            self.assertTrue(os.path.exists(gate + ".paused"))
            time.sleep(2.2)  # the refresh is now whole seconds in the past
            released = int(time.time())
            open(gate, "w").close()
            out, err = proc.communicate(timeout=240)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        out = out.decode("utf-8", "replace")
        self.assertEqual(proc.returncode, 0, err.decode(errors="replace"))
        self.assertIn("Done", out)
        self.assertIn("saved a snapshot to " + saved, out)
        self.assertEqual(len(self.named("forms-ages")), 1, out)
        with open(saved) as f:
            by_type = json.load(f)["Metadata"]["FetchedAtByType"]

        def epoch(key):
            return calendar.timegm(time.strptime(by_type[key], "%Y-%m-%dT%H:%M:%SZ"))

        self.assertLess(epoch("Vpcs"), released, by_type)  # untouched: the refresh's time
        for key in ("NetworkInterfaces", "Subnets"):
            self.assertGreaterEqual(epoch(key), released, (key, by_type))


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main(verbosity=2)
