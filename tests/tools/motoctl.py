#!/usr/bin/env python3
"""Start and stop a moto server on a free loopback port, by its own pid.

Library use:
    with MotoServer(seed=42) as moto:        # or MotoServer(no_auth_count=8)
        moto.url                             # http://127.0.0.1:PORT
CLI use:
    motoctl.py start --pidfile F [--seed N] [--no-auth-count N]   # prints the URL
    motoctl.py stop --pidfile F
The pidfile holds "PID URL". Only that pid is ever signalled (never by name).
"""
import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

READY_TIMEOUT = 30.0


def free_port():
    """A port the kernel had free a moment ago (bind to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_request(url, method="GET", timeout=5.0):
    req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.status, resp.read()


def wait_ready(url, proc=None, timeout=READY_TIMEOUT):
    """Poll GET /moto-api/ until it answers; False if the process died or time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            status, _ = http_request(url + "/moto-api/", timeout=2.0)
            if status == 200:
                return True
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.1)
    return False


def stop_pid(pid, timeout=10.0):
    """SIGTERM one pid, wait, then SIGKILL it if it lingers."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                return
        except ChildProcessError:
            # Not our child (CLI stop): probe with signal 0.
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


class MotoServer:
    """A moto server child process. seed: POST /moto-api/seed?a=N after start."""

    def __init__(self, seed=None, no_auth_count=None, env=None, log_path=None, attempts=5):
        self.seed = seed
        self.no_auth_count = no_auth_count
        self.extra_env = dict(env or {})
        self.log_path = log_path
        self.attempts = attempts
        self.proc = None
        self.port = None
        self.url = None
        self._log = None

    def _spawn(self, port):
        env = dict(os.environ)
        env.update(self.extra_env)
        if self.no_auth_count is not None:
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(self.no_auth_count)
        # moto must not pick up the caller's real AWS settings.
        env.setdefault("AWS_ACCESS_KEY_ID", "testing")
        env.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
        self._log = open(self.log_path or os.devnull, "ab")
        return subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env, start_new_session=True)

    def start(self):
        for _ in range(self.attempts):
            port = free_port()
            proc = self._spawn(port)
            url = "http://127.0.0.1:%d" % port
            if wait_ready(url, proc):
                self.proc, self.port, self.url = proc, port, url
                if self.seed is not None:
                    self.reseed(self.seed)
                return self
            # Port collision or slow start: stop this one and retry.
            stop_pid(proc.pid)
            self._log.close()
        raise RuntimeError("moto server did not become ready")

    def reseed(self, seed):
        http_request("%s/moto-api/seed?a=%d" % (self.url, int(seed)), method="POST")

    def reset(self):
        http_request(self.url + "/moto-api/reset", method="POST")

    def stop(self):
        if self.proc is not None:
            stop_pid(self.proc.pid)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def read_pidfile(path):
    with open(path) as f:
        pid, url = f.read().split()
    return int(pid), url


def cmd_start(args):
    srv = MotoServer(seed=args.seed, no_auth_count=args.no_auth_count, log_path=args.log)
    srv.start()
    with open(args.pidfile, "w") as f:
        f.write("%d %s\n" % (srv.proc.pid, srv.url))
    # Detach: the server keeps running after we exit; `stop` ends it by pid.
    srv.proc = None
    print(srv.url)
    return 0


def cmd_stop(args):
    try:
        pid, _ = read_pidfile(args.pidfile)
    except (OSError, ValueError):
        print("motoctl: no usable pidfile %s" % args.pidfile, file=sys.stderr)
        return 1
    stop_pid(pid)
    os.unlink(args.pidfile)
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    st = sub.add_parser("start")
    st.add_argument("--pidfile", required=True)
    st.add_argument("--seed", type=int)
    st.add_argument("--no-auth-count", type=int)
    st.add_argument("--log", help="file for moto's output (default: discard)")
    sp = sub.add_parser("stop")
    sp.add_argument("--pidfile", required=True)
    args = ap.parse_args(argv)
    return cmd_start(args) if args.cmd == "start" else cmd_stop(args)


if __name__ == "__main__":
    sys.exit(main())
