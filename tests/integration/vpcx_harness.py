"""Shared helpers for the integration tests: find vpcx, run it in a clean environment.

Every test script calls require_vpcx() before unittest.main(): it exits 77 (meson's skip)
when $VPCX_BIN is unset or not an executable file.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(os.path.dirname(HERE), "tools")
sys.path.insert(0, TOOLS)

import awsproxy  # noqa: E402,F401  (re-exported for the tests)
import boto_inventory  # noqa: E402
import motoctl  # noqa: E402,F401
import seed_account  # noqa: E402,F401

SKIP = 77
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
TEST_KEY = "testing"
TEST_SECRET = "testing-secret-Zq8v"
DATA_SECTIONS = list(boto_inventory.TYPES)
TOP_KEYS = set(DATA_SECTIONS) | {"Metadata", "Derived", "Errors"}
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_AUTH, EXIT_UNREACHABLE, EXIT_PARTIAL = range(6)


def vpcx_bin():
    path = os.environ.get("VPCX_BIN", "")
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    return None


def require_vpcx():
    if vpcx_bin() is None:
        print("SKIP: VPCX_BIN unset or not an executable (%r)" % os.environ.get("VPCX_BIN"))
        sys.exit(SKIP)


class CleanHome:
    """A temporary HOME with no AWS configuration; files can be added."""

    def __init__(self):
        self.dir = tempfile.TemporaryDirectory(prefix="vpcx-it-")
        self.path = self.dir.name
        self.config = os.path.join(self.path, "config")
        self.credentials = os.path.join(self.path, "credentials")

    def write(self, name, text):
        with open(os.path.join(self.path, name), "w") as f:
            f.write(text)

    def env(self, key=TEST_KEY, secret=TEST_SECRET, **extra):
        """The caller's environment without any AWS_* variable, HOME pointing here, IMDS off,
        plus env credentials when key/secret are given (None: no credentials)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(HOME=self.path, AWS_CONFIG_FILE=self.config,
                   AWS_SHARED_CREDENTIALS_FILE=self.credentials,
                   AWS_EC2_METADATA_DISABLED="true", NO_COLOR="1")
        if key is not None:
            env["AWS_ACCESS_KEY_ID"] = key
        if secret is not None:
            env["AWS_SECRET_ACCESS_KEY"] = secret
        env.update({k: v for k, v in extra.items() if v is not None})
        return env

    def cleanup(self):
        self.dir.cleanup()


class MotoCase(unittest.TestCase):
    """A test class with its own moto server and clean HOME, started once for the class, and a
    fault proxy in front of moto when proxy_config is not None, and a scratch directory cls.work
    when work_prefix is set. seed_moto() runs before the proxy starts and ready() after; when
    either fails, what was started is stopped."""

    moto_seed = None
    moto_options = {}
    proxy_config = None
    work_prefix = None

    @classmethod
    def make_home(cls):
        return CleanHome()

    @classmethod
    def seed_moto(cls):
        pass

    @classmethod
    def ready(cls):
        pass

    @classmethod
    def setUpClass(cls):
        cls.moto = motoctl.MotoServer(seed=cls.moto_seed, **cls.moto_options).start()
        cls.home = cls.make_home()
        cls.proxy = None
        cls.work = tempfile.TemporaryDirectory(prefix=cls.work_prefix) if cls.work_prefix else None
        try:
            cls.seed_moto()
            if cls.proxy_config is not None:
                cls.proxy = awsproxy.AwsProxy(cls.moto.url, dict(cls.proxy_config)).start()
            cls.ready()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.proxy:
            cls.proxy.stop()
        cls.moto.stop()
        cls.home.cleanup()
        if cls.work:
            cls.work.cleanup()


class Run:
    def __init__(self, proc, seconds):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.seconds = seconds

    @property
    def output(self):
        return self.stdout + self.stderr

    def json(self):
        return json.loads(self.stdout)

    def describe(self):
        return "exit %d after %.1fs\n--- stderr ---\n%s\n--- stdout (start) ---\n%s" % (
            self.rc, self.seconds, self.stderr[-3000:], self.stdout[:1500])


def run_vpcx(args, env, timeout=240):
    t0 = time.monotonic()
    proc = subprocess.run([vpcx_bin()] + list(args), env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=timeout)
    return Run(proc, time.monotonic() - t0)


def dump(url, env, extra=(), timeout=240):
    args = ["dump", "--format", "json", "--endpoint-url", url, "--region", REGION]
    return run_vpcx(args + list(extra), env, timeout)


def refused_port():
    """A loopback port nobody listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reference_inventory(url, key=TEST_KEY, secret=TEST_SECRET):
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"] = key, secret
    try:
        return boto_inventory.inventory(url, REGION)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def assert_same_data(test, got, want, types=None, label=""):
    """Every data section of got equals want, item for item (see boto_inventory.compare)."""
    problems = boto_inventory.compare(got, want, types)
    test.assertEqual(problems, [], "%s\n%s" % (label, boto_inventory.format_problems(problems)))


def assert_dump_shape(test, out):
    test.assertIsInstance(out, dict)
    missing = TOP_KEYS - set(out)
    test.assertFalse(missing, "top-level keys missing: %s" % sorted(missing))
    for name in DATA_SECTIONS + ["Errors"]:
        test.assertIsInstance(out[name], list, name)
    meta = out["Metadata"]
    for key in ("FormatVersion", "Account", "Region", "Endpoint", "FetchedAt"):
        test.assertIn(key, meta)
    test.assertEqual(meta["Region"], REGION)


# ---- an AWS Organization in moto (--org-role tests) ----

ORG_ROLE = "OrganizationAccountAccessRole"


def org_role_arn(account, role=ORG_ROLE):
    return "arn:aws:iam::%s:role/%s" % (account, role)


def boto_client(url, service, creds=None, region=REGION):
    """A boto3 client on url with the test keys, or with creds (an STS Credentials dict)."""
    import boto3
    creds = creds or {"AccessKeyId": TEST_KEY, "SecretAccessKey": TEST_SECRET}
    return boto3.client(service, region_name=region, endpoint_url=url,
                        aws_access_key_id=creds["AccessKeyId"],
                        aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds.get("SessionToken"))


def seed_organization(url, names=("network-prod", "network-dev"), role=ORG_ROLE):
    """Creates an organization with one member account per name and a VPC in each account
    (the management one, ACCOUNT, included), each through that account's assumed-role
    credentials (moto keys its backends by the credentials' account). Returns (members,
    vpcs): the member account IDs in order, and {account: {every VPC ID in REGION}}."""
    org = boto_client(url, "organizations")
    org.create_organization(FeatureSet="ALL")
    members = []
    for name in names:
        st = org.create_account(AccountName=name, Email="%s@example.com" % name)
        members.append(st["CreateAccountStatus"]["AccountId"])
    vpcs = {}
    for i, account in enumerate([ACCOUNT] + members):
        creds = None
        if account != ACCOUNT:
            sts = boto_client(url, "sts")
            creds = sts.assume_role(RoleArn=org_role_arn(account, role),
                                    RoleSessionName="seed")["Credentials"]
        ec2 = boto_client(url, "ec2", creds)
        vpc = ec2.create_vpc(CidrBlock="10.%d.0.0/16" % (10 + i))["Vpc"]["VpcId"]
        vpcs[account] = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
        assert vpc in vpcs[account]
    return members, vpcs
