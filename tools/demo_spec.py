"""The demo account, as data: what tools/make_demo.py turns into data/demo.json.

Every resource is named here with the ID it keeps; the generator fills in what AWS derives
(addresses, counts, ENIs, DNS entries, default groups and NACL entries) the way AWS does.
The deliberate problems are marked "PROBLEM" and listed in data/README.md; everything else
is meant to be clean, so `vpcx check --demo` reports those and nothing more.
"""

ACCOUNT = "123456789012"
REGION = "us-east-1"
FETCHED_AT = "2026-11-26T09:00:00Z"
CREATED_AT = "2026-11-26T08:12:40.000Z"

# Interface endpoint ENIs are created by the PrivateLink service, not by the account: AWS
# marks them RequesterManaged and puts an AWS-owned account in RequesterId.
ENDPOINT_REQUESTER_ID = "727180483921"
# Hosted zone of the regional vpce.amazonaws.com names in us-east-1 (DnsEntries).
VPCE_HOSTED_ZONE = "Z7HUB22UULQXV"

# Zone name -> zone ID, as this account maps them (the mapping differs between accounts).
AZS = [
    ("us-east-1a", "use1-az6"),
    ("us-east-1b", "use1-az1"),
    ("us-east-1c", "use1-az2"),
    ("us-east-1d", "use1-az4"),
    ("us-east-1e", "use1-az3"),
    ("us-east-1f", "use1-az5"),
]

VPCS = [
    {
        "id": "vpc-a544ff1e02cee8941",
        "key": "prod",
        "cidr": "10.0.0.0/16",
        "ipv6": ("vpc-cidr-assoc-39c8546abfb4d00ce", "2400:6500:5cee:5100::/56"),
        "assoc": "vpc-cidr-assoc-9727f3dc2b07e28b5",
        "tags": [("Name", "prod-core"), ("Env", "prod"),
                 ("Team", "ネットワーク班 / فريق الشبكة / 网络组"), ("CostCenter", "cc-1042")],
        "dns_support": True,
        "dns_hostnames": True,
        "default_sg": "sg-c72a19272c71b5ca2",
        "default_acl": ("acl-500490d7f15f2f6d3", "aclassoc-4acb"),
        "igw": "igw-f71b30f0a9b2be661",
    },
    {
        "id": "vpc-30e24bdcd19a93686",
        "key": "staging",
        "cidr": "10.20.0.0/16",
        "assoc": "vpc-cidr-assoc-c66c77bf8de6dabd2",
        "tags": [("Name", "staging"), ("Env", "staging"),
                 ("Notes", "<b>&amp; \"quoted\" 'single' </b>")],
        # PROBLEM: DNS hostnames off while staging-ssmmessages asks for private DNS.
        "dns_support": True,
        "dns_hostnames": False,
        "default_sg": "sg-ef6c1f2e818d361db",
        "default_acl": ("acl-d66cd56cc56acf3b3", "aclassoc-d66c"),
    },
    {
        "id": "vpc-a30f7741c4f5e78bd",
        "key": "shared",
        "cidr": "172.16.0.0/16",
        "assoc": "vpc-cidr-assoc-ef6ec0be14dfd944d",
        "tags": [("Name", "shared"), ("Env", "shared")],
        "dns_support": True,
        "dns_hostnames": True,
        "default_sg": "sg-a81a36a4403a3ada2",
        "default_acl": ("acl-78b076b59225b9d76", "aclassoc-78b0"),
    },
    {
        # The account's default VPC: one public /20 per AZ, nothing in it.
        "id": "vpc-33cc53c2c4dbcf21f",
        "key": "default",
        "cidr": "172.31.0.0/16",
        "assoc": "vpc-cidr-assoc-417d8e8e2d923bfcc",
        "is_default": True,
        "tags": [],
        "dns_support": True,
        "dns_hostnames": True,
        "default_sg": "sg-2390436d16feea06d",
        "default_acl": ("acl-7c77480661b577980", "aclassoc-7c77"),
    },
]

# Workloads are ENIs that are not endpoints': (kind, count, name[, Owner tag]). Kinds are
# made the way AWS makes them (see KINDS in make_demo.py); instances carry Name and Owner.
SUBNETS = [
    {"id": "subnet-342c8307a0958b767", "vpc": "prod", "cidr": "10.0.0.0/21", "az": "us-east-1a",
     "tags": [("Name", "prod-app-a"), ("Tier", "app")],
     "workloads": [("lambda", 30, "orders-api"), ("eks", 2, "batch-cluster"),
                   ("k8s", 24, "batch-cluster"), ("instance", 4, "batch-node", "team-red")]},
    {"id": "subnet-a585897cfddedc9a1", "vpc": "prod", "cidr": "10.0.8.0/24", "az": "us-east-1b",
     "tags": [("Name", "prod-app-b-busy"), ("Tier", "app")],
     # About 72% used: busy, under the 80% a check calls nearly full.
     "workloads": [("lambda", 60, "orders-api"), ("alb", 2, "web-internal"),
                   ("k8s", 109, "batch-cluster"), ("instance", 6, "batch-node", "team-blue")]},
    {"id": "subnet-ea93ce262af9887fe", "vpc": "prod", "cidr": "10.0.9.0/24", "az": "us-east-1c",
     "ipv6": ("subnet-cidr-assoc-202c80bc7dccd0e91", "2400:6500:5cee:5100::/64"),
     "tags": [("Name", "prod-app-c-v6"), ("Tier", "app")],
     "workloads": [("eks", 2, "batch-cluster"), ("k8s", 12, "batch-cluster"),
                   ("instance", 8, "batch-node", "team-red")]},
    {"id": "subnet-b71df36b8fe8707cb", "vpc": "prod", "cidr": "10.0.10.0/28", "az": "us-east-1a",
     "tags": [("Name", "prod-endpoints-a"), ("Tier", "endpoints")],
     # PROBLEM: a /28 (11 usable) with 9 in use: 2 endpoint ENIs and a proxy fleet.
     "workloads": [("instance", 7, "egress-proxy", "team-green")]},
    {"id": "subnet-ccabbfb4a7ed286b0", "vpc": "prod", "cidr": "10.0.11.0/26", "az": "us-east-1b",
     "tags": [("Name", "prod-data-b"), ("Tier", "data")],
     "workloads": [("rds", 10, "orders-db")]},
    {"id": "subnet-b266b9c1494fb32d3", "vpc": "staging", "cidr": "10.20.0.0/22",
     "az": "us-east-1a", "tags": [("Name", "stg-a"), ("Tier", "a")],
     "workloads": [("lambda", 10, "orders-api-stg"), ("nlb", 1, "nlb-tcp"),
                   ("k8s", 18, "stg-cluster"), ("instance", 2, "stg-node", "team-red")]},
    {"id": "subnet-d68ab55dd3143b66b", "vpc": "staging", "cidr": "10.20.4.0/24",
     "az": "us-east-1b", "tags": [("Name", "stg-b"), ("Tier", "b")],
     "workloads": [("lambda", 8, "orders-api-stg"), ("rds", 7, "orders-db-stg")]},
    {"id": "subnet-a596477dc9a828b57", "vpc": "staging", "cidr": "10.20.5.0/27",
     "az": "us-east-1c", "tags": [("Name", "stg-c"), ("Tier", "c")],
     "workloads": [("nat", 1, "stg-egress"), ("instance", 3, "stg-node", "team-red")]},
    {"id": "subnet-d2a6796c6d987fca3", "vpc": "shared", "cidr": "172.16.0.0/23",
     "az": "us-east-1a", "tags": [("Name", "shared-a"), ("Tier", "a")],
     "workloads": [("nat", 1, "shared-egress"), ("nlb", 1, "ldap"), ("alb", 1, "wiki"),
                   ("instance", 9, "ldap-node", "team-blue")]},
    {"id": "subnet-4b6540cb59a35c0b5", "vpc": "shared", "cidr": "172.16.2.0/24",
     "az": "us-east-1b", "tags": [("Name", "shared-b"), ("Tier", "b")],
     "workloads": [("lambda", 3, "rotate-secrets"), ("alb", 1, "wiki"),
                   ("instance", 3, "ldap-node", "team-blue")]},
    # The default VPC's default subnets.
    {"id": "subnet-bebe9756b49114c49", "vpc": "default", "cidr": "172.31.0.0/20",
     "az": "us-east-1a", "default": True},
    {"id": "subnet-da74b37699c5d15c0", "vpc": "default", "cidr": "172.31.16.0/20",
     "az": "us-east-1b", "default": True},
    {"id": "subnet-4c80bb88c80d2db9b", "vpc": "default", "cidr": "172.31.32.0/20",
     "az": "us-east-1c", "default": True},
    {"id": "subnet-3fa590331c9419f7c", "vpc": "default", "cidr": "172.31.48.0/20",
     "az": "us-east-1d", "default": True},
    {"id": "subnet-d74cf3d2565f4bdac", "vpc": "default", "cidr": "172.31.64.0/20",
     "az": "us-east-1e", "default": True},
    {"id": "subnet-a67335637eb0ae219", "vpc": "default", "cidr": "172.31.80.0/20",
     "az": "us-east-1f", "default": True},
]

# Security groups other than the VPCs' default ones. Ingress: (protocol, from, to, peer,
# description); a peer is a CIDR or "sg:ID". Egress is AWS's default (all to 0.0.0.0/0).
SECURITY_GROUPS = [
    {"id": "sg-e2065aa95ed90a37a", "vpc": "prod", "name": "prod-endpoints-https",
     "description": "HTTPS from the VPC",
     "ingress": [("tcp", 443, 443, "10.0.0.0/16", "prod-core")]},
    # PROBLEM: the only group of prod-ec2messages, and it does not admit 443.
    {"id": "sg-d6a47113618568990", "vpc": "prod", "name": "prod-ssh-only",
     "description": "SSH from the office",
     "ingress": [("tcp", 22, 22, "192.168.100.0/24", "office")]},
    {"id": "sg-d86f608e3e81136b2", "vpc": "staging", "name": "staging-endpoints-https",
     "description": "HTTPS from the VPC",
     "ingress": [("tcp", 443, 443, "10.20.0.0/16", "staging")]},
    {"id": "sg-5bf590874ec1098b2", "vpc": "staging", "name": "staging-ssh-only",
     "description": "SSH from the office",
     "ingress": [("tcp", 22, 22, "192.168.100.0/24", "office")]},
    {"id": "sg-228364e56819ff73f", "vpc": "shared", "name": "shared-endpoints-https",
     "description": "HTTPS from the VPC and from prod",
     "ingress": [("tcp", 443, 443, "172.16.0.0/16", "shared"),
                 ("tcp", 443, 443, "10.0.0.0/16", "prod-core over peering")]},
    {"id": "sg-7353a70fc9539063e", "vpc": "shared", "name": "shared-ssh-only",
     "description": "SSH from the office",
     "ingress": [("tcp", 22, 22, "192.168.100.0/24", "office")]},
]

# Which group the workload ENIs of a VPC are in (NAT gateway ENIs have none, as in AWS).
WORKLOAD_GROUP = {
    "prod": "sg-d6a47113618568990",
    "staging": "sg-5bf590874ec1098b2",
    "shared": "sg-7353a70fc9539063e",
}

# Custom NACLs; each VPC also has its default one (allow all, then the "*" deny). Entries:
# (rule number, egress, protocol number, from, to, cidr, action).
NETWORK_ACLS = [
    {"id": "acl-89fa02f020ae98e2b", "vpc": "prod", "name": "prod-data-strict",
     "subnets": [("subnet-ccabbfb4a7ed286b0", "aclassoc-f9a1381e2af5cf90b")],
     "entries": [(100, False, "6", 443, 443, "10.0.0.0/16", "allow"),
                 (110, False, "6", 5432, 5432, "10.0.0.0/16", "allow"),
                 (200, False, "-1", None, None, "0.0.0.0/0", "deny"),
                 (100, True, "6", 1024, 65535, "10.0.0.0/16", "allow")]},
]

# Route tables: associations ("main" or a subnet ID with its association ID) and routes
# besides "local"; gateway endpoint routes come from the endpoints' route tables.
ROUTE_TABLES = [
    {"id": "rtb-4281f9fb23a1e8fdb", "vpc": "prod", "tags": [],
     "assoc": [("main", "rtbassoc-86c9891c62d4fd698")],
     "routes": [("0.0.0.0/0", "igw-f71b30f0a9b2be661")]},
    {"id": "rtb-12586e3f3f20a81cd", "vpc": "prod", "tags": [("Name", "prod-private")],
     "assoc": [("subnet-a585897cfddedc9a1", "rtbassoc-aa9b2aab7106f653d"),
               ("subnet-ea93ce262af9887fe", "rtbassoc-4bf4269c845f2b6ff"),
               ("subnet-ccabbfb4a7ed286b0", "rtbassoc-fa152ef0c1b89a6c8")],
     "routes": []},
    {"id": "rtb-b4f5e0cdb6fa8afe3", "vpc": "staging", "tags": [],
     "assoc": [("main", "rtbassoc-a398985d987652bc9")], "routes": []},
    {"id": "rtb-4ae7cbb36aa25c69d", "vpc": "staging", "tags": [("Name", "staging-private")],
     "assoc": [("subnet-d68ab55dd3143b66b", "rtbassoc-0c48c55272991b56b"),
               ("subnet-a596477dc9a828b57", "rtbassoc-3d0b1c1e6f5e7a2b9")],
     "routes": []},
    {"id": "rtb-cb8c47aadd89f55f2", "vpc": "shared", "tags": [],
     "assoc": [("main", "rtbassoc-ccaa9272d99667706")], "routes": []},
    {"id": "rtb-3a81e4f33c3a1790e", "vpc": "shared", "tags": [("Name", "shared-private")],
     "assoc": [("subnet-4b6540cb59a35c0b5", "rtbassoc-1e103d68df369c6e8")], "routes": []},
    {"id": "rtb-a8e60e7d6f1cac6f7", "vpc": "default", "tags": [],
     "assoc": [("main", "rtbassoc-272b7701385297687")], "routes": []},
]

# VPC flow logs. prod-core sends all traffic to CloudWatch Logs, shared its rejects to S3.
# PROBLEM: staging has interface endpoints and no flow log (no-flow-logs).
FLOW_LOGS = [
    {"vpc": "prod", "traffic": "ALL", "destination": "cloud-watch-logs",
     "log_group": "/vpc/prod-core/flow", "role": "vpc-flow-logs", "tags": [("Name", "prod-core-all")]},
    {"vpc": "shared", "traffic": "REJECT", "destination": "s3",
     "bucket": "example-network-logs", "prefix": "shared/", "tags": [("Name", "shared-rejects")]},
]

PREFIX_LISTS = [
    ("pl-1c9ae5ad4e006273e", "com.amazonaws.global.groundstation"),
    ("pl-2696cd996d0b948c2", "com.amazonaws.us-east-1.ipv6.vpc-lattice"),
    ("pl-3aea1edf2682e8e13", "com.amazonaws.us-east-1.dynamodb"),
    ("pl-a5186125f71cbd246", "com.amazonaws.us-east-1.s3"),
    ("pl-d52eb4d5647f7fc44", "com.amazonaws.global.cloudfront.origin-facing"),
    ("pl-ec47d9216398dd4d3", "com.amazonaws.us-east-1.vpc-lattice"),
]


def only_from_vpc(vpc_id, action):
    """A policy that limits the endpoint to callers in its VPC (not full access)."""
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "OnlyFromThisVpc",
            "Effect": "Allow",
            "Principal": "*",
            "Action": action,
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceVpc": vpc_id}},
        }],
    }


# AWS's default policy, what an endpoint gets when created without one.
FULL_ACCESS = {"Version": "2008-10-17",
               "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*",
                              "Resource": "*"}]}

PROD = "vpc-a544ff1e02cee8941"
STAGING = "vpc-30e24bdcd19a93686"
SHARED = "vpc-a30f7741c4f5e78bd"

# Interface endpoints list their subnets with the ENI each one got (IDs kept stable);
# gateway endpoints list their route tables.
ENDPOINTS = [
    {"id": "vpce-cd4e6989a506452aa", "type": "Interface", "vpc": "prod", "service": "ssm",
     "name": "prod-ssm", "groups": ["sg-e2065aa95ed90a37a"], "private_dns": True,
     "policy": only_from_vpc(PROD, "ssm:*"),
     "enis": [("subnet-342c8307a0958b767", "eni-5f5035e1b552f9c3b"),
              ("subnet-a585897cfddedc9a1", "eni-f891ca2f17eaf27bd"),
              ("subnet-ea93ce262af9887fe", "eni-342c2ca7107a3bd73")]},
    # PROBLEM: one AZ only, and its one group does not admit 443.
    {"id": "vpce-11cbb5606ad9a5d72", "type": "Interface", "vpc": "prod",
     "service": "ec2messages", "name": "prod-ec2messages", "groups": ["sg-d6a47113618568990"],
     "private_dns": True, "policy": only_from_vpc(PROD, "ec2messages:*"),
     "enis": [("subnet-b71df36b8fe8707cb", "eni-dd99caa1c001d09bf")]},
    {"id": "vpce-4715873ba1fc0c37f", "type": "Interface", "vpc": "prod", "service": "sts",
     "name": "prod-sts", "groups": ["sg-e2065aa95ed90a37a"], "private_dns": True,
     "policy": only_from_vpc(PROD, "sts:AssumeRole"),
     "enis": [("subnet-b71df36b8fe8707cb", "eni-7f005d0105fa1e255"),
              ("subnet-a585897cfddedc9a1", "eni-40116330c11a00c3f"),
              ("subnet-ea93ce262af9887fe", "eni-2c6e1d0a9b7f43c15")]},
    # PROBLEM: created without a policy, so it has AWS's full-access default.
    {"id": "vpce-c3c27dc11431791ac", "type": "Interface", "vpc": "prod", "service": "logs",
     "name": "prod-logs", "groups": ["sg-e2065aa95ed90a37a", "sg-d6a47113618568990"],
     "private_dns": True, "policy": FULL_ACCESS,
     "enis": [("subnet-342c8307a0958b767", "eni-9b1d4e7a20c5f3168"),
              ("subnet-a585897cfddedc9a1", "eni-e07c3b5f81a2d4967"),
              ("subnet-ea93ce262af9887fe", "eni-3490413058a46dd9a")]},
    {"id": "vpce-299d721095bf7a99a", "type": "Gateway", "vpc": "prod", "service": "s3",
     "policy": only_from_vpc(PROD, "s3:*"),
     "route_tables": ["rtb-4281f9fb23a1e8fdb", "rtb-12586e3f3f20a81cd"]},
    {"id": "vpce-ad4d219061e5cca93", "type": "Gateway", "vpc": "prod", "service": "dynamodb",
     "policy": only_from_vpc(PROD, "dynamodb:*"),
     "route_tables": ["rtb-4281f9fb23a1e8fdb", "rtb-12586e3f3f20a81cd"]},
    # PROBLEM: private DNS requested in a VPC with DNS hostnames off.
    {"id": "vpce-667dbdad3ef93bf96", "type": "Interface", "vpc": "staging",
     "service": "ssmmessages", "name": "staging-ssmmessages",
     "groups": ["sg-d86f608e3e81136b2"], "private_dns": True,
     "policy": only_from_vpc(STAGING, "ssmmessages:*"),
     "enis": [("subnet-b266b9c1494fb32d3", "eni-1f6a0c9e3d27b8540"),
              ("subnet-d68ab55dd3143b66b", "eni-6d3e2b1c0f9a48d75"),
              ("subnet-a596477dc9a828b57", "eni-ddc6d88f92d581923")]},
    {"id": "vpce-77d352d3bd1598713", "type": "Interface", "vpc": "staging",
     "service": "ecr.api", "name": "staging-ecr.api", "groups": ["sg-d86f608e3e81136b2"],
     "private_dns": False, "policy": only_from_vpc(STAGING, "ecr:*"),
     "enis": [("subnet-b266b9c1494fb32d3", "eni-c02ff6dab1e2409d8"),
              ("subnet-d68ab55dd3143b66b", "eni-4e1e8f7ea6d6ab3d8"),
              ("subnet-a596477dc9a828b57", "eni-8a0f5c4d2e1b36a97")]},
    {"id": "vpce-8c8444302e9b332a6", "type": "Interface", "vpc": "staging",
     "service": "ecr.dkr", "name": "staging-ecr.dkr", "groups": ["sg-d86f608e3e81136b2"],
     "private_dns": False, "policy": only_from_vpc(STAGING, "ecr:*"),
     "enis": [("subnet-b266b9c1494fb32d3", "eni-92a68ae4583f3c307"),
              ("subnet-d68ab55dd3143b66b", "eni-a103e10b287e71448"),
              ("subnet-a596477dc9a828b57", "eni-e1f0f51b045fcc129")]},
    {"id": "vpce-16610a3d9636d4d7b", "type": "Gateway", "vpc": "staging", "service": "s3",
     "policy": only_from_vpc(STAGING, "s3:GetObject"),
     "route_tables": ["rtb-b4f5e0cdb6fa8afe3", "rtb-4ae7cbb36aa25c69d"]},
    {"id": "vpce-62b1823c4fe9a079b", "type": "Interface", "vpc": "shared",
     "service": "secretsmanager", "name": "shared-secretsmanager",
     "groups": ["sg-228364e56819ff73f"], "private_dns": True,
     "policy": only_from_vpc(SHARED, "secretsmanager:GetSecretValue"),
     "enis": [("subnet-d2a6796c6d987fca3", "eni-8498c733b02c4fc37"),
              ("subnet-4b6540cb59a35c0b5", "eni-1bfca65477e278177")]},
]
