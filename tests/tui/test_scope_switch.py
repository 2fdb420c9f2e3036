#!/usr/bin/env python3
""":region and :profile in an explorer started on one account and region, headless against
moto (one endpoint serving every region, chosen by the SigV4 credential scope): a switch
shows the new scope alone, as one scope shows (no account > region levels); an add turns
the tree into account > region > VPC with both; an unknown region or profile says so and
leaves the screen as it was. Screens are checked by what they must hold, as IDs of regions
first touched during the run come from moto's shared random source.
Skips (77) without $VPCX_BIN."""
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
from scopeslib import EAST, WEST, HeadlessScopesCase, seed_two_regions  # noqa: E402

SEED = 23


class ScopeSwitchTest(HeadlessScopesCase):
    moto_seed = SEED
    home_prefix = "vpcx-switch-"

    @classmethod
    def seed_moto(cls):
        cls.vpcs = {r: {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
                    for r, ec2 in seed_two_regions(cls.moto.url, SEED).items()}
        aws = os.path.join(cls.home.name, "aws")
        os.makedirs(aws)
        cls.config = os.path.join(aws, "config")
        cls.creds = os.path.join(aws, "credentials")
        with open(cls.config, "w") as f:
            f.write("[profile west]\nregion = %s\n" % WEST)
        with open(cls.creds, "w") as f:
            f.write("[west]\naws_access_key_id = testing\n"
                    "aws_secret_access_key = testing\n")

    def screen(self, keys):
        return self.headless(["--endpoint-url", self.moto.url, "--region", EAST, "--no-cache"],
                             keys, AWS_CONFIG_FILE=self.config,
                             AWS_SHARED_CREDENTIALS_FILE=self.creds)

    def test_region_switch_shows_the_new_region_alone(self):
        lines = self.screen(["wait", ":region %s<Enter>" % WEST, "wait", "-"])
        self.assertEqual(self.vpcs_between(lines), self.vpcs[WEST])
        self.assertRegex(lines[0], r"account 123456789012\s+region eu-west-1")
        text = "\n".join(lines)
        self.assertNotIn("account-region", lines[0])
        self.assertNotIn("▾ eu-west-1 (", text)  # one scope: no region level
        self.assertRegex(lines[-1], r"\d+[smhd] ago")

    def test_region_add_groups_account_region_vpc(self):
        lines = self.screen(["wait", ":region +%s<Enter>" % WEST, "wait", "-"])
        account = self.row(lines, r"^\s+▾ account 123456789012\b")
        east = self.row(lines, r"▾ us-east-1 \(%d VPCs\)" % len(self.vpcs[EAST]))
        west = self.row(lines, r"▾ eu-west-1 \(%d VPCs\)" % len(self.vpcs[WEST]))
        self.assertLess(account, east)
        self.assertLess(east, west)
        self.assertEqual({m.group(1) for line in lines[east:west]
                          for m in [re.search(r"▸ (vpc-[0-9a-f]+)", line)] if m},
                         self.vpcs[EAST])
        self.assertEqual({m.group(1) for line in lines[west:]
                          for m in [re.search(r"▸ (vpc-[0-9a-f]+)", line)] if m},
                         self.vpcs[WEST])
        self.assertRegex(lines[0], r"2 account-regions")
        self.assertRegex(lines[-1], r"2 account-regions loaded")

    def test_switch_then_add_then_switch_back(self):
        lines = self.screen(["wait", ":region %s<Enter>" % WEST, "wait",
                             ":region +%s<Enter>" % EAST, "wait",
                             ":region %s<Enter>" % EAST, "wait", "-"])
        self.assertEqual(self.vpcs_between(lines), self.vpcs[EAST])
        self.row(lines, r"▾ us-east-1 \(")  # once grouped, a switch stays grouped
        self.assertNotIn("eu-west-1", "\n".join(lines))

    def test_profile_switch_takes_the_profiles_region(self):
        # --region pins the region of a profile switch, as `vpcx --profile west --region
        # us-east-1` would
        lines = self.screen(["wait", ":profile west<Enter>", "wait", "-"])
        self.assertEqual(self.vpcs_between(lines), self.vpcs[EAST])
        self.assertRegex(lines[0], r"region us-east-1\s+profile west")

    def test_unknown_region_and_profile_are_refused(self):
        lines = self.screen(["wait", "-", ":region mars-north-1<Enter>"])
        self.assertRegex(lines[-1], r"unknown region 'mars-north-1'")
        self.assertEqual(self.vpcs_between(lines), self.vpcs[EAST])  # still the first scope
        self.assertRegex(lines[0], r"account 123456789012\s+region us-east-1")
        lines = self.screen(["wait", "-", ":profile nosuch<Enter>"])
        self.assertRegex(lines[-1], r"nosuch")
        self.assertRegex(lines[-1], r"(?i)profile")
        self.assertEqual(self.vpcs_between(lines), self.vpcs[EAST])
        lines = self.screen(["wait", ":region +<Enter>"])
        self.assertRegex(lines[-1], r"usage: :region NAME")

    def test_saved_inventory_has_nothing_to_switch_to(self):
        lines = self.headless(["--demo"], [":region %s<Enter>" % WEST], size="120x30")
        self.assertRegex(lines[-1], r"demo: a saved inventory has no other regions")
        self.assertNotIn("account-region", lines[0])


if __name__ == "__main__":
    if not (os.environ.get("VPCX_BIN") and os.access(os.environ["VPCX_BIN"], os.X_OK)):
        print("SKIP: VPCX_BIN unset")
        sys.exit(77)
    unittest.main(verbosity=2)
