#!/usr/bin/env python3
"""IAM Identity Center and `aws login` sessions end to end: `vpcx whoami` and `vpcx dump`
against moto (EC2, STS) with the role credentials a local SSO stand-in
(tests/tools/sso_standin.py) hands out for the CLI's cached token: a valid token, an expired
one refreshed through SSO-OIDC (and the cache written back as the CLI does), a missing or
unrefreshable one (exit 3, "aws sso login"), and a console session's cache. No token, secret
or refresh token may appear in any output, and only the token cache may hold one. Skips (77)
without $VPCX_BIN."""
import hashlib
import json
import os
import stat
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vpcx_harness as h  # noqa: E402
import sso_standin  # noqa: E402  (tests/tools is on the path through the harness)

ACCOUNT = "111122223333"
ROLE = "ReadOnly"
VALID_TOKEN = "ValidAccessTokenNeverPrinted1"
EXPIRED_TOKEN = "ExpiredAccessTokenNeverPrinted2"
REFRESH_TOKEN = "RefreshTokenNeverPrinted3"
CLIENT_SECRET = "ClientSecretNeverPrinted4"
ROLE_SECRET = "RoleSecretNeverPrinted5"
ROLE_SESSION = "RoleSessionTokenNeverPrinted6"
LOGIN_SECRET = "LoginSecretNeverPrinted7"
LOGIN_SESSION = "LoginSessionTokenNeverPrinted8"
LOGIN_REFRESH = "LoginRefreshNeverPrinted9"
SALT = "SaltNeverPrinted0"
LOGIN_NEW_SECRET = "LoginNewSecretNeverPrinted10"
LOGIN_NEW_SESSION = "LoginNewSessionNeverPrinted11"
SECRETS = (VALID_TOKEN, EXPIRED_TOKEN, REFRESH_TOKEN, CLIENT_SECRET, ROLE_SECRET, ROLE_SESSION,
           LOGIN_SECRET, LOGIN_SESSION, LOGIN_REFRESH, SALT, LOGIN_NEW_SECRET, LOGIN_NEW_SESSION)


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class SsoTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = h.motoctl.MotoServer(seed=3)
        cls.moto.start()

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def setUp(self):
        self.home = h.CleanHome()
        self.cfgdir = tempfile.TemporaryDirectory(prefix="vpcx-sso-")
        cfg = os.path.join(self.cfgdir.name, "standin.json")
        with open(cfg, "w") as f:
            json.dump({"tokens": [VALID_TOKEN], "client_id": "client-1",
                       "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN,
                       "assignments": [[ACCOUNT, ROLE]], "lifetime": 3120,
                       "token_salt": SALT,
                       "role_credentials": {"accessKeyId": "ASIASSOSTANDIN1234",
                                            "secretAccessKey": ROLE_SECRET,
                                            "sessionToken": ROLE_SESSION},
                       "login_client_id": "arn:aws:signin:::devtools/same-device",
                       "login_refresh_token": LOGIN_REFRESH,
                       "login_credentials": {"accessKeyId": "ASIALOGINREFRESHED",
                                             "secretAccessKey": LOGIN_NEW_SECRET,
                                             "sessionToken": LOGIN_NEW_SESSION}}, f)
        self.standin = sso_standin.Standin(cfg).start()
        self.cache = os.path.join(self.home.path, ".aws", "sso", "cache")
        os.makedirs(self.cache)
        self.home.write("config",
                        "[profile corp]\nsso_session = corp\nsso_account_id = %s\n"
                        "sso_role_name = %s\nregion = us-east-1\n"
                        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
                        "sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n"
                        "[profile legacy]\nsso_start_url = https://legacy.awsapps.com/start\n"
                        "sso_region = eu-west-1\nsso_account_id = %s\nsso_role_name = %s\n"
                        "region = us-east-1\n"
                        "[profile console]\nlogin_session = arn:aws:iam::%s:user/me\n"
                        "region = us-east-1\n" % (ACCOUNT, ROLE, ACCOUNT, ROLE, ACCOUNT))

    def tearDown(self):
        self.standin.stop()
        self.cfgdir.cleanup()
        self.home.cleanup()

    def token_file(self, name):
        return os.path.join(self.cache, hashlib.sha1(name.encode()).hexdigest() + ".json")

    def write_token(self, name, token, expires, **extra):
        doc = {"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1",
               "accessToken": token, "expiresAt": iso(expires)}
        doc.update(extra)
        with open(self.token_file(name), "w") as f:
            json.dump(doc, f)
        os.chmod(self.token_file(name), 0o600)

    def env(self, **extra):
        return self.home.env(key=None, secret=None, AWS_ENDPOINT_URL_SSO=self.standin.url,
                             AWS_ENDPOINT_URL_SSO_OIDC=self.standin.url,
                             AWS_ENDPOINT_URL_SIGNIN=self.standin.url,
                             AWS_ENDPOINT_URL_EC2=self.moto.url,
                             AWS_ENDPOINT_URL_STS=self.moto.url, **extra)

    def run_vpcx(self, args, env=None):
        run = h.run_vpcx(args, env or self.env(), timeout=120)
        for secret in SECRETS:
            self.assertNotIn(secret, run.output, "a secret reached the output")
        return run

    def assert_no_secret_in_files(self, allowed=()):
        for root, _, files in os.walk(self.home.path):
            for name in files:
                path = os.path.join(root, name)
                if path in allowed:
                    continue
                with open(path, "rb") as f:
                    data = f.read()
                for secret in SECRETS:
                    self.assertNotIn(secret.encode(), data, path)

    def test_valid_token_whoami_and_dump(self):
        self.write_token("corp", VALID_TOKEN, time.time() + 3600)
        run = self.run_vpcx(["whoami", "--profile", "corp"])
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertIn("sso: session corp, account %s, role %s, expires in 5" % (ACCOUNT, ROLE),
                      run.stdout)
        self.assertIn("****************1234", run.stdout)
        stats = self.standin.stats()
        self.assertEqual(stats["bearers"], [VALID_TOKEN])
        self.assertEqual(stats["token_calls"], 0)
        run = self.run_vpcx(["whoami", "--profile", "corp", "--format", "json"])
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertEqual(run.json()["Credentials"]["Source"], "sso")
        run = self.run_vpcx(["dump", "--profile", "corp", "--format", "json", "--no-cache"])
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertEqual(run.json()["Metadata"]["Region"], "us-east-1")
        self.assert_no_secret_in_files(allowed=(self.token_file("corp"),))

    def test_expired_token_is_refreshed_and_written_back(self):
        self.write_token("corp", EXPIRED_TOKEN, time.time() - 60, refreshToken=REFRESH_TOKEN,
                         clientId="client-1", clientSecret=CLIENT_SECRET,
                         registrationExpiresAt=iso(time.time() + 86400), extraField="kept")
        run = self.run_vpcx(["whoami", "--profile", "corp"])
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertIn("sso: session corp", run.stdout)
        stats = self.standin.stats()
        self.assertEqual(stats["token_calls"], 1)
        self.assertEqual(stats["bearers"], ["standin-access-1-" + SALT])
        path = self.token_file("corp")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        with open(path) as f:
            doc = json.load(f)
        self.assertEqual(doc["accessToken"], "standin-access-1-" + SALT)
        self.assertEqual(doc["refreshToken"], "standin-refresh-1-" + SALT)
        self.assertEqual(doc["clientSecret"], CLIENT_SECRET)
        self.assertEqual(doc["extraField"], "kept")
        self.assertGreater(time.mktime(time.strptime(doc["expiresAt"], "%Y-%m-%dT%H:%M:%SZ")),
                           time.time() - 86400)
        self.assertEqual(sorted(os.listdir(self.cache)), [os.path.basename(path)])
        # The rotated refresh token is what the stand-in now expects.
        self.assertEqual(stats["refresh_token"], doc["refreshToken"])

    def test_missing_token_exit_3(self):
        run = self.run_vpcx(["whoami", "--profile", "corp"])
        self.assertEqual(run.rc, h.EXIT_AUTH, run.describe())
        self.assertIn("run: aws sso login --profile corp", run.stderr)
        self.assertEqual(self.standin.stats()["role_calls"], 0)

    def test_expired_unrefreshable_token_exit_3(self):
        self.write_token("corp", EXPIRED_TOKEN, time.time() - 60, refreshToken="wrong",
                         clientId="client-1", clientSecret=CLIENT_SECRET,
                         registrationExpiresAt=iso(time.time() + 86400))
        run = self.run_vpcx(["dump", "--profile", "corp", "--format", "json"])
        self.assertEqual(run.rc, h.EXIT_AUTH, run.describe())
        self.assertIn("could not be refreshed", run.stderr)
        self.assertIn("run: aws sso login --profile corp", run.stderr)
        self.assertEqual(self.standin.stats()["role_calls"], 0)

    def test_token_refused_by_portal_exit_3(self):
        self.write_token("corp", "RevokedToken", time.time() + 3600)
        run = self.run_vpcx(["whoami", "--profile", "corp"])
        self.assertEqual(run.rc, h.EXIT_AUTH, run.describe())
        self.assertIn("aws sso login --profile corp", run.stderr)
        self.assertEqual(self.standin.stats()["bearers"], ["RevokedToken"])

    def test_legacy_profile_uses_start_url_cache(self):
        self.write_token("https://legacy.awsapps.com/start", VALID_TOKEN, time.time() + 3600)
        run = self.run_vpcx(["whoami", "--profile", "legacy"])
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertIn("sso: start URL https://legacy.awsapps.com/start", run.stdout)

    def test_vpcx_sso_login_device_flow(self):
        self.standin.configure(tokens=[], device_pending_polls=2)
        run = self.run_vpcx(["sso", "login", "--profile", "corp"])
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertIn("https://device.sso.example/?user_code=ABCD-EFGH", run.stderr)
        self.assertIn("code: ABCD-EFGH", run.stderr)
        self.assertIn("Signed in to https://corp.awsapps.com/start", run.stderr)
        stats = self.standin.stats()
        self.assertEqual(stats["device_polls"], 3)
        self.assertEqual(stats["device_start_url"], "https://corp.awsapps.com/start")
        reg = stats["registrations"][0]
        self.assertEqual(reg["scopes"], ["sso:account:access"])
        self.assertIn("refresh_token", reg["grantTypes"])
        path = self.token_file("corp")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        with open(path) as f:
            doc = json.load(f)
        self.assertEqual(doc["accessToken"], "standin-device-1-" + SALT)
        self.assertEqual(doc["startUrl"], "https://corp.awsapps.com/start")
        self.assertEqual(doc["clientId"], "device-client-1")
        self.assertIn("registrationExpiresAt", doc)
        # The chain now signs in with it.
        run = self.run_vpcx(["whoami", "--profile", "corp"])
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertEqual(self.standin.stats()["bearers"], ["standin-device-1-" + SALT])
        run = self.run_vpcx(["sso", "logout", "--profile", "corp"])
        self.assertEqual(run.rc, h.EXIT_USAGE, run.describe())

    def login_cache(self):
        name = "arn:aws:iam::%s:user/me" % ACCOUNT
        cache = os.path.join(self.home.path, "login-cache")
        os.makedirs(cache, exist_ok=True)
        return name, cache, os.path.join(cache,
                                         hashlib.sha256(name.encode()).hexdigest() + ".json")

    def test_login_session_refreshed_with_dpop(self):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption()).decode()
        name, cache, path = self.login_cache()
        doc = {"accessToken": {"accessKeyId": "ASIALOGINOLD", "secretAccessKey": LOGIN_SECRET,
                               "sessionToken": LOGIN_SESSION, "accountId": ACCOUNT,
                               "expiresAt": iso(time.time() - 60)},
               "tokenType": "aws_sigv4", "refreshToken": LOGIN_REFRESH,
               "clientId": "arn:aws:signin:::devtools/same-device", "idToken": "kept",
               "dpopKey": pem}
        with open(path, "w") as f:
            json.dump(doc, f)
        env = self.env(AWS_LOGIN_CACHE_DIRECTORY=cache)
        run = self.run_vpcx(["whoami", "--profile", "console"], env)
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertIn("login: session %s, account %s, expires in 1" % (name, ACCOUNT),
                      run.stdout)
        self.assertIn("****************SHED", run.stdout)
        stats = self.standin.stats()
        self.assertEqual((stats["login_calls"], stats["dpop_verified"]), (1, 1))
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        with open(path) as f:
            back = json.load(f)
        self.assertEqual(back["accessToken"]["accessKeyId"], "ASIALOGINREFRESHED")
        self.assertEqual(back["accessToken"]["accountId"], ACCOUNT)
        self.assertEqual(back["refreshToken"], "login-refresh-1-" + SALT)
        self.assertEqual((back["idToken"], back["dpopKey"]), ("kept", pem))
        # The old refresh token is spent: the next refresh is refused, and says aws login.
        doc["accessToken"]["expiresAt"] = iso(time.time() - 60)
        with open(path, "w") as f:
            json.dump(doc, f)
        run = self.run_vpcx(["dump", "--profile", "console", "--format", "json"], env)
        self.assertEqual(run.rc, h.EXIT_AUTH, run.describe())
        self.assertIn("TOKEN_EXPIRED", run.stderr)
        self.assertIn("run: aws login --profile console", run.stderr)
        self.assert_no_secret_in_files(allowed=(path, self.token_file("corp")))

    def test_login_session(self):
        name, cache, path = self.login_cache()
        doc = {"accessToken": {"accessKeyId": "ASIALOGINSTANDIN99",
                               "secretAccessKey": LOGIN_SECRET, "sessionToken": LOGIN_SESSION,
                               "accountId": ACCOUNT, "expiresAt": iso(time.time() + 600)},
               "tokenType": "aws_sigv4", "refreshToken": LOGIN_REFRESH,
               "clientId": "arn:aws:signin:::devtools/same-device",
               "dpopKey": "-----BEGIN EC PRIVATE KEY-----\nAA==\n-----END EC PRIVATE KEY-----\n"}
        with open(path, "w") as f:
            json.dump(doc, f)
        env = self.env(AWS_LOGIN_CACHE_DIRECTORY=cache)
        run = self.run_vpcx(["whoami", "--profile", "console"], env)
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertIn("login: session %s, account %s, expires in" % (name, ACCOUNT), run.stdout)
        run = self.run_vpcx(["dump", "--profile", "console", "--format", "json", "--no-cache"],
                            env)
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assert_no_secret_in_files(allowed=(path,))
        doc["accessToken"]["expiresAt"] = iso(time.time() - 5)
        with open(path, "w") as f:
            json.dump(doc, f)
        run = self.run_vpcx(["whoami", "--profile", "console"], env)
        self.assertEqual(run.rc, h.EXIT_AUTH, run.describe())
        self.assertIn("run: aws login --profile console", run.stderr)


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main()
