#include "vpcx/aws/webid.h"

#include "vpcx/aws/client.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/xalloc.h"

#include <openssl/crypto.h>

#include <stdlib.h>
#include <string.h>

struct webid_fetch {
    struct http_engine *http;
    struct aws_client *client;
    bool in_flight;
    bool cancelled;
    uint64_t timer; /* delivers the answer */
    char *label;
    enum vpcx_status status;
    struct aws_credentials creds;
    struct vpcx_error err;
    credfetch_done_fn done;
    void *ud;
};

static void fetch_free(struct webid_fetch *f)
{
    aws_client_destroy(f->client);
    aws_credentials_finish(&f->creds);
    vpcx_error_finish(&f->err);
    free(f->label);
    free(f);
}

static void deliver(void *ud)
{
    struct webid_fetch *f = ud;
    f->timer = 0;
    f->done(f->ud, f->status, &f->creds, &f->err);
    fetch_free(f);
}

static void answered(void *ud, struct aws_call_result *res)
{
    struct webid_fetch *f = ud;
    f->in_flight = false;
    f->status = res->status;
    if (res->status == VPCX_OK)
        f->status =
            sts_take_role_credentials(res->result, "AssumeRoleWithWebIdentity", &f->creds, &f->err);
    else
        vpcx_error_copy(&f->err, res->error);
    if (f->status == VPCX_OK) {
        f->creds.source = AWS_SRC_WEB_IDENTITY;
        f->creds.origin = sanitize_dup(f->label, SANITIZE_ESCAPE);
    }
    /* The call touches nothing of its client after this callback. */
    if (f->cancelled) {
        fetch_free(f);
        return;
    }
    f->timer = http_engine_add_timer(f->http, 0, deliver, f);
}

struct webid_fetch *webid_start(const struct sts_assume_ctx *ctx,
                                const struct aws_fetch_request *req, credfetch_done_fn done,
                                void *ud)
{
    struct webid_fetch *f = xcalloc(1, sizeof(*f));
    f->http = ctx->http;
    f->label = xstrdup(req->label);
    f->done = done;
    f->ud = ud;
    aws_credentials_init(&f->creds);
    vpcx_error_init(&f->err);
    char *token = credfetch_read_token(req->token_file, "the web identity token file",
                                       WEBID_TOKEN_MAX, &f->err);
    if (!token) {
        f->status = f->err.status;
        f->timer = http_engine_add_timer(f->http, 0, deliver, f);
        return f;
    }
    struct aws_credentials none;
    aws_credentials_init(&none);
    const struct aws_client_config cfg = {
        .region = req->region,
        .ec2_endpoint = ctx->settings->ec2_endpoint.value,
        .sts_endpoint = ctx->settings->sts_endpoint.value,
        .max_attempts = ctx->settings->max_attempts_n,
        .credentials = &none,
    };
    f->client = aws_client_create(ctx->http, &cfg);
    struct aws_query q;
    aws_query_init(&q, NULL, NULL);
    aws_query_add(&q, "RoleArn", req->role_arn);
    aws_query_add(&q, "RoleSessionName", req->role_session_name);
    aws_query_add(&q, "WebIdentityToken", token);
    const struct aws_call_params p = {
        .service = AWS_SERVICE_STS,
        .operation = "AssumeRoleWithWebIdentity",
        .query = &q,
        .done = answered,
        .ud = f,
        .unsigned_call = true,
    };
    f->in_flight = true;
    aws_client_call(f->client, &p);
    aws_query_finish(&q);
    OPENSSL_cleanse(token, strlen(token));
    free(token);
    return f;
}

void webid_cancel(struct webid_fetch *f)
{
    if (!f)
        return;
    if (f->in_flight) {
        f->cancelled = true; /* freed when the call answers */
        return;
    }
    if (f->timer)
        http_engine_cancel(f->http, f->timer);
    fetch_free(f);
}
