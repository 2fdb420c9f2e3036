#!/usr/bin/env python3
"""First paint from the cache (issue 4), headless and with no network: a cache seeded in a
temporary XDG_CACHE_HOME from the demo inventory (cache files are dump JSON) is painted at
once by `vpcx --offline`, with the age of each type and the stale ones marked (--max-age
moves the line); a corrupt cache is refused, not painted; in the same run the save key (S)
writes a snapshot that loads back equal, and `:diff FILE` lists what a crafted snapshot
lacks, has extra and has changed. Exit 77 without a vpcx binary."""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("VPCX_SRCDIR", os.path.dirname(os.path.dirname(HERE)))
BIN = os.environ.get("VPCX_BIN", os.path.join(SRC, "build", "vpcx"))
ENDPOINT = "http://127.0.0.1:9"  # never contacted: every run is --offline
REGION = "us-east-1"


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class CachePaintTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="vpcx-cache-tui-")
        self.dir = self.tmp.name
        self.cache = os.path.join(self.dir, "cache", "vpcx")
        self.demo = json.loads(self.vpcx(["--demo", "dump", "--format", "json"]).stdout)

    def tearDown(self):
        self.tmp.cleanup()

    def env(self):
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.dir,
                "XDG_CACHE_HOME": os.path.join(self.dir, "cache"),
                "XDG_CONFIG_HOME": os.path.join(self.dir, "config"),
                "LC_ALL": "C.UTF-8", "TERM": "xterm-256color",
                "VPCX_THEMES_DIR": os.path.join(SRC, "themes")}

    def vpcx(self, args, check=True):
        p = subprocess.run([BIN] + args, cwd=self.dir, env=self.env(), capture_output=True,
                           text=True, timeout=60)
        if check and p.returncode != 0:
            raise AssertionError("%s: exit %d\n%s" % (args, p.returncode, p.stderr))
        return p

    def seed(self, ages):
        """The demo as the cache of (default profile, REGION, ENDPOINT), each type fetched
        ages.get(type, 150) seconds ago."""
        doc = json.loads(json.dumps(self.demo))
        now = time.time()
        meta = doc["Metadata"]
        meta.update(Endpoint=ENDPOINT, Region=REGION, Source="aws", Profile="default",
                    FetchedAt=iso(now - max(ages.values(), default=150)))
        meta["FetchedAtByType"] = {k: iso(now - ages.get(k, 150)) for k, v in doc.items()
                                   if isinstance(v, list) and k != "Errors"}
        os.makedirs(self.cache, mode=0o700, exist_ok=True)
        name = "%s-%s-%s.json" % (meta["Account"], REGION,
                                  hashlib.sha256(ENDPOINT.encode()).hexdigest()[:12])
        path = os.path.join(self.cache, name)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            json.dump(doc, f)
        index = {"FormatVersion": 1, "Entries": [{"Profile": "default", "Region": REGION,
                                                  "Endpoint": ENDPOINT,
                                                  "Account": meta["Account"], "File": name}]}
        with open(os.path.join(self.cache, "index.json"), "w") as f:
            json.dump(index, f)
        return path

    def explore(self, keys="", extra=(), check=True):
        path = os.path.join(self.dir, "keys")
        with open(path, "w") as f:
            f.write(keys)
        return self.vpcx(["--offline", "--region", REGION, "--endpoint-url", ENDPOINT,
                          "--headless", "120x40", "--keys", path, "--screen-out", "-"]
                         + list(extra), check)

    def test_paints_cache_with_ages(self):
        self.seed({"NetworkInterfaces": 2.5 * 3600})
        lines = self.explore().stdout.splitlines()
        self.assertEqual(len(lines), 40)
        self.assertIn("account %s" % self.demo["Metadata"]["Account"], lines[0])
        self.assertIn("OFFLINE", lines[0])
        screen = "\n".join(lines)
        for vpc in self.demo["Vpcs"]:
            self.assertIn(vpc["VpcId"], screen)
        status = lines[-1]
        self.assertIn("ENIs 2h stale", status)
        self.assertIn("Subnets 2m", status)
        self.assertNotIn("Subnets 2m stale", status)

    def test_max_age_decides_stale(self):
        self.seed({"NetworkInterfaces": 2.5 * 3600})
        status = self.explore(extra=["--max-age", "3h"]).stdout.splitlines()[-1]
        self.assertIn("ENIs 2h", status)
        self.assertNotIn("stale", status)
        status = self.explore(extra=["--max-age", "60s"]).stdout.splitlines()[-1]
        self.assertIn("Subnets 2m stale", status)
        self.seed({})
        status = self.explore().stdout.splitlines()[-1]
        self.assertIn("all types 2m", status)

    def test_corrupt_cache_is_refused(self):
        path = self.seed({})
        with open(path, "r+") as f:
            f.truncate(100)
        p = self.explore(check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(os.path.basename(path), p.stderr)

    def test_save_and_diff(self):
        self.seed({})
        old = json.loads(json.dumps(self.demo))
        gone = old["Subnets"].pop(0)["SubnetId"]
        changed = old["Subnets"][0]
        changed["AvailableIpAddressCount"] += 200
        extra = dict(old["Vpcs"][0], VpcId="vpc-0000000000000dead")
        old["Vpcs"].append(extra)
        with open(os.path.join(self.dir, "old.json"), "w") as f:
            json.dump(old, f)
        screen = self.explore(":diff old.json<Enter>\nsnap\nq\nS\n<Enter>\n").stdout
        diff = screen.split("--- snap ---\n")[1]
        self.assertIn("3 resources differ", diff)
        self.assertIn("+ %s" % gone, diff)
        self.assertIn("- vpc-0000000000000dead", diff)
        self.assertIn("~ %s: lost 200 free IP addresses" % changed["SubnetId"], diff)
        saved = [f for f in os.listdir(self.dir) if f.startswith("vpcx-") and f.endswith(".json")]
        self.assertEqual(len(saved), 1, os.listdir(self.dir))
        self.assertIn("saved a snapshot to %s" % saved[0], screen.splitlines()[-1])
        back = json.loads(self.vpcx(["--snapshot", saved[0], "dump", "--format", "json"]).stdout)
        for key, value in self.demo.items():
            if isinstance(value, list) and key != "Errors":
                self.assertEqual(back[key], value, key)


if __name__ == "__main__":
    if not (os.path.isfile(BIN) and os.access(BIN, os.X_OK)):
        print("SKIP: no vpcx binary at %s" % BIN)
        sys.exit(77)
    unittest.main(verbosity=2)
