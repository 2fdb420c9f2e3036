#!/usr/bin/env python3
"""Writes a snapshot with N ENIs (default 100,000) in one /15 subnet, for
measuring the explorer at scale:
  python3 tests/tui/gen_big.py /tmp/big.json 100000
  vpcx --snapshot /tmp/big.json --headless 120x40 --keys tests/tui/bench.keys.txt \\
       --screen-out /dev/null --headless-stats"""
import json
import sys


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "big.json"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    enis = []
    for i in range(n):
        ip = "10.%d.%d.%d" % (2 + (i + 10) // 65536, ((i + 10) // 256) % 256, (i + 10) % 256)
        enis.append({"NetworkInterfaceId": "eni-%017x" % i, "SubnetId": "subnet-0big",
                     "VpcId": "vpc-0big", "PrivateIpAddress": ip,
                     "PrivateIpAddresses": [{"PrivateIpAddress": ip, "Primary": True}],
                     "InterfaceType": "lambda" if i % 3 else "interface", "Status": "in-use",
                     "AvailabilityZone": "us-east-1a", "Description": "bench %d" % i})
    doc = {"Metadata": {"FormatVersion": 1, "Generator": "gen_big.py", "Account": "999999999999",
                        "Region": "us-east-1", "Source": "snapshot"},
           "Vpcs": [{"VpcId": "vpc-0big", "CidrBlock": "10.2.0.0/15", "State": "available"}],
           "Subnets": [{"SubnetId": "subnet-0big", "VpcId": "vpc-0big", "CidrBlock": "10.2.0.0/15",
                        "AvailabilityZone": "us-east-1a", "AvailabilityZoneId": "use1-az6",
                        "AvailableIpAddressCount": 131067 - n, "State": "available"}],
           "AvailabilityZones": [{"ZoneName": "us-east-1a", "ZoneId": "use1-az6"}],
           "NetworkInterfaces": enis}
    with open(path, "w") as f:
        json.dump(doc, f)


if __name__ == "__main__":
    main()
