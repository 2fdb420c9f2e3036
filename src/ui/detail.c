/* The detail view: every field of one resource, its derived data and links. */
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/flowlog.h"
#include "vpcx/model/check.h"
#include "vpcx/model/checkindex.h"
#include "vpcx/model/cost.h"
#include "vpcx/model/inventory.h"
#include "vpcx/model/ipusage.h"
#include "vpcx/model/netinfo.h"
#include "vpcx/model/placement.h"
#include "vpcx/model/preflight.h"
#include "vpcx/ui/app.h"
#include "vpcx/ui/listwidget.h"
#include "vpcx/ui/tourdata.h"
#include "vpcx/ui/views.h"

#include "app_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_WIDTH 22
#define LIST_CAP    100 /* links listed per section before "n more" */

struct drow {
    struct ui_line line;
    char *label; /* the field's label, for ? (explain); NULL for other rows */
    bool link;
    enum inv_type type;
    char *id;
};

struct detail {
    bool has;
    enum inv_type type;
    char *id;
    struct drow *rows;
    size_t n, alloc;
    const struct inventory *inv;
    cJSON *item; /* the shown resource's full item, decoded while the rows are built */
    struct app *app;
    cJSON **decoded; /* other resources' items decoded for this build */
    size_t n_decoded;
};

static struct detail *dv(struct view *v)
{
    return v->priv;
}

static void clear_rows(struct detail *d)
{
    for (size_t i = 0; i < d->n; i++) {
        line_finish(&d->rows[i].line);
        free(d->rows[i].id);
        free(d->rows[i].label);
    }
    d->n = 0;
}

static struct drow *add_row(struct detail *d)
{
    if (d->n == d->alloc) {
        d->alloc = d->alloc ? d->alloc * 2 : 32;
        d->rows = xreallocarray(d->rows, d->alloc, sizeof(*d->rows));
    }
    struct drow *r = &d->rows[d->n++];
    memset(r, 0, sizeof(*r));
    line_init(&r->line);
    return r;
}

static void blank(struct detail *d)
{
    add_row(d);
}

static void section(struct detail *d, const char *title)
{
    if (d->n)
        blank(d);
    line_add(&add_row(d)->line, ROLE_TITLE, title);
}

static struct drow *label_row(struct detail *d, const char *label)
{
    struct drow *r = add_row(d);
    r->label = label && *label ? xstrdup(label) : NULL;
    line_add(&r->line, ROLE_NORMAL, "  ");
    line_add_fixed(&r->line, ROLE_LABEL, label, LABEL_WIDTH, 0);
    line_add(&r->line, ROLE_NORMAL, " ");
    return r;
}

static void field(struct detail *d, const char *label, enum theme_role role, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void field(struct detail *d, const char *label, enum theme_role role, const char *fmt, ...)
{
    struct drow *r = label_row(d, label);
    struct strbuf sb;
    strbuf_init(&sb, 64);
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    line_add(&r->line, role, sb.buf);
    strbuf_release(&sb);
}

static void text_field(struct detail *d, const char *label, const char *value)
{
    if (value)
        field(d, label, ROLE_VALUE, "%s", value);
}

static void make_link(struct drow *r, enum inv_type type, const char *id)
{
    r->link = true;
    r->type = type;
    r->id = xstrdup(id);
}

/* A row that follows to (type, id) on Enter; extra is shown after the ID. */
static void link_field(struct detail *d, const char *label, enum inv_type type, const char *id,
                       const char *extra)
{
    if (!id)
        return;
    struct drow *r = label_row(d, label);
    line_add(&r->line, ROLE_LINK, id);
    if (extra && *extra) {
        line_add(&r->line, ROLE_NORMAL, " ");
        line_add(&r->line, ROLE_DIM, extra);
    }
    make_link(r, type, id);
}

static const char *name_of(struct detail *d, enum inv_type type, const char *id)
{
    const struct inv_resource *r = inventory_find(d->inv, type, id);
    return r ? r->name : NULL;
}

static void link_list(struct detail *d, const char *label, enum inv_type type, struct inv_ids ids)
{
    for (size_t i = 0; i < ids.n && i < LIST_CAP; i++)
        link_field(d, i == 0 ? label : "", type, ids.v[i], name_of(d, type, ids.v[i]));
    if (ids.n > LIST_CAP)
        field(d, "", ROLE_DIM, "... %zu more", ids.n - LIST_CAP);
    if (ids.n == 0)
        field(d, label, ROLE_DIM, "none");
}

static const char *tristate(enum inv_tristate t)
{
    return t == INV_YES ? "yes" : t == INV_NO ? "no" : "unknown";
}

/* ---- every top-level field of the AWS item ---- */

static void json_value_text(struct strbuf *sb, const cJSON *v)
{
    if (cJSON_IsString(v)) {
        strbuf_addstr(sb, v->valuestring);
    } else if (cJSON_IsBool(v)) {
        strbuf_addstr(sb, cJSON_IsTrue(v) ? "true" : "false");
    } else if (cJSON_IsNumber(v)) {
        strbuf_addf(sb, "%.15g", v->valuedouble);
    } else if (cJSON_IsNull(v)) {
        strbuf_addstr(sb, "null");
    } else {
        char *s = cJSON_PrintUnformatted(v);
        strbuf_addstr(sb, s ? s : "?");
        free(s);
    }
}

static void all_fields(struct detail *d, const cJSON *json)
{
    section(d, "Fields (as AWS returned them)");
    const cJSON *tag_list = inventory_item_tags(json); /* shown under Tags */
    const cJSON *f;
    cJSON_ArrayForEach(f, json)
    {
        if (!f->string || f == tag_list || strcmp(f->string, "PolicyDocument") == 0)
            continue;
        struct strbuf sb;
        strbuf_init(&sb, 64);
        if (cJSON_IsArray(f) && cJSON_GetArraySize(f) > 8)
            strbuf_addf(&sb, "[%d items]", cJSON_GetArraySize(f));
        else
            json_value_text(&sb, f);
        if (sb.len > 400) {
            strbuf_setlen(&sb, 400);
            strbuf_addstr(&sb, "...");
        }
        field(d, f->string, ROLE_VALUE, "%s", sb.buf);
        strbuf_release(&sb);
    }
}

static void tags(struct detail *d, const cJSON *json)
{
    section(d, "Tags");
    const cJSON *t;
    int n = 0;
    cJSON_ArrayForEach(t, inventory_item_tags(json))
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(t, "Key");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, "Value");
        struct drow *r = add_row(d);
        line_add(&r->line, ROLE_NORMAL, "  ");
        line_add_fixed(&r->line, ROLE_LABEL, cJSON_IsString(k) ? k->valuestring : "?", LABEL_WIDTH,
                       0);
        line_add(&r->line, ROLE_NORMAL, " ");
        line_add(&r->line, ROLE_VALUE, cJSON_IsString(v) ? v->valuestring : "");
        n++;
    }
    if (n == 0)
        field(d, "", ROLE_DIM, "no tags");
}

/* ---- wrapped text, health ---- */

#define WRAP_WIDTH 48 /* fits the detail pane beside the tree at 120 columns */

/* text in rows of at most WRAP_WIDTH bytes, split at spaces; the first row after lead. */
/* The length of text's next row from at: at most width bytes, cut at a space when one is there. */
static size_t wrap_next(const char *text, size_t len, size_t at, size_t width)
{
    size_t n = len - at;
    if (n <= width)
        return n;
    n = width;
    while (n > 0 && text[at + n] != ' ')
        n--;
    if (n == 0)
        n = width;
    while (n > 1 && ((unsigned char)text[at + n] & 0xc0) == 0x80)
        n--; /* never split a UTF-8 sequence */
    return n;
}

/* Past the row of n bytes at at and the spaces after it. */
static size_t wrap_skip(const char *text, size_t len, size_t at, size_t n)
{
    at += n;
    while (at < len && text[at] == ' ')
        at++;
    return at;
}

static void wrapped(struct detail *d, enum theme_role lead_role, const char *lead,
                    enum theme_role role, const char *text)
{
    size_t len = strlen(text), at = 0;
    bool first = true;
    while (at < len || first) {
        size_t n = wrap_next(text, len, at, WRAP_WIDTH);
        struct drow *r = add_row(d);
        line_add(&r->line, ROLE_NORMAL, "  ");
        line_add(&r->line, first ? lead_role : ROLE_NORMAL, first ? lead : " ");
        line_add(&r->line, ROLE_NORMAL, " ");
        line_addn(&r->line, role, text + at, n);
        at = wrap_skip(text, len, at, n);
        first = false;
    }
}

/* One finding: severity and rule, the title, then the fix, wrapped. */
static void finding_rows(struct detail *d, enum check_severity sev, const char *rule,
                         const char *title, const char *fix)
{
    struct drow *r = add_row(d);
    line_add(&r->line, ROLE_NORMAL, "  ");
    line_add(&r->line, app_severity_role(sev), app_severity_glyph(d->app, sev));
    line_addf(&r->line, app_severity_role(sev), " %s", check_severity_name(sev));
    line_add(&r->line, ROLE_DIM, "  ");
    line_add(&r->line, ROLE_DIM, rule);
    wrapped(d, ROLE_NORMAL, " ", ROLE_VALUE, title);
    if (fix && *fix) {
        char *text = xasprintf("Fix: %s", fix);
        wrapped(d, ROLE_NORMAL, " ", ROLE_DIM, text);
        free(text);
    }
}

/* The check engine's findings about the resource, first in its detail; for an endpoint also
 * the pre-flight health questions no rule words (a data problem, such as a subnet not loaded). */
static void findings_section(struct detail *d, const struct inv_resource *res)
{
    const struct checkindex *ix = app_check_index(d->app);
    size_t first, n = checkindex_resource(ix, res->id, &first);
    struct preflight_report rep;
    preflight_report_init(&rep);
    if (res->type == INV_ENDPOINT)
        preflight_check_health(d->inv, res->id, &rep);
    size_t extra = 0;
    for (size_t i = 0; i < rep.n; i++)
        extra += app_health_uncovered(&rep.v[i]);
    if (n + extra == 0 && res->type != INV_ENDPOINT) {
        preflight_report_finish(&rep);
        return;
    }
    section(d, "Findings");
    line_addf(&d->rows[d->n - 1].line, ROLE_COUNTER, " (%zu)", n + extra);
    for (int sev = CHECK_ERROR; sev >= CHECK_INFO; sev--) { /* the worst first */
        for (size_t i = 0; i < n; i++) {
            const struct check_finding *f = checkindex_at(ix, first + i);
            if ((int)f->severity == sev)
                finding_rows(d, f->severity, f->rule_id, f->title, f->fix);
        }
    }
    for (size_t i = 0; i < rep.n; i++) {
        if (!app_health_uncovered(&rep.v[i]))
            continue;
        /* Not a rule of vpcx check: say where it comes from. */
        char *key = xasprintf("%s (pre-flight)", rep.v[i].key);
        finding_rows(d, (enum check_severity)rep.v[i].severity, key, rep.v[i].text, NULL);
        free(key);
    }
    if (n + extra == 0)
        field(d, "", ROLE_OK, "none: every check passes");
    preflight_report_finish(&rep);
    /* The fields follow under the type's name: "Endpoint", "Subnet". */
    char *title = xstrdup(res->type == INV_ENDPOINT ? "Endpoint" : inventory_type_name(res->type));
    if (title[0] >= 'a' && title[0] <= 'z')
        title[0] = (char)(title[0] - 'a' + 'A');
    section(d, title);
    free(title);
}

static void header(struct detail *d, const struct inv_resource *r)
{
    struct drow *row = add_row(d);
    line_addf(&row->line, ROLE_TITLE, "%s ", inventory_type_name(r->type));
    line_add(&row->line, ROLE_ID, r->id);
    if (r->name) {
        line_add(&row->line, ROLE_NORMAL, "  ");
        line_add(&row->line, ROLE_NAME, r->name);
    }
    findings_section(d, r);
    if (r->state)
        text_field(d, "State", r->state);
    if (r->vpc_id && r->type != INV_VPC)
        link_field(d, "VPC", INV_VPC, r->vpc_id, name_of(d, INV_VPC, r->vpc_id));
}

/* ---- flow logs ---- */

#define FORMAT_WIDTH 26 /* a log format's words per row, beside the label */

/* A flow log's format, split at spaces into rows under one label. */
static void format_rows(struct detail *d, const char *label, const char *text)
{
    size_t len = strlen(text), at = 0;
    for (bool first = true; at < len; first = false) {
        size_t n = wrap_next(text, len, at, FORMAT_WIDTH);
        struct drow *r = label_row(d, first ? label : "");
        line_addn(&r->line, ROLE_VALUE, text + at, n);
        at = wrap_skip(text, len, at, n);
    }
}

/* Destination, traffic, format and state of one flow log. */
static void flow_log_fields(struct detail *d, const struct inv_resource *log, const char *indent)
{
    const struct inv_flow_log *f = &log->flow_log;
    char *label = xasprintf("%sDestination", indent);
    const char *dest = flowlog_destination(log);
    text_field(d, label, flowlog_destination_label(flowlog_destination_type(log)));
    text_field(d, "", dest ? dest : "?");
    free(label);
    label = xasprintf("%sTraffic", indent);
    text_field(d, label, f->traffic_type ? f->traffic_type : "?");
    free(label);
    /* A log's own detail has its State in the header: the row says delivery alone. */
    bool recording = flowlog_is_recording(log);
    if (*indent) {
        label = xasprintf("%sState", indent);
        field(d, label, recording ? ROLE_OK : ROLE_WARN, "%s, delivery %s",
              log->state ? log->state : "?", f->deliver_status ? f->deliver_status : "?");
        free(label);
    } else {
        field(d, "Delivery", recording ? ROLE_OK : ROLE_WARN, "%s",
              f->deliver_status ? f->deliver_status : "?");
    }
    if (f->deliver_error) {
        label = xasprintf("%sDelivery error", indent);
        field(d, label, ROLE_WARN, "%s", f->deliver_error);
        free(label);
    }
    if (f->log_format) {
        label = xasprintf("%sFormat", indent);
        format_rows(d, label, f->log_format);
        free(label);
    }
}

/* How many of a VPC's subnets have a log of their own (of *total). */
static size_t subnets_with_logs(struct detail *d, const struct flowlog_index *ix,
                                const char *vpc_id, size_t *total)
{
    struct inv_ids sns = inventory_vpc_subnets(d->inv, vpc_id);
    const struct inv_resource *const *logs;
    size_t own = 0;
    for (size_t i = 0; i < sns.n; i++)
        own += flowlog_index_attached(ix, sns.v[i], &logs) > 0;
    *total = sns.n;
    return own;
}

/* Which flow logs record a VPC's, subnet's or ENI's traffic, at which level, and where to. */
static void flow_logs_section(struct detail *d, const struct inv_resource *r)
{
    section(d, "Flow logs");
    if (!inventory_type_loaded(d->inv, INV_FLOW_LOG) &&
        inventory_count(d->inv, INV_FLOW_LOG) == 0) {
        field(d, "Coverage", ROLE_DIM, "not loaded");
        return;
    }
    struct flowlog_index *ix = flowlog_index_create(d->inv);
    struct flowlog_coverage c;
    flowlog_coverage(d->inv, ix, r->type, r->id, &c);
    size_t subnets = 0, own = r->type == INV_VPC ? subnets_with_logs(d, ix, r->id, &subnets) : 0;
    if (c.n == 0)
        field(d, "Coverage", ROLE_WARN, "%s",
              own ? "none on the VPC itself" : "none: traffic not logged");
    else if (c.recording == 0)
        field(d, "Coverage", ROLE_WARN, "none recording (%zu flow log%s)", c.n,
              c.n == 1 ? "" : "s");
    else
        field(d, "Coverage", ROLE_OK, "%s (%zu flow log%s)", flowlog_coverage_traffic(&c),
              c.recording, c.recording == 1 ? "" : "s");
    for (size_t i = 0; i < c.n; i++) {
        const struct flowlog_cover *cv = &c.v[i];
        char *via = strcmp(cv->via, r->id) == 0
                        ? xasprintf("on this %s", flowlog_level_name(cv->level))
                        : xasprintf("on its %s %s", flowlog_level_name(cv->level), cv->via);
        link_field(d, "Flow log", INV_FLOW_LOG, cv->log->id, via);
        free(via);
        flow_log_fields(d, cv->log, "  ");
    }
    if (own)
        field(d, "Subnets with own logs", ROLE_VALUE, "%zu of %zu", own, subnets);
    flowlog_coverage_finish(&c);
    flowlog_index_destroy(ix);
}

/* A flow log's own detail: what it is attached to, then its fields. */
static void flow_log_detail(struct detail *d, const struct inv_resource *r)
{
    const char *res = r->flow_log.resource_id;
    enum flowlog_level level = flowlog_level_of(res);
    enum inv_type type = level == FLOWLOG_LEVEL_VPC      ? INV_VPC
                         : level == FLOWLOG_LEVEL_SUBNET ? INV_SUBNET
                                                         : INV_ENI;
    if (level != FLOWLOG_LEVEL_OTHER)
        link_field(d, "Attached to", type, res, name_of(d, type, res));
    else
        text_field(d, "Attached to", res);
    flow_log_fields(d, r, "");
}

/* ---- cost ---- */

/* "$43.80/mo + per-GB, 1 endpoint unpriced". */
static void cost_total_field(struct detail *d, const char *label, const struct cost_total *t)
{
    if (t->priced == 0 && t->unknown == 0) {
        field(d, label, ROLE_DIM, "no billed endpoints");
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb, 64);
    if (t->priced)
        strbuf_addf(&sb, "$%.2f/mo%s", t->monthly, t->per_gb ? " + per-GB" : "");
    if (t->unknown)
        strbuf_addf(&sb, "%s%zu endpoint%s unpriced", t->priced ? ", " : "", t->unknown,
                    t->unknown == 1 ? "" : "s");
    field(d, label, t->unknown ? ROLE_WARN : ROLE_VALUE, "%s", sb.buf);
    strbuf_release(&sb);
}

/* Where the hourly price comes from, or how to give one. */
static void price_note(struct detail *d)
{
    const char *region = app_region(d->app);
    double usd;
    const char *src;
    if (cost_price(app_prices(d->app), region, COST_INTERFACE_HOUR, &usd, &src)) {
        field(d, "Price", ROLE_DIM, "$%.4f/ENI-hour, %d h/mo", usd, COST_HOURS_PER_MONTH);
        field(d, "", ROLE_DIM, "%s",
              strcmp(src, "config") == 0 ? "from the config" : "AWS list price, " COST_PRICE_DATE);
    } else {
        field(d, "Price", ROLE_WARN, "unknown for %s", region ? region : "this region");
        field(d, "", ROLE_DIM, "config: price %s interface-hour USD", region ? region : "REGION");
    }
    field(d, "", ROLE_DIM, "+ per-GB data processing");
}

/* The account-region total and each VPC's, for the account row. */
static void account_cost(struct detail *d)
{
    struct cost_report rep;
    cost_compute(d->inv, app_prices(d->app), NULL, app_region(d->app), &rep);
    section(d, "Cost per month (endpoints)");
    char *label = xasprintf("Total %s", app_region(d->app) ? app_region(d->app) : "");
    cost_total_field(d, label, &rep.total);
    free(label);
    for (size_t i = 0; i < rep.n_vpcs && i < LIST_CAP; i++) {
        const struct cost_total *t = &rep.vpcs[i].total;
        /* The VPC's ID as the label (it fits), so the total is not cut in a narrow pane. */
        struct drow *row = label_row(d, rep.vpcs[i].vpc_id);
        line_addf(&row->line, t->unknown ? ROLE_WARN : ROLE_VALUE, "$%.2f/mo", t->monthly);
        if (t->unknown)
            line_addf(&row->line, ROLE_WARN, " + %zu unpriced", t->unknown);
        const char *name = name_of(d, INV_VPC, rep.vpcs[i].vpc_id);
        if (name) {
            line_add(&row->line, ROLE_NORMAL, " ");
            line_add(&row->line, ROLE_DIM, name);
        }
        make_link(row, INV_VPC, rep.vpcs[i].vpc_id);
    }
    price_note(d);
    cost_report_finish(&rep);
}

static void vpc_cost(struct detail *d, const struct inv_resource *vpc)
{
    struct cost_total t;
    memset(&t, 0, sizeof(t));
    struct cost_report rep;
    cost_compute(d->inv, app_prices(d->app), NULL, app_region(d->app), &rep);
    for (size_t i = 0; i < rep.n_vpcs; i++)
        if (strcmp(rep.vpcs[i].vpc_id, vpc->id) == 0)
            t = rep.vpcs[i].total;
    cost_report_finish(&rep);
    section(d, "Cost per month (endpoints)");
    cost_total_field(d, "This VPC", &t);
    price_note(d);
}

static void endpoint_cost(struct detail *d, const struct inv_resource *r)
{
    struct endpoint_cost c;
    cost_endpoint(d->inv, app_prices(d->app), app_region(d->app), r, &c);
    switch (c.basis) {
    case COST_HOURLY:
        field(d, "Monthly cost", ROLE_VALUE, "$%.2f (%zu x %d h x $%.4f)%s", c.monthly, c.units,
              COST_HOURS_PER_MONTH, c.hourly, c.per_gb ? " + per-GB" : "");
        break;
    case COST_FREE:
        field(d, "Monthly cost", ROLE_VALUE, "free (gateway endpoint)");
        break;
    case COST_UNKNOWN:
        field(d, "Monthly cost", ROLE_WARN, "unknown: no price for %s",
              app_region(d->app) ? app_region(d->app) : "this region");
        break;
    case COST_UNBILLED:
        field(d, "Monthly cost", ROLE_DIM, "none (not billed)");
        break;
    }
}

/* ---- per type ---- */

static void vpc_detail(struct detail *d, const struct inv_resource *r)
{
    text_field(d, "CIDR", r->vpc.cidr_text);
    for (size_t i = 0; i < r->vpc.n_cidrs; i++) {
        char *s = cidr_to_string(&r->vpc.cidrs[i]);
        text_field(d, i == 0 ? "IPv4 blocks" : "", s);
        free(s);
    }
    text_field(d, "Default VPC", r->vpc.is_default ? "yes" : "no");
    const char *why = app_scopes_unknown_note(d->app, r->id); /* Config has no DNS attributes */
    text_field(d, "DNS support",
               r->vpc.dns_support == INV_UNKNOWN && why ? why : tristate(r->vpc.dns_support));
    text_field(d, "DNS hostnames",
               r->vpc.dns_hostnames == INV_UNKNOWN && why ? why : tristate(r->vpc.dns_hostnames));
    vpc_cost(d, r);
    section(d, "Headroom per availability zone");
    struct az_headroom *h = NULL;
    size_t n = ipusage_vpc_headroom(d->inv, r->id, &h);
    for (size_t i = 0; i < n; i++) {
        char *label = xasprintf("%s (%s)", h[i].zone_name ? h[i].zone_name : "?", h[i].zone_id);
        char *extra = xasprintf("%" PRIu64 " free", h[i].roomiest_free);
        struct drow *row = label_row(d, label);
        line_addf(&row->line, ROLE_VALUE, "%" PRIu64 " free of %" PRIu64 " in %zu subnet%s",
                  h[i].free, h[i].usable, h[i].subnets, h[i].subnets == 1 ? "" : "s");
        free(label);
        if (h[i].roomiest_subnet_id)
            link_field(d, "  roomiest subnet", INV_SUBNET, h[i].roomiest_subnet_id, extra);
        free(extra);
    }
    if (n == 0)
        field(d, "", ROLE_DIM, "no subnets");
    free(h);
    section(d, "Subnets");
    link_list(d, "Subnets", INV_SUBNET, inventory_vpc_subnets(d->inv, r->id));
    section(d, "Endpoints");
    link_list(d, "Endpoints", INV_ENDPOINT, inventory_vpc_endpoints(d->inv, r->id));
    flow_logs_section(d, r);
}

static void usage_section(struct detail *d, const struct ip_usage *u)
{
    section(d, "IP usage");
    if (!u->has_cidr) {
        field(d, "", ROLE_DIM, "IPv6-only subnet");
        return;
    }
    enum ip_level level = ipusage_level(u);
    enum theme_role role = level == IP_LEVEL_CRITICAL ? ROLE_CRITICAL
                           : level == IP_LEVEL_WARN   ? ROLE_WARN
                                                      : ROLE_OK;
    field(d, "Used", role, "%.1f%% (%s)", ipusage_percent_used(u), ipusage_level_key(level));
    field(d, "Total addresses", ROLE_VALUE, "%" PRIu64, u->total);
    field(d, "Reserved by AWS", ROLE_VALUE, "%" PRIu64, u->reserved);
    field(d, "Usable", ROLE_VALUE, "%" PRIu64, u->usable);
    field(d, "Used by ENIs", ROLE_VALUE, "%" PRIu64 " on %zu ENIs", u->used, u->eni_count);
    for (int o = 0; o < IP_OWNER_COUNT; o++)
        if (u->by_owner[o])
            field(d, "", ROLE_VALUE, "%-14s %" PRIu64, ipusage_owner_name((enum ip_owner)o),
                  u->by_owner[o]);
    field(d, "Free", ROLE_VALUE, "%" PRIu64 " (effective %" PRIu64 ")", u->free, u->effective_free);
    if (u->has_aws_available) {
        field(d, "AWS available count", ROLE_VALUE, "%" PRId64, u->aws_available);
        field(d, "Unaccounted", u->unaccounted ? ROLE_WARN : ROLE_VALUE, "%" PRId64,
              u->unaccounted);
    }
    if (u->outside_cidr)
        field(d, "Outside the CIDR", ROLE_WARN, "%" PRIu64, u->outside_cidr);
    if (u->ipv6_used)
        field(d, "IPv6 addresses", ROLE_VALUE, "%" PRIu64, u->ipv6_used);
}

static void add_cells(struct ui_line *l, enum theme_role role, const char *glyph, int n)
{
    for (int i = 0; i < n; i++)
        line_add(l, role, glyph);
}

/* The tree's bar for this subnet, and what each glyph and colour means. */
static void bar_legend(struct detail *d, const struct ip_usage *u)
{
    if (!u->has_cidr)
        return;
    const struct ui_glyphs *g = app_glyphs(d->app);
    enum ip_level level = ipusage_level(u);
    enum theme_role used_role = level == IP_LEVEL_CRITICAL ? ROLE_BAR_CRITICAL
                                : level == IP_LEVEL_WARN   ? ROLE_BAR_WARN
                                                           : ROLE_BAR_USED;
    struct ip_bar b;
    ipusage_bar(u, 10, &b);
    struct drow *r = label_row(d, "Bar (10 cells)");
    add_cells(&r->line, ROLE_BAR_ENDPOINT, g->bar_endpoint, b.endpoint);
    add_cells(&r->line, used_role, g->bar_full, b.other);
    add_cells(&r->line, ROLE_BAR_FREE, g->bar_free, b.free);
    uint64_t used = u->usable - u->effective_free;
    uint64_t ep = u->by_owner[IP_OWNER_ENDPOINT];
    r = label_row(d, "");
    line_add(&r->line, ROLE_BAR_ENDPOINT, g->bar_endpoint);
    line_addf(&r->line, ROLE_VALUE, " VPC endpoints %" PRIu64, ep);
    r = label_row(d, "");
    line_add(&r->line, used_role, g->bar_full);
    line_addf(&r->line, ROLE_VALUE, " other owners %" PRIu64, used > ep ? used - ep : 0);
    r = label_row(d, "");
    line_add(&r->line, ROLE_BAR_FREE, g->bar_free);
    line_addf(&r->line, ROLE_VALUE, " free %" PRIu64, u->effective_free);
    field(d, "", ROLE_DIM, "filled = used share; colour: under 80%% ok,");
    field(d, "", ROLE_DIM, "80%% warn, 95%% or under 8 free critical");
}

static void subnet_detail(struct detail *d, const struct inv_resource *r)
{
    text_field(d, "CIDR", r->subnet.cidr_text);
    const struct inv_resource *az = inventory_subnet_az(d->inv, r->id);
    if (az)
        link_field(d, "Availability zone", INV_AZ, az->id, az->az.zone_name);
    else
        text_field(d, "Availability zone", r->subnet.az_name);
    const struct inv_resource *acl = netinfo_subnet_acl(d->inv, r->id);
    if (acl)
        link_field(d, "Network ACL", INV_NETWORK_ACL, acl->id, acl->name);
    else
        field(d, "Network ACL", ROLE_DIM, "not loaded");
    bool is_main = false;
    const struct inv_resource *rt = netinfo_subnet_route_table(d->inv, r->id, &is_main);
    if (rt)
        link_field(d, "Route table", INV_ROUTE_TABLE, rt->id,
                   is_main ? "(the VPC's main table)" : rt->name);
    else
        field(d, "Route table", ROLE_DIM, "not loaded");
    struct ip_usage u;
    ipusage_compute(d->inv, r, &u);
    usage_section(d, &u);
    bar_legend(d, &u);
    flow_logs_section(d, r);
    section(d, "Endpoints with ENIs here");
    link_list(d, "Endpoints", INV_ENDPOINT, inventory_subnet_endpoints(d->inv, r->id));
    section(d, "Network interfaces");
    link_list(d, "ENIs", INV_ENI, inventory_subnet_enis(d->inv, r->id));
}

static void az_detail(struct detail *d, const struct inv_resource *r)
{
    text_field(d, "Zone name", r->az.zone_name);
    text_field(d, "Zone ID", r->az.zone_id);
    text_field(d, "Region", r->az.region);
    text_field(d, "Zone type", r->az.zone_type);
    section(d, "Subnets in this zone");
    size_t n = inventory_count(d->inv, INV_SUBNET), shown = 0;
    for (size_t i = 0; i < n; i++) {
        const struct inv_resource *s = inventory_at(d->inv, INV_SUBNET, i);
        const char *id = s->subnet.az_id ? s->subnet.az_id : NULL;
        bool here = (id && r->az.zone_id && strcmp(id, r->az.zone_id) == 0) ||
                    (!id && s->subnet.az_name && r->az.zone_name &&
                     strcmp(s->subnet.az_name, r->az.zone_name) == 0);
        if (here && shown++ < LIST_CAP)
            link_field(d, shown == 1 ? "Subnets" : "", INV_SUBNET, s->id, s->vpc_id);
    }
    if (shown == 0)
        field(d, "", ROLE_DIM, "none");
}

/* ---- security groups, network ACLs, routes ---- */

/* Another resource's full item (a group, a NACL), decoded for this build and
   freed with it. */
static const cJSON *item_of(struct detail *d, const struct inv_resource *r)
{
    cJSON *it = r ? inventory_item(d->inv, r) : NULL;
    if (it) {
        d->decoded = xreallocarray(d->decoded, d->n_decoded + 1, sizeof(*d->decoded));
        d->decoded[d->n_decoded++] = it;
    }
    return it;
}

static void sg_rule_row(struct detail *d, const struct netinfo_sg_rule *x)
{
    struct drow *r = add_row(d);
    line_add(&r->line, ROLE_NORMAL, "    ");
    line_add_fixed(&r->line, ROLE_VALUE, x->protocol, 6, 0);
    line_add(&r->line, ROLE_NORMAL, " ");
    line_add_fixed(&r->line, ROLE_VALUE, x->ports, 11, 0);
    line_add(&r->line, ROLE_NORMAL, " ");
    bool linked = x->peer_kind == NETINFO_PEER_GROUP || x->peer_kind == NETINFO_PEER_PREFIX_LIST;
    line_add(&r->line, linked ? ROLE_LINK : ROLE_VALUE, x->peer);
    if (x->peer_name) {
        line_add(&r->line, ROLE_NORMAL, " ");
        line_add(&r->line, ROLE_NAME, x->peer_name);
    }
    if (x->description) {
        line_add(&r->line, ROLE_NORMAL, " ");
        line_addf(&r->line, ROLE_DIM, "\"%s\"", x->description);
    }
    if (linked)
        make_link(r, x->peer_kind == NETINFO_PEER_GROUP ? INV_SECURITY_GROUP : INV_PREFIX_LIST,
                  x->peer);
}

/* Inbound then outbound rules of one group as a table. */
static void sg_rules_table(struct detail *d, const struct inv_resource *g)
{
    struct netinfo_sg_rules rules;
    netinfo_sg_rules(d->inv, item_of(d, g), &rules);
    for (int egress = 0; egress < 2; egress++) {
        struct drow *h = add_row(d);
        line_addf(&h->line, ROLE_LABEL, "  %s rules", egress ? "Outbound" : "Inbound");
        line_addf(&h->line, ROLE_DIM, " (%s)", egress ? "to" : "from");
        size_t n = 0;
        for (size_t i = 0; i < rules.n; i++) {
            if (rules.v[i].egress != (egress == 1))
                continue;
            if (n++ == 0) {
                struct drow *c = add_row(d);
                line_add(&c->line, ROLE_DIM, "    proto  ports       peer, name, description");
            }
            sg_rule_row(d, &rules.v[i]);
        }
        if (n == 0)
            field(d, "", ROLE_DIM, "none: %s", egress ? "nothing leaves" : "nothing is admitted");
    }
    netinfo_sg_rules_finish(&rules);
}

/* Each group: a link row, then its rules. */
static void groups_section(struct detail *d, struct inv_ids ids)
{
    section(d, "Security groups");
    for (size_t i = 0; i < ids.n && i < LIST_CAP; i++) {
        const struct inv_resource *g = inventory_find(d->inv, INV_SECURITY_GROUP, ids.v[i]);
        link_field(d, "Group", INV_SECURITY_GROUP, ids.v[i], g ? g->name : NULL);
        if (g)
            sg_rules_table(d, g);
        else
            field(d, "", ROLE_DIM, "not in the inventory: rules unknown");
    }
    if (ids.n == 0)
        field(d, "", ROLE_DIM, "none");
}

static void acl_detail(struct detail *d, const struct inv_resource *r)
{
    struct netinfo_acl_entries e;
    netinfo_acl_entries(item_of(d, r), &e);
    for (int egress = 0; egress < 2; egress++) {
        section(d, egress ? "Outbound (egress) entries, in evaluation order"
                          : "Inbound (ingress) entries, in evaluation order");
        struct drow *h = add_row(d);
        line_add(&h->line, ROLE_DIM, "  rule   action proto  ports       CIDR");
        for (size_t i = 0; i < e.n; i++) {
            const struct netinfo_acl_entry *x = &e.v[i];
            if (x->egress != (egress == 1))
                continue;
            char buf[16];
            struct drow *row = add_row(d);
            line_add(&row->line, ROLE_NORMAL, "  ");
            line_add_fixed(&row->line, ROLE_ID,
                           netinfo_acl_rule_text(x->rule_number, buf, sizeof(buf)), 6, 0);
            line_add(&row->line, ROLE_NORMAL, " ");
            line_add_fixed(&row->line, x->allow ? ROLE_OK : ROLE_CRITICAL,
                           x->allow ? "allow" : "deny", 6, 0);
            line_add(&row->line, ROLE_NORMAL, " ");
            line_add_fixed(&row->line, ROLE_VALUE, x->protocol, 6, 0);
            line_add(&row->line, ROLE_NORMAL, " ");
            line_add_fixed(&row->line, ROLE_VALUE, x->ports, 11, 0);
            line_add(&row->line, ROLE_NORMAL, " ");
            line_add(&row->line, ROLE_VALUE, x->cidr);
            if (x->implicit)
                line_add(&row->line, ROLE_DIM, " (implicit)");
        }
    }
    netinfo_acl_entries_finish(&e);
    section(d, "Associated subnets");
    const cJSON *a;
    int n = 0;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(item_of(d, r), "Associations"))
    {
        const char *sub = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "SubnetId"));
        if (sub)
            link_field(d, n++ == 0 ? "Subnets" : "", INV_SUBNET, sub, name_of(d, INV_SUBNET, sub));
    }
    if (n == 0)
        field(d, "", ROLE_DIM, "none");
}

static void placement_section(struct detail *d, const struct inv_resource *r)
{
    struct placement p;
    if (placement_compute(d->inv, r->id, &p) != VPCX_OK || !p.applicable) {
        placement_finish(&p);
        return;
    }
    section(d, "Placement by availability zone");
    for (size_t i = 0; i < p.n_azs; i++) {
        const struct placement_az *z = &p.azs[i];
        char *label = xasprintf("%s (%s)", z->zone_name ? z->zone_name : "?", z->zone_id);
        enum theme_role role = z->status == PLACEMENT_ENI           ? ROLE_CELL_ENI
                               : z->status == PLACEMENT_NOT_OFFERED ? ROLE_CELL_NOT_OFFERED
                                                                    : ROLE_CELL_EMPTY;
        struct drow *row = label_row(d, label);
        free(label);
        line_add(&row->line, role, placement_status_name(z->status));
        if (z->eni_id) {
            line_addf(&row->line, ROLE_NORMAL, " ");
            line_add(&row->line, ROLE_LINK, z->eni_id);
            line_addf(&row->line, ROLE_VALUE, " %s %s", z->ip ? z->ip : "",
                      z->eni_status ? z->eni_status : "");
            make_link(row, INV_ENI, z->eni_id);
        } else if (z->subnet_id) {
            line_addf(&row->line, ROLE_NORMAL, " ");
            line_add(&row->line, ROLE_LINK, z->subnet_id);
            make_link(row, INV_SUBNET, z->subnet_id);
        }
    }
    field(d, "Zones covered", p.single_az ? ROLE_WARN : ROLE_VALUE, "%zu of %zu%s", p.covered,
          p.n_azs, p.single_az ? " (single AZ: no redundancy)" : "");
    placement_finish(&p);
}

static void dns_entries(struct detail *d, const cJSON *json)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(json, "DnsEntries");
    const cJSON *e;
    int i = 0;
    cJSON_ArrayForEach(e, list)
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "DnsName");
        if (cJSON_IsString(name))
            text_field(d, i++ == 0 ? "DNS names" : "", name->valuestring);
    }
}

static struct ui_line *metrics_row(void *ud, const char *label)
{
    struct detail *d = ud;
    return label ? &label_row(d, label)->line : &add_row(d)->line;
}

static void endpoint_detail(struct detail *d, const struct inv_resource *r)
{
    const struct inv_endpoint *e = &r->endpoint;
    text_field(d, "Type", e->type_text);
    const struct inv_resource *svc = inventory_find_service(d->inv, e->service_name, e->kind);
    char *short_name = netinfo_short_service(e->service_name, e->kind);
    struct drow *srow = label_row(d, "Service");
    line_add(&srow->line, ROLE_NAME, short_name);
    line_add(&srow->line, ROLE_NORMAL, " ");
    line_add(&srow->line, ROLE_DIM, e->service_name ? e->service_name : "");
    if (svc)
        make_link(srow, INV_SERVICE, svc->id);
    free(short_name);
    text_field(d, "Private DNS", e->private_dns_enabled ? "enabled" : "disabled");
    text_field(d, "Policy", e->policy ? "custom or default document (p to view)" : "none");
    endpoint_cost(d, r);
    dns_entries(d, d->item);
    placement_section(d, r);
    section(d, "Links");
    if (e->kind != INV_ENDPOINT_GATEWAY) {
        link_list(d, "Subnets", INV_SUBNET, e->subnet_ids);
        link_list(d, "ENIs", INV_ENI, inventory_endpoint_enis(d->inv, r->id));
        groups_section(d, e->group_ids);
    } else {
        link_list(d, "Route tables", INV_ROUTE_TABLE, e->route_table_ids);
    }
    app_metrics_rows(d->app, r, metrics_row, d);
}

static void eni_owner(struct detail *d, const struct inv_resource *r)
{
    enum inv_owner_source src;
    const char *ep = inventory_eni_endpoint(d->inv, r->id, &src);
    section(d, "Owner");
    field(d, "Owner type", ROLE_VALUE, "%s", ipusage_owner_name(ipusage_classify_eni(d->inv, r)));
    if (!ep)
        return;
    const struct inv_resource *e = inventory_find(d->inv, INV_ENDPOINT, ep);
    link_field(d, "Endpoint", INV_ENDPOINT, ep,
               src == INV_OWNER_DESCRIPTION ? "(from the description)" : NULL);
    if (e) {
        char *short_name = netinfo_short_service(e->endpoint.service_name, e->endpoint.kind);
        struct drow *row = label_row(d, "Service");
        line_add(&row->line, ROLE_NAME, short_name);
        line_add(&row->line, ROLE_NORMAL, " ");
        line_add(&row->line, ROLE_DIM, e->endpoint.service_name ? e->endpoint.service_name : "");
        free(short_name);
    }
}

/* The shown ENI's Groups[].GroupId, borrowed from its item; the count (at most cap). */
static size_t eni_group_ids(const struct detail *d, const char **out, size_t cap)
{
    size_t n = 0;
    const cJSON *g;
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(d->item, "Groups"))
    {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "GroupId"));
        if (id && n < cap)
            out[n++] = id;
    }
    return n;
}

static void eni_detail(struct detail *d, const struct inv_resource *r)
{
    const struct inv_eni *e = &r->eni;
    eni_owner(d, r);
    section(d, "Interface");
    link_field(d, "Subnet", INV_SUBNET, e->subnet_id, name_of(d, INV_SUBNET, e->subnet_id));
    const struct inv_resource *az = e->az_id ? inventory_find(d->inv, INV_AZ, e->az_id)
                                             : inventory_find_az_by_name(d->inv, e->az_name);
    if (az)
        link_field(d, "Availability zone", INV_AZ, az->id, az->az.zone_name);
    else
        text_field(d, "Availability zone", e->az_name);
    text_field(d, "Primary IP", e->primary_ip);
    for (size_t i = 0; i < e->ipv4.n && i < LIST_CAP; i++)
        text_field(d, i == 0 ? "Private IPv4" : "", e->ipv4.v[i]);
    for (size_t i = 0; i < e->ipv6.n && i < LIST_CAP; i++)
        text_field(d, i == 0 ? "IPv6" : "", e->ipv6.v[i]);
    if (e->ipv4_prefix_addresses)
        field(d, "Prefix addresses", ROLE_VALUE, "%" PRIu64, e->ipv4_prefix_addresses);
    text_field(d, "Interface type", e->interface_type);
    text_field(d, "Description", e->description);
    text_field(d, "Requester", e->requester_id);
    text_field(d, "Requester managed", e->requester_managed ? "yes" : "no");
    text_field(d, "Instance", e->instance_id);
    const char *ids[LIST_CAP];
    size_t n = eni_group_ids(d, ids, LIST_CAP);
    groups_section(d, (struct inv_ids){.v = n ? ids : NULL, .n = n});
    flow_logs_section(d, r);
}

static void route_table_detail(struct detail *d, const struct inv_resource *r)
{
    section(d, "Routes");
    struct netinfo_routes routes;
    netinfo_routes(d->inv, item_of(d, r), &routes);
    for (size_t i = 0; i < routes.n; i++) {
        const struct netinfo_route *x = &routes.v[i];
        struct drow *row = label_row(d, x->destination);
        if (x->dest_name) {
            line_add(&row->line, ROLE_NAME, x->dest_name);
            line_add(&row->line, ROLE_NORMAL, " ");
        }
        line_addf(&row->line, ROLE_VALUE, "-> %s", x->target);
        if (x->state)
            line_addf(&row->line, strcmp(x->state, "active") == 0 ? ROLE_DIM : ROLE_WARN, " %s",
                      x->state);
    }
    if (routes.n == 0)
        field(d, "", ROLE_DIM, "none");
    netinfo_routes_finish(&routes);
    section(d, "Associations");
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(d->item, "Associations"))
    {
        const cJSON *sub = cJSON_GetObjectItemCaseSensitive(a, "SubnetId");
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "Main")))
            text_field(d, "Main", "yes");
        if (cJSON_IsString(sub))
            link_field(d, "Subnet", INV_SUBNET, sub->valuestring,
                       name_of(d, INV_SUBNET, sub->valuestring));
    }
}

static void service_detail(struct detail *d, const struct inv_resource *r)
{
    text_field(d, "Service name", r->service.service_name);
    text_field(d, "Private DNS name", r->service.private_dns);
    struct strbuf sb;
    strbuf_init(&sb, 64);
    for (size_t i = 0; i < r->service.az_names.n; i++)
        strbuf_addf(&sb, "%s%s", i ? " " : "", r->service.az_names.v[i]);
    text_field(d, "Zones offered", sb.buf);
    strbuf_release(&sb);
}

/* Nothing selected (the account row): the account in numbers. */
static void account_summary(struct detail *d)
{
    struct drow *row = add_row(d);
    line_add(&row->line, ROLE_TITLE, app_scope(d->app)); /* "account N · region" */
    struct netinfo_summary s;
    netinfo_summarize(d->inv, &s);
    section(d, "Summary");
    field(d, "VPCs", ROLE_VALUE, "%zu", s.vpcs);
    field(d, "Subnets", ROLE_VALUE, "%zu (%zu at 80%% or more used)", s.subnets, s.subnets_warn);
    char *iface = netinfo_count(s.endpoints[INV_ENDPOINT_INTERFACE], "interface endpoint");
    char *gw = netinfo_count(s.endpoints[INV_ENDPOINT_GATEWAY], "gateway endpoint");
    field(d, "Endpoints", ROLE_VALUE, "%zu: %s, %s", s.endpoints_total, iface, gw);
    free(iface);
    free(gw);
    if (s.endpoints[INV_ENDPOINT_GWLB] || s.endpoints[INV_ENDPOINT_OTHER])
        field(d, "", ROLE_VALUE, "%zu Gateway Load Balancer, %zu other",
              s.endpoints[INV_ENDPOINT_GWLB], s.endpoints[INV_ENDPOINT_OTHER]);
    char *enis = netinfo_count(s.enis, "ENI");
    field(d, "Network interfaces", ROLE_VALUE, "%s (%zu for endpoints)", enis, s.endpoint_enis);
    free(enis);
    field(d, "Single-AZ endpoints", s.single_az ? ROLE_WARN : ROLE_OK, "%zu", s.single_az);
    const struct checkindex *ix = app_check_index(d->app);
    field(d, "Findings", ix->count[CHECK_ERROR] ? ROLE_FINDING_ERROR : ROLE_VALUE,
          "%zu errors, %zu warnings, %zu info", ix->count[CHECK_ERROR], ix->count[CHECK_WARNING],
          ix->count[CHECK_INFO]);
    if (ix->ignored)
        field(d, "", ROLE_DIM, "! lists them; %zu ignored", ix->ignored);
    else
        field(d, "", ROLE_DIM, "! lists them");
    if (s.fullest_subnet)
        link_field(d, "Fullest subnet", INV_SUBNET, s.fullest_subnet, NULL);
    if (s.fullest_subnet) {
        const char *name = name_of(d, INV_SUBNET, s.fullest_subnet);
        field(d, "", s.fullest_percent >= 80.0 ? ROLE_WARN : ROLE_VALUE, "%.0f%% used%s%s",
              s.fullest_percent, name ? ", " : "", name ? name : "");
    }
    field(d, "Security groups", ROLE_VALUE, "%zu", s.security_groups);
    field(d, "Network ACLs", ROLE_VALUE, "%zu", s.network_acls);
    field(d, "Route tables", ROLE_VALUE, "%zu", s.route_tables);
    account_cost(d);
}

static void build(struct detail *d)
{
    clear_rows(d);
    if (!d->has) {
        account_summary(d);
        return;
    }
    const struct inv_resource *r = inventory_find(d->inv, d->type, d->id);
    if (!r) {
        struct drow *row = add_row(d);
        line_addf(&row->line, ROLE_DIM, "%s %s is not in the inventory (yet)",
                  inventory_type_name(d->type), d->id);
        return;
    }
    d->item = inventory_item(d->inv, r);
    header(d, r);
    switch (r->type) {
    case INV_VPC:
        vpc_detail(d, r);
        break;
    case INV_SUBNET:
        subnet_detail(d, r);
        break;
    case INV_AZ:
        az_detail(d, r);
        break;
    case INV_ENDPOINT:
        endpoint_detail(d, r);
        break;
    case INV_ENI:
        eni_detail(d, r);
        break;
    case INV_SECURITY_GROUP:
        section(d, "Rules");
        sg_rules_table(d, r);
        break;
    case INV_NETWORK_ACL:
        acl_detail(d, r);
        break;
    case INV_ROUTE_TABLE:
        route_table_detail(d, r);
        break;
    case INV_SERVICE:
        service_detail(d, r);
        break;
    case INV_FLOW_LOG:
        flow_log_detail(d, r);
        break;
    default:
        break;
    }
    tags(d, d->item);
    all_fields(d, d->item);
    cJSON_Delete(d->item);
    d->item = NULL;
    for (size_t i = 0; i < d->n_decoded; i++)
        cJSON_Delete(d->decoded[i]);
    free(d->decoded);
    d->decoded = NULL;
    d->n_decoded = 0;
}

static void detail_open(struct view *v, const struct view_args *args)
{
    struct detail *d = dv(v);
    d->inv = app_inventory(v->app);
    d->app = v->app;
    if (args && args->id)
        detail_show(v, args->type, args->id);
    else
        build(d);
}

static void detail_close(struct view *v)
{
    struct detail *d = dv(v);
    clear_rows(d);
    free(d->rows);
    free(d->id);
}

static size_t detail_rows(struct view *v)
{
    return dv(v)->n;
}

static void detail_draw_row(struct view *v, size_t row, struct ui_line *l)
{
    const struct ui_line *src = &dv(v)->rows[row].line;
    for (size_t i = 0; i < src->n; i++) {
        const struct line_span *s = &src->spans[i];
        line_addn(l, s->role, src->text.buf + s->offset, s->len);
        l->spans[l->n - 1].width = s->width;
        l->spans[l->n - 1].align_right = s->align_right;
    }
}

static bool detail_resource_at(struct view *v, size_t row, enum inv_type *type, const char **id)
{
    struct detail *d = dv(v);
    if (row < d->n && d->rows[row].link) {
        *type = d->rows[row].type;
        *id = d->rows[row].id;
        return true;
    }
    if (!d->has)
        return false;
    *type = d->type;
    *id = d->id;
    return true;
}

/* ? on a field: what it means, when the explain texts have it ("VPC endpoint.Private DNS");
   the rows of a multi-line field take the label above them. Else the help, as anywhere. */
static enum view_result explain_row(struct view *v, struct detail *d)
{
    if (!d->has || v->cursor >= d->n)
        return VIEW_PASS;
    const char *label = NULL;
    for (size_t i = v->cursor + 1; i-- > 0 && !label;)
        label = d->rows[i].label;
    if (!label)
        return VIEW_PASS;
    char *topic = xasprintf("%s.%s", inventory_type_name(d->type), label);
    bool known = tour_explain_find(tour_data_builtin(NULL), topic) != NULL;
    if (known)
        app_explain(v->app, topic);
    free(topic);
    return known ? VIEW_HANDLED : VIEW_PASS;
}

static enum view_result detail_key(struct view *v, enum action a, int key)
{
    (void)key;
    struct detail *d = dv(v);
    if (a == ACT_HELP)
        return explain_row(v, d);
    if (a != ACT_ENTER && a != ACT_RIGHT)
        return VIEW_PASS;
    if (v->cursor >= d->n || !d->rows[v->cursor].link)
        return a == ACT_ENTER ? VIEW_HANDLED : VIEW_PASS;
    enum inv_type type = d->rows[v->cursor].type;
    app_go_to(v->app, type, d->rows[v->cursor].id);
    return VIEW_REDRAW;
}

static void detail_refresh(struct view *v)
{
    build(dv(v));
    list_clamp(v, v->height);
}

static void detail_title(struct view *v, struct ui_line *l)
{
    struct detail *d = dv(v);
    line_add(l, ROLE_TITLE, "Detail");
    if (d->has) {
        line_addf(l, ROLE_DIM, "  %s ", inventory_type_name(d->type));
        line_add(l, ROLE_ID, d->id);
    }
}

void detail_show(struct view *v, enum inv_type type, const char *id)
{
    struct detail *d = dv(v);
    bool same = d->has && type == d->type && id && strcmp(id, d->id) == 0;
    if (!same) {
        free(d->id);
        d->id = id ? xstrdup(id) : NULL;
        d->type = type;
        d->has = id != NULL;
        v->cursor = v->top = 0;
    }
    build(d);
}

bool detail_current(struct view *v, enum inv_type *type, const char **id)
{
    struct detail *d = dv(v);
    if (!d->has)
        return false;
    *type = d->type;
    *id = d->id;
    return true;
}

const struct view_ops detail_view_ops = {
    .name = "detail",
    .priv_size = sizeof(struct detail),
    .open = detail_open,
    .close = detail_close,
    .row_count = detail_rows,
    .draw_row = detail_draw_row,
    .key = detail_key,
    .resource_at = detail_resource_at,
    .reload = detail_refresh,
    .title = detail_title,
};
