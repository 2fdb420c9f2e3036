#!/usr/bin/env python3
"""The sign-in dialog: vpcx in tmux on an IAM Identity Center profile (the local SSO stand-in,
tests/tools/sso_standin.py), moto behind the fault proxy. The portal then revokes the token
and DescribeVpcs answers RequestExpired once, so the credential reload fails: the explorer
must open a dialog naming `aws sso login --profile corp`. After a new token is written to the
CLI's cache (a sign-in elsewhere), r in the dialog must fetch again with role credentials
issued for the new token, without a restart, and no token or secret may reach the screen.
At start-up with no token at all, vpcx must say what to run before it takes the terminal and
start the explorer on Enter once a token is there. Exit 77 (skip) when tmux or $VPCX_BIN is missing."""
import hashlib
import json
import os
import shlex
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("VPCX_SRCDIR", os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(SRC, "tests", "tools"))
sys.dont_write_bytecode = True
import awsproxy  # noqa: E402
import motoctl  # noqa: E402
import sso_standin  # noqa: E402
import tmuxlib  # noqa: E402  (same folder)

BIN = os.environ.get("VPCX_BIN", "")
FIRST = "FirstAccessTokenNeverShown1"
SECOND = "SecondAccessTokenNeverShown2"
ROLE_SECRET = "RoleSecretNeverShown3"
EXPIRED_ONCE = {"faults": {"DescribeVpcs": [{"kind": "expired", "nth": [1]}]}}


def write_token(home, token):
    path = os.path.join(home, ".aws", "sso", "cache",
                        hashlib.sha1(b"corp").hexdigest() + ".json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1",
                   "accessToken": token,
                   "expiresAt": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                              time.gmtime(time.time() + 3600))}, f)


def write_home(home):
    with open(os.path.join(home, "awsconfig"), "w") as f:
        f.write("[profile corp]\nsso_session = corp\nsso_account_id = 111122223333\n"
                "sso_role_name = ReadOnly\nregion = us-east-1\n"
                "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
                "sso_region = eu-west-1\n")
    write_token(home, FIRST)
    with open(os.path.join(home, "standin.json"), "w") as f:
        json.dump({"tokens": [FIRST], "client_id": "c", "client_secret": "s",
                   "refresh_token": "r", "assignments": [["111122223333", "ReadOnly"]],
                   "lifetime": 3600,
                   "role_credentials": {"accessKeyId": "ASIASSOTMUX", "secretAccessKey":
                                        ROLE_SECRET, "sessionToken": "RoleSessionNeverShown4"}},
                  f)


def wait_for(tm, text, timeout, gone=False):
    return tm.wait_for("t", lambda s: (text in s) != gone, timeout,
                       "%r%s" % (text, " to go" if gone else ""))


def drive(tm, home, standin, proxy):
    wait_for(tm, "account 123456789012", 60)
    wait_for(tm, "fetching", 60, gone=True)
    # The token is revoked and the next DescribeVpcs says the credentials expired.
    standin.configure(tokens=[])
    proxy.set_config(EXPIRED_ONCE)
    tm.keys("t", "r")
    # Wait for the dialog's body, not its title: a capture can land between two lines of the
    # repaint that opens it.
    s = wait_for(tm, "aws sso login --profile corp", 60)
    assert "Sign in again" in s, s
    assert standin.stats()["bearers"] == [FIRST, FIRST], standin.stats()
    # Signed in elsewhere: a new token in the CLI's cache.
    write_token(home, SECOND)
    standin.configure(tokens=[SECOND])
    proxy.set_config(EXPIRED_ONCE)
    tm.keys("t", "r")
    wait_for(tm, "Sign in again", 30, gone=True)
    deadline = time.time() + 60
    while time.time() < deadline and SECOND not in standin.stats()["bearers"]:
        time.sleep(0.05)
    assert standin.stats()["bearers"][-1] == SECOND, standin.stats()
    s = wait_for(tm, "fetching", 60, gone=True)
    assert "failed" not in s, s
    assert "Sign in again" not in s, s
    for secret in (FIRST, SECOND, ROLE_SECRET):
        assert secret not in s, "a secret reached the screen"
    tm.keys("t", "q")
    assert tm.wait_exit("t", 30) == 0, "vpcx did not exit cleanly"
    return 0


def token_path(home):
    return os.path.join(home, ".aws", "sso", "cache", hashlib.sha1(b"corp").hexdigest() + ".json")


def drive_startup(tm, home, standin):
    tm.wait_text("s", "press Enter to try again", 60)
    s = tm.screen("s")
    assert "run: aws sso login --profile corp" in s, s
    write_token(home, SECOND)
    standin.configure(tokens=[SECOND])
    tm.keys("s", "Enter")
    s = tm.wait_text("s", "account 123456789012", 60)
    for secret in (FIRST, SECOND, ROLE_SECRET):
        assert secret not in s, "a secret reached the screen"
    tm.keys("s", "q")
    assert tm.wait_exit("s", 30) == 0, "vpcx did not exit cleanly"


def main():
    if not tmuxlib.available() or not (BIN and os.access(BIN, os.X_OK)):
        print("tmux or VPCX_BIN missing: skipped")
        return 77
    moto = motoctl.MotoServer(seed=5)
    moto.start()
    try:
        with awsproxy.AwsProxy(moto.url, {}) as proxy, \
                tempfile.TemporaryDirectory() as home:
            write_home(home)
            standin = sso_standin.Standin(os.path.join(home, "standin.json")).start()
            tm = tmuxlib.Tmux("sso")
            try:
                env = tmuxlib.clean_env(home, AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None,
                                        AWS_CONFIG_FILE=os.path.join(home, "awsconfig"),
                                        AWS_ENDPOINT_URL_SSO=standin.url,
                                        AWS_ENDPOINT_URL_SSO_OIDC=standin.url)
                args = [BIN, "--profile", "corp", "--endpoint-url", proxy.url, "--no-cache"]
                tm.start("t", 120, 40, args, env)
                drive(tm, home, standin, proxy)
                os.unlink(token_path(home))
                tm.start("s", 120, 40, args, env)
                drive_startup(tm, home, standin)
                return 0
            finally:
                tm.kill()
                standin.stop()
    finally:
        moto.stop()


if __name__ == "__main__":
    sys.exit(main())
