#include "vpcx/sync/metrics.h"

#include "vpcx/core/xalloc.h"

#include <stdlib.h>
#include <string.h>

bool metrics_target_from_inventory(const struct inventory *inv, const char *endpoint_id,
                                   struct metrics_target *out)
{
    memset(out, 0, sizeof(*out));
    const struct inv_resource *ep = inventory_find(inv, INV_ENDPOINT, endpoint_id);
    if (!ep || ep->endpoint.kind == INV_ENDPOINT_GATEWAY || !ep->vpc_id ||
        !ep->endpoint.type_text || !ep->endpoint.service_name)
        return false;
    out->dims.vpc_id = ep->vpc_id;
    out->dims.endpoint_id = ep->id;
    out->dims.endpoint_type = ep->endpoint.type_text;
    out->dims.service_name = ep->endpoint.service_name;
    out->subnet_ids = ep->endpoint.subnet_ids.v;
    out->n_subnets = ep->endpoint.subnet_ids.n;
    return true;
}

/* ---- one fetch: GetMetricData pages ---- */

struct metrics_call {
    struct aws_client *client;
    struct cloudwatch_endpoint dims; /* points into own */
    char *own[4];
    struct metrics_set *set;
    char *token; /* the page asked for; NULL for the first */
    unsigned pages;
    uint64_t id;    /* the call in flight, 0 while a timer starts it */
    uint64_t timer; /* the start-up timer, so done never runs inside metrics_fetch() */
    metrics_done_fn done;
    void *ud;
};

static void call_free(struct metrics_call *c)
{
    for (int i = 0; i < 4; i++)
        free(c->own[i]);
    metrics_set_destroy(c->set);
    free(c->token);
    free(c);
}

static void call_end(struct metrics_call *c, const struct vpcx_error *err)
{
    struct metrics_set *set = err ? NULL : c->set;
    if (!err)
        c->set = NULL;
    c->done(c->ud, set, err);
    call_free(c);
}

static void page_done(void *ud, struct aws_call_result *res);

static void send_page(struct metrics_call *c)
{
    struct aws_query q;
    aws_query_init(&q, NULL, NULL);
    cloudwatch_metric_data_query(&q, c->set, &c->dims, c->token);
    const struct aws_call_params p = {
        .service = AWS_SERVICE_MONITORING,
        .operation = "GetMetricData",
        .query = &q,
        .done = page_done,
        .ud = c,
    };
    c->id = aws_client_call(c->client, &p);
    aws_query_finish(&q);
}

static void page_done(void *ud, struct aws_call_result *res)
{
    struct metrics_call *c = ud;
    c->id = 0;
    if (res->status != VPCX_OK) {
        call_end(c, res->error);
        return;
    }
    struct vpcx_error err;
    vpcx_error_init(&err);
    char *next = NULL;
    enum vpcx_status st = cloudwatch_apply_metric_data(c->set, res->result, &next, &err);
    c->pages++;
    if (st == VPCX_OK && next && c->token && strcmp(next, c->token) == 0)
        st = vpcx_error_set(&err, VPCX_ERR_PARSE, "GetMetricData: the same NextToken twice");
    else if (st == VPCX_OK && next && c->pages >= METRICS_MAX_PAGES)
        st = vpcx_error_set(&err, VPCX_ERR_TOO_LARGE, "GetMetricData: more than %d pages",
                            METRICS_MAX_PAGES);
    if (st != VPCX_OK || !next) {
        free(next);
        call_end(c, st == VPCX_OK ? NULL : &err);
        vpcx_error_finish(&err);
        return;
    }
    free(c->token);
    c->token = next;
    send_page(c);
}

static void start_timer(void *ud)
{
    struct metrics_call *c = ud;
    c->timer = 0;
    send_page(c);
}

static char *dup_or_empty(const char *s)
{
    return xstrdup(s ? s : "");
}

struct metrics_call *metrics_fetch(struct aws_client *client, const struct metrics_target *t,
                                   enum metrics_range range, time_t now, metrics_done_fn done,
                                   void *ud)
{
    struct metrics_call *c = xcalloc(1, sizeof(*c));
    c->client = client;
    c->dims.vpc_id = c->own[0] = dup_or_empty(t->dims.vpc_id);
    c->dims.endpoint_id = c->own[1] = dup_or_empty(t->dims.endpoint_id);
    c->dims.endpoint_type = c->own[2] = dup_or_empty(t->dims.endpoint_type);
    c->dims.service_name = c->own[3] = dup_or_empty(t->dims.service_name);
    c->set = metrics_set_create(t->dims.endpoint_id, range, now, t->subnet_ids, t->n_subnets);
    c->done = done;
    c->ud = ud;
    /* aws_client_call never finishes inside itself, but a timer keeps the caller's
       bookkeeping simple whatever it does next. */
    c->timer = http_engine_add_timer(aws_client_http(client), 0, start_timer, c);
    return c;
}

void metrics_call_cancel(struct metrics_call *c)
{
    if (!c)
        return;
    if (c->timer)
        http_engine_cancel(aws_client_http(c->client), c->timer);
    if (c->id)
        aws_client_cancel(c->client, c->id);
    call_free(c);
}

/* ---- the cache ---- */

struct metrics_cache {
    struct aws_client *client;
    void (*on_change)(void *ud);
    void *ud;
    struct metrics_entry *v[METRICS_CACHE_ENTRIES];
    size_t n;
};

struct metrics_cache *metrics_cache_create(struct aws_client *client, void (*on_change)(void *ud),
                                           void *ud)
{
    struct metrics_cache *c = xcalloc(1, sizeof(*c));
    c->client = client;
    c->on_change = on_change;
    c->ud = ud;
    return c;
}

static void entry_free(struct metrics_entry *e)
{
    metrics_call_cancel(e->call);
    metrics_set_destroy(e->set);
    vpcx_error_finish(&e->error);
    free(e->endpoint_id);
    free(e);
}

static void cache_remove(struct metrics_cache *c, size_t i)
{
    entry_free(c->v[i]);
    memmove(&c->v[i], &c->v[i + 1], (c->n - i - 1) * sizeof(c->v[0]));
    c->n--;
}

void metrics_cache_destroy(struct metrics_cache *c)
{
    if (!c)
        return;
    while (c->n)
        cache_remove(c, c->n - 1);
    free(c);
}

static size_t cache_index(const struct metrics_cache *c, const char *id, enum metrics_range r)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i]->range == r && strcmp(c->v[i]->endpoint_id, id) == 0)
            return i;
    return c->n;
}

const struct metrics_entry *metrics_cache_peek(const struct metrics_cache *c,
                                               const char *endpoint_id, enum metrics_range range)
{
    size_t i = cache_index(c, endpoint_id, range);
    return i < c->n ? c->v[i] : NULL;
}

bool metrics_cache_running(const struct metrics_cache *c)
{
    for (size_t i = 0; c && i < c->n; i++)
        if (c->v[i]->state == METRICS_LOADING)
            return true;
    return false;
}

static void entry_done(void *ud, struct metrics_set *set, const struct vpcx_error *err)
{
    struct metrics_entry *e = ud;
    e->call = NULL;
    if (set) {
        e->state = METRICS_READY;
        e->set = set;
    } else {
        e->state = METRICS_FAILED;
        vpcx_error_copy(&e->error, err);
    }
    if (e->cache->on_change)
        e->cache->on_change(e->cache->ud);
}

/* Drops fetches in flight (only one endpoint loads at a time) and, when full, the oldest. */
static void cache_make_room(struct metrics_cache *c)
{
    for (size_t i = c->n; i-- > 0;)
        if (c->v[i]->state == METRICS_LOADING)
            cache_remove(c, i);
    if (c->n == METRICS_CACHE_ENTRIES)
        cache_remove(c, 0);
}

const struct metrics_entry *metrics_cache_want(struct metrics_cache *c, const struct inventory *inv,
                                               const char *endpoint_id, enum metrics_range range,
                                               time_t now)
{
    struct metrics_target t;
    if (!endpoint_id || !metrics_target_from_inventory(inv, endpoint_id, &t))
        return NULL;
    size_t i = cache_index(c, endpoint_id, range);
    if (i < c->n) {
        struct metrics_entry *e = c->v[i];
        if (e->state == METRICS_LOADING || now - e->fetched < METRICS_CACHE_TTL)
            return e;
        cache_remove(c, i); /* stale: fetched again below */
    }
    cache_make_room(c);
    struct metrics_entry *e = xcalloc(1, sizeof(*e));
    e->endpoint_id = xstrdup(endpoint_id);
    e->range = range;
    e->state = METRICS_LOADING;
    e->fetched = now;
    e->cache = c;
    vpcx_error_init(&e->error);
    e->call = metrics_fetch(c->client, &t, range, now, entry_done, e);
    c->v[c->n++] = e;
    return e;
}
