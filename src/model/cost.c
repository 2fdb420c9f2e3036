#include "vpcx/model/cost.h"

#include "vpcx/core/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const kind_names[] = {
#define COST_KIND_NAME(name, key, text) key,
    COST_KIND_TABLE(COST_KIND_NAME)
#undef COST_KIND_NAME
};

const char *cost_kind_name(enum cost_kind kind)
{
    return (unsigned)kind < COST_KIND_COUNT ? kind_names[kind] : "";
}

bool cost_kind_parse(const char *name, enum cost_kind *out)
{
    for (int k = 0; k < COST_KIND_COUNT; k++) {
        if (strcmp(name, kind_names[k]) == 0) {
            *out = (enum cost_kind)k;
            return true;
        }
    }
    return false;
}

/*
 * What the project has a source for (COST_PRICE_SOURCE): us-east-1's
 * interface AZ-hour and data processing tiers. Nothing else is guessed.
 */
static const struct {
    const char *region;
    enum cost_kind kind;
    double usd;
} bundled[] = {
    {"us-east-1", COST_INTERFACE_HOUR, 0.01},
    {"us-east-1", COST_GB_TIER1, 0.01},
    {"us-east-1", COST_GB_TIER2, 0.006},
    {"us-east-1", COST_GB_TIER3, 0.004},
};

struct price_override {
    char *region;
    enum cost_kind kind;
    double usd;
};

struct cost_prices {
    struct price_override *v;
    size_t n;
};

struct cost_prices *cost_prices_create(void)
{
    return xcalloc(1, sizeof(struct cost_prices));
}

void cost_prices_destroy(struct cost_prices *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i].region);
    free(p->v);
    free(p);
}

enum vpcx_status cost_prices_set(struct cost_prices *p, const char *region, enum cost_kind kind,
                                 double usd, struct vpcx_error *err)
{
    if (!isfinite(usd) || usd < 0)
        return vpcx_error_set(err, VPCX_ERR_USAGE, "a price is a number of US dollars, 0 or more");
    for (size_t i = 0; i < p->n; i++) {
        if (p->v[i].kind == kind && strcmp(p->v[i].region, region) == 0) {
            p->v[i].usd = usd;
            return VPCX_OK;
        }
    }
    p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
    p->v[p->n++] = (struct price_override){xstrdup(region), kind, usd};
    return VPCX_OK;
}

bool cost_price(const struct cost_prices *p, const char *region, enum cost_kind kind, double *usd,
                const char **source)
{
    if (!region)
        return false;
    for (size_t i = 0; p && i < p->n; i++) {
        if (p->v[i].kind == kind && strcmp(p->v[i].region, region) == 0) {
            *usd = p->v[i].usd;
            if (source)
                *source = "config";
            return true;
        }
    }
    for (size_t i = 0; i < sizeof(bundled) / sizeof(bundled[0]); i++) {
        if (bundled[i].kind == kind && strcmp(bundled[i].region, region) == 0) {
            *usd = bundled[i].usd;
            if (source)
                *source = COST_PRICE_SOURCE;
            return true;
        }
    }
    return false;
}

/* Splits line into at most max blank-separated words, in place. */
static size_t split_words(char *line, char **w, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, " \t\r", &save); t && n < max; t = strtok_r(NULL, " \t\r", &save))
        w[n++] = t;
    return n;
}

static enum vpcx_status price_line(struct cost_prices *p, char *line, struct vpcx_error *err)
{
    char *w[6];
    size_t n = split_words(line, w, 6);
    if (n == 0 || strcmp(w[0], "price") != 0)
        return VPCX_OK;
    enum cost_kind kind;
    if (n != 4)
        return vpcx_error_set(err, VPCX_ERR_USAGE, "expected 'price REGION KIND VALUE'");
    if (!cost_kind_parse(w[2], &kind))
        return vpcx_error_set(err, VPCX_ERR_USAGE,
                              "unknown price kind '%s' (interface-hour, gwlb-hour, gb-tier1, "
                              "gb-tier2, gb-tier3)",
                              w[2]);
    char *end = NULL;
    double v = strtod(w[3], &end);
    if (end == w[3] || *end)
        return vpcx_error_set(err, VPCX_ERR_USAGE, "price %s %s takes a number, not '%s'", w[1],
                              w[2], w[3]);
    return cost_prices_set(p, w[1], kind, v, err);
}

enum vpcx_status cost_prices_parse_config(struct cost_prices *p, const char *label,
                                          const char *text, size_t len, struct vpcx_error *err)
{
    size_t pos = 0;
    unsigned lineno = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        char *line = xstrndup(text + pos, end - pos);
        lineno++;
        enum vpcx_status st = price_line(p, line, err);
        free(line);
        if (st != VPCX_OK) {
            char *msg = xasprintf("%s, line %u: %s", label, lineno,
                                  err->message ? err->message : "invalid");
            vpcx_error_set(err, st, "%s", msg);
            free(msg);
            return st;
        }
        pos = end + 1;
    }
    return VPCX_OK;
}

bool cost_data_processing(const struct cost_prices *p, const char *region, double gb, double *usd)
{
    static const double tier_gb[] = {1024.0 * 1024.0, 4.0 * 1024.0 * 1024.0}; /* 1 PB, 4 PB */
    double t[3];
    if (!cost_price(p, region, COST_GB_TIER1, &t[0], NULL) ||
        !cost_price(p, region, COST_GB_TIER2, &t[1], NULL) ||
        !cost_price(p, region, COST_GB_TIER3, &t[2], NULL))
        return false;
    double left = gb > 0 ? gb : 0, sum = 0;
    for (int i = 0; i < 2 && left > 0; i++) {
        double in = left < tier_gb[i] ? left : tier_gb[i];
        sum += in * t[i];
        left -= in;
    }
    *usd = sum + left * t[2];
    return true;
}

void cost_processing_compute(const struct cost_prices *p, const char *region, double bytes,
                             double seconds, struct cost_processing *out)
{
    memset(out, 0, sizeof(*out));
    out->bytes = bytes > 0 ? bytes : 0;
    out->range_hours = seconds > 0 ? seconds / 3600.0 : 0;
    out->gb_range = out->bytes / (1024.0 * 1024.0 * 1024.0);
    if (out->range_hours <= 0)
        return;
    out->gb_month = out->gb_range * COST_HOURS_PER_MONTH / out->range_hours;
    out->priced = cost_data_processing(p, region, out->gb_month, &out->monthly);
}

void cost_endpoint_add_processing(struct endpoint_cost *c, const struct cost_processing *x)
{
    if (c->basis != COST_HOURLY || !c->per_gb || !x->priced)
        return;
    c->processing_known = true;
    c->processing = *x;
    c->monthly += x->monthly;
    c->per_gb = false;
}

static bool endpoint_billed(const struct inv_resource *ep)
{
    return !ep->state || strcasecmp(ep->state, "deleted") != 0;
}

void cost_endpoint(const struct inventory *inv, const struct cost_prices *p, const char *region,
                   const struct inv_resource *ep, struct endpoint_cost *out)
{
    memset(out, 0, sizeof(*out));
    out->endpoint = ep;
    out->kind = COST_INTERFACE_HOUR;
    switch (ep->endpoint.kind) {
    case INV_ENDPOINT_GATEWAY:
        out->basis = COST_FREE;
        return;
    case INV_ENDPOINT_INTERFACE: {
        size_t enis = inventory_endpoint_enis(inv, ep->id).n;
        /* AWS places one ENI per subnet; before ENIs load, count the subnets. */
        out->units = enis ? enis : ep->endpoint.subnet_ids.n;
        out->per_gb = true;
        break;
    }
    case INV_ENDPOINT_GWLB:
        out->kind = COST_GWLB_HOUR;
        out->units = 1;
        out->per_gb = true;
        break;
    case INV_ENDPOINT_OTHER:
        out->basis = COST_UNKNOWN;
        return;
    }
    if (!endpoint_billed(ep)) {
        out->basis = COST_UNBILLED;
        out->units = 0;
        out->per_gb = false;
        return;
    }
    if (!cost_price(p, region, out->kind, &out->hourly, NULL)) {
        out->basis = COST_UNKNOWN;
        return;
    }
    out->basis = COST_HOURLY;
    out->monthly = (double)out->units * COST_HOURS_PER_MONTH * out->hourly;
}

static void total_add(struct cost_total *t, const struct endpoint_cost *c)
{
    if (c->basis == COST_UNKNOWN) {
        t->unknown++;
        return;
    }
    if (c->basis == COST_UNBILLED)
        return;
    t->priced++;
    t->monthly += c->monthly;
    t->per_gb = t->per_gb || c->per_gb;
    t->extrapolated = t->extrapolated || c->processing_known;
}

static int by_vpc_then_id(const void *a, const void *b)
{
    const struct endpoint_cost *x = a, *y = b;
    const char *vx = x->endpoint->vpc_id ? x->endpoint->vpc_id : "";
    const char *vy = y->endpoint->vpc_id ? y->endpoint->vpc_id : "";
    int c = strcmp(vx, vy);
    return c ? c : strcmp(x->endpoint->id, y->endpoint->id);
}

static void compute_totals(struct cost_report *out);

void cost_compute(const struct inventory *inv, const struct cost_prices *p, const char *account,
                  const char *region, struct cost_report *out)
{
    memset(out, 0, sizeof(*out));
    out->account = account;
    out->region = region;
    size_t n = inventory_count(inv, INV_ENDPOINT);
    out->endpoints = n ? xcalloc(n, sizeof(*out->endpoints)) : NULL;
    for (size_t i = 0; i < n; i++)
        cost_endpoint(inv, p, region, inventory_at(inv, INV_ENDPOINT, i), &out->endpoints[i]);
    out->n = n;
    if (n)
        qsort(out->endpoints, n, sizeof(*out->endpoints), by_vpc_then_id);
    compute_totals(out);
}

static void compute_totals(struct cost_report *out)
{
    free(out->vpcs);
    out->vpcs = NULL;
    out->n_vpcs = 0;
    memset(&out->total, 0, sizeof(out->total));
    for (size_t i = 0; i < out->n; i++) {
        const struct endpoint_cost *c = &out->endpoints[i];
        const char *vpc = c->endpoint->vpc_id ? c->endpoint->vpc_id : "";
        if (out->n_vpcs == 0 || strcmp(out->vpcs[out->n_vpcs - 1].vpc_id, vpc) != 0) {
            out->vpcs = xreallocarray(out->vpcs, out->n_vpcs + 1, sizeof(*out->vpcs));
            out->vpcs[out->n_vpcs++] = (struct cost_vpc_total){.vpc_id = vpc};
        }
        total_add(&out->vpcs[out->n_vpcs - 1].total, c);
        total_add(&out->total, c);
    }
}

bool cost_report_add_processing(struct cost_report *r, const char *endpoint_id,
                                const struct cost_processing *x)
{
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->endpoints[i].endpoint->id, endpoint_id) == 0) {
            cost_endpoint_add_processing(&r->endpoints[i], x);
            compute_totals(r);
            return true;
        }
    }
    return false;
}

void cost_report_finish(struct cost_report *r)
{
    free(r->endpoints);
    free(r->vpcs);
    memset(r, 0, sizeof(*r));
}
