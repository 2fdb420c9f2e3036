#!/usr/bin/env python3
"""`vpcx whoami` against moto: the account and ARN from STS, where each setting came from,
an AssumeRole chain (role_arn + source_profile, two hops) and credential_process, and never a
secret in the output. Skips (77) without $VPCX_BIN."""
import json
import os
import stat
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vpcx_harness as h  # noqa: E402

PROCESS_SECRET = "ProcessSecretNeverPrinted3"
FILE_SECRET = "FileSecretNeverPrinted4"


class WhoamiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = h.motoctl.MotoServer(seed=3)
        cls.moto.start()

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def setUp(self):
        self.home = h.CleanHome()

    def tearDown(self):
        self.home.cleanup()

    def whoami(self, args, env):
        run = h.run_vpcx(["whoami"] + args, env, timeout=60)
        for secret in (h.TEST_SECRET, PROCESS_SECRET, FILE_SECRET):
            self.assertNotIn(secret, run.output)
        return run

    def test_env_credentials_and_sources(self):
        run = self.whoami(["--format", "json", "--endpoint-url", self.moto.url,
                           "--region", h.REGION], self.home.env())
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        out = run.json()
        self.assertEqual(out["Account"], h.ACCOUNT)
        self.assertTrue(out["Arn"].startswith("arn:aws:"), out["Arn"])
        self.assertEqual(out["Region"]["Value"], h.REGION)
        self.assertEqual(out["Region"]["Source"], "flag")
        self.assertEqual(out["Ec2Endpoint"]["Value"], self.moto.url)
        self.assertEqual(out["StsEndpoint"]["Value"], self.moto.url)
        self.assertEqual(out["Credentials"]["Source"], "env")
        # Only the last four characters of the key ID are shown.
        self.assertTrue(out["Credentials"]["AccessKeyId"].endswith(h.TEST_KEY[-4:]))
        self.assertNotIn(h.TEST_KEY, out["Credentials"]["AccessKeyId"])

    def test_text_names_profile_file_and_region_origin(self):
        self.home.write("config", "[profile dev]\nregion = eu-west-1\n")
        self.home.write("credentials",
                        "[dev]\naws_access_key_id = AKIDFROMFILE\n"
                        "aws_secret_access_key = %s\n" % FILE_SECRET)
        run = self.whoami(["--profile", "dev", "--endpoint-url", self.moto.url],
                          self.home.env(key=None, secret=None))
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertIn(h.ACCOUNT, run.stdout)
        self.assertIn("eu-west-1", run.stdout)
        self.assertIn(self.home.config, run.stdout)        # where the region came from
        self.assertIn(self.home.credentials, run.stdout)   # where the keys came from
        self.assertNotIn("AKIDFROMFILE", run.stdout)

    def test_assume_role_chain_and_credential_process(self):
        script = os.path.join(self.home.path, "creds.sh")
        with open(script, "w") as f:
            f.write("#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROCESS\", "
                    "\"SecretAccessKey\": \"%s\"}'\n" % PROCESS_SECRET)
        os.chmod(script, stat.S_IRWXU)
        self.home.write("config",
                        "[profile base]\ncredential_process = %s\nregion = us-east-1\n\n"
                        "[profile hop]\nrole_arn = arn:aws:iam::%s:role/Hop\n"
                        "source_profile = base\n\n"
                        "[profile target]\nrole_arn = arn:aws:iam::%s:role/Explorer\n"
                        "source_profile = hop\nrole_session_name = vpcx-test\nregion = us-east-1\n"
                        % (script, h.ACCOUNT, h.ACCOUNT))
        run = self.whoami(["--format", "json", "--profile", "target",
                           "--endpoint-url", self.moto.url], self.home.env(key=None, secret=None))
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        out = run.json()
        # moto answers GetCallerIdentity with the assumed role's session ARN.
        self.assertIn("assumed-role/Explorer/vpcx-test", out["Arn"])
        self.assertEqual(out["Credentials"]["Source"], "assume-role")
        self.assertTrue(out["Credentials"]["SessionToken"])
        self.assertIn("Expiration", out["Credentials"])

    def test_expired_answer_reloads_role_credentials(self):
        """An expiry answer mid-dump re-runs the AssumeRole chain (on an engine of its own)
        and the dump completes."""
        self.home.write("credentials", "[base]\naws_access_key_id = AKIDBASE\n"
                        "aws_secret_access_key = %s\n" % FILE_SECRET)
        self.home.write("config", "[profile role]\nrole_arn = arn:aws:iam::%s:role/Explorer\n"
                        "source_profile = base\nregion = us-east-1\n" % h.ACCOUNT)
        faults = {"faults": {"DescribeVpcs": [{"kind": "expired", "nth": [1]}]}}
        with h.awsproxy.AwsProxy(self.moto.url, faults) as proxy:
            run = h.run_vpcx(["dump", "--profile", "role", "--endpoint-url", proxy.url,
                              "-o", os.devnull], self.home.env(key=None, secret=None))
            stats = proxy.stats()
        self.assertNotIn(FILE_SECRET, run.output)
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertEqual(stats["requests"]["DescribeVpcs"], 2)
        self.assertGreaterEqual(stats["requests"]["AssumeRole"], 1)

    def test_assume_role_answer_without_access_key_refused(self):
        """An AssumeRole answer with <AccessKeyId/> is refused by name, not signed with (a
        signing failure once freed the call under aws_client_call)."""
        self.home.write("credentials", "[base]\naws_access_key_id = AKIDBASE\n"
                        "aws_secret_access_key = %s\n" % FILE_SECRET)
        self.home.write("config", "[profile role]\nrole_arn = arn:aws:iam::%s:role/Explorer\n"
                        "source_profile = base\nregion = us-east-1\n" % h.ACCOUNT)
        faults = {"faults": {"AssumeRole": [{"kind": "blank_access_key", "always": True}]}}
        with h.awsproxy.AwsProxy(self.moto.url, faults) as proxy:
            run = self.whoami(["--profile", "role", "--endpoint-url", proxy.url],
                              self.home.env(key=None, secret=None))
            stats = proxy.stats()
        self.assertEqual(stats["faults"]["AssumeRole"]["blank_access_key"], 1)
        self.assertEqual(run.rc, h.EXIT_ERROR, run.describe())
        self.assertIn("AccessKeyId is missing, empty", run.stderr)
        self.assertNotIn("GetCallerIdentity", stats["requests"])

    def test_failing_credential_process_exit_3(self):
        script = os.path.join(self.home.path, "bad.sh")
        with open(script, "w") as f:
            f.write("#!/bin/sh\necho '{\"SecretAccessKey\": \"%s\"}'\nexit 7\n" % PROCESS_SECRET)
        os.chmod(script, stat.S_IRWXU)
        self.home.write("config", "[profile broken]\ncredential_process = %s\n" % script)
        run = self.whoami(["--profile", "broken", "--region", h.REGION,
                           "--endpoint-url", self.moto.url], self.home.env(key=None, secret=None))
        self.assertEqual(run.rc, h.EXIT_AUTH, run.describe())
        self.assertIn("credential_process", run.stderr)

    def test_credential_process_gets_no_stdin_and_its_stderr_is_quoted(self):
        """The helper reads EOF, not the user's typing; when it fails, its stderr is in the
        error, on one line, control characters and secrets removed."""
        seen = os.path.join(self.home.path, "stdin.txt")
        script = os.path.join(self.home.path, "bad.sh")
        with open(script, "w") as f:
            f.write("#!/bin/sh\n"
                    "if IFS= read -r line; then echo \"got:$line\"; else echo eof; fi > %s\n"
                    "printf 'token service: \\033[31mdenied\\033[0m\\n"
                    "{\"SessionToken\": \"%s\"}\\n' >&2\n"
                    "exit 5\n" % (seen, PROCESS_SECRET))
        os.chmod(script, stat.S_IRWXU)
        self.home.write("config", "[profile broken]\ncredential_process = %s\n" % script)
        t0 = time.monotonic()
        proc = subprocess.run([h.vpcx_bin(), "whoami", "--profile", "broken", "--region",
                               h.REGION, "--endpoint-url", self.moto.url],
                              env=self.home.env(key=None, secret=None), capture_output=True,
                              text=True, input="typed-keys\n", timeout=60)
        self.assertLess(time.monotonic() - t0, 30)
        with open(seen) as f:
            self.assertEqual(f.read().strip(), "eof")
        self.assertEqual(proc.returncode, h.EXIT_AUTH, proc.stderr)
        self.assertIn("exited with status 5", proc.stderr)
        self.assertIn("token service:", proc.stderr)
        self.assertIn("denied", proc.stderr)
        self.assertNotIn("\x1b", proc.stderr + proc.stdout)
        self.assertNotIn(PROCESS_SECRET, proc.stderr + proc.stdout)


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main()
