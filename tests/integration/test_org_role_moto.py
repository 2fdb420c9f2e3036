#!/usr/bin/env python3
"""--org-role against moto's Organizations and STS: an organization with two member accounts,
a VPC seeded in each through boto3 with that account's assumed-role credentials (moto keys its
backends by the credentials' account), then `vpcx dump --org-role`: one Inventory per account
(the management account with the caller's own credentials) holding that account's VPCs. A
member whose AssumeRole awsproxy refuses (deny_roles) fails inline, naming the role ARN, while
the others load; exit 5. Skips (77) without $VPCX_BIN."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vpcx_harness as h  # noqa: E402

ROLE = h.ORG_ROLE
role_arn = h.org_role_arn


class OrgRoleMotoTest(h.MotoCase):
    moto_seed = 7
    proxy_config = {}

    @classmethod
    def seed_moto(cls):
        cls.members, cls.vpcs = h.seed_organization(cls.moto.url)

    @classmethod
    def ready(cls):
        cls.home.write("credentials", "[default]\naws_access_key_id = %s\n"
                       "aws_secret_access_key = %s\n" % (h.TEST_KEY, h.TEST_SECRET))
        cls.home.write("config", "[default]\nregion = %s\n" % h.REGION)

    def run_dump(self, url, extra=()):
        args = ["dump", "--format", "json", "--compact", "--no-cache", "--endpoint-url", url,
                "--org-role", ROLE]
        return h.run_vpcx(args + list(extra), self.home.env())

    def test_one_inventory_per_account(self):
        run = self.run_dump(self.moto.url)
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        invs = run.json()["Inventories"]
        accounts = [i["Metadata"]["Account"] for i in invs]
        self.assertEqual(sorted(accounts), sorted([h.ACCOUNT] + self.members))
        for inv in invs:
            account = inv["Metadata"]["Account"]
            self.assertEqual(inv["Errors"], [], account)
            self.assertEqual(inv["Metadata"]["Region"], h.REGION)
            self.assertEqual({v["VpcId"] for v in inv["Vpcs"]}, self.vpcs[account], account)
        # each member's VPCs are its own
        self.assertFalse(self.vpcs[self.members[0]] & self.vpcs[self.members[1]])

    def test_two_regions_per_account(self):
        run = self.run_dump(self.moto.url, ["--regions", "%s,eu-west-1" % h.REGION])
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        invs = run.json()["Inventories"]
        got = sorted((i["Metadata"]["Account"], i["Metadata"]["Region"]) for i in invs)
        want = sorted((a, r) for a in [h.ACCOUNT] + self.members for r in (h.REGION, "eu-west-1"))
        self.assertEqual(got, want)
        for inv in invs:
            if inv["Metadata"]["Region"] == "eu-west-1":  # seeded in us-east-1 only
                self.assertFalse(self.vpcs[inv["Metadata"]["Account"]] &
                                 {v["VpcId"] for v in inv["Vpcs"]})

    def test_refused_role_fails_inline(self):
        denied = role_arn(self.members[1])
        self.proxy.set_config({"deny_roles": [denied]})
        try:
            run = self.run_dump(self.proxy.url)
            stats = self.proxy.stats()
        finally:
            self.proxy.set_config({})
        self.assertEqual(run.rc, h.EXIT_PARTIAL, run.describe())
        self.assertIn(denied, stats["roles_denied"])
        invs = run.json()["Inventories"]
        self.assertEqual(len(invs), 3)
        failed = [i for i in invs if i["Errors"]]
        self.assertEqual(len(failed), 1, run.describe())
        err = failed[0]["Errors"][0]
        self.assertEqual(err["Type"], "Scope")
        self.assertIn(denied, err["Message"])
        self.assertIn("AccessDenied", run.stderr)
        self.assertEqual(failed[0].get("Vpcs", []), [])
        for inv in invs:
            if inv is not failed[0]:
                account = inv["Metadata"]["Account"]
                self.assertEqual({v["VpcId"] for v in inv["Vpcs"]}, self.vpcs[account])

    def test_org_role_excludes_profiles(self):
        run = h.run_vpcx(["dump", "--org-role", ROLE, "--profiles", "default"], self.home.env())
        self.assertEqual(run.rc, h.EXIT_USAGE, run.describe())
        self.assertIn("--org-role and --profiles", run.stderr)

    def listing_with_faults(self, faults, extra=(), **env):
        self.proxy.set_config({"faults": {"ListAccounts": faults}})
        try:
            run = h.run_vpcx(["dump", "--format", "json", "--compact", "--no-cache",
                              "--endpoint-url", self.proxy.url, "--org-role", ROLE] + list(extra),
                             self.home.env(**env))
            stats = self.proxy.stats()
        finally:
            self.proxy.set_config({})
        return run, stats

    def assert_all_accounts(self, run):
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        accounts = [i["Metadata"]["Account"] for i in run.json()["Inventories"]]
        self.assertEqual(sorted(accounts), sorted([h.ACCOUNT] + self.members))

    def test_listing_retries_throttling_then_succeeds(self):
        for mode in ("standard", "adaptive"):
            with self.subTest(mode=mode):
                run, stats = self.listing_with_faults(
                    [{"kind": "throttle", "nth": [1, 2]}], AWS_RETRY_MODE=mode)
                self.assert_all_accounts(run)
                self.assertEqual(stats["requests"]["ListAccounts"], 3)
                self.assertEqual(stats["faults"]["ListAccounts"]["throttle"], 2)

    def test_listing_retries_5xx_and_lost_connections(self):
        run, stats = self.listing_with_faults(
            [{"kind": "internal", "nth": [1]}, {"kind": "drop", "nth": [2]}])
        self.assert_all_accounts(run)
        self.assertEqual(stats["requests"]["ListAccounts"], 3)

    def test_listing_throttled_past_max_attempts(self):
        for mode, attempts in (("standard", 3), ("adaptive", 2)):
            with self.subTest(mode=mode):
                run, stats = self.listing_with_faults(
                    [{"kind": "throttle", "always": True}], AWS_RETRY_MODE=mode,
                    AWS_MAX_ATTEMPTS=str(attempts))
                self.assertNotEqual(run.rc, h.EXIT_OK, run.describe())
                self.assertEqual(stats["requests"]["ListAccounts"], attempts)
                self.assertIn("organizations:ListAccounts failed after %d attempts (%s mode)"
                              % (attempts, mode), run.stderr)
                self.assertIn("TooManyRequestsException", run.stderr)

    def test_listing_max_attempts_option(self):
        run, stats = self.listing_with_faults([{"kind": "internal", "always": True}],
                                              ["--max-attempts", "1"])
        self.assertNotEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertEqual(stats["requests"]["ListAccounts"], 1)
        self.assertIn("ListAccounts", run.stderr)
        self.assertNotIn("failed after", run.stderr)

    def test_listing_refused(self):
        self.proxy.set_config({"faults": {"ListAccounts": [{"kind": "auth", "always": True}]}})
        try:
            run = self.run_dump(self.proxy.url)
        finally:
            self.proxy.set_config({})
        self.assertNotEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertIn("ListAccounts", run.stderr)


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main()
