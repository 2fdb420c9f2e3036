#include "vpcx/model/checkindex.h"

#include "vpcx/core/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* qsort has no context argument: the report being sorted, one thread. */
static const struct check_report *sorting;

static const char *vpc_of(const struct check_finding *f)
{
    return f->vpc_id ? f->vpc_id : "";
}

static int cmp_pos(size_t a, size_t b)
{
    return a < b ? -1 : a > b;
}

static int by_resource(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    int c = strcmp(sorting->v[a].resource_id, sorting->v[b].resource_id);
    return c ? c : cmp_pos(a, b);
}

static int by_vpc(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    int c = strcmp(vpc_of(&sorting->v[a]), vpc_of(&sorting->v[b]));
    return c ? c : cmp_pos(a, b);
}

void checkindex_build(struct checkindex *ix, const struct check_report *r)
{
    memset(ix, 0, sizeof(*ix));
    ix->report = r;
    if (!r->n)
        return;
    ix->by_resource = xcalloc(r->n, sizeof(*ix->by_resource));
    ix->by_vpc = xcalloc(r->n, sizeof(*ix->by_vpc));
    for (size_t i = 0; i < r->n; i++) {
        const struct check_finding *f = &r->v[i];
        if (f->ignored) {
            ix->ignored++;
            continue;
        }
        if ((unsigned)f->severity < 3)
            ix->count[f->severity]++;
        ix->by_resource[ix->n++] = i;
        if (f->vpc_id)
            ix->by_vpc[ix->n_vpc++] = i;
    }
    sorting = r;
    qsort(ix->by_resource, ix->n, sizeof(size_t), by_resource);
    qsort(ix->by_vpc, ix->n_vpc, sizeof(size_t), by_vpc);
    sorting = NULL;
}

void checkindex_finish(struct checkindex *ix)
{
    free(ix->by_resource);
    free(ix->by_vpc);
    memset(ix, 0, sizeof(*ix));
}

/* The first position in order[0, n) whose key is not below id. */
static size_t lower_bound(const struct checkindex *ix, const size_t *order, size_t n, bool vpc,
                          const char *id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct check_finding *f = &ix->report->v[order[mid]];
        if (strcmp(vpc ? vpc_of(f) : f->resource_id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static size_t range(const struct checkindex *ix, const size_t *order, size_t n, bool vpc,
                    const char *id, size_t *first)
{
    size_t at = lower_bound(ix, order, n, vpc, id), end = at;
    while (end < n) {
        const struct check_finding *f = &ix->report->v[order[end]];
        if (strcmp(vpc ? vpc_of(f) : f->resource_id, id) != 0)
            break;
        end++;
    }
    if (first)
        *first = at;
    return end - at;
}

size_t checkindex_resource(const struct checkindex *ix, const char *id, size_t *first)
{
    if (first)
        *first = 0;
    return id && ix->n ? range(ix, ix->by_resource, ix->n, false, id, first) : 0;
}

const struct check_finding *checkindex_at(const struct checkindex *ix, size_t pos)
{
    return pos < ix->n ? &ix->report->v[ix->by_resource[pos]] : NULL;
}

static bool worst_of(const struct checkindex *ix, const size_t *order, size_t first, size_t n,
                     enum check_severity *out)
{
    for (size_t i = 0; i < n; i++) {
        enum check_severity s = ix->report->v[order[first + i]].severity;
        if (i == 0 || s > *out)
            *out = s;
    }
    return n > 0;
}

bool checkindex_worst(const struct checkindex *ix, const char *id, enum check_severity *out)
{
    size_t first;
    size_t n = checkindex_resource(ix, id, &first);
    return worst_of(ix, ix->by_resource, first, n, out);
}

bool checkindex_vpc_worst(const struct checkindex *ix, const char *vpc_id, enum check_severity *out)
{
    if (!vpc_id || !ix->n_vpc)
        return false;
    size_t first;
    size_t n = range(ix, ix->by_vpc, ix->n_vpc, true, vpc_id, &first);
    return worst_of(ix, ix->by_vpc, first, n, out);
}

bool checkindex_preflight_rule(enum preflight_rule rule, enum check_rule *out)
{
    static const struct {
        enum preflight_rule pre;
        enum check_rule check;
    } map[] = {
        {PREFLIGHT_SINGLE_AZ, CHECK_ENDPOINT_SINGLE_AZ},
        {PREFLIGHT_SG_NO_443, CHECK_SG_NO_HTTPS},
        {PREFLIGHT_SG_DEFAULT, CHECK_DEFAULT_SECURITY_GROUP},
        {PREFLIGHT_DNS_SUPPORT_OFF, CHECK_PRIVATE_DNS_VPC_ATTRIBUTES},
        {PREFLIGHT_DNS_HOSTNAMES_OFF, CHECK_PRIVATE_DNS_VPC_ATTRIBUTES},
        {PREFLIGHT_FULL_ACCESS_POLICY, CHECK_POLICY_FULL_ACCESS},
        {PREFLIGHT_STATE_NOT_AVAILABLE, CHECK_ENDPOINT_STATE},
        {PREFLIGHT_GATEWAY_NO_ROUTE_TABLES, CHECK_GATEWAY_NO_ROUTES},
        {PREFLIGHT_NO_FREE_IP, CHECK_SUBNET_CAPACITY},
        {PREFLIGHT_FEW_FREE_IPS, CHECK_SUBNET_CAPACITY},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (map[i].pre == rule) {
            *out = map[i].check;
            return true;
        }
    }
    return false;
}
