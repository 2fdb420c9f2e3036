#!/usr/bin/env python3
"""Seed a moto account with one interface endpoint and its CloudWatch PrivateLink metrics.

    seed_metrics.py URL [REGION]      # prints the seeded IDs as JSON
    import seed_metrics; ids = seed_metrics.seed(url, region)

The account: a VPC (10.20.0.0/16) with subnets in zones a and b, an interface endpoint for
kms in both, and an S3 gateway endpoint. put_metric_data seeds AWS/PrivateLinkEndpoints
datapoints with the dimension sets AWS publishes: the endpoint's (VPC Id, VPC Endpoint Id,
Endpoint Type, Service Name) and subnet a's (the same plus Subnet Id); subnet b has none.
Decoys with one dimension more or one fewer carry huge values that a query with the exact
dimension set must never see.

POINTS datapoints per series, 5 minutes apart, the newest 7 minutes before seeding: each
falls in its own 5-minute bucket of the last 3 hours whatever the clock's phase. Index 0 is
the newest. EXPECTED holds what each series sums to, its min, max and last (newest) value.
"""
import datetime
import json
import sys

import boto3

POINTS = 24
SERVICE = "com.amazonaws.{region}.kms"
NAMESPACE = "AWS/PrivateLinkEndpoints"


def endpoint_values(i):
    return {
        "ActiveConnections": 10 + i % 4,
        "NewConnections": 2 * i,
        "BytesProcessed": 1_000_000 * (POINTS - i),
        "PacketsDropped": 3 if i == 5 else 0,
        "RstPacketsReceived": 1 if i in (2, 9) else 0,
    }


def subnet_values(i):
    return {
        "ActiveConnections": 5 + i % 2,
        "NewConnections": i,
        "BytesProcessed": 500_000 * (POINTS - i),
        "PacketsDropped": 3 if i == 5 else 0,
        "RstPacketsReceived": 0,
    }


def expected(values):
    """{metric: {"sum", "min", "max", "last", "series"}} with series oldest first."""
    out = {}
    for name in endpoint_values(0):
        series = [values(i)[name] for i in reversed(range(POINTS))]
        out[name] = {"sum": sum(series), "min": min(series), "max": max(series),
                     "last": series[-1], "series": series}
    return out


EXPECTED = {"endpoint": expected(endpoint_values), "subnet": expected(subnet_values)}


def clients(url, region, key="testing", secret="testing"):
    kw = dict(endpoint_url=url, region_name=region, aws_access_key_id=key,
              aws_secret_access_key=secret)
    return boto3.client("ec2", **kw), boto3.client("cloudwatch", **kw)


def put(cw, data):
    # moto answers a batch of more than 20 datapoints with HTTP 500.
    for k in range(0, len(data), 20):
        cw.put_metric_data(Namespace=NAMESPACE, MetricData=data[k:k + 20])


def seed(url, region="us-east-1", now=None):
    ec2, cw = clients(url, region)
    service = SERVICE.format(region=region)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    sa = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24",
                           AvailabilityZone=region + "a")["Subnet"]["SubnetId"]
    sb = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.2.0/24",
                           AvailabilityZone=region + "b")["Subnet"]["SubnetId"]
    ep = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=service, VpcEndpointType="Interface",
                                 SubnetIds=[sa, sb])["VpcEndpoint"]["VpcEndpointId"]
    rtb = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    gw = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName="com.amazonaws.%s.s3" % region, VpcEndpointType="Gateway",
        RouteTableIds=[rtb["RouteTables"][0]["RouteTableId"]])["VpcEndpoint"]["VpcEndpointId"]
    dims = [{"Name": "VPC Id", "Value": vpc}, {"Name": "VPC Endpoint Id", "Value": ep},
            {"Name": "Endpoint Type", "Value": "Interface"},
            {"Name": "Service Name", "Value": service}]
    sub_dims = dims + [{"Name": "Subnet Id", "Value": sa}]
    now = now or datetime.datetime.now(datetime.timezone.utc)
    data = []
    for i in range(POINTS):
        t = now - datetime.timedelta(minutes=7 + 5 * i)
        for name, v in endpoint_values(i).items():
            data.append({"MetricName": name, "Dimensions": dims, "Timestamp": t, "Value": v})
        for name, v in subnet_values(i).items():
            data.append({"MetricName": name, "Dimensions": sub_dims, "Timestamp": t, "Value": v})
        for decoy in (dims + [{"Name": "AZ", "Value": region + "a"}], dims[:3]):
            data.append({"MetricName": "BytesProcessed", "Dimensions": decoy, "Timestamp": t,
                         "Value": 9e12})
            data.append({"MetricName": "PacketsDropped", "Dimensions": decoy, "Timestamp": t,
                         "Value": 1000})
    put(cw, data)
    return {"vpc": vpc, "subnet_a": sa, "subnet_b": sb, "endpoint": ep, "gateway": gw,
            "service": service}


if __name__ == "__main__":
    print(json.dumps(seed(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "us-east-1")))
