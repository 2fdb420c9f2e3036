#!/usr/bin/env python3
"""SIGINT and SIGTERM end vpcx with 130 and 143, never 0 (issue item 9), the terminal
restored: the explorer in tmux (C-c from the keyboard, and kill -TERM), the headless mode
(in a pause and in a fetch that never answers), and `vpcx dump` waiting on an endpoint that
never answers. Exit 77 (skip) without $VPCX_BIN; the tmux cases skip without tmux."""
import os
import signal
import socket
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
QUICK = 5.0  # seconds a signal may take to end the run


class SignalTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="vpcx-signals-")
        self.home = self.tmp.name
        self.sockets = []

    def tearDown(self):
        for s in self.sockets:
            s.close()
        self.tmp.cleanup()

    def silent(self):
        """A new endpoint that accepts connections and never answers: (url, ready), ready()
        being true once vpcx has connected to it."""
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        listener.settimeout(0.05)
        self.sockets.append(listener)

        accepted = []

        def ready():
            try:
                accepted.append(listener.accept()[0])
                self.sockets.append(accepted[-1])
            except OSError:
                pass
            return bool(accepted)
        return "http://127.0.0.1:%d" % listener.getsockname()[1], ready

    def env(self):
        return tmuxlib.clean_env(self.home, TERM="screen-256color")

    def interrupt(self, args, sig, ready):
        """Starts vpcx, waits until ready() holds, sends sig; returns (exit code, seconds
        from the signal to the exit, stdout)."""
        # SIGINT as a terminal leaves it: a test runner in the background may ignore it,
        # and vpcx rightly keeps an ignored SIGINT ignored.
        p = subprocess.Popen([BIN] + args, env=self.env(), cwd=self.home,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        try:
            deadline = time.monotonic() + 20
            while not ready() and time.monotonic() < deadline and p.poll() is None:
                time.sleep(0.05)
            if p.poll() is not None:
                self.fail("vpcx ended early: %s" % p.stderr.read())
            self.assertTrue(ready(), "vpcx never got ready")
            t0 = time.monotonic()
            p.send_signal(sig)
            out, err = p.communicate(timeout=30)
            return p.returncode, time.monotonic() - t0, out
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()

    def keys(self, text):
        path = os.path.join(self.home, "keys")
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_headless_pause(self):
        flag = os.path.join(self.home, "go")
        keys = self.keys("j\npause-file %s\nj\n" % flag)
        for sig, code in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
            if os.path.exists(flag + ".paused"):
                os.unlink(flag + ".paused")
            rc, took, out = self.interrupt(
                ["--demo", "--headless", "80x24", "--keys", keys, "--screen-out", "-"], sig,
                lambda: os.path.exists(flag + ".paused"))
            self.assertEqual(rc, code, sig)
            self.assertLess(took, QUICK)
            self.assertEqual(out, "", "an interrupted run writes no screen")

    def test_headless_fetch(self):
        keys = self.keys("wait\n")
        url, ready = self.silent()
        rc, took, _ = self.interrupt(
            ["--endpoint-url", url, "--region", "us-east-1", "--no-cache", "--headless",
             "80x24", "--keys", keys, "--screen-out", "-"], signal.SIGTERM, ready)
        self.assertEqual(rc, 143)
        self.assertLess(took, QUICK)

    def test_dump(self):
        for sig, code in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
            url, ready = self.silent()
            rc, took, out = self.interrupt(
                ["--endpoint-url", url, "--region", "us-east-1", "--no-cache", "dump"], sig,
                ready)
            self.assertEqual(rc, code, sig)
            self.assertLess(took, QUICK)

    def test_help_names_the_codes(self):
        p = subprocess.run([BIN, "--help"], env=self.env(), capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"\n  129, 130, 143  ended by SIGHUP, SIGINT or SIGTERM")

    @unittest.skipUnless(tmuxlib.available(), "tmux not installed")
    def test_explorer(self):
        t = tmuxlib.Tmux("signals")
        try:
            for n, (how, code) in enumerate((("C-c", 130), ("TERM", 143))):
                name = "s%d" % n
                t.start(name, 100, 30, [BIN, "--demo"], self.env())
                t.wait_text(name, "account 123456789012")
                self.assertEqual(t.pane(name, "#{alternate_on}"), "1")
                if how == "C-c":
                    t.keys(name, "C-c")
                else:
                    os.kill(t.command_pid(name), signal.SIGTERM)
                self.assertEqual(t.wait_exit(name, timeout=QUICK), code, how)
                # The terminal came back: main screen, cursor on, cursor keys normal.
                self.assertEqual(t.pane(name, "#{alternate_on}"), "0")
                self.assertEqual(t.pane(name, "#{cursor_flag}"), "1")
                self.assertEqual(t.pane(name, "#{keypad_cursor_flag}"), "0")
        finally:
            t.kill()


if __name__ == "__main__":
    if not (os.path.isfile(BIN) and os.access(BIN, os.X_OK)):
        print("SKIP: no vpcx binary at %s" % BIN)
        sys.exit(77)
    unittest.main(verbosity=2)
