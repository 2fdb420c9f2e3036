#!/usr/bin/env python3
"""Commands over saved inventories, no AWS needed: `vpcx diff` exits as diff(1) does (0 same,
1 different, 2 trouble); `snapshot save` and the explorer's `:save` keep the inventory's own
Metadata (Account, Arn, Region, FetchedAt of the data, not the time of the save); `vpcx --demo
whoami` shows the demo's identity. Skips (77) without $VPCX_BIN."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vpcx_harness as h  # noqa: E402

KEPT = ("Account", "Arn", "Region", "Endpoint", "Profile", "FetchedAt")


class StoreCommandsTest(unittest.TestCase):
    def setUp(self):
        self.home = h.CleanHome()
        self.dir = tempfile.TemporaryDirectory(prefix="vpcx-store-it-")
        self.demo = self.path("demo.json")
        with open(self.demo, "w") as f:
            f.write(self.run_ok(["--demo", "dump", "--format", "json"]).stdout)

    def tearDown(self):
        self.home.cleanup()
        self.dir.cleanup()

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def env(self):
        return self.home.env(XDG_CACHE_HOME=self.path("cache"))

    def run_ok(self, args):
        run = h.run_vpcx(args, self.env(), timeout=120)
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        return run

    def load(self, path):
        with open(path) as f:
            return json.load(f)

    def write(self, name, doc):
        with open(self.path(name), "w") as f:
            json.dump(doc, f)
        return self.path(name)

    # ---- diff exit codes ----

    def diff(self, a, b, *extra):
        return h.run_vpcx(["diff", a, b] + list(extra), self.env(), timeout=120)

    def test_diff_same_exits_0(self):
        copy = self.write("copy.json", self.load(self.demo))
        for fmt in ("text", "json"):
            run = self.diff(self.demo, copy, "--format", fmt)
            self.assertEqual(run.rc, 0, run.describe())
        self.assertIn("No differences", self.diff(self.demo, copy).stdout)

    def test_diff_different_exits_1(self):
        doc = self.load(self.demo)
        gone = doc["Vpcs"].pop()["VpcId"]
        other = self.write("other.json", doc)
        run = self.diff(self.demo, other)
        self.assertEqual(run.rc, 1, run.describe())
        self.assertIn(gone, run.stdout)
        run = self.diff(self.demo, other, "--format", "json")
        self.assertEqual(run.rc, 1, run.describe())
        self.assertEqual(run.json()["Removed"], 1)

    def test_diff_trouble_exits_2(self):
        bad = self.path("bad.json")
        with open(bad, "w") as f:
            f.write("{\"Metadata\": ")
        for a, b in ((self.demo, self.path("missing.json")), (bad, self.demo),
                     (self.demo, self.dir.name)):
            run = self.diff(a, b)
            self.assertEqual(run.rc, 2, run.describe())
            self.assertTrue(run.stderr.startswith("vpcx: "), run.describe())
            self.assertEqual(run.stdout, "")

    # ---- snapshot save / :save keep the inventory's Metadata ----

    def check_kept(self, saved_path, want_meta, source):
        meta = self.load(saved_path)["Metadata"]
        for key in KEPT:
            self.assertEqual(meta.get(key), want_meta.get(key), "%s: %s" % (saved_path, key))
        self.assertEqual(meta.get("Source"), source)

    def test_snapshot_save_keeps_metadata(self):
        want = self.load(self.demo)["Metadata"]
        self.assertTrue(want.get("Arn") and want.get("FetchedAt"), want)
        self.run_ok(["--demo", "snapshot", "save", self.path("a.json")])
        self.check_kept(self.path("a.json"), want, "demo")
        self.run_ok(["--snapshot", self.path("a.json"), "snapshot", "save", self.path("b.json")])
        self.check_kept(self.path("b.json"), want, "demo")

    def explorer_save(self, args, target):
        keys = self.path("keys")
        with open(keys, "w") as f:
            f.write(":save %s<Enter>\n" % target)
        self.run_ok(args + ["--headless", "100x30", "--keys", keys, "--screen-out", os.devnull])
        self.assertTrue(os.path.exists(target), target)

    def test_explorer_save_keeps_metadata(self):
        want = self.load(self.demo)["Metadata"]
        self.explorer_save(["--demo"], self.path("demo-save.json"))
        self.check_kept(self.path("demo-save.json"), want, "demo")
        # A snapshot with per-type times keeps them too.
        doc = self.load(self.demo)
        doc["Metadata"]["FetchedAtByType"] = {"Vpcs": "2026-11-25T08:00:00Z"}
        doc["Metadata"]["Source"] = "aws"
        snap = self.write("typed.json", doc)
        self.explorer_save(["--snapshot", snap], self.path("typed-save.json"))
        meta = self.load(self.path("typed-save.json"))["Metadata"]
        self.check_kept(self.path("typed-save.json"), doc["Metadata"], "aws")
        self.assertEqual(meta.get("FetchedAtByType"), {"Vpcs": "2026-11-25T08:00:00Z"})

    # ---- whoami over the demo ----

    def test_demo_whoami(self):
        meta = self.load(self.demo)["Metadata"]
        run = self.run_ok(["--demo", "whoami"])
        self.assertIn("demo", run.stdout)
        for key in ("Account", "Arn", "Region"):
            self.assertIn(meta[key], run.stdout)
        self.assertNotIn("no region", run.output)
        doc = self.run_ok(["--demo", "whoami", "--format", "json"]).json()
        self.assertEqual(doc["Account"], meta["Account"])
        self.assertEqual(doc["Arn"], meta["Arn"])
        self.assertEqual(doc["Region"]["Value"], meta["Region"])
        self.assertEqual(doc["Region"]["Source"], "demo")
        self.assertEqual(doc["Source"], "demo")
        self.assertNotIn("Credentials", doc)


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main()
