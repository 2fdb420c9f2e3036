/* How long check_run() takes on a loaded inventory: every rule together, then each alone.
 *
 *   check_time SNAPSHOT
 *
 * The snapshot is loaded first (not timed); each figure is the third of three runs, on the
 * monotonic clock. A 20,000-ENI snapshot: serve tests/bench/ec2server.py --enis 20000 and
 * `vpcx dump --endpoint-url URL --region us-east-1 --no-cache -o snap.json`.
 * Build: cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude $(pkg-config --cflags libcjson)
 *   tests/bench/check_time.c BUILD/libvpcx_core.a -lcjson -lcurl -lssl -lcrypto -lxml2 -lm
 */
#include <stdio.h>
#include <time.h>

#include "vpcx/model/check.h"
#include "vpcx/store/snapshot.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double time_run(const struct inventory *inv, const struct check_options *o, size_t *n)
{
    double best = 0;
    for (int rep = 0; rep < 3; rep++) {
        struct check_report out;
        check_report_init(&out);
        double t0 = now();
        check_run(inv, o, &out);
        best = now() - t0;
        *n = out.n;
        check_report_finish(&out);
    }
    return best;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: check_time SNAPSHOT\n");
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
        double s = time_run(inv, &o, &n);
        printf("%-28s %8.1f ms  %zu findings\n", r < 0 ? "all" : check_rule_id((enum check_rule)r),
               s * 1e3, n);
    }
    cJSON_Delete(errors);
    snapshot_meta_finish(&meta);
    inventory_destroy(inv);
    vpcx_error_finish(&err);
    return 0;
}
