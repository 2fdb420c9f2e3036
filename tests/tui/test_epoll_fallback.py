#!/usr/bin/env python3
"""The explorer's wait when epoll_ctl fails (a kernel short of memory, or at
fs.epoll.max_user_watches). tests/tools/failepoll.c, preloaded, makes EPOLL_CTL_ADD fail:

- every add: the loop gives up its epoll set, says so on the status line, and still takes keys
  while the fetch from moto runs and after it, and quits with 0;
- only the cache write's pipe (the third add): the explorer says the write is checked by
  polling, and the write still lands and is collected without a key.

In tmux, against moto. Exit 77 (skip) without $VPCX_BIN or the shim."""
import os
import re
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("VPCX_SRCDIR", os.path.dirname(os.path.dirname(HERE)))
BIN = os.environ.get("VPCX_BIN", os.path.join(SRC, "build", "vpcx"))
SHIM = os.environ.get("VPCX_FAILEPOLL", "")
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(SRC, "tests", "tools"))
import motoctl  # noqa: E402
import tmuxlib  # noqa: E402

REGION = "us-east-1"


@unittest.skipUnless(tmuxlib.available(), "tmux not installed")
class EpollFallback(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = motoctl.MotoServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="vpcx-epoll-")
        self.home = self.tmp.name
        self.cache = os.path.join(self.home, "cache", "vpcx")
        self.tmux = tmuxlib.Tmux("epoll")

    def tearDown(self):
        self.tmux.kill()
        self.tmp.cleanup()

    def env(self, adds_ok):
        # An ASan build links its runtime first; the shim, preloaded, comes before it.
        asan = os.environ.get("ASAN_OPTIONS", "")
        return tmuxlib.clean_env(
            self.home, NO_COLOR="1", LD_PRELOAD=SHIM, VPCX_TEST_EPOLL_ADD_OK=str(adds_ok),
            ASAN_OPTIONS=(asan + ":" if asan else "") + "verify_asan_link_order=0")

    def start(self, adds_ok):
        args = [BIN, "--endpoint-url", self.moto.url, "--region", REGION, "--max-attempts", "1"]
        self.tmux.start("e", 120, 40, args, self.env(adds_ok))

    def data_files(self):
        if not os.path.isdir(self.cache):
            return []
        return [f for f in os.listdir(self.cache) if f.endswith(".json") and f != "index.json"]

    def test_no_epoll_at_all(self):
        self.start(0)
        self.tmux.wait_text("e", "epoll: Cannot allocate memory; keys wait up to 1 s")
        # The warning stays on the status line; the tree's last group says the fetch ended.
        s = self.tmux.wait_text("e", "Route tables (", timeout=30)
        row = int(re.search(r"Tree  (\d+)/", s).group(1))
        self.tmux.keys("e", "j")
        self.tmux.wait_text("e", "Tree  %d/" % (row + 1), timeout=5)
        self.tmux.keys("e", "q")
        self.assertEqual(self.tmux.wait_exit("e", timeout=30), 0)

    def test_cache_write_unwatched(self):
        self.start(2)
        s = self.tmux.wait_text("e", "the cache write is checked by polling", timeout=30)
        self.assertNotIn("keys wait", s)
        deadline = time.monotonic() + 20
        while not self.data_files() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(len(self.data_files()), 1, os.listdir(self.cache))
        self.tmux.keys("e", "q")
        self.assertEqual(self.tmux.wait_exit("e", timeout=60), 0)


if __name__ == "__main__":
    if not (os.path.isfile(BIN) and os.access(BIN, os.X_OK)) or not os.path.isfile(SHIM):
        print("SKIP: no vpcx binary at %s or no epoll shim" % BIN)
        sys.exit(77)
    unittest.main(verbosity=2)
