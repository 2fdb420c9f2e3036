#include "vpcx/aws/session.h"

#include <string.h>

enum vpcx_status aws_session_resolve(struct aws_session *s, const struct aws_session_options *opts,
                                     struct vpcx_error *err)
{
    memset(s, 0, sizeof(*s));
    aws_settings_init(&s->settings);
    aws_credentials_init(&s->credentials);
    s->env = opts->env ? opts->env : aws_env_default();
    return aws_settings_resolve(&opts->aws, s->env, &s->settings, err);
}

/*
 * Runs inside a completion of the session's own engine: an AssumeRole on that
 * engine would step it from within itself, so the reload gets an engine of its
 * own for the few calls it makes.
 */
static enum vpcx_status session_reload(void *ud, struct aws_credentials *out,
                                       struct vpcx_error *err)
{
    struct aws_session *s = ud;
    const struct http_options hopts = {.ca_bundle = s->settings.ca_bundle.value,
                                       .allow_plain_http = s->allow_http};
    struct http_engine *own = http_engine_create(&hopts, err);
    if (!own)
        return err ? err->status : VPCX_ERR_INTERNAL;
    s->sts_ctx.http = own;
    enum vpcx_status st = aws_credentials_resolve(&s->settings, s->env, &s->sts_ops, out, err);
    s->sts_ctx.http = s->http;
    http_engine_destroy(own);
    return st;
}

enum vpcx_status aws_session_connect(struct aws_session *s, const struct aws_session_options *opts,
                                     struct vpcx_error *err)
{
    s->allow_http = opts->allow_http;
    const struct http_options hopts = {
        .ca_bundle = s->settings.ca_bundle.value,
        .allow_plain_http = opts->allow_http,
        .max_per_host = opts->max_per_host,
    };
    s->http = http_engine_create(&hopts, err);
    if (!s->http)
        return err ? err->status : VPCX_ERR_INTERNAL;
    s->roles = aws_role_cache_create();
    s->sts_ctx.http = s->http;
    s->sts_ctx.settings = &s->settings;
    sts_ops_init(&s->sts_ops, &s->sts_ctx, s->roles);
    enum vpcx_status st =
        aws_credentials_resolve(&s->settings, s->env, &s->sts_ops, &s->credentials, err);
    if (st != VPCX_OK)
        return st;
    const struct aws_client_config cfg = {
        .region = s->settings.region.value,
        .ec2_endpoint = s->settings.ec2_endpoint.value,
        .sts_endpoint = s->settings.sts_endpoint.value,
        .max_attempts = opts->max_attempts > 0 ? opts->max_attempts : s->settings.max_attempts_n,
        .credentials = &s->credentials,
        .reload = session_reload,
        .reload_ud = s,
    };
    s->client = aws_client_create(s->http, &cfg);
    return VPCX_OK;
}

void aws_session_close(struct aws_session *s)
{
    aws_client_destroy(s->client);
    http_engine_destroy(s->http);
    aws_role_cache_destroy(s->roles);
    aws_credentials_finish(&s->credentials);
    aws_settings_finish(&s->settings);
    memset(s, 0, sizeof(*s));
}
