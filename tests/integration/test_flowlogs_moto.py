#!/usr/bin/env python3
"""VPC Flow Logs against moto: seeded with boto3's create_flow_logs, fetched, dumped, checked.

One VPC per case, each with an interface endpoint (ssm) in two subnets unless said otherwise:
- "vpclog": a VPC-level log to a CloudWatch Logs group that exists (ACTIVE, SUCCESS);
- "partial": an S3 log on one of the two endpoint subnets only (no-flow-logs fires);
- "subnets": REJECT logs on both endpoint subnets (covered: no finding);
- "failed": a VPC-level log to a log group that does not exist: moto, as AWS, reports
  DeliverLogsStatus FAILED, "Access error" (no-flow-logs fires, naming it);
- "none": no log at all (no-flow-logs fires);
- "noendpoint": no endpoint, an ENI-level log on a workload ENI (out of the rule's scope).
The dump carries every log exactly as boto3 sees it (paged through the proxy too), its text
form lists them per VPC with untrusted tags escaped, the offline cache keeps them, and a
DescribeFlowLogs denied (403 UnauthorizedOperation, through the fault proxy) leaves the rest of
the inventory and the other rules working, the rule silent and the error reported.
Exit 77 without $VPCX_BIN."""
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vpcx_harness as h  # noqa: E402

import boto3  # noqa: E402

SVC = "com.amazonaws.us-east-1.ssm"
# A C1 CSI and a bidi override (XML cannot carry ESC itself: moto would send it raw).
HOSTILE = "flow\u009b31mred\u202eevil"
FORMAT = "${version} ${interface-id} ${srcaddr} ${dstaddr} ${dstport} ${action}"


def client(url, service):
    return boto3.client(service, endpoint_url=url, region_name=h.REGION,
                        aws_access_key_id=h.TEST_KEY, aws_secret_access_key=h.TEST_SECRET)


def seed(url):
    ec2, logs, s3 = client(url, "ec2"), client(url, "logs"), client(url, "s3")
    logs.create_log_group(logGroupName="/vpc/flow")
    s3.create_bucket(Bucket="flow-logs-bucket")
    role = "arn:aws:iam::%s:role/flow-logs" % h.ACCOUNT
    ids = {"endpoints": []}

    def vpc(name, n, endpoint=True):
        v = ec2.create_vpc(CidrBlock="10.%d.0.0/16" % n)["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=v, CidrBlock="10.%d.%d.0/24" % (n, k),
                                     AvailabilityZone="us-east-1" + az)["Subnet"]["SubnetId"]
                   for k, az in enumerate("ab")]
        if endpoint:
            ids["endpoints"].append(ec2.create_vpc_endpoint(
                VpcId=v, ServiceName=SVC, VpcEndpointType="Interface", SubnetIds=subnets,
                PrivateDnsEnabled=False)["VpcEndpoint"]["VpcEndpointId"])
        ids[name] = v
        ids[name + "-subnets"] = subnets
        return v, subnets

    def flow_log(kind, resource, traffic="ALL", **kw):
        r = ec2.create_flow_logs(ResourceType=kind, ResourceIds=[resource], TrafficType=traffic,
                                 **kw)
        assert not r["Unsuccessful"], r
        return r["FlowLogIds"][0]

    v, _ = vpc("vpclog", 61)
    ids["fl-vpc"] = flow_log("VPC", v, LogGroupName="/vpc/flow", DeliverLogsPermissionArn=role,
                             LogFormat=FORMAT, TagSpecifications=[{
                                 "ResourceType": "vpc-flow-log",
                                 "Tags": [{"Key": "Name", "Value": HOSTILE}]}])
    _, sn = vpc("partial", 62)
    ids["fl-partial"] = flow_log("Subnet", sn[0], LogDestinationType="s3",
                                 LogDestination="arn:aws:s3:::flow-logs-bucket")
    _, sn = vpc("subnets", 63)
    for k, s in enumerate(sn):
        ids["fl-subnet-%d" % k] = flow_log("Subnet", s, "REJECT", LogDestinationType="s3",
                                           LogDestination="arn:aws:s3:::flow-logs-bucket")
    v, _ = vpc("failed", 64)
    ids["fl-failed"] = flow_log("VPC", v, LogGroupName="/vpc/missing",
                                DeliverLogsPermissionArn=role)
    vpc("none", 65)
    _, sn = vpc("noendpoint", 66, endpoint=False)
    eni = ec2.create_network_interface(SubnetId=sn[0], Description="app")
    ids["eni"] = eni["NetworkInterface"]["NetworkInterfaceId"]
    ids["fl-eni"] = flow_log("NetworkInterface", ids["eni"], "REJECT",
                             LogGroupName="/vpc/flow", DeliverLogsPermissionArn=role)
    return ids


class FlowLogsMoto(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = h.motoctl.MotoServer().start()
        cls.addClassCleanup(cls.moto.stop)  # also when seeding fails
        cls.home = h.CleanHome()
        cls.addClassCleanup(cls.home.cleanup)
        cls.ids = seed(cls.moto.url)
        cls.reference = h.reference_inventory(cls.moto.url)
        cls.env = cls.home.env(XDG_CONFIG_HOME=cls.home.path)

    def vpcx(self, *args, url=None):
        return h.run_vpcx(list(args) + ["--endpoint-url", url or self.moto.url,
                                        "--region", h.REGION], self.env)

    def findings(self, *extra, url=None):
        r = self.vpcx("check", "--format", "json", "--fail-on", "info", "--no-cache", *extra,
                      url=url)
        return r, {(f["RuleId"], f["ResourceId"]): f for f in r.json()["Findings"]}

    def test_dump_carries_the_flow_logs(self):
        r = h.dump(self.moto.url, self.env, ["--no-cache"])
        self.assertEqual(r.rc, h.EXIT_OK, r.describe())
        out = r.json()
        self.assertEqual(out["Errors"], [])
        h.assert_same_data(self, out, self.reference, types=["FlowLogs"])
        logs = {f["FlowLogId"]: f for f in out["FlowLogs"]}
        self.assertEqual(len(logs), 6)
        vpc_log = logs[self.ids["fl-vpc"]]
        self.assertEqual(vpc_log["ResourceId"], self.ids["vpclog"])
        self.assertEqual(vpc_log["LogGroupName"], "/vpc/flow")
        self.assertEqual(vpc_log["TrafficType"], "ALL")
        self.assertEqual(vpc_log["LogFormat"], FORMAT)
        self.assertEqual(vpc_log["DeliverLogsStatus"], "SUCCESS")
        self.assertEqual(vpc_log["Tags"], [{"Key": "Name", "Value": HOSTILE}])
        s3_log = logs[self.ids["fl-partial"]]
        self.assertEqual(s3_log["LogDestinationType"], "s3")
        self.assertEqual(s3_log["LogDestination"], "arn:aws:s3:::flow-logs-bucket")
        failed = logs[self.ids["fl-failed"]]
        self.assertEqual(failed["DeliverLogsStatus"], "FAILED")
        self.assertEqual(failed["DeliverLogsErrorMessage"], "Access error")
        for bad in ("\x1b", "\u009b", "\u202e"):
            self.assertNotIn(bad, r.stdout)

    def test_paged_through_the_proxy(self):
        config = {"paging": {"enabled": True, "cap": 2}}
        with h.awsproxy.AwsProxy(self.moto.url, config) as proxy:
            r = h.dump(proxy.url, self.env, ["--no-cache"])
            stats = proxy.stats()
        self.assertEqual(r.rc, h.EXIT_OK, r.describe())
        h.assert_same_data(self, r.json(), self.reference, types=["FlowLogs"], label="paged")
        self.assertEqual(stats["pages"]["DescribeFlowLogs"], 3)  # 6 logs, 2 a page
        self.assertEqual(stats["tokens_issued"]["DescribeFlowLogs"],
                         stats["tokens_redeemed"]["DescribeFlowLogs"])

    def test_text_lists_flow_logs_per_vpc(self):
        r = self.vpcx("dump", "--format", "text", "--no-cache")
        self.assertEqual(r.rc, h.EXIT_OK, r.describe())
        blocks = {}
        for block in r.stdout.split("\nVPC ")[1:]:
            blocks[block.split()[0]] = block
        vpc_block = blocks[self.ids["vpclog"]]
        self.assertIn("  flow logs:\n    %s \"flow\\x9b31mred\\u202eevil\" on VPC %s: ALL to "
                      "cloud-watch-logs /vpc/flow, ACTIVE, delivery SUCCESS\n"
                      % (self.ids["fl-vpc"], self.ids["vpclog"]), vpc_block)
        self.assertIn("      format %s\n" % FORMAT, vpc_block)
        self.assertIn("%s on subnet %s: ALL to s3 arn:aws:s3:::flow-logs-bucket"
                      % (self.ids["fl-partial"], self.ids["partial-subnets"][0]),
                      blocks[self.ids["partial"]])
        self.assertIn("delivery FAILED: Access error (not recording)", blocks[self.ids["failed"]])
        self.assertIn("  flow logs: none\n", blocks[self.ids["none"]])
        self.assertIn("%s on ENI %s: REJECT" % (self.ids["fl-eni"], self.ids["eni"]),
                      blocks[self.ids["noendpoint"]])
        for bad in ("\x1b", "\u009b", "\u202e"):
            self.assertNotIn(bad, r.stdout)

    def test_rule_fires_where_no_log_records_the_endpoints(self):
        r, got = self.findings()
        rule = {res for (rid, res) in got if rid == "no-flow-logs"}
        i = self.ids
        self.assertEqual(rule, {i["partial"], i["failed"], i["none"]}, r.describe())
        f = got[("no-flow-logs", i["partial"])]
        self.assertEqual(f["Severity"], "warning")
        self.assertIn("Endpoint subnets without a recording flow log: %s"
                      % i["partial-subnets"][1], f["Evidence"])
        f = got[("no-flow-logs", i["failed"])]
        self.assertIn("Flow logs on %s: %s (delivery FAILED: Access error)"
                      % (i["failed"], i["fl-failed"]), f["Evidence"])
        self.assertIn("aws ec2 create-flow-logs --resource-type VPC --resource-ids %s"
                      % i["failed"], f["Fix"])

    def test_denied_leaves_the_rest_working(self):
        faults = {"faults": {"DescribeFlowLogs": [{"kind": "unauthorized", "always": True}]}}
        with h.awsproxy.AwsProxy(self.moto.url, faults) as proxy:
            r = h.dump(proxy.url, self.env, ["--no-cache"])
            rc, got = self.findings(url=proxy.url)
        self.assertEqual(r.rc, h.EXIT_PARTIAL, r.describe())
        out = r.json()
        self.assertEqual([e["Type"] for e in out["Errors"]], ["FlowLogs"])
        self.assertEqual(out["Errors"][0]["Code"], "UnauthorizedOperation")
        self.assertEqual(out["FlowLogs"], [])
        h.assert_same_data(self, out, self.reference,
                           types=[t for t in h.DATA_SECTIONS if t != "FlowLogs"])
        self.assertEqual(rc.rc, h.EXIT_ERROR, rc.describe())  # other rules still ran
        self.assertFalse({k for k in got if k[0] == "no-flow-logs"}, rc.describe())
        # Created without a policy: AWS's default, found with flow logs denied as without.
        self.assertEqual({res for (rid, res) in got if rid == "policy-full-access"},
                         set(self.ids["endpoints"]), rc.describe())
        # Cached while denied: read back, the flow logs are still unknown, not none.
        with h.awsproxy.AwsProxy(self.moto.url, faults) as proxy:
            r = self.vpcx("dump", "--format", "json", url=proxy.url)
            self.assertEqual(r.rc, h.EXIT_PARTIAL, r.describe())
            r = self.vpcx("check", "--format", "json", "--fail-on", "info", "--offline",
                          url=proxy.url)
        self.assertFalse([f for f in r.json()["Findings"] if f["RuleId"] == "no-flow-logs"],
                         r.describe())
        self.assertTrue([f for f in r.json()["Findings"] if f["RuleId"] == "policy-full-access"])

    def test_offline_cache_keeps_them(self):
        r = self.vpcx("dump", "--format", "json")
        self.assertEqual(r.rc, h.EXIT_OK, r.describe())
        r = self.vpcx("dump", "--format", "json", "--offline")
        self.assertEqual(r.rc, h.EXIT_OK, r.describe())
        self.assertEqual(r.json()["Metadata"]["Source"], "cache")
        h.assert_same_data(self, r.json(), self.reference, types=["FlowLogs"], label="offline")
        r = self.vpcx("check", "--format", "json", "--fail-on", "info", "--offline")
        rule = {f["ResourceId"] for f in r.json()["Findings"] if f["RuleId"] == "no-flow-logs"}
        self.assertEqual(rule, {self.ids["partial"], self.ids["failed"], self.ids["none"]})


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main()
