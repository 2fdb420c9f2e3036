#!/usr/bin/env python3
"""The explorer over several scopes reads and writes each scope's cache, as one scope does:
headless against moto (behind awsproxy), two regions. A first run writes one cache file per
region; without credentials the next run shows both regions' VPCs from their caches, each
region row saying "offline, cached ... ago" with the reason; with the caches backdated past
--max-age the rows say "(stale)"; with one region refused by the proxy, the loaded region is
fresh while the refused one shows its cached VPCs, stale and offline, and its cache file is
left as it was. Skips (77) without $VPCX_BIN."""
import glob
import json
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
from scopeslib import EAST, WEST, HeadlessScopesCase, seed_two_regions  # noqa: E402

SEED = 29
OLD = "2020-01-02T03:04:05Z"


class ScopesCacheTest(HeadlessScopesCase):
    moto_seed = SEED
    home_prefix = "vpcx-scache-"
    proxy_config = {}

    @classmethod
    def seed_moto(cls):
        cls.vpcs = {r: {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
                    for r, ec2 in seed_two_regions(cls.moto.url, SEED).items()}

    def screen(self, keys, extra=(), **env):
        return self.headless(["--endpoint-url", self.proxy.url, "--regions", "%s,%s" % (EAST, WEST)]
                             + list(extra), keys, size="160x40", **env)

    def cache_files(self):
        files = glob.glob(os.path.join(self.home.name, "cache", "vpcx", "*.json"))
        return {re.search(r"-(us-east-1|eu-west-1)-", f).group(1): f
                for f in files if os.path.basename(f) != "index.json"}

    def backdate(self):
        """Every fetch time of every cache file set to OLD."""
        for path in self.cache_files().values():
            with open(path) as f:
                doc = json.load(f)
            meta = doc["Metadata"]
            for key, value in list(meta.items()):
                if "FetchedAt" in key and isinstance(value, str):
                    meta[key] = OLD
                elif "FetchedAt" in key and isinstance(value, dict):
                    meta[key] = {k: OLD for k in value}
            with open(path, "w") as f:
                json.dump(doc, f)

    def test_1_first_run_writes_a_cache_per_scope(self):
        self.screen(["wait", "-"])
        files = self.cache_files()
        self.assertEqual(set(files), {EAST, WEST})
        for region, path in files.items():
            with open(path) as f:
                doc = json.load(f)
            self.assertEqual(doc["Metadata"]["Region"], region)
            self.assertEqual({v["VpcId"] for v in doc["Vpcs"]}, self.vpcs[region])

    def test_2_offline_scopes_show_their_cache(self):
        lines = self.screen(["wait", "-"], AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None)
        east = self.row(lines, r"▾ us-east-1 \(%d VPCs\)\s+offline, cached \d+[smhd] ago: "
                        % len(self.vpcs[EAST]))
        west = self.row(lines, r"▾ eu-west-1 \(%d VPCs?\)\s+offline, cached \d+[smhd] ago: "
                        % len(self.vpcs[WEST]))
        self.assertEqual(self.vpcs_between(lines, east, west), self.vpcs[EAST])
        self.assertEqual(self.vpcs_between(lines, west, len(lines)), self.vpcs[WEST])
        self.assertNotIn("(stale)", "\n".join(lines))

    def test_3_stale_marking_and_one_refused_region(self):
        self.backdate()
        lines = self.screen(["wait", "-"], AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None)
        self.row(lines, r"▾ us-east-1 \(\d+ VPCs\)\s+offline, cached \d+d ago \(stale\): ")
        self.row(lines, r"▾ eu-west-1 \(\d+ VPCs?\)\s+offline, cached \d+d ago \(stale\): ")
        west_file = self.cache_files()[WEST]
        with open(west_file, "rb") as f:
            before = f.read()
        self.proxy.set_config({"deny_regions": {WEST: "unauthorized"}})
        try:
            lines = self.screen(["wait", "-"], ["--max-age", "60"])
        finally:
            self.proxy.set_config({})
        east = self.row(lines, r"▾ us-east-1 \(%d VPCs\)\s+\d+s ago\s*│" % len(self.vpcs[EAST]))
        west = self.row(lines, r"▾ eu-west-1 \(%d VPCs?\)\s+offline, cached \d+d ago \(stale\): "
                        r"UnauthorizedOperation" % len(self.vpcs[WEST]))
        self.assertEqual(self.vpcs_between(lines, east, west), self.vpcs[EAST])
        self.assertEqual(self.vpcs_between(lines, west, len(lines)), self.vpcs[WEST])
        with open(west_file, "rb") as f:
            self.assertEqual(f.read(), before)  # nothing fetched: its cache stays
        with open(self.cache_files()[EAST]) as f:
            self.assertNotEqual(json.load(f)["Metadata"]["FetchedAt"], OLD)

    def test_4_no_cache_reads_and_writes_none(self):
        lines = self.screen(["wait", "-"], ["--no-cache"], AWS_ACCESS_KEY_ID=None,
                            AWS_SECRET_ACCESS_KEY=None)
        self.assertNotIn("cached", "\n".join(lines))
        self.assertNotIn("vpc-", "\n".join(lines))


if __name__ == "__main__":
    if not (os.environ.get("VPCX_BIN") and os.access(os.environ["VPCX_BIN"], os.X_OK)):
        print("SKIP: VPCX_BIN unset")
        sys.exit(77)
    unittest.main(verbosity=2)
