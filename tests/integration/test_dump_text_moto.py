#!/usr/bin/env python3
"""vpcx dump --format text against moto (small account) lists every security group
with its rules, every network ACL in evaluation order with the "*" deny, every route
table with prefix-list names, and every endpoint's policy, compared with boto3's
view of the same account. Skips (77) without $VPCX_BIN."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vpcx_harness as h  # noqa: E402


class DumpTextMotoTest(h.MotoCase):
    moto_seed = 7

    @classmethod
    def seed_moto(cls):
        h.seed_account.seed(cls.moto.url, h.REGION, "small", moto_seed=7)
        cls.reference = h.reference_inventory(cls.moto.url)
        cls.dumped = h.dump(cls.moto.url, cls.home.env(), extra=["--format", "text"])

    def text(self):
        self.assertEqual(self.dumped.rc, h.EXIT_OK, self.dumped.describe())
        return self.dumped.stdout

    def test_security_groups_with_rules(self):
        out = self.text()
        self.assertIn("  security groups:\n", out)
        groups = self.reference["SecurityGroups"]
        self.assertTrue(groups)
        for g in groups:
            self.assertIn("    %s \"%s\"\n" % (g["GroupId"], g["GroupName"]), out)
            for perm in g.get("IpPermissions", []):
                for r in perm.get("IpRanges", []):
                    port = perm.get("FromPort")
                    self.assertRegex(out, r"inbound  %s %s from %s" % (
                        "tcp" if perm["IpProtocol"] in ("tcp", "6") else r"\S+",
                        port if port is not None else "all", r["CidrIp"].replace(".", r"\.")))

    def test_network_acls_in_order_with_default_deny(self):
        out = self.text()
        acls = self.reference["NetworkAcls"]
        self.assertTrue(acls)
        for acl in acls:
            start = out.index("    %s" % acl["NetworkAclId"])
            block = out[start:]
            lines = block.splitlines()[1:]
            rows = []
            for line in lines:
                parts = line.split()
                if len(parts) < 3 or parts[0] not in ("ingress", "egress"):
                    break
                rows.append((parts[0], parts[1]))
            for direction in ("ingress", "egress"):
                nums = [n for d, n in rows if d == direction]
                self.assertEqual(nums[-1], "*", (acl["NetworkAclId"], rows))
                ints = [int(n) for n in nums[:-1]]
                self.assertEqual(ints, sorted(ints))
                want = sorted(e["RuleNumber"] for e in acl["Entries"]
                              if e["Egress"] == (direction == "egress") and e["RuleNumber"] != 32767)
                self.assertEqual(ints, want)

    def test_route_tables_and_prefix_list_names(self):
        out = self.text()
        names = {p["PrefixListId"]: p["PrefixListName"] for p in self.reference["PrefixLists"]}
        seen = 0
        for rt in self.reference["RouteTables"]:
            self.assertIn("    %s" % rt["RouteTableId"], out)
            for r in rt["Routes"]:
                pl = r.get("DestinationPrefixListId")
                if pl and pl in names:
                    self.assertIn("%s (%s) -> " % (pl, names[pl]), out)
                    seen += 1
        self.assertGreater(seen, 0, "the seed has gateway endpoints with prefix-list routes")

    def test_endpoint_policies(self):
        out = self.text()
        eps = self.reference["VpcEndpoints"]
        self.assertTrue(eps)
        for ep in eps:
            doc = ep.get("PolicyDocument")
            if doc:
                flat = json.dumps(json.loads(doc), separators=(",", ":"))
                self.assertIn("      policy: " + flat, out, ep["VpcEndpointId"])
            else:
                self.assertIn("policy: (none: AWS's default full access)", out)


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main()
