#!/usr/bin/env python3
"""Headless screen tests of the endpoint forms: each tests/tui/forms/*.keys script runs
against --demo (the forms are SIMULATED there) and its screens are diffed against the
*.screen file beside it, as tests/tui/run_screens.py does for the other views.

The ClientToken (a random UUID v4) differs from run to run and is replaced before the
comparison; the IDs a simulation makes (endpoint, ENIs, DNS names) are derived from what
was done, so a replayed script makes the same ones.
VPCX_UPDATE_SCREENS=1 rewrites the .screen files (review them by eye)."""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.dont_write_bytecode = True
import run_screens  # noqa: E402

UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\b")


def normalise(text):
    return UUID.sub("CLIENT-TOKEN", text)


def main():
    return run_screens.check_dir(HERE, sys.argv[1:], normalise, "form screen")


if __name__ == "__main__":
    sys.exit(main())
