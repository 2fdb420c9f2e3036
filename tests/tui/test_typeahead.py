#!/usr/bin/env python3
"""Cursor moves typed ahead (headless: the keys of one script line arrive together):
the tree follows every key, the detail pane waits for the last one and then shows
the final selection, as if each key had been pressed on its own. A key other than a
move brings the detail up to date before it acts. Exit 77 (skip) without the binary."""
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import tmuxlib  # noqa: E402

BIN = tmuxlib.BIN


def detail_title(screen):
    m = re.search(r"│ Detail(.*)$", screen.splitlines()[1])
    return m.group(1).strip() if m else None


def cursor(screen):
    return int(re.search(r"Tree  (\d+)/", screen.splitlines()[1]).group(1))


class Typeahead(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="vpcx-typeahead-")

    def tearDown(self):
        self.tmp.cleanup()

    def run_keys(self, lines, *extra):
        path = os.path.join(self.tmp.name, "keys")
        with open(path, "w") as f:
            f.write("\n".join(["wait"] + lines) + "\n")
        p = subprocess.run([BIN, "--demo", "--headless", "120x40", "--keys", path,
                            "--screen-out", "-"] + list(extra),
                           env=tmuxlib.clean_env(self.tmp.name), capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout, p.stderr

    def test_burst_ends_on_final_selection(self):
        burst, _ = self.run_keys(["jjjjj"])
        single, _ = self.run_keys(["j"] * 5)
        self.assertEqual(burst, single)
        self.assertEqual(cursor(burst), 6)
        title = detail_title(burst)
        self.assertTrue(title, burst)
        # The tree's first row is the screen's third; no scrolling this near the top.
        row = burst.splitlines()[2 + cursor(burst) - 1]
        self.assertIn(title.split()[-1], row.split("│")[0])

    def test_detail_waits_for_the_last_key(self):
        every, _ = self.run_keys(["j", "jjjjj"], "--screen-every")
        screens = [s for s in re.split(r"^--- .* ---\n", every, flags=re.M) if s.strip()]
        self.assertEqual(len(screens), 6)
        first = detail_title(screens[0])
        for s in screens[1:-1]:
            self.assertEqual(detail_title(s), first)
        self.assertEqual([cursor(s) for s in screens], [2, 3, 4, 5, 6, 7])
        single, _ = self.run_keys(["j"] * 6)
        self.assertEqual(detail_title(screens[-1]), detail_title(single))
        self.assertNotEqual(detail_title(screens[-1]), first)

    def test_other_key_sees_the_detail_caught_up(self):
        # Tab right after the burst focuses the detail, which already shows row 6.
        burst, _ = self.run_keys(["jjjjj<Tab>"])
        single, _ = self.run_keys(["j"] * 5 + ["<Tab>"])
        self.assertEqual(burst, single)

    def test_queued_moves_write_only_the_tree(self):
        # Bytes, not time: the moves before the last leave the detail pane alone.
        _, err = self.run_keys(["jjjjj"], "--headless-stats")
        moves = [int(m) for m in re.findall(r"^key j +bytes +(\d+)", err, flags=re.M)]
        self.assertEqual(len(moves), 5, err)
        self.assertGreater(moves[-1], 2 * max(moves[:-1]), moves)


@unittest.skipUnless(tmuxlib.available(), "tmux not installed")
class TypeaheadTmux(unittest.TestCase):
    """The real terminal: j keys sent in one write end with the detail on row 6."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="vpcx-typeahead-")
        self.t = tmuxlib.Tmux("typeahead")

    def tearDown(self):
        self.t.kill()
        self.tmp.cleanup()

    def test_burst(self):
        keys = os.path.join(self.tmp.name, "keys")
        with open(keys, "w") as f:
            f.write("wait\n" + "j\n" * 5)
        p = subprocess.run([BIN, "--demo", "--headless", "120x40", "--keys", keys,
                            "--screen-out", "-"], env=tmuxlib.clean_env(self.tmp.name),
                           capture_output=True, text=True, timeout=60)
        want = detail_title(p.stdout)
        self.assertTrue(want, p.stdout)
        self.t.start("x", 120, 40, [BIN, "--demo"], tmuxlib.clean_env(self.tmp.name))
        self.t.wait_text("x", "(4 VPCs)")
        self.t.keys("x", "-l", "jjjjj")
        s = self.t.wait_for("x", lambda s: "Tree  6/" in s and detail_title(s) == want,
                            what="row 6 and its detail %r" % want)
        self.assertIn(want.split()[-1], s.splitlines()[2 + 5].split("│")[0])
        self.t.keys("x", "q")
        self.assertEqual(self.t.wait_exit("x"), 0)


if __name__ == "__main__":
    if not os.access(BIN, os.X_OK):
        sys.exit(77)
    unittest.main()
