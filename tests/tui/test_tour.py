#!/usr/bin/env python3
"""The guided tour on the demo, headless at 80x24: every step (--tour-step N) moves the
explorer to what it talks about and shows its text in a box of at most six lines; steps
whose feature this build lacks (metrics) are skipped cleanly; n, p and q move on,
back and out; :explain shows what the selection is and the page to read next.
Exit 77 (skip) without $VPCX_BIN."""
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

# step -> (title words, what the screen must show once the explorer has moved)
STEPS = {
    1: ("Interface endpoints are network interfaces", "Detail  VPC endpoint vpce-4715873ba1fc0c37f"),
    2: ("Gateway endpoints are routes", "Detail  VPC endpoint vpce-16610a3d9636d4d7b"),
    3: ("One ENI per Availability Zone", "Detail  VPC endpoint vpce-4715873ba1fc0c37f"),
    4: ("An endpoint in one zone only", "Detail  VPC endpoint vpce-11cbb5606ad9a5d72"),
    5: ("Subnet capacity", "Detail  subnet subnet-b71df36b8fe8707cb"),
    6: ("The endpoint policy, and full access", '"Principal": "*"'),
    7: ("Security groups must admit HTTPS", "Detail  VPC endpoint vpce-"),
    8: ("Private DNS needs the VPC", "Detail  VPC vpc-30e24bdcd19a93686"),
    9: ("Every endpoint against every zone", "us-east-1a"),
    10: ("What an interface endpoint costs", "us-east-1a"),
    11: ("Creating an endpoint, safely", "Service"),
    12: ("Bringing endpoints under code", "Detail  VPC endpoint vpce-"),
    14: ("Finding problems before they page you", "Findings  2 errors"),
}


class Tour(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="vpcx-tour-")

    def tearDown(self):
        self.tmp.cleanup()

    def run_keys(self, args, keys):
        path = os.path.join(self.tmp.name, "keys")
        with open(path, "w") as f:
            f.write("\n".join(keys) + "\n")
        p = subprocess.run([BIN] + args + ["--headless", "80x24", "--keys", path,
                                           "--screen-out", "-"],
                           env=tmuxlib.clean_env(self.tmp.name), capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def box(self, screen):
        """The box's lines, borders included, or [] when none is drawn."""
        rows = screen.splitlines()
        top = [i for i, r in enumerate(rows) if re.match(r"^[─-] (tour|explain)", r)]
        if not top:
            return []
        end = next(i for i in range(top[0] + 1, len(rows)) if re.match(r"^[─-] ", rows[i]))
        return rows[top[0]:end + 1]

    def test_every_step(self):
        for n, (title, shown) in STEPS.items():
            with self.subTest(step=n):
                s = self.run_keys(["--tour-step", str(n)], ["wait"])
                box = self.box(s)
                self.assertTrue(box, s)
                self.assertIn("tour %d/" % n, box[0])
                self.assertIn(title, box[0])
                self.assertLessEqual(len(box), 6, "\n".join(box))
                self.assertIn("n: next  p: back  q: end the tour", box[-1])
                self.assertIn(shown, s)

    def test_missing_features_are_skipped(self):
        # Step 13 needs the metrics view, which this build lacks: the tour goes on to 14.
        s = self.run_keys(["--tour-step", "13"], ["wait"])
        self.assertIn("tour 14/", self.box(s)[0], s)
        s = self.run_keys(["--tour-step", "12"], ["n"])
        self.assertIn("tour 14/", self.box(s)[0], s)
        s = self.run_keys(["--tour-step", "14"], ["p"])
        self.assertIn("tour 12/", self.box(s)[0], s)
        # From the last step, n ends the tour.
        s = self.run_keys(["--tour-step", "14"], ["n"])
        self.assertEqual(self.box(s), [], s)
        self.assertIn("tour ended; :tour starts it again", s)
        s = self.run_keys(["--tour-step", "15"], ["wait"])
        self.assertEqual(self.box(s), [], s)
        self.assertIn("no tour step from 15 has anything to show here", s)

    def test_keys(self):
        s = self.run_keys(["--tour"], ["n", "snap", "p", "snap", "q", "snap"])
        snaps = s.split("--- snap ---\n")[1:]
        self.assertEqual(len(snaps), 3, s)
        self.assertIn("tour 2/", self.box(snaps[0])[0])
        self.assertIn("tour 1/", self.box(snaps[1])[0])
        self.assertEqual(self.box(snaps[2]), [])
        self.assertIn("tour ended", snaps[2])
        # :tour starts it from the explorer.
        s = self.run_keys(["--demo"], [":tour 5", "Enter"])
        self.assertIn("tour 5/", self.box(s)[0])

    def test_question_mark_on_a_detail_field(self):
        # Down the endpoint's detail until the Private DNS row, where ? explains the field.
        for k in range(80):  # the endpoint's findings come first
            s = self.run_keys(["--demo"], [":vpce", "Enter", "Tab"] + ["j"] * k + ["?"])
            box = self.box(s)
            if box:
                self.assertIn("explain: VPC endpoint.", box[0])
                if "Private DNS" in box[0]:
                    self.assertIn("enableDnsHostnames", "\n".join(box))
                    return
            else:
                # A row with nothing to explain opens the help, as ? does anywhere.
                self.assertIn("Keys (remap with", s)
        self.fail("no row of the endpoint's detail explained Private DNS")

    def test_explain(self):
        s = self.run_keys(["--demo"], [":explain", "Enter"])
        self.assertIn("explain: account", self.box(s)[0])
        s = self.run_keys(["--demo"], ["j", ":explain", "Enter"])
        box = self.box(s)
        self.assertIn("explain: VPC", box[0])
        self.assertIn('read next: "How Amazon VPC works"', box[-1])
        s = self.run_keys(["--demo"], [":explain VPC endpoint.Private DNS", "Enter"])
        box = self.box(s)
        self.assertIn("explain: VPC endpoint.Private DNS", box[0])
        self.assertIn("enableDnsHostnames", "\n".join(box))
        s = self.run_keys(["--demo"], [":explain VPC endpoint.Private DNS", "Enter", "q"])
        self.assertEqual(self.box(s), [])
        s = self.run_keys(["--demo"], [":explain warp drive", "Enter"])
        self.assertIn("nothing to explain for warp drive", s)


if __name__ == "__main__":
    if not (os.path.isfile(BIN) and os.access(BIN, os.X_OK)):
        print("SKIP: no vpcx binary at %s" % BIN)
        sys.exit(77)
    unittest.main(verbosity=2)
