#!/usr/bin/env python3
"""Time from exec to the explorer's first paint from the cache (issue 14, item 3).

Runs `VPCX --offline --endpoint-url URL --region us-east-1 --headless 160x48 --keys /dev/null
--headless-stats` with XDG_CACHE_HOME=CACHE_HOME (a cache written by `vpcx dump` of the bench
account) RUNS times and prints, per run, the wall time from just before the exec to the first
paint (the "initial paint ... at-usec" line: the wall clock at the paint) and the process CPU
time at that point, then the time the whole cache was in. With --json-only the binary forms
are moved aside for the run (the JSON is parsed whole, as before them) and put back after.
A binary without the at-usec figure (an older vpcx) is timed to its exit instead.

  python3 tests/bench/first_paint.py --vpcx build/vpcx --cache-home /tmp/c20 --url URL
"""
import argparse
import glob
import os
import shutil
import statistics
import subprocess
import time


def run_once(args, env):
    cmd = [args.vpcx, "--offline", "--endpoint-url", args.url, "--region", "us-east-1",
           "--headless", "160x48", "--keys", "/dev/null", "--headless-stats"]
    t0 = time.time()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    t_end = time.time()
    got = {"exit_ms": (t_end - t0) * 1e3}
    for line in proc.stderr.splitlines():
        w = line.split()
        if "at-usec" in w:
            key = "paint" if w[0] == "initial" else "complete"
            got[key + "_ms"] = (float(w[w.index("at-usec") + 1]) - t0 * 1e6) / 1e3
            got[key + "_cpu_ms"] = float(w[w.index("cpu-usec") + 1]) / 1e3
    if proc.returncode != 0:
        raise SystemExit("vpcx failed: %s" % proc.stderr[-2000:])
    return got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vpcx", required=True)
    ap.add_argument("--cache-home", required=True)
    ap.add_argument("--url", required=True, help="the endpoint URL the cache was written for")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json-only", action="store_true")
    args = ap.parse_args()
    env = dict(os.environ, XDG_CACHE_HOME=args.cache_home, AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_ACCESS_KEY_ID="AKIDBENCHMARK0000000",
               AWS_SECRET_ACCESS_KEY="bench-not-a-secret")
    moved = []
    if args.json_only:
        for path in glob.glob(os.path.join(args.cache_home, "vpcx", "*.bin")):
            shutil.move(path, path + ".aside")
            moved.append(path)
    try:
        runs = [run_once(args, env) for _ in range(args.runs)]
    finally:
        for path in moved:
            shutil.move(path + ".aside", path)
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    for key in ("paint_ms", "paint_cpu_ms", "complete_ms", "complete_cpu_ms", "exit_ms"):
        vals = [r[key] for r in runs if key in r]
        if vals:
            print("%-16s median %8.1f  runs %s" % (key, statistics.median(vals),
                                                   ", ".join("%.1f" % v for v in vals)))
    print("load average %s" % " ".join(load))


if __name__ == "__main__":
    main()
