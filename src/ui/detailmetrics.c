/*
 * The endpoint detail's CloudWatch metrics: sparklines with min/max/last per metric, for the
 * endpoint and each of its subnets, and the data processing they imply for the cost. The
 * fetch is asked for when an endpoint's detail is built (sync/metrics caches it) and runs on
 * the one event loop; until it lands the rows say so, and a failure is a note, never a stop.
 */
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/cost.h"
#include "vpcx/model/metrics.h"
#include "vpcx/sync/metrics.h"

#include "app_internal.h"

#include <string.h>
#include <time.h>

void app_metrics_changed(void *ud)
{
    struct app *a = ud;
    a->metrics_changed = true;
}

void app_metrics_cycle(struct app *a)
{
    a->metrics_range = metrics_range_next(a->metrics_range);
    a->metrics_changed = true;
    app_message(a, ROLE_NORMAL, "endpoint metrics: last %s", metrics_range_name(a->metrics_range));
}

#define NAME_WIDTH 19 /* "RstPacketsReceived" and a blank */
#define STAT_WIDTH 9  /* "999.9 MB" and a blank */
#define SPARK_MIN  12
#define SPARK_WANT 24 /* below this beside the stats, the stats go on a row of their own */

/* How a series is drawn in the detail pane as last laid out. */
struct spark_layout {
    size_t cells; /* sparkline cells, at most one per bucket */
    bool stacked; /* min/max/last on the row below the sparkline */
};

static struct spark_layout spark_layout(const struct app *a, size_t buckets)
{
    int w = a->layout.detail.w > 0 ? a->layout.detail.w : 80;
    int room = w - 2 - NAME_WIDTH - 1 - 3 * STAT_WIDTH;
    struct spark_layout out = {.stacked = room < SPARK_WANT && room < (int)buckets};
    if (out.stacked)
        room = w - 2 - NAME_WIDTH - 2;
    out.cells = room > SPARK_MIN ? (size_t)room : SPARK_MIN;
    if (out.cells > buckets)
        out.cells = buckets;
    return out;
}

static void stat_cell(struct ui_line *l, const char *name, double v, bool bytes)
{
    struct strbuf sb;
    strbuf_init(&sb, 32);
    metrics_format_value(&sb, v, bytes);
    if (name) {
        line_addf(l, ROLE_DIM, "%s ", name);
        line_add(l, ROLE_VALUE, sb.buf);
        line_add(l, ROLE_NORMAL, "  ");
    } else {
        line_add_fixed(l, ROLE_VALUE, sb.buf, STAT_WIDTH, 1);
    }
    strbuf_release(&sb);
}

static struct ui_line *name_row(detail_add_fn add, void *ud, enum theme_role role, const char *name)
{
    struct ui_line *l = add(ud, NULL);
    line_add(l, ROLE_NORMAL, "  ");
    line_add_fixed(l, role, name, NAME_WIDTH, 0);
    line_add(l, ROLE_NORMAL, " ");
    return l;
}

/* "Endpoint" or "Subnet subnet-..." over the min / max / last columns. */
static void scope_header(const struct metrics_scope *sc, struct spark_layout sl, detail_add_fn add,
                         void *ud)
{
    size_t cells = sl.stacked ? 0 : sl.cells;
    struct ui_line *l = add(ud, NULL);
    line_add(l, ROLE_NORMAL, "  ");
    if (sc->subnet_id && sl.stacked) {
        line_add(l, ROLE_LABEL, "Subnet ");
        line_add(l, ROLE_ID, sc->subnet_id);
    } else if (sc->subnet_id) {
        line_add(l, ROLE_LABEL, "Subnet ");
        line_add_fixed(l, ROLE_ID, sc->subnet_id, (int)(NAME_WIDTH - 7 + 1 + cells), 0);
    } else {
        line_add_fixed(l, ROLE_LABEL, "Endpoint", (int)(NAME_WIDTH + 1 + cells), 0);
    }
    if (sl.stacked)
        return;
    line_add_fixed(l, ROLE_DIM, "min", STAT_WIDTH, 1);
    line_add_fixed(l, ROLE_DIM, "max", STAT_WIDTH, 1);
    line_add_fixed(l, ROLE_DIM, "last", STAT_WIDTH, 1);
}

static void series_row(struct app *a, const struct metrics_series *x, enum metrics_metric m,
                       struct spark_layout sl, detail_add_fn add, void *ud)
{
    size_t cells = sl.cells;
    struct ui_line *l = name_row(add, ud, ROLE_LABEL, metrics_metric_name(m));
    struct metrics_stats st;
    if (!metrics_series_stats(x, &st)) {
        line_add(l, ROLE_DIM, "no datapoints");
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb, 256);
    metrics_sparkline(&sb, x, cells, a->palette.utf8);
    bool alarm = m == METRIC_PACKETS_DROPPED && st.max > 0;
    line_add_fixed(l, alarm ? ROLE_WARN : ROLE_COUNTER, sb.buf, (int)cells, 0);
    strbuf_release(&sb);
    bool bytes = metrics_metric_is_bytes(m);
    if (sl.stacked) {
        l = add(ud, NULL);
        line_add(l, ROLE_NORMAL, "    ");
    }
    stat_cell(l, sl.stacked ? "min" : NULL, st.min, bytes);
    stat_cell(l, sl.stacked ? "max" : NULL, st.max, bytes);
    stat_cell(l, sl.stacked ? "last" : NULL, st.last, bytes);
    if (x->partial)
        line_add(l, ROLE_WARN, "  partial");
}

static bool scope_has_data(const struct metrics_scope *sc)
{
    for (int m = 0; m < METRIC_COUNT; m++)
        if (sc->series[m].points)
            return true;
    return false;
}

static bool set_has_data(const struct metrics_set *s)
{
    for (size_t i = 0; i < s->n_scopes; i++)
        if (scope_has_data(&s->scopes[i]))
            return true;
    return false;
}

/* The cost with the measured data processing, extrapolated to a month. */
static void cost_rows(struct app *a, const struct inv_resource *ep, const struct metrics_set *s,
                      detail_add_fn add, void *ud)
{
    struct metrics_stats st;
    if (!metrics_series_stats(&s->scopes[0].series[METRIC_BYTES_PROCESSED], &st))
        return;
    struct cost_prices *prices = cost_prices_create();
    struct cost_processing x;
    cost_processing_compute(prices, a->opts.region, st.sum, (double)(s->end - s->start), &x);
    struct ui_line *l = add(ud, "Data processed");
    line_addf(l, ROLE_VALUE, "%.3f GB in %s, about %.1f GB a month", x.gb_range,
              metrics_range_name(s->range), x.gb_month);
    struct endpoint_cost c;
    cost_endpoint(a->inv, prices, a->opts.region, ep, &c);
    cost_endpoint_add_processing(&c, &x);
    l = add(ud, "Cost estimate");
    if (c.processing_known) {
        line_addf(l, ROLE_VALUE, "$%.2f a month", c.monthly);
        line_addf(l, ROLE_DIM, " (data processing extrapolated from the last %s)",
                  metrics_range_name(s->range));
        line_addf(add(ud, ""), ROLE_VALUE, "$%.2f AZ-hours (%zu ENI%s) + $%.2f data processing",
                  c.monthly - c.processing.monthly, c.units, c.units == 1 ? "" : "s",
                  c.processing.monthly);
    } else if (c.basis == COST_HOURLY) {
        line_addf(l, ROLE_VALUE, "$%.2f a month + per-GB (no per-GB price for %s)", c.monthly,
                  a->opts.region ? a->opts.region : "this region");
    } else {
        line_add(l, ROLE_DIM, "price unknown for this region");
    }
    cost_prices_destroy(prices);
}

static void ready_rows(struct app *a, const struct inv_resource *ep, const struct metrics_set *s,
                       detail_add_fn add, void *ud)
{
    if (!set_has_data(s)) {
        line_addf(add(ud, NULL), ROLE_DIM, "  no datapoints in the last %s",
                  metrics_range_name(s->range));
        return;
    }
    struct spark_layout sl = spark_layout(a, s->scopes[0].series[0].n);
    for (size_t i = 0; i < s->n_scopes; i++) {
        if (!scope_has_data(&s->scopes[i])) {
            struct ui_line *l = add(ud, NULL);
            line_add(l, ROLE_LABEL, s->scopes[i].subnet_id ? "  Subnet " : "  Endpoint");
            line_add(l, ROLE_ID, s->scopes[i].subnet_id ? s->scopes[i].subnet_id : "");
            line_add(l, ROLE_DIM, "  no datapoints");
            continue;
        }
        scope_header(&s->scopes[i], sl, add, ud);
        for (int m = 0; m < METRIC_COUNT; m++)
            series_row(a, &s->scopes[i].series[m], (enum metrics_metric)m, sl, add, ud);
    }
    cost_rows(a, ep, s, add, ud);
}

static void failed_rows(struct app *a, const struct vpcx_error *err, detail_add_fn add, void *ud)
{
    struct ui_line *l = add(ud, NULL);
    if (err->status == VPCX_ERR_ACCESS_DENIED) {
        line_addf(l, ROLE_WARN, "  CloudWatch: access denied %s metrics unavailable",
                  a->palette.utf8 ? "\xe2\x80\x94" : "-");
        line_add(add(ud, NULL), ROLE_DIM, "  (needs cloudwatch:GetMetricData)");
        return;
    }
    line_addf(l, ROLE_WARN, "  CloudWatch: %s",
              err->message ? err->message : vpcx_status_message(err->status));
}

void app_metrics_rows(struct app *a, const struct inv_resource *ep, detail_add_fn add, void *ud)
{
    if (!a->metrics)
        return; /* demo, snapshot or offline: no CloudWatch to ask */
    const struct metrics_entry *e =
        metrics_cache_want(a->metrics, a->inv, ep->id, a->metrics_range, time(NULL));
    if (!e)
        return; /* a gateway endpoint: no PrivateLink metrics */
    add(ud, NULL);
    struct ui_line *t = add(ud, NULL);
    line_add(t, ROLE_TITLE, "Metrics");
    line_addf(t, ROLE_DIM, "  CloudWatch, last %s (t: %s)", metrics_range_name(a->metrics_range),
              metrics_range_name(metrics_range_next(a->metrics_range)));
    switch (e->state) {
    case METRICS_LOADING:
        line_addf(add(ud, NULL), ROLE_DIM, "  loading %s metrics%s", metrics_range_name(e->range),
                  a->palette.utf8 ? "\xe2\x80\xa6" : "...");
        break;
    case METRICS_FAILED:
        failed_rows(a, &e->error, add, ud);
        break;
    case METRICS_READY:
        ready_rows(a, ep, e->set, add, ud);
        break;
    }
}
