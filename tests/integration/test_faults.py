#!/usr/bin/env python3
"""vpcx dump through awsproxy with each fault kind. A transient fault (fewer failures than
vpcx's 3 attempts) must be retried away: exit 0 and output identical to the clean dump. A
persistent fault on one action must give exit 5 with exactly that type in Errors and every
other type identical. Skips (77) without $VPCX_BIN.

Expectations follow docs/ec2-api.md section 5 (standard mode, 3 attempts: retry throttles,
HTTP 5xx whatever the body, connection errors; RequestExpired: re-sign and retry once).
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vpcx_harness as h  # noqa: E402

PAGING = {"enabled": True, "cap": 50}
FAULT_ACTION = "DescribeSubnets"
FAULT_TYPE = "Subnets"
PERSISTENT_CODES = {"throttle": "RequestLimitExceeded", "internal": "InternalError",
                    "expired": "RequestExpired"}


class FaultsTest(h.MotoCase):
    moto_seed = 11
    proxy_config = {"paging": PAGING}

    @classmethod
    def seed_moto(cls):
        h.seed_account.seed(cls.moto.url, h.REGION, "small", moto_seed=11)
        cls.reference = h.reference_inventory(cls.moto.url)

    @classmethod
    def ready(cls):
        cls.clean = h.dump(cls.proxy.url, cls.home.env())

    def clean_json(self):
        self.assertEqual(self.clean.rc, h.EXIT_OK, self.clean.describe())
        return self.clean.json()

    def run_with(self, faults=None, rate_limit=None, **env):
        self.proxy.set_config({"paging": PAGING, "faults": faults or {},
                               "rate_limit": rate_limit or {}})
        run = h.dump(self.proxy.url, self.home.env(**env), timeout=180)
        return run, self.proxy.stats()

    def assert_identical_to_clean(self, run, label):
        self.assertEqual(run.rc, h.EXIT_OK, "%s: %s" % (label, run.describe()))
        out = run.json()
        clean = self.clean_json()
        self.assertEqual(out["Errors"], [], label)
        h.assert_same_data(self, out, clean, label=label)
        self.assertEqual(out["Derived"], clean["Derived"], label)

    def assert_partial(self, run, label, code=None):
        self.assertEqual(run.rc, h.EXIT_PARTIAL, "%s: %s" % (label, run.describe()))
        out = run.json()
        errors = out["Errors"]
        self.assertEqual([e.get("Type") for e in errors], [FAULT_TYPE], label)
        if code:
            self.assertEqual(errors[0].get("Code"), code, label)
        self.assertTrue(errors[0].get("Message"), label)
        # Items reach the inventory as they are parsed: a page cut short may leave the
        # items that arrived whole, each exactly as in the clean dump, never a broken one.
        clean = self.clean_json()[FAULT_TYPE]
        for item in out[FAULT_TYPE]:
            self.assertIn(item, clean, label)
        others = [t for t in h.DATA_SECTIONS if t != FAULT_TYPE]
        h.assert_same_data(self, out, self.clean_json(), types=others, label=label)

    # ---- baseline ----
    def test_clean_dump_matches_boto(self):
        out = self.clean_json()
        self.assertEqual(out["Errors"], [])
        h.assert_same_data(self, out, self.reference, label="clean dump through the proxy")

    # ---- transient: must be retried away ----
    def test_transient_faults_recover(self):
        cases = [("throttle", [1, 2]), ("internal", [1]), ("drop", [1]), ("truncate", [1]),
                 ("html500", [1]), ("expired", [1])]
        for kind, nth in cases:
            with self.subTest(kind=kind):
                run, stats = self.run_with({FAULT_ACTION: [{"kind": kind, "nth": nth}]})
                self.assert_identical_to_clean(run, "transient %s" % kind)
                self.assertEqual(stats["faults"][FAULT_ACTION][kind], len(nth))
                self.assertEqual(stats["requests"][FAULT_ACTION], len(nth) + 1,
                                 "%s: one retry per fault, no more" % kind)

    def test_slow_body_is_waited_for(self):
        rule = {"kind": "slow", "nth": [1], "chunk": 256, "delay": 0.05}
        run, stats = self.run_with({FAULT_ACTION: [rule]})
        self.assert_identical_to_clean(run, "slow body")
        self.assertEqual(stats["requests"][FAULT_ACTION], 1, "a slow answer is not a failure")

    def test_throttle_in_the_middle_of_a_page_chain(self):
        rule = {"kind": "throttle", "nth": [3, 4]}
        run, stats = self.run_with({"DescribeNetworkInterfaces": [rule]})
        self.assert_identical_to_clean(run, "throttled ENI page 3")
        action = "DescribeNetworkInterfaces"
        self.assertEqual(stats["final_pages"][action], 1)
        self.assertEqual(stats["requests"][action], stats["pages"][action] + 2)

    def test_malformed_body_retried_or_reported(self):
        run, _ = self.run_with({FAULT_ACTION: [{"kind": "malformed", "nth": [1]}]})
        if run.rc == h.EXIT_OK:
            self.assert_identical_to_clean(run, "malformed once, retried")
        else:
            self.assert_partial(run, "malformed once, reported")

    def test_token_bucket_with_more_attempts(self):
        limit = {"DescribeNetworkInterfaces": {"rate": 5, "burst": 1}}
        run, stats = self.run_with(rate_limit=limit, AWS_MAX_ATTEMPTS="6")
        self.assert_identical_to_clean(run, "token bucket 5/s")
        self.assertGreater(stats["faults"]["DescribeNetworkInterfaces"]["rate_limit"], 0)

    # ---- persistent on one action: exit 5, exactly that type ----
    def test_persistent_faults_are_partial(self):
        for kind in ("throttle", "internal", "drop", "truncate", "malformed", "html500",
                     "expired"):
            with self.subTest(kind=kind):
                run, stats = self.run_with({FAULT_ACTION: [{"kind": kind, "always": True}]})
                self.assert_partial(run, "persistent %s" % kind, PERSISTENT_CODES.get(kind))
                self.assertLessEqual(stats["requests"][FAULT_ACTION], 3,
                                     "%s: more than 3 attempts" % kind)

    # ---- everything fails ----
    def test_all_throttled_is_unreachable(self):
        run, _ = self.run_with({"*": [{"kind": "throttle", "always": True}]})
        self.assertEqual(run.rc, h.EXIT_UNREACHABLE, run.describe())
        self.assertIn("RequestLimitExceeded", run.stderr)

    def test_all_dropped_is_unreachable(self):
        run, _ = self.run_with({"*": [{"kind": "drop", "always": True}]})
        self.assertEqual(run.rc, h.EXIT_UNREACHABLE, run.describe())

    def test_all_auth_failure_is_exit_3(self):
        run, stats = self.run_with({"*": [{"kind": "auth", "always": True}]})
        self.assertEqual(run.rc, h.EXIT_AUTH, run.describe())
        self.assertIn("AuthFailure", run.stderr)
        self.assertNotIn(h.TEST_SECRET, run.output)
        for action, count in stats["requests"].items():
            self.assertEqual(count, 1, "%s: AuthFailure must not be retried" % action)


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main()
