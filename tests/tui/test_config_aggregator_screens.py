#!/usr/bin/env python3
"""The explorer over an AWS Config aggregator (--source config-aggregator), headless:
tests/tools/configserver.py stands in for Config's SelectAggregateResourceConfig with items
built from a moto account seeded in two regions, eu-west-1's reported under another account
that no credentials reach. The tree is account > region > VPC with each region row saying
its data is from Config; showing a VPC of the caller's own account describes what Config
lacks for that scope only (the DNS attributes come from moto's DescribeVpcAttribute), while
a VPC of the unreachable account says "not from Config" instead of a false value.
Skips (77) without $VPCX_BIN."""
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
from scopeslib import EAST, WEST, HeadlessScopesCase, seed_two_regions  # noqa: E402
import configserver  # noqa: E402

SEED = 13
ME, OTHER = "123456789012", "210987654321"


class ConfigAggregatorScreensTest(HeadlessScopesCase):
    moto_seed = SEED
    home_prefix = "vpcx-cfgagg-"
    cfg = None

    @classmethod
    def seed_moto(cls):
        clients = seed_two_regions(cls.moto.url, SEED)
        cls.vpcs = {r: sorted(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"])
                    for r, ec2 in clients.items()}
        first = cls.vpcs[EAST][0]
        cls.dns = {a: clients[EAST].describe_vpc_attribute(VpcId=first, Attribute=a)
                   [a[0].upper() + a[1:]]["Value"]
                   for a in ("enableDnsSupport", "enableDnsHostnames")}
        items = configserver.items_from_moto(cls.moto.url, [EAST, WEST], accounts={WEST: OTHER})
        cls.cfg = configserver.ConfigServer(items, aggregator="org").start()

    @classmethod
    def tearDownClass(cls):
        if cls.cfg:
            cls.cfg.stop()
        super().tearDownClass()

    def screen(self, keys):
        return self.headless(["--source", "config-aggregator", "org", "--region", EAST,
                              "--endpoint-url", self.moto.url], keys,
                             AWS_ENDPOINT_URL_CONFIG_SERVICE=self.cfg.url)

    def test_account_region_vpc_tree(self):
        lines = self.screen(["wait", "-"])  # "-" folds every VPC: one row each
        self.assertIn("[config-aggregator org]", lines[0])
        me = self.row(lines, r"^\s+▾ account %s\b" % ME)
        east = self.row(lines, r"^\s+▾ us-east-1 \(%d VPCs\)\s+\d+[smhd] ago, from Config\s*│"
                        % len(self.vpcs[EAST]))
        other = self.row(lines, r"^\s+▾ account %s\b" % OTHER)
        west = self.row(lines, r"^\s+▾ eu-west-1 \(%d VPCs\)\s+\d+[smhd] ago, from Config; "
                        r"no credentials" % len(self.vpcs[WEST]))
        self.assertEqual([me, east, other, west], sorted([me, east, other, west]))
        for start, end, region in ((east, other, EAST), (west, len(lines), WEST)):
            shown = [m.group(1) for line in lines[start + 1:end]
                     for m in [re.search(r"▸ (vpc-[0-9a-f]+)", line)] if m]
            self.assertEqual(shown, self.vpcs[region], region)
        self.assertRegex(lines[-1], r"2 account-regions loaded")

    def test_own_account_vpc_is_described_on_open(self):
        # root, account, region, then the region's first VPC
        lines = self.screen(["wait", "-", "j", "j", "j", "wait"])
        self.row(lines, r"Detail\s+VPC %s" % self.vpcs[EAST][0])
        yes = {True: "yes", False: "no"}
        self.row(lines, r"│  DNS support\s+%s\s*$" % yes[self.dns["enableDnsSupport"]])
        self.row(lines, r"│  DNS hostnames\s+%s\s*$" % yes[self.dns["enableDnsHostnames"]])
        self.row(lines, r"us-east-1 \(\d+ VPCs\)\s+\d+[smhd] ago, from Config\s*│")
        # the scope of the other account was not touched
        self.row(lines, r"eu-west-1 \(\d+ VPCs\).*no credentials")

    def test_region_command_keeps_the_aggregator_scopes(self):
        lines = self.screen(["wait", ":region eu-central-1<Enter>"])
        self.assertIn(":region: the accounts and regions are those of config-aggregator org",
                      "\n".join(lines))
        self.row(lines, r"▾ us-east-1 \(%d VPCs\)" % len(self.vpcs[EAST]))

    def test_unreachable_account_says_not_from_config(self):
        down = ["j"] * (3 + len(self.vpcs[EAST]) + 2)  # past us-east-1 to eu-west-1's first VPC
        lines = self.screen(["wait", "-"] + down + ["wait"])
        self.row(lines, r"Detail\s+VPC %s" % self.vpcs[WEST][0])
        self.row(lines, r"│  DNS support\s+not from Config\s*$")
        self.row(lines, r"│  DNS hostnames\s+not from Config\s*$")


if __name__ == "__main__":
    if not (os.environ.get("VPCX_BIN") and os.access(os.environ["VPCX_BIN"], os.X_OK)):
        print("SKIP: VPCX_BIN unset")
        sys.exit(77)
    unittest.main(verbosity=2)
