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
    out->account = json_string_dup(result, "Account");
    out->arn = json_string_dup(result, "Arn");
    out->user_id = json_string_dup(result, "UserId");
    cJSON_Delete(result);
    if (!out->account)
        return vpcx_error_set(err, VPCX_ERR_PARSE, "GetCallerIdentity: no Account in the answer");
    return VPCX_OK;
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

static enum vpcx_status take_role_credentials(cJSON *result, struct aws_credentials *out,
                                              struct vpcx_error *err)
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
                          "AssumeRole: the answer's %s is missing, empty or not valid; no "
                          "credentials were taken from it",
                          bad);
}

static enum vpcx_status sts_assume_role(void *ud, const struct aws_credentials *source,
                                        const struct aws_assume_role_params *params,
                                        const char *region, struct aws_credentials *out,
                                        struct vpcx_error *err)
{
    struct sts_assume_ctx *ctx = ud;
    const struct aws_client_config cfg = {
        .region = region,
        .ec2_endpoint = ctx->settings->ec2_endpoint.value,
        .sts_endpoint = ctx->settings->sts_endpoint.value,
        .max_attempts = ctx->settings->max_attempts_n,
        .credentials = source,
    };
    struct aws_client *client = aws_client_create(ctx->http, &cfg);
    struct aws_query q;
    aws_query_init(&q, NULL, NULL);
    aws_query_add(&q, "RoleArn", params->role_arn);
    aws_query_add(&q, "RoleSessionName", params->role_session_name);
    aws_query_add(&q, "ExternalId", params->external_id);
    if (params->duration_seconds > 0)
        aws_query_add_int(&q, "DurationSeconds", params->duration_seconds);
    if (params->mfa_serial) {
        aws_query_add(&q, "SerialNumber", params->mfa_serial);
        aws_query_add(&q, "TokenCode", params->token_code);
    }
    cJSON *result = NULL;
    enum vpcx_status st =
        aws_client_call_sync(client, AWS_SERVICE_STS, "AssumeRole", &q, &result, err);
    aws_query_finish(&q);
    aws_client_destroy(client);
    if (st == VPCX_OK)
        st = take_role_credentials(result, out, err);
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
