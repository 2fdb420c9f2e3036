#!/usr/bin/env python3
"""Many account-regions at once against the bench server (issue 16).

    python3 tests/bench/scopes.py [--vpcx build/vpcx] [--accounts 1] [--regions 20]
                                  [--enis 2000] [--rtt-ms 50] [--rate 20 --burst 40]
                                  [--concurrency 16]

--accounts N (N > 1) serves an organization of N accounts (ec2server.py --accounts) and runs
`vpcx --org-role BenchRole --regions ...`: ListAccounts, then AssumeRole into each member, N x
regions scopes; the single-scope run is the management account in the first region.

ec2server.py runs with --throttle-scope region: a token bucket per action in each region, as
EC2 limits each account and region apart. vpcx dumps every region at once (one scope each, one
shared engine), under the standard and the adaptive retry mode; then the slowest single region
alone. Printed per run: wall and CPU seconds, when the first and the last scope got their last
answer (a list's last page or DescribeVpcAttribute; server clock, from the run's first
request), peak RSS, requests and throttled
answers (503 RequestLimitExceeded) from the server, the exit code, and whether every scope
came back whole.
Nothing here asserts a time; results go to tests/bench/RESULTS.md by hand.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import run as bench  # noqa: E402

REGIONS = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2",
           "eu-west-3", "eu-central-1", "eu-north-1", "eu-south-1", "ap-south-1",
           "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1",
           "ap-southeast-2", "ca-central-1", "sa-east-1", "me-south-1", "af-south-1"]


def one_run(args, server, regions, mode, accounts=1):
    env = bench.bench_env()
    env["AWS_RETRY_MODE"] = mode
    env["AWS_MAX_ATTEMPTS"] = str(args.max_attempts)
    env.pop("AWS_REGION", None)
    env.pop("AWS_DEFAULT_REGION", None)
    out = os.path.join(args.tmp, "dump.json")
    cmd = [args.vpcx, "--endpoint-url", server.url, "--no-cache", "--concurrency",
           str(args.concurrency), "dump", "--format", "json", "--compact", "-o", out]
    if accounts > 1:
        cmd += ["--org-role", "BenchRole", "--regions", ",".join(regions)]
    else:
        cmd += ["--regions", ",".join(regions)] if len(regions) > 1 else ["--region", regions[0]]
    server.control("reset")
    # Peak RSS from /usr/bin/time: wait4's figure would include this script's own memory,
    # which the forked child starts from.
    rss_file = os.path.join(args.tmp, "rss.txt")
    res = bench.run_child(["/usr/bin/time", "-f", "%M", "-o", rss_file] + cmd, env)
    with open(rss_file) as f:
        res["rss_kib"] = int(f.read().split()[-1])
    stats = server.control("stats")
    res["requests"] = sum(stats["requests"].values())
    res["throttled"] = sum(stats.get("throttled", {}).values())
    done = sorted(stats.get("scope_done_s", {}).values())
    res["first_scope_s"] = done[0] if done else 0
    res["last_scope_s"] = done[-1] if done else 0
    res["org_requests"] = stats["requests"].get("ListAccounts", 0) + \
        stats["requests"].get("AssumeRole", 0)
    with open(out) as f:
        doc = json.load(f)
    docs = doc["Inventories"] if "Inventories" in doc else [doc]
    res["whole"] = sum(1 for d in docs if not d["Errors"])
    res["scopes"] = len(docs)
    del doc, docs
    return res


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--vpcx", default=os.path.join(HERE, "..", "..", "build", "vpcx"))
    ap.add_argument("--accounts", type=int, default=1)
    ap.add_argument("--regions", type=int, default=20)
    ap.add_argument("--enis", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rtt-ms", type=int, default=50)
    ap.add_argument("--rate", type=float, default=20)
    ap.add_argument("--burst", type=float, default=40)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--max-attempts", type=int, default=10)
    ap.add_argument("--tmp", default="/tmp")
    args = ap.parse_args(argv)
    args.throttle_scope = "region"
    regions = REGIONS[:args.regions]
    server = bench.Server(args)
    try:
        rows = []
        what = "%d regions" % len(regions) if args.accounts <= 1 else \
            "%d accounts x %d regions" % (args.accounts, len(regions))
        for mode in ("standard", "adaptive"):
            rows.append(("%s, %s" % (what, mode),
                         one_run(args, server, regions, mode, args.accounts)))
        rows.append(("1 region, standard", one_run(args, server, regions[:1], "standard")))
    finally:
        server.stop()
    print("| run | wall s | first / last scope done s | CPU s | peak RSS KiB | requests | of them "
          "ListAccounts + AssumeRole | throttled | whole scopes | exit |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, r in rows:
        print("| %s | %.2f | %.1f / %.1f | %.2f | %d | %d | %d | %d | %d/%d | %d |" % (
            name, r["wall_s"], r["first_scope_s"], r["last_scope_s"], r["cpu_s"], r["rss_kib"],
            r["requests"], r["org_requests"], r["throttled"], r["whole"], r["scopes"], r["exit"]))


if __name__ == "__main__":
    main()
