#!/usr/bin/env python3
"""vpcx dump against answers no real EC2 sends, through awsproxy in front of moto: a gzip
answer that inflates past the body cap, a page of far more items than any MaxResults allows,
and an item larger than any real one (the caps of include/vpcx/aws/limits.h). Each must fail
exactly the type it hit, at once and without a retry, with a message naming the operation and
the cap, and leave every other type as the clean dump has it. Skips (77) without $VPCX_BIN.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vpcx_harness as h  # noqa: E402

MIB = 1 << 20


class HostilePagesTest(h.MotoCase):
    moto_seed = 5
    proxy_config = {}

    @classmethod
    def ready(cls):
        cls.clean = h.dump(cls.proxy.url, cls.home.env())

    def run_with(self, action, rule):
        self.proxy.set_config({"faults": {action: [dict(rule, always=True)]}})
        run = h.dump(self.proxy.url, self.home.env(), timeout=300)
        return run, self.proxy.stats()

    def assert_type_failed(self, run, stats, action, section, words):
        self.assertEqual(self.clean.rc, h.EXIT_OK, self.clean.describe())
        self.assertEqual(run.rc, h.EXIT_PARTIAL, run.describe())
        out = run.json()
        errors = out["Errors"]
        self.assertEqual([e.get("Type") for e in errors], [section], run.describe())
        message = errors[0].get("Message", "")
        self.assertTrue(message.startswith(action + ": "), message)
        for w in words:
            self.assertIn(w, message)
        self.assertEqual(stats["requests"][action], 1, "a response over a cap is not retried")
        others = [t for t in h.DATA_SECTIONS if t != section]
        h.assert_same_data(self, out, self.clean.json(), types=others, label=section)
        return out

    def test_gzip_bomb_hits_the_body_cap(self):
        # 300 MiB of text once decoded, from about 300 KB on the wire.
        rule = {"kind": "gzip_bomb", "mib": 300, "fill": "space"}
        run, stats = self.run_with("DescribeSubnets", rule)
        self.assert_type_failed(run, stats, "DescribeSubnets", "Subnets",
                                ["larger than 256 MiB decoded", "cap on one response"])

    def test_page_of_too_many_items(self):
        # 20 MiB of small items: about 450,000, where a page holds at most 1000.
        rule = {"kind": "gzip_bomb", "mib": 20, "fill": "items"}
        run, stats = self.run_with("DescribeSubnets", rule)
        out = self.assert_type_failed(run, stats, "DescribeSubnets", "Subnets",
                                      ["more than 10000 Subnets", "cap on items in one page"])
        # The items before the cap went in (one ID, put many times); nothing else.
        self.assertLessEqual(len(out["Subnets"]), 1)

    def test_item_over_the_item_cap(self):
        # Padding EC2 never sends is skipped: an item well under the cap reads as clean.
        run, _ = self.run_with("DescribeSecurityGroups", {"kind": "big_item", "kib": 512})
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        h.assert_same_data(self, run.json(), self.clean.json(), label="512 KiB item")
        run, stats = self.run_with("DescribeSecurityGroups", {"kind": "big_item", "kib": 1536})
        self.assert_type_failed(run, stats, "DescribeSecurityGroups", "SecurityGroups",
                                ["item 1 of SecurityGroups is larger than 1024 KiB",
                                 "the cap on one item"])

if __name__ == "__main__":
    h.require_vpcx()
    unittest.main(verbosity=2)
