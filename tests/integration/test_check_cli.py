#!/usr/bin/env python3
"""`vpcx check` and `vpcx cost` on the demo inventory, end to end.

- The demo's findings are exactly the reviewed list below, each one traced to the seed
  (tests/tools/seed_account.py, small mode): no more, no fewer.
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

# Reviewed against `vpcx --demo dump --format text` and the seed:
DEMO_FINDINGS = {
    # ec2messages (prod), ssmmessages (staging), logs (prod): one subnet each, VPCs in 3 AZs.
    ("endpoint-single-az", "vpce-11cbb5606ad9a5d72"),
    ("endpoint-single-az", "vpce-667dbdad3ef93bf96"),
    ("endpoint-single-az", "vpce-c3c27dc11431791ac"),
    # sts (prod) and ecr.api (staging) in a and b; prod-app-c-v6 and stg-c hold workloads in c.
    ("endpoint-az-gap", "vpce-4715873ba1fc0c37f"),
    ("endpoint-az-gap", "vpce-77d352d3bd1598713"),
    # prod-endpoints-a, a /28 with 2 free addresses.
    ("subnet-capacity", "subnet-b71df36b8fe8707cb"),
    # ec2messages and ssmmessages have only the *-ssh-only group; secretsmanager's https
    # group admits 10.0.0.0/8, which does not hold the shared VPC's 172.16.0.0/16.
    ("sg-no-https", "vpce-11cbb5606ad9a5d72"),
    ("sg-no-https", "vpce-62b1823c4fe9a079b"),
    ("sg-no-https", "vpce-667dbdad3ef93bf96"),
    # Every endpoint with private DNS on; all three VPCs have DNS hostnames off.
    ("private-dns-vpc-attributes", "vpce-11cbb5606ad9a5d72"),
    ("private-dns-vpc-attributes", "vpce-62b1823c4fe9a079b"),
    ("private-dns-vpc-attributes", "vpce-667dbdad3ef93bf96"),
    ("private-dns-vpc-attributes", "vpce-8c8444302e9b332a6"),
    ("private-dns-vpc-attributes", "vpce-c3c27dc11431791ac"),
    ("private-dns-vpc-attributes", "vpce-cd4e6989a506452aa"),
    # Created without a policy: AWS's default (five interface, the prod S3 gateway).
    ("policy-full-access", "vpce-11cbb5606ad9a5d72"),
    ("policy-full-access", "vpce-299d721095bf7a99a"),
    ("policy-full-access", "vpce-667dbdad3ef93bf96"),
    ("policy-full-access", "vpce-8c8444302e9b332a6"),
    ("policy-full-access", "vpce-c3c27dc11431791ac"),
    ("policy-full-access", "vpce-cd4e6989a506452aa"),
    # staging S3 is on staging-private only (stg-a uses the main table); prod DynamoDB on
    # prod-private only (prod-app-a and prod-endpoints-a use the main table).
    ("gateway-subnet-unrouted", "vpce-16610a3d9636d4d7b"),
    ("gateway-subnet-unrouted", "vpce-ad4d219061e5cca93"),
}

# Hand computation: ENIs per interface endpoint x 730 h x $0.01; gateways free.
DEMO_COST = {
    "vpc-30e24bdcd19a93686": (1 + 2 + 3) * 730 * 0.01,  # ssmmessages, ecr.api, ecr.dkr
    "vpc-a30f7741c4f5e78bd": 2 * 730 * 0.01,  # secretsmanager
    "vpc-a544ff1e02cee8941": (1 + 2 + 1 + 3) * 730 * 0.01,  # ec2messages, sts, logs, ssm
}


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
        self.assertEqual(doc["Summary"], {"Error": 9, "Warning": 10, "Info": 4, "Ignored": 0})

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
        self.assertEqual(heads, ["Errors", "Warnings", "Info"])
        self.assertIn("9 errors, 10 warnings, 4 info", r.stdout)

    def test_fail_on_rule_skip(self):
        r, doc = self.findings("--rule", "gateway-subnet-unrouted")
        self.assertEqual(r.rc, h.EXIT_OK, r.describe())  # info only, --fail-on error
        self.assertEqual({f["RuleId"] for f in doc["Findings"]}, {"gateway-subnet-unrouted"})
        r, _ = self.findings("--rule", "gateway-subnet-unrouted", "--fail-on", "info")
        self.assertEqual(r.rc, h.EXIT_ERROR, r.describe())
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
               "ignore sg-no-https vpce-62b1823c4fe9a079b clients reach it through a proxy\n")
        r, doc = self.findings(config=cfg)
        got = {(f["RuleId"], f["ResourceId"]) for f in doc["Findings"]}
        self.assertEqual(got, DEMO_FINDINGS - {("sg-no-https", "vpce-62b1823c4fe9a079b")})
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
        self.assertEqual(len(rows), 14)

    def test_cost_demo_matches_hand_computation(self):
        r = self.run_vpcx("cost", "--demo", "--format", "json")
        self.assertEqual(r.rc, h.EXIT_OK, r.describe())
        doc = r.json()
        for v in doc["Vpcs"]:
            self.assertAlmostEqual(v["MonthlyUsd"],
                                   DEMO_COST.get(v["VpcId"], 0.0), places=6, msg=v["VpcId"])
        self.assertAlmostEqual(doc["Total"]["MonthlyUsd"], sum(DEMO_COST.values()), places=6)
        self.assertAlmostEqual(doc["Total"]["MonthlyUsd"], 109.50, places=6)
        self.assertTrue(doc["Total"]["PlusPerGb"])
        r = self.run_vpcx("cost", "--demo")
        self.assertIn("Total (account 123456789012, us-east-1): $109.50 a month + per-GB", r.stdout)
        self.assertIn("3 x 730 h x $0.01 = $21.90 + per-GB", r.stdout)
        r = self.run_vpcx("cost", "--demo", "--format", "csv")
        rows = list(csv.DictReader(io.StringIO(r.stdout)))
        self.assertEqual(len(rows), 11)
        self.assertAlmostEqual(sum(float(x["monthly_usd"]) for x in rows), 109.50, places=6)

    def test_cost_override(self):
        r = self.run_vpcx("cost", "--demo", "--format", "json",
                          config="price us-east-1 interface-hour 0.02\n")
        self.assertAlmostEqual(r.json()["Total"]["MonthlyUsd"], 219.00, places=6)
        r = self.run_vpcx("cost", "--demo", config="price us-east-1 per-az 0.02\n")
        self.assertEqual(r.rc, h.EXIT_USAGE, r.describe())
        self.assertIn("unknown price kind 'per-az'", r.stderr)


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main()
