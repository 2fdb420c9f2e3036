/*
 * `vpcx check` and `vpcx cost`: the check and cost models over the same
 * sources as dump, with the config file's `ignore` and `price` lines.
 */
#include "vpcx/cli/commands.h"

#include "vpcx/cli/source.h"
#include "vpcx/core/fileio.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/check.h"
#include "vpcx/model/cost.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef VPCX_VERSION
#define VPCX_VERSION "0.1.0"
#endif

enum vpcx_status source_config_text(char **text, size_t *len, char **path, struct vpcx_error *err)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    *text = NULL;
    *len = 0;
    *path = NULL;
    if (xdg && *xdg)
        *path = xasprintf("%s/vpcx/config", xdg);
    else if (home && *home)
        *path = xasprintf("%s/.config/vpcx/config", home);
    struct stat st;
    if (!*path || stat(*path, &st) != 0)
        return VPCX_OK;
    struct strbuf sb;
    strbuf_init(&sb, 1024);
    enum vpcx_status s = file_read_all(*path, 1u << 20, &sb, err);
    if (s != VPCX_OK) {
        strbuf_release(&sb);
        return s;
    }
    *text = strbuf_detach(&sb, len);
    return VPCX_OK;
}

/* The config's ignore and price lines; *code set on failure. */
static bool load_config(struct check_config *cfg, struct cost_prices *prices, int *code)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    char *text, *path;
    size_t len;
    enum vpcx_status st = source_config_text(&text, &len, &path, &err);
    if (st == VPCX_OK && text && cfg)
        st = check_config_parse(cfg, path, text, len, &err);
    if (st == VPCX_OK && text)
        st = cost_prices_parse_config(prices, path, text, len, &err);
    if (st != VPCX_OK)
        *code = cli_fail(&err);
    free(text);
    free(path);
    vpcx_error_finish(&err);
    return st == VPCX_OK;
}

static int write_json(const struct cli_options *opts, cJSON *doc)
{
    char *s = opts->pretty ? cJSON_Print(doc) : cJSON_PrintUnformatted(doc);
    struct strbuf sb;
    strbuf_init(&sb, strlen(s) + 2);
    sanitize_json_add(&sb, s, strlen(s)); /* C1 and bidi from AWS strings as \uXXXX */
    strbuf_addch(&sb, '\n');
    cJSON_free(s);
    int code = cli_write_file(opts->output, sb.buf, sb.len);
    strbuf_release(&sb);
    return code;
}

static bool use_colour(const struct cli_options *opts)
{
    const char *no = getenv("NO_COLOR");
    return !opts->output && isatty(STDOUT_FILENO) && !(no && *no);
}

/* ---- check ----------------------------------------------------------------------------------- */

static int select_rules(const struct cli_options *opts, struct check_options *co)
{
    enum check_rule r;
    for (size_t i = 0; i < opts->n_rules + opts->n_skips; i++) {
        const char *id = i < opts->n_rules ? opts->rules[i] : opts->skips[i - opts->n_rules];
        if (!check_rule_parse(id, &r)) {
            fprintf(stderr, "vpcx: unknown rule '%s' (see vpcx check --list-rules)\n", id);
            return VPCX_EXIT_USAGE;
        }
    }
    for (int i = 0; opts->n_rules && i < CHECK_RULE_COUNT; i++)
        co->enabled[i] = false;
    for (size_t i = 0; i < opts->n_rules; i++)
        if (check_rule_parse(opts->rules[i], &r))
            co->enabled[r] = true;
    for (size_t i = 0; i < opts->n_skips; i++)
        if (check_rule_parse(opts->skips[i], &r))
            co->enabled[r] = false;
    return VPCX_EXIT_OK;
}

static void add_clean(struct strbuf *sb, const char *s)
{
    sanitize_add(sb, s, strlen(s), SANITIZE_ESCAPE);
}

static const char *const sev_colour[] = {"\033[36m", "\033[33m", "\033[1;31m"};
static const char *const sev_heading[] = {"Info", "Warnings", "Errors"};

static void text_finding(struct strbuf *sb, const struct check_finding *f, bool colour)
{
    strbuf_addf(sb, "%s%s%s %s  ", colour ? "\033[1m" : "", f->rule_id, colour ? "\033[0m" : "",
                f->resource_type);
    add_clean(sb, f->resource_id);
    strbuf_addstr(sb, "\n  ");
    add_clean(sb, f->title);
    strbuf_addch(sb, '\n');
    for (size_t i = 0; i < f->n_evidence; i++) {
        strbuf_addstr(sb, "    ");
        add_clean(sb, f->evidence[i]);
        strbuf_addch(sb, '\n');
    }
    if (f->fix) {
        strbuf_addstr(sb, "  Fix: ");
        add_clean(sb, f->fix);
        strbuf_addch(sb, '\n');
    }
    if (f->ignored) {
        strbuf_addstr(sb, "  Ignored: ");
        add_clean(sb, f->ignore_reason);
        strbuf_addch(sb, '\n');
    }
}

static void text_report(struct strbuf *sb, const struct check_report *r, bool show_ignored,
                        bool colour)
{
    size_t count[3] = {0}, ignored = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (r->v[i].ignored)
            ignored++;
        else
            count[r->v[i].severity]++;
    }
    for (int s = CHECK_ERROR; s >= CHECK_INFO; s--) {
        if (!count[s])
            continue;
        strbuf_addf(sb, "%s%s (%zu)%s\n\n", colour ? sev_colour[s] : "", sev_heading[s], count[s],
                    colour ? "\033[0m" : "");
        for (size_t i = 0; i < r->n; i++) {
            if (!r->v[i].ignored && (int)r->v[i].severity == s) {
                text_finding(sb, &r->v[i], colour);
                strbuf_addch(sb, '\n');
            }
        }
    }
    if (show_ignored && ignored) {
        strbuf_addf(sb, "Ignored (%zu)\n\n", ignored);
        for (size_t i = 0; i < r->n; i++) {
            if (r->v[i].ignored) {
                text_finding(sb, &r->v[i], colour);
                strbuf_addch(sb, '\n');
            }
        }
    }
    strbuf_addf(sb, "%zu error%s, %zu warning%s, %zu info", count[2], count[2] == 1 ? "" : "s",
                count[1], count[1] == 1 ? "" : "s", count[0]);
    if (ignored)
        strbuf_addf(sb, ", %zu ignored%s", ignored, show_ignored ? "" : " (--show-ignored)");
    strbuf_addch(sb, '\n');
}

static int write_check(const struct cli_options *opts, const struct check_report *r)
{
    const char *fmt = opts->format_arg ? opts->format_arg : "text";
    if (strcmp(fmt, "json") == 0 || strcmp(fmt, "sarif") == 0) {
        cJSON *doc = strcmp(fmt, "json") == 0 ? check_report_to_json(r, opts->show_ignored)
                                              : check_report_to_sarif(r, VPCX_VERSION);
        int code = write_json(opts, doc);
        cJSON_Delete(doc);
        return code;
    }
    struct strbuf sb;
    strbuf_init(&sb, 4096);
    text_report(&sb, r, opts->show_ignored, use_colour(opts));
    int code = cli_write_file(opts->output, sb.buf, sb.len);
    strbuf_release(&sb);
    return code;
}

static int list_rules(const struct cli_options *opts)
{
    struct strbuf sb;
    strbuf_init(&sb, 2048);
    check_rules_write(&sb);
    int code = cli_write_file(opts->output, sb.buf, sb.len);
    strbuf_release(&sb);
    return code;
}

int cmd_check(const struct cli_options *opts)
{
    if (opts->list_rules)
        return list_rules(opts);
    struct check_options co;
    check_options_init(&co);
    int code = select_rules(opts, &co);
    if (code != VPCX_EXIT_OK)
        return code;
    struct check_config cfg = {0};
    struct cost_prices *prices = cost_prices_create();
    if (!load_config(&cfg, prices, &code)) {
        cost_prices_destroy(prices);
        return code;
    }
    struct source_result res;
    code = source_load_or_report(opts, &res);
    if (code == VPCX_EXIT_OK) {
        co.prices = prices;
        co.region = res.meta.region;
        struct source_metrics metrics = {0};
        if (opts->metrics) {
            source_fetch_metrics(opts, res.inv, &metrics);
            co.metrics = (const struct metrics_set *const *)metrics.v;
            co.n_metrics = metrics.n;
        }
        struct check_report rep;
        check_report_init(&rep);
        check_run(res.inv, &co, &rep);
        check_apply_ignores(&rep, &cfg);
        code = write_check(opts, &rep);
        enum check_severity min = CHECK_ERROR;
        if (opts->fail_on)
            check_severity_parse(opts->fail_on, &min);
        if (code == VPCX_EXIT_OK && check_report_fails(&rep, min))
            code = VPCX_EXIT_ERROR;
        else if (code == VPCX_EXIT_OK)
            code = source_exit_code(&res);
        check_report_finish(&rep);
        source_metrics_finish(&metrics);
        source_result_finish(&res);
    }
    check_config_finish(&cfg);
    cost_prices_destroy(prices);
    return code;
}

/* ---- cost ------------------------------------------------------------------------------------ */

static const char *basis_text(enum cost_basis b)
{
    switch (b) {
    case COST_FREE:
        return "free";
    case COST_HOURLY:
        return "hourly";
    case COST_UNKNOWN:
        return "unknown";
    case COST_UNBILLED:
        return "unbilled";
    }
    return "";
}

static void cost_amount(struct strbuf *sb, const struct endpoint_cost *c)
{
    if (c->basis == COST_HOURLY && c->processing_known)
        strbuf_addf(sb,
                    "$%.2f (with $%.2f data processing: %.1f GB a month, extrapolated from "
                    "the last %.0f h)",
                    c->monthly, c->processing.monthly, c->processing.gb_month,
                    c->processing.range_hours);
    else if (c->basis == COST_HOURLY)
        strbuf_addf(sb, "$%.2f%s", c->monthly, c->per_gb ? " + per-GB" : "");
    else if (c->basis == COST_FREE)
        strbuf_addstr(sb, "$0.00 (gateway: free)");
    else if (c->basis == COST_UNBILLED)
        strbuf_addstr(sb, "$0.00 (not billed)");
    else
        strbuf_addstr(sb, "price unknown");
}

static void cost_total_text(struct strbuf *sb, const struct cost_total *t)
{
    strbuf_addf(sb, "$%.2f a month%s%s", t->monthly,
                t->extrapolated ? " (measured data processing extrapolated)" : "",
                t->per_gb ? " + per-GB" : "");
    if (t->unknown)
        strbuf_addf(sb, " (+ %zu endpoint%s of unknown price)", t->unknown,
                    t->unknown == 1 ? "" : "s");
}

static void cost_text(struct strbuf *sb, const struct cost_report *r, const struct cost_prices *p)
{
    double hourly;
    const char *src = NULL;
    strbuf_addstr(sb, "account ");
    add_clean(sb, r->account ? r->account : "(unknown)");
    strbuf_addstr(sb, "  region ");
    add_clean(sb, r->region ? r->region : "(unknown)");
    strbuf_addch(sb, '\n');
    if (cost_price(p, r->region, COST_INTERFACE_HOUR, &hourly, &src))
        strbuf_addf(sb, "interface endpoint: $%.4g per AZ-hour x %d h a month (%s%s%s)\n\n", hourly,
                    COST_HOURS_PER_MONTH, src, strcmp(src, "config") ? ", " : "",
                    strcmp(src, "config") ? COST_PRICE_DATE : "");
    else
        strbuf_addf(sb,
                    "price unknown for %s: add `price %s interface-hour VALUE` to the config\n\n",
                    r->region ? r->region : "this region", r->region ? r->region : "REGION");
    for (size_t v = 0; v < r->n_vpcs; v++) {
        strbuf_addstr(sb, "VPC ");
        add_clean(sb, r->vpcs[v].vpc_id);
        strbuf_addstr(sb, ": ");
        cost_total_text(sb, &r->vpcs[v].total);
        strbuf_addch(sb, '\n');
        for (size_t i = 0; i < r->n; i++) {
            const struct endpoint_cost *c = &r->endpoints[i];
            if (strcmp(c->endpoint->vpc_id ? c->endpoint->vpc_id : "", r->vpcs[v].vpc_id) != 0)
                continue;
            strbuf_addstr(sb, "  ");
            add_clean(sb, c->endpoint->id);
            strbuf_addstr(sb, "  ");
            add_clean(sb, c->endpoint->endpoint.type_text ? c->endpoint->endpoint.type_text : "?");
            strbuf_addch(sb, ' ');
            add_clean(sb,
                      c->endpoint->endpoint.service_name ? c->endpoint->endpoint.service_name : "");
            if (c->basis == COST_HOURLY)
                strbuf_addf(sb, "  %zu x %d h x $%.4g = ", c->units, COST_HOURS_PER_MONTH,
                            c->hourly);
            else
                strbuf_addstr(sb, "  ");
            cost_amount(sb, c);
            strbuf_addch(sb, '\n');
        }
    }
    strbuf_addstr(sb, "\nTotal (account ");
    add_clean(sb, r->account ? r->account : "(unknown)");
    strbuf_addstr(sb, ", ");
    add_clean(sb, r->region ? r->region : "(unknown)");
    strbuf_addstr(sb, "): ");
    cost_total_text(sb, &r->total);
    strbuf_addch(sb, '\n');
}

static void json_total(cJSON *o, const struct cost_total *t)
{
    cJSON_AddNumberToObject(o, "MonthlyUsd", t->monthly);
    cJSON_AddBoolToObject(o, "PlusPerGb", t->per_gb);
    cJSON_AddBoolToObject(o, "Extrapolated", t->extrapolated);
    cJSON_AddNumberToObject(o, "PricedEndpoints", (double)t->priced);
    cJSON_AddNumberToObject(o, "UnknownPriceEndpoints", (double)t->unknown);
}

static cJSON *cost_json(const struct cost_report *r)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *eps = cJSON_AddArrayToObject(root, "Endpoints");
    for (size_t i = 0; i < r->n; i++) {
        const struct endpoint_cost *c = &r->endpoints[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "VpcEndpointId", c->endpoint->id);
        cJSON_AddStringToObject(o, "VpcId", c->endpoint->vpc_id ? c->endpoint->vpc_id : "");
        cJSON_AddStringToObject(
            o, "ServiceName",
            c->endpoint->endpoint.service_name ? c->endpoint->endpoint.service_name : "");
        cJSON_AddStringToObject(o, "Basis", basis_text(c->basis));
        cJSON_AddNumberToObject(o, "BilledUnits", (double)c->units);
        if (c->basis == COST_HOURLY) {
            cJSON_AddStringToObject(o, "PriceKind", cost_kind_name(c->kind));
            cJSON_AddNumberToObject(o, "HourlyUsd", c->hourly);
        }
        if (c->basis != COST_UNKNOWN)
            cJSON_AddNumberToObject(o, "MonthlyUsd", c->monthly);
        cJSON_AddBoolToObject(o, "PlusPerGb", c->per_gb);
        if (c->processing_known) {
            cJSON *x = cJSON_AddObjectToObject(o, "DataProcessing");
            cJSON_AddNumberToObject(x, "BytesMeasured", c->processing.bytes);
            cJSON_AddNumberToObject(x, "RangeHours", c->processing.range_hours);
            cJSON_AddNumberToObject(x, "GbPerMonth", c->processing.gb_month);
            cJSON_AddNumberToObject(x, "MonthlyUsd", c->processing.monthly);
            cJSON_AddBoolToObject(x, "Extrapolated", true);
        }
        cJSON_AddItemToArray(eps, o);
    }
    cJSON *vpcs = cJSON_AddArrayToObject(root, "Vpcs");
    for (size_t v = 0; v < r->n_vpcs; v++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "VpcId", r->vpcs[v].vpc_id);
        json_total(o, &r->vpcs[v].total);
        cJSON_AddItemToArray(vpcs, o);
    }
    cJSON *t = cJSON_AddObjectToObject(root, "Total");
    cJSON_AddStringToObject(t, "Account", r->account ? r->account : "");
    cJSON_AddStringToObject(t, "Region", r->region ? r->region : "");
    json_total(t, &r->total);
    cJSON_AddNumberToObject(root, "HoursPerMonth", COST_HOURS_PER_MONTH);
    cJSON_AddStringToObject(root, "PriceSource", COST_PRICE_SOURCE);
    cJSON_AddStringToObject(root, "PriceDate", COST_PRICE_DATE);
    return root;
}

/* One CSV field: quoted, quotes doubled, controls escaped. */
static void csv_field(struct strbuf *sb, const char *s)
{
    strbuf_addch(sb, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            strbuf_addstr(sb, "\"\"");
        else
            sanitize_add(sb, p, 1, SANITIZE_ESCAPE);
    }
    strbuf_addch(sb, '"');
}

static void cost_csv(struct strbuf *sb, const struct cost_report *r)
{
    strbuf_addstr(sb, "account,region,vpc_id,vpc_endpoint_id,service_name,basis,units,hourly_usd,"
                      "monthly_usd,plus_per_gb\n");
    for (size_t i = 0; i < r->n; i++) {
        const struct endpoint_cost *c = &r->endpoints[i];
        const char *fields[] = {
            r->account ? r->account : "", r->region ? r->region : "",
            c->endpoint->vpc_id ? c->endpoint->vpc_id : "", c->endpoint->id,
            c->endpoint->endpoint.service_name ? c->endpoint->endpoint.service_name : ""};
        for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
            csv_field(sb, fields[k]);
            strbuf_addch(sb, ',');
        }
        strbuf_addf(sb, "%s,%zu,", basis_text(c->basis), c->units);
        if (c->basis == COST_HOURLY)
            strbuf_addf(sb, "%.4f,%.2f", c->hourly, c->monthly);
        else if (c->basis == COST_UNKNOWN)
            strbuf_addch(sb, ',');
        else
            strbuf_addstr(sb, ",0.00");
        strbuf_addf(sb, ",%s\n", c->per_gb ? "true" : "false");
    }
}

/* --metrics: each endpoint's BytesProcessed of the last 3 h priced and extrapolated. */
static void add_measured_processing(const struct cli_options *opts, const struct source_result *res,
                                    const struct cost_prices *prices, struct cost_report *rep,
                                    struct source_metrics *metrics)
{
    source_fetch_metrics(opts, res->inv, metrics);
    for (size_t i = 0; i < metrics->n; i++) {
        const struct metrics_set *s = metrics->v[i];
        struct metrics_stats st;
        if (!metrics_series_stats(&s->scopes[0].series[METRIC_BYTES_PROCESSED], &st))
            st.sum = 0; /* no datapoint in 3 h: nothing was processed */
        struct cost_processing x;
        cost_processing_compute(prices, res->meta.region, st.sum, (double)(s->end - s->start), &x);
        cost_report_add_processing(rep, s->endpoint_id, &x);
    }
}

int cmd_cost(const struct cli_options *opts)
{
    int code = VPCX_EXIT_OK;
    struct cost_prices *prices = cost_prices_create();
    if (!load_config(NULL, prices, &code)) {
        cost_prices_destroy(prices);
        return code;
    }
    struct source_result res;
    code = source_load_or_report(opts, &res);
    if (code == VPCX_EXIT_OK) {
        struct cost_report rep;
        cost_compute(res.inv, prices, res.meta.account, res.meta.region, &rep);
        struct source_metrics metrics = {0};
        if (opts->metrics)
            add_measured_processing(opts, &res, prices, &rep, &metrics);
        const char *fmt = opts->format_arg ? opts->format_arg : "text";
        if (strcmp(fmt, "json") == 0) {
            cJSON *doc = cost_json(&rep);
            code = write_json(opts, doc);
            cJSON_Delete(doc);
        } else {
            struct strbuf sb;
            strbuf_init(&sb, 4096);
            if (strcmp(fmt, "csv") == 0)
                cost_csv(&sb, &rep);
            else
                cost_text(&sb, &rep, prices);
            code = cli_write_file(opts->output, sb.buf, sb.len);
            strbuf_release(&sb);
        }
        if (code == VPCX_EXIT_OK)
            code = source_exit_code(&res);
        cost_report_finish(&rep);
        source_metrics_finish(&metrics);
        source_result_finish(&res);
    }
    cost_prices_destroy(prices);
    return code;
}
