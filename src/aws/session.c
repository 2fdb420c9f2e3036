#include "vpcx/aws/session.h"

#include "vpcx/aws/credfetch.h"
#include "vpcx/aws/credproc.h"
#include "vpcx/aws/imds.h"
#include "vpcx/aws/login.h"
#include "vpcx/aws/sso.h"
#include "vpcx/aws/xmlworker.h"
#include "vpcx/core/xalloc.h"

#include <openssl/crypto.h>

#include <stdlib.h>
#include <string.h>

/*
 * No region configured: botocore asks the instance metadata (placement/
 * region), unless it is disabled. The settings are then resolved again with
 * that region (endpoints depend on it) and the region is named as IMDS's.
 * On failure the "no region" error stays, with IMDS's reason in the hint.
 */
static enum vpcx_status region_from_imds(struct aws_session *s,
                                         const struct aws_session_options *opts,
                                         struct vpcx_error *err)
{
    struct aws_profile_view view;
    bool have_view = s->settings.profile.value &&
                     aws_settings_profile(&s->settings, s->settings.profile.value, &view);
    struct imds_config cfg;
    struct vpcx_error ierr;
    vpcx_error_init(&ierr);
    if (imds_config_resolve(s->env, have_view ? &view : NULL, &cfg, &ierr) != VPCX_OK ||
        cfg.disabled) {
        imds_config_finish(&cfg);
        vpcx_error_finish(&ierr);
        return VPCX_ERR_NO_REGION;
    }
    char *region = NULL;
    struct http_engine *http = http_engine_create(NULL, &ierr);
    if (http)
        region = imds_region_run(http, &cfg, &ierr);
    http_engine_destroy(http);
    imds_config_finish(&cfg);
    if (!region) {
        if (err && err->hint && ierr.message) {
            char *hint =
                xasprintf("%s; the instance metadata had none: %s", err->hint, ierr.message);
            free(err->hint);
            err->hint = hint;
        }
        vpcx_error_finish(&ierr);
        return VPCX_ERR_NO_REGION;
    }
    vpcx_error_finish(&ierr);
    struct aws_options aws = opts->aws;
    aws.region = region;
    aws_settings_finish(&s->settings);
    if (err) {
        vpcx_error_finish(err);
        vpcx_error_init(err);
    }
    enum vpcx_status st = aws_settings_resolve(&aws, s->env, &s->settings, err);
    s->settings.region.source = AWS_SRC_IMDS;
    free(s->settings.region.origin);
    s->settings.region.origin = xstrdup("instance metadata placement/region");
    free(region);
    return st;
}

enum vpcx_status aws_session_resolve(struct aws_session *s, const struct aws_session_options *opts,
                                     struct vpcx_error *err)
{
    memset(s, 0, sizeof(*s));
    aws_settings_init(&s->settings);
    aws_credentials_init(&s->credentials);
    s->env = opts->env ? opts->env : aws_env_default();
    enum vpcx_status st = aws_settings_resolve(&opts->aws, s->env, &s->settings, err);
    if (st == VPCX_ERR_NO_REGION)
        st = region_from_imds(s, opts, err);
    return st;
}

/*
 * A reload runs the credential chain again, without blocking: the chain runs
 * with ops whose slow steps (credential_process, AssumeRole) answer from what
 * earlier rounds fetched; the first step with no answer yet is started on
 * the session's engine (a child on the engine's wait, an ordinary STS call)
 * and the round stops there. When it finishes, its answer is kept and the
 * chain runs again, until it completes or fails. Every other step (env,
 * files, the role cache) is instant, so running it again costs nothing.
 */
#define RELOAD_MAX_ROUNDS 32

enum reload_need { NEED_NONE, NEED_PROCESS, NEED_ROLE, NEED_SSO, NEED_LOGIN, NEED_FETCH };

struct reload_answer {
    enum reload_need kind;
    char *key;
    enum vpcx_status status;
    struct aws_credentials creds;
    struct vpcx_error err;
};

/* The strings of r->fetch are the owned copies in r->fetch_str. */
enum {
    FS_LABEL,
    FS_ROLE,
    FS_SESSION,
    FS_TOKEN_FILE,
    FS_REGION,
    FS_URL,
    FS_AUTH,
    FS_AUTH_FILE,
    FS_ENDPOINT,
    FS_COUNT
};

struct session_reload {
    struct aws_session *s;
    struct aws_client *client;
    struct aws_sts_ops ops;
    struct reload_answer *answers;
    size_t n_answers;
    int rounds;
    /* the step the last round stopped at */
    enum reload_need need;
    char *need_key;
    char *command, *label;
    struct aws_credentials source;
    char *role_arn, *session_name, *external_id, *mfa_serial, *region;
    int duration_seconds;
    struct aws_sso_profile sso;
    struct aws_login_session login;
    struct aws_fetch_request fetch;
    char *fetch_str[FS_COUNT];
    struct credproc *proc;
    struct sts_assume *sts;
    struct aws_sso_fetch *sso_fetch;
    struct aws_login_refresh *login_refresh;
    struct credfetch *fetcher;
};

static void answer_finish(struct reload_answer *a)
{
    free(a->key);
    aws_credentials_finish(&a->creds);
    vpcx_error_finish(&a->err);
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void fetch_request_free(struct session_reload *r)
{
    if (r->fetch_str[FS_AUTH])
        OPENSSL_cleanse(r->fetch_str[FS_AUTH], strlen(r->fetch_str[FS_AUTH]));
    for (int i = 0; i < FS_COUNT; i++) {
        free(r->fetch_str[i]);
        r->fetch_str[i] = NULL;
    }
    memset(&r->fetch, 0, sizeof(r->fetch));
}

static void need_clear(struct session_reload *r)
{
    r->need = NEED_NONE;
    fetch_request_free(r);
    free(r->need_key);
    free(r->command);
    free(r->label);
    free(r->role_arn);
    free(r->session_name);
    free(r->external_id);
    free(r->mfa_serial);
    free(r->region);
    r->need_key = r->command = r->label = NULL;
    r->role_arn = r->session_name = r->external_id = r->mfa_serial = r->region = NULL;
    aws_credentials_finish(&r->source);
    aws_sso_profile_finish(&r->sso);
    aws_login_session_finish(&r->login);
}

/* Forgets everything of the last reload; stops what still runs. */
static void reload_reset(struct session_reload *r)
{
    credproc_cancel(r->proc);
    sts_assume_role_cancel(r->sts);
    aws_sso_fetch_cancel(r->sso_fetch);
    aws_login_refresh_cancel(r->login_refresh);
    credfetch_cancel(r->fetcher);
    r->login_refresh = NULL;
    r->proc = NULL;
    r->sts = NULL;
    r->sso_fetch = NULL;
    r->fetcher = NULL;
    need_clear(r);
    for (size_t i = 0; i < r->n_answers; i++)
        answer_finish(&r->answers[i]);
    free(r->answers);
    r->answers = NULL;
    r->n_answers = 0;
    r->rounds = 0;
    r->client = NULL;
}

static const struct reload_answer *answer_find(const struct session_reload *r,
                                               enum reload_need kind, const char *key)
{
    for (size_t i = 0; i < r->n_answers; i++) {
        if (r->answers[i].kind == kind && strcmp(r->answers[i].key, key) == 0)
            return &r->answers[i];
    }
    return NULL;
}

/* What a step answers in a round: the kept answer, or "not yet". */
static enum vpcx_status answer_or_need(struct session_reload *r, enum reload_need kind, char *key,
                                       struct aws_credentials *out, struct vpcx_error *err)
{
    const struct reload_answer *a = answer_find(r, kind, key);
    if (!a) {
        r->need = kind;
        r->need_key = key;
        return vpcx_error_set(err, VPCX_ERR_CANCELLED, "credential reload in progress");
    }
    free(key);
    if (a->status == VPCX_OK) {
        aws_credentials_copy(out, &a->creds);
        return VPCX_OK;
    }
    vpcx_error_copy(err, &a->err);
    return a->status;
}

static enum vpcx_status replay_process(void *ud, const char *command, const char *label,
                                       struct aws_credentials *out, struct vpcx_error *err)
{
    struct session_reload *r = ud;
    enum vpcx_status st = answer_or_need(r, NEED_PROCESS, xstrdup(command), out, err);
    if (r->need == NEED_PROCESS && !r->command) {
        r->command = xstrdup(command);
        r->label = xstrdup(label);
    }
    return st;
}

/* The session name is left out: by default it holds the time of the round. */
static char *role_key(const struct aws_credentials *source, const struct aws_assume_role_params *p,
                      const char *region)
{
    return xasprintf("%s\n%s\n%s\n%d\n%s\n%s", p->role_arn ? p->role_arn : "",
                     source->access_key_id ? source->access_key_id : "",
                     p->external_id ? p->external_id : "", p->duration_seconds,
                     p->mfa_serial ? p->mfa_serial : "", region ? region : "");
}

static enum vpcx_status replay_role(void *ud, const struct aws_credentials *source,
                                    const struct aws_assume_role_params *params, const char *region,
                                    struct aws_credentials *out, struct vpcx_error *err)
{
    struct session_reload *r = ud;
    enum vpcx_status st = answer_or_need(r, NEED_ROLE, role_key(source, params, region), out, err);
    if (r->need == NEED_ROLE && !r->role_arn) {
        aws_credentials_copy(&r->source, source);
        r->role_arn = dup_or_null(params->role_arn);
        r->session_name = dup_or_null(params->role_session_name);
        r->external_id = dup_or_null(params->external_id);
        r->duration_seconds = params->duration_seconds;
        r->mfa_serial = dup_or_null(params->mfa_serial);
        r->region = dup_or_null(region);
    }
    return st;
}

static enum vpcx_status replay_sso(void *ud, const struct aws_sso_profile *p,
                                   struct aws_credentials *out, struct vpcx_error *err)
{
    struct session_reload *r = ud;
    char *key = xasprintf("%s\n%s\n%s", aws_sso_profile_key(p), p->account_id, p->role_name);
    enum vpcx_status st = answer_or_need(r, NEED_SSO, key, out, err);
    if (r->need == NEED_SSO && !r->sso.profile)
        aws_sso_profile_copy(&r->sso, p);
    return st;
}

static enum vpcx_status replay_login(void *ud, const struct aws_login_session *ls,
                                     struct aws_credentials *out, struct vpcx_error *err)
{
    struct session_reload *r = ud;
    enum vpcx_status st = answer_or_need(r, NEED_LOGIN, xstrdup(ls->path), out, err);
    if (r->need == NEED_LOGIN && !r->login.path)
        aws_login_session_copy(&r->login, ls);
    return st;
}

/* The session name is left out: by default it holds the time of the round. */
static char *fetch_key(const struct aws_fetch_request *q)
{
    return xasprintf("%d\n%s\n%s\n%s\n%s\n%s\n%d", (int)q->kind, q->label ? q->label : "",
                     q->role_arn ? q->role_arn : "", q->url ? q->url : "",
                     q->endpoint ? q->endpoint : "", q->region ? q->region : "", q->v1_disabled);
}

static enum vpcx_status replay_fetch(void *ud, const struct aws_fetch_request *req,
                                     struct aws_credentials *out, struct vpcx_error *err)
{
    struct session_reload *r = ud;
    enum vpcx_status st = answer_or_need(r, NEED_FETCH, fetch_key(req), out, err);
    if (r->need == NEED_FETCH && !r->fetch.label) {
        const char *from[FS_COUNT] = {
            [FS_LABEL] = req->label,
            [FS_ROLE] = req->role_arn,
            [FS_SESSION] = req->role_session_name,
            [FS_TOKEN_FILE] = req->token_file,
            [FS_REGION] = req->region,
            [FS_URL] = req->url,
            [FS_AUTH] = req->auth_token,
            [FS_AUTH_FILE] = req->auth_token_file,
            [FS_ENDPOINT] = req->endpoint,
        };
        for (int i = 0; i < FS_COUNT; i++)
            r->fetch_str[i] = dup_or_null(from[i]);
        char **f = r->fetch_str;
        r->fetch = (struct aws_fetch_request){
            .kind = req->kind,
            .label = f[FS_LABEL],
            .role_arn = f[FS_ROLE],
            .role_session_name = f[FS_SESSION],
            .token_file = f[FS_TOKEN_FILE],
            .region = f[FS_REGION],
            .url = f[FS_URL],
            .auth_token = f[FS_AUTH],
            .auth_token_file = f[FS_AUTH_FILE],
            .endpoint = f[FS_ENDPOINT],
            .v1_disabled = req->v1_disabled,
        };
    }
    return st;
}

static void reload_round(struct session_reload *r);

static void reload_keep(struct session_reload *r, enum vpcx_status status,
                        const struct aws_credentials *creds, const struct vpcx_error *err)
{
    r->answers = xreallocarray(r->answers, r->n_answers + 1, sizeof(*r->answers));
    struct reload_answer *a = &r->answers[r->n_answers++];
    memset(a, 0, sizeof(*a));
    a->kind = r->need;
    a->key = r->need_key;
    r->need_key = NULL;
    a->status = status;
    aws_credentials_init(&a->creds);
    vpcx_error_init(&a->err);
    if (status == VPCX_OK)
        aws_credentials_copy(&a->creds, creds);
    else if (err)
        vpcx_error_copy(&a->err, err);
    need_clear(r);
    reload_round(r);
}

static void reload_process_done(void *ud, enum vpcx_status status, const struct strbuf *out,
                                const struct vpcx_error *err)
{
    struct session_reload *r = ud;
    r->proc = NULL;
    struct aws_credentials creds;
    aws_credentials_init(&creds);
    struct vpcx_error perr;
    vpcx_error_init(&perr);
    if (status == VPCX_OK)
        status = aws_credentials_from_process_output(out->buf, out->len, r->label, &creds, &perr);
    reload_keep(r, status, &creds, err && err->status != VPCX_OK ? err : &perr);
    aws_credentials_finish(&creds);
    vpcx_error_finish(&perr);
}

static void reload_role_done(void *ud, enum vpcx_status status, const struct aws_credentials *creds,
                             const struct vpcx_error *err)
{
    struct session_reload *r = ud;
    r->sts = NULL;
    reload_keep(r, status, creds, err);
}

static void reload_sso_done(void *ud, enum vpcx_status status, const struct aws_credentials *creds,
                            const struct vpcx_error *err)
{
    struct session_reload *r = ud;
    r->sso_fetch = NULL;
    reload_keep(r, status, creds, err);
}

static void reload_login_done(void *ud, enum vpcx_status status,
                              const struct aws_credentials *creds, const struct vpcx_error *err)
{
    struct session_reload *r = ud;
    r->login_refresh = NULL;
    reload_keep(r, status, creds, err);
}

static void reload_fetch_done(void *ud, enum vpcx_status status,
                              const struct aws_credentials *creds, const struct vpcx_error *err)
{
    struct session_reload *r = ud;
    r->fetcher = NULL;
    reload_keep(r, status, creds, err);
}

static void reload_start_need(struct session_reload *r)
{
    if (r->need == NEED_LOGIN) {
        r->login_refresh = aws_login_refresh_start(r->s->http, &r->login, reload_login_done, r);
        return;
    }
    if (r->need == NEED_SSO) {
        r->sso_fetch = aws_sso_fetch_start(r->s->http, &r->sso, reload_sso_done, r);
        return;
    }
    if (r->need == NEED_FETCH) {
        r->fetcher = credfetch_start(&r->s->sts_ctx, &r->fetch, reload_fetch_done, r);
        return;
    }
    if (r->need == NEED_PROCESS) {
        r->proc = credproc_start(r->s->http, r->command, r->label, AWS_PROCESS_TIMEOUT_MS,
                                 AWS_PROCESS_MAX_OUTPUT, reload_process_done, r);
        return;
    }
    const struct sts_assume_ctx ctx = {.http = r->s->http, .settings = &r->s->settings};
    /* No MFA code: the chain's ops have no prompt, so such a role failed earlier. */
    const struct aws_assume_role_params params = {
        .role_arn = r->role_arn,
        .role_session_name = r->session_name,
        .external_id = r->external_id,
        .duration_seconds = r->duration_seconds,
        .mfa_serial = r->mfa_serial,
    };
    r->sts = sts_assume_role_start(&ctx, &r->source, &params, r->region, reload_role_done, r);
}

/* Runs the chain once more: it completes, fails, or stops at a step to fetch. */
static void reload_round(struct session_reload *r)
{
    struct aws_credentials out;
    struct vpcx_error err;
    vpcx_error_init(&err);
    enum vpcx_status st = aws_credentials_resolve(&r->s->settings, r->s->env, &r->ops, &out, &err);
    if (r->need != NEED_NONE && ++r->rounds <= RELOAD_MAX_ROUNDS) {
        aws_credentials_finish(&out);
        vpcx_error_finish(&err);
        reload_start_need(r);
        return;
    }
    if (r->need != NEED_NONE)
        st = vpcx_error_set(&err, VPCX_ERR_INTERNAL, "the credential chain does not settle");
    struct aws_client *client = r->client;
    reload_reset(r);
    aws_client_reloaded(client, st, &out, &err);
    aws_credentials_finish(&out);
    vpcx_error_finish(&err);
}

static void session_reload_start(void *ud, struct aws_client *client)
{
    struct session_reload *r = ud;
    reload_reset(r);
    r->client = client;
    /* AWS just refused what the cache holds: every role is assumed again. */
    aws_role_cache_clear(r->s->roles);
    reload_round(r);
}

static void session_reload_cancel(void *ud)
{
    reload_reset(ud);
}

/* At start-up: IAM Identity Center on the session's engine, blocking. */
static enum vpcx_status session_sso(void *ud, const struct aws_sso_profile *p,
                                    struct aws_credentials *out, struct vpcx_error *err)
{
    const struct sts_assume_ctx *ctx = ud;
    return aws_sso_fetch_sync(ctx->http, p, out, err);
}

/* At start-up: an `aws login` session's refresh, blocking. */
static enum vpcx_status session_login(void *ud, const struct aws_login_session *ls,
                                      struct aws_credentials *out, struct vpcx_error *err)
{
    const struct sts_assume_ctx *ctx = ud;
    return aws_login_refresh_sync(ctx->http, ls, out, err);
}

/* Start-up: the engine runs until the fetch is done (before any screen). */
static enum vpcx_status fetch_blocking(void *ud, const struct aws_fetch_request *req,
                                       struct aws_credentials *out, struct vpcx_error *err)
{
    return credfetch_run(ud, req, out, err);
}

enum vpcx_status aws_session_connect(struct aws_session *s, const struct aws_session_options *opts,
                                     struct vpcx_error *err)
{
    s->allow_http = opts->allow_http;
    const struct http_options hopts = {
        .ca_bundle = s->settings.ca_bundle.value,
        .allow_plain_http = opts->allow_http,
        .max_per_host = opts->max_per_host,
        .max_total = opts->max_total,
    };
    s->owns_http = !opts->shared_http;
    s->http = opts->shared_http ? opts->shared_http : http_engine_create(&hopts, err);
    if (!s->http)
        return err ? err->status : VPCX_ERR_INTERNAL;
    s->owns_parse_worker = !opts->shared_parse_worker;
    s->parse_worker =
        opts->shared_parse_worker ? opts->shared_parse_worker : xmlworker_create_auto(s->http);
    s->roles = aws_role_cache_create();
    s->sts_ctx.http = s->http;
    s->sts_ctx.settings = &s->settings;
    sts_ops_init(&s->sts_ops, &s->sts_ctx, s->roles);
    s->sts_ops.sso_credentials = session_sso;
    s->sts_ops.login_refresh = session_login;
    s->sts_ops.fetch = fetch_blocking;
    s->sts_ops.prompt_mfa = opts->prompt_mfa;
    s->sts_ops.prompt_ud = opts->prompt_ud;
    s->reload = xcalloc(1, sizeof(*s->reload));
    s->reload->s = s;
    s->reload->ops = (struct aws_sts_ops){
        .assume_role = replay_role,
        .run_process = replay_process,
        .sso_credentials = replay_sso,
        .login_refresh = replay_login,
        .fetch = replay_fetch,
        .ud = s->reload,
        .cache = s->roles,
    };
    enum vpcx_status st =
        aws_credentials_resolve(&s->settings, s->env, &s->sts_ops, &s->credentials, err);
    if (st != VPCX_OK)
        return st;
    enum retry_mode mode = RETRY_MODE_STANDARD;
    retry_mode_parse(s->settings.retry_mode.value, &mode); /* checked by the settings */
    const struct aws_client_config cfg = {
        .retry_mode = mode,
        .region = s->settings.region.value,
        .ec2_endpoint = s->settings.ec2_endpoint.value,
        .sts_endpoint = s->settings.sts_endpoint.value,
        .monitoring_endpoint = s->settings.monitoring_endpoint.value,
        .max_attempts = opts->max_attempts > 0 ? opts->max_attempts : s->settings.max_attempts_n,
        .credentials = &s->credentials,
        .reloader = {.start = session_reload_start,
                     .cancel = session_reload_cancel,
                     .ud = s->reload},
        .parse_worker = s->parse_worker,
    };
    s->client = aws_client_create(s->http, &cfg);
    return VPCX_OK;
}

void aws_session_close(struct aws_session *s)
{
    aws_client_destroy(s->client);
    if (s->reload)
        reload_reset(s->reload);
    free(s->reload);
    if (s->owns_parse_worker)
        xmlworker_destroy(s->parse_worker);
    if (s->owns_http)
        http_engine_destroy(s->http);
    aws_role_cache_destroy(s->roles);
    aws_credentials_finish(&s->credentials);
    aws_settings_finish(&s->settings);
    memset(s, 0, sizeof(*s));
}
