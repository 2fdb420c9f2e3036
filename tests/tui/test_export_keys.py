#!/usr/bin/env python3
"""Export from the explorer, in tmux over the demo: Space marks endpoint rows (a `*` beside
them), x opens `:export terraform ` for the marked ones, a file name writes them there, and
with no file name the text goes to the clipboard by OSC 52 (tmux, with set-clipboard on,
keeps it as a paste buffer). With nothing marked, x on a VPC row exports that VPC's endpoints.
Exit 77 (skip) without $VPCX_BIN."""
import os
import re
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import tmuxlib  # noqa: E402

BIN = tmuxlib.BIN


def imports(text):
    return re.findall(r'import \{\n  to = aws_vpc_endpoint\.\S+\n  id = "(vpce-[0-9a-f]+)"', text)


@unittest.skipUnless(tmuxlib.available(), "tmux not installed")
class ExportKeys(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="vpcx-export-keys-")
        self.t = tmuxlib.Tmux("export")
        self.t.start("x", 120, 40, [BIN, "--demo"], tmuxlib.clean_env(self.tmp.name))
        # A server option: set once the server runs (it exits while it has no session).
        self.t.run("set-option", "-s", "set-clipboard", "on")
        self.t.wait_text("x", "Tree")

    def tearDown(self):
        self.t.kill()
        self.tmp.cleanup()

    def command(self, text):
        self.t.keys("x", ":")
        self.t.keys("x", "-l", text)
        self.t.keys("x", "Enter")

    def wait_file(self, path):
        deadline = time.time() + 10
        while time.time() < deadline:
            if os.path.exists(path) and os.path.getsize(path) > 0:
                time.sleep(0.1)
                with open(path) as f:
                    return f.read()
            time.sleep(0.05)
        self.fail("no %s; screen:\n%s" % (path, self.t.screen("x")))

    def selected_endpoint(self, screen):
        m = re.search(r"Detail\s.*?(vpce-[0-9a-f]+)", screen, re.S)
        self.assertIsNotNone(m, screen)
        return m.group(1)

    def test_marks_to_a_file_then_the_clipboard(self):
        marked = []
        for _ in range(2):
            self.command("vpce")
            # The jump done: an endpoint not marked yet in the detail, on a settled screen
            # (a capture while the command runs can show the endpoint it passes).
            s = self.t.wait_settled(
                "x", lambda s: re.search(r"Detail\s.*?(vpce-[0-9a-f]+)", s, re.S) is not None
                and self.selected_endpoint(s) not in marked, what="an endpoint selected")
            eid = self.selected_endpoint(s)
            self.t.keys("x", "Space")
            status = "%d endpoint%s marked" % (len(marked) + 1, "s" if marked else "")
            s = self.t.wait_settled("x", lambda s: status in s, what=repr(status))
            marked.append(eid)
            self.assertRegex(s, r"\*%s" % eid, "the marked row shows it")
        self.t.keys("x", "x")
        s = self.t.wait_text("x", ":export terraform")
        self.assertIn("export 2 marked endpoints", s)
        path = os.path.join(self.tmp.name, "marked.tf")
        self.t.keys("x", "-l", path)
        self.t.keys("x", "Enter")
        text = self.wait_file(path)
        self.assertEqual(sorted(imports(text)), sorted(marked))
        self.t.wait_text("x", "exported 2 marked endpoints to")
        # No file: the clipboard.
        self.t.keys("x", "x")
        self.t.wait_text("x", ":export terraform")
        self.t.keys("x", "BSpace")
        self.t.keys("x", "-l", " cli")
        self.t.wait_text("x", ":export terraform cli")
        for _ in range(len(" cli")):
            self.t.keys("x", "BSpace")
        self.t.keys("x", "Enter")
        self.t.wait_text("x", "copied 2 marked endpoints as terraform (OSC 52")
        deadline = time.time() + 5
        buf = ""
        while time.time() < deadline and "aws_vpc_endpoint" not in buf:
            buf = self.t.run("show-buffer", check=False)
            time.sleep(0.1)
        self.assertEqual(sorted(imports(buf)), sorted(marked))

    def test_vpc_row_exports_its_endpoints(self):
        self.command("vpc")
        s = self.t.wait_for("x", lambda s: "vpc-" in s.split("Detail", 1)[1], what="a VPC")
        vpc = re.search(r"Detail\s.*?(vpc-[0-9a-f]+)", s, re.S).group(1)
        self.t.keys("x", "x")
        s = self.t.wait_text("x", ":export terraform")
        self.assertIn("export the endpoints of %s" % vpc, s)
        path = os.path.join(self.tmp.name, "vpc.tf")
        self.t.keys("x", "-l", path)
        self.t.keys("x", "Enter")
        text = self.wait_file(path)
        ids = imports(text)
        self.assertTrue(ids, text)
        for eid in ids:
            self.assertIn('vpc_id              = "%s"' % vpc, text.split(eid, 1)[1])
        # Space on a VPC row still expands or collapses it.
        before = self.t.screen("x")
        self.t.keys("x", "Space")
        self.t.wait_for("x", lambda s: s != before, what="the VPC row toggled")
        self.assertNotIn("marked", self.t.screen("x"))


if __name__ == "__main__":
    if not (os.path.isfile(BIN) and os.access(BIN, os.X_OK)):
        print("SKIP: no vpcx binary at %s" % BIN)
        sys.exit(77)
    unittest.main(verbosity=2)
