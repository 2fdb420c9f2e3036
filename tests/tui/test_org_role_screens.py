#!/usr/bin/env python3
"""The explorer over --org-role scopes, headless against moto's Organizations and STS (an
organization with two member accounts, a VPC seeded in each: vpcx_harness.seed_organization)
behind awsproxy, which refuses sts:AssumeRole of one member's role (deny_roles): the tree
is account > region > VPC, the refused account's region row carries its AccessDenied naming
the role while the management account and the other member load their own VPCs, and the
status line counts the scope with errors; :region +NAME adds the region to every account. Skips (77) without $VPCX_BIN."""
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("VPCX_SRCDIR", os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import vpcx_harness as h  # noqa: E402
from scopeslib import HeadlessScopesCase  # noqa: E402



class OrgRoleScreensTest(HeadlessScopesCase):
    moto_seed = 17
    home_prefix = "vpcx-org-"
    proxy_config = {}

    @classmethod
    def seed_moto(cls):
        cls.members, cls.vpcs = h.seed_organization(cls.moto.url)
        cls.denied = cls.members[1]

    @classmethod
    def ready(cls):
        cls.proxy.set_config({"deny_roles": [h.org_role_arn(cls.denied)]})

    def screen(self, keys, size="140x40"):
        return self.headless(["--endpoint-url", self.proxy.url, "--region", h.REGION,
                              "--org-role", h.ORG_ROLE], keys, size=size,
                             AWS_ACCESS_KEY_ID=h.TEST_KEY, AWS_SECRET_ACCESS_KEY=h.TEST_SECRET)

    def test_accounts_regions_vpcs_with_the_refused_role_inline(self):
        lines = self.screen(["wait", "-"])
        text = "\n".join(lines)
        accounts = {}
        for account in [h.ACCOUNT] + self.members:
            accounts[account] = self.row(lines, r"^\s+▾ account %s\b" % account)
        # each account's region row follows its account row, one level deeper
        loaded = [a for a in [h.ACCOUNT] + self.members if a != self.denied]
        order = sorted(accounts.values()) + [len(lines)]
        for account in loaded:
            start = accounts[account]
            end = order[order.index(start) + 1]
            region = self.row(lines[start:end], r"▾ us-east-1 \(%d VPCs?\)\s+\d+[smhd] ago"
                              % len(self.vpcs[account])) + start
            self.assertGreater(region, start)
            self.assertEqual(self.vpcs_between(lines, region + 1, end), self.vpcs[account],
                             account)
        # the refused member: its row says why, and holds no VPC
        start = accounts[self.denied]
        end = order[order.index(start) + 1]
        refused = self.row(lines[start:end], r"us-east-1 \(0 VPCs\)\s+AccessDenied") + start
        self.assertIn(self.denied, lines[refused])  # the role ARN names the account
        self.assertEqual(self.vpcs_between(lines, start, end), set())
        self.assertIn("3 account-regions", lines[0])
        self.assertRegex(lines[-1], r"3 account-regions loaded; 1 with errors \(first: %s"
                         % self.denied)
        for vpc in self.vpcs[self.denied]:
            self.assertNotIn(vpc, text)

    def test_region_add_covers_every_account(self):
        lines = self.screen(["wait", ":region +eu-west-1<Enter>", "wait", "-"], size="140x50")
        self.assertIn("6 account-regions", lines[0])
        accounts = sorted(self.row(lines, r"^\s+▾ account %s\b" % a)
                          for a in [h.ACCOUNT] + self.members) + [len(lines)]
        for start, end in zip(accounts, accounts[1:]):
            block = "\n".join(lines[start:end])
            self.assertRegex(block, r"us-east-1 \(")
            self.assertRegex(block, r"eu-west-1 \(")
        start = self.row(lines, r"^\s+▾ account %s\b" % self.denied)
        end = accounts[accounts.index(start) + 1]
        denied = "\n".join(lines[start:end])  # both regions of the refused account say why
        self.assertEqual(len(re.findall(r"\(0 VPCs\)\s+AccessDenied", denied)), 2)
        self.assertEqual(len(re.findall(r"AccessDenied", "\n".join(lines))), 2)

    def test_refused_row_names_the_role_in_full_when_wide(self):
        lines = self.screen(["wait", "-"], size="220x30")
        refused = self.row(lines, r"us-east-1 \(0 VPCs\)\s+AccessDenied")
        self.assertIn(h.org_role_arn(self.denied), lines[refused])
        # refreshing every scope keeps the refusal on its row and the others loaded
        lines = self.screen(["wait", "-", "r", "wait", "j"], size="220x30")
        self.assertIn(h.org_role_arn(self.denied), lines[self.row(lines, r"AccessDenied")])
        self.assertRegex(lines[-1], r"3 account-regions loaded; 1 with errors")


if __name__ == "__main__":
    if not (os.environ.get("VPCX_BIN") and os.access(os.environ["VPCX_BIN"], os.X_OK)):
        print("SKIP: VPCX_BIN unset")
        sys.exit(77)
    unittest.main(verbosity=2)
