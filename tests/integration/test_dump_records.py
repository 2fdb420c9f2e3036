#!/usr/bin/env python3
"""The dump survives the compact inventory exactly, on the benchmark's synthetic account
(tests/bench/ec2server.py, the same EC2 XML the benchmark serves, at a small size):

- every item equals boto3's view of the same server, field for field;
- reading the dump back (--snapshot) and dumping again gives the same bytes, pretty and
  compact: every item goes through the records (typed fields plus the compact encoding) and
  out through the decoder, so a value the encoding changed would show here.

The moto account's counterpart is in test_dump_moto.py. Skips (77) without $VPCX_BIN."""
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vpcx_harness as h  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENIS = 2500  # more than two pages of ENIs at 1000 a page


class BenchServer:
    """tests/bench/ec2server.py on a free loopback port, no latency, no throttling."""

    def __init__(self, enis):
        cmd = [sys.executable, os.path.join(ROOT, "tests", "bench", "ec2server.py"), "serve",
               "--enis", str(enis), "--rtt-ms", "0", "--rate", "0"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError("ec2server did not start: %r" % line)
        self.url = line.split()[1]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()


class DumpRecordsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = BenchServer(ENIS)
        cls.home = h.CleanHome()
        cls.tmp = tempfile.TemporaryDirectory(prefix="vpcx-records-")
        try:
            cls.reference = h.reference_inventory(cls.server.url)
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.home.cleanup()
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def live_dump(self, name, extra=()):
        out = self.path(name)
        run = h.dump(self.server.url, self.home.env(), ["-o", out] + list(extra))
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        with open(out, "rb") as f:
            return out, f.read()

    def redump(self, snapshot, name, extra=()):
        out = self.path(name)
        run = h.run_vpcx(["--snapshot", snapshot, "dump", "--format", "json", "-o", out]
                         + list(extra), self.home.env())
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        with open(out, "rb") as f:
            return f.read()

    def test_items_equal_boto3(self):
        import json
        _, text = self.live_dump("live.json")
        out = json.loads(text)
        self.assertEqual(out["Errors"], [])
        self.assertEqual(len(out["NetworkInterfaces"]), ENIS)
        h.assert_same_data(self, out, self.reference, label="bench account")

    def test_snapshot_round_trip_same_bytes(self):
        for extra in ((), ("--compact",)):
            with self.subTest(extra=extra):
                first, text = self.live_dump("live%s.json" % "".join(extra), extra)
                again = self.redump(first, "again%s.json" % "".join(extra), extra)
                self.assertGreater(len(text), ENIS * 500)
                self.assertEqual(again, text)


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main()
