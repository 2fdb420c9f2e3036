/* How long check_run() takes on a loaded inventory: every rule together, then each alone.
 *
 *   check_time SNAPSHOT [RUNS]
 *
 * The snapshot is loaded first (not timed); each rule set runs RUNS times (default 5): the
 * fastest and the median wall time (monotonic clock) and the fastest CPU time of the process.
 * On a shared machine the CPU time is the steadiest measure of the code, the median wall time
 * what a user sees. A 20,000-ENI snapshot: serve tests/bench/ec2server.py
 * --enis 20000 and `vpcx dump --endpoint-url URL --region us-east-1 --no-cache -o snap.json`.
 * Build: cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude $(pkg-config --cflags libcjson)
 *   tests/bench/check_time.c BUILD/libvpcx_core.a -lcjson -lcurl -lssl -lcrypto -lxml2 -lm
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "vpcx/model/check.h"
#include "vpcx/store/snapshot.h"

#define MAX_RUNS 100

static double now(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Fastest and median wall time of runs calls, and the fastest CPU time, in seconds. */
static void time_run(const struct inventory *inv, const struct check_options *o, int runs,
                     size_t *n, double *best, double *median, double *cpu)
{
    double t[MAX_RUNS];
    for (int rep = 0; rep < runs; rep++) {
        struct check_report out;
        check_report_init(&out);
        double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        check_run(inv, o, &out);
        t[rep] = now(CLOCK_MONOTONIC) - t0;
        double c = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
        if (rep == 0 || c < *cpu)
            *cpu = c;
        *n = out.n;
        check_report_finish(&out);
    }
    qsort(t, (size_t)runs, sizeof(t[0]), by_value);
    *best = t[0];
    *median = t[runs / 2];
}

int main(int argc, char **argv)
{
    int runs = argc == 3 ? (int)strtol(argv[2], NULL, 10) : 5;
    if (argc < 2 || argc > 3 || runs < 1 || runs > MAX_RUNS) {
        fprintf(stderr, "usage: check_time SNAPSHOT [RUNS (1-%d)]\n", MAX_RUNS);
        return 2;
    }
    struct inventory *inv = inventory_create();
    struct snapshot_meta meta = {0};
    cJSON *errors = NULL;
    struct vpcx_error err;
    vpcx_error_init(&err);
    if (snapshot_load_file(argv[1], inv, &meta, &errors, &err) != VPCX_OK) {
        fprintf(stderr, "check_time: %s\n", err.message ? err.message : "cannot load");
        return 1;
    }
    printf("%zu ENIs, %zu endpoints, %zu subnets\n", inventory_count(inv, INV_ENI),
           inventory_count(inv, INV_ENDPOINT), inventory_count(inv, INV_SUBNET));
    struct check_options o;
    check_options_init(&o);
    o.region = meta.region;
    for (int r = -1; r < CHECK_RULE_COUNT; r++) {
        for (int k = 0; k < CHECK_RULE_COUNT; k++)
            o.enabled[k] = r < 0 || k == r;
        size_t n;
        double best, median, cpu;
        time_run(inv, &o, runs, &n, &best, &median, &cpu);
        printf("%-28s %7.1f ms fastest %7.1f ms median %7.1f ms CPU  %zu findings\n",
               r < 0 ? "all" : check_rule_id((enum check_rule)r), best * 1e3, median * 1e3,
               cpu * 1e3, n);
    }
    cJSON_Delete(errors);
    snapshot_meta_finish(&meta);
    inventory_destroy(inv);
    vpcx_error_finish(&err);
    return 0;
}
