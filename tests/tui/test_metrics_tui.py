#!/usr/bin/env python3
"""An endpoint's CloudWatch metrics in the explorer's detail pane, headless, against moto
seeded by tests/tools/seed_metrics.py (and, for what moto never answers, through
tests/tools/awsproxy.py).

- opening the endpoint shows "loading" at once, then sparklines with min/max/last for the
  endpoint and subnet a, "no datapoints" for subnet b, the data processed and the cost;
- t switches to 24 h (in an ASCII locale: ASCII sparklines);
- leaving the endpoint and coming back does not fetch again (the proxy counts the calls);
- AccessDenied is a line in the pane while the tree and the rest of the detail stay.
The sparklines are compared as glyph strings (the seeded points sit 5 minutes apart, so their
cells do not depend on the clock's phase; only the blanks around them do).
Skips (77) without $VPCX_BIN."""
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("VPCX_SRCDIR", os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(SRC, "tests", "tools"))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import awsproxy  # noqa: E402
import motoctl  # noqa: E402
import seed_metrics  # noqa: E402
import tmuxlib  # noqa: E402

E = seed_metrics.EXPECTED
UTF8_RAMP = "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"
DENIED = ('<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><Error>'
          '<Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform: '
          'cloudwatch:GetMetricData</Message></Error><RequestId>1</RequestId></ErrorResponse>')


def spark(values, ramp=UTF8_RAMP):
    top = max(values)
    return "".join(ramp[min(7, max(1, int(v / top * 7 + 0.5))) if top > 0 and v > 0 else 0]
                   for v in values)


class MetricsScreens(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.bin = os.environ.get("VPCX_BIN", "")
        cls.moto = motoctl.MotoServer(seed=7).start()
        cls.home = tempfile.TemporaryDirectory()
        cls.proxy = None
        try:
            cls.ids = seed_metrics.seed(cls.moto.url, "us-east-1")
            cls.proxy = awsproxy.AwsProxy(cls.moto.url, {}).start()
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.proxy:
            cls.proxy.stop()
        cls.moto.stop()
        cls.home.cleanup()

    def screen(self, keys, url=None, size="200x100", **env):
        path = os.path.join(self.home.name, "k.keys")
        with open(path, "w") as f:
            f.write("\n".join(keys) + "\n")
        cmd = [self.bin, "--endpoint-url", url or self.moto.url, "--region", "us-east-1",
               "--no-cache", "--headless", size, "--keys", path, "--screen-out", "-"]
        p = subprocess.run(cmd, env=tmuxlib.clean_env(self.home.name, **env),
                           capture_output=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        return p.stdout.decode("utf-8")

    def open_endpoint(self):
        return ["wait", ":" + self.ids["endpoint"], "Enter"]

    def row(self, text, name, after=None):
        """The detail row starting with name (after the line holding after, if given)."""
        part = text.split(after, 1)[1] if after else text
        for line in part.splitlines():
            right = line.split("\u2502", 1)[-1] if "\u2502" in line else line.split("|", 1)[-1]
            if right.strip().startswith(name):
                return right
        self.fail("no %s row%s in\n%s" % (name, " after " + after if after else "", text))

    def test_loading_then_sparklines(self):
        text = self.screen(self.open_endpoint())
        self.assertIn("Metrics  CloudWatch, last 3h (t: 24h)", text)
        self.assertIn("loading 3h metrics\u2026", text)
        text = self.screen(self.open_endpoint() + ["wait"])
        self.assertNotIn("loading", text)
        for name, stats in (("ActiveConnections", r"10\s+13\s+10"),
                            ("NewConnections", r"0\s+46\s+0"),
                            ("BytesProcessed", r"1\.0 MB\s+24\.0 MB\s+24\.0 MB"),
                            ("PacketsDropped", r"0\s+3\s+0")):
            row = self.row(text, name)
            self.assertRegex(row, re.escape(spark(E["endpoint"][name]["series"])) + r"\s+" + stats)
        sub = "Subnet " + self.ids["subnet_a"]
        self.assertIn(sub, text)
        row = self.row(text, "ActiveConnections", after=sub)
        self.assertRegex(row, re.escape(spark(E["subnet"]["ActiveConnections"]["series"])) +
                         r"\s+5\s+6\s+5")
        self.assertIn("Subnet %s  no datapoints" % self.ids["subnet_b"], text)
        self.assertIn("Data processed", text)
        self.assertIn("0.279 GB in 3h, about 68.0 GB a month", text)
        self.assertRegex(text, r"Cost estimate\s+\$15\.28 a month \(data processing extrapolated "
                               r"from the last 3h\)")
        self.assertRegex(text, r"\s+\$14\.60 AZ-hours \(2 ENIs\) \+ \$0\.68 data processing")

    def test_t_cycles_the_range_ascii(self):
        text = self.screen(self.open_endpoint() + ["wait", "t", "wait"], LC_ALL="C")
        self.assertIn("Metrics  CloudWatch, last 24h (t: 7d)", text)
        self.assertIn("endpoint metrics: last 24h", text)
        row = self.row(text, "PacketsDropped")
        self.assertIn("@", row)
        self.assertTrue(row.isascii(), row)
        text = self.screen(self.open_endpoint() + ["wait", "t", "t", "t", "wait"])
        self.assertIn("last 3h (t: 24h)", text)

    def test_cached_when_coming_back(self):
        self.proxy.set_config({})
        self.proxy.reset()
        keys = self.open_endpoint() + ["wait", ":" + self.ids["vpc"], "Enter", "wait"]
        keys += [":" + self.ids["endpoint"], "Enter", "wait"]
        text = self.screen(keys, url=self.proxy.url)
        self.assertIn(spark(E["endpoint"]["ActiveConnections"]["series"]), text)
        self.assertEqual(self.proxy.stats()["requests"]["GetMetricData"], 1)
        # A new run: 3 h once, then t asks for 24 h and 7 d (a call each); back at 3 h,
        # the cached answer.
        text = self.screen(keys + ["t", "wait", "t", "t", "wait"], url=self.proxy.url)
        self.assertEqual(self.proxy.stats()["requests"]["GetMetricData"], 1 + 1 + 2)

    def test_access_denied_leaves_the_rest(self):
        self.proxy.set_config({"faults": {"GetMetricData": [
            {"kind": "answer", "status": 403, "body": DENIED, "always": True}]}})
        text = self.screen(self.open_endpoint() + ["wait"], url=self.proxy.url)
        self.assertIn("CloudWatch: access denied \u2014 metrics unavailable", text)
        self.assertIn("(needs cloudwatch:GetMetricData)", text)
        self.assertIn("Placement by availability zone", text)
        tree = [line.split("\u2502", 1)[0] for line in text.splitlines()]
        self.assertTrue(any(self.ids["vpc"] in line for line in tree), text)
        text = self.screen(self.open_endpoint() + ["wait"], url=self.proxy.url, LC_ALL="C")
        self.assertIn("CloudWatch: access denied - metrics unavailable", text)


if __name__ == "__main__":
    if not (os.environ.get("VPCX_BIN") and os.access(os.environ["VPCX_BIN"], os.X_OK)):
        print("SKIP: VPCX_BIN unset")
        sys.exit(77)
    unittest.main()
