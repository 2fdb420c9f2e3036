#!/usr/bin/env python3
"""Hostile and huge inputs against one vpcx binary: time, peak memory, exit
status and the first line of the message for each.

    python3 tests/bench/hostile.py build/vpcx [--only NAME] [--keep DIR]

The inputs are the shapes the fuzz campaign found without a cost bound: a
[DEFAULT] section inherited by many sections, a config of 116k keys, diffs
of 20k tags and 100k subnet IDs, a 2 GiB (sparse) snapshot, 20 MB of small
JSON arrays, and JSON nested 5000 deep. Nothing here talks to AWS: whoami
runs with no credentials and fails after reading the config. Results are
written down in tests/bench/RESULTS.md; the test suite asserts no time.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

TIMEOUT = 600


def write_default_copy(d):
    p = os.path.join(d, "default_copy.ini")
    with open(p, "w") as f:
        f.write("[DEFAULT]\n")
        for k in range(500):
            f.write(f"k{k}=v\n")
        for s in range(14000):
            f.write(f"[s{s}]\n")
    return p


def write_many_keys(d):
    p = os.path.join(d, "many_keys.ini")
    with open(p, "w") as f:
        f.write("[default]\n")
        for k in range(116000):
            f.write(f"k{k:06d}=\n")
    return p


def snapshot(items):
    return {"Metadata": {"FormatVersion": 1}, **items}


def write_pair(d, name, make):
    paths = []
    for changed in (False, True):
        p = os.path.join(d, f"{name}-{'b' if changed else 'a'}.json")
        with open(p, "w") as f:
            json.dump(snapshot(make(changed)), f)
        paths.append(p)
    return paths


def tags(changed):
    t = [{"Key": f"k{i}", "Value": "new" if changed and i == 7 else "v"} for i in range(20000)]
    return {"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "Tags": t}]}


def subnet_ids(changed):
    ids = [f"subnet-{i:017x}" for i in range(100000)]
    if changed:
        ids[0] = "subnet-new"
    return {"VpcEndpoints": [{"VpcEndpointId": "vpce-1", "VpcId": "vpc-1", "SubnetIds": ids}]}


def write_sparse(d):
    p = os.path.join(d, "huge.json")
    with open(p, "w"):
        pass
    os.truncate(p, 2 << 30)
    return p


def write_arrays(d):
    p = os.path.join(d, "arrays.json")
    n = 20_000_000 // 3
    with open(p, "w") as f:
        f.write('{"Metadata":{"FormatVersion":1},"X":[')
        f.write(",".join(["[]"] * n))
        f.write("]}")
    return p


def write_deep(d):
    p = os.path.join(d, "deep.json")
    with open(p, "w") as f:
        f.write('{"Metadata":{"FormatVersion":1},"X":' + "[" * 5000 + "]" * 5000 + "}")
    return p


def run(vpcx, args, env_extra=None):
    env = {"HOME": tempfile.gettempdir(), "PATH": "/usr/bin:/bin",
           "AWS_EC2_METADATA_DISABLED": "true", "XDG_CACHE_HOME": tempfile.gettempdir()}
    env.update(env_extra or {})
    cmd = ["/usr/bin/time", "-f", "TIME %e s %M KB", vpcx] + args
    try:
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"timed out after {TIMEOUT} s"
    lines = r.stderr.strip().splitlines()
    t = next((l[5:] for l in reversed(lines) if l.startswith("TIME ")), "?")
    msg = next((l for l in lines if not l.startswith("TIME ") and "exited" not in l), "")
    return f"{t}, exit {r.returncode}; {msg[:150]}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vpcx")
    ap.add_argument("--only")
    ap.add_argument("--keep")
    a = ap.parse_args()
    d = a.keep or tempfile.mkdtemp(prefix="vpcx-hostile-")
    os.makedirs(d, exist_ok=True)
    cases = {
        "ini-default-copy": lambda: run(a.vpcx, ["--region", "us-east-1", "whoami"], {
            "AWS_CONFIG_FILE": write_default_copy(d), "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}),
        "ini-116k-keys": lambda: run(a.vpcx, ["--region", "us-east-1", "whoami"], {
            "AWS_CONFIG_FILE": write_many_keys(d), "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}),
        "diff-20k-tags": lambda: run(a.vpcx, ["diff"] + write_pair(d, "tags", tags)),
        "diff-100k-subnet-ids": lambda: run(a.vpcx, ["diff"] + write_pair(d, "ids", subnet_ids)),
        "snapshot-2GiB-sparse": lambda: run(a.vpcx, ["dump", "--snapshot", write_sparse(d),
                                                     "--format", "text"]),
        "snapshot-20MB-arrays": lambda: run(a.vpcx, ["dump", "--snapshot", write_arrays(d),
                                                     "--format", "text"]),
        "snapshot-5000-deep": lambda: run(a.vpcx, ["dump", "--snapshot", write_deep(d),
                                                   "--format", "text"]),
    }
    for name, fn in cases.items():
        if a.only and a.only != name:
            continue
        print(f"{name}: {fn()}", flush=True)
    if not a.keep:
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
        os.rmdir(d)


if __name__ == "__main__":
    sys.exit(main())
