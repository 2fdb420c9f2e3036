#!/usr/bin/env python3
"""The cache keeps vpcx useful without AWS (issue 4): `vpcx dump` against moto fills the cache
in a temporary XDG_CACHE_HOME; the explorer's refresh updates it; with moto stopped,
`vpcx --offline dump` and the explorer (headless, endpoint unreachable) still show the cached
inventory, the explorer naming the refresh failure; with no credentials the explorer paints
the cache and names the credential error. No file in the cache holds the secret key or the
session token used. Skips (77) without $VPCX_BIN."""
import json
import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vpcx_harness as h  # noqa: E402

SESSION_TOKEN = "FQoGZXIvYXdzEXAMPLE-session-token-7Kp3wQ"
SCREEN = "120x40"


class CacheOfflineTest(h.MotoCase):
    moto_seed = 42
    work_prefix = "vpcx-cache-it-"

    @classmethod
    def seed_moto(cls):
        cls.cache_home = os.path.join(cls.home.path, "xdg-cache")
        h.seed_account.seed(cls.moto.url, h.REGION, "small", moto_seed=42)
        cls.url = cls.moto.url
        cls.reference = h.reference_inventory(cls.url)

    def env(self, cache_home=None, **kw):
        kw.setdefault("AWS_SESSION_TOKEN", SESSION_TOKEN)
        return self.home.env(XDG_CACHE_HOME=cache_home or self.cache_home, **kw)

    def cache_files(self, cache_home=None):
        root = os.path.join(cache_home or self.cache_home, "vpcx")
        if not os.path.isdir(root):
            return []
        return sorted(os.path.join(root, f) for f in os.listdir(root))

    def explore(self, keys, env, extra=()):
        path = os.path.join(self.work.name, "keys")
        with open(path, "w") as f:
            f.write(keys)
        args = ["--endpoint-url", self.url, "--region", h.REGION, "--max-attempts", "1",
                "--headless", SCREEN, "--keys", path, "--screen-out", "-"] + list(extra)
        return h.run_vpcx(args, env, timeout=120)

    def create_vpc(self):
        import boto3
        ec2 = boto3.client("ec2", endpoint_url=self.url, region_name=h.REGION,
                           aws_access_key_id=h.TEST_KEY, aws_secret_access_key=h.TEST_SECRET)
        return ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]

    def vpc_ids(self):
        return sorted(v["VpcId"] for v in self.reference["Vpcs"])

    def test_cache_survives_outage(self):
        # 1. Online: dump fills the cache; --no-cache writes nothing.
        bare = os.path.join(self.work.name, "bare-cache")
        run = h.dump(self.url, self.env(cache_home=bare), extra=["--no-cache"])
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertEqual(self.cache_files(bare), [])
        run = h.dump(self.url, self.env())
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        online = run.json()
        data = [f for f in self.cache_files() if f.endswith(".json") and "index" not in f]
        self.assertEqual(len(data), 1, self.cache_files())

        # 2. The explorer online: paints, refreshes, and its refresh updates the cache.
        new_vpc = self.create_vpc()
        run = self.explore("wait\n", self.env())
        if os.environ.get("VPCX_TEST_SHOW"):
            print(run.stdout, run.stderr)
        self.assertEqual(run.rc, 0, run.describe())
        self.assertNotIn("OFFLINE", run.stdout)
        self.assertIn("all types", run.stdout, run.stdout)
        self.assertNotIn("refresh failed", run.stdout)

        # 3. Moto gone: the same endpoint refuses connections.
        self.moto.stop()
        run = h.run_vpcx(["--offline", "dump", "--format", "json", "--endpoint-url", self.url,
                          "--region", h.REGION], self.env())
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        offline = run.json()
        self.assertIn(new_vpc, [v["VpcId"] for v in offline["Vpcs"]], "explorer refresh cached")
        for name in h.DATA_SECTIONS:
            if name not in ("Vpcs", "RouteTables", "SecurityGroups", "NetworkAcls"):
                self.assertEqual(offline[name], online[name], name)

        run = self.explore("wait\n", self.env())
        if os.environ.get("VPCX_TEST_SHOW"):
            print(run.stdout, run.stderr)
        self.assertEqual(run.rc, 0, run.describe())
        screen = run.stdout
        self.assertIn("refresh failed", screen, screen)
        self.assertIn("showing data from", screen, screen)
        self.assertIn(self.vpc_ids()[0], screen, screen)
        self.assertNotIn("OFFLINE", screen.splitlines()[0])

        # 4. --offline: no fetch at all, the header says so.
        run = self.explore("", self.env(), extra=["--offline"])
        self.assertEqual(run.rc, 0, run.describe())
        self.assertIn("OFFLINE", run.stdout.splitlines()[0])
        self.assertNotIn("refresh failed", run.stdout)
        self.assertIn(self.vpc_ids()[0], run.stdout)

        # 5. No credentials at start-up: the cache is painted, the status names the problem.
        run = self.explore("", self.env(key=None, secret=None, AWS_SESSION_TOKEN=None))
        if os.environ.get("VPCX_TEST_SHOW"):
            print(run.stdout, run.stderr)
        self.assertEqual(run.rc, 0, run.describe())
        lines = run.stdout.splitlines()
        self.assertIn("OFFLINE", lines[0])
        self.assertIn("credentials", lines[-1].lower(), run.stdout)
        self.assertIn(self.vpc_ids()[0], run.stdout)

        # 6. A failed refresh did not damage the cache.
        run = h.run_vpcx(["--offline", "dump", "--format", "json", "--endpoint-url", self.url,
                          "--region", h.REGION], self.env())
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertEqual(run.json()["Vpcs"], offline["Vpcs"])

        # 7. No secret in any file of the cache.
        files = self.cache_files()
        self.assertTrue(files)
        for path in files:
            with open(path, "rb") as f:
                blob = f.read()
            for secret in (h.TEST_SECRET, SESSION_TOKEN):
                self.assertNotIn(secret.encode(), blob, "%s holds a secret" % path)

    def test_saved_snapshots_keep_cache_metadata(self):
        """`snapshot save` and the explorer's :save, from the cache (offline) and after a
        refresh, keep the inventory's Metadata: Account, Arn, Region, FetchedAt of the data."""
        cache_home = os.path.join(self.work.name, "meta-cache")
        env = self.env(cache_home=cache_home)
        with h.motoctl.MotoServer() as moto:
            where = ["--endpoint-url", moto.url, "--region", h.REGION]
            run = h.run_vpcx(["dump"] + where, env)
            self.assertEqual(run.rc, h.EXIT_OK, run.describe())
            cached = self.cache_meta(cache_home)
            self.assertTrue(cached.get("Arn"), cached)
            time.sleep(2)  # a save now has a later time than the data
            saves = {}
            saves["offline snapshot save"] = self.snapshot_save(where + ["--offline"], env)
            saves["offline :save"] = self.explorer_save(where + ["--offline"], env, "")
            for label, meta in saves.items():
                for key in ("Account", "Arn", "Region", "Endpoint", "FetchedAt"):
                    self.assertEqual(meta.get(key), cached.get(key), "%s: %s" % (label, key))
            # Online, the refresh's time replaces the cached one; the Arn stays, in the
            # refreshed cache too.
            online = self.explorer_save(where, env, "wait\n")
            self.assertEqual(online.get("Arn"), cached["Arn"])
            self.assertEqual(online.get("Account"), cached["Account"])
            self.assertGreaterEqual(online["FetchedAt"], cached["FetchedAt"])
            self.assertEqual(self.cache_meta(cache_home).get("Arn"), cached["Arn"])

    def cache_meta(self, cache_home):
        data = [f for f in self.cache_files(cache_home) if f.endswith(".json") and
                "index" not in f]
        self.assertEqual(len(data), 1, data)
        with open(data[0]) as f:
            return json.load(f)["Metadata"]

    def snapshot_save(self, args, env):
        path = os.path.join(self.work.name, "saved-%d.json" % time.monotonic_ns())
        run = h.run_vpcx(["snapshot", "save", path] + args, env)
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        with open(path) as f:
            return json.load(f)["Metadata"]

    def explorer_save(self, args, env, before):
        path = os.path.join(self.work.name, "saved-%d.json" % time.monotonic_ns())
        keys = os.path.join(self.work.name, "save-keys")
        with open(keys, "w") as f:
            f.write("%s:save %s<Enter>\n" % (before, path))
        run = h.run_vpcx(args + ["--headless", SCREEN, "--keys", keys, "--screen-out",
                                 os.devnull], env, timeout=120)
        self.assertEqual(run.rc, 0, run.describe())
        with open(path) as f:
            return json.load(f)["Metadata"]


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main(verbosity=2)
