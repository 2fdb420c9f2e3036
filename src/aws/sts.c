#include "vpcx/aws/sts.h"

#include "vpcx/core/xalloc.h"

#include <stdlib.h>
#include <string.h>

void sts_identity_finish(struct sts_identity *id)
{
    if (!id)
        return;
    free(id->account);
    free(id->arn);
    free(id->user_id);
    memset(id, 0, sizeof(*id));
}

static char *json_string_dup(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
}

static enum vpcx_status identity_parse(const cJSON *result, struct sts_identity *out,
                                       struct vpcx_error *err)
{
    out->account = json_string_dup(result, "Account");
    out->arn = json_string_dup(result, "Arn");
    out->user_id = json_string_dup(result, "UserId");
    if (!out->account)
        return vpcx_error_set(err, VPCX_ERR_PARSE, "GetCallerIdentity: no Account in the answer");
    return VPCX_OK;
}

enum vpcx_status sts_get_caller_identity(struct aws_client *client, struct sts_identity *out,
                                         struct vpcx_error *err)
{
    memset(out, 0, sizeof(*out));
    struct aws_query q;
    aws_query_init(&q, NULL, NULL);
    cJSON *result = NULL;
    enum vpcx_status st =
        aws_client_call_sync(client, AWS_SERVICE_STS, "GetCallerIdentity", &q, &result, err);
    aws_query_finish(&q);
    if (st != VPCX_OK)
        return st;
    st = identity_parse(result, out, err);
    cJSON_Delete(result);
    return st;
}

static void identity_call_done(void *ud, struct aws_call_result *r)
{
    struct sts_identity_call *c = ud;
    c->id = 0;
    struct sts_identity id = {0};
    struct vpcx_error err;
    vpcx_error_init(&err);
    if (r->status != VPCX_OK)
        vpcx_error_copy(&err, r->error);
    else
        identity_parse(r->result, &id, &err);
    if (err.status == VPCX_OK)
        c->done(c->ud, &id, NULL);
    else
        c->done(c->ud, NULL, &err);
    sts_identity_finish(&id);
    vpcx_error_finish(&err);
}

void sts_identity_start(struct sts_identity_call *c, struct aws_client *client,
                        sts_identity_done_fn done, void *ud)
{
    sts_identity_cancel(c);
    struct aws_query q;
    aws_query_init(&q, NULL, NULL);
    const struct aws_call_params p = {
        .service = AWS_SERVICE_STS,
        .operation = "GetCallerIdentity",
        .query = &q,
        .done = identity_call_done,
        .ud = c,
    };
    c->client = client;
    c->done = done;
    c->ud = ud;
    c->id = aws_client_call(client, &p);
    aws_query_finish(&q);
}

bool sts_identity_pending(const struct sts_identity_call *c)
{
    return c->id != 0;
}

void sts_identity_cancel(struct sts_identity_call *c)
{
    if (c->id && c->client)
        aws_client_cancel(c->client, c->id);
    c->id = 0;
}

/* Overwrites a secret string held in a cJSON tree before the tree is freed. */
static void wipe_json_string(cJSON *obj, const char *key)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (cJSON_IsString(v) && v->valuestring)
        memset(v->valuestring, 0, strlen(v->valuestring));
}

static bool has_text(const char *s)
{
    return s && *s;
}

enum vpcx_status sts_take_role_credentials(cJSON *result, const char *operation,
                                           struct aws_credentials *out, struct vpcx_error *err)
{
    cJSON *creds = cJSON_GetObjectItemCaseSensitive(result, "Credentials");
    out->access_key_id = json_string_dup(creds, "AccessKeyId");
    out->secret_access_key = json_string_dup(creds, "SecretAccessKey");
    out->session_token = json_string_dup(creds, "SessionToken");
    char *expiration = json_string_dup(creds, "Expiration");
    bool expires_ok = expiration && aws_parse_iso8601(expiration, &out->expiration);
    free(expiration);
    wipe_json_string(creds, "SecretAccessKey");
    wipe_json_string(creds, "SessionToken");
    /* An empty key would only fail later, when a request cannot be signed. */
    const char *bad = !has_text(out->access_key_id)       ? "AccessKeyId"
                      : !has_text(out->secret_access_key) ? "SecretAccessKey"
                      : !has_text(out->session_token)     ? "SessionToken"
                      : !expires_ok                       ? "Expiration"
                                                          : NULL;
    if (!bad)
        return VPCX_OK;
    aws_credentials_finish(out);
    return vpcx_error_set(err, VPCX_ERR_PARSE,
                          "%s: the answer's %s is missing, empty or not valid; no "
                          "credentials were taken from it",
                          operation, bad);
}

static struct aws_client *assume_role_client(const struct sts_assume_ctx *ctx,
                                             const struct aws_credentials *source,
                                             const char *region)
{
    const struct aws_client_config cfg = {
        .region = region,
        .ec2_endpoint = ctx->settings->ec2_endpoint.value,
        .sts_endpoint = ctx->settings->sts_endpoint.value,
        .max_attempts = ctx->settings->max_attempts_n,
        .credentials = source,
    };
    return aws_client_create(ctx->http, &cfg);
}

static void assume_role_query(struct aws_query *q, const struct aws_assume_role_params *params)
{
    aws_query_init(q, NULL, NULL);
    aws_query_add(q, "RoleArn", params->role_arn);
    aws_query_add(q, "RoleSessionName", params->role_session_name);
    aws_query_add(q, "ExternalId", params->external_id);
    if (params->duration_seconds > 0)
        aws_query_add_int(q, "DurationSeconds", params->duration_seconds);
    if (params->mfa_serial) {
        aws_query_add(q, "SerialNumber", params->mfa_serial);
        aws_query_add(q, "TokenCode", params->token_code);
    }
}

static enum vpcx_status sts_assume_role(void *ud, const struct aws_credentials *source,
                                        const struct aws_assume_role_params *params,
                                        const char *region, struct aws_credentials *out,
                                        struct vpcx_error *err)
{
    struct sts_assume_ctx *ctx = ud;
    struct aws_client *client = assume_role_client(ctx, source, region);
    struct aws_query q;
    assume_role_query(&q, params);
    cJSON *result = NULL;
    enum vpcx_status st =
        aws_client_call_sync(client, AWS_SERVICE_STS, "AssumeRole", &q, &result, err);
    aws_query_finish(&q);
    aws_client_destroy(client);
    if (st == VPCX_OK)
        st = sts_take_role_credentials(result, "AssumeRole", out, err);
    cJSON_Delete(result);
    return st;
}

void sts_ops_init(struct aws_sts_ops *ops, struct sts_assume_ctx *ctx, struct aws_role_cache *cache)
{
    memset(ops, 0, sizeof(*ops));
    ops->assume_role = sts_assume_role;
    ops->ud = ctx;
    ops->cache = cache;
}

/* ---- AssumeRole without blocking ---- */

struct sts_assume {
    struct http_engine *http;
    struct aws_client *client;
    bool in_flight; /* the call has not answered yet */
    bool cancelled;
    uint64_t timer; /* delivers the answer */
    enum vpcx_status status;
    struct aws_credentials creds;
    struct vpcx_error err;
    sts_assume_done_fn done;
    void *ud;
};

static void assume_free(struct sts_assume *a)
{
    aws_credentials_finish(&a->creds);
    vpcx_error_finish(&a->err);
    free(a);
}

static void assume_deliver(void *ud)
{
    struct sts_assume *a = ud;
    a->timer = 0;
    a->done(a->ud, a->status, &a->creds, &a->err);
    assume_free(a);
}

static void assume_answered(void *ud, struct aws_call_result *res)
{
    struct sts_assume *a = ud;
    a->in_flight = false;
    a->status = res->status;
    if (res->status == VPCX_OK)
        a->status = sts_take_role_credentials(res->result, "AssumeRole", &a->creds, &a->err);
    else
        vpcx_error_copy(&a->err, res->error);
    /* The call touches nothing of its client after this callback. */
    aws_client_destroy(a->client);
    a->client = NULL;
    if (a->cancelled)
        assume_free(a);
    else
        a->timer = http_engine_add_timer(a->http, 0, assume_deliver, a);
}

struct sts_assume *sts_assume_role_start(const struct sts_assume_ctx *ctx,
                                         const struct aws_credentials *source,
                                         const struct aws_assume_role_params *params,
                                         const char *region, sts_assume_done_fn done, void *ud)
{
    struct sts_assume *a = xcalloc(1, sizeof(*a));
    a->http = ctx->http;
    a->done = done;
    a->ud = ud;
    aws_credentials_init(&a->creds);
    vpcx_error_init(&a->err);
    a->client = assume_role_client(ctx, source, region);
    a->in_flight = true;
    struct aws_query q;
    assume_role_query(&q, params);
    const struct aws_call_params p = {
        .service = AWS_SERVICE_STS,
        .operation = "AssumeRole",
        .query = &q,
        .done = assume_answered,
        .ud = a,
    };
    aws_client_call(a->client, &p);
    aws_query_finish(&q);
    return a;
}

void sts_assume_role_cancel(struct sts_assume *a)
{
    if (!a)
        return;
    if (a->in_flight) {
        a->cancelled = true; /* freed when the call answers */
        return;
    }
    http_engine_cancel(a->http, a->timer);
    assume_free(a);
}
