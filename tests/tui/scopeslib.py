"""Shared set-up of the headless explorer tests over several scopes: a moto server seeded by the
test class, a temporary HOME, a fault proxy when the class asks for one, and the helpers that
run vpcx headless and read its screen."""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("VPCX_SRCDIR", os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(SRC, "tests", "tools"))
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import seed_account  # noqa: E402
import tmuxlib  # noqa: E402
import vpcx_harness as h  # noqa: E402

EAST, WEST = "us-east-1", "eu-west-1"


def seed_two_regions(url, seed):
    """The "small" account in us-east-1 (moto seed `seed`) and eu-west-1 (seed + 1); returns an
    EC2 client per region."""
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    seed_account.seed(url, EAST, "small", seed, None)
    seed_account.seed(url, WEST, "small", seed + 1, None)
    return {r: seed_account.make_client(url, r) for r in (EAST, WEST)}


class HeadlessScopesCase(h.MotoCase):
    """MotoCase with a bare temporary HOME (tmuxlib.clean_env gives vpcx the rest)."""

    home_prefix = "vpcx-tui-"

    @classmethod
    def make_home(cls):
        return tempfile.TemporaryDirectory(prefix=cls.home_prefix)

    @classmethod
    def setUpClass(cls):
        cls.bin = os.environ["VPCX_BIN"]
        super().setUpClass()

    def headless(self, args, keys, size="120x40", **env):
        """vpcx ARGS run headless over the key lines; the screen's lines. env goes to
        tmuxlib.clean_env (None removes a variable)."""
        path = os.path.join(self.home.name, "test.keys")
        with open(path, "w") as f:
            f.write("\n".join(keys) + "\n")
        cmd = [self.bin] + list(args) + ["--headless", size, "--keys", path, "--screen-out", "-"]
        p = subprocess.run(cmd, env=tmuxlib.clean_env(self.home.name, **env),
                           capture_output=True, timeout=180)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        return p.stdout.decode("utf-8").splitlines()

    def row(self, lines, pattern):
        for i, line in enumerate(lines):
            if re.search(pattern, line):
                return i
        self.fail("no row matches %r in:\n%s" % (pattern, "\n".join(lines)))

    def vpcs_between(self, lines, start=0, end=None):
        return {m.group(1) for line in lines[start:end]
                for m in [re.search(r"▸ (vpc-[0-9a-f]+)", line)] if m}
