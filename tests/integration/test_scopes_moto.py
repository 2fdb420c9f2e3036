#!/usr/bin/env python3
"""Many regions and profiles at once against moto (which serves every region on one
endpoint, choosing the region's state by the SigV4 credential scope): a two-region dump is
{"Inventories": [...]} with each element equal to boto3's view of its region, one scope is
the single-region document byte for byte, and a region refused by awsproxy (deny_regions)
fails inline in its own element while the other loads, exit 5. Skips (77) without $VPCX_BIN."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vpcx_harness as h  # noqa: E402

OTHER = "eu-west-1"


def reference(url, region):
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"] = h.TEST_KEY, h.TEST_SECRET
    try:
        return h.boto_inventory.inventory(url, region)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class ScopesMotoTest(h.MotoCase):
    moto_seed = 7
    proxy_config = {}

    @classmethod
    def seed_moto(cls):
        cls.seeds = {
            h.REGION: h.seed_account.seed(cls.moto.url, h.REGION, "small", moto_seed=7),
            OTHER: h.seed_account.seed(cls.moto.url, OTHER, "small", moto_seed=None),
        }
        cls.refs = {r: reference(cls.moto.url, r) for r in (h.REGION, OTHER)}

    @classmethod
    def ready(cls):
        # Two named profiles with the test keys, for --profiles and its globs.
        cls.home.write("credentials",
                       "[prod-a]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                       "[prod-b]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                       "[dev]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                       % ((h.TEST_KEY, h.TEST_SECRET) * 3))
        cls.home.write("config", "[profile prod-a]\nregion = %s\n[profile prod-b]\nregion = %s\n"
                       "[profile dev]\nregion = %s\n" % (h.REGION, OTHER, h.REGION))

    def run_dump(self, url, extra, env=None):
        args = ["dump", "--format", "json", "--compact", "--no-cache", "--endpoint-url", url]
        return h.run_vpcx(args + list(extra), env or self.home.env())

    def test_two_regions_each_as_boto3_sees_it(self):
        run = self.run_dump(self.moto.url, ["--regions", "%s,%s" % (h.REGION, OTHER)])
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        out = run.json()
        self.assertEqual(list(out), ["Inventories"])
        invs = out["Inventories"]
        self.assertEqual([i["Metadata"]["Region"] for i in invs], [h.REGION, OTHER])
        for inv in invs:
            region = inv["Metadata"]["Region"]
            self.assertEqual(inv["Metadata"]["Account"], h.ACCOUNT)
            self.assertEqual(inv["Errors"], [])
            self.assertEqual(set(inv), h.TOP_KEYS | {"VpcAttributes"})
            h.assert_same_data(self, inv, self.refs[region], label=region)
        # the two regions hold different VPCs
        ids = [{v["VpcId"] for v in i["Vpcs"]} for i in invs]
        self.assertFalse(ids[0] & ids[1])

    def test_one_scope_is_the_single_document(self):
        one = self.run_dump(self.moto.url, ["--regions", OTHER])
        single = self.run_dump(self.moto.url, ["--region", OTHER])
        self.assertEqual(one.rc, h.EXIT_OK, one.describe())
        self.assertEqual(single.rc, h.EXIT_OK, single.describe())
        a, b = one.json(), single.json()
        for doc in (a, b):
            doc["Metadata"].pop("FetchedAt")
        self.assertEqual(a, b)
        self.assertNotIn("Inventories", a)

    def test_config_set_regions(self):
        home = h.CleanHome()
        try:
            os.makedirs(os.path.join(home.path, ".config", "vpcx"))
            home.write(os.path.join(".config", "vpcx", "config"),
                       "set regions %s %s\n" % (OTHER, h.REGION))
            run = self.run_dump(self.moto.url, [], env=home.env())
            self.assertEqual(run.rc, h.EXIT_OK, run.describe())
            regions = [i["Metadata"]["Region"] for i in run.json()["Inventories"]]
            self.assertEqual(regions, [OTHER, h.REGION])
            # --region names one region and wins over the config
            run = self.run_dump(self.moto.url, ["--region", OTHER], env=home.env())
            self.assertEqual(run.json()["Metadata"]["Region"], OTHER)
        finally:
            home.cleanup()

    def test_profile_globs(self):
        env = self.home.env(key=None, secret=None)
        run = self.run_dump(self.moto.url, ["--profiles", "prod-*"], env=env)
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        metas = [i["Metadata"] for i in run.json()["Inventories"]]
        self.assertEqual([(m["Profile"], m["Region"]) for m in metas],
                         [("prod-a", h.REGION), ("prod-b", OTHER)])
        # profiles x regions
        run = self.run_dump(self.moto.url, ["--profiles", "dev,prod-a", "--regions",
                                            "%s,%s" % (h.REGION, OTHER)], env=env)
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        metas = [i["Metadata"] for i in run.json()["Inventories"]]
        self.assertEqual([(m["Profile"], m["Region"]) for m in metas],
                         [("dev", h.REGION), ("dev", OTHER), ("prod-a", h.REGION),
                          ("prod-a", OTHER)])
        # a glob that matches nothing is a usage error
        run = self.run_dump(self.moto.url, ["--profiles", "staging-*"], env=env)
        self.assertEqual(run.rc, h.EXIT_USAGE, run.describe())
        self.assertIn("staging-*", run.stderr)

    def test_unknown_profile_fails_inline(self):
        env = self.home.env(key=None, secret=None)
        run = self.run_dump(self.moto.url, ["--profiles", "prod-a,nosuch"], env=env)
        self.assertEqual(run.rc, h.EXIT_PARTIAL, run.describe())
        invs = run.json()["Inventories"]
        self.assertEqual(invs[0]["Errors"], [])
        self.assertEqual(invs[1]["Metadata"]["Profile"], "nosuch")
        self.assertEqual(invs[1]["Errors"][0]["Type"], "Scope")
        self.assertIn("nosuch", invs[1]["Errors"][0]["Message"])

    def test_denied_region_fails_inline_others_load(self):
        self.proxy.set_config({"deny_regions": {OTHER: "unauthorized"}})
        try:
            run = self.run_dump(self.proxy.url, ["--regions", "%s,%s" % (h.REGION, OTHER)])
            stats = self.proxy.stats()
        finally:
            self.proxy.set_config({})
        self.assertEqual(run.rc, h.EXIT_PARTIAL, run.describe())
        invs = run.json()["Inventories"]
        ok, denied = invs
        self.assertEqual(ok["Metadata"]["Region"], h.REGION)
        self.assertEqual(ok["Errors"], [])
        h.assert_same_data(self, ok, self.refs[h.REGION], label=h.REGION)
        self.assertEqual(denied["Metadata"]["Region"], OTHER)
        codes = {e["Code"] for e in denied["Errors"]}
        self.assertEqual(codes, {"UnauthorizedOperation"})
        types = {e["Type"] for e in denied["Errors"]}
        self.assertIn("Vpcs", types)
        self.assertIn("CallerIdentity", types)
        self.assertEqual(denied["Vpcs"], [])
        self.assertIn(OTHER, stats["regions_denied"])
        self.assertIn(OTHER, run.stderr)

    def test_all_regions_denied_exits_auth(self):
        self.proxy.set_config({"deny_regions": {h.REGION: "auth", OTHER: "auth"}})
        try:
            run = self.run_dump(self.proxy.url, ["--regions", "%s,%s" % (h.REGION, OTHER)])
        finally:
            self.proxy.set_config({})
        self.assertEqual(run.rc, h.EXIT_AUTH, run.describe())
        self.assertEqual(run.stdout, "")

    def test_all_regions_from_describe_regions(self):
        run = self.run_dump(self.moto.url, ["--all-regions", "--region", h.REGION])
        self.assertEqual(run.rc, h.EXIT_USAGE, run.describe())
        run = self.run_dump(self.moto.url, ["--all-regions", "--concurrency", "32"])
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        regions = [i["Metadata"]["Region"] for i in run.json()["Inventories"]]
        ec2 = h.boto_inventory.make_client(self.moto.url, h.REGION)
        want = [r["RegionName"] for r in ec2.describe_regions()["Regions"]
                if r.get("OptInStatus", "opt-in-not-required")
                in ("opt-in-not-required", "opted-in")]
        self.assertEqual(sorted(regions), sorted(want))
        self.assertIn(OTHER, regions)

    def test_each_scope_cached_and_read_offline(self):
        home = h.CleanHome()
        try:
            env = home.env(XDG_CACHE_HOME=os.path.join(home.path, "cache"))
            args = ["dump", "--format", "json", "--compact", "--endpoint-url", self.moto.url,
                    "--regions", "%s,%s" % (h.REGION, OTHER)]
            live = h.run_vpcx(args, env)
            self.assertEqual(live.rc, h.EXIT_OK, live.describe())
            offline = h.run_vpcx(args + ["--offline"], env)
            self.assertEqual(offline.rc, h.EXIT_OK, offline.describe())
            got = offline.json()["Inventories"]
            self.assertEqual([i["Metadata"]["Region"] for i in got], [h.REGION, OTHER])
            self.assertEqual([i["Metadata"]["Source"] for i in got], ["cache", "cache"])
            for a, b in zip(live.json()["Inventories"], got):
                self.assertEqual(a["Vpcs"], b["Vpcs"])
                self.assertEqual(a["NetworkInterfaces"], b["NetworkInterfaces"])
            # a region never fetched has no cache: that scope fails, the other is read
            run = h.run_vpcx(args[:-1] + ["%s,ap-south-1" % h.REGION, "--offline"], env)
            self.assertEqual(run.rc, h.EXIT_PARTIAL, run.describe())
            invs = run.json()["Inventories"]
            self.assertEqual(invs[0]["Errors"], [])
            self.assertEqual(invs[1]["Errors"][0]["Type"], "Scope")
        finally:
            home.cleanup()

    def test_text_format_has_each_scope(self):
        run = h.run_vpcx(["dump", "--format", "text", "--no-cache", "--endpoint-url",
                          self.moto.url, "--regions", "%s,%s" % (h.REGION, OTHER)],
                         self.home.env())
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        self.assertIn(h.REGION, run.stdout)
        self.assertIn(OTHER, run.stdout)


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main(verbosity=2)
