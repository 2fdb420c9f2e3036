#!/usr/bin/env python3
"""No raw untrusted bytes in any output: a tag value carrying U+202E (RTL override), U+009B
(CSI to an 8-bit terminal), DEL, U+2028 and other controls reaches `vpcx dump` (JSON, pretty
and compact, and text), the cache file, a saved snapshot, `vpcx diff --format json` and
`vpcx whoami` (a profile name carrying the same characters) only escaped: \\uXXXX in JSON,
a visible escape in text. The JSON still decodes to the exact value. Skips (77) without
$VPCX_BIN."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vpcx_harness as h  # noqa: E402

# Every class the issue names; XML 1.0 cannot carry C0 controls, so DEL and C1 stand in.
HOSTILE = ("rtl\u202eevil\u202c csi\u009b2J c1\u0085\u0080 del\x7f sep\u2028\u2029 "
           "lrm\u200e\u200f alm\u061c iso\u2066\u2069")
PROFILE = "p\u202erof\u009b\x7fx"
# Tab and newline are JSON whitespace between tokens (raw inside a string, json.loads fails).
UNSAFE = ({chr(c) for c in range(0x20) if c not in (0x09, 0x0A)} | {"\x7f"}
          | {chr(c) for c in range(0x80, 0xA0)}
          | {chr(c) for c in (0x200E, 0x200F, 0x2028, 0x2029, 0x061C)}
          | {chr(c) for c in range(0x202A, 0x202F)} | {chr(c) for c in range(0x2066, 0x206A)})


def raw_unsafe(data):
    """The unsafe characters in bytes (decoded as UTF-8, strictly) or text."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return sorted({"U+%04X" % ord(c) for c in text if c in UNSAFE})


class UntrustedOutputTest(h.MotoCase):
    work_prefix = "vpcx-untrusted-it-"

    @classmethod
    def seed_moto(cls):
        import boto3
        cls.cache_home = os.path.join(cls.home.path, "xdg-cache")
        ec2 = boto3.client("ec2", endpoint_url=cls.moto.url, region_name=h.REGION,
                           aws_access_key_id=h.TEST_KEY, aws_secret_access_key=h.TEST_SECRET)
        cls.vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
        ec2.create_tags(Resources=[cls.vpc], Tags=[{"Key": "Name", "Value": HOSTILE},
                                                   {"Key": "k\u202e\u009b", "Value": "v"}])

    def env(self, **kw):
        return self.home.env(XDG_CACHE_HOME=self.cache_home, **kw)

    def run_bytes(self, args, env=None):
        proc = subprocess.run([h.vpcx_bin()] + args, env=env or self.env(), capture_output=True,
                              stdin=subprocess.DEVNULL, timeout=240)
        self.assertEqual(proc.returncode, h.EXIT_OK,
                         "%s: exit %d\n%s" % (args, proc.returncode, proc.stderr[-2000:]))
        return proc.stdout

    def dump(self, *extra):
        return self.run_bytes(["dump", "--endpoint-url", self.moto.url, "--region", h.REGION]
                              + list(extra))

    def tag_of(self, doc):
        vpc = [v for v in doc["Vpcs"] if v["VpcId"] == self.vpc][0]
        return {t["Key"]: t["Value"] for t in vpc["Tags"]}

    def check_json(self, data, label):
        self.assertEqual(raw_unsafe(data), [], label)
        text = data.decode("utf-8")
        for esc in ("\\u202e", "\\u009b", "\\u007f", "\\u2028", "\\u0085"):
            self.assertIn(esc, text, label)
        return json.loads(text)

    def test_dump_json_pretty_and_compact(self):
        for flag in ("--pretty", "--compact"):
            doc = self.check_json(self.dump("--format", "json", flag), "dump " + flag)
            tags = self.tag_of(doc)
            self.assertEqual(tags["Name"], HOSTILE)  # escaped, not altered
            self.assertEqual(tags["k\u202e\u009b"], "v")

    def test_dump_text_shows_escapes(self):
        out = self.dump("--format", "text")
        self.assertEqual(raw_unsafe(out), [], "dump --format text")
        text = out.decode("utf-8")
        self.assertIn("\\u202e", text)
        self.assertIn("\\x9b", text)
        self.assertIn("\\x7f", text)

    def test_cache_and_snapshot_files(self):
        self.dump("--format", "json")
        root = os.path.join(self.cache_home, "vpcx")
        files = [os.path.join(root, f) for f in os.listdir(root) if f.endswith(".json")]
        self.assertTrue(any("index" not in f for f in files), files)
        for path in files:
            with open(path, "rb") as f:
                self.assertEqual(raw_unsafe(f.read()), [], path)
        snap = os.path.join(self.work.name, "snap.json")
        self.run_bytes(["snapshot", "save", snap, "--offline", "--region", h.REGION,
                        "--endpoint-url", self.moto.url])
        with open(snap, "rb") as f:
            self.assertEqual(self.tag_of(self.check_json(f.read(), snap))["Name"], HOSTILE)
        listing = self.run_bytes(["cache", "list", "--format", "json"])
        self.assertEqual(raw_unsafe(listing), [], "cache list")

    def test_diff_json(self):
        empty = os.path.join(self.work.name, "empty.json")
        with open(empty, "w") as f:
            json.dump({"Metadata": {"FormatVersion": 1}}, f)
        full = os.path.join(self.work.name, "full.json")
        with open(full, "wb") as f:
            f.write(self.dump("--format", "json"))
        for flag in ("--pretty", "--compact"):
            proc = subprocess.run([h.vpcx_bin(), "diff", empty, full, "--format", "json", flag],
                                  env=self.env(), capture_output=True, timeout=60)
            self.assertEqual(raw_unsafe(proc.stdout), [], "diff " + flag)
            self.assertIn(b"\\u202e", proc.stdout)
            json.loads(proc.stdout)

    def test_whoami_profile_name(self):
        self.home.write("config", "[profile %s]\nregion = %s\n" % (PROFILE, h.REGION))
        self.home.write("credentials", "[%s]\naws_access_key_id = %s\n"
                        "aws_secret_access_key = %s\n" % (PROFILE, h.TEST_KEY, h.TEST_SECRET))
        args = ["whoami", "--profile", PROFILE, "--endpoint-url", self.moto.url]
        env = self.env(key=None, secret=None)
        doc = self.check_whoami(self.run_bytes(args + ["--format", "json"], env))
        self.assertEqual(doc["Profile"]["Value"], PROFILE)
        text = self.run_bytes(args, env)
        self.assertEqual(raw_unsafe(text), [], "whoami text")
        self.assertIn("p\\u202erof\\x9b\\x7fx", text.decode("utf-8"))

    def check_whoami(self, data):
        self.assertEqual(raw_unsafe(data), [], "whoami json")
        self.assertIn(b"p\\u202erof\\u009b\\u007fx", data)
        return json.loads(data)


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main()
