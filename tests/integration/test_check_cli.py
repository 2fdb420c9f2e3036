#!/usr/bin/env python3
"""`vpcx check` and `vpcx cost` on the demo inventory, end to end.

- The demo's findings are exactly its deliberate problems (data/README.md, marked PROBLEM in
  tools/demo_spec.py): no more, no fewer.
- JSON has the documented shape; SARIF validates against tests/data/sarif (a schema of SARIF
  2.1.0's required structure, written from the specification: see tests/data/README.md).
- --fail-on, --rule, --skip, `ignore` config lines and --show-ignored change what is reported
  and the exit status as documented; a bad rule or ignore line is a usage error.
- The README's rule table is the table `vpcx check --list-rules` prints.
- `vpcx cost --demo` matches a hand computation; `price` lines override and fill in regions.
Exit 77 without $VPCX_BIN."""
import csv
import io
import json
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vpcx_harness as h  # noqa: E402

import jsonschema  # noqa: E402

SRC = os.environ.get("VPCX_SRCDIR", os.path.dirname(os.path.dirname(HERE)))
DATA = os.environ.get("VPCX_TESTDATA", os.path.join(SRC, "tests", "data"))

# The demo's deliberate problems (data/README.md; tools/demo_spec.py marks them PROBLEM).
# Everything else in the demo is healthy, so these and nothing more are reported.
DEMO_FINDINGS = {
    # prod-ec2messages: one subnet (prod-endpoints-a, us-east-1a); prod-core spans a, b, c.
    ("endpoint-single-az", "vpce-11cbb5606ad9a5d72"),
    # prod-endpoints-a, a /28: 11 usable, 9 in use, 2 free.
    ("subnet-capacity", "subnet-b71df36b8fe8707cb"),
    # prod-ec2messages's only group is prod-ssh-only (TCP 22 from the office).
    ("sg-no-https", "vpce-11cbb5606ad9a5d72"),
    # staging has DNS hostnames off; staging-ssmmessages asks for private DNS.
    ("private-dns-vpc-attributes", "vpce-667dbdad3ef93bf96"),
    # staging has three interface endpoints and no flow log (prod-core and shared have one).
    ("no-flow-logs", "vpc-30e24bdcd19a93686"),
    # prod-logs was created without a policy: AWS's full-access default.
    ("policy-full-access", "vpce-c3c27dc11431791ac"),
}

# Hand computation: ENIs per interface endpoint x 730 h x $0.01 (us-east-1); gateways free.
DEMO_COST = {
    "vpc-30e24bdcd19a93686": (3 + 3 + 3) * 730 * 0.01,  # ssmmessages, ecr.api, ecr.dkr
    "vpc-a30f7741c4f5e78bd": 2 * 730 * 0.01,  # secretsmanager
    "vpc-a544ff1e02cee8941": (3 + 1 + 3 + 3) * 730 * 0.01,  # ssm, ec2messages, sts, logs
}
# = 21 ENIs x 730 h x $0.01 = $153.30 a month (plus the per-GB charge)
DEMO_TOTAL = 153.30


class Check(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.home = h.CleanHome()
        cls.cfgdir = os.path.join(cls.home.path, "xdg")
        os.makedirs(os.path.join(cls.cfgdir, "vpcx"))

    @classmethod
    def tearDownClass(cls):
        cls.home.cleanup()

    def config(self, text):
        with open(os.path.join(self.cfgdir, "vpcx", "config"), "w") as f:
            f.write(text)

    def run_vpcx(self, *args, config=""):
        self.config(config)
        return h.run_vpcx(list(args), self.home.env(XDG_CONFIG_HOME=self.cfgdir))

    def findings(self, *args, config=""):
        r = self.run_vpcx("check", "--demo", "--format", "json", *args, config=config)
        return r, r.json()

    def test_demo_findings_are_the_reviewed_ones(self):
        r, doc = self.findings()
        self.assertEqual(r.rc, h.EXIT_ERROR, r.describe())  # errors present, default --fail-on
        got = {(f["RuleId"], f["ResourceId"]) for f in doc["Findings"]}
        self.assertEqual(got, DEMO_FINDINGS)
        self.assertEqual(len(doc["Findings"]), len(DEMO_FINDINGS))
        keys = {"RuleId", "Severity", "ResourceType", "ResourceId", "Title", "Evidence", "Fix"}
        for f in doc["Findings"]:
            self.assertLessEqual(keys, set(f))
            self.assertTrue(f["Evidence"], f)
            self.assertTrue(f["Fix"], f)
        self.assertEqual(doc["Summary"], {"Error": 2, "Warning": 4, "Info": 0, "Ignored": 0})

    def test_sarif_validates(self):
        r = self.run_vpcx("check", "--demo", "--format", "sarif")
        self.assertEqual(r.rc, h.EXIT_ERROR, r.describe())
        log = r.json()
        with open(os.path.join(DATA, "sarif", "sarif-2.1.0-required.schema.json")) as f:
            schema = json.load(f)
        jsonschema.Draft7Validator.check_schema(schema)
        jsonschema.validate(log, schema)
        results = log["runs"][0]["results"]
        self.assertEqual(len(results), len(DEMO_FINDINGS))
        rules = log["runs"][0]["tool"]["driver"]["rules"]
        for res in results:
            self.assertEqual(rules[res["ruleIndex"]]["id"], res["ruleId"])
        # The schema is not a rubber stamp.
        bad = json.loads(r.stdout)
        bad["runs"][0]["results"][0]["level"] = "fatal"
        with self.assertRaises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)

    def test_text_grouped_by_severity(self):
        r = self.run_vpcx("check", "--demo")
        self.assertEqual(r.rc, h.EXIT_ERROR, r.describe())
        self.assertNotIn("\033", r.stdout)  # not a terminal, and NO_COLOR is set
        heads = [m.group(1) for m in re.finditer(r"^(Errors|Warnings|Info) \(\d+\)$", r.stdout,
                                                   re.M)]
        self.assertEqual(heads, ["Errors", "Warnings"])  # no info finding
        self.assertIn("2 errors, 4 warnings, 0 info", r.stdout)

    def test_fail_on_rule_skip(self):
        r, doc = self.findings("--rule", "policy-full-access")
        self.assertEqual(r.rc, h.EXIT_OK, r.describe())  # a warning only, --fail-on error
        self.assertEqual({f["RuleId"] for f in doc["Findings"]}, {"policy-full-access"})
        r, _ = self.findings("--rule", "policy-full-access", "--fail-on", "warning")
        self.assertEqual(r.rc, h.EXIT_ERROR, r.describe())
        r, doc = self.findings("--rule", "gateway-subnet-unrouted", "--fail-on", "info")
        self.assertEqual(r.rc, h.EXIT_OK, r.describe())  # every subnet routes to its gateways
        self.assertEqual(doc["Findings"], [])
        r, doc = self.findings("--skip", "sg-no-https", "--skip", "private-dns-vpc-attributes")
        self.assertEqual(r.rc, h.EXIT_OK, r.describe())
        self.assertEqual(doc["Summary"]["Error"], 0)
        r = self.run_vpcx("check", "--demo", "--rule", "no-such-rule")
        self.assertEqual(r.rc, h.EXIT_USAGE, r.describe())
        r = self.run_vpcx("check", "--demo", "--fail-on", "fatal")
        self.assertEqual(r.rc, h.EXIT_USAGE, r.describe())
        r = self.run_vpcx("dump", "--demo", "--skip", "sg-no-https")
        self.assertEqual(r.rc, h.EXIT_USAGE, r.describe())

    def test_ignore_lines(self):
        cfg = ("set mouse on\n"
               "ignore sg-no-https vpce-11cbb5606ad9a5d72 clients reach it through a proxy\n")
        r, doc = self.findings(config=cfg)
        got = {(f["RuleId"], f["ResourceId"]) for f in doc["Findings"]}
        self.assertEqual(got, DEMO_FINDINGS - {("sg-no-https", "vpce-11cbb5606ad9a5d72")})
        self.assertEqual(doc["Summary"]["Ignored"], 1)
        r, doc = self.findings("--show-ignored", config=cfg)
        ignored = [f for f in doc["Findings"] if f.get("Ignored")]
        self.assertEqual(len(ignored), 1)
        self.assertEqual(ignored[0]["IgnoreReason"], "clients reach it through a proxy")
        r = self.run_vpcx("check", "--demo", "--show-ignored", config=cfg)
        self.assertIn("Ignored: clients reach it through a proxy", r.stdout)
        r = self.run_vpcx("check", "--demo", config="ignore sg-no-https vpce-1\n")
        self.assertEqual(r.rc, h.EXIT_USAGE, r.describe())
        self.assertIn("line 1", r.stderr)

    def test_hostile_names_never_reach_the_output_raw(self):
        with open(os.path.join(SRC, "data", "demo.json"), encoding="utf-8") as f:
            doc = json.load(f)
        hostile = "\u009b31mred\u009b0m \u202eevil\u202c \x1b[2J"
        for sg in doc["SecurityGroups"]:
            if sg["GroupId"] == "sg-d6a47113618568990":  # in sg-no-https's evidence
                sg["Tags"] = [{"Key": "Name", "Value": hostile}]
        path = os.path.join(self.home.path, "hostile.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
        for fmt in ("text", "json", "sarif"):
            r = self.run_vpcx("check", "--snapshot", path, "--format", fmt)
            self.assertEqual(r.rc, h.EXIT_ERROR, r.describe())
            for bad in ("\u009b", "\u202e", "\x1b"):
                self.assertNotIn(bad, r.stdout, fmt)
            self.assertIn("evil", r.stdout, fmt)

    def test_readme_table_is_list_rules(self):
        r = self.run_vpcx("check", "--list-rules")
        self.assertEqual(r.rc, h.EXIT_OK, r.describe())
        listed = [tuple(line.split(None, 2)) for line in r.stdout.splitlines()]
        with open(os.path.join(SRC, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        section = readme.split("### Checks", 1)[1].split("\n### ", 1)[0]
        rows = re.findall(r"^\| `([a-z0-9-]+)` \| (\w+) \| (.+) \|$", section, re.M)
        self.assertEqual(rows, listed)
        self.assertEqual(len(rows), 15)

    def test_cost_demo_matches_hand_computation(self):
        r = self.run_vpcx("cost", "--demo", "--format", "json")
        self.assertEqual(r.rc, h.EXIT_OK, r.describe())
        doc = r.json()
        for v in doc["Vpcs"]:
            self.assertAlmostEqual(v["MonthlyUsd"],
                                   DEMO_COST.get(v["VpcId"], 0.0), places=6, msg=v["VpcId"])
        self.assertAlmostEqual(doc["Total"]["MonthlyUsd"], sum(DEMO_COST.values()), places=6)
        self.assertAlmostEqual(doc["Total"]["MonthlyUsd"], DEMO_TOTAL, places=6)
        self.assertTrue(doc["Total"]["PlusPerGb"])
        r = self.run_vpcx("cost", "--demo")
        self.assertIn("Total (account 123456789012, us-east-1): $153.30 a month + per-GB", r.stdout)
        self.assertIn("3 x 730 h x $0.01 = $21.90 + per-GB", r.stdout)
        self.assertIn("1 x 730 h x $0.01 = $7.30 + per-GB", r.stdout)  # ec2messages
        r = self.run_vpcx("cost", "--demo", "--format", "csv")
        rows = list(csv.DictReader(io.StringIO(r.stdout)))
        self.assertEqual(len(rows), 11)
        self.assertAlmostEqual(sum(float(x["monthly_usd"]) for x in rows), DEMO_TOTAL, places=6)

    def test_cost_override(self):
        r = self.run_vpcx("cost", "--demo", "--format", "json",
                          config="price us-east-1 interface-hour 0.02\n")
        self.assertAlmostEqual(r.json()["Total"]["MonthlyUsd"], 2 * DEMO_TOTAL, places=6)
        r = self.run_vpcx("cost", "--demo", config="price us-east-1 per-az 0.02\n")
        self.assertEqual(r.rc, h.EXIT_USAGE, r.describe())
        self.assertIn("unknown price kind 'per-az'", r.stderr)


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main()
