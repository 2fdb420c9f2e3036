#!/usr/bin/env python3
"""The explorer over several regions, headless against moto (one endpoint serving every
region, chosen by the SigV4 credential scope) behind awsproxy, which refuses one region
(deny_regions): the tree's top levels are account > region > VPC, each region row says how
its scope went (the refused one shows its error while the others load), and the filter,
:ip and :region span or change the scopes. Screens are checked by what they must hold, as
IDs of regions first touched during the run come from moto's shared random source.
Skips (77) without $VPCX_BIN."""
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
from scopeslib import EAST, WEST, HeadlessScopesCase, seed_two_regions  # noqa: E402

SEED = 11
DENIED = "ap-south-1"


class ScopesScreensTest(HeadlessScopesCase):
    moto_seed = SEED
    home_prefix = "vpcx-scopes-"
    proxy_config = {"deny_regions": {DENIED: "unauthorized"}}

    @classmethod
    def seed_moto(cls):
        cls.vpcs, cls.enis = {}, {}
        for region, ec2 in seed_two_regions(cls.moto.url, SEED).items():
            cls.vpcs[region] = {v["VpcId"]: v for v in ec2.describe_vpcs()["Vpcs"]}
            cls.enis[region] = ec2.describe_network_interfaces()["NetworkInterfaces"]

    def screen(self, keys, regions=(EAST, WEST, DENIED)):
        return self.headless(["--endpoint-url", self.proxy.url, "--regions", ",".join(regions)],
                             keys)

    def test_account_region_vpc_tree_with_denied_region(self):
        lines = self.screen(["wait", "-"])
        account = self.row(lines, r"^\s+▾ account 123456789012\b")
        east = self.row(lines, r"^\s+▾ us-east-1 \(%d VPCs\)\s+\d+[smhd] ago" % len(self.vpcs[EAST]))
        west = self.row(lines, r"^\s+▾ eu-west-1 \(%d VPCs\)\s+\d+[smhd] ago" % len(self.vpcs[WEST]))
        denied = self.row(lines, r"ap-south-1 \(0 VPCs\)\s+UnauthorizedOperation")
        self.assertLess(account, east)
        self.assertLess(east, west)
        # each region's VPCs sit under its row, one level deeper
        for region, start, end in ((EAST, east, west), (WEST, west, denied)):
            shown = {m.group(1) for line in lines[start + 1:end]
                     for m in [re.search(r"▸ (vpc-[0-9a-f]+)", line)] if m}
            self.assertEqual(shown, set(self.vpcs[region]), region)
        # the refused region has no account: it is grouped by its profile
        self.assertRegex(lines[denied - 1], r"account profile default")
        self.assertRegex(lines[-1], r"3 account-regions loaded; 1 with errors")

    def test_filter_spans_regions(self):
        lines = self.screen(["wait", "/prod-core<Enter>"])
        text = "\n".join(lines)
        for region in (EAST, WEST):
            prod = [v for v, item in self.vpcs[region].items()
                    if {"Key": "Name", "Value": "prod-core"} in item.get("Tags", [])]
            self.assertEqual(len(prod), 1, region)
            self.assertIn(prod[0], text)

    def test_ip_finds_an_eni_in_another_region(self):
        eni = next(e for e in self.enis[WEST] if e.get("PrivateIpAddress"))
        lines = self.screen(["wait", ":ip %s<Enter>" % eni["PrivateIpAddress"]])
        self.assertIn(eni["NetworkInterfaceId"], "\n".join(lines))

    def test_region_add_and_switch(self):
        lines = self.screen(["wait", ":region +eu-central-1<Enter>", "wait", "-"],
                            regions=(EAST, WEST))
        self.row(lines, r"▾ us-east-1 \(")
        self.row(lines, r"▾ eu-central-1 \(1 VPC\)")  # moto's default VPC
        self.assertRegex(lines[0], r"3 account-regions")
        lines = self.screen([":region eu-west-1<Enter>", "wait", "-"], regions=(EAST, WEST))
        self.row(lines, r"▾ eu-west-1 \(%d VPCs\)" % len(self.vpcs[WEST]))
        self.assertNotIn("us-east-1 (", "\n".join(lines))
        self.assertRegex(lines[0], r"1 account-region\b")


if __name__ == "__main__":
    if not (os.environ.get("VPCX_BIN") and os.access(os.environ["VPCX_BIN"], os.X_OK)):
        print("SKIP: VPCX_BIN unset")
        sys.exit(77)
    unittest.main(verbosity=2)
