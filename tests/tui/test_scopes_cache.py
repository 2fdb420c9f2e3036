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
import seed_account  # noqa: E402
import tmuxlib  # noqa: E402

SEED = 29
EAST, WEST = "us-east-1", "eu-west-1"
OLD = "2020-01-02T03:04:05Z"


class ScopesCacheTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.bin = os.environ["VPCX_BIN"]
        cls.moto = motoctl.MotoServer(seed=SEED).start()
        cls.proxy = None
        cls.home = tempfile.TemporaryDirectory(prefix="vpcx-scache-")
        try:
            os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
            seed_account.seed(cls.moto.url, EAST, "small", SEED, None)
            seed_account.seed(cls.moto.url, WEST, "small", SEED + 1, None)
            cls.vpcs = {}
            for region in (EAST, WEST):
                ec2 = seed_account.make_client(cls.moto.url, region)
                cls.vpcs[region] = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
            cls.proxy = awsproxy.AwsProxy(cls.moto.url).start()
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.proxy:
            cls.proxy.stop()
        cls.moto.stop()
        cls.home.cleanup()

    def screen(self, keys, extra=(), **env):
        path = os.path.join(self.home.name, "test.keys")
        with open(path, "w") as f:
            f.write("\n".join(keys) + "\n")
        cmd = [self.bin, "--endpoint-url", self.proxy.url, "--regions", "%s,%s" % (EAST, WEST),
               "--headless", "160x40", "--keys", path, "--screen-out", "-"] + list(extra)
        p = subprocess.run(cmd, env=tmuxlib.clean_env(self.home.name, **env),
                           capture_output=True, timeout=180)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        return p.stdout.decode("utf-8").splitlines()

    def row(self, lines, pattern):
        for i, line in enumerate(lines):
            if re.search(pattern, line):
                return i
        self.fail("no row matches %r in:\n%s" % (pattern, "\n".join(lines)))

    def vpcs_between(self, lines, start, end):
        return {m.group(1) for line in lines[start:end]
                for m in [re.search(r"▸ (vpc-[0-9a-f]+)", line)] if m}

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
