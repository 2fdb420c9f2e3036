#!/usr/bin/env python3
"""Hostile answers and many VPCs against one vpcx binary: time, peak memory, exit status and
the first error of `vpcx dump` for each, through tests/tools/awsproxy.py in front of moto.

    python3 tests/bench/hostile_pages.py BINARY [--only NAME] [--vpcs 10000]
                                         [--moto-url URL] [--bomb-mib 64]

Cases:
  bomb-items    DescribeSubnets answers a gzip body of --bomb-mib MiB of small items (about
                23,000 per MiB) from a few hundred KB on the wire
  bomb-space    DescribeSubnets answers a gzip body that decodes to 300 MiB (one item, then
                blank text)
  vpcs          a dump of an account of --vpcs bare VPCs: one DescribeVpcAttribute call per
                VPC and attribute, with the proxy paging as EC2 does. Seeding 10,000 VPCs into moto takes minutes: pass
                --moto-url of a moto already seeded (seed_account.py --vpcs N) to reuse one.
moto (and the VPC seeding) is started here unless --moto-url is given; the proxy always is.
Results are written down in tests/bench/RESULTS.md; the test suite asserts no time.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import awsproxy  # noqa: E402
import motoctl  # noqa: E402
import seed_account  # noqa: E402

TIMEOUT = 1800


def run(vpcx, url, home):
    env = {"HOME": home, "PATH": "/usr/bin:/bin", "AWS_EC2_METADATA_DISABLED": "true",
           "XDG_CACHE_HOME": home, "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_CONFIG_FILE": "/dev/null",
           "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
    cmd = ["/usr/bin/time", "-f", "TIME %e s %M KB", vpcx, "dump", "--format", "json",
           "--endpoint-url", url, "--region", "us-east-1"]
    try:
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"timed out after {TIMEOUT} s"
    lines = r.stderr.strip().splitlines()
    t = next((l[5:] for l in reversed(lines) if l.startswith("TIME ")), "?")
    try:
        out = json.loads(r.stdout)
        errors = out.get("Errors") or []
        counts = f"{len(out.get('Vpcs', []))} VPCs"
        msg = errors[0].get("Message", "") if errors else ""
    except ValueError:
        counts, msg = "no JSON", next((l for l in lines if not l.startswith("TIME ")), "")
    return f"{t}, exit {r.returncode}, {counts}; {msg[:160]}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vpcx")
    ap.add_argument("--only")
    ap.add_argument("--vpcs", type=int, default=10000)
    ap.add_argument("--moto-url")
    ap.add_argument("--bomb-mib", type=int, default=64)
    a = ap.parse_args()
    moto = None
    url = a.moto_url
    if not url:
        moto = motoctl.MotoServer(seed=1).start()
        url = moto.url
    proxy = awsproxy.AwsProxy(url, {}).start()
    home = tempfile.mkdtemp(prefix="vpcx-hostile-pages-")
    bombs = {
        "bomb-items": {"kind": "gzip_bomb", "mib": a.bomb_mib, "fill": "items"},
        "bomb-space": {"kind": "gzip_bomb", "mib": 300, "fill": "space"},
    }
    try:
        for name, rule in bombs.items():
            if a.only and a.only != name:
                continue
            proxy.set_config({"faults": {"DescribeSubnets": [dict(rule, always=True)]}})
            print(f"{name}: {run(a.vpcx, proxy.url, home)}", flush=True)
        if not a.only or a.only == "vpcs":
            if not a.moto_url:
                seed_account.seed_vpcs(url, a.vpcs)
            # moto answers DescribeVpcs whole, whatever MaxResults says: the proxy pages as
            # EC2 does (over 10,000 VPCs in one answer would hit the page cap).
            proxy.set_config({"paging": {"enabled": True}})
            print(f"vpcs: {run(a.vpcx, proxy.url, home)}", flush=True)
    finally:
        proxy.stop()
        if moto:
            moto.stop()
        subprocess.run(["rm", "-rf", home])


if __name__ == "__main__":
    sys.exit(main())
