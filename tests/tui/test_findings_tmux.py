#!/usr/bin/env python3
"""Finding markers on a real terminal: the headless screens hold text only, so the colour of a
marker is checked here. vpcx in tmux at 120x40 on the demo with one change (the S3 gateway
endpoint loses one of its route tables, so an info finding exists too), the tree opened at
prod-core's endpoints;
capture-pane -e gives the SGR attributes of each cell. The marker after an endpoint with an
error must be drawn in the theme's finding-error colour, a warning in finding-warning's, an info
in finding-info's: first with the dark default (203, 221, 117), then with a theme file that moves
all three (so the colour comes from the theme roles, not from a constant). Then ! opens the
findings view and Enter on its first row lands on that endpoint in the tree. Exit 77 (skip)
without tmux."""
import json
import os
import re
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tmuxlib  # noqa: E402

SGR = re.compile(r"\x1b\[([0-9;]*)m")
SRC = os.environ.get("VPCX_SRCDIR",
                     os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ERROR_EP = "vpce-11cbb5606ad9a5d72"  # prod-ec2messages: its group does not admit 443
WARN_EP = "vpce-c3c27dc11431791ac"  # prod-logs: AWS's default full-access policy
INFO_EP = "vpce-299d721095bf7a99a"  # prod's S3 gateway, one route table taken away below
MARKERS = {ERROR_EP: "\u2717", WARN_EP: "\u25b2", INFO_EP: "\u25cf"}


def fg_of(params, fg):
    """Applies one SGR sequence to the current foreground colour (a 256-colour index or None)."""
    codes = [c for c in params.split(";")] if params else ["0"]
    i = 0
    while i < len(codes):
        c = codes[i] or "0"
        if c == "0" or c == "39":
            fg = None
        elif c == "38" and i + 2 < len(codes) and codes[i + 1] == "5":
            fg = int(codes[i + 2])
            i += 2
        elif c.isdigit() and 30 <= int(c) <= 37:
            fg = int(c) - 30
        elif c.isdigit() and 90 <= int(c) <= 97:
            fg = int(c) - 90 + 8
        i += 1
    return fg


def marker_colour(line, endpoint):
    """The foreground colour of the marker glyph after endpoint's ID on an SGR-coded line."""
    fg, at = None, 0
    cells = []  # (char, fg)
    for m in SGR.finditer(line):
        for ch in line[at:m.start()]:
            cells.append((ch, fg))
        fg = fg_of(m.group(1), fg)
        at = m.end()
    for ch in line[at:]:
        cells.append((ch, fg))
    text = "".join(c for c, _ in cells)
    start = text.find(endpoint)
    if start < 0:
        return None
    glyph = MARKERS[endpoint]
    pos = text.find(glyph, start + len(endpoint))
    if pos < 0 or pos > start + len(endpoint) + 2:
        return None  # the ID elsewhere (a title, the detail): not a tree row
    return cells[pos][1]


def colours(t, name):
    out = t.run("capture-pane", "-p", "-e", "-t", name)
    found = {}
    for line in out.splitlines():
        for ep in MARKERS:
            if ep in SGR.sub("", line) and ep not in found:
                colour = marker_colour(line, ep)
                if colour is not None:
                    found[ep] = colour
    return found


def unrouted_demo(home):
    """The demo with INFO_EP routed from one of its two route tables: gateway-subnet-unrouted."""
    with open(os.path.join(SRC, "data", "demo.json"), encoding="utf-8") as f:
        doc = json.load(f)
    ep = next(e for e in doc["VpcEndpoints"] if e["VpcEndpointId"] == INFO_EP)
    dropped = ep["RouteTableIds"][1:]
    ep["RouteTableIds"] = ep["RouteTableIds"][:1]
    for rt in doc["RouteTables"]:
        if rt["RouteTableId"] in dropped:
            rt["Routes"] = [r for r in rt["Routes"] if r.get("GatewayId") != INFO_EP]
    path = os.path.join(home, "unrouted.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    return path


def open_endpoints(t, name, home, theme):
    env = tmuxlib.clean_env(home)
    cmd = [tmuxlib.BIN, "--snapshot", unrouted_demo(home)] + (["--theme", theme] if theme else [])
    t.start(name, 120, 40, cmd, env)
    t.wait_text(name, "account 123456789012")
    t.keys(name, ":" + ERROR_EP, "Enter")
    t.wait_for(name, lambda s: "Detail  VPC endpoint " + ERROR_EP in s, what="the endpoint")
    t.keys(name, "k")  # off the row: the cursor's colours would hide the marker's
    t.wait_for(name, lambda s: "Detail  VPC endpoint " + ERROR_EP not in s and INFO_EP in s,
               what="the row above")


def check(t, name, home, theme, want):
    open_endpoints(t, name, home, theme)
    # A capture can land between two lines of one repaint (the detail's title already new, the
    # row the cursor left not yet redrawn): read the colours again until two captures agree.
    got, deadline = colours(t, name), time.time() + 5
    while time.time() < deadline:
        time.sleep(0.1)
        again = colours(t, name)
        if again == got:
            break
        got = again
    bad = ["%s: marker colour %s, want %s" % (ep, got.get(ep), c) for ep, c in want.items()
           if got.get(ep) != c]
    return bad


def check_jump(t, name):
    """! then Enter: the tree selects the resource of the first finding, and the detail shows it."""
    t.keys(name, "!")
    view = t.wait_text(name, "Errors (")
    rows = view.splitlines()
    first = next(ln for ln in rows[rows.index(next(r for r in rows if "Errors (" in r)) + 1:])
    rid = re.search(r"\b((?:vpce|subnet)-[0-9a-f]+)", first).group(1)
    t.keys(name, "Enter")
    s = t.wait_for(name, lambda s: "Errors (" not in s, what="the tree again")
    if "Detail  VPC endpoint " + rid not in s and "Detail  subnet " + rid not in s:
        return ["after Enter on %s the detail shows something else:\n%s" % (rid, s)]
    return []


def main():
    if not tmuxlib.available():
        print("tmux not installed: skipped")
        return 77
    t = tmuxlib.Tmux("findings")
    failures = []
    try:
        with tempfile.TemporaryDirectory() as home:
            failures += check(t, "dark", home, None, {ERROR_EP: 203, WARN_EP: 221, INFO_EP: 117})
            theme = os.path.join(home, "moved.theme")
            with open(theme, "w") as f:
                f.write("finding-error = 46 default\nfinding-warning = 201 default\n"
                        "finding-info = 226 default\n")
            failures += check(t, "moved", home, theme, {ERROR_EP: 46, WARN_EP: 201, INFO_EP: 226})
            failures += check_jump(t, "moved")
    finally:
        t.kill()
    for f in failures:
        print("FAIL", f)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
