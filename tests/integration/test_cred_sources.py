#!/usr/bin/env python3
"""Credentials fetched over HTTP: instance roles (IMDSv2, the v1 fallback, v1 disabled),
container credentials (RELATIVE_URI, FULL_URI with a token file, a refused URL, a wrong
token) and web identity (STS AssumeRoleWithWebIdentity on moto). `vpcx whoami` names each
source and its expiry, `vpcx dump` works with it, and no key, session token, authorization
token or web identity token appears in any output or in any file vpcx wrote under HOME.
The metadata services are the stand-ins in tests/tools. Skips (77) without $VPCX_BIN."""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vpcx_harness as h  # noqa: E402

IMDS_SECRET = "ImdsSecretNeverShown7"
IMDS_TOKEN = "ImdsSessionTokenNeverShown7"
CTR_SECRET = "ContainerSecretNeverShown8"
CTR_TOKEN = "ContainerSessionTokenNeverShown8"
AUTH_TOKEN = "ContainerAuthTokenNeverShown9"
WEB_TOKEN = "eyJWebIdentityTokenNeverShown.payload.sig"
SECRETS = (IMDS_SECRET, IMDS_TOKEN, CTR_SECRET, CTR_TOKEN, AUTH_TOKEN, WEB_TOKEN)


class StandIn:
    """One of tests/tools' stand-ins as a child; stopped by its own pid."""

    def __init__(self, script, *args):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(h.TOOLS, script)] + list(args),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())
        self.url = "http://127.0.0.1:%d" % self.port

    def stop(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


class CredSourcesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = h.motoctl.MotoServer(seed=3)
        cls.moto.start()

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def setUp(self):
        self.home = h.CleanHome()
        self.servers = []
        self.own_files = {"token", "ctr-token", "imds.log", "ctr.log"}

    def tearDown(self):
        for s in self.servers:
            s.stop()
        self.home.cleanup()

    def standin(self, script, *args):
        s = StandIn(script, *args)
        self.servers.append(s)
        return s

    def assert_no_secret(self, run):
        for secret in SECRETS:
            self.assertNotIn(secret, run.output)
        for root, _, files in os.walk(self.home.path):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    data = f.read()
                if name in self.own_files:
                    continue  # token files and logs the test wrote itself
                for secret in SECRETS:
                    self.assertNotIn(secret.encode(), data, os.path.join(root, name))

    def run_vpcx(self, args, env):
        run = h.run_vpcx(args + ["--endpoint-url", self.moto.url, "--region", h.REGION], env,
                         timeout=120)
        self.assert_no_secret(run)
        return run

    def imds_env(self, imds, **extra):
        env = self.home.env(key=None, secret=None, **extra)
        del env["AWS_EC2_METADATA_DISABLED"]
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.url
        return env

    # ---- instance metadata ----

    def test_imds_v2_whoami_and_dump(self):
        log = os.path.join(self.home.path, "imds.log")
        # 5 h 12 min and 30 s: the whole minutes left stay 5 h 12 min for 30 s
        imds = self.standin("imds_standin.py", "--v2-only", "--secret", IMDS_SECRET,
                            "--session-token", IMDS_TOKEN, "--log", log,
                            "--expires-in", str(5 * 3600 + 12 * 60 + 30))
        run = self.run_vpcx(["whoami"], self.imds_env(imds))
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertIn("instance role web-bastion (IMDSv2), expires in 5 h 12 min", run.stdout)
        with open(log) as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0], "PUT /latest/api/token token=no")
        self.assertTrue(all(l.endswith("token=yes") for l in lines[1:]), lines)
        run = self.run_vpcx(["dump", "--format", "json"], self.imds_env(imds))
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        h.assert_dump_shape(self, run.json())

    def test_imds_falls_back_to_v1(self):
        imds = self.standin("imds_standin.py", "--no-token", "--secret", IMDS_SECRET,
                            "--session-token", IMDS_TOKEN)
        run = self.run_vpcx(["whoami"], self.imds_env(imds))
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertIn("instance role web-bastion (IMDSv1)", run.stdout)

    def test_imds_v1_disabled_refuses_fallback(self):
        imds = self.standin("imds_standin.py", "--no-token", "--secret", IMDS_SECRET)
        run = self.run_vpcx(["whoami"],
                            self.imds_env(imds, AWS_EC2_METADATA_V1_DISABLED="true"))
        self.assertEqual(run.rc, h.EXIT_AUTH, run.describe())
        self.assertIn("IMDSv1 is disabled", run.stderr)

    def test_imds_without_role_is_no_credentials(self):
        imds = self.standin("imds_standin.py", "--no-role")
        run = self.run_vpcx(["whoami"], self.imds_env(imds))
        self.assertEqual(run.rc, h.EXIT_AUTH, run.describe())
        self.assertIn("no IAM role is attached", run.stderr)

    def test_region_from_imds_when_none_is_configured(self):
        imds = self.standin("imds_standin.py", "--region", "eu-west-1", "--secret", IMDS_SECRET,
                            "--session-token", IMDS_TOKEN)
        run = h.run_vpcx(["whoami", "--endpoint-url", self.moto.url], self.imds_env(imds),
                         timeout=120)
        self.assert_no_secret(run)
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertIn("eu-west-1  (instance metadata placement/region)", run.stdout)
        # no instance metadata either: the usual error, with the reason in the hint
        env = self.home.env(AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:%d"
                            % h.refused_port())
        del env["AWS_EC2_METADATA_DISABLED"]
        run = h.run_vpcx(["whoami", "--endpoint-url", self.moto.url], env, timeout=120)
        self.assertEqual(run.rc, h.EXIT_USAGE, run.describe())
        self.assertIn("no region", run.stderr)
        self.assertIn("the instance metadata had none", run.stderr)

    def explorer_header(self, env):
        keys = os.path.join(self.home.path, "quit.keys")
        with open(keys, "w") as f:
            f.write("wait\n")
        run = h.run_vpcx(["--endpoint-url", self.moto.url, "--region", h.REGION, "--no-cache",
                          "--headless", "160x20", "--keys", keys, "--screen-out", "-"], env,
                         timeout=120)
        self.assert_no_secret(run)
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        return run.stdout.splitlines()[0]

    def test_explorer_header_shows_a_near_expiry_only(self):
        soon = self.standin("imds_standin.py", "--expires-in", str(12 * 60 + 30), "--secret",
                            IMDS_SECRET, "--session-token", IMDS_TOKEN)
        env = self.imds_env(soon, XDG_CONFIG_HOME=os.path.join(self.home.path, "xdg"),
                            XDG_CACHE_HOME=os.path.join(self.home.path, "cache"))
        self.assertIn("credentials expire in 12 min", self.explorer_header(env))
        later = self.standin("imds_standin.py", "--secret", IMDS_SECRET, "--session-token",
                             IMDS_TOKEN)
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = later.url
        self.assertNotIn("expire", self.explorer_header(env))

    # ---- container ----

    def test_container_relative_uri(self):
        ctr = self.standin("container_standin.py", "--secret", CTR_SECRET,
                           "--session-token", CTR_TOKEN)
        env = self.home.env(key=None, secret=None,
                            AWS_CONTAINER_CREDENTIALS_RELATIVE_URI="/v2/credentials/task-1",
                            VPCX_CONTAINER_CREDENTIALS_BASE=ctr.url)
        run = self.run_vpcx(["whoami"], env)
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertIn("container credentials %s/v2/credentials/task-1, expires in" % ctr.url,
                      run.stdout)

    def test_container_full_uri_token_file_read_each_time(self):
        token_file = os.path.join(self.home.path, "ctr-token")
        with open(token_file, "w") as f:
            f.write(AUTH_TOKEN + "\n")
        log = os.path.join(self.home.path, "ctr.log")
        ctr = self.standin("container_standin.py", "--token-file", token_file, "--secret",
                           CTR_SECRET, "--session-token", CTR_TOKEN, "--log", log)
        env = self.home.env(key=None, secret=None,
                            AWS_CONTAINER_CREDENTIALS_FULL_URI=ctr.url + "/creds",
                            AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=token_file,
                            AWS_CONTAINER_AUTHORIZATION_TOKEN="stale-env-token")
        run = self.run_vpcx(["dump", "--format", "json"], env)
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        with open(token_file, "w") as f:
            f.write("rotated-token-2\n")
        run = self.run_vpcx(["whoami"], env)
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        with open(log) as f:
            self.assertEqual(f.read().splitlines(), ["GET /creds auth=ok"] * 2)

    def test_container_wrong_token_and_refused_url(self):
        ctr = self.standin("container_standin.py", "--token", AUTH_TOKEN)
        env = self.home.env(key=None, secret=None,
                            AWS_CONTAINER_CREDENTIALS_FULL_URI=ctr.url + "/creds",
                            AWS_CONTAINER_AUTHORIZATION_TOKEN="wrong")
        run = self.run_vpcx(["whoami"], env)
        self.assertEqual(run.rc, h.EXIT_AUTH, run.describe())
        self.assertIn("HTTP 401", run.stderr)
        env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://192.0.2.7/creds"
        run = self.run_vpcx(["whoami"], env)
        self.assertEqual(run.rc, h.EXIT_USAGE, run.describe())
        self.assertIn("is not allowed", run.stderr)

    # ---- web identity ----

    def test_web_identity_env_and_profile(self):
        token = os.path.join(self.home.path, "token")
        with open(token, "w") as f:
            f.write(WEB_TOKEN)
        role = "arn:aws:iam::%s:role/ci-deploy" % h.ACCOUNT
        env = self.home.env(key=None, secret=None, AWS_WEB_IDENTITY_TOKEN_FILE=token,
                            AWS_ROLE_ARN=role, AWS_ROLE_SESSION_NAME="ci-run-42")
        run = self.run_vpcx(["whoami", "--format", "json"], env)
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        out = run.json()
        self.assertEqual(out["Credentials"]["Source"], "web-identity")
        self.assertIn("web identity %s" % role, out["Credentials"]["Origin"])
        self.assertIn("ci-run-42", out["Arn"])
        self.home.write("config", "[profile ci]\nweb_identity_token_file = %s\n"
                                  "role_arn = %s\n" % (token, role))
        run = self.run_vpcx(["whoami", "--profile", "ci"], self.home.env(key=None, secret=None))
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertIn("web identity %s (token file %s), expires in" % (role, token), run.stdout)
        run = self.run_vpcx(["dump", "--format", "json", "--profile", "ci"],
                            self.home.env(key=None, secret=None))
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main(verbosity=2)
