#!/usr/bin/env python3
"""The explorer keeps answering keys while expired credentials are reloaded: vpcx in tmux on
a credential_process profile, moto behind the fault proxy answering the first DescribeVpcs
with RequestExpired. The helper sleeps on the reload; while it sleeps, `?` must bring up the
help screen, and nothing the helper prints on stderr may reach the terminal. Exit 77 (skip)
when tmux or $VPCX_BIN is missing."""
import os
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("VPCX_SRCDIR", os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(SRC, "tests", "tools"))
sys.dont_write_bytecode = True
import awsproxy  # noqa: E402
import motoctl  # noqa: E402

BIN = os.environ.get("VPCX_BIN", "")
SOCKET = "vpcx-reload-%d" % os.getpid()
SLEEP = 6  # seconds the helper sleeps on a reload

HELPER = """#!/bin/sh
dir=%(dir)s
n=$(cat "$dir/count" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "$dir/count"
echo "helper on stderr: run $n" >&2
if [ $n -gt 1 ]; then
  : > "$dir/reloading"
  sleep %(sleep)d
  : > "$dir/reloaded"
fi
printf '{"Version": 1, "AccessKeyId": "AKIDPROC%%d", "SecretAccessKey": "proc-secret"}' $n
"""


def tmux(*args, check=True):
    p = subprocess.run(["tmux", "-L", SOCKET, "-f", "/dev/null"] + list(args),
                       capture_output=True, text=True, timeout=20)
    if check and p.returncode != 0:
        raise RuntimeError("tmux %s: %s" % (" ".join(args), p.stderr))
    return p.stdout


def screen():
    return tmux("capture-pane", "-p", "-t", "t")


def wait_for_file(path, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path):
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for %s; screen:\n%s" % (path, screen()))


def wait_for(text, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        s = screen()
        if text in s:
            return s
        time.sleep(0.05)
    raise AssertionError("timed out waiting for %r; screen:\n%s" % (text, screen()))


def write_home(home):
    helper = os.path.join(home, "helper.sh")
    with open(helper, "w") as f:
        f.write(HELPER % {"dir": shlex.quote(home), "sleep": SLEEP})
    os.chmod(helper, stat.S_IRWXU)
    with open(os.path.join(home, "config"), "w") as f:
        f.write("[profile proc]\ncredential_process = %s\nregion = us-east-1\n" % helper)


def drive(home, status):
    # The reload starts once the first DescribeVpcs is answered "expired".
    wait_for_file(os.path.join(home, "reloading"), 60)
    t0 = time.time()
    tmux("send-keys", "-t", "t", "?")
    s = wait_for("Help  q or Esc to close", SLEEP - 2)
    answered = time.time() - t0
    assert not os.path.exists(os.path.join(home, "reloaded")), \
        "the key was answered only after the reload (%.1f s)" % answered
    assert "helper on stderr" not in s, s
    wait_for_file(os.path.join(home, "reloaded"), SLEEP + 30)
    tmux("send-keys", "-t", "t", "q")
    wait_for("account 123456789012", 30)
    s = screen()
    assert "helper on stderr" not in s, s
    tmux("send-keys", "-t", "t", "q")
    deadline = time.time() + 30
    while time.time() < deadline and not os.path.exists(status):
        time.sleep(0.1)
    with open(status) as f:
        assert f.read().strip() == "EXIT=0", "vpcx did not exit cleanly"
    with open(os.path.join(home, "count")) as f:
        assert f.read().strip() == "2", "expected one start-up run and one reload"
    print("key answered %.2f s into a %d s reload" % (answered, SLEEP))
    return 0


def main():
    if not shutil.which("tmux") or not (BIN and os.access(BIN, os.X_OK)):
        print("tmux or VPCX_BIN missing: skipped")
        return 77
    moto = motoctl.MotoServer(seed=5)
    moto.start()
    faults = {"faults": {"DescribeVpcs": [{"kind": "expired", "nth": [1]}]}}
    try:
        with awsproxy.AwsProxy(moto.url, faults) as proxy, \
                tempfile.TemporaryDirectory() as home:
            write_home(home)
            status = os.path.join(home, "status")
            inner = ("%s --profile proc --endpoint-url %s --no-cache; echo \"EXIT=$?\" > %s; "
                     "sleep 60" % (shlex.quote(BIN), shlex.quote(proxy.url),
                                   shlex.quote(status)))
            env = ("env -i PATH=%s HOME=%s XDG_CONFIG_HOME=%s/cfg AWS_CONFIG_FILE=%s/config "
                   "AWS_SHARED_CREDENTIALS_FILE=%s/credentials AWS_EC2_METADATA_DISABLED=true "
                   "LC_ALL=C.UTF-8 TERM=screen-256color " % (
                       shlex.quote(os.environ.get("PATH", "/usr/bin:/bin")),
                       *(shlex.quote(home),) * 4))
            tmux("new-session", "-d", "-s", "t", "-x", "120", "-y", "40",
                 env + "sh -c " + shlex.quote(inner))
            try:
                return drive(home, status)
            finally:
                tmux("kill-server", check=False)
    finally:
        moto.stop()


if __name__ == "__main__":
    sys.exit(main())
