/* aggsource: the dump and the explorer from an AWS Config aggregator; see the header. */
#include "vpcx/cli/aggsource.h"

#include "vpcx/aws/organizations.h"
#include "vpcx/aws/sts.h"
#include "vpcx/cli/scopes.h"
#include "vpcx/cli/source.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/sync/aggregator.h"
#include "vpcx/sync/fetch.h"
#include "vpcx/sync/scopes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef VPCX_VERSION
#define VPCX_VERSION "0.1.0"
#endif

/* Per type the aggregator could not give: a line on stderr. */
static void report_types(const struct aggregator_report *rep)
{
    for (size_t i = 0; i < AGGREGATOR_TYPES; i++) {
        if (rep->errors[i].status == VPCX_OK)
            continue;
        char *what = xasprintf("config-aggregator: %s", rep->resource_types[i]);
        cli_report(what, &rep->errors[i]);
        free(what);
    }
}

static enum vpcx_status load(const struct cli_options *opts, const struct aws_session_options *so,
                             struct scope_set *set, struct aggregator_report *rep,
                             struct vpcx_error *err)
{
    struct aws_session_options mine = *so;
    mine.shared_http = scope_set_http(set);
    struct aws_session s;
    enum vpcx_status st = aws_session_resolve(&s, &mine, err);
    if (st == VPCX_OK)
        st = aws_session_connect(&s, &mine, err);
    struct sts_identity me = {0};
    if (st == VPCX_OK) {
        struct vpcx_error e;
        vpcx_error_init(&e);
        /* Without it every account is "another": shown from Config, never described. */
        if (sts_get_caller_identity(s.client, &me, &e) != VPCX_OK)
            cli_report("CallerIdentity", &e);
        vpcx_error_finish(&e);
    }
    char partition[32];
    org_arn_partition(me.arn, partition, sizeof(partition));
    const struct aggregator_options ao = {
        .name = opts->config_aggregator,
        .endpoint_url = opts->endpoint_url,
        .profile = opts->profile,
        .my_account = me.account,
        .partition = partition,
        .org_role = opts->org_role,
    };
    if (st == VPCX_OK)
        st = aggregator_load(&s, &ao, set, rep, err);
    sts_identity_finish(&me);
    aws_session_close(&s);
    return st;
}

struct scope_set *aggsource_open(const struct cli_options *opts,
                                 const struct aws_session_options *so, int *code)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    struct scope_set *set = scope_set_create(so, &err);
    struct aggregator_report rep;
    memset(&rep, 0, sizeof(rep));
    if (set && load(opts, so, set, &rep, &err) != VPCX_OK) {
        scope_set_destroy(set);
        set = NULL;
    }
    if (set)
        report_types(&rep);
    else
        *code = cli_fail(&err);
    aggregator_report_finish(&rep);
    vpcx_error_finish(&err);
    return set;
}

static void fill_meta(struct source_result *res, const struct scope *sc, const char *profile)
{
    struct snapshot_meta *m = &res->meta;
    m->format_version = SNAPSHOT_FORMAT_VERSION;
    m->generator = xstrdup("vpcx " VPCX_VERSION);
    m->account = sc->account ? xstrdup(sc->account) : NULL;
    m->region = sc->region ? xstrdup(sc->region) : NULL;
    /* The profile that queried the aggregator, not one of the account's. */
    m->profile = xstrdup(profile ? profile : "default");
    m->source = xstrdup(sc->source);
    m->fetched_at = snapshot_format_time(sc->finished ? sc->finished : time(NULL));
    /* The types Config gave: the others' empty lists are "not read", not "none". */
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        if (inventory_type_loaded(sc->inv, (enum inv_type)t))
            m->fetched_at_by_type[t] = xstrdup(m->fetched_at);
}

/* One scope's document: what Config gave, the types it could not give as errors. */
static void collect(const struct scope *sc, const char *profile, const cJSON *type_errors,
                    struct source_result *res)
{
    memset(res, 0, sizeof(*res));
    res->inv = sc->inv;
    res->errors = cJSON_Duplicate(type_errors, true);
    res->failed = (unsigned)cJSON_GetArraySize(type_errors);
    res->worst = VPCX_OK;
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        res->succeeded += inventory_type_loaded(sc->inv, (enum inv_type)t);
    fill_meta(res, sc, profile);
}

/* The Errors entries every scope shares: one per type Config could not give. */
static cJSON *type_errors(const struct aggregator_report *rep, enum vpcx_status *worst)
{
    struct source_result tmp = {.errors = cJSON_CreateArray()};
    for (size_t i = 0; i < AGGREGATOR_TYPES; i++)
        if (rep->errors[i].status != VPCX_OK)
            source_record_error(&tmp, inventory_type_list_key(rep->types[i]),
                                "SelectAggregateResourceConfig", &rep->errors[i]);
    *worst = tmp.worst;
    return tmp.errors;
}

static int by_account_region(const void *pa, const void *pb)
{
    const struct snapshot_meta *a = &((const struct source_result *)pa)->meta;
    const struct snapshot_meta *b = &((const struct source_result *)pb)->meta;
    int c = strcmp(a->account ? a->account : "", b->account ? b->account : "");
    return c ? c : strcmp(a->region ? a->region : "", b->region ? b->region : "");
}

int aggsource_dump(const struct cli_options *opts)
{
    struct aws_session_options so;
    source_session_options(opts, &so);
    struct vpcx_error err;
    vpcx_error_init(&err);
    struct scope_set *set = scope_set_create(&so, &err);
    struct aggregator_report rep;
    memset(&rep, 0, sizeof(rep));
    int code = VPCX_EXIT_OK;
    if (!set || load(opts, &so, set, &rep, &err) != VPCX_OK) {
        code = cli_fail(&err);
        scope_set_destroy(set);
        aggregator_report_finish(&rep);
        vpcx_error_finish(&err);
        return code;
    }
    vpcx_error_finish(&err);
    report_types(&rep);
    enum vpcx_status worst;
    cJSON *shared = type_errors(&rep, &worst);
    size_t n = scope_set_count(set);
    if (n == 0)
        fprintf(stderr, "vpcx: the aggregator '%s' records no VPC resources\n",
                opts->config_aggregator);
    struct source_result *res = xcalloc(n ? n : 1, sizeof(*res));
    for (size_t i = 0; i < n; i++) {
        struct scope *sc = scope_set_get(set, i);
        collect(sc, opts->profile, shared, &res[i]);
        res[i].worst = worst;
        sc->inv = inventory_create(); /* the result owns what was read */
    }
    /* Config's order is the queries' order of first sight: sorted, runs compare. */
    if (n > 1)
        qsort(res, n, sizeof(*res), by_account_region);
    code = scope_write_results(opts, res, n);
    for (size_t i = 0; i < n; i++)
        source_result_finish(&res[i]);
    free(res);
    cJSON_Delete(shared);
    aggregator_report_finish(&rep);
    scope_set_destroy(set);
    return code;
}
