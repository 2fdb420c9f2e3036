/* flowlog: flow log coverage of VPCs, subnets and ENIs, by an index on ResourceId. */
#include "vpcx/model/flowlog.h"

#include "vpcx/core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct flowlog_index {
    const struct inv_resource **v; /* sorted by ResourceId, then flow log ID */
    size_t n;
};

enum flowlog_level flowlog_level_of(const char *resource_id)
{
    if (!resource_id)
        return FLOWLOG_LEVEL_OTHER;
    if (strncmp(resource_id, "vpc-", 4) == 0)
        return FLOWLOG_LEVEL_VPC;
    if (strncmp(resource_id, "subnet-", 7) == 0)
        return FLOWLOG_LEVEL_SUBNET;
    if (strncmp(resource_id, "eni-", 4) == 0)
        return FLOWLOG_LEVEL_ENI;
    return FLOWLOG_LEVEL_OTHER;
}

const char *flowlog_level_name(enum flowlog_level level)
{
    static const char *const names[] = {"ENI", "subnet", "VPC", "other"};
    return (unsigned)level <= FLOWLOG_LEVEL_OTHER ? names[level] : "other";
}

bool flowlog_is_recording(const struct inv_resource *log)
{
    const char *st = log->state, *del = log->flow_log.deliver_status;
    return (!st || strcasecmp(st, "ACTIVE") == 0) && !(del && strcasecmp(del, "FAILED") == 0);
}

const char *flowlog_destination_type(const struct inv_resource *log)
{
    const char *t = log->flow_log.destination_type;
    return t && *t ? t : "cloud-watch-logs";
}

const char *flowlog_destination(const struct inv_resource *log)
{
    const struct inv_flow_log *f = &log->flow_log;
    if (strcmp(flowlog_destination_type(log), "cloud-watch-logs") == 0 && f->log_group &&
        *f->log_group)
        return f->log_group;
    if (f->destination && *f->destination)
        return f->destination;
    return f->log_group && *f->log_group ? f->log_group : NULL;
}

static int by_resource(const void *a, const void *b)
{
    const struct inv_resource *x = *(const struct inv_resource *const *)a;
    const struct inv_resource *y = *(const struct inv_resource *const *)b;
    int c = strcmp(x->flow_log.resource_id, y->flow_log.resource_id);
    return c ? c : strcmp(x->id, y->id);
}

struct flowlog_index *flowlog_index_create(const struct inventory *inv)
{
    struct flowlog_index *ix = xcalloc(1, sizeof(*ix));
    size_t n = inventory_count(inv, INV_FLOW_LOG);
    ix->v = xcalloc(n ? n : 1, sizeof(*ix->v));
    for (size_t i = 0; i < n; i++) {
        const struct inv_resource *r = inventory_at(inv, INV_FLOW_LOG, i);
        if (r->flow_log.resource_id)
            ix->v[ix->n++] = r;
    }
    if (ix->n > 1)
        qsort(ix->v, ix->n, sizeof(*ix->v), by_resource);
    return ix;
}

void flowlog_index_destroy(struct flowlog_index *ix)
{
    if (!ix)
        return;
    free(ix->v);
    free(ix);
}

size_t flowlog_index_attached(const struct flowlog_index *ix, const char *resource_id,
                              const struct inv_resource *const **out)
{
    *out = NULL;
    if (!resource_id)
        return 0;
    size_t lo = 0, hi = ix->n; /* the first log whose ResourceId is not below resource_id */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ix->v[mid]->flow_log.resource_id, resource_id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < ix->n && strcmp(ix->v[end]->flow_log.resource_id, resource_id) == 0)
        end++;
    if (end > lo)
        *out = &ix->v[lo];
    return end - lo;
}

static void add_level(struct flowlog_coverage *c, const struct flowlog_index *ix,
                      enum flowlog_level level, const char *via)
{
    const struct inv_resource *const *logs;
    size_t n = flowlog_index_attached(ix, via, &logs);
    if (n == 0)
        return;
    c->v = xreallocarray(c->v, c->n + n, sizeof(*c->v));
    for (size_t i = 0; i < n; i++) {
        c->v[c->n++] = (struct flowlog_cover){logs[i], level, via};
        c->recording += flowlog_is_recording(logs[i]);
    }
}

void flowlog_coverage(const struct inventory *inv, const struct flowlog_index *ix,
                      enum inv_type type, const char *id, struct flowlog_coverage *out)
{
    memset(out, 0, sizeof(*out));
    const struct inv_resource *r = id ? inventory_find(inv, type, id) : NULL;
    if (!r || (type != INV_VPC && type != INV_SUBNET && type != INV_ENI))
        return;
    if (type == INV_ENI) {
        add_level(out, ix, FLOWLOG_LEVEL_ENI, r->id);
        add_level(out, ix, FLOWLOG_LEVEL_SUBNET, r->eni.subnet_id);
    } else if (type == INV_SUBNET) {
        add_level(out, ix, FLOWLOG_LEVEL_SUBNET, r->id);
    }
    add_level(out, ix, FLOWLOG_LEVEL_VPC, type == INV_VPC ? r->id : r->vpc_id);
}

void flowlog_coverage_finish(struct flowlog_coverage *c)
{
    free(c->v);
    memset(c, 0, sizeof(*c));
}

const char *flowlog_coverage_traffic(const struct flowlog_coverage *c)
{
    bool accept = false, reject = false;
    for (size_t i = 0; i < c->n; i++) {
        const char *t = c->v[i].log->flow_log.traffic_type;
        if (!flowlog_is_recording(c->v[i].log) || !t)
            continue;
        accept = accept || strcasecmp(t, "ACCEPT") == 0 || strcasecmp(t, "ALL") == 0;
        reject = reject || strcasecmp(t, "REJECT") == 0 || strcasecmp(t, "ALL") == 0;
    }
    if (accept && reject)
        return "all traffic";
    return accept ? "accepted traffic only" : reject ? "rejected traffic only" : NULL;
}

const char *flowlog_destination_label(const char *destination_type)
{
    static const struct {
        const char *type, *label;
    } names[] = {{"cloud-watch-logs", "CloudWatch Logs"},
                 {"s3", "S3"},
                 {"kinesis-data-firehose", "Firehose"}};
    for (size_t i = 0; destination_type && i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(destination_type, names[i].type) == 0)
            return names[i].label;
    return destination_type ? destination_type : "?";
}

bool flowlog_covered(const struct inventory *inv, const struct flowlog_index *ix,
                     enum inv_type type, const char *id)
{
    struct flowlog_coverage c;
    flowlog_coverage(inv, ix, type, id, &c);
    bool yes = c.recording > 0;
    flowlog_coverage_finish(&c);
    return yes;
}
