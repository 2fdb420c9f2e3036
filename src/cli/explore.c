/* `vpcx` with no subcommand: the explorer over the demo, a snapshot or AWS. */
#include "vpcx/aws/session.h"
#include "vpcx/aws/sso.h"
#include "vpcx/cli/aggsource.h"
#include "vpcx/cli/commands.h"
#include "vpcx/cli/scopes.h"
#include "vpcx/cli/source.h"
#include "vpcx/core/clock.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/store/cache.h"
#include "vpcx/sync/aggregator.h"
#include "vpcx/sync/fetch.h"
#include "vpcx/sync/scopes.h"
#include "vpcx/ui/app.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef VPCX_VERSION
#define VPCX_VERSION "0.1.0"
#endif

static bool parse_size(const char *s, int *cols, int *rows)
{
    char *end = NULL;
    long w = strtol(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X'))
        return false;
    const char *h_start = end + 1;
    long h = strtol(h_start, &end, 10);
    if (end == h_start || *end || w < 1 || w > 1000 || h < 1 || h > 1000)
        return false;
    *cols = (int)w;
    *rows = (int)h;
    return true;
}

static void fill_headless(const struct cli_options *opts, struct app_options *ao)
{
    ao->headless = opts->headless != NULL;
    ao->keys_file = opts->keys;
    ao->screen_out = opts->screen_out;
    ao->every = opts->screen_every;
    ao->stats = opts->headless_stats;
    /* Tests must not depend on the runner's own config file. */
    ao->no_config = ao->headless && !getenv("VPCX_HEADLESS_CONFIG");
}

static int run_app(const struct app_options *ao)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    int rc = app_run(ao, &err);
    if (rc < 0 || err.status != VPCX_OK) {
        int code = cli_fail(&err);
        vpcx_error_finish(&err);
        return rc < 0 ? (code ? code : 1) : rc;
    }
    vpcx_error_finish(&err);
    return rc;
}

static int explore_saved(const struct cli_options *opts, struct app_options *ao)
{
    struct source_result res;
    int code = source_load_or_report(opts, &res);
    if (code != VPCX_EXIT_OK)
        return code;
    ao->inv = res.inv;
    ao->account = res.meta.account;
    ao->region = res.meta.region;
    ao->endpoint = res.meta.endpoint;
    ao->profile = res.meta.profile;
    ao->source = opts->demo ? "demo" : "snapshot";
    ao->loaded_meta = &res.meta;
    /* Forms over a saved inventory practise on it: nothing can reach AWS. */
    ao->write_mode = MUTATE_SIMULATED;
    ao->write_reason = opts->demo ? "--demo" : "--snapshot";
    int rc = run_app(ao);
    source_result_finish(&res);
    return rc;
}

/* The cache behind the explorer: read before the first paint, written after each refresh. */
struct explore_cache {
    char *dir; /* NULL: no cache (--no-cache, or no HOME) */
    struct cache_key key;
    struct snapshot_meta meta;
    bool loaded;
    char *problem;               /* why a cache that exists could not be read */
    char *note;                  /* why its binary form was not used (the JSON was read) */
    struct cache_loader *loader; /* the rest of the cache, loaded after the first paint */
    char *absent;                /* why there is no cache (a normal first run) */
};

static size_t inventory_size(const struct inventory *inv)
{
    size_t n = 0;
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        n += inventory_count(inv, (enum inv_type)t);
    return n;
}

/* Finds and loads the cache of these settings with no network call; a missing
 * cache is normal, a bad one is described in ec->problem and ignored. */
static void cache_open(struct explore_cache *ec, const struct aws_session *s, struct inventory *inv,
                       bool stats)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    source_cache_key(&ec->key, &s->settings);
    char *path = NULL;
    double t0 = clock_usec(CLOCK_MONOTONIC);
    enum vpcx_status st = cache_find(ec->dir, &ec->key, &path, &err);
    struct vpcx_error note;
    vpcx_error_init(&note);
    if (st == VPCX_OK)
        st = cache_load_begin(path, inv, &ec->meta, NULL, &ec->loader, &note, &err);
    if (note.status != VPCX_OK)
        ec->note = vpcx_error_format(&note);
    vpcx_error_finish(&note);
    ec->loaded = st == VPCX_OK;
    if (st == VPCX_ERR_NOT_FOUND)
        ec->absent = vpcx_error_format(&err);
    else if (st != VPCX_OK)
        ec->problem = vpcx_error_format(&err);
    if (stats && ec->loaded)
        fprintf(stderr, "cache load usec %.0f resources %zu%s\n", clock_usec(CLOCK_MONOTONIC) - t0,
                inventory_size(inv), cache_loader_busy(ec->loader) ? " (first types)" : "");
    free(path);
    vpcx_error_finish(&err);
}

static void cache_close(struct explore_cache *ec)
{
    free(ec->dir);
    snapshot_meta_finish(&ec->meta);
    free(ec->problem);
    free(ec->note);
    free(ec->absent);
    cache_loader_destroy(ec->loader);
}

/* The Errors list of a refresh, as `vpcx dump` writes it. */
static cJSON *refresh_errors(const struct fetch *f)
{
    cJSON *list = cJSON_CreateArray();
    for (int slot = 0; slot < FETCH_SLOTS; slot++) {
        const struct fetch_progress *p = fetch_get_progress(f, slot);
        if (p->state != FETCH_FAILED)
            continue;
        const struct vpcx_error *e = &p->error;
        cJSON *item = cJSON_CreateObject();
        cJSON_AddStringToObject(item, "Type", fetch_slot_name(slot));
        if (p->operation)
            cJSON_AddStringToObject(item, "Operation", p->operation);
        cJSON_AddStringToObject(item, "Status", vpcx_status_name(e->status));
        if (e->aws_code)
            cJSON_AddStringToObject(item, "Code", e->aws_code);
        cJSON_AddStringToObject(item, "Message",
                                e->message ? e->message : vpcx_status_message(e->status));
        cJSON_AddItemToArray(list, item);
    }
    return list;
}

struct refresh_ctx {
    struct explore_cache *cache;
    const struct aws_settings *settings;
};

static void refresh_meta(struct snapshot_meta *m, const struct refresh_ctx *ctx,
                         const struct app_refresh *r)
{
    const struct aws_settings *s = ctx->settings;
    memset(m, 0, sizeof(*m));
    m->format_version = SNAPSHOT_FORMAT_VERSION;
    m->generator = xstrdup("vpcx " VPCX_VERSION);
    m->account = r->account ? xstrdup(r->account) : NULL;
    m->arn = r->arn ? xstrdup(r->arn) : NULL;
    m->region = s->region.value ? xstrdup(s->region.value) : NULL;
    m->endpoint = s->ec2_endpoint.value ? xstrdup(s->ec2_endpoint.value) : NULL;
    m->profile = s->profile.value ? xstrdup(s->profile.value) : NULL;
    m->source = xstrdup("aws");
    m->fetched_at = snapshot_format_time(r->started);
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        if (r->fetched & CACHE_TYPE_BIT(t))
            m->fetched_at_by_type[t] = xstrdup(m->fetched_at);
}

/* After each refresh, in a child of the explorer (it may wait for the cache lock):
 * the types that completed go to the cache, the rest keep theirs. */
static enum vpcx_status refreshed(void *ud, const struct app_refresh *r, struct vpcx_error *note)
{
    const struct refresh_ctx *ctx = ud;
    if (!ctx->cache->dir || !r->fetched)
        return VPCX_OK;
    struct snapshot_meta meta;
    refresh_meta(&meta, ctx, r);
    cJSON *errors = refresh_errors(r->fetch);
    struct vpcx_error err, warning;
    vpcx_error_init(&err);
    vpcx_error_init(&warning);
    enum vpcx_status st =
        cache_update(ctx->cache->dir, r->inv, &meta, errors, r->fetched, NULL, &warning, &err);
    const struct vpcx_error *problem = st != VPCX_OK ? &err : &warning;
    if (problem->status != VPCX_OK) {
        char *line = vpcx_error_format(problem);
        vpcx_error_set(note, problem->status, "%s: %s",
                       st != VPCX_OK ? "cache not updated" : "cache", line);
        free(line);
    }
    vpcx_error_finish(&err);
    vpcx_error_finish(&warning);
    cJSON_Delete(errors);
    snapshot_meta_finish(&meta);
    return st;
}

static void fill_from_cache(struct app_options *ao, const struct explore_cache *ec)
{
    ao->cache_meta = &ec->meta;
    ao->loaded_meta = &ec->meta;
    ao->account = ec->meta.account;
    ao->start_message = ec->problem ? ec->problem : ec->note;
    ao->cache_loader = ec->loader;
}

/* Offline (by choice or because credentials failed): the cache or nothing. */
static int explore_offline(const struct explore_cache *ec, struct app_options *ao,
                           const struct vpcx_error *why)
{
    if (!ec->loaded) {
        struct vpcx_error err;
        vpcx_error_init(&err);
        if (why)
            vpcx_error_copy(&err, why);
        else
            vpcx_error_set(&err, VPCX_ERR_NOT_FOUND, "--offline: %s",
                           ec->problem  ? ec->problem
                           : ec->absent ? ec->absent
                                        : "no cache directory: set HOME or XDG_CACHE_HOME");
        int code = cli_fail(&err);
        vpcx_error_finish(&err);
        return code;
    }
    char *reason = why ? vpcx_error_format(why) : NULL;
    ao->offline = true;
    ao->offline_reason = reason;
    int rc = run_app(ao);
    free(reason);
    return rc;
}

/*
 * Credentials that only a sign-in elsewhere can fix (aws sso login, aws
 * login), before the explorer takes the terminal: say what to run and try
 * again on Enter, without a restart. On success t is a connected session.
 */
static bool connect_after_login(const struct cli_options *opts,
                                const struct aws_session_options *so, struct aws_session *t,
                                struct vpcx_error *err)
{
    while (aws_error_needs_login(err) && !opts->headless && isatty(STDIN_FILENO) &&
           isatty(STDERR_FILENO)) {
        cli_report(NULL, err);
        fputs("vpcx: sign in from another terminal, then press Enter to try again "
              "(q and Enter: go on without)\n",
              stderr);
        char line[64];
        if (!fgets(line, sizeof(line), stdin) || line[0] == 'q')
            return false;
        vpcx_error_finish(err);
        vpcx_error_init(err);
        if (aws_session_resolve(t, so, err) == VPCX_OK &&
            aws_session_connect(t, so, err) == VPCX_OK)
            return true;
        aws_session_close(t);
    }
    return false;
}

static int explore_aws(const struct cli_options *opts, struct app_options *ao)
{
    struct aws_session_options so;
    source_session_options(opts, &so);
    struct aws_session s;
    struct vpcx_error err;
    vpcx_error_init(&err);
    if (aws_session_resolve(&s, &so, &err) != VPCX_OK) {
        int code = cli_fail(&err);
        aws_session_close(&s);
        vpcx_error_finish(&err);
        return code;
    }
    struct inventory *inv = inventory_create();
    struct explore_cache ec;
    memset(&ec, 0, sizeof(ec));
    if (!opts->no_cache && source_cache_dir(&ec.dir, &err) == VPCX_OK)
        cache_open(&ec, &s, inv, ao->stats);
    vpcx_error_finish(&err);
    ao->inv = inv;
    ao->region = s.settings.region.value;
    ao->endpoint = s.settings.ec2_endpoint.value;
    ao->profile = s.settings.profile.value;
    ao->source = "aws";
    ao->max_age = opts->max_age;
    if (ec.loaded)
        fill_from_cache(ao, &ec);
    int rc;
    /* A second session when the first needed a sign-in: s keeps the settings
     * ao points into; the retry resolves the same ones. */
    struct aws_session retry;
    memset(&retry, 0, sizeof(retry));
    struct aws_session *live = &s;
    if (!opts->offline && aws_session_connect(&s, &so, &err) != VPCX_OK &&
        connect_after_login(opts, &so, &retry, &err))
        live = &retry;
    if (opts->offline) {
        rc = explore_offline(&ec, ao, NULL);
    } else if (!live->client) {
        /* Expired credentials in an incident: the cache is still worth reading. */
        rc = explore_offline(&ec, ao, &err);
    } else {
        struct refresh_ctx ctx = {.cache = &ec, .settings = &s.settings};
        /* :region and :profile make scopes of these; no MFA prompt under the screen. */
        struct aws_session_options scope_so = so;
        scope_so.prompt_mfa = NULL;
        ao->scope_base = &scope_so;
        ao->scope_cache_dir = ec.dir;
        ao->client = live->client;
        ao->profile_credentials = live->credentials.source != AWS_SRC_ENV;
        ao->on_refresh = refreshed;
        ao->refresh_ud = &ctx;
        rc = run_app(ao);
    }
    inventory_destroy(inv);
    cache_close(&ec);
    if (live == &retry)
        aws_session_close(&retry);
    aws_session_close(&s);
    vpcx_error_finish(&err);
    return rc;
}

/* Many accounts and regions: the app loads and merges them (ui/appscopes.c). */
static int explore_scopes(const struct cli_options *opts, const struct scope_plan *plan,
                          struct app_options *ao)
{
    if (opts->offline) {
        fprintf(stderr, "vpcx: --offline opens the cache of one account and region; "
                        "vpcx --offline dump reads several\n");
        return VPCX_EXIT_USAGE;
    }
    /* The endpoint forms work on one account and region. */
    if (ao->write_mode == MUTATE_LIVE)
        ao->start_message = "writes need one account and region: read-only over several";
    ao->write_mode = MUTATE_READ_ONLY;
    ao->write_reason = NULL;
    struct aws_session_options so;
    source_session_options(opts, &so);
    /* Scopes connect while the explorer holds the terminal: a profile that needs an
     * MFA code fails on its own row instead of prompting under the screen. */
    so.prompt_mfa = NULL;
    int code;
    /* An aggregator is read before the screen opens: its errors go to stderr. */
    struct scope_set *set = opts->config_aggregator ? aggsource_open(opts, &so, &code)
                                                    : scope_set_open(&so, plan, &code);
    if (!set)
        return code;
    struct inventory *inv = inventory_create();
    char *source = opts->config_aggregator ? aggregator_source_name(opts->config_aggregator) : NULL;
    ao->inv = inv;
    ao->scopes = set;
    char *cache = NULL;
    struct vpcx_error err;
    vpcx_error_init(&err);
    /* Config's scopes are not cached: their key is no profile and region. */
    if (!source && !opts->no_cache && source_cache_dir(&cache, &err) != VPCX_OK)
        cache = NULL; /* no HOME: no cache, as with one scope */
    vpcx_error_finish(&err);
    ao->scope_cache_dir = cache;
    ao->source = source ? source : "aws";
    ao->max_age = opts->max_age;
    int rc = run_app(ao);
    scope_set_destroy(set);
    inventory_destroy(inv);
    free(cache);
    free(source);
    return rc;
}

static int explore_route(const struct cli_options *opts, struct app_options *ao)
{
    struct cli_options one;
    struct scope_plan plan;
    int code;
    if (opts->config_aggregator)
        return explore_scopes(opts, NULL, ao);
    switch (scope_route(opts, &one, &plan, &code)) {
    case SCOPES_ERROR:
        return code;
    case SCOPES_MANY:
        code = explore_scopes(opts, &plan, ao);
        break;
    case SCOPES_SINGLE:
    case SCOPES_ONE:
        code = explore_aws(&one, ao);
        break;
    }
    scope_plan_finish(&plan);
    return code;
}

/* The config's ignore and price lines for the explorer's findings and cost: VPCX_EXIT_OK,
   else the exit code (the error printed) when they do not parse. */
static int load_check_config(const struct app_options *ao, struct check_config *cfg,
                             struct cost_prices *prices)
{
    if (ao->no_config)
        return VPCX_EXIT_OK;
    struct vpcx_error err;
    vpcx_error_init(&err);
    char *text, *path;
    size_t len;
    enum vpcx_status st = source_config_text(&text, &len, &path, &err);
    if (st == VPCX_OK && text)
        st = check_config_parse(cfg, path, text, len, &err);
    if (st == VPCX_OK && text)
        st = cost_prices_parse_config(prices, path, text, len, &err);
    int code = st == VPCX_OK ? VPCX_EXIT_OK : cli_fail(&err);
    free(text);
    free(path);
    vpcx_error_finish(&err);
    return code;
}

static int explore_with(const struct cli_options *opts, struct app_options *ao)
{
    if (opts->tour_step && !opts->snapshot && !opts->profile && !opts->endpoint_url) {
        /* The tour teaches on the demo unless an account is named. */
        struct cli_options demo = *opts;
        demo.demo = true;
        return explore_saved(&demo, ao);
    }
    if (opts->demo || opts->snapshot)
        return explore_saved(opts, ao);
    return explore_route(opts, ao);
}

int cmd_explore(const struct cli_options *opts)
{
    setlocale(LC_ALL, "");
    struct app_options ao;
    memset(&ao, 0, sizeof(ao));
    ao.theme = opts->theme;
    ao.mouse = opts->mouse;
    ao.write_mode = opts->write ? MUTATE_LIVE : MUTATE_READ_ONLY;
    ao.write_reason = opts->write ? "--write" : NULL;
    fill_headless(opts, &ao);
    ao.tour_step = opts->tour_step;
    if (opts->headless && !parse_size(opts->headless, &ao.cols, &ao.rows)) {
        fprintf(stderr, "vpcx: --headless takes a size like 120x40, not '%s'\n", opts->headless);
        return VPCX_EXIT_USAGE;
    }
    struct check_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    struct cost_prices *prices = cost_prices_create();
    int rc = load_check_config(&ao, &cfg, prices);
    if (rc == VPCX_EXIT_OK) {
        ao.check_config = &cfg;
        ao.prices = prices;
        rc = explore_with(opts, &ao);
    }
    check_config_finish(&cfg);
    cost_prices_destroy(prices);
    return rc;
}
