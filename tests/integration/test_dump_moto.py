#!/usr/bin/env python3
"""vpcx dump against moto (big account, >1000 ENIs) equals boto3's view, directly and
through awsproxy with forced paging. Skips (77) without $VPCX_BIN."""
import datetime
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vpcx_harness as h  # noqa: E402

PAGE_CAP = 50


class DumpMotoTest(h.MotoCase):
    moto_seed = 42

    @classmethod
    def seed_moto(cls):
        cls.seed = h.seed_account.seed(cls.moto.url, h.REGION, "big", moto_seed=42)
        cls.reference = h.reference_inventory(cls.moto.url)
        assert cls.reference["Errors"] == [], cls.reference["Errors"]
        assert len(cls.reference["NetworkInterfaces"]) > 1000
        cls.direct = h.dump(cls.moto.url, cls.home.env())

    def direct_json(self):
        run = self.direct
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        return run.json()

    def test_exit_zero_and_shape(self):
        out = self.direct_json()
        h.assert_dump_shape(self, out)
        self.assertEqual(out["Errors"], [])
        meta = out["Metadata"]
        self.assertEqual(meta["Account"], h.ACCOUNT)
        self.assertEqual(meta["Endpoint"].rstrip("/"), self.moto.url)
        self.assertIsInstance(meta["FormatVersion"], int)
        fetched = datetime.datetime.fromisoformat(meta["FetchedAt"].replace("Z", "+00:00"))
        age = datetime.datetime.now(datetime.timezone.utc) - fetched
        self.assertLess(abs(age.total_seconds()), 600)

    def test_same_items_as_boto3(self):
        h.assert_same_data(self, self.direct_json(), self.reference, label="direct to moto")

    def test_snapshot_round_trip_same_bytes(self):
        # Each item goes into the inventory's compact records and back out through the
        # decoder: the moto account's hostile text, timestamps and numbers must survive.
        with tempfile.TemporaryDirectory(prefix="vpcx-moto-") as tmp:
            first = os.path.join(tmp, "live.json")
            again = os.path.join(tmp, "again.json")
            run = h.dump(self.moto.url, self.home.env(), ["-o", first])
            self.assertEqual(run.rc, h.EXIT_OK, run.describe())
            run = h.run_vpcx(["--snapshot", first, "dump", "--format", "json", "-o", again],
                             self.home.env())
            self.assertEqual(run.rc, h.EXIT_OK, run.describe())
            with open(first, "rb") as f, open(again, "rb") as g:
                self.assertEqual(g.read(), f.read())

    def test_counts(self):
        out = self.direct_json()
        for name in h.DATA_SECTIONS:
            self.assertEqual(len(out[name]), len(self.reference[name]), name)

    def test_hostile_text_kept_exactly_in_json(self):
        out = self.direct_json()
        vpcs = {v["VpcId"]: v for v in out["Vpcs"]}
        prod = vpcs[self.seed["vpcs"]["prod"]]
        tags = {t["Key"]: t["Value"] for t in prod.get("Tags", [])}
        self.assertEqual(tags.get("Name"), h.seed_account.RTL_NAME)
        self.assertEqual(tags.get("Team"), h.seed_account.WIDE_TAG)
        stg = vpcs[self.seed["vpcs"]["staging"]]
        tags = {t["Key"]: t["Value"] for t in stg.get("Tags", [])}
        self.assertEqual(tags.get("Name"), "staging " + h.seed_account.CSI_TAG)
        self.assertEqual(tags.get("Notes"), "<b>&amp; \"quoted\" 'single' </b>")
        # JSON escapes control characters; no raw ESC may reach the output.
        self.assertNotIn("\x1b", self.direct.stdout)

    def test_timestamps_are_wire_strings(self):
        out = self.direct_json()
        for ep in out["VpcEndpoints"]:
            self.assertIsInstance(ep["CreationTimestamp"], str)
        want = {e["VpcEndpointId"]: e["CreationTimestamp"]
                for e in self.reference["VpcEndpoints"]}
        got = {e["VpcEndpointId"]: e["CreationTimestamp"] for e in out["VpcEndpoints"]}
        self.assertEqual(got, want)

    def test_paging_through_proxy_walks_every_page(self):
        config = {"paging": {"enabled": True, "cap": PAGE_CAP}}
        with h.awsproxy.AwsProxy(self.moto.url, config) as proxy:
            run = h.dump(proxy.url, self.home.env())
            stats = proxy.stats()
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        out = run.json()
        self.assertEqual(out["Errors"], [])
        h.assert_same_data(self, out, self.reference, label="through the paging proxy")
        self.check_paging_stats(stats)

    def check_paging_stats(self, stats):
        sizes = {"DescribeNetworkInterfaces": len(self.reference["NetworkInterfaces"]),
                 "DescribeVpcEndpointServices": len(self.reference["VpcEndpointServices"]),
                 "DescribeSubnets": len(self.reference["Subnets"])}
        for action, (_, lo, hi, _) in h.awsproxy.PAGED.items():
            self.assertGreaterEqual(stats["requests"].get(action, 0), 1,
                                    "%s never called" % action)
            issued = stats["tokens_issued"].get(action, 0)
            redeemed = stats["tokens_redeemed"].get(action, 0)
            if action == "DescribeNetworkInterfaces":
                # Once subnets (or VPCs) are in, vpcx splits the ENI chain into chains
                # filtered by subnet: the first chain's pending token is dropped, and
                # every shard ends with a last page of its own.
                self.assertIn(issued - redeemed, (0, 1), "ENI tokens")
                self.assertGreaterEqual(stats["final_pages"].get(action, 0), 1)
            else:
                self.assertEqual(stats["final_pages"].get(action), 1,
                                 "%s: the last page was not fetched exactly once" % action)
                self.assertEqual(issued, redeemed, "%s: a nextToken was not followed" % action)
            self.assertEqual(stats["requests"][action], stats["pages"][action],
                             "%s: requests that were not pages (errors/retries)" % action)
            for value in stats["max_results"].get(action, {}):
                self.assertTrue(lo <= int(value), "%s MaxResults=%s" % (action, value))
        for action, total in sizes.items():
            sent = list(stats["max_results"].get(action, {})) or [1000]
            page = min(int(sent[0]), PAGE_CAP)
            if action == "DescribeNetworkInterfaces":  # shards end with partial pages
                self.assertGreaterEqual(stats["pages"][action], -(-total // page), action)
            else:
                self.assertEqual(stats["pages"][action], -(-total // page), action)
        self.assertGreaterEqual(stats["pages"]["DescribeNetworkInterfaces"], 21)


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main()
