#!/usr/bin/env python3
"""Start-up errors and their exit codes: unknown profile (2, names it), no region (2),
refused endpoint (4, quickly), no credentials (3). No moto needed: every case must fail
before or at the first connection. Skips (77) without $VPCX_BIN."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vpcx_harness as h  # noqa: E402

CONFIG = "[default]\nregion = us-east-1\n\n[profile real]\nregion = eu-west-1\n"
CREDENTIALS = "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = %s\n" \
              "[real]\naws_access_key_id = AKIDREAL\naws_secret_access_key = %s\n" % (
                  "DefaultSecretNeverPrinted1", "RealSecretNeverPrinted2")
SECRETS = ("DefaultSecretNeverPrinted1", "RealSecretNeverPrinted2", h.TEST_SECRET)


class ErrorsTest(unittest.TestCase):
    def setUp(self):
        self.home = h.CleanHome()
        self.dead_url = "http://127.0.0.1:%d" % h.refused_port()

    def tearDown(self):
        self.home.cleanup()

    def assert_no_secret(self, run):
        for secret in SECRETS:
            self.assertNotIn(secret, run.output)

    def vpcx(self, args, env, timeout=60):
        run = h.run_vpcx(args, env, timeout=timeout)
        self.assert_no_secret(run)
        return run

    def test_unknown_profile_exit_2_names_it(self):
        self.home.write("config", CONFIG)
        self.home.write("credentials", CREDENTIALS)
        run = self.vpcx(["dump", "--format", "json", "--profile", "no-such-profile-x7",
                         "--region", h.REGION, "--endpoint-url", self.dead_url],
                        self.home.env(key=None, secret=None))
        self.assertEqual(run.rc, h.EXIT_USAGE, run.describe())
        self.assertIn("no-such-profile-x7", run.stderr)
        self.assertEqual(run.stdout.strip(), "")

    def test_unknown_profile_from_env_exit_2(self):
        self.home.write("config", CONFIG)
        run = self.vpcx(["dump", "--format", "json", "--region", h.REGION,
                         "--endpoint-url", self.dead_url],
                        self.home.env(key=None, secret=None, AWS_PROFILE="env-missing-q3"))
        self.assertEqual(run.rc, h.EXIT_USAGE, run.describe())
        self.assertIn("env-missing-q3", run.stderr)

    def test_missing_region_exit_2(self):
        run = self.vpcx(["dump", "--format", "json", "--endpoint-url", self.dead_url],
                        self.home.env())
        self.assertEqual(run.rc, h.EXIT_USAGE, run.describe())
        self.assertIn("region", run.stderr.lower())
        self.assertEqual(run.stdout.strip(), "")

    def test_region_from_profile_is_enough(self):
        # Same setup with a region in the config: gets past the region check to the network.
        self.home.write("config", CONFIG)
        run = self.vpcx(["dump", "--format", "json", "--endpoint-url", self.dead_url],
                        self.home.env())
        self.assertEqual(run.rc, h.EXIT_UNREACHABLE, run.describe())

    def test_refused_endpoint_exit_4_quickly(self):
        run = self.vpcx(["dump", "--format", "json", "--region", h.REGION,
                         "--endpoint-url", self.dead_url], self.home.env(), timeout=60)
        self.assertEqual(run.rc, h.EXIT_UNREACHABLE, run.describe())
        self.assertLess(run.seconds, 20, "a refused port must fail fast (retries included)")
        self.assertIn(self.dead_url.rsplit(":", 1)[1], run.stderr)

    def test_no_credentials_exit_3(self):
        run = self.vpcx(["dump", "--format", "json", "--region", h.REGION,
                         "--endpoint-url", self.dead_url],
                        self.home.env(key=None, secret=None), timeout=60)
        self.assertEqual(run.rc, h.EXIT_AUTH, run.describe())
        self.assertIn("credential", run.stderr.lower())
        self.assertLess(run.seconds, 20, "no hang on metadata endpoints")

    def test_unknown_option_exit_2(self):
        run = self.vpcx(["dump", "--no-such-option-zz"], self.home.env())
        self.assertEqual(run.rc, h.EXIT_USAGE, run.describe())
        self.assertIn("--no-such-option-zz", run.stderr)


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main()
