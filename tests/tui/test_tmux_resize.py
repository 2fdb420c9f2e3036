#!/usr/bin/env python3
"""Resizing the real terminal (issue item 7): vpcx --demo in tmux at 120x40, the cursor moved
down the tree, then the window resized through several sizes (stacked and side by side, past
the minimum and back); at each stop the screen must be exactly what a fresh vpcx started at
that size draws after the same keys: no stale header, pane borders or text, and the same
scroll position. Exit 77 (skip) without tmux."""
import os
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tmuxlib  # noqa: E402

DOWN = 30  # far enough that a short pane scrolls
# (cols, rows) after the start at 120x40; each is compared with a fresh start.
STOPS = [(70, 20), (200, 60), (50, 12), (70, 20), (80, 24), (150, 45), (100, 30)]


def env(home):
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
            "XDG_CONFIG_HOME": os.path.join(home, "cfg"), "LC_ALL": "C.UTF-8",
            "TERM": "screen-256color",
            "VPCX_THEMES_DIR": os.path.join(tmuxlib.SRC, "themes")}


def start(t, name, cols, rows, home):
    t.start(name, cols, rows, [tmuxlib.BIN, "--demo"], env(home))
    t.wait_for(name, lambda s: "account 123456789012" in s or "terminal too small" in s,
               what="the first paint")
    t.keys(name, *(["j"] * DOWN))


def settled(t, name):
    """The screen once it stops changing (the keys and the resize are all painted)."""
    last = t.screen(name)
    for _ in range(50):
        time.sleep(0.2)
        s = t.screen(name)
        if s == last:
            return s
        last = s
    return last


def diff(a, b):
    out = []
    for i, (x, y) in enumerate(zip(a.splitlines(), b.splitlines())):
        if x != y:
            out.append("row %d\n  resized: %r\n  fresh:   %r" % (i, x, y))
    return "\n".join(out[:12])


def main():
    if not tmuxlib.available():
        print("tmux not installed: skipped")
        return 77
    t = tmuxlib.Tmux("resize")
    failures = []
    with tempfile.TemporaryDirectory() as home:
        try:
            start(t, "r", 120, 40, home)
            t.wait_text("r", "Tree  %d/" % (DOWN + 1))
            for n, (cols, rows) in enumerate(STOPS):
                fresh = "f%d" % n
                start(t, fresh, cols, rows, home)
                want = settled(t, fresh)
                t.run("kill-session", "-t", fresh)
                t.resize("r", cols, rows)
                try:
                    got = t.wait_for("r", lambda s: s == want, 5.0, "the fresh screen")
                except AssertionError:
                    got = t.screen("r")
                if got != want:
                    failures.append("after resizing to %dx%d:\n%s" % (cols, rows, diff(got, want)))
            t.keys("r", "q")
            rc = t.wait_exit("r")
            if rc != 0:
                failures.append("exit status %d after q" % rc)
        finally:
            t.kill()
    for f in failures:
        print(f)
    if failures:
        return 1
    print("ok: %d resizes, each screen equal to a fresh start at that size" % len(STOPS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
