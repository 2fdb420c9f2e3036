/* cli/scopes: the plan of accounts and regions, and the dump over many; see the header. */
#include "vpcx/cli/scopes.h"

#include "vpcx/aws/config.h"
#include "vpcx/aws/organizations.h"
#include "vpcx/cli/outline.h"
#include "vpcx/cli/source.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/sync/scopes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef VPCX_VERSION
#define VPCX_VERSION "0.1.0"
#endif

/* ---- lists ---- */

static void list_push(char ***v, size_t *n, const char *s)
{
    *v = xrealloc(*v, (*n + 2) * sizeof(**v));
    (*v)[(*n)++] = xstrdup(s);
    (*v)[*n] = NULL;
}

static bool list_has(char **v, const char *s)
{
    for (size_t i = 0; v && v[i]; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

static char **split_words(const char *list, const char *seps)
{
    char **v = xcalloc(1, sizeof(*v));
    size_t n = 0;
    char *copy = xstrdup(list ? list : "");
    char *save = NULL;
    for (char *t = strtok_r(copy, seps, &save); t; t = strtok_r(NULL, seps, &save))
        if (!list_has(v, t))
            list_push(&v, &n, t);
    free(copy);
    return v;
}

char **scope_split_list(const char *list)
{
    return split_words(list, ", \t");
}

void scope_free_list(char **list)
{
    for (size_t i = 0; list && list[i]; i++)
        free(list[i]);
    free(list);
}

static size_t list_len(char **v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

/* ---- the config's "set regions" ---- */

enum vpcx_status scope_config_regions(const char *text, size_t len, char ***regions, bool *all,
                                      struct vpcx_error *err)
{
    *regions = NULL;
    *all = false;
    if (!text)
        return VPCX_OK;
    char *copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    enum vpcx_status st = VPCX_OK;
    int lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char **w = split_words(line, " \t\r,");
        if (list_len(w) >= 2 && strcmp(w[0], "set") == 0 && strcmp(w[1], "regions") == 0) {
            scope_free_list(*regions);
            *regions = NULL;
            *all = false;
            if (list_len(w) == 2) {
                st = vpcx_error_set(err, VPCX_ERR_CONFIG,
                                    "config line %d: set regions needs regions, or all", lineno);
            } else if (list_len(w) == 3 && strcmp(w[2], "all") == 0) {
                *all = true;
            } else {
                size_t n = 0;
                *regions = xcalloc(1, sizeof(**regions));
                for (size_t i = 2; w[i]; i++)
                    list_push(regions, &n, w[i]);
            }
        }
        scope_free_list(w);
        if (st != VPCX_OK)
            break;
    }
    free(copy);
    return st;
}

bool scope_plan_requested(const struct cli_options *opts, const char *config_text,
                          size_t config_len)
{
    if (opts->regions || opts->all_regions || opts->profiles || opts->org_role || opts->org_role)
        return true;
    if (opts->region || opts->demo || opts->snapshot)
        return false;
    char **regions = NULL;
    bool all = false;
    struct vpcx_error err;
    vpcx_error_init(&err);
    bool any = scope_config_regions(config_text, config_len, &regions, &all, &err) != VPCX_OK ||
               regions || all;
    vpcx_error_finish(&err);
    scope_free_list(regions);
    return any;
}

/* ---- profiles ---- */

/* Names and globs, globs expanded against both files in file order. */
static enum vpcx_status expand_profiles(const struct cli_options *opts, char ***out,
                                        struct vpcx_error *err)
{
    char **asked = scope_split_list(opts->profiles);
    if (!asked[0]) {
        scope_free_list(asked);
        return vpcx_error_set(err, VPCX_ERR_USAGE, "--profiles needs at least one profile");
    }
    struct aws_settings s;
    const struct aws_options ao = {.region = "us-east-1"}; /* only the files matter here */
    aws_settings_resolve(&ao, NULL, &s, NULL);
    char **known = aws_settings_profile_names(&s);
    aws_settings_finish(&s);
    char **v = xcalloc(1, sizeof(*v));
    size_t n = 0;
    enum vpcx_status st = VPCX_OK;
    for (size_t i = 0; asked[i] && st == VPCX_OK; i++) {
        if (!scope_is_glob(asked[i])) {
            if (!list_has(v, asked[i]))
                list_push(&v, &n, asked[i]);
            continue;
        }
        bool matched = false;
        for (size_t k = 0; known[k]; k++) {
            if (!scope_glob_match(asked[i], known[k]))
                continue;
            matched = true;
            if (!list_has(v, known[k]))
                list_push(&v, &n, known[k]);
        }
        if (!matched)
            st = vpcx_error_set(err, VPCX_ERR_USAGE, "--profiles: no profile matches '%s'",
                                asked[i]);
    }
    scope_free_list(asked);
    scope_free_list(known);
    if (st != VPCX_OK) {
        scope_free_list(v);
        return st;
    }
    *out = v;
    return VPCX_OK;
}

/* ---- --all-regions ---- */

static bool region_enabled(const cJSON *r)
{
    const cJSON *opt = cJSON_GetObjectItemCaseSensitive(r, "OptInStatus");
    if (!cJSON_IsString(opt))
        return true;
    return strcmp(opt->valuestring, "opt-in-not-required") == 0 ||
           strcmp(opt->valuestring, "opted-in") == 0;
}

static enum vpcx_status describe_regions(const struct cli_options *opts, const char *profile,
                                         char ***out, struct vpcx_error *err)
{
    struct aws_session_options so;
    source_session_options(opts, &so);
    so.aws.profile = profile;
    struct aws_session s;
    enum vpcx_status st = aws_session_resolve(&s, &so, err);
    if (st == VPCX_ERR_NO_REGION) { /* any region answers DescribeRegions */
        aws_session_close(&s);
        vpcx_error_finish(err);
        vpcx_error_init(err);
        so.aws.region = "us-east-1";
        st = aws_session_resolve(&s, &so, err);
    }
    if (st == VPCX_OK)
        st = aws_session_connect(&s, &so, err);
    cJSON *result = NULL;
    if (st == VPCX_OK) {
        struct aws_query q;
        aws_query_init(&q, NULL, NULL);
        st = aws_client_call_sync(s.client, AWS_SERVICE_EC2, "DescribeRegions", &q, &result, err);
        aws_query_finish(&q);
    }
    if (st == VPCX_OK) {
        char **v = xcalloc(1, sizeof(*v));
        size_t n = 0;
        const cJSON *r;
        cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(result, "Regions"))
        {
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(r, "RegionName");
            if (cJSON_IsString(name) && region_enabled(r) && !list_has(v, name->valuestring))
                list_push(&v, &n, name->valuestring);
        }
        *out = v;
    }
    cJSON_Delete(result);
    aws_session_close(&s);
    return st;
}

/* ---- the plan ---- */

static void plan_add_role(struct scope_plan *p, const char *profile, const char *region,
                          const char *role, const char *account)
{
    p->roles = xrealloc(p->roles, (p->n + 1) * sizeof(*p->roles));
    p->accounts = xrealloc(p->accounts, (p->n + 1) * sizeof(*p->accounts));
    p->roles[p->n] = role ? xstrdup(role) : NULL;
    p->accounts[p->n] = account ? xstrdup(account) : NULL;
    p->profiles = xrealloc(p->profiles, (p->n + 1) * sizeof(*p->profiles));
    p->regions = xrealloc(p->regions, (p->n + 1) * sizeof(*p->regions));
    p->failures = xrealloc(p->failures, (p->n + 1) * sizeof(*p->failures));
    p->profiles[p->n] = profile ? xstrdup(profile) : NULL;
    p->regions[p->n] = region ? xstrdup(region) : NULL;
    p->failures[p->n] = NULL;
    p->n++;
}

static void plan_add(struct scope_plan *p, const char *profile, const char *region,
                     const char *failure)
{
    for (size_t i = 0; i < p->n && !failure; i++) {
        bool same_p = (!profile && !p->profiles[i]) ||
                      (profile && p->profiles[i] && strcmp(profile, p->profiles[i]) == 0);
        bool same_r = (!region && !p->regions[i]) ||
                      (region && p->regions[i] && strcmp(region, p->regions[i]) == 0);
        if (same_p && same_r)
            return;
    }
    p->profiles = xrealloc(p->profiles, (p->n + 1) * sizeof(*p->profiles));
    p->regions = xrealloc(p->regions, (p->n + 1) * sizeof(*p->regions));
    p->failures = xrealloc(p->failures, (p->n + 1) * sizeof(*p->failures));
    p->profiles[p->n] = profile ? xstrdup(profile) : NULL;
    p->regions[p->n] = region ? xstrdup(region) : NULL;
    p->failures[p->n] = failure ? xstrdup(failure) : NULL;
    p->roles = xrealloc(p->roles, (p->n + 1) * sizeof(*p->roles));
    p->accounts = xrealloc(p->accounts, (p->n + 1) * sizeof(*p->accounts));
    p->roles[p->n] = NULL;
    p->accounts[p->n] = NULL;
    p->n++;
}

void scope_plan_finish(struct scope_plan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->profiles[i]);
        free(p->regions[i]);
        free(p->failures[i]);
        free(p->roles[i]);
        free(p->accounts[i]);
    }
    free(p->roles);
    free(p->accounts);
    free(p->profiles);
    free(p->regions);
    free(p->failures);
    memset(p, 0, sizeof(*p));
}

/* The regions one profile covers; NULL entries mean "the profile's own". */
static enum vpcx_status plan_profile(const struct cli_options *opts, const char *profile,
                                     char **regions, bool all, struct scope_plan *plan)
{
    if (!all) {
        if (!regions || !regions[0]) {
            plan_add(plan, profile, opts->region, NULL);
            return VPCX_OK;
        }
        for (size_t i = 0; regions[i]; i++)
            plan_add(plan, profile, regions[i], NULL);
        return VPCX_OK;
    }
    struct vpcx_error e;
    vpcx_error_init(&e);
    char **found = NULL;
    if (describe_regions(opts, profile, &found, &e) != VPCX_OK) {
        char *line = vpcx_error_format(&e);
        char *why = xasprintf("DescribeRegions: %s", line);
        plan_add(plan, profile, NULL, why);
        free(why);
        free(line);
    } else {
        for (size_t i = 0; found[i]; i++)
            plan_add(plan, profile, found[i], NULL);
    }
    scope_free_list(found);
    vpcx_error_finish(&e);
    return VPCX_OK;
}

/* ---- --org-role ---- */

/* The caller's account and partition, and the organization's active accounts. */
static enum vpcx_status org_accounts(const struct cli_options *opts, struct sts_identity *me,
                                     struct org_accounts *accts, struct vpcx_error *err)
{
    struct aws_session_options so;
    source_session_options(opts, &so);
    if (!so.aws.region)
        so.aws.region = "us-east-1"; /* Organizations is global; STS answers anywhere */
    struct aws_session s;
    enum vpcx_status st = aws_session_resolve(&s, &so, err);
    if (st == VPCX_OK)
        st = aws_session_connect(&s, &so, err);
    if (st == VPCX_OK)
        st = sts_get_caller_identity(s.client, me, err);
    if (st == VPCX_OK)
        st = org_list_accounts(&s, opts->endpoint_url, opts->max_attempts, accts, NULL, err);
    aws_session_close(&s);
    return st;
}

static enum vpcx_status plan_org(const struct cli_options *opts, char **regions, bool all,
                                 struct scope_plan *plan, struct vpcx_error *err)
{
    struct sts_identity me = {0};
    struct org_accounts accts = {0};
    enum vpcx_status st = org_accounts(opts, &me, &accts, err);
    char **found = NULL;
    if (st == VPCX_OK && all) { /* the caller's enabled regions, for every account */
        st = describe_regions(opts, opts->profile, &found, err);
        regions = found;
    }
    /* arn:PARTITION:... of the caller names the partition the roles live in */
    char partition[32];
    org_arn_partition(me.arn, partition, sizeof(partition));
    for (size_t i = 0; st == VPCX_OK && i < accts.n; i++) {
        const char *id = accts.items[i].id;
        bool mine = me.account && strcmp(me.account, id) == 0;
        char *role = mine ? NULL : org_role_arn(partition, id, opts->org_role);
        if (!regions || !regions[0])
            plan_add_role(plan, opts->profile, opts->region, role, id);
        for (size_t r = 0; regions && regions[r]; r++)
            plan_add_role(plan, opts->profile, regions[r], role, id);
        free(role);
    }
    if (st == VPCX_OK && accts.n == 0)
        st = vpcx_error_set(err, VPCX_ERR_NOT_FOUND,
                            "organizations:ListAccounts lists no active account");
    scope_free_list(found);
    org_accounts_finish(&accts);
    sts_identity_finish(&me);
    return st;
}

enum vpcx_status scope_plan_build(const struct cli_options *opts, const char *config_text,
                                  size_t config_len, struct scope_plan *plan,
                                  struct vpcx_error *err)
{
    memset(plan, 0, sizeof(*plan));
    char **profiles = NULL, **regions = NULL;
    bool all = opts->all_regions;
    enum vpcx_status st = VPCX_OK;
    if (opts->profiles)
        st = expand_profiles(opts, &profiles, err);
    if (st == VPCX_OK && opts->regions) {
        regions = scope_split_list(opts->regions);
        if (!regions[0])
            st = vpcx_error_set(err, VPCX_ERR_USAGE, "--regions needs at least one region");
    } else if (st == VPCX_OK && !opts->region && !all) {
        st = scope_config_regions(config_text, config_len, &regions, &all, err);
    }
    if (st == VPCX_OK && opts->org_role)
        st = plan_org(opts, regions, all, plan, err);
    for (size_t i = 0; st == VPCX_OK && !opts->org_role && i < (profiles ? list_len(profiles) : 1);
         i++)
        st = plan_profile(opts, profiles ? profiles[i] : opts->profile, regions, all, plan);
    scope_free_list(profiles);
    scope_free_list(regions);
    if (st == VPCX_OK && plan->n == 0)
        st = vpcx_error_set(err, VPCX_ERR_CONFIG, "no region is enabled for the account");
    if (st != VPCX_OK)
        scope_plan_finish(plan);
    return st;
}

/* ---- the dump over many scopes ---- */

struct scope_result {
    struct source_result res;
};

static void scope_meta_failed(struct source_result *res, const struct scope *sc)
{
    struct snapshot_meta *m = &res->meta;
    m->format_version = SNAPSHOT_FORMAT_VERSION;
    m->generator = xstrdup("vpcx " VPCX_VERSION);
    m->profile = xstrdup(sc->profile ? sc->profile : "default");
    m->region = sc->region ? xstrdup(sc->region) : NULL;
    m->source = xstrdup("aws");
    m->fetched_at = snapshot_format_time(sc->started ? sc->started : time(NULL));
}

/* One scope's document, as source_load builds it for a single scope. */
static void scope_collect(const struct cli_options *opts, struct scope *sc,
                          struct source_result *res)
{
    memset(res, 0, sizeof(*res));
    res->inv = sc->inv;
    sc->inv = inventory_create(); /* the result owns what was fetched */
    res->errors = cJSON_CreateArray();
    if (sc->state == SCOPE_FAILED) {
        scope_meta_failed(res, sc);
        source_record_error(res, "Scope", NULL, &sc->error);
        cli_report(sc->label, &sc->error);
        return;
    }
    unsigned fetched = source_collect_fetch_errors(res, sc->fetch, sc->label);
    if (sc->ident_error.status != VPCX_OK) {
        source_record_error(res, "CallerIdentity", "GetCallerIdentity", &sc->ident_error);
        char *what = xasprintf("%s: CallerIdentity", sc->label);
        cli_report(what, &sc->ident_error);
        free(what);
    }
    source_fill_meta(res, &sc->session, sc->account, sc->arn);
    /* The cache is keyed by profile and region, which every --org-role account shares. */
    if (!opts->no_cache && fetched && !sc->role_arn)
        source_save_cache(&sc->session, res, fetched);
}

static void scope_collect_offline(struct scope_set *set, struct scope *sc,
                                  struct source_result *res)
{
    memset(res, 0, sizeof(*res));
    res->inv = inventory_create();
    res->errors = cJSON_CreateArray();
    struct vpcx_error e;
    vpcx_error_init(&e);
    enum vpcx_status st = scope_resolve(set, sc, &e);
    if (st == VPCX_OK)
        st = source_load_cache(&sc->session, res, &e);
    if (st != VPCX_OK) {
        scope_meta_failed(res, sc);
        source_record_error(res, "Scope", NULL, &e);
        cli_report(sc->label, &e);
    }
    vpcx_error_finish(&e);
}

static enum vpcx_status write_json(FILE *out, struct source_result *res, size_t n, bool pretty,
                                   struct vpcx_error *err)
{
    fputs(pretty ? "{\n\t\"Inventories\": [" : "{\"Inventories\":[", out);
    enum vpcx_status st = VPCX_OK;
    for (size_t i = 0; i < n && st == VPCX_OK; i++) {
        if (i)
            fputs(",", out);
        if (pretty)
            fputs("\n", out);
        /* Each element is the single-scope document as it is written alone. */
        st = snapshot_write(out, res[i].inv, &res[i].meta, res[i].errors, pretty, err);
    }
    if (st == VPCX_OK) {
        fputs(pretty ? "]\n}\n" : "]}\n", out);
        if (fflush(out) != 0)
            st = vpcx_error_set(err, VPCX_ERR_IO, "cannot write the output: %s", strerror(errno));
    }
    return st;
}

static enum vpcx_status write_text(FILE *out, struct source_result *res, size_t n,
                                   struct vpcx_error *err)
{
    enum vpcx_status st = VPCX_OK;
    for (size_t i = 0; i < n && st == VPCX_OK; i++) {
        if (i)
            fputs("\n", out);
        st = outline_write(out, res[i].inv, &res[i].meta, res[i].errors, err);
    }
    return st;
}

/* 0 when every scope loaded whole, 5 when some failed and one at least gave
 * something, else the exit code of the worst failure. */
static int scopes_exit_code(const struct source_result *res, size_t n, bool *any)
{
    int code = VPCX_EXIT_OK;
    int worst = VPCX_EXIT_OK;
    *any = false;
    for (size_t i = 0; i < n; i++) {
        int c = source_exit_code(&res[i]);
        if (res[i].succeeded > 0)
            *any = true;
        if (c != VPCX_EXIT_OK)
            code = VPCX_EXIT_PARTIAL;
        if (c != VPCX_EXIT_OK && c != VPCX_EXIT_PARTIAL &&
            (worst == VPCX_EXIT_OK || c == VPCX_EXIT_AUTH))
            worst = c;
    }
    if (!*any && code != VPCX_EXIT_OK)
        return worst == VPCX_EXIT_OK ? VPCX_EXIT_UNREACHABLE : worst;
    return code;
}

int scope_write_results(const struct cli_options *opts, struct source_result *res, size_t n)
{
    bool any;
    int code = scopes_exit_code(res, n, &any);
    if (!any && n > 0)
        return code; /* nothing worth printing; stderr says why */
    FILE *out = stdout;
    if (opts->output && !(out = fopen(opts->output, "w"))) {
        fprintf(stderr, "vpcx: cannot write %s: %s\n", opts->output, strerror(errno));
        return VPCX_EXIT_ERROR;
    }
    struct vpcx_error err;
    vpcx_error_init(&err);
    enum vpcx_status st = opts->format == CLI_FORMAT_TEXT
                              ? write_text(out, res, n, &err)
                              : write_json(out, res, n, opts->pretty, &err);
    if (out != stdout && fclose(out) != 0 && st == VPCX_OK)
        st =
            vpcx_error_set(&err, VPCX_ERR_IO, "cannot write %s: %s", opts->output, strerror(errno));
    if (st != VPCX_OK) {
        cli_report(NULL, &err);
        code = VPCX_EXIT_ERROR;
    }
    vpcx_error_finish(&err);
    return code;
}

struct scope_set *scope_set_open(const struct aws_session_options *so,
                                 const struct scope_plan *plan, int *code)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    struct scope_set *set = scope_set_create(so, &err);
    if (!set) {
        *code = cli_fail(&err);
        vpcx_error_finish(&err);
        return NULL;
    }
    vpcx_error_finish(&err);
    for (size_t i = 0; i < plan->n; i++) {
        struct scope *sc = scope_set_add_role(set, plan->profiles[i], plan->regions[i],
                                              plan->roles[i], plan->accounts[i]);
        if (plan->failures[i]) {
            vpcx_error_set(&sc->error, VPCX_ERR_AWS, "%s", plan->failures[i]);
            sc->state = SCOPE_FAILED;
        }
    }
    return set;
}

int scope_dump(const struct cli_options *opts, const struct scope_plan *plan)
{
    struct aws_session_options so;
    source_session_options(opts, &so);
    int code;
    struct scope_set *set = scope_set_open(&so, plan, &code);
    if (!set)
        return code;
    size_t n = scope_set_count(set);
    struct source_result *res = xcalloc(n, sizeof(*res));
    if (opts->offline) {
        for (size_t i = 0; i < n; i++) {
            struct scope *sc = scope_set_get(set, i);
            if (sc->state == SCOPE_FAILED)
                scope_collect(opts, sc, &res[i]);
            else
                scope_collect_offline(set, sc, &res[i]);
        }
    } else {
        scope_set_start_all(set);
        scope_set_wait(set);
        for (size_t i = 0; i < n; i++)
            scope_collect(opts, scope_set_get(set, i), &res[i]);
    }
    code = scope_write_results(opts, res, n);
    for (size_t i = 0; i < n; i++)
        source_result_finish(&res[i]);
    free(res);
    scope_set_destroy(set);
    return code;
}

enum scope_route scope_route(const struct cli_options *opts, struct cli_options *one,
                             struct scope_plan *plan, int *code)
{
    memset(plan, 0, sizeof(*plan));
    *one = *opts;
    *code = VPCX_EXIT_OK;
    char *text = NULL, *path = NULL;
    size_t len = 0;
    struct vpcx_error err;
    vpcx_error_init(&err);
    enum scope_route route = SCOPES_SINGLE;
    enum vpcx_status st = VPCX_OK;
    if (opts->regions || opts->all_regions || opts->profiles ||
        !(opts->region || opts->demo || opts->snapshot))
        st = source_config_text(&text, &len, &path, &err);
    if (st == VPCX_OK && scope_plan_requested(opts, text, len)) {
        st = scope_plan_build(opts, text, len, plan, &err);
        if (st == VPCX_OK && plan->n == 1 && !plan->failures[0] && !plan->roles[0]) {
            one->profile = plan->profiles[0];
            one->region = plan->regions[0];
            one->profiles = NULL;
            one->regions = NULL;
            one->all_regions = false;
            one->org_role = NULL;
            route = SCOPES_ONE;
        } else if (st == VPCX_OK) {
            route = SCOPES_MANY;
        }
    }
    if (st != VPCX_OK) {
        *code = cli_fail(&err);
        route = SCOPES_ERROR;
    }
    vpcx_error_finish(&err);
    free(text);
    free(path);
    return route;
}
