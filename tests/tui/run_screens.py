#!/usr/bin/env python3
"""Headless screen tests: run vpcx on each tests/tui/*.keys script and diff the
screen text it writes against the *.screen file beside it.

A script's first lines may set the run:
  #! args --demo --headless 120x40      command-line arguments (default shown)
  #! env LC_ALL=C                        extra environment
  #! config ignore RULE ID REASON        a line of the config file the run reads
VPCX_UPDATE_SCREENS=1 rewrites the .screen files (review them by eye).
Arguments: names of scripts to run (default: all)."""
import difflib
import os
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("VPCX_SRCDIR", os.path.dirname(os.path.dirname(HERE)))
BIN = os.environ.get("VPCX_BIN", os.path.join(SRC, "build", "vpcx"))
DEFAULT_ARGS = ["--demo", "--headless", "120x40"]


def settings(path):
    args, env, config = list(DEFAULT_ARGS), {}, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#! args "):
                args = shlex.split(line[len("#! args "):])
            elif line.startswith("#! env "):
                k, _, v = line[len("#! env "):].strip().partition("=")
                env[k] = v
            elif line.startswith("#! config "):
                config.append(line[len("#! config "):].rstrip("\n"))
    return args, env, config


def run(path, home, cwd=HERE):
    args, extra, config = settings(path)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "XDG_CONFIG_HOME": os.path.join(home, "config"),
        "LC_ALL": "C.UTF-8",
        "TERM": "xterm-256color",
        "VPCX_THEMES_DIR": os.path.join(SRC, "themes"),
    }
    env.update(extra)
    conf_file = os.path.join(home, "config", "vpcx", "config")
    if config:
        # A config of this script's own, read as the explorer reads the user's.
        os.makedirs(os.path.dirname(conf_file), exist_ok=True)
        with open(conf_file, "w", encoding="utf-8") as f:
            f.write("\n".join(config) + "\n")
        env["VPCX_HEADLESS_CONFIG"] = "1"
    cmd = [BIN] + args + ["--keys", path, "--screen-out", "-"]
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, timeout=60)
    finally:
        if config:
            os.unlink(conf_file)
    if p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), p.returncode,
                                                p.stderr.decode(errors="replace")))
    return p.stdout.decode("utf-8")


def check_dir(here, names, normalise=lambda text: text, label="screen"):
    """Runs every *.keys script in here (or those named) and diffs its screens; returns
    the exit status. normalise() rewrites what legitimately differs between runs."""
    scripts = sorted(f for f in os.listdir(here) if f.endswith(".keys"))
    if names:
        scripts = [s for s in scripts if s in names or s[:-5] in names]
    if not scripts:
        print("no key scripts found")
        return 1
    update = os.environ.get("VPCX_UPDATE_SCREENS") == "1"
    failed = []
    with tempfile.TemporaryDirectory() as home:
        for s in scripts:
            keys = os.path.join(here, s)
            expected_path = keys[:-5] + ".screen"
            try:
                got = normalise(run(keys, home, cwd=here))
            except Exception as e:  # report and go on with the rest
                print("FAIL %s: %s" % (s, e))
                failed.append(s)
                continue
            if update:
                with open(expected_path, "w", encoding="utf-8") as f:
                    f.write(got)
                print("wrote %s" % os.path.basename(expected_path))
                continue
            try:
                with open(expected_path, encoding="utf-8") as f:
                    want = f.read()
            except FileNotFoundError:
                print("FAIL %s: no %s (run with VPCX_UPDATE_SCREENS=1)" % (s, expected_path))
                failed.append(s)
                continue
            if got != want:
                diff = difflib.unified_diff(want.splitlines(), got.splitlines(),
                                            "expected", "got", lineterm="")
                print("FAIL %s\n%s" % (s, "\n".join(diff)))
                failed.append(s)
            else:
                print("ok   %s" % s)
    print("%d of %d %s tests failed" % (len(failed), len(scripts), label))
    return 1 if failed else 0


def main():
    return check_dir(HERE, sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
