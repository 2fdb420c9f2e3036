"""A private tmux server for the TUI tests: one session per vpcx run, driven with send-keys and
read with capture-pane. Each Tmux has its own socket (-L), so tests never touch the user's
server or each other's. The command runs under sh, which records its exit status in a file:
tmux's own #{pane_dead_status} is not reliable in every version."""
import os
import shlex
import shutil
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("VPCX_SRCDIR", os.path.dirname(os.path.dirname(HERE)))
BIN = os.environ.get("VPCX_BIN", os.path.join(SRC, "build", "vpcx"))


def clean_env(home, **extra):
    """Exactly what a test gives vpcx: HOME and the XDG folders under home, test keys, no
    AWS config, IMDS off, a UTF-8 locale; extra adds or replaces (None removes)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
           "XDG_CONFIG_HOME": os.path.join(home, "config"),
           "XDG_CACHE_HOME": os.path.join(home, "cache"),
           "LC_ALL": "C.UTF-8", "TERM": "xterm-256color",
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
           "AWS_EC2_METADATA_DISABLED": "true",
           "VPCX_THEMES_DIR": os.path.join(SRC, "themes")}
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def available():
    return shutil.which("tmux") is not None


class Tmux:
    """One tmux server; sessions are named by the caller."""

    count = 0

    def __init__(self, tag):
        Tmux.count += 1  # a server per instance: a killed one may linger a moment
        self.socket = "vpcx-%s-%d-%d" % (tag, os.getpid(), Tmux.count)
        self.dir = tempfile.TemporaryDirectory(prefix="vpcx-tmux-")

    def run(self, *args, check=True):
        p = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null"] + list(args),
                           capture_output=True, text=True, timeout=20)
        if check and p.returncode != 0:
            raise RuntimeError("tmux %s: %s" % (" ".join(args), p.stderr))
        return p.stdout

    def status_path(self, name):
        return os.path.join(self.dir.name, name + ".status")

    def start(self, name, cols, rows, command, env):
        """Runs command (a list) with exactly env in a new session of cols x rows. The
        pane stays open after it exits (to see what it left on the terminal); its exit
        status goes to a file, as a shell reports it (128 + a signal that killed it)."""
        status = self.status_path(name)
        if os.path.exists(status):
            os.unlink(status)
        # The trap keeps sh alive through a C-c sent to the pane (its child gets the
        # default disposition back on exec).
        inner = "trap true INT; %s; echo $? > %s; exec sleep 600" % (
            " ".join(shlex.quote(c) for c in command), shlex.quote(status))
        line = " ".join(["env", "-i"] + ["%s=%s" % (k, shlex.quote(v)) for k, v in env.items()]
                        + ["sh", "-c", shlex.quote(inner)])
        self.run("new-session", "-d", "-s", name, "-x", str(cols), "-y", str(rows), line)

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

    def wait_settled(self, name, pred, timeout=10.0, what="condition"):
        """Like wait_for, on a screen read twice alike: a capture can land mid-repaint, or
        between the steps of keys still being handled."""
        last = [None]

        def settled(s):
            same, last[0] = s == last[0], s
            return same and pred(s)
        return self.wait_for(name, settled, timeout, what)

    def wait_text(self, name, text, timeout=10.0):
        return self.wait_for(name, lambda s: text in s, timeout, repr(text))

    def wait_exit(self, name, timeout=10.0):
        """The exit status once the command in the pane has ended."""
        path = self.status_path(name)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if os.path.exists(path):
                with open(path) as f:
                    text = f.read().strip()
                if text:
                    return int(text)
            time.sleep(0.05)
        raise AssertionError("still running after %.0f s:\n%s" % (timeout, self.screen(name)))

    def command_pid(self, name):
        """The pid of the command (the child of the pane's sh)."""
        sh = self.pane(name, "#{pane_pid}")
        deadline = time.time() + 5
        while time.time() < deadline:
            path = "/proc/%s/task/%s/children" % (sh, sh)
            with open(path) as f:
                kids = f.read().split()
            if kids:
                return int(kids[0])
            time.sleep(0.05)
        raise AssertionError("no command under the pane's shell %s" % sh)

    def kill(self):
        self.run("kill-server", check=False)
        self.dir.cleanup()
