#!/usr/bin/env python3
"""--source config-aggregator against tests/tools/configserver.py (a stand-in for AWS Config's
SelectAggregateResourceConfig) whose configuration items come from a moto account seeded in
two regions: `vpcx dump --source config-aggregator org` gives, per account x region, the same
VPC, subnet, endpoint, ENI, security group, route table and network ACL items as `vpcx dump
--regions` against moto itself, with Metadata Source "config-aggregator org" and no VPC DNS
attributes (Config records none). Pages are followed (the stand-in caps each page below
vpcx's Limit of 100), a throttled first answer is retried, and an unknown aggregator fails
with a clear error. Skips (77) without $VPCX_BIN."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vpcx_harness as h  # noqa: E402
import configserver  # noqa: E402  (tests/tools, on the path through the harness)

EAST, WEST = "us-east-1", "eu-west-1"
TYPES = ["Vpcs", "Subnets", "VpcEndpoints", "NetworkInterfaces", "SecurityGroups",
         "RouteTables", "NetworkAcls"]
ID_KEYS = dict(configserver.RESOURCE_TYPES.values())


class ConfigAggregatorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = h.motoctl.MotoServer(seed=5).start()
        cls.home = h.CleanHome()
        cls.cfg = None
        try:
            os.environ.update(AWS_ACCESS_KEY_ID=h.TEST_KEY, AWS_SECRET_ACCESS_KEY=h.TEST_SECRET)
            h.seed_account.seed(cls.moto.url, EAST, "small", 5, None)
            h.seed_account.seed(cls.moto.url, WEST, "small", 6, None)
            items = configserver.items_from_moto(cls.moto.url, [EAST, WEST])
            cls.cfg = configserver.ConfigServer(items, aggregator="org", page_cap=40).start()
        except Exception:
            cls.tearDownClass()
            raise
        cls.home.write("credentials", "[default]\naws_access_key_id = %s\n"
                       "aws_secret_access_key = %s\n" % (h.TEST_KEY, h.TEST_SECRET))
        cls.home.write("config", "[default]\nregion = %s\n" % EAST)

    @classmethod
    def tearDownClass(cls):
        if cls.cfg:
            cls.cfg.stop()
        cls.moto.stop()
        cls.home.cleanup()

    def aggregator_dump(self, name="org", **extra):
        env = self.home.env(AWS_ENDPOINT_URL_CONFIG_SERVICE=self.cfg.url, **extra)
        return h.run_vpcx(["dump", "--format", "json", "--compact", "--no-cache",
                           "--endpoint-url", self.moto.url,
                           "--source", "config-aggregator", name], env)

    def describe_dump(self):
        return h.run_vpcx(["dump", "--format", "json", "--compact", "--no-cache",
                           "--endpoint-url", self.moto.url, "--regions", "%s,%s" % (EAST, WEST)],
                          self.home.env())

    @staticmethod
    def by_scope(doc):
        return {(i["Metadata"]["Account"], i["Metadata"]["Region"]): i
                for i in doc["Inventories"]}

    def test_same_items_as_describe(self):
        got = self.aggregator_dump()
        self.assertEqual(got.rc, h.EXIT_OK, got.describe())
        want = self.describe_dump()
        self.assertEqual(want.rc, h.EXIT_OK, want.describe())
        got, want = self.by_scope(got.json()), self.by_scope(want.json())
        self.assertEqual(sorted(got), [(h.ACCOUNT, WEST), (h.ACCOUNT, EAST)])
        self.assertEqual(sorted(got), sorted(want))
        for scope, inv in got.items():
            meta = inv["Metadata"]
            self.assertEqual(meta["Source"], "config-aggregator org")
            self.assertEqual(inv["Errors"], [])
            for t in TYPES:
                id_key = ID_KEYS[t]
                g = {x[id_key]: x for x in inv[t]}
                w = {x[id_key]: x for x in want[scope][t]}
                self.assertEqual(sorted(g), sorted(w), "%s %s" % (scope, t))
                for k in w:
                    self.assertEqual(g[k], w[k], "%s %s %s" % (scope, t, k))
            # Config records no DNS attributes: the dump says nothing rather than false.
            self.assertEqual(inv.get("VpcAttributes", {}), {})
            self.assertEqual(sorted(want[scope]["VpcAttributes"]), sorted(w_ids(want[scope])))
            # Types Config does not record stay empty lists, not invented, and Metadata
            # names the types it gave.
            self.assertEqual(inv["AvailabilityZones"], [])
            self.assertEqual(sorted(meta["FetchedAtByType"]), sorted(TYPES))

    def test_pages_are_followed_with_limit_100(self):
        before = len(self.cfg.requests)
        run = self.aggregator_dump()
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        reqs = [r for _, r, _ in self.cfg.requests[before:]]
        self.assertTrue(all(r["Limit"] == 100 for r in reqs), reqs[:2])
        self.assertTrue(any("NextToken" in r for r in reqs), "no page was followed")
        enis = sum(len(i["NetworkInterfaces"]) for i in run.json()["Inventories"])
        want = sum(1 for i in self.cfg.items if i["resourceType"] == "AWS::EC2::NetworkInterface")
        self.assertGreater(want, 40)
        self.assertEqual(enis, want)
        scopes = {s for _, _, s in self.cfg.requests[before:]}
        self.assertEqual(scopes, {(EAST, "config")}, "signed for config in the profile's region")

    def test_throttled_once_then_success(self):
        self.cfg.throttle(1)
        before = self.cfg.throttled
        run = self.aggregator_dump()
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertEqual(self.cfg.throttled, before + 1)
        self.assertEqual(len(run.json()["Inventories"]), 2)

    def test_throttled_past_the_attempts(self):
        self.cfg.throttle(1000)
        before = self.cfg.throttled
        try:
            run = self.aggregator_dump(AWS_MAX_ATTEMPTS="2")
        finally:
            self.cfg.throttle(0)
        self.assertNotEqual(run.rc, h.EXIT_OK, run.describe())
        tried = self.cfg.throttled - before
        self.assertTrue(tried >= 2 and tried % 2 == 0,
                        "%d attempts: two a query, as AWS_MAX_ATTEMPTS says" % tried)
        self.assertIn("config:SelectAggregateResourceConfig failed after 2 attempts "
                      "(standard mode)", run.stderr)
        self.assertIn("ThrottlingException", run.stderr)

    def test_unknown_aggregator(self):
        run = self.aggregator_dump("nope")
        self.assertNotEqual(run.rc, h.EXIT_OK)
        self.assertEqual(run.stdout, "")
        self.assertIn("no configuration aggregator 'nope' in us-east-1", run.stderr)
        self.assertIn("NoSuchConfigurationAggregatorException", run.stderr)
        self.assertIn("describe-configuration-aggregators", run.stderr)

    def test_access_denied(self):
        self.cfg.deny()
        try:
            run = self.aggregator_dump()
        finally:
            self.cfg.deny(False)
        self.assertEqual(run.rc, h.EXIT_AUTH, run.describe())
        self.assertIn("AccessDeniedException", run.stderr)
        self.assertIn("config:SelectAggregateResourceConfig", run.stderr)

    def test_usage(self):
        run = h.run_vpcx(["dump", "--source", "config-aggregator"], self.home.env())
        self.assertEqual(run.rc, h.EXIT_USAGE, run.describe())
        run = h.run_vpcx(["dump", "--source", "config-aggregator", "org", "--regions", EAST],
                         self.home.env())
        self.assertEqual(run.rc, h.EXIT_USAGE, run.describe())


def w_ids(inv):
    return [v["VpcId"] for v in inv["Vpcs"]]


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main()
