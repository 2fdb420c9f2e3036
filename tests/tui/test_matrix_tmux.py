#!/usr/bin/env python3
"""The matrix and the preview on a real terminal (tmux over the demo), where colours and
attributes matter, at 120x40 and 80x24:

- the matrix's cursor row keeps its cells' colours (only the row label and the cursor cell
  are drawn as selected), no background runs past a row's text or into the next row, and
  every cell glyph (blank cells included) is in the legend;
- y in the create form's preview puts the whole aws command on the clipboard (OSC 52, kept
  by tmux as a paste buffer) with its \\ continuations: bash parses it, and without the
  continuations it splits into the same words a one-line paste would.

capture-pane -e gives each row with SGR escapes that carry over from the previous cell, as
a terminal reads them; cells() replays them into (char, fg, bg, bold) per column.
Exit 77 (skip) without $VPCX_BIN."""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import tmuxlib  # noqa: E402

BIN = tmuxlib.BIN
VPC = "vpc-a544ff1e02cee8941"  # prod-core in the demo: three zones
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def apply_sgr(state, params):
    codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
    i = 0
    while i < len(codes):
        c = codes[i]
        if c == 0:
            state.update(fg=None, bg=None, bold=False, reverse=False)
        elif c == 1:
            state["bold"] = True
        elif c == 22:
            state["bold"] = False
        elif c == 7:
            state["reverse"] = True
        elif c == 27:
            state["reverse"] = False
        elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
            state["fg" if c == 38 else "bg"] = codes[i + 2]
            i += 2
        elif c == 39:
            state["fg"] = None
        elif c == 49:
            state["bg"] = None
        elif 30 <= c <= 37 or 90 <= c <= 97:
            state["fg"] = c
        elif 40 <= c <= 47 or 100 <= c <= 107:
            state["bg"] = c
        i += 1


def cells(capture):
    """Rows of (char, fg, bg, bold); the state carries across rows as tmux writes it."""
    state = {"fg": None, "bg": None, "bold": False, "reverse": False}
    rows = []
    for line in capture.split("\n"):
        row, pos = [], 0
        for m in SGR.finditer(line):
            row += [(ch, state["fg"], state["bg"], state["bold"]) for ch in line[pos:m.start()]]
            apply_sgr(state, m.group(1))
            pos = m.end()
        row += [(ch, state["fg"], state["bg"], state["bold"]) for ch in line[pos:]]
        rows.append(row)
    return rows


def text(row):
    return "".join(c[0] for c in row)


def find(rows, needle, start=0):
    """(row index, column) of the first row from start holding needle."""
    for y in range(start, len(rows)):
        x = text(rows[y]).find(needle)
        if x >= 0:
            return y, x
    raise AssertionError("%r not on screen:\n%s" % (needle, "\n".join(map(text, rows))))


@unittest.skipUnless(tmuxlib.available(), "tmux not installed")
class MatrixColours(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="vpcx-matrix-tmux-")
        self.t = tmuxlib.Tmux("matrix")

    def tearDown(self):
        self.t.kill()
        self.tmp.cleanup()

    def open_matrix(self, cols, rows):
        self.t.start("x", cols, rows, [BIN, "--demo"], tmuxlib.clean_env(self.tmp.name))
        self.t.wait_text("x", "Tree")
        self.t.keys("x", ":")
        self.t.keys("x", "-l", VPC)
        self.t.keys("x", "Enter")
        self.t.wait_text("x", "prod-core")
        self.t.keys("x", "m")
        self.t.wait_text("x", "Legend")
        self.t.keys("x", "j", "j")  # ec2messages -> s3 -> sts
        return self.capture()

    def capture(self):
        time.sleep(0.3)  # the keys are drawn once vpcx has read them all
        return cells(self.t.run("capture-pane", "-p", "-e", "-t", "x"))

    def check(self, cols, rows):
        screen = self.open_matrix(cols, rows)
        y, x = find(screen, "  sts ")
        row = screen[y]
        selected_bg = row[x][2]
        self.assertIsNotNone(selected_bg, "the cursor row's label is drawn as selected")
        # A cell on another row: the colour an ENI cell has.
        ry, rx = find(screen, "10.0.6.158")
        eni_fg = screen[ry][rx][1]
        self.assertIsNotNone(eni_fg)
        self.assertIsNone(screen[ry][rx][2])
        # On the cursor row the ENI cell that is not the cursor's keeps that colour...
        cx = text(row).find("10.0.8.196")
        self.assertGreater(cx, 0, text(row))
        self.assertEqual(row[cx][1], eni_fg, "the cursor row keeps its cells' colours")
        self.assertIsNone(row[cx][2], "no selection background on the other cells")
        # ...and the cursor's own cell (the first zone) shows as selected.
        cursor_cell = text(row).find("10.0.10.8")
        self.assertEqual(row[cursor_cell][2], selected_bg)
        # The cost is not selected either.
        mx = text(row).find("$21.90")
        self.assertIsNone(row[mx][2])
        # No background after a row's last text, and none on the rows around the cursor.
        for i, r in enumerate(screen[1:-1], start=1):
            if r and i != y:
                self.assertFalse(any(c[2] == selected_bg for c in r[2:]),
                                 "selection colour leaked on row %d: %r" % (i, text(r)))
        self.assertTrue(all(c[2] is None for c in row[cx:]), "colour past the cursor cell: %r"
                        % text(row))
        nxt = screen[y + 1]
        self.assertTrue(nxt and nxt[0][2] is None, "the next row starts clean")
        # Every glyph in the legend, blank cells included.
        legend = "\n".join(text(r) for r in screen[y:])
        for sample in ("\u00b7 offered", "\u2717 not offered", "(blank) no subnet",
                       "! before a service", "+add", "last octets", "no ENI"):
            self.assertIn(sample, legend)

    def test_120x40(self):
        self.check(120, 40)

    def test_80x24(self):
        self.check(80, 24)


CREATE_KEYS = [
    # the service picker: ssm; subnets in two zones, a group, private DNS off
    ["c"], ["Enter"], ["-l", "ssm"], ["Enter"], ["Down"], ["Down"], ["Space"], ["Down"],
    ["Down"], ["Space"], ["Down"], ["Space"], ["Down"], ["Down"], ["Down"], ["Down"], ["Space"],
    ["Down"], ["Space"], ["Down"], ["Down"], ["Down"], ["Enter"], ["-l", "it's $(mine)"],
    ["Enter"], ["Down"], ["Enter"], ["-l", "team=net, env=demo"], ["Enter"],
]


@unittest.skipUnless(tmuxlib.available(), "tmux not installed")
class PreviewCopy(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="vpcx-preview-tmux-")
        self.t = tmuxlib.Tmux("preview")

    def tearDown(self):
        self.t.kill()
        self.tmp.cleanup()

    def copy(self, cols, rows):
        self.t.start("x", cols, rows, [BIN, "--demo"], tmuxlib.clean_env(self.tmp.name))
        self.t.run("set-option", "-s", "set-clipboard", "on")
        self.t.wait_text("x", "Tree")
        self.t.keys("x", ":")
        self.t.keys("x", "-l", VPC)
        self.t.keys("x", "Enter")
        self.t.wait_text("x", "prod-core")
        for k in CREATE_KEYS:
            self.t.keys("x", *k)
        self.t.wait_text("x", "team=net, env=demo")
        self.t.keys("x", "s")
        screen = self.t.wait_text("x", "Preview")
        self.assertIn("aws ec2 create-vpc-endpoint \\", screen)
        self.t.keys("x", "y")
        self.t.wait_text("x", "copied the aws command")
        deadline, buf = time.time() + 5, ""
        while time.time() < deadline and "--client-token" not in buf:
            buf = self.t.run("show-buffer", check=False)
            time.sleep(0.1)
        return buf

    def check(self, cols, rows):
        buf = self.copy(cols, rows)
        lines = buf.rstrip("\n").split("\n")
        self.assertGreater(len(lines), 5, buf)
        self.assertTrue(all(line.endswith(" \\") for line in lines[:-1]), buf)
        # bash reads it as one command (aws stubbed to print its words).
        script = "aws() { printf '<%s>\\n' \"$@\"; }\n" + buf
        p = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=20)
        self.assertEqual(p.returncode, 0, p.stderr)
        from_bash = re.findall(r"<(.*?)>\n", p.stdout, re.S)
        # The same words as the one-line form (continuations removed).
        words = shlex.split(buf.replace(" \\\n", " "))
        self.assertEqual(from_bash, words[1:])
        self.assertEqual(words[:3], ["aws", "ec2", "create-vpc-endpoint"])
        self.assertIn("--subnet-ids", words)
        tags = json.loads(words[words.index("--tag-specifications") + 1])
        self.assertIn({"Key": "Name", "Value": "it's $(mine)"}, tags[0]["Tags"])

    def test_120x40(self):
        self.check(120, 40)

    def test_80x24(self):
        self.check(80, 24)


if __name__ == "__main__":
    if not os.path.exists(BIN):
        sys.exit(77)
    unittest.main(verbosity=2)
