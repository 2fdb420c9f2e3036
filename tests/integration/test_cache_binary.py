#!/usr/bin/env python3
"""The cache's binary form (store/cachebin.h) against the JSON it stands for, on the moto
account and on a small benchmark account (tests/bench/ec2server.py):

- `vpcx dump` writes "<name>.bin" beside the JSON cache file, mode 0600, with no secret;
- `vpcx --offline dump` read through the binary form gives the same bytes as through the
  JSON alone, pretty and compact;
- a truncated, corrupt, stale (the JSON rewritten) or foreign-version binary form is named
  in one line on stderr and the JSON is read: still the same bytes;
- the explorer paints from it (headless, --offline: the first types before the ENIs) and
  shows the same screen as from the JSON alone; in tmux (the real loop), online, it loads the
  rest of the cache, then refreshes from the server and quits cleanly;
- `vpcx cache list` reports it, `vpcx cache clear` removes it.
Skips (77) without $VPCX_BIN."""
import json
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tui"))
import tmuxlib  # noqa: E402
import vpcx_harness as h  # noqa: E402
from test_dump_records import BenchServer  # noqa: E402

SESSION_TOKEN = "FQoGZXIvYXdzEXAMPLE-session-token-bin9"


class Account:
    """A served account, its cache home and the paths of its cache files."""

    def __init__(self, url, home, name):
        self.url = url
        self.home = home
        self.cache_home = os.path.join(home.path, "xdg-cache-" + name)

    def env(self):
        return self.home.env(XDG_CACHE_HOME=self.cache_home, AWS_SESSION_TOKEN=SESSION_TOKEN)

    def files(self, suffix):
        root = os.path.join(self.cache_home, "vpcx")
        return sorted(os.path.join(root, f) for f in os.listdir(root)
                      if f.endswith(suffix) and not f.startswith(".") and f != "index.json")


class CacheBinaryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.home = h.CleanHome()
        cls.work = tempfile.TemporaryDirectory(prefix="vpcx-cachebin-it-")
        cls.moto = cls.bench = None
        try:
            cls.moto = h.motoctl.MotoServer(seed=42).start()
            h.seed_account.seed(cls.moto.url, h.REGION, "small", moto_seed=42)
            cls.bench = BenchServer(1500)
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.moto:
            cls.moto.stop()
        if cls.bench:
            cls.bench.stop()
        cls.home.cleanup()
        cls.work.cleanup()

    def path(self, name):
        return os.path.join(self.work.name, name)

    def offline_dump(self, acct, extra=()):
        run = h.run_vpcx(["--offline", "dump", "--format", "json", "--endpoint-url", acct.url,
                          "--region", h.REGION] + list(extra), acct.env())
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        return run

    def explore(self, acct):
        keys = self.path("keys")
        with open(keys, "w") as f:
            f.write("j\nj\n")
        run = h.run_vpcx(["--offline", "--endpoint-url", acct.url, "--region", h.REGION,
                          "--headless", "120x40", "--keys", keys, "--screen-out", "-",
                          "--headless-stats"], acct.env())
        self.assertEqual(run.rc, 0, run.describe())
        return run

    def check_account(self, url, name):
        acct = Account(url, self.home, name)
        run = h.dump(url, acct.env(), extra=["-o", self.path(name + "-live.json")])
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        [json_path] = acct.files(".json")
        [bin_path] = acct.files(".bin")
        self.assertEqual(bin_path, json_path[:-5] + ".bin")
        self.assertEqual(os.stat(bin_path).st_mode & 0o777, 0o600)
        with open(bin_path, "rb") as f:
            blob = f.read()
        for secret in (h.TEST_SECRET, SESSION_TOKEN):
            self.assertNotIn(secret.encode(), blob)

        # Through the binary form, then the JSON alone: the same bytes.
        dumps = {}
        for extra in ((), ("--compact",)):
            run = self.offline_dump(acct, extra)
            self.assertNotIn("binary cache", run.stderr, run.stderr)
            dumps[extra] = run.stdout
        screen = self.explore(acct)
        self.assertIn("(first types)", screen.stderr, screen.stderr)
        shutil.move(bin_path, self.path(name + ".bin"))
        for extra in ((), ("--compact",)):
            run = self.offline_dump(acct, extra)
            self.assertEqual(run.stdout, dumps[extra], "%s %s" % (name, extra))
        plain = self.explore(acct)
        self.assertNotIn("(first types)", plain.stderr)
        # The status line gives the data's age, which moves between the runs.
        self.assertEqual(screen.stdout.splitlines()[:-1], plain.stdout.splitlines()[:-1])
        self.assertGreater(len(json.loads(dumps[()])["Vpcs"]), 0)

        # Damaged binary forms: one line naming it, then the JSON.
        def damaged(data, fragment):
            with open(bin_path, "wb") as f:
                f.write(data)
            run = self.offline_dump(acct)
            self.assertEqual(run.stdout, dumps[()], fragment)
            notes = [line for line in run.stderr.splitlines() if "binary cache" in line]
            self.assertEqual(len(notes), 1, run.stderr)
            self.assertIn(fragment, notes[0])
            self.assertIn("read the JSON instead", notes[0])

        damaged(blob[:len(blob) // 2], "truncated or corrupt")
        damaged(blob[:40], "truncated")
        flipped = bytearray(blob)
        flipped[len(blob) - 10] ^= 0x01
        damaged(bytes(flipped), "corrupt")
        other = bytearray(blob)
        other[8] += 1
        damaged(bytes(other), "this vpcx reads")
        damaged(b"not a cache at all" * 10, "not a vpcx binary cache")

        # The JSON rewritten after its binary form: stale, refused.
        with open(bin_path, "wb") as f:
            f.write(blob)
        with open(json_path, "rb") as f:
            text = f.read()
        os.unlink(json_path)
        with open(json_path, "wb") as f:
            f.write(text)
        os.chmod(json_path, 0o600)
        run = self.offline_dump(acct)
        self.assertEqual(run.stdout, dumps[()])
        self.assertIn("not written with the JSON cache beside it", run.stderr)

        # cache list and clear.
        run = h.run_vpcx(["cache", "list", "--format", "json"], acct.env())
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        [entry] = run.json()
        self.assertEqual(entry["BinarySize"], len(blob))
        self.assertIn("not written with", entry["BinaryProblem"])
        run = h.run_vpcx(["cache", "list"], acct.env())
        self.assertIn("binary form not used", run.stdout)
        run = h.run_vpcx(["cache", "clear"], acct.env())
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertIn("removed 1 cached inventory", run.stdout)
        self.assertEqual(acct.files(".bin"), [])
        self.assertEqual(acct.files(".json"), [])

    def test_explorer_loop(self):
        """The real loop, online: the cache's rest is loaded between key reads, then the
        network starts and the refresh ends ("all types" ages in the status line)."""
        if not tmuxlib.available():
            self.skipTest("no tmux")
        acct = Account(self.bench.url, self.home, "loop")
        run = h.dump(acct.url, acct.env(), extra=["-o", os.devnull])
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertEqual(len(acct.files(".bin")), 1)
        env = tmuxlib.clean_env(self.home.path, XDG_CACHE_HOME=acct.cache_home,
                                AWS_ACCESS_KEY_ID=h.TEST_KEY, AWS_SECRET_ACCESS_KEY=h.TEST_SECRET)
        t = tmuxlib.Tmux("cachebin")
        try:
            t.start("x", 120, 40, [h.vpcx_bin(), "--endpoint-url", acct.url, "--region",
                                   h.REGION], env)
            t.wait_text("x", "vpc-", timeout=60)
            t.keys("x", "j")
            screen = t.wait_for("x", lambda s: "all types" in s.splitlines()[-1], timeout=120,
                                what="the refresh after the cache")
            self.assertIn("Tree", screen)
            t.keys("x", "q")
            self.assertEqual(t.wait_exit("x", timeout=30), 0)
        finally:
            t.kill()

    def test_moto_account(self):
        self.check_account(self.moto.url, "moto")

    def test_bench_account(self):
        self.check_account(self.bench.url, "bench")


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main()
