#!/usr/bin/env python3
"""Headless screen tests of the endpoint forms: each tests/tui/forms/*.keys script runs
against --demo (the forms are SIMULATED there) and its screens are diffed against the
*.screen file beside it, as tests/tui/run_screens.py does for the other views.

Two things differ from run to run and are replaced before the comparison: the
ClientToken (a random UUID v4) and the ID a simulated create gives its endpoint.
VPCX_UPDATE_SCREENS=1 rewrites the .screen files (review them by eye)."""
import difflib
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.dont_write_bytecode = True
import run_screens  # noqa: E402

UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\b")
SIMULATED = re.compile(r"simulated: (vpce-[0-9a-f]+) created")


def normalise(text):
    text = UUID.sub("CLIENT-TOKEN", text)
    for vpce in set(SIMULATED.findall(text)):
        text = text.replace(vpce, "vpce-SIMULATED")
    return text


def main():
    run_screens.HERE = HERE  # scripts run from this directory
    names = sys.argv[1:]
    scripts = sorted(f for f in os.listdir(HERE) if f.endswith(".keys"))
    if names:
        scripts = [s for s in scripts if s in names or s[:-5] in names]
    update = os.environ.get("VPCX_UPDATE_SCREENS") == "1"
    failed = []
    with tempfile.TemporaryDirectory() as home:
        for s in scripts:
            keys = os.path.join(HERE, s)
            want_path = keys[:-5] + ".screen"
            try:
                got = normalise(run_screens.run(keys, home))
            except Exception as e:  # report and go on with the rest
                print("FAIL %s: %s" % (s, e))
                failed.append(s)
                continue
            if update:
                with open(want_path, "w", encoding="utf-8") as f:
                    f.write(got)
                print("wrote %s" % os.path.basename(want_path))
                continue
            try:
                with open(want_path, encoding="utf-8") as f:
                    want = f.read()
            except FileNotFoundError:
                print("FAIL %s: no %s (run with VPCX_UPDATE_SCREENS=1)" % (s, want_path))
                failed.append(s)
                continue
            if got != want:
                diff = difflib.unified_diff(want.splitlines(), got.splitlines(),
                                            "expected", "got", lineterm="")
                print("FAIL %s\n%s" % (s, "\n".join(diff)))
                failed.append(s)
            else:
                print("ok   %s" % s)
    if not scripts:
        print("no key scripts found")
        return 1
    print("%d of %d form screen tests failed" % (len(failed), len(scripts)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
