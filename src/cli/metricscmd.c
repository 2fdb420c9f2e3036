/*
 * `vpcx metrics vpce-ID`: one endpoint's CloudWatch metrics, and `--metrics` for check and
 * cost: the last 3 h of every interface endpoint's.
 */
#include "vpcx/cli/commands.h"

#include "vpcx/cli/source.h"
#include "vpcx/core/fileio.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/cost.h"
#include "vpcx/model/metrics.h"
#include "vpcx/sync/metrics.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SPARK_WIDTH 48

static bool locale_utf8(void)
{
    setlocale(LC_CTYPE, "");
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* ---- one endpoint, from DescribeVpcEndpoints ---- */

static enum vpcx_status describe_endpoint(struct aws_session *s, const char *id,
                                          struct inventory *inv, struct vpcx_error *err)
{
    struct aws_query q;
    aws_query_init(&q, NULL, NULL);
    aws_query_add(&q, "VpcEndpointId.1", id);
    cJSON *result = NULL;
    enum vpcx_status st =
        aws_client_call_sync(s->client, AWS_SERVICE_EC2, "DescribeVpcEndpoints", &q, &result, err);
    aws_query_finish(&q);
    if (st != VPCX_OK)
        return st;
    cJSON *list = cJSON_GetObjectItemCaseSensitive(result, "VpcEndpoints");
    cJSON *item;
    cJSON_ArrayForEach(item, list)
    {
        const char *got =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, "VpcEndpointId"));
        if (got && strcmp(got, id) == 0) {
            cJSON_DetachItemViaPointer(list, item);
            st = inventory_put(inv, INV_ENDPOINT, item);
            cJSON_Delete(result);
            return st;
        }
    }
    cJSON_Delete(result);
    return vpcx_error_set(err, VPCX_ERR_NOT_FOUND, "no VPC endpoint %s in this account and region",
                          id);
}

struct fetch_wait {
    bool done;
    struct metrics_set *set;
    struct vpcx_error err;
};

static void wait_done(void *ud, struct metrics_set *set, const struct vpcx_error *err)
{
    struct fetch_wait *w = ud;
    w->done = true;
    w->set = set;
    if (err)
        vpcx_error_copy(&w->err, err);
}

/* ---- text ---- */

static void add_clean(struct strbuf *sb, const char *s)
{
    sanitize_add(sb, s ? s : "", strlen(s ? s : ""), SANITIZE_ESCAPE);
}

static void text_series(struct strbuf *sb, const struct metrics_series *x, enum metrics_metric m,
                        bool utf8)
{
    strbuf_addf(sb, "  %-19s ", metrics_metric_name(m));
    struct metrics_stats st;
    if (!metrics_series_stats(x, &st)) {
        strbuf_addstr(sb, "no datapoints\n");
        return;
    }
    metrics_sparkline(sb, x, SPARK_WIDTH, utf8);
    bool bytes = metrics_metric_is_bytes(m);
    strbuf_addstr(sb, "  min ");
    metrics_format_value(sb, st.min, bytes);
    strbuf_addstr(sb, "  max ");
    metrics_format_value(sb, st.max, bytes);
    strbuf_addstr(sb, "  last ");
    metrics_format_value(sb, st.last, bytes);
    if (x->partial)
        strbuf_addstr(sb, "  (partial data)");
    strbuf_addch(sb, '\n');
}

static void text_processing(struct strbuf *sb, const struct metrics_set *set, const char *region)
{
    struct metrics_stats st;
    if (!metrics_series_stats(&set->scopes[0].series[METRIC_BYTES_PROCESSED], &st))
        return;
    struct cost_prices *prices = cost_prices_create();
    struct cost_processing x;
    cost_processing_compute(prices, region, st.sum, (double)(set->end - set->start), &x);
    strbuf_addf(sb, "\nData processed: %.3f GB in %s, about %.1f GB a month", x.gb_range,
                metrics_range_name(set->range), x.gb_month);
    if (x.priced)
        strbuf_addf(sb, ": $%.2f a month at %s's per-GB tiers (extrapolated from the last %s)\n",
                    x.monthly, region, metrics_range_name(set->range));
    else
        strbuf_addf(sb, " (per-GB price for %s unknown)\n", region ? region : "this region");
    cost_prices_destroy(prices);
}

static void text_report(struct strbuf *sb, const struct inventory *inv,
                        const struct metrics_set *set, const char *region, bool utf8)
{
    const struct inv_resource *ep = inventory_find(inv, INV_ENDPOINT, set->endpoint_id);
    char from[32], to[32];
    metrics_format_time(set->start, from, sizeof(from));
    metrics_format_time(set->end, to, sizeof(to));
    add_clean(sb, set->endpoint_id);
    strbuf_addstr(sb, "  ");
    add_clean(sb, ep ? ep->endpoint.service_name : "");
    strbuf_addstr(sb, "  ");
    add_clean(sb, ep ? ep->vpc_id : "");
    strbuf_addf(sb, "\n%s, last %s (%ld-minute periods, %s to %s)%s\n", METRICS_NAMESPACE,
                metrics_range_name(set->range), set->period / 60, from, to,
                set->partial ? ", partial data" : "");
    for (size_t i = 0; i < set->n_scopes; i++) {
        strbuf_addstr(sb, "\n");
        if (set->scopes[i].subnet_id) {
            strbuf_addstr(sb, "Subnet ");
            add_clean(sb, set->scopes[i].subnet_id);
            strbuf_addch(sb, '\n');
        } else {
            strbuf_addstr(sb, "Endpoint\n");
        }
        for (int m = 0; m < METRIC_COUNT; m++)
            text_series(sb, &set->scopes[i].series[m], (enum metrics_metric)m, utf8);
    }
    text_processing(sb, set, region);
}

static int print_metrics(const struct cli_options *opts, const struct inventory *inv,
                         const struct metrics_set *set, const char *region)
{
    struct strbuf sb;
    strbuf_init(&sb, 4096);
    if (opts->format_arg && strcmp(opts->format_arg, "json") == 0) {
        cJSON *doc = metrics_set_to_json(set);
        char *s = opts->pretty ? cJSON_Print(doc) : cJSON_PrintUnformatted(doc);
        sanitize_json_add(&sb, s, strlen(s));
        strbuf_addch(&sb, '\n');
        cJSON_free(s);
        cJSON_Delete(doc);
    } else {
        text_report(&sb, inv, set, region, locale_utf8());
    }
    int code = cli_write_file(opts->output, sb.buf, sb.len);
    strbuf_release(&sb);
    return code;
}

static enum vpcx_status open_session(const struct cli_options *opts, struct aws_session *s,
                                     struct vpcx_error *err)
{
    struct aws_session_options so;
    source_session_options(opts, &so);
    enum vpcx_status st = aws_session_resolve(s, &so, err);
    if (st == VPCX_OK)
        st = aws_session_connect(s, &so, err);
    return st;
}

static void explain_denied(struct vpcx_error *err)
{
    if (err->status != VPCX_ERR_ACCESS_DENIED)
        return;
    free(err->hint);
    err->hint = xstrdup("metrics need the IAM permission cloudwatch:GetMetricData");
}

int cmd_metrics(const struct cli_options *opts)
{
    if (opts->demo || opts->snapshot || opts->offline) {
        fprintf(stderr, "vpcx: metrics are read from CloudWatch: not with --demo, --snapshot or "
                        "--offline\n");
        return VPCX_EXIT_USAGE;
    }
    enum metrics_range range = METRICS_3H;
    if (opts->since)
        metrics_range_parse(opts->since, &range);
    struct vpcx_error err;
    vpcx_error_init(&err);
    struct aws_session s;
    struct inventory *inv = inventory_create();
    struct fetch_wait w = {0};
    vpcx_error_init(&w.err);
    int code;
    enum vpcx_status st = open_session(opts, &s, &err);
    if (st == VPCX_OK)
        st = describe_endpoint(&s, opts->args[0], inv, &err);
    struct metrics_target t;
    if (st == VPCX_OK && !metrics_target_from_inventory(inv, opts->args[0], &t))
        st = vpcx_error_set(&err, VPCX_ERR_USAGE,
                            "%s is a gateway endpoint: CloudWatch has no PrivateLink metrics "
                            "for it",
                            opts->args[0]);
    if (st == VPCX_OK) {
        metrics_fetch(s.client, &t, range, time(NULL), wait_done, &w);
        while (!w.done) {
            bool ready;
            http_engine_step(s.http, -1, 60000, &ready);
        }
        if (!w.set) {
            vpcx_error_copy(&err, &w.err);
            st = err.status;
        }
    }
    if (st == VPCX_OK) {
        code = print_metrics(opts, inv, w.set, s.settings.region.value);
    } else {
        explain_denied(&err);
        code = cli_fail(&err);
    }
    metrics_set_destroy(w.set);
    vpcx_error_finish(&w.err);
    vpcx_error_finish(&err);
    inventory_destroy(inv);
    aws_session_close(&s);
    return code;
}

/* ---- --metrics for check and cost ---- */

struct many_wait {
    struct source_metrics *out;
    size_t pending;
};

struct one_wait {
    struct many_wait *all;
};

static void many_done(void *ud, struct metrics_set *set, const struct vpcx_error *err)
{
    struct one_wait *o = ud;
    struct source_metrics *m = o->all->out;
    o->all->pending--;
    free(o);
    if (set) {
        m->v = xreallocarray(m->v, m->n + 1, sizeof(*m->v));
        m->v[m->n++] = set;
        return;
    }
    if (m->failed++ == 0)
        vpcx_error_copy(&m->error, err);
}

static bool wants_metrics(const struct inventory *inv, const struct inv_resource *ep)
{
    struct metrics_target t;
    return (!ep->state || strcasecmp(ep->state, "available") == 0) &&
           metrics_target_from_inventory(inv, ep->id, &t);
}

void source_fetch_metrics(const struct cli_options *opts, const struct inventory *inv,
                          struct source_metrics *out)
{
    memset(out, 0, sizeof(*out));
    vpcx_error_init(&out->error);
    struct aws_session s;
    enum vpcx_status st = open_session(opts, &s, &out->error);
    if (st != VPCX_OK) {
        out->failed = 1;
    } else {
        struct many_wait all = {.out = out};
        time_t now = time(NULL);
        for (size_t i = 0; i < inventory_count(inv, INV_ENDPOINT); i++) {
            const struct inv_resource *ep = inventory_at(inv, INV_ENDPOINT, i);
            struct metrics_target t;
            if (!wants_metrics(inv, ep) || !metrics_target_from_inventory(inv, ep->id, &t))
                continue;
            struct one_wait *o = xcalloc(1, sizeof(*o));
            o->all = &all;
            all.pending++;
            metrics_fetch(s.client, &t, METRICS_3H, now, many_done, o);
        }
        while (all.pending) {
            bool ready;
            http_engine_step(s.http, -1, 60000, &ready);
        }
    }
    if (out->failed) {
        explain_denied(&out->error);
        char *what = xasprintf("metrics (%u endpoint%s)", out->failed, out->failed == 1 ? "" : "s");
        cli_report(what, &out->error);
        free(what);
    }
    aws_session_close(&s);
}

const struct metrics_set *source_metrics_find(const struct source_metrics *m,
                                              const char *endpoint_id)
{
    for (size_t i = 0; m && i < m->n; i++)
        if (strcmp(m->v[i]->endpoint_id, endpoint_id) == 0)
            return m->v[i];
    return NULL;
}

void source_metrics_finish(struct source_metrics *m)
{
    for (size_t i = 0; i < m->n; i++)
        metrics_set_destroy(m->v[i]);
    free(m->v);
    vpcx_error_finish(&m->error);
    memset(m, 0, sizeof(*m));
}
