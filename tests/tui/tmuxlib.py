"""A private tmux server for the TUI tests: one session per vpcx run, driven with send-keys and
read with capture-pane. Each Tmux has its own socket (-L), so tests never touch the user's
server or each other's."""
import os
import shlex
import shutil
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("VPCX_SRCDIR", os.path.dirname(os.path.dirname(HERE)))
BIN = os.environ.get("VPCX_BIN", os.path.join(SRC, "build", "vpcx"))


def available():
    return shutil.which("tmux") is not None


class Tmux:
    """One tmux server; sessions are named by the caller."""

    def __init__(self, tag):
        self.socket = "vpcx-%s-%d" % (tag, os.getpid())

    def run(self, *args, check=True):
        p = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null"] + list(args),
                           capture_output=True, text=True, timeout=20)
        if check and p.returncode != 0:
            raise RuntimeError("tmux %s: %s" % (" ".join(args), p.stderr))
        return p.stdout

    def start(self, name, cols, rows, command, env):
        """Runs command (a list) in a new session of cols x rows; the pane stays open
        after it exits, the exit status in #{pane_dead_status}."""
        line = " ".join(["env", "-i"] + ["%s=%s" % (k, shlex.quote(v)) for k, v in env.items()]
                        + [shlex.quote(c) for c in command])
        # Set before the pane starts: tmux records the status only for a pane that
        # already had remain-on-exit when it died.
        self.run("start-server", ";", "set-option", "-g", "remain-on-exit", "on", ";",
                 "new-session", "-d", "-s", name, "-x", str(cols), "-y", str(rows), line)

    def screen(self, name):
        return self.run("capture-pane", "-p", "-t", name)

    def keys(self, name, *k):
        self.run("send-keys", "-t", name, *k)

    def resize(self, name, cols, rows):
        self.run("resize-window", "-t", name, "-x", str(cols), "-y", str(rows))

    def pane(self, name, fmt):
        return self.run("display-message", "-p", "-t", name, fmt).strip()

    def wait_for(self, name, pred, timeout=10.0, what="condition"):
        """Polls the screen until pred(screen) holds; returns the screen."""
        deadline = time.time() + timeout
        s = ""
        while time.time() < deadline:
            s = self.screen(name)
            if pred(s):
                return s
            time.sleep(0.05)
        raise AssertionError("timed out waiting for %s; screen:\n%s" % (what, s))

    def wait_text(self, name, text, timeout=10.0):
        return self.wait_for(name, lambda s: text in s, timeout, repr(text))

    def wait_exit(self, name, timeout=10.0):
        """The exit status once the command in the pane has ended (128 + the signal
        that killed it, as a shell reports)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            # The pane may read as dead (end of file) before tmux has reaped the process.
            dead, status, sig = self.pane(
                name, "#{pane_dead}:#{pane_dead_status}:#{pane_dead_signal}").split(":")
            if dead == "1" and status:
                return int(status)
            if dead == "1" and sig:
                return 128 + int(sig)
            time.sleep(0.05)
        raise AssertionError("still running after %.0f s:\n%s" % (timeout, self.screen(name)))

    def kill(self):
        self.run("kill-server", check=False)
