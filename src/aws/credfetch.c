#include "vpcx/aws/credfetch.h"

#include "vpcx/aws/container.h"
#include "vpcx/aws/imds.h"
#include "vpcx/aws/webid.h"
#include "vpcx/core/fileio.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include <stdlib.h>
#include <string.h>

/* ---- the credentials document ---- */

static const char *json_text(const cJSON *root, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, name);
    return cJSON_IsString(v) && v->valuestring && *v->valuestring ? v->valuestring : NULL;
}

static void json_wipe(cJSON *node)
{
    for (; node; node = node->next) {
        if (node->valuestring)
            OPENSSL_cleanse(node->valuestring, strlen(node->valuestring));
        json_wipe(node->child);
    }
}

static enum vpcx_status parse_fields(const cJSON *root, const char *label,
                                     struct aws_credentials *out, struct vpcx_error *err)
{
    const char *code = json_text(root, "Code");
    if (code && strcmp(code, "Success") != 0) {
        char *c = sanitize_dup(code, SANITIZE_ESCAPE);
        vpcx_error_set(err, VPCX_ERR_NO_CREDENTIALS, "%s: the service answered Code %s", label, c);
        free(c);
        return VPCX_ERR_NO_CREDENTIALS;
    }
    const char *akid = json_text(root, "AccessKeyId");
    const char *secret = json_text(root, "SecretAccessKey");
    const char *token = json_text(root, "Token");
    const char *expiration = json_text(root, "Expiration");
    time_t exp = 0;
    const char *bad = !akid                                  ? "AccessKeyId"
                      : !secret                              ? "SecretAccessKey"
                      : !token                               ? "Token"
                      : !expiration                          ? "Expiration"
                      : !aws_parse_iso8601(expiration, &exp) ? "Expiration"
                                                             : NULL;
    if (bad) {
        const char *msg = json_text(root, "message");
        char *m = msg ? sanitize_dup(msg, SANITIZE_SPACE) : NULL;
        vpcx_error_set(err, VPCX_ERR_PARSE,
                       "%s: the answer's %s is missing, empty or not valid%s%s", label, bad,
                       m ? "; it says: " : "", m ? m : "");
        free(m);
        return VPCX_ERR_PARSE;
    }
    aws_credentials_finish(out);
    out->access_key_id = xstrdup(akid);
    out->secret_access_key = xstrdup(secret);
    out->session_token = xstrdup(token);
    out->expiration = exp;
    return VPCX_OK;
}

enum vpcx_status credfetch_parse_json(const char *body, size_t len, const char *label,
                                      struct aws_credentials *out, struct vpcx_error *err)
{
    cJSON *root = cJSON_ParseWithLength(body, len);
    enum vpcx_status st;
    if (cJSON_IsObject(root))
        st = parse_fields(root, label, out, err);
    else
        st = vpcx_error_set(err, VPCX_ERR_PARSE, "%s: the answer is not a JSON object", label);
    json_wipe(root);
    cJSON_Delete(root);
    return st;
}

char *credfetch_read_token(const char *path, const char *what, size_t max, struct vpcx_error *err)
{
    struct strbuf sb;
    strbuf_init(&sb, 0);
    struct vpcx_error ferr;
    vpcx_error_init(&ferr);
    if (file_read_all(path, max, &sb, &ferr) != VPCX_OK) {
        vpcx_error_set(err, ferr.status, "%s: %s", what,
                       ferr.message ? ferr.message : vpcx_status_message(ferr.status));
        vpcx_error_finish(&ferr);
        if (sb.alloc)
            OPENSSL_cleanse(sb.buf, sb.alloc);
        strbuf_release(&sb);
        return NULL;
    }
    strbuf_addstr(&sb, "");
    strbuf_trim(&sb);
    if (sb.len == 0 || strlen(sb.buf) != sb.len) {
        char *p = sanitize_dup(path, SANITIZE_ESCAPE);
        vpcx_error_set(err, VPCX_ERR_CONFIG, "%s: %s is %s", what, p,
                       sb.len ? "not text (it holds a NUL byte)" : "empty");
        free(p);
        if (sb.alloc)
            OPENSSL_cleanse(sb.buf, sb.alloc);
        strbuf_release(&sb);
        return NULL;
    }
    return strbuf_detach(&sb, NULL);
}

/* ---- one bounded request ---- */

struct fetch_http {
    struct http_engine *engine;
    uint64_t id;
    struct strbuf body;
    size_t max;
    bool too_big;
    fetch_http_fn fn;
    void *ud;
};

static void fetch_http_free(struct fetch_http *f)
{
    if (f->body.alloc)
        OPENSSL_cleanse(f->body.buf, f->body.alloc);
    strbuf_release(&f->body);
    free(f);
}

static bool fetch_http_data(void *ud, const char *data, size_t len, int http_status)
{
    (void)http_status;
    struct fetch_http *f = ud;
    if (!strbuf_add_bounded(&f->body, data, len, f->max))
        f->too_big = true;
    return !f->too_big;
}

static void fetch_http_done(void *ud, const struct http_result *r)
{
    struct fetch_http *f = ud;
    strbuf_addstr(&f->body, "");
    const struct fetch_http_result res = {
        .status = f->too_big ? VPCX_ERR_TOO_LARGE : r->status,
        .http_status = r->http_status,
        .error = f->too_big ? "the answer is too large" : r->error,
        .body = f->body.buf ? f->body.buf : "",
        .len = f->body.len,
    };
    f->fn(f->ud, &res);
    fetch_http_free(f);
}

struct fetch_http *fetch_http_start(struct http_engine *engine, const struct http_request *req,
                                    size_t max, fetch_http_fn fn, void *ud)
{
    struct fetch_http *f = xcalloc(1, sizeof(*f));
    f->engine = engine;
    f->max = max;
    f->fn = fn;
    f->ud = ud;
    strbuf_init(&f->body, 0);
    struct http_request r = *req;
    r.on_data = fetch_http_data;
    r.on_done = fetch_http_done;
    r.ud = f;
    f->id = http_engine_submit(engine, &r);
    return f;
}

void fetch_http_cancel(struct fetch_http *f)
{
    if (!f)
        return;
    http_engine_cancel(f->engine, f->id);
    fetch_http_free(f);
}

/* ---- dispatch ---- */

struct credfetch {
    enum aws_fetch_kind kind;
    union {
        struct webid_fetch *webid;
        struct container_fetch *container;
        struct imds_fetch *imds;
    } u;
    credfetch_done_fn done;
    void *ud;
};

static void credfetch_done(void *ud, enum vpcx_status status, const struct aws_credentials *creds,
                           const struct vpcx_error *err)
{
    struct credfetch *f = ud;
    f->done(f->ud, status, creds, err);
    free(f);
}

static void imds_creds_done(void *ud, enum vpcx_status status, const struct aws_credentials *creds,
                            const char *region, const struct vpcx_error *err)
{
    (void)region;
    credfetch_done(ud, status, creds, err);
}

struct credfetch *credfetch_start(const struct sts_assume_ctx *ctx,
                                  const struct aws_fetch_request *req, credfetch_done_fn done,
                                  void *ud)
{
    struct credfetch *f = xcalloc(1, sizeof(*f));
    f->kind = req->kind;
    f->done = done;
    f->ud = ud;
    switch (req->kind) {
    case AWS_FETCH_WEB_IDENTITY:
        f->u.webid = webid_start(ctx, req, credfetch_done, f);
        break;
    case AWS_FETCH_CONTAINER:
        f->u.container = container_fetch_start(ctx->http, req, credfetch_done, f);
        break;
    case AWS_FETCH_IMDS:
        f->u.imds = imds_fetch_start(ctx->http, req->endpoint, req->v1_disabled, IMDS_CREDENTIALS,
                                     imds_creds_done, f);
        break;
    }
    return f;
}

void credfetch_cancel(struct credfetch *f)
{
    if (!f)
        return;
    switch (f->kind) {
    case AWS_FETCH_WEB_IDENTITY:
        webid_cancel(f->u.webid);
        break;
    case AWS_FETCH_CONTAINER:
        container_fetch_cancel(f->u.container);
        break;
    case AWS_FETCH_IMDS:
        imds_fetch_cancel(f->u.imds);
        break;
    }
    free(f);
}

struct run_state {
    bool done;
    enum vpcx_status status;
    struct aws_credentials *out;
    struct vpcx_error *err;
};

static void run_done(void *ud, enum vpcx_status status, const struct aws_credentials *creds,
                     const struct vpcx_error *err)
{
    struct run_state *r = ud;
    r->done = true;
    r->status = status;
    if (status == VPCX_OK)
        aws_credentials_copy(r->out, creds);
    else if (r->err && err)
        vpcx_error_copy(r->err, err);
    else
        vpcx_error_set(r->err, status, "%s", vpcx_status_message(status));
}

enum vpcx_status credfetch_run(const struct sts_assume_ctx *ctx,
                               const struct aws_fetch_request *req, struct aws_credentials *out,
                               struct vpcx_error *err)
{
    struct run_state r = {.out = out, .err = err};
    struct credfetch *f = credfetch_start(ctx, req, run_done, &r);
    while (!r.done) {
        if (http_engine_step(ctx->http, -1, -1, NULL) != VPCX_OK) {
            credfetch_cancel(f);
            return vpcx_error_set(err, VPCX_ERR_INTERNAL, "%s: the HTTP engine failed", req->label);
        }
    }
    return r.status;
}
