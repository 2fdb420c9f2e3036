#!/usr/bin/env python3
"""`:ip` asked while the ENIs are still loading: the explorer says so, then answers by itself
when DescribeNetworkInterfaces lands. moto behind tests/tools/awsproxy.py, which dribbles the
ENI answers out slowly; two VPCs share 10.0.0.0/16 and 10.0.3.14 is held in both, so the
answer is the list of both holders. The headless `wait` runs the network; keys before it are
typed while nothing has landed yet. And the matrix, open over a cached inventory while the
refresh replaces its records, is rebuilt on each change (it borrows the records' strings; the
ASan build catches a paint from freed ones). Skips (77) without $VPCX_BIN."""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("VPCX_SRCDIR", os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(SRC, "tests", "tools"))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import awsproxy  # noqa: E402
import motoctl  # noqa: E402
import tmuxlib  # noqa: E402

import boto3  # noqa: E402

REGION = "us-east-1"
SLOW_ENIS = {"faults": {"DescribeNetworkInterfaces": [
    {"kind": "slow", "always": True, "chunk": 1024, "delay": 0.1}]}}


def vpcx_bin():
    path = os.environ.get("VPCX_BIN", "")
    return path if path and os.access(path, os.X_OK) else None


class IpWhileLoading(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = motoctl.MotoServer().start()
        cls.proxy = awsproxy.AwsProxy(cls.moto.url).start()
        cls.home = tempfile.TemporaryDirectory(prefix="vpcx-ip-")
        ec2 = boto3.client("ec2", endpoint_url=cls.moto.url, region_name=REGION,
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        cls.enis = {}
        for name, az in (("prod", "us-east-1a"), ("staging", "us-east-1b")):
            vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
            subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.3.0/24",
                                       AvailabilityZone=az)["Subnet"]["SubnetId"]
            eni = ec2.create_network_interface(SubnetId=subnet, PrivateIpAddress="10.0.3.14",
                                               Description=name + " app")
            cls.enis[name] = eni["NetworkInterface"]["NetworkInterfaceId"]
        single = ec2.create_network_interface(SubnetId=subnet, PrivateIpAddress="10.0.3.20")
        cls.single = single["NetworkInterface"]["NetworkInterfaceId"]
        cls.vpc = vpc
        cls.endpoint = ec2.create_vpc_endpoint(
            VpcId=vpc, ServiceName="com.amazonaws.us-east-1.ssm", VpcEndpointType="Interface",
            SubnetIds=[subnet])["VpcEndpoint"]["VpcEndpointId"]

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()
        cls.moto.stop()
        cls.home.cleanup()

    def explore(self, keys, cache=False):
        script = os.path.join(self.home.name, "ip.keys")
        with open(script, "w") as f:
            f.write("\n".join(keys) + "\n")
        env = tmuxlib.clean_env(self.home.name)
        cmd = [vpcx_bin(), "--endpoint-url", self.proxy.url, "--region", REGION,
               "--headless", "120x30", "--keys", script, "--screen-out", "-"]
        if not cache:
            cmd.append("--no-cache")
        p = subprocess.run(cmd, env=env, capture_output=True, timeout=240)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        return p.stdout.decode("utf-8", "replace").split("--- snap ---\n")[1:]

    def test_answer_arrives_with_the_enis(self):
        self.proxy.set_config(SLOW_ENIS)
        self.proxy.reset()
        screens = self.explore([":ip 10.0.3.14<Enter>", "snap", "wait", "snap", "Esc",
                                ":ip 10.0.3.20<Enter>", "snap"])
        self.assertEqual(len(screens), 3)
        loading, landed, single = screens
        status = loading.splitlines()[-1]
        self.assertIn("ENIs still loading; will answer :ip 10.0.3.14 when they land", status)
        self.assertNotIn("no network interface holds", loading)
        # Once the ENIs are in, the answer is there without another key: both holders.
        self.assertIn("IP 10.0.3.14  held by 2 network interfaces", landed)
        for eni in self.enis.values():
            self.assertIn(eni, landed)
        self.assertNotIn("still loading", landed)
        # Asked after the load, :ip answers at once.
        self.assertIn("10.0.3.20 is on " + self.single, single.splitlines()[-1])
        st = self.proxy.stats()
        self.assertGreaterEqual(st["faults"]["DescribeNetworkInterfaces"]["slow"], 1, st)

    def test_matrix_follows_a_refresh(self):
        self.proxy.set_config({})
        self.explore(["wait"], cache=True)  # the cache the next run starts from
        self.proxy.set_config(SLOW_ENIS)
        self.proxy.reset()
        screens = self.explore([":" + self.vpc + "<Enter>", "m", "snap", "wait", "snap"],
                               cache=True)
        self.assertEqual(len(screens), 2)
        for screen in screens:
            self.assertIn(self.endpoint[:16], screen)  # the column may shorten it
            self.assertIn("ssm", screen)
        st = self.proxy.stats()
        self.assertGreaterEqual(st["faults"]["DescribeNetworkInterfaces"]["slow"], 1, st)


if __name__ == "__main__":
    if vpcx_bin() is None:
        print("SKIP: VPCX_BIN unset")
        sys.exit(77)
    unittest.main(verbosity=2)
