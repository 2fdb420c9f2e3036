#!/usr/bin/env python3
"""`vpcx metrics`, `check --metrics` and `cost --metrics` against moto's CloudWatch.

tests/tools/seed_metrics.py seeds an interface endpoint's AWS/PrivateLinkEndpoints datapoints
with the exact dimension sets (endpoint, and subnet a), plus decoys with one dimension more or
fewer that must never be counted. Through tests/tools/awsproxy.py, CloudWatch answers what moto
never does: Throttling (retried, then the real answer), AccessDenied, and a first page with
StatusCode PartialData and a NextToken (the second page is moto's). The error documents are
CloudWatch's Query-protocol ErrorResponse, as the CloudWatch API reference gives them.
Exit 77 without $VPCX_BIN."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vpcx_harness as h  # noqa: E402

import seed_metrics  # noqa: E402  (tests/tools, on the path through the harness)

E = seed_metrics.EXPECTED


def cw_error(code, message):
    return ('<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><Error>'
            '<Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>'
            '<RequestId>8d2d7f40-0000-4000-8000-000000000001</RequestId></ErrorResponse>'
            % (code, message))


THROTTLE = cw_error("Throttling", "Rate exceeded")
DENIED = cw_error("AccessDenied", "User: arn:aws:iam::123456789012:user/ops is not authorized "
                  "to perform: cloudwatch:GetMetricData")


def page(points, status, token=None):
    """A GetMetricData answer with one PacketsDropped series of the endpoint (query s0_m3)."""
    ts = "".join("<member>%s</member>" % t for t, _ in points)
    vs = "".join("<member>%s</member>" % v for _, v in points)
    nt = "<NextToken>%s</NextToken>" % token if token else ""
    return ('<GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">'
            '<GetMetricDataResult><MetricDataResults><member><Id>s0_m3</Id>'
            '<Timestamps>%s</Timestamps><Values>%s</Values><StatusCode>%s</StatusCode>'
            '</member></MetricDataResults>%s</GetMetricDataResult><ResponseMetadata>'
            '<RequestId>8d2d7f40-0000-4000-8000-000000000002</RequestId></ResponseMetadata>'
            '</GetMetricDataResponse>' % (ts, vs, status, nt))


def spark(values, ramp="\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"):
    """The sparkline vpcx draws for values (one cell each): heights from 0 to the largest,
    rounded half away from zero, anything above 0 at least one step up."""
    top = max(values)
    out = ""
    for v in values:
        level = 0
        if top > 0 and v > 0:
            level = min(7, max(1, int(v / top * 7 + 0.5)))
        out += ramp[level]
    return out


def series(doc, scope, name):
    for m in doc["Scopes"][scope]["Metrics"]:
        if m["MetricName"] == name:
            return m
    raise KeyError(name)


class MetricsTest(h.MotoCase):
    moto_seed = 5
    proxy_config = {}

    @classmethod
    def seed_moto(cls):
        cls.ids = seed_metrics.seed(cls.moto.url, h.REGION)

    def vpcx(self, *args, url=None, **env):
        base = ["--endpoint-url", url or self.moto.url, "--region", h.REGION, "--no-cache"]
        return h.run_vpcx(base + list(args), self.home.env(**env), timeout=180)

    def metrics(self, *args, **kw):
        return self.vpcx("metrics", self.ids["endpoint"], *args, **kw)

    def via_proxy(self, faults, *args, **env):
        self.proxy.set_config({"faults": faults})
        self.proxy.reset()
        run = self.vpcx(*args, url=self.proxy.url, **env)
        return run, self.proxy.stats()

    # ---- moto, directly ----

    def test_json_matches_seeded_series(self):
        r = self.metrics("--format", "json")
        self.assertEqual(r.rc, h.EXIT_OK, r.describe())
        doc = r.json()
        self.assertEqual(doc["VpcEndpointId"], self.ids["endpoint"])
        self.assertEqual((doc["Range"], doc["Period"]), ("3h", 300))
        self.assertFalse(doc["Partial"])
        self.assertEqual([s.get("SubnetId") for s in doc["Scopes"]],
                         [None, self.ids["subnet_a"], self.ids["subnet_b"]])
        for scope, key in ((0, "endpoint"), (1, "subnet")):
            for name, want in E[key].items():
                got = series(doc, scope, name)
                label = "%s %s" % (key, name)
                self.assertEqual(got["Datapoints"], seed_metrics.POINTS, label)
                # The decoys (one dimension more or fewer) are not in any sum.
                self.assertEqual(got["Sum"], want["sum"], label)
                self.assertEqual((got["Min"], got["Max"], got["Last"]),
                                 (want["min"], want["max"], want["last"]), label)
                self.assertEqual(got["Values"], want["series"], label)
        self.assertEqual(series(doc, 0, "ActiveConnections")["Statistic"], "Average")
        self.assertEqual(series(doc, 0, "BytesProcessed")["Statistic"], "Sum")
        for m in doc["Scopes"][2]["Metrics"]:
            self.assertEqual(m["Datapoints"], 0, m["MetricName"])
            self.assertNotIn("Max", m)

    def test_text_sparklines_utf8_and_ascii(self):
        r = self.metrics(LC_ALL="C.UTF-8")
        self.assertEqual(r.rc, h.EXIT_OK, r.describe())
        out = r.stdout
        self.assertIn(self.ids["endpoint"], out)
        self.assertIn("AWS/PrivateLinkEndpoints, last 3h (5-minute periods", out)
        self.assertIn("Subnet " + self.ids["subnet_a"], out)
        lines = out.splitlines()
        active = next(line for line in lines if line.strip().startswith("ActiveConnections"))
        self.assertIn("min 10  max 13  last 10", active)
        self.assertIn(spark(E["endpoint"]["ActiveConnections"]["series"]), active)
        nb = next(line for line in lines if line.strip().startswith("NewConnections"))
        self.assertIn(spark(E["endpoint"]["NewConnections"]["series"]), nb)
        drops = next(line for line in lines if line.strip().startswith("PacketsDropped"))
        # All zero but one bucket: 23 floor glyphs and one full block.
        self.assertEqual(drops.count("\u2588"), 1, drops)
        self.assertEqual(drops.count("\u2581"), seed_metrics.POINTS - 1, drops)
        self.assertIn("BytesProcessed", out)
        self.assertIn("min 1.0 MB  max 24.0 MB  last 24.0 MB", out)
        sub_b = out.split("Subnet " + self.ids["subnet_b"], 1)[1]
        self.assertEqual(sub_b.count("no datapoints"), 5)
        # 300 MB in 3 h = 0.279 GiB; x 730/3 = 68.0 GiB a month at $0.01.
        self.assertIn("Data processed: 0.279 GB in 3h, about 68.0 GB a month: $0.68 a month", out)
        self.assertIn("extrapolated", out)
        r = self.metrics(LC_ALL="C")
        self.assertEqual(r.rc, h.EXIT_OK, r.describe())
        self.assertTrue(r.stdout.isascii(), r.stdout)
        drops = next(line for line in r.stdout.splitlines()
                     if line.strip().startswith("PacketsDropped"))
        self.assertIn(spark(E["endpoint"]["PacketsDropped"]["series"], "_.-=+*#@"), drops)
        self.assertEqual(drops.count("@"), 1, drops)
        self.assertEqual(drops.count("_"), seed_metrics.POINTS - 1, drops)

    def test_since_24h_and_7d(self):
        for since, period in (("24h", 1800), ("7d", 14400)):
            r = self.metrics("--since", since, "--format", "json")
            self.assertEqual(r.rc, h.EXIT_OK, r.describe())
            doc = r.json()
            self.assertEqual((doc["Range"], doc["Period"]), (since, period))
            got = series(doc, 0, "BytesProcessed")
            self.assertEqual(got["Sum"], E["endpoint"]["BytesProcessed"]["sum"], since)
            self.assertLess(got["Datapoints"], seed_metrics.POINTS, since)

    def test_usage_errors(self):
        r = self.vpcx("metrics", self.ids["gateway"])
        self.assertEqual(r.rc, h.EXIT_USAGE, r.describe())
        self.assertIn("gateway endpoint", r.stderr)
        r = self.metrics("--since", "1h")
        self.assertEqual(r.rc, h.EXIT_USAGE, r.describe())
        r = self.metrics("--format", "csv")
        self.assertEqual(r.rc, h.EXIT_USAGE, r.describe())
        r = h.run_vpcx(["metrics", self.ids["endpoint"], "--demo"], self.home.env())
        self.assertEqual(r.rc, h.EXIT_USAGE, r.describe())
        r = h.run_vpcx(["check", "--metrics", "--demo"], self.home.env())
        self.assertEqual(r.rc, h.EXIT_USAGE, r.describe())
        r = h.run_vpcx(["dump", "--since", "3h", "--demo"], self.home.env())
        self.assertEqual(r.rc, h.EXIT_USAGE, r.describe())

    def test_check_metrics_finds_dropped_packets(self):
        r = self.vpcx("check", "--rule", "endpoint-packets-dropped", "--format", "json")
        self.assertEqual(r.rc, h.EXIT_OK, r.describe())
        self.assertEqual(r.json()["Findings"], [], "no metrics fetched, no finding")
        r = self.vpcx("check", "--metrics", "--rule", "endpoint-packets-dropped", "--format",
                      "json")
        self.assertEqual(r.rc, h.EXIT_OK, r.describe())
        found = r.json()["Findings"]
        self.assertEqual([f["ResourceId"] for f in found], [self.ids["endpoint"]])
        self.assertEqual(found[0]["Severity"], "warning")
        self.assertIn("dropped 3 packets in the last 3h", found[0]["Title"])
        self.assertIn("PacketsDropped in %s: 3" % self.ids["subnet_a"], found[0]["Evidence"])

    def test_cost_metrics_prices_bytes(self):
        r = self.vpcx("cost", "--format", "json")
        self.assertEqual(r.rc, h.EXIT_OK, r.describe())
        plain = {e["VpcEndpointId"]: e for e in r.json()["Endpoints"]}
        self.assertTrue(plain[self.ids["endpoint"]]["PlusPerGb"])
        self.assertNotIn("DataProcessing", plain[self.ids["endpoint"]])
        r = self.vpcx("cost", "--metrics", "--format", "json")
        self.assertEqual(r.rc, h.EXIT_OK, r.describe())
        doc = r.json()
        ep = {e["VpcEndpointId"]: e for e in doc["Endpoints"]}[self.ids["endpoint"]]
        x = ep["DataProcessing"]
        self.assertEqual(x["BytesMeasured"], E["endpoint"]["BytesProcessed"]["sum"])
        self.assertEqual(x["RangeHours"], 3)
        self.assertTrue(x["Extrapolated"])
        gb_month = 300e6 / 2**30 * 730 / 3
        self.assertAlmostEqual(x["GbPerMonth"], gb_month, places=6)
        self.assertAlmostEqual(x["MonthlyUsd"], gb_month * 0.01, places=6)
        self.assertFalse(ep["PlusPerGb"])
        self.assertAlmostEqual(ep["MonthlyUsd"], 2 * 730 * 0.01 + gb_month * 0.01, places=6)
        self.assertTrue(doc["Total"]["Extrapolated"])
        r = self.vpcx("cost", "--metrics")
        self.assertIn("data processing", r.stdout)
        self.assertIn("extrapolated from the last 3 h", r.stdout)

    # ---- through the proxy: what moto never answers ----

    def test_throttled_then_answered(self):
        faults = {"GetMetricData": [{"kind": "answer", "status": 400, "body": THROTTLE,
                                     "nth": [1, 2]}]}
        run, stats = self.via_proxy(faults, "metrics", self.ids["endpoint"], "--format", "json")
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertEqual(stats["requests"]["GetMetricData"], 3)
        self.assertEqual(stats["status"]["GetMetricData"], {"400": 2, "200": 1})
        got = series(run.json(), 0, "BytesProcessed")
        self.assertEqual(got["Sum"], E["endpoint"]["BytesProcessed"]["sum"])

    def test_throttled_past_the_attempts(self):
        faults = {"GetMetricData": [{"kind": "answer", "status": 400, "body": THROTTLE,
                                     "always": True}]}
        run, stats = self.via_proxy(faults, "metrics", self.ids["endpoint"])
        self.assertEqual(run.rc, h.EXIT_UNREACHABLE, run.describe())
        self.assertEqual(stats["requests"]["GetMetricData"], 3)
        self.assertIn("Throttling", run.stderr)
        self.assertIn("after 3 attempts", run.stderr)

    def test_access_denied(self):
        faults = {"GetMetricData": [{"kind": "answer", "status": 403, "body": DENIED,
                                     "always": True}]}
        run, _ = self.via_proxy(faults, "metrics", self.ids["endpoint"])
        self.assertEqual(run.rc, h.EXIT_AUTH, run.describe())
        self.assertIn("AccessDenied", run.stderr)
        self.assertIn("metrics need the IAM permission cloudwatch:GetMetricData", run.stderr)
        self.assertEqual(run.stdout, "")
        # check keeps working: the other rules run, the metrics rule stays silent.
        run, stats = self.via_proxy(faults, "check", "--metrics", "--format", "json")
        self.assertIn(run.rc, (h.EXIT_OK, h.EXIT_ERROR), run.describe())
        doc = run.json()
        self.assertIn("Summary", doc)
        self.assertTrue(doc["Findings"], "the other rules still report")
        self.assertNotIn("endpoint-packets-dropped", {f["RuleId"] for f in doc["Findings"]})
        self.assertIn("metrics (1 endpoint)", run.stderr)
        self.assertIn("cloudwatch:GetMetricData", run.stderr)
        self.assertEqual(stats["requests"]["GetMetricData"], 1, "AccessDenied is not retried")

    def test_next_token_and_partial_data(self):
        # A bucket the seed leaves empty: 150 minutes ago, on a 5-minute boundary.
        import datetime
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        t = now - datetime.timedelta(minutes=150)
        t = t - datetime.timedelta(minutes=t.minute % 5, seconds=t.second)
        stamp = t.strftime("%Y-%m-%dT%H:%M:%SZ")
        first = page([(stamp, 40)], "PartialData", token="next-page-please")
        faults = {"GetMetricData": [{"kind": "answer", "body": first, "nth": [1]}]}
        run, stats = self.via_proxy(faults, "metrics", self.ids["endpoint"], "--format", "json")
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertEqual(stats["requests"]["GetMetricData"], 2, "the NextToken was followed")
        doc = run.json()
        got = series(doc, 0, "PacketsDropped")
        self.assertFalse(doc["Partial"], "the last page completed the series")
        self.assertIn(stamp, got["Timestamps"])
        self.assertEqual(got["Sum"], 40 + E["endpoint"]["PacketsDropped"]["sum"])
        # A PartialData answer with no NextToken stays partial, and says so.
        only = page([(stamp, 40)], "PartialData")
        faults = {"GetMetricData": [{"kind": "answer", "body": only, "always": True}]}
        run, stats = self.via_proxy(faults, "metrics", self.ids["endpoint"], "--format", "json")
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertEqual(stats["requests"]["GetMetricData"], 1)
        self.assertTrue(run.json()["Partial"])
        self.assertTrue(series(run.json(), 0, "PacketsDropped")["Partial"])
        run, _ = self.via_proxy(faults, "metrics", self.ids["endpoint"])
        self.assertIn("partial data", run.stdout)


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main()
