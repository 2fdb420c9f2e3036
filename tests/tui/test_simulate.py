#!/usr/bin/env python3
"""Simulated changes in the demo, end to end through the headless explorer (issue 10 item 9):

- a simulated modify of prod-logs (the form script of tests/tui/forms/modify.keys) shows the
  endpoint pending with an ENI in the added subnet, then (after `wait`) available with the
  removed subnet's ENI gone; the snapshot saved afterwards holds what AWS would return
  (endpoint ENIs typed vpc_endpoint, requester-managed, at the first free address of their
  subnet, the subnets' AvailableIpAddressCount moved) and no field of vpcx's own;
- `:diff` against the snapshot saved before lists the endpoint by service and Name, and
  Enter on its row shows it in the explorer;
- a simulated delete shows `deleting`, then the endpoint and its ENIs are gone and the
  subnets' counts are back.
Exit 77 without a vpcx binary."""
import ipaddress
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("VPCX_SRCDIR", os.path.dirname(os.path.dirname(HERE)))
BIN = os.environ.get("VPCX_BIN", os.path.join(SRC, "build", "vpcx"))

LOGS = "vpce-c3c27dc11431791ac"  # prod-logs, the endpoint forms/modify.keys changes
STS = "vpce-4715873ba1fc0c37f"
PROD_DATA_B = "subnet-ccabbfb4a7ed286b0"  # the subnet the modify script adds
PROD_APP_B = "subnet-a585897cfddedc9a1"  # the one it removes


def modify_keys():
    with open(os.path.join(HERE, "forms", "modify.keys")) as f:
        lines = [l for l in f.read().splitlines() if l and not l.startswith("#")]
    # Up to and including the Enter on the Send button after the preview (s); the script's
    # own snaps are dropped.
    keys = [l for l in lines if l != "snap"]
    send = keys.index("Enter", keys.index("s"))
    return keys[:send + 1]


class Simulated(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="vpcx-sim-")
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def run_keys(self, lines):
        path = os.path.join(self.dir, "keys")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.dir,
               "XDG_CONFIG_HOME": os.path.join(self.dir, "cfg"),
               "XDG_CACHE_HOME": os.path.join(self.dir, "cache"), "LC_ALL": "C.UTF-8",
               "TERM": "xterm-256color", "VPCX_THEMES_DIR": os.path.join(SRC, "themes")}
        p = subprocess.run([BIN, "--demo", "--headless", "120x40", "--keys", path,
                            "--screen-out", "-"], cwd=self.dir, env=env, capture_output=True,
                           text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        # Each snap is one screen (40 lines); the final screen follows the last one.
        return ["".join(c.splitlines(True)[:40]) for c in p.stdout.split("--- snap ---\n")[1:]]

    def snapshot(self, name):
        with open(os.path.join(self.dir, name), encoding="utf-8") as f:
            return json.load(f)

    def test_modify_then_diff_and_enter(self):
        keys = [":w before.json<Enter>"] + modify_keys() + ["q", "snap", "wait", "snap",
                                                            ":w after.json<Enter>",
                                                            ":diff before.json<Enter>", "snap"]
        pending, settled, diff = self.run_keys(keys)[-3:]
        self.assertIn("State                  pending", pending)
        self.assertIn("prod-logs pending (4 ENIs)", pending)
        self.assertIn("State                  available", settled)
        self.assertIn("prod-logs (3 ENIs)", settled)

        before, after = self.snapshot("before.json"), self.snapshot("after.json")
        self.assertNotIn("Vpcx", json.dumps(after))
        ep = {e["VpcEndpointId"]: e for e in after["VpcEndpoints"]}[LOGS]
        self.assertEqual(ep["State"], "available")
        enis = {e["NetworkInterfaceId"]: e for e in after["NetworkInterfaces"]}
        by_subnet = {enis[i]["SubnetId"]: enis[i] for i in ep["NetworkInterfaceIds"]}
        self.assertEqual(set(by_subnet), set(ep["SubnetIds"]))
        self.assertIn(PROD_DATA_B, by_subnet)
        self.assertNotIn(PROD_APP_B, by_subnet)
        new = by_subnet[PROD_DATA_B]
        self.assertEqual(new["InterfaceType"], "vpc_endpoint")
        self.assertIs(new["RequesterManaged"], True)
        self.assertEqual(new["Description"], "VPC Endpoint Interface " + LOGS)
        self.assertEqual([g["GroupId"] for g in new["Groups"]],
                         [g["GroupId"] for g in ep["Groups"]])
        # The first address AWS would hand out: past the 4 reserved, held by no other ENI.
        subnets = {s["SubnetId"]: s for s in after["Subnets"]}
        net = ipaddress.ip_network(subnets[PROD_DATA_B]["CidrBlock"])
        held = {ipaddress.ip_address(e["PrivateIpAddress"]) for e in before["NetworkInterfaces"]
                if e["SubnetId"] == PROD_DATA_B}
        first = next(a for a in list(net)[4:-1] if a not in held)
        self.assertEqual(new["PrivateIpAddress"], str(first))
        was = {s["SubnetId"]: s["AvailableIpAddressCount"] for s in before["Subnets"]}
        self.assertEqual(subnets[PROD_DATA_B]["AvailableIpAddressCount"], was[PROD_DATA_B] - 1)
        self.assertEqual(subnets[PROD_APP_B]["AvailableIpAddressCount"], was[PROD_APP_B] + 1)

        # The diff names the endpoint by service and Name; Enter on its row shows it.
        lines = diff.splitlines()
        row = [i for i, l in enumerate(lines) if "~ %s (logs, prod-logs)" % LOGS in l]
        self.assertEqual(len(row), 1, diff)
        self.assertNotIn("Vpcx", diff)
        moves = row[0] - 2  # under the header and the title, the cursor on the first row
        keys += ["j"] * moves + ["<Enter>", "snap"]
        shown = self.run_keys(keys)[-1]
        self.assertIn("Detail  VPC endpoint %s" % LOGS, shown)

    def test_delete_goes_deleting_then_gone(self):
        keys = [":%s<Enter>" % STS, "D", "type " + STS, "<Enter>", "<Enter>", "q", "snap", "wait",
                "snap", ":w after.json<Enter>"]
        deleting, gone = self.run_keys(keys)[-2:]
        self.assertIn("sts prod-sts deleting", deleting)
        self.assertNotIn(STS, gone)
        after = self.snapshot("after.json")
        with open(os.path.join(SRC, "data", "demo.json"), encoding="utf-8") as f:
            demo = json.load(f)
        ep = {e["VpcEndpointId"]: e for e in demo["VpcEndpoints"]}[STS]
        self.assertNotIn(STS, [e["VpcEndpointId"] for e in after["VpcEndpoints"]])
        left = {e["NetworkInterfaceId"] for e in after["NetworkInterfaces"]}
        self.assertFalse(set(ep["NetworkInterfaceIds"]) & left)
        was = {s["SubnetId"]: s["AvailableIpAddressCount"] for s in demo["Subnets"]}
        for s in after["Subnets"]:
            self.assertEqual(s["AvailableIpAddressCount"],
                             was[s["SubnetId"]] + (1 if s["SubnetId"] in ep["SubnetIds"] else 0))


if __name__ == "__main__":
    if not os.access(BIN, os.X_OK):
        print("no vpcx binary: skipped")
        sys.exit(77)
    unittest.main()
