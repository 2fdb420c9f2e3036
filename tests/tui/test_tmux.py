#!/usr/bin/env python3
"""End to end in a real terminal: vpcx --demo inside tmux (a private server on
its own socket, -L), driven with send-keys and read with capture-pane: start,
navigate, filter, :ip, resize, quit with q. Asserts exit status 0 and that the
terminal came back: alternate screen left, cursor visible. Exit 77 (skip) when
tmux is missing."""
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("VPCX_SRCDIR", os.path.dirname(os.path.dirname(HERE)))
BIN = os.environ.get("VPCX_BIN", os.path.join(SRC, "build", "vpcx"))
SOCKET = "vpcx-test-%d" % os.getpid()


def tmux(*args, check=True):
    p = subprocess.run(["tmux", "-L", SOCKET, "-f", "/dev/null"] + list(args),
                       capture_output=True, text=True, timeout=20)
    if check and p.returncode != 0:
        raise RuntimeError("tmux %s: %s" % (" ".join(args), p.stderr))
    return p.stdout


def screen():
    return tmux("capture-pane", "-p", "-t", "t")


def wait_for(*texts, timeout=10.0):
    """A screen holding every text, read twice alike: a capture can land mid-repaint."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        s = screen()
        if all(t in s for t in texts) and s == last:
            return s
        last = s
        time.sleep(0.05)
    raise AssertionError("timed out waiting for %r; screen:\n%s" % (texts, screen()))


def pane(fmt):
    return tmux("display-message", "-p", "-t", "t", fmt).strip()


def keys(*k):
    tmux("send-keys", "-t", "t", *k)


def main():
    if not shutil.which("tmux"):
        print("tmux not installed: skipped")
        return 77
    with tempfile.TemporaryDirectory() as home:
        status = os.path.join(home, "status")
        inner = "%s --demo; echo \"EXIT=$?\" > %s; echo VPCX-DONE; sleep 60" % (
            shlex.quote(BIN), shlex.quote(status))
        env = "env HOME=%s XDG_CONFIG_HOME=%s/cfg LC_ALL=C.UTF-8 TERM=screen-256color " % (
            shlex.quote(home), shlex.quote(home))
        tmux("new-session", "-d", "-s", "t", "-x", "120", "-y", "40", env + "sh -c " +
             shlex.quote(inner))
        try:
            return drive(status)
        finally:
            tmux("kill-server", check=False)


def drive(status):
    s = wait_for("account 123456789012", "vpc-30e24bdcd19a93686")
    assert pane("#{alternate_on}") == "1", "not on the alternate screen"
    # Navigate: down twice lands on the first AZ; the detail follows.
    keys("j", "j")
    wait_for("availability zone use1-az6")
    # Filter incrementally, keep it, clear it.
    keys("/", "s", "t", "s")
    wait_for("filter sts")
    keys("Enter")
    keys("Escape")
    # :ip jumps to the ENI holding the address.
    keys(":", "i", "p", " ", "1", "0", ".", "0", ".", "7", ".", "2", "1", "3", "Enter")
    wait_for("network interface eni-5f5035e1b552f9c3b", "Owner type")
    # Help, then back.
    keys("?")
    wait_for("Keys (remap")
    keys("q")
    wait_for("Detail")
    # Resize smaller than the minimum and back: a message, never a crash.
    tmux("resize-window", "-t", "t", "-x", "50", "-y", "12")
    wait_for("terminal too small: 50x12")
    tmux("resize-window", "-t", "t", "-x", "90", "-y", "30")
    s = wait_for("Tree")
    assert "terminal too small" not in s, s
    # Stacked below 100 columns: the detail title sits under the tree.
    lines = s.splitlines()
    assert any(l.startswith(" Detail") or l.startswith("\u258cDetail") for l in lines), s
    # q at the top quits with status 0 and the terminal restored.
    keys("q")
    wait_for("VPCX-DONE")
    with open(status) as f:
        assert f.read().strip() == "EXIT=0"
    assert pane("#{alternate_on}") == "0", "still on the alternate screen"
    assert pane("#{cursor_flag}") == "1", "cursor left hidden"
    assert pane("#{keypad_cursor_flag}") == "0", "cursor keys left in application mode"
    print("ok: tmux end to end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
