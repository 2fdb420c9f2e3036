#!/usr/bin/env python3
"""Self-test of the moto tooling with boto3 and the AWS CLI (no vpcx needed).

    python3 tests/tools/selftest_tools.py [-v] [--big]

--big also seeds the big account and prints the seeding time.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

import botocore.exceptions
import botocore.parsers

sys.dont_write_bytecode = True  # keep the source tree clean
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import awsproxy  # noqa: E402
import boto_inventory  # noqa: E402
import motoctl  # noqa: E402
import seed_account  # noqa: E402

BIG = "--big" in sys.argv
if BIG:
    sys.argv.remove("--big")


def client(url, attempts=3, read_timeout=10, validate=True):
    return boto_inventory.make_client(url, "us-east-1", max_attempts=attempts,
                                      read_timeout=read_timeout,
                                      parameter_validation=validate)


def without_timestamps(problems):
    return [p for p in problems if not p["path"].endswith("CreationTimestamp")]


class ToolsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = motoctl.MotoServer(seed=7).start()
        t0 = time.monotonic()
        cls.summary = seed_account.seed(cls.moto.url, mode="small", moto_seed=7)
        cls.seed_seconds = time.monotonic() - t0
        cls.reference = boto_inventory.inventory(cls.moto.url)
        cls.proxy = awsproxy.AwsProxy(cls.moto.url).start()

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()
        cls.moto.stop()

    def setUp(self):
        self.proxy.set_config({})

    # ---- motoctl / seed / inventory ----
    def test_seed_small_shape(self):
        ref = self.reference
        self.assertEqual(ref["Errors"], [])
        self.assertGreaterEqual(len(ref["Vpcs"]), 4)
        self.assertGreaterEqual(len(ref["NetworkInterfaces"]), 300)
        self.assertLessEqual(len(ref["NetworkInterfaces"]), 500)
        types = {e["VpcEndpointType"] for e in ref["VpcEndpoints"]}
        self.assertEqual(types, {"Interface", "Gateway"})
        counts = {len(e.get("SubnetIds", [])) for e in ref["VpcEndpoints"]
                  if e["VpcEndpointType"] == "Interface"}
        self.assertTrue({1, 2, 3} <= counts)
        tiny = [s for s in ref["Subnets"] if s["CidrBlock"] == "10.0.10.0/28"][0]
        self.assertLessEqual(tiny["AvailableIpAddressCount"], 3)
        azs = {s["AvailabilityZone"] for s in ref["Subnets"] if not s["DefaultForAz"]}
        self.assertEqual(len(azs), 3)
        # timestamps stay wire strings
        self.assertIsInstance(ref["VpcEndpoints"][0]["CreationTimestamp"], str)
        self.assertTrue(ref["VpcEndpoints"][0]["CreationTimestamp"].endswith("Z"))
        print("\n  small seed: %d ENIs in %.1f s" % (self.summary["enis_created"],
                                                   self.seed_seconds), file=sys.stderr)

    def test_seed_is_deterministic(self):
        with motoctl.MotoServer(seed=7) as other:
            seed_account.seed(other.url, mode="small", moto_seed=7)
            again = boto_inventory.inventory(other.url)
        problems = without_timestamps(boto_inventory.compare(again, self.reference))
        self.assertEqual(problems, [], boto_inventory.format_problems(problems))

    def test_compare_reports_precise_differences(self):
        changed = json.loads(json.dumps(self.reference))
        victim = changed["Subnets"][3]
        victim["AvailableIpAddressCount"] += 1
        changed["Vpcs"].pop()
        changed["NetworkInterfaces"].append(changed["NetworkInterfaces"][0])
        problems = boto_inventory.compare(changed, self.reference)
        kinds = {(p["type"], p["problem"], p["path"]) for p in problems}
        self.assertIn(("Subnets", "differs", "AvailableIpAddressCount"), kinds)
        self.assertIn(("Vpcs", "missing in vpcx", ""), kinds)
        self.assertIn(("NetworkInterfaces", "duplicate ID in vpcx", ""), kinds)
        diff = [p for p in problems if p["problem"] == "differs"][0]
        self.assertEqual(diff["id"], victim["SubnetId"])
        self.assertEqual(diff["vpcx"], diff["boto"] + 1)
        self.assertEqual(len(problems), 3)

    def test_motoctl_cli(self):
        with tempfile.TemporaryDirectory() as tmp:
            pidfile = os.path.join(tmp, "moto.pid")
            out = subprocess.run([sys.executable, os.path.join(HERE, "motoctl.py"), "start",
                                  "--pidfile", pidfile, "--seed", "3"],
                                 capture_output=True, text=True, timeout=60, check=True)
            url = out.stdout.strip()
            pid, url2 = motoctl.read_pidfile(pidfile)
            self.assertEqual(url, url2)
            self.assertTrue(motoctl.wait_ready(url, timeout=5))
            subprocess.run([sys.executable, os.path.join(HERE, "motoctl.py"), "stop",
                            "--pidfile", pidfile], check=True, timeout=30)
            self.assertRaises(ProcessLookupError, os.kill, pid, 0)

    # ---- proxy: paging ----
    def paged_inventory(self, page_size):
        return boto_inventory.inventory(self.proxy.url, page_size=page_size)

    def test_paging_walks_every_page_once(self):
        self.proxy.set_config({"paging": {"enabled": True, "cap": 50}})
        got = self.paged_inventory(page_size=7)
        problems = boto_inventory.compare(got, self.reference)
        self.assertEqual(problems, [], boto_inventory.format_problems(problems))
        stats = self.proxy.stats()
        enis = len(self.reference["NetworkInterfaces"])
        self.assertEqual(stats["pages"]["DescribeNetworkInterfaces"], -(-enis // 7))
        self.assertEqual(stats["tokens_issued"], stats["tokens_redeemed"])
        for action in awsproxy.PAGED:
            self.assertEqual(stats["final_pages"].get(action), 1, action)
        self.assertEqual(stats["max_results"]["DescribeVpcs"], {"7": 1})

    def test_cap_forces_paging_without_max_results(self):
        self.proxy.set_config({"paging": {"enabled": True, "cap": 50}})
        got = self.paged_inventory(page_size=None)
        self.assertEqual(boto_inventory.compare(got, self.reference), [])
        stats = self.proxy.stats()
        enis = len(self.reference["NetworkInterfaces"])
        self.assertEqual(stats["requests"]["DescribeNetworkInterfaces"], -(-enis // 50))
        self.assertEqual(stats["requests"]["DescribeVpcEndpointServices"], -(-257 // 50))

    def test_max_results_bounds(self):
        self.proxy.set_config({"paging": {"enabled": True}})
        c = client(self.proxy.url, attempts=1, validate=False)
        cases = [("describe_vpcs", 4, "greater than 5"),
                 ("describe_route_tables", 101, "less than or equal to 100"),
                 ("describe_network_interfaces", 1001, "less than or equal to 1000")]
        for method, value, text in cases:
            with self.assertRaises(botocore.exceptions.ClientError) as ctx:
                getattr(c, method)(MaxResults=value)
            err = ctx.exception.response["Error"]
            self.assertEqual(err["Code"], "InvalidParameterValue")
            self.assertIn(text, err["Message"])
            self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertEqual(len(c.describe_route_tables(MaxResults=100)["RouteTables"]),
                         len(self.reference["RouteTables"]))
        # endpoints: no model bound, above 1000 is clamped, not refused
        c.describe_vpc_endpoints(MaxResults=5000)

    def test_bad_token(self):
        self.proxy.set_config({"paging": {"enabled": True}})
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            client(self.proxy.url, 1).describe_subnets(NextToken="bogus", MaxResults=5)
        self.assertEqual(ctx.exception.response["Error"]["Code"], "InvalidPaginationToken")

    # ---- proxy: dry run ----
    def test_dry_run_not_forwarded(self):
        c = client(self.proxy.url, 1)
        vpc = self.summary["vpcs"]["prod"]
        before = len(c.describe_vpc_endpoints()["VpcEndpoints"])
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            c.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.kms",
                                  VpcEndpointType="Interface", DryRun=True)
        self.assertEqual(ctx.exception.response["Error"]["Code"], "DryRunOperation")
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 412)
        self.assertEqual(len(c.describe_vpc_endpoints()["VpcEndpoints"]), before)

    # ---- proxy: faults ----
    def fault(self, kind, nth, attempts=3, **extra):
        rule = dict(kind=kind, nth=nth, **extra)
        self.proxy.set_config({"faults": {"DescribeVpcs": [rule]}})
        return client(self.proxy.url, attempts, read_timeout=5)

    def assert_recovers(self, kind, nth=(1,), **extra):
        c = self.fault(kind, list(nth), **extra)
        vpcs = c.describe_vpcs()["Vpcs"]
        self.assertEqual(len(vpcs), len(self.reference["Vpcs"]))
        stats = self.proxy.stats()
        self.assertEqual(stats["requests"]["DescribeVpcs"], len(nth) + 1, kind)
        self.assertEqual(stats["faults"]["DescribeVpcs"][kind], len(nth))

    def test_throttle_recovers_with_standard_retries(self):
        self.assert_recovers("throttle", (1, 2))

    def test_throttle_error_document(self):
        c = self.fault("throttle", [1], attempts=1)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            c.describe_vpcs()
        r = ctx.exception.response
        self.assertEqual(r["Error"]["Code"], "RequestLimitExceeded")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 503)
        self.assertRegex(r["ResponseMetadata"]["RequestId"], "^[0-9a-f-]{36}$")

    def test_internal_drop_truncate_html_recover(self):
        for kind in ("internal", "drop", "truncate"):
            with self.subTest(kind=kind):
                self.assert_recovers(kind)

    def test_html500_is_not_parsed_by_botocore(self):
        # botocore fails to parse moto's HTML 500 and raises instead of retrying;
        # vpcx is expected to retry on the HTTP status (see test_faults.py).
        c = self.fault("html500", [1])
        with self.assertRaises(botocore.parsers.ResponseParserError):
            c.describe_vpcs()
        self.assertEqual(self.proxy.stats()["status"]["DescribeVpcs"], {"500": 1})

    def test_slow_body_arrives_whole(self):
        t0 = time.monotonic()
        c = self.fault("slow", [1], chunk=300, delay=0.05)
        self.assertEqual(len(c.describe_vpcs()["Vpcs"]), len(self.reference["Vpcs"]))
        self.assertGreater(time.monotonic() - t0, 0.1)
        self.assertEqual(self.proxy.stats()["requests"]["DescribeVpcs"], 1)

    def test_malformed_expired_auth(self):
        c = self.fault("malformed", [1], attempts=1)
        with self.assertRaises(botocore.parsers.ResponseParserError):
            c.describe_vpcs()
        for kind, code, status in (("expired", "RequestExpired", 400),
                                   ("auth", "AuthFailure", 401)):
            c = self.fault(kind, [1], attempts=3)
            with self.assertRaises(botocore.exceptions.ClientError) as ctx:
                c.describe_vpcs()
            self.assertEqual(ctx.exception.response["Error"]["Code"], code)
            self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"],
                             status)
            self.assertEqual(self.proxy.stats()["requests"]["DescribeVpcs"], 1)

    def test_rate_limit_bucket(self):
        self.proxy.set_config({"rate_limit": {"DescribeSubnets": {"rate": 2, "burst": 3}}})
        c = client(self.proxy.url, 1)
        codes = []
        for _ in range(6):
            try:
                c.describe_subnets()
                codes.append("ok")
            except botocore.exceptions.ClientError as exc:
                codes.append(exc.response["Error"]["Code"])
        self.assertEqual(codes[:3], ["ok"] * 3)
        self.assertIn("RequestLimitExceeded", codes[3:])
        time.sleep(1.1)
        c.describe_subnets()  # refilled

    def test_rate_limit_standard_retries_recover(self):
        self.proxy.set_config({"rate_limit": {"DescribeSubnets": {"rate": 10, "burst": 2}}})
        c = client(self.proxy.url, 5)
        for _ in range(6):
            c.describe_subnets()
        self.assertGreater(self.proxy.stats()["faults"]["DescribeSubnets"]["rate_limit"], 0)

    def test_aws_cli_through_proxy(self):
        self.proxy.set_config({"paging": {"enabled": True, "cap": 50}})
        env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                   AWS_DEFAULT_REGION="us-east-1")
        out = subprocess.run(["aws", "--endpoint-url", self.proxy.url, "ec2",
                              "describe-network-interfaces", "--page-size", "20",
                              "--query", "NetworkInterfaces[].NetworkInterfaceId",
                              "--output", "json"],
                             capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        ids = json.loads(out.stdout)
        want = [e["NetworkInterfaceId"] for e in self.reference["NetworkInterfaces"]]
        self.assertEqual(sorted(ids), sorted(want))
        self.assertEqual(len(ids), len(set(ids)))


@unittest.skipUnless(BIG, "pass --big to seed the big account")
class BigSeedTest(unittest.TestCase):
    def test_big_seed_time(self):
        with motoctl.MotoServer(seed=42) as moto:
            t0 = time.monotonic()
            summary = seed_account.seed(moto.url, mode="big", moto_seed=42)
            elapsed = time.monotonic() - t0
            inv = boto_inventory.inventory(moto.url)
        self.assertGreater(summary["enis_created"], 1000)
        self.assertGreater(len(inv["NetworkInterfaces"]), 1000)
        self.assertLess(elapsed, 45)
        print("\n  big seed: %d ENIs, %.1f s total (ENIs %.1f s)" % (
            summary["enis_created"], elapsed, summary["eni_seconds"]), file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
