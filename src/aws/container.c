#include "vpcx/aws/container.h"

#include "vpcx/core/sanitize.h"
#include "vpcx/core/xalloc.h"

#include <curl/curl.h>
#include <openssl/crypto.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TOKEN_FILE_MAX (16 * 1024)

static bool host_allowed(const char *host)
{
    static const char *const allowed[] = {"169.254.170.2", "169.254.170.23", "fd00:ec2::23",
                                          "[fd00:ec2::23]"};
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
        if (strcasecmp(host, allowed[i]) == 0)
            return true;
    return http_host_is_loopback(host);
}

bool container_url_allowed(const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    bool ok = false;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
        ok = strcasecmp(scheme, "https") == 0 ||
             (strcasecmp(scheme, "http") == 0 && host_allowed(host));
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}

enum vpcx_status container_url(const struct aws_env *env, char **url, struct vpcx_error *err)
{
    *url = NULL;
    const char *rel = aws_env_get(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    if (rel) {
        const char *base = aws_env_get(env, "VPCX_CONTAINER_CREDENTIALS_BASE");
        *url = xasprintf("%s%s%s", base ? base : CONTAINER_BASE_URL, rel[0] == '/' ? "" : "/", rel);
        return VPCX_OK;
    }
    const char *full = aws_env_get(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if (!full)
        return VPCX_OK;
    if (!container_url_allowed(full)) {
        char *f = sanitize_dup(full, SANITIZE_ESCAPE);
        vpcx_error_set(err, VPCX_ERR_CONFIG,
                       "AWS_CONTAINER_CREDENTIALS_FULL_URI %s is not allowed: use https://, or "
                       "http:// to a loopback address, 169.254.170.2, 169.254.170.23 or "
                       "[fd00:ec2::23]",
                       f);
        free(f);
        return VPCX_ERR_CONFIG;
    }
    *url = xstrdup(full);
    return VPCX_OK;
}

struct container_fetch {
    struct http_engine *engine;
    struct fetch_http *http;
    uint64_t timer; /* reports an early failure from the engine */
    char *label;
    enum vpcx_status status;
    struct vpcx_error err;
    credfetch_done_fn done;
    void *ud;
};

static void fetch_free(struct container_fetch *f)
{
    vpcx_error_finish(&f->err);
    free(f->label);
    free(f);
}

static void fetch_fail_timer(void *ud)
{
    struct container_fetch *f = ud;
    f->timer = 0;
    f->done(f->ud, f->status, NULL, &f->err);
    fetch_free(f);
}

static void fetch_answered(void *ud, const struct fetch_http_result *res)
{
    struct container_fetch *f = ud;
    f->http = NULL;
    struct aws_credentials creds;
    aws_credentials_init(&creds);
    struct vpcx_error err;
    vpcx_error_init(&err);
    enum vpcx_status st;
    if (res->status != VPCX_OK)
        st = vpcx_error_set(&err, VPCX_ERR_NO_CREDENTIALS, "%s: %s", f->label,
                            res->error ? res->error : vpcx_status_message(res->status));
    else if (res->http_status != 200)
        st = vpcx_error_set(&err,
                            res->http_status == 401 || res->http_status == 403
                                ? VPCX_ERR_AUTH
                                : VPCX_ERR_NO_CREDENTIALS,
                            "%s: HTTP %d", f->label, res->http_status);
    else
        st = credfetch_parse_json(res->body, res->len, f->label, &creds, &err);
    if (st == VPCX_OK) {
        creds.source = AWS_SRC_CONTAINER;
        creds.origin = xstrdup(f->label);
    }
    f->done(f->ud, st, &creds, &err);
    aws_credentials_finish(&creds);
    vpcx_error_finish(&err);
    fetch_free(f);
}

static bool token_ok(const char *token)
{
    return strpbrk(token, "\r\n") == NULL;
}

struct container_fetch *container_fetch_start(struct http_engine *engine,
                                              const struct aws_fetch_request *req,
                                              credfetch_done_fn done, void *ud)
{
    struct container_fetch *f = xcalloc(1, sizeof(*f));
    f->engine = engine;
    f->label = xstrdup(req->label);
    f->done = done;
    f->ud = ud;
    vpcx_error_init(&f->err);
    char *token = NULL;
    if (req->auth_token_file) {
        token = credfetch_read_token(req->auth_token_file, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                                     TOKEN_FILE_MAX, &f->err);
        if (!token)
            f->status = f->err.status;
    } else if (req->auth_token) {
        token = xstrdup(req->auth_token);
    }
    if (token && !token_ok(token))
        f->status = vpcx_error_set(&f->err, VPCX_ERR_CONFIG,
                                   "%s: the authorization token holds a line break", f->label);
    if (f->status != VPCX_OK) {
        if (token)
            OPENSSL_cleanse(token, strlen(token));
        free(token);
        f->timer = http_engine_add_timer(engine, 0, fetch_fail_timer, f);
        return f;
    }
    char *auth = token ? xasprintf("Authorization: %s", token) : NULL;
    const char *headers[] = {"Accept: application/json", auth, NULL};
    const struct http_request r = {
        .method = "GET",
        .url = req->url,
        .headers = headers,
        .timeout_ms = CONTAINER_TIMEOUT_MS,
        .plain_http_ok = container_url_allowed(req->url),
    };
    f->http = fetch_http_start(engine, &r, CREDFETCH_MAX_BODY, fetch_answered, f);
    if (auth)
        OPENSSL_cleanse(auth, strlen(auth));
    free(auth);
    if (token)
        OPENSSL_cleanse(token, strlen(token));
    free(token);
    return f;
}

void container_fetch_cancel(struct container_fetch *f)
{
    if (!f)
        return;
    fetch_http_cancel(f->http);
    if (f->timer)
        http_engine_cancel(f->engine, f->timer);
    fetch_free(f);
}
