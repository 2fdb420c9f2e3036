/*
 * The explorer's findings: the check engine run over the inventory as data
 * lands, with the config's ignores and prices, indexed by resource for the
 * tree's markers, the detail pane and the findings view.
 *
 * A run costs tens of milliseconds on a large account (tests/bench/RESULTS.md),
 * so it is not repeated per page: while a fetch runs it is rerun at most every
 * FINDINGS_INTERVAL_MS, and once more when the inventory settles.
 */
#include "app_internal.h"

#include "vpcx/core/clock.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/check.h"
#include "vpcx/model/checkindex.h"
#include "vpcx/model/cost.h"
#include "vpcx/model/preflight.h"

#include <stdlib.h>
#include <string.h>

#define FINDINGS_INTERVAL_MS 1000LL

/* A pre-flight health finding shows with the check severity of the same number. */
_Static_assert((int)PREFLIGHT_INFO == (int)CHECK_INFO &&
                   (int)PREFLIGHT_WARNING == (int)CHECK_WARNING &&
                   (int)PREFLIGHT_ERROR == (int)CHECK_ERROR,
               "pre-flight and check severities share their numbers");

struct app_findings {
    struct check_report report;
    struct checkindex index;
    struct cost_prices *own_prices; /* the bundled table when the caller gave none */
    uint64_t generation;            /* the inventory's when last run */
    bool ran;
    long long last_ms;
};

void app_findings_create(struct app *a)
{
    struct app_findings *f = xcalloc(1, sizeof(*f));
    check_report_init(&f->report);
    if (!a->opts.prices)
        f->own_prices = cost_prices_create();
    a->findings = f;
}

void app_findings_destroy(struct app *a)
{
    struct app_findings *f = a->findings;
    if (!f)
        return;
    checkindex_finish(&f->index);
    check_report_finish(&f->report);
    cost_prices_destroy(f->own_prices);
    free(f);
    a->findings = NULL;
}

static void run_checks(struct app *a, struct app_findings *f)
{
    struct check_options o;
    check_options_init(&o);
    o.prices = app_prices(a);
    o.region = a->opts.region;
    checkindex_finish(&f->index);
    check_report_finish(&f->report);
    check_report_init(&f->report);
    check_run(a->inv, &o, &f->report);
    if (a->opts.check_config)
        check_apply_ignores(&f->report, a->opts.check_config);
    checkindex_build(&f->index, &f->report);
    f->generation = inventory_generation(a->inv);
    f->ran = true;
    f->last_ms = mono_ms();
}

bool app_findings_update(struct app *a)
{
    struct app_findings *f = a->findings;
    if (f->ran && f->generation == inventory_generation(a->inv))
        return false;
    /* Pages still landing: at most one run per interval; the settled inventory always gets one. */
    if (f->ran && app_landing(a) && mono_ms() - f->last_ms < FINDINGS_INTERVAL_MS)
        return false;
    run_checks(a, f);
    return true;
}

const struct check_report *app_check_report(struct app *a)
{
    return &a->findings->report;
}

const struct checkindex *app_check_index(struct app *a)
{
    return &a->findings->index;
}

const struct cost_prices *app_prices(struct app *a)
{
    return a->opts.prices ? a->opts.prices : a->findings->own_prices;
}

long app_findings_timeout(struct app *a)
{
    struct app_findings *f = a->findings;
    if (!f || !f->ran || f->generation == inventory_generation(a->inv))
        return -1;
    long long left = f->last_ms + FINDINGS_INTERVAL_MS - mono_ms();
    return left > 0 ? (long)left : 0;
}

enum theme_role app_severity_role(enum check_severity s)
{
    return s == CHECK_ERROR     ? ROLE_FINDING_ERROR
           : s == CHECK_WARNING ? ROLE_FINDING_WARNING
                                : ROLE_FINDING_INFO;
}

const char *app_severity_glyph(struct app *a, enum check_severity s)
{
    return a->glyphs->finding[(unsigned)s < 3 ? s : CHECK_ERROR];
}

bool app_health_uncovered(const struct preflight_finding *f)
{
    enum check_rule rule;
    return !checkindex_preflight_rule(f->rule, &rule);
}

bool app_resource_worst(struct app *a, enum inv_type type, const char *id, enum check_severity *out)
{
    bool has = checkindex_worst(&a->findings->index, id, out);
    if (type != INV_ENDPOINT)
        return has;
    struct preflight_report rep;
    preflight_report_init(&rep);
    preflight_check_health(a->inv, id, &rep);
    for (size_t i = 0; i < rep.n; i++) {
        enum check_severity s = (enum check_severity)rep.v[i].severity;
        if (s == CHECK_INFO || !app_health_uncovered(&rep.v[i]))
            continue;
        if (!has || s > *out)
            *out = s;
        has = true;
    }
    preflight_report_finish(&rep);
    return has;
}

void app_cost_add(struct strbuf *sb, const struct endpoint_cost *c)
{
    switch (c->basis) {
    case COST_HOURLY:
        strbuf_addf(sb, "$%.2f/mo", c->monthly);
        break;
    case COST_FREE:
        strbuf_addstr(sb, "free");
        break;
    case COST_UNKNOWN:
        strbuf_addstr(sb, "$?/mo");
        break;
    case COST_UNBILLED:
        break;
    }
}
