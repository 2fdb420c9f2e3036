#!/usr/bin/env python3
"""Headless screen tests against a live, seeded moto account: the explorer fetches
the inventory itself (the `wait` directive runs the network until the fetch ends),
then each tests/tui/moto/*.keys script's final screen is diffed against its
*.screen file. The endpoint's port changes from run to run and is replaced by PORT.
VPCX_UPDATE_SCREENS=1 rewrites the .screen files (review them by eye).
Skips (77) without $VPCX_BIN."""
import difflib
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("VPCX_SRCDIR", os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(SRC, "tests", "tools"))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import motoctl  # noqa: E402
import tmuxlib  # noqa: E402
import seed_account  # noqa: E402

CASES = os.path.join(HERE, "moto")
SEED = 11


def normalise(text, url):
    text = text.replace(url, "http://127.0.0.1:PORT")
    # The status line's ages depend on timing ("all types 0s", or per type when the
    # fetch straddles a second): keep only its key hints.
    return re.sub(r"(?m)^.*?(\s{2,}\?:help .*)$", r"<ages>\1", text)


def run(bin_path, url, keys, home):
    env = tmuxlib.clean_env(home)
    cmd = [bin_path, "--endpoint-url", url, "--region", "us-east-1", "--no-cache",
           "--headless", "120x40", "--keys", keys, "--screen-out", "-"]
    p = subprocess.run(cmd, env=env, capture_output=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError("exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace")))
    return normalise(p.stdout.decode("utf-8"), url)


def main():
    bin_path = os.environ.get("VPCX_BIN", "")
    if not (bin_path and os.access(bin_path, os.X_OK)):
        print("SKIP: VPCX_BIN unset")
        return 77
    update = os.environ.get("VPCX_UPDATE_SCREENS") == "1"
    failed = 0
    scripts = sorted(f for f in os.listdir(CASES) if f.endswith(".keys"))
    if not scripts:
        print("no key scripts found")
        return 1
    with motoctl.MotoServer(seed=SEED) as moto, tempfile.TemporaryDirectory() as home:
        os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
        seed_account.seed(moto.url, "us-east-1", "small", SEED, None)
        for name in scripts:
            keys = os.path.join(CASES, name)
            want_path = keys[:-len(".keys")] + ".screen"
            got = run(bin_path, moto.url, keys, home)
            if update:
                with open(want_path, "w", encoding="utf-8") as f:
                    f.write(got)
                print("wrote", os.path.basename(want_path))
                continue
            with open(want_path, encoding="utf-8") as f:
                want = f.read()
            if got == want:
                print("ok  ", name)
                continue
            failed += 1
            print("FAIL", name)
            sys.stdout.writelines(difflib.unified_diff(
                want.splitlines(True), got.splitlines(True), "expected", "got"))
    print("%d of %d moto screen tests failed" % (failed, len(scripts)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
