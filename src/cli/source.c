#include "vpcx/cli/source.h"

#include "vpcx/aws/config.h"
#include "vpcx/aws/sts.h"
#include "vpcx/store/cache.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/sync/fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef VPCX_VERSION
#define VPCX_VERSION "0.1.0"
#endif

/*
 * The MFA code of an assume-role profile, asked on /dev/tty before any
 * screen: stdout may be a pipe (dump > file) and stdin a script. The code
 * is echoed (it is short-lived, not a secret) but never logged. NULL when
 * there is no terminal or nothing was typed.
 */
static char *prompt_mfa_tty(void *ud, const char *mfa_serial)
{
    (void)ud;
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty)
        return NULL;
    char *serial = sanitize_dup(mfa_serial, SANITIZE_ESCAPE);
    fprintf(tty, "Enter MFA code for %s: ", serial);
    fflush(tty);
    free(serial);
    char line[64];
    char *code = NULL;
    if (fgets(line, sizeof(line), tty)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0])
            code = xstrdup(line);
    }
    fclose(tty);
    return code;
}

void source_session_options(const struct cli_options *opts, struct aws_session_options *out)
{
    memset(out, 0, sizeof(*out));
    out->aws.profile = opts->profile;
    out->aws.region = opts->region;
    out->aws.endpoint_url = opts->endpoint_url;
    out->aws.ca_bundle = opts->ca_bundle;
    out->allow_http = opts->allow_http;
    out->max_attempts = opts->max_attempts;
    /* --concurrency bounds the requests in flight over every scope; one host
     * (one service in one region) gets at most SOURCE_PER_HOST of them. */
    out->max_total = opts->concurrency > 0 ? opts->concurrency : SOURCE_CONCURRENCY;
    out->max_per_host = out->max_total < SOURCE_PER_HOST ? out->max_total : SOURCE_PER_HOST;
    out->prompt_mfa = prompt_mfa_tty;
}

void source_result_finish(struct source_result *res)
{
    inventory_destroy(res->inv);
    snapshot_meta_finish(&res->meta);
    cJSON_Delete(res->errors);
    memset(res, 0, sizeof(*res));
}

static void add_opt_string(cJSON *obj, const char *key, const char *value)
{
    if (value)
        cJSON_AddStringToObject(obj, key, value);
}

void source_record_error(struct source_result *res, const char *type, const char *operation,
                         const struct vpcx_error *e)
{
    cJSON *item = cJSON_CreateObject();
    cJSON_AddStringToObject(item, "Type", type);
    add_opt_string(item, "Operation", operation);
    cJSON_AddStringToObject(item, "Status", vpcx_status_name(e->status));
    add_opt_string(item, "Code", e->aws_code);
    if (e->http_status)
        cJSON_AddNumberToObject(item, "HttpStatus", e->http_status);
    add_opt_string(item, "Message", e->message ? e->message : vpcx_status_message(e->status));
    add_opt_string(item, "RequestId", e->request_id);
    add_opt_string(item, "Hint", e->hint);
    cJSON_AddItemToArray(res->errors, item);
    res->failed++;
    /* Credentials problems decide the exit code over network ones: they need a person. */
    if (res->worst == VPCX_OK || vpcx_status_exit(e->status) == VPCX_EXIT_AUTH)
        res->worst = e->status;
}

static enum vpcx_status load_demo(struct source_result *res, struct vpcx_error *err)
{
    size_t len;
    const char *data = demo_json(&len);
    enum vpcx_status st = snapshot_load_buffer(data, len, "the demo inventory", res->inv,
                                               &res->meta, &res->errors, err);
    if (st == VPCX_OK) {
        free(res->meta.source);
        res->meta.source = xstrdup("demo");
        /* The demo is a whole account: a type it does not list has none. */
        for (int t = 0; t < INV_TYPE_COUNT; t++) {
            if (inventory_type_loaded(res->inv, (enum inv_type)t))
                continue;
            inventory_begin(res->inv, (enum inv_type)t);
            inventory_end(res->inv, (enum inv_type)t);
        }
    }
    return st;
}

struct identity_call {
    bool done;
    struct sts_identity id;
    struct vpcx_error err;
};

static void identity_done(void *ud, const struct sts_identity *id, const struct vpcx_error *err)
{
    struct identity_call *c = ud;
    c->done = true;
    if (!id) {
        vpcx_error_copy(&c->err, err);
        return;
    }
    c->id.account = xstrdup(id->account);
    c->id.arn = id->arn ? xstrdup(id->arn) : NULL;
    c->id.user_id = id->user_id ? xstrdup(id->user_id) : NULL;
}

static void fill_meta(struct source_result *res, const struct aws_session *s,
                      const struct identity_call *ident)
{
    source_fill_meta(res, s, ident->id.account, ident->id.arn);
}

void source_fill_meta(struct source_result *res, const struct aws_session *s, const char *account,
                      const char *arn)
{
    struct snapshot_meta *m = &res->meta;
    m->format_version = SNAPSHOT_FORMAT_VERSION;
    m->generator = xstrdup("vpcx " VPCX_VERSION);
    m->account = account ? xstrdup(account) : NULL;
    m->arn = arn ? xstrdup(arn) : NULL;
    m->region = s->settings.region.value ? xstrdup(s->settings.region.value) : NULL;
    m->endpoint = s->settings.ec2_endpoint.value ? xstrdup(s->settings.ec2_endpoint.value) : NULL;
    m->profile = s->settings.profile.value ? xstrdup(s->settings.profile.value) : NULL;
    m->source = xstrdup("aws");
    m->fetched_at = snapshot_format_time(time(NULL));
}

/* Returns the mask of the types that were fetched whole. */
static unsigned collect_fetch_errors(struct source_result *res, const struct fetch *f)
{
    return source_collect_fetch_errors(res, f, NULL);
}

unsigned source_collect_fetch_errors(struct source_result *res, const struct fetch *f,
                                     const char *scope)
{
    unsigned fetched = 0;
    for (int slot = 0; slot < FETCH_SLOTS; slot++) {
        const struct fetch_progress *p = fetch_get_progress(f, slot);
        if (p->state == FETCH_FAILED) {
            source_record_error(res, fetch_slot_name(slot), p->operation, &p->error);
            char *what = scope ? xasprintf("%s: %s", scope, fetch_slot_name(slot))
                               : xstrdup(fetch_slot_name(slot));
            cli_report(what, &p->error);
            free(what);
        } else if (p->state == FETCH_DONE && slot != FETCH_VPC_ATTRIBUTES) {
            res->succeeded++;
            fetched |= CACHE_TYPE_BIT(slot);
        }
    }
    return fetched;
}

enum vpcx_status source_cache_dir(char **out, struct vpcx_error *err)
{
    return cache_dir(out, aws_env_get(NULL, "XDG_CACHE_HOME"), aws_env_get(NULL, "HOME"), err);
}

void source_cache_key(struct cache_key *key, const struct aws_settings *s)
{
    memset(key, 0, sizeof(*key));
    key->profile = s->profile.value;
    key->region = s->region.value;
    key->endpoint = s->ec2_endpoint.value;
}

/* Where this profile, region and endpoint are cached; found with no network call. */
struct cache_place {
    char *dir;
    struct cache_key key;
};

static bool cache_place_init(struct cache_place *cp, const struct aws_session *s)
{
    memset(cp, 0, sizeof(*cp));
    struct vpcx_error err;
    vpcx_error_init(&err);
    bool ok = source_cache_dir(&cp->dir, &err) == VPCX_OK;
    vpcx_error_finish(&err);
    source_cache_key(&cp->key, &s->settings);
    return ok;
}

static enum vpcx_status load_cached(const struct cache_place *cp, struct source_result *res,
                                    struct vpcx_error *err)
{
    char *path = NULL;
    cJSON_Delete(res->errors);
    res->errors = NULL;
    enum vpcx_status st = cache_find(cp->dir, &cp->key, &path, err);
    struct vpcx_error note;
    vpcx_error_init(&note);
    if (st == VPCX_OK)
        st = cache_load_noted(path, res->inv, &res->meta, &res->errors, &note, err);
    if (note.status != VPCX_OK)
        cli_report("cache", &note);
    vpcx_error_finish(&note);
    free(path);
    if (st == VPCX_OK) {
        free(res->meta.source);
        res->meta.source = xstrdup("cache");
        res->succeeded = INV_TYPE_COUNT;
    }
    if (!res->errors)
        res->errors = cJSON_CreateArray();
    return st;
}

/* With --max-age: the cache, when every type in it is young enough. */
static bool try_fresh_cache(const struct cli_options *opts, const struct cache_place *cp,
                            struct source_result *res)
{
    struct source_result tmp = {.inv = inventory_create(), .errors = NULL};
    struct vpcx_error err;
    vpcx_error_init(&err);
    bool used = false;
    if (load_cached(cp, &tmp, &err) == VPCX_OK &&
        !cache_is_stale(cache_oldest_time(&tmp.meta, CACHE_ALL_TYPES), time(NULL), opts->max_age)) {
        source_result_finish(res);
        *res = tmp;
        used = true;
    } else {
        source_result_finish(&tmp);
    }
    vpcx_error_finish(&err);
    return used;
}

/* When nothing could be fetched, point at the cached inventory if there is one. */
static void hint_offline(const struct cache_place *cp, struct vpcx_error *err)
{
    char *path = NULL;
    struct vpcx_error e;
    vpcx_error_init(&e);
    if (cp->dir && cache_find(cp->dir, &cp->key, &path, &e) == VPCX_OK) {
        char *old = err->hint ? xstrdup(err->hint) : NULL;
        vpcx_error_set_hint(err, "%s%s`--offline` reads the inventory cached in %s", old ? old : "",
                            old ? "; " : "", path);
        free(old);
    }
    free(path);
    vpcx_error_finish(&e);
}

static void save_to_cache(const struct cache_place *cp, struct source_result *res,
                          unsigned fetched);

void source_save_cache(const struct aws_session *s, struct source_result *res, unsigned fetched)
{
    struct cache_place cp;
    if (cache_place_init(&cp, s))
        save_to_cache(&cp, res, fetched);
    free(cp.dir);
}

enum vpcx_status source_load_cache(const struct aws_session *s, struct source_result *res,
                                   struct vpcx_error *err)
{
    struct cache_place cp;
    enum vpcx_status st = cache_place_init(&cp, s)
                              ? load_cached(&cp, res, err)
                              : vpcx_error_set(err, VPCX_ERR_CONFIG,
                                               "--offline needs a cache directory: set HOME or "
                                               "XDG_CACHE_HOME");
    free(cp.dir);
    return st;
}

static void save_to_cache(const struct cache_place *cp, struct source_result *res, unsigned fetched)
{
    struct vpcx_error err, warning;
    vpcx_error_init(&err);
    vpcx_error_init(&warning);
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        if (fetched & CACHE_TYPE_BIT(t))
            res->meta.fetched_at_by_type[t] = xstrdup(res->meta.fetched_at);
    if (cache_update(cp->dir, res->inv, &res->meta, res->errors, fetched, NULL, &warning, &err) !=
        VPCX_OK)
        cli_report("cache", &err);
    if (warning.status != VPCX_OK)
        cli_report("cache", &warning);
    vpcx_error_finish(&err);
    vpcx_error_finish(&warning);
}

static void fetch_all(struct aws_session *s, struct source_result *res, unsigned *fetched)
{
    struct identity_call ident = {0};
    vpcx_error_init(&ident.err);
    struct sts_identity_call call = {0};
    sts_identity_start(&call, s->client, identity_done, &ident);

    struct fetch *f = fetch_create(s->client, res->inv, NULL);
    fetch_start_all(f);
    while (fetch_running(f) || !ident.done) {
        bool ready;
        http_engine_step(s->http, -1, 60000, &ready);
    }
    *fetched = collect_fetch_errors(res, f);
    if (ident.err.status != VPCX_OK) {
        source_record_error(res, "CallerIdentity", "GetCallerIdentity", &ident.err);
        cli_report("CallerIdentity", &ident.err);
    }
    fill_meta(res, s, &ident);
    sts_identity_finish(&ident.id);
    vpcx_error_finish(&ident.err);
    fetch_destroy(f);
}

static enum vpcx_status load_aws(const struct cli_options *opts, struct source_result *res,
                                 struct vpcx_error *err)
{
    struct aws_session_options so;
    source_session_options(opts, &so);
    struct aws_session s;
    struct cache_place cp = {0};
    enum vpcx_status st = aws_session_resolve(&s, &so, err);
    bool have_cache = st == VPCX_OK && !opts->no_cache && cache_place_init(&cp, &s);
    if (st == VPCX_OK && opts->offline) {
        st = have_cache ? load_cached(&cp, res, err)
                        : vpcx_error_set(err, VPCX_ERR_CONFIG,
                                         "--offline needs a cache directory: set HOME or "
                                         "XDG_CACHE_HOME");
    } else if (st == VPCX_OK &&
               !(have_cache && opts->max_age >= 0 && try_fresh_cache(opts, &cp, res))) {
        st = aws_session_connect(&s, &so, err);
        if (st == VPCX_OK) {
            unsigned fetched = 0;
            fetch_all(&s, res, &fetched);
            if (have_cache && fetched)
                save_to_cache(&cp, res, fetched);
            if (have_cache && !fetched) {
                struct vpcx_error none;
                vpcx_error_init(&none);
                hint_offline(&cp, &none);
                if (none.hint)
                    fprintf(stderr, "vpcx: %s\n", none.hint);
                vpcx_error_finish(&none);
            }
        } else if (have_cache) {
            hint_offline(&cp, err);
        }
    }
    free(cp.dir);
    aws_session_close(&s);
    return st;
}

enum vpcx_status source_load(const struct cli_options *opts, struct source_result *res,
                             struct vpcx_error *err)
{
    memset(res, 0, sizeof(*res));
    res->inv = inventory_create();
    res->errors = cJSON_CreateArray();
    enum vpcx_status st;
    if (opts->demo || opts->snapshot) {
        cJSON_Delete(res->errors);
        res->errors = NULL;
        st = opts->demo
                 ? load_demo(res, err)
                 : snapshot_load_file(opts->snapshot, res->inv, &res->meta, &res->errors, err);
        if (!res->errors)
            res->errors = cJSON_CreateArray();
        res->succeeded = INV_TYPE_COUNT;
        return st;
    }
    return load_aws(opts, res, err);
}

int source_load_or_report(const struct cli_options *opts, struct source_result *res)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    int code = VPCX_EXIT_OK;
    if (source_load(opts, res, &err) != VPCX_OK) {
        code = cli_fail(&err);
        source_result_finish(res);
    }
    vpcx_error_finish(&err);
    return code;
}

int source_exit_code(const struct source_result *res)
{
    if (res->failed == 0)
        return VPCX_EXIT_OK;
    if (res->succeeded == 0) {
        enum vpcx_exit e = vpcx_status_exit(res->worst);
        return e == VPCX_EXIT_OK ? VPCX_EXIT_UNREACHABLE : (int)e;
    }
    return VPCX_EXIT_PARTIAL;
}
