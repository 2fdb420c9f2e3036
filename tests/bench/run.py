#!/usr/bin/env python3
"""One command for the side-by-side benchmark: vpcx, boto3 and the AWS CLI on the same server.

    tests/bench/run.py [--enis 20000] [--rtt-ms 50] [--rate 20] [--burst 100]
                       [--vpcx build-bench/vpcx] [--concurrency N] [--skip-cli] [--skip-boto]
                       [--repeat N] [--json OUT.json]

Steps: start ec2server.py (one synthetic account, one RTT, the throttle); a capture run of vpcx
with the server saving every page it serves (untimed, RTT 0); the floor: the longest NextToken
chain times the RTT, and libxml2's CPU time to parse the saved pages (parse_floor.c, built here
with cc; and `xmllint --stream --noout` over the same files, wall time including its start-up);
then the timed runs, one after the other, the server's counters reset before each:
  vpcx:  (also once more at RTT 0, "vpcx_rtt0": its cost when the network is free)
         vpcx dump --endpoint-url URL --region us-east-1 --format json --compact -o /dev/null
  boto3: boto_dump.py --endpoint-url URL (paginators, one process, JSON to /dev/null)
  cli:   one `aws` process per call, sequentially, as a shell script runs them: sts
         get-caller-identity, the ten describe-* calls (--page-size as vpcx pages: 1000,
         RouteTables 100; output to /dev/null) and describe-vpc-attribute x2 per VPC.
Figures per tool: wall time, CPU (user+sys of the child, from wait4), peak RSS (ru_maxrss; for
the CLI the largest process), requests and throttled answers (server counters), and the
moment the VPC and subnet lists were complete (server side, in round trips).
Nothing here asserts a time; it prints a table and, with --json, all the figures.
"""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
REGION = "us-east-1"
PAGE_SIZES = {"DescribeRouteTables": 100}
CLI_CALLS = [  # (aws ec2 subcommand, action, pages?)
    ("describe-vpcs", "DescribeVpcs", True),
    ("describe-subnets", "DescribeSubnets", True),
    ("describe-availability-zones", "DescribeAvailabilityZones", False),
    ("describe-vpc-endpoints", "DescribeVpcEndpoints", True),
    ("describe-vpc-endpoint-services", "DescribeVpcEndpointServices", True),
    ("describe-network-interfaces", "DescribeNetworkInterfaces", True),
    ("describe-security-groups", "DescribeSecurityGroups", True),
    ("describe-network-acls", "DescribeNetworkAcls", True),
    ("describe-route-tables", "DescribeRouteTables", True),
    ("describe-prefix-lists", "DescribePrefixLists", True),
    ("describe-flow-logs", "DescribeFlowLogs", True),
]


def bench_env():
    env = dict(os.environ)
    env.setdefault("AWS_ACCESS_KEY_ID", "AKIDBENCHMARK0000000")
    env.setdefault("AWS_SECRET_ACCESS_KEY", "bench-not-a-secret")
    env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = REGION
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
    env.pop("AWS_PROFILE", None)
    env["AWS_PAGER"] = ""
    return env


class Server:
    def __init__(self, args):
        cmd = [sys.executable, os.path.join(HERE, "ec2server.py"), "serve", "--enis",
               str(args.enis), "--seed", str(args.seed), "--rtt-ms", str(args.rtt_ms),
               "--rate", str(args.rate), "--burst", str(args.burst),
               "--throttle-scope", args.throttle_scope,
               "--accounts", str(getattr(args, "accounts", 1))]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            raise SystemExit("ec2server did not start: %r" % line)
        self.url = line.split()[1]
        print("server: %s" % line.strip(), file=sys.stderr)

    def control(self, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        method = "POST" if path != "stats" else "GET"
        req = urllib.request.Request(self.url + "/_bench/" + path, data=data, method=method)
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read())

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run_child(cmd, env, stdout=subprocess.DEVNULL):
    """(wall s, user+sys s, peak RSS KiB, exit code) of one child process."""
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode != 0:
        print("  %s exited %d: %s" % (cmd[0], proc.returncode, err[-600:]), file=sys.stderr)
    return {"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "user_s": ru.ru_utime,
            "sys_s": ru.ru_stime, "rss_kib": ru.ru_maxrss, "exit": proc.returncode}


def server_figures(server, rtt_ms):
    st = server.control("stats")
    out = {"requests": st["total_requests"], "throttled": sum(st["throttled"].values()),
           "max_in_flight": st["max_in_flight"], "bytes": sum(st["bytes"].values()),
           "by_action": st["requests"]}
    last = st["last_page_s"]
    if "DescribeVpcs" in last and "DescribeSubnets" in last:
        t = max(last["DescribeVpcs"], last["DescribeSubnets"])
        out["vpcs_subnets_done_s"] = t
        out["vpcs_subnets_done_rtts"] = t / (rtt_ms / 1000.0) if rtt_ms else None
    return out


def vpcx_cmd(args, url, output="/dev/null"):
    cmd = [args.vpcx, "dump", "--endpoint-url", url, "--region", REGION, "--format", "json",
           "--compact", "-o", output]
    if args.concurrency:
        cmd += ["--concurrency", str(args.concurrency)]
    return cmd


def capture(args, server, env, workdir):
    """Untimed vpcx run at RTT 0 with the server saving every page; returns the VPC IDs."""
    pages = os.path.join(workdir, "pages")
    os.makedirs(pages)
    server.control("config", {"rtt_ms": 0, "save_dir": pages, "rate": 0})
    server.control("reset")
    out = os.path.join(workdir, "vpcx.json")
    r = run_child(vpcx_cmd(args, server.url, out), env)
    stats = server.control("stats")
    server.control("config", {"rtt_ms": args.rtt_ms, "save_dir": None, "rate": args.rate,
                              "burst": args.burst})
    if r["exit"] != 0:
        raise SystemExit("capture run of vpcx failed")
    # Parsed in a child: a child's ru_maxrss counts this process's memory up to its exec,
    # so holding the parsed dump here (about 6x its size) would inflate every figure below.
    vpc_ids = json.loads(subprocess.check_output([sys.executable, "-c", (
        "import json, sys\n"
        "print(json.dumps([v['VpcId'] for v in json.load(open(sys.argv[1]))['Vpcs']]))"),
        out]))
    return vpc_ids, stats, pages


def parse_floor(pages):
    exe = os.path.join(os.path.dirname(os.path.abspath(ARGS.vpcx)), "bench", "parse_floor")
    src = os.path.join(HERE, "parse_floor.c")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        os.makedirs(os.path.dirname(exe), exist_ok=True)
        flags = subprocess.check_output(["pkg-config", "--cflags", "--libs", "libxml-2.0"],
                                        text=True).split()
        subprocess.check_call(["cc", "-O2", src, "-o", exe] + flags)
    files = sorted(os.path.join(pages, f) for f in os.listdir(pages))
    floor = json.loads(subprocess.check_output([exe, "--repeat", "3"] + files, text=True))
    if shutil.which("xmllint"):
        t0 = time.monotonic()
        subprocess.check_call(["xmllint", "--stream", "--noout"] + files)
        floor["xmllint_stream_wall_s"] = time.monotonic() - t0
    return floor


def chain_floor(stats, args):
    """Longest sequential chain of requests, in round trips, and its time."""
    reqs = stats["requests"]
    paged = {a: n for a, n in reqs.items() if a.startswith("Describe") and
             a != "DescribeVpcAttribute"}
    longest = max(paged.values()) if paged else 0
    # DescribeVpcAttribute waits for the VPC list: one more round after DescribeVpcs.
    attrs = reqs.get("DescribeVpcAttribute", 0)
    vpc_chain = reqs.get("DescribeVpcs", 0) + (1 if attrs else 0)
    rounds = max(longest, vpc_chain)
    return {"longest_chain_action": max(paged, key=paged.get) if paged else None,
            "longest_chain_pages": longest, "rounds": rounds,
            "floor_s": rounds * args.rtt_ms / 1000.0, "requests": sum(reqs.values()),
            "bytes": sum(stats["bytes"].values())}


def run_vpcx(args, server, env):
    """The median run by wall time of --repeat runs; all wall times are kept."""
    runs = []
    for _ in range(max(1, args.repeat)):
        server.control("reset")
        r = run_child(vpcx_cmd(args, server.url), env)
        r.update(server_figures(server, args.rtt_ms))
        runs.append(r)
    runs.sort(key=lambda r: r["wall_s"])
    med = dict(runs[len(runs) // 2])
    med["all_wall_s"] = [round(r["wall_s"], 3) for r in runs]
    med["all_cpu_s"] = [round(r["cpu_s"], 3) for r in runs]
    return med


def run_boto(args, server, env):
    server.control("reset")
    r = run_child([sys.executable, os.path.join(HERE, "boto_dump.py"), "--endpoint-url",
                   server.url, "--region", REGION], env)
    r.update(server_figures(server, args.rtt_ms))
    return r


def aws_path():
    """The aws script itself: a pyenv shim would add a bash + pyenv start-up to every call."""
    path = shutil.which("aws") or "aws"
    if "/shims/" in path and shutil.which("pyenv"):
        try:
            path = subprocess.check_output(["pyenv", "which", "aws"], text=True).strip()
        except (OSError, subprocess.CalledProcessError):
            pass
    return path


def run_cli(args, server, env, vpc_ids):
    server.control("reset")
    base = [aws_path(), "--endpoint-url", server.url, "--region", REGION, "--output", "json"]
    calls = [base[:1] + ["sts", "get-caller-identity"] + base[1:]]
    for sub, action, pages in CLI_CALLS:
        cmd = base[:1] + ["ec2", sub] + base[1:]
        if pages:
            cmd += ["--page-size", str(PAGE_SIZES.get(action, 1000))]
        calls.append(cmd)
    n_list = len(calls)
    for vpc in vpc_ids:
        for attr in ("enableDnsSupport", "enableDnsHostnames"):
            calls.append(base[:1] + ["ec2", "describe-vpc-attribute", "--vpc-id", vpc,
                                     "--attribute", attr] + base[1:])
    total = {"wall_s": 0.0, "cpu_s": 0.0, "rss_kib": 0, "exit": 0, "processes": len(calls)}
    per_call = []
    for i, cmd in enumerate(calls):
        r = run_child(cmd, env)
        per_call.append({"call": " ".join(cmd[1:3]), "wall_s": r["wall_s"], "cpu_s": r["cpu_s"],
                         "rss_kib": r["rss_kib"]})
        total["wall_s"] += r["wall_s"]
        total["cpu_s"] += r["cpu_s"]
        total["rss_kib"] = max(total["rss_kib"], r["rss_kib"])
        total["exit"] = total["exit"] or r["exit"]
        if i == n_list - 1:
            total["list_calls_wall_s"] = total["wall_s"]
            total["list_calls_cpu_s"] = total["cpu_s"]
    total["per_call"] = per_call
    total.update(server_figures(server, args.rtt_ms))
    return total


def ratio(a, b):
    return round(a / b, 2) if b else None


def report(res):
    rows = [("tool", "wall s", "cpu s", "rss MiB", "requests", "throttled", "vpc+subnet RTTs")]
    for name in ("vpcx", "vpcx_rtt0", "boto3", "cli"):
        r = res.get(name)
        if not r:
            continue
        rows.append((name, "%.2f" % r["wall_s"], "%.2f" % r["cpu_s"],
                     "%.1f" % (r["rss_kib"] / 1024.0), str(r["requests"]), str(r["throttled"]),
                     "%.1f" % r["vpcs_subnets_done_rtts"]
                     if r.get("vpcs_subnets_done_rtts") and name != "vpcx_rtt0" else "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in rows]
    f = res["floor"]
    lines.append("floor: %d sequential rounds (%s, %d pages) x %g ms = %.2f s; "
                 "libxml2 parse of %.1f MB: SAX push %.3f s CPU, reader %.3f s, "
                 "xmllint --stream %.2f s wall" % (
                     f["rounds"], f["longest_chain_action"], f["longest_chain_pages"],
                     res["rtt_ms"], f["floor_s"], f["bytes"] / 1e6, f["sax_s"], f["reader_s"],
                     f.get("xmllint_stream_wall_s", float("nan"))))
    for k, v in sorted(res["ratios"].items()):
        lines.append("%-34s %s" % (k, v))
    return "\n".join(lines)


def ratios(res):
    v = res["vpcx"]
    out = {"vpcx wall / floor": ratio(v["wall_s"], res["floor"]["floor_s"]),
           "vpcx cpu / libxml2 SAX parse": ratio(v["cpu_s"], res["floor"]["sax_s"])}
    for name in ("boto3", "cli"):
        o = res.get(name)
        if o:
            out["%s wall / vpcx wall" % name] = ratio(o["wall_s"], v["wall_s"])
            out["%s cpu / vpcx cpu" % name] = ratio(o["cpu_s"], v["cpu_s"])
            out["vpcx rss / %s rss" % name] = ratio(v["rss_kib"], o["rss_kib"])
    if res.get("cli") and "list_calls_wall_s" in res["cli"]:
        out["cli (list calls only) wall / vpcx wall"] = ratio(res["cli"]["list_calls_wall_s"],
                                                             v["wall_s"])
    return out


def main(argv=None):
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enis", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rtt-ms", type=float, default=50.0)
    ap.add_argument("--rate", type=float, default=20.0)
    ap.add_argument("--burst", type=float, default=100.0)
    ap.add_argument("--throttle-scope", choices=("action", "shared"), default="action")
    ap.add_argument("--vpcx", default=os.path.join(ROOT, "build-bench", "vpcx"))
    ap.add_argument("--concurrency", type=int)
    ap.add_argument("--skip-boto", action="store_true")
    ap.add_argument("--skip-cli", action="store_true")
    ap.add_argument("--repeat", type=int, default=1, help="vpcx runs; the median is reported")
    ap.add_argument("--json", metavar="OUT")
    ARGS = args = ap.parse_args(argv)
    env = bench_env()
    server = Server(args)
    workdir = tempfile.mkdtemp(prefix="vpcx-bench-")
    res = {"enis": args.enis, "rtt_ms": args.rtt_ms, "rate": args.rate, "burst": args.burst,
           "throttle_scope": args.throttle_scope, "concurrency": args.concurrency,
           "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
    try:
        vpc_ids, cap_stats, pages = capture(args, server, env, workdir)
        res["account"] = cap_stats["account"]
        res["floor"] = chain_floor(cap_stats, args)
        res["floor"].update(parse_floor(pages))
        shutil.rmtree(pages)
        print("floor done", file=sys.stderr)
        res["vpcx"] = run_vpcx(args, server, env)
        print("vpcx done: %.2f s" % res["vpcx"]["wall_s"], file=sys.stderr)
        # The same run with no delay: what vpcx costs when the network is free.
        server.control("config", {"rtt_ms": 0})
        res["vpcx_rtt0"] = run_vpcx(args, server, env)
        server.control("config", {"rtt_ms": args.rtt_ms})
        if not args.skip_boto:
            res["boto3"] = run_boto(args, server, env)
            print("boto3 done: %.2f s" % res["boto3"]["wall_s"], file=sys.stderr)
        if not args.skip_cli:
            res["cli"] = run_cli(args, server, env, vpc_ids)
            print("cli done: %.2f s" % res["cli"]["wall_s"], file=sys.stderr)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    res["ratios"] = ratios(res)
    print(report(res))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    return 0


ARGS = None

if __name__ == "__main__":
    sys.exit(main())
