#include "vpcx/aws/imds.h"

#include "vpcx/core/sanitize.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <openssl/crypto.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PATH_TOKEN  "/latest/api/token"
#define PATH_ROLES  "/latest/meta-data/iam/security-credentials/"
#define PATH_REGION "/latest/meta-data/placement/region"

/* ---- settings ---- */

static const char *setting(const struct aws_env *env, const struct aws_profile_view *view,
                           const char *var, const char *key)
{
    const char *v = aws_env_get(env, var);
    if (!v && view) {
        v = aws_profile_get(view, key);
        if (v && !*v)
            v = NULL;
    }
    return v;
}

static bool is_true(const char *v)
{
    return v && strcasecmp(v, "true") == 0;
}

enum vpcx_status imds_config_resolve(const struct aws_env *env, const struct aws_profile_view *view,
                                     struct imds_config *out, struct vpcx_error *err)
{
    memset(out, 0, sizeof(*out));
    out->disabled = is_true(aws_env_get(env, "AWS_EC2_METADATA_DISABLED"));
    out->v1_disabled =
        is_true(setting(env, view, "AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled"));
    const char *endpoint =
        setting(env, view, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint");
    if (endpoint) {
        if (strncasecmp(endpoint, "http://", 7) != 0 && strncasecmp(endpoint, "https://", 8) != 0) {
            char *e = sanitize_dup(endpoint, SANITIZE_ESCAPE);
            vpcx_error_set(err, VPCX_ERR_CONFIG,
                           "the instance metadata endpoint %s is not an http:// or https:// URL",
                           e);
            free(e);
            return VPCX_ERR_CONFIG;
        }
        out->endpoint = xstrdup(endpoint);
        size_t n = strlen(out->endpoint);
        while (n > 0 && out->endpoint[n - 1] == '/')
            out->endpoint[--n] = '\0';
        return VPCX_OK;
    }
    const char *mode = setting(env, view, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
                               "ec2_metadata_service_endpoint_mode");
    if (!mode || strcasecmp(mode, "ipv4") == 0) {
        out->endpoint = xstrdup(IMDS_ENDPOINT_IPV4);
    } else if (strcasecmp(mode, "ipv6") == 0) {
        out->endpoint = xstrdup(IMDS_ENDPOINT_IPV6);
    } else {
        char *m = sanitize_dup(mode, SANITIZE_ESCAPE);
        vpcx_error_set(err, VPCX_ERR_CONFIG,
                       "the instance metadata endpoint mode '%s' is not valid (use IPv4 or IPv6)",
                       m);
        free(m);
        return VPCX_ERR_CONFIG;
    }
    return VPCX_OK;
}

void imds_config_finish(struct imds_config *c)
{
    free(c->endpoint);
    memset(c, 0, sizeof(*c));
}

char *imds_role_name(const char *listing)
{
    size_t start = strspn(listing, " \t\r\n");
    size_t n = strcspn(listing + start, "\r\n");
    while (n > 0 && isspace((unsigned char)listing[start + n - 1]))
        n--;
    if (n == 0 || n > 64)
        return NULL;
    /* IAM role names: letters, digits and +=,.@_- ; anything else would
       change the path it is put into. */
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)listing[start + i];
        if (!isalnum(ch) && !strchr("+=,.@_-", ch))
            return NULL;
    }
    return xstrndup(listing + start, n);
}

/* ---- fetching ---- */

enum step { STEP_TOKEN, STEP_ROLE, STEP_CREDS, STEP_REGION };

struct imds_fetch {
    struct http_engine *engine;
    char *endpoint;
    bool v1_disabled;
    enum imds_want want;
    enum step step;
    char *token; /* secret; NULL: IMDSv1 */
    char *role;
    struct fetch_http *http;
    imds_done_fn done;
    void *ud;
};

static void fetch_free(struct imds_fetch *f)
{
    if (f->token)
        OPENSSL_cleanse(f->token, strlen(f->token));
    free(f->token);
    free(f->role);
    free(f->endpoint);
    free(f);
}

static void step_answered(void *ud, const struct fetch_http_result *res);

static void step_send(struct imds_fetch *f, const char *method, const char *path)
{
    char *url = xasprintf("%s%s", f->endpoint, path);
    char *h = f->step == STEP_TOKEN
                  ? xasprintf("X-aws-ec2-metadata-token-ttl-seconds: %d", IMDS_TOKEN_TTL_S)
              : f->token ? xasprintf("X-aws-ec2-metadata-token: %s", f->token)
                         : NULL;
    const char *headers[] = {h, NULL};
    const struct http_request r = {
        .method = method,
        .url = url,
        .headers = headers,
        .timeout_ms = IMDS_TIMEOUT_MS,
        .plain_http_ok = true, /* the metadata service speaks plain HTTP */
    };
    f->http = fetch_http_start(f->engine, &r, CREDFETCH_MAX_BODY, step_answered, f);
    if (h)
        OPENSSL_cleanse(h, strlen(h));
    free(h);
    free(url);
}

static void finish(struct imds_fetch *f, enum vpcx_status st, const struct aws_credentials *creds,
                   const char *region, struct vpcx_error *err)
{
    f->done(f->ud, st, creds, region, err);
    vpcx_error_finish(err);
    fetch_free(f);
}

/* what: the failure; detail (untrusted, sanitised) is appended in brackets. */
static void fail(struct imds_fetch *f, enum vpcx_status st, const char *what, const char *detail)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    char *d = detail ? sanitize_dup(detail, SANITIZE_SPACE) : NULL;
    char *ep = sanitize_dup(f->endpoint, SANITIZE_ESCAPE);
    vpcx_error_set(&err, st, "instance metadata service %s: %s%s%s%s", ep, what, d ? " (" : "",
                   d ? d : "", d ? ")" : "");
    free(ep);
    free(d);
    finish(f, st, NULL, NULL, &err);
}

static const char *transport_text(const struct fetch_http_result *res)
{
    return res->error ? res->error : vpcx_status_message(res->status);
}

static void after_token(struct imds_fetch *f, const struct fetch_http_result *res)
{
    if (res->status == VPCX_OK && res->http_status == 200) {
        struct strbuf t;
        strbuf_init(&t, res->len + 1);
        strbuf_add(&t, res->body, res->len);
        strbuf_trim(&t);
        if (t.len && !strpbrk(t.buf, "\r\n"))
            f->token = strbuf_detach(&t, NULL);
        else
            strbuf_release(&t);
    }
    if (!f->token && res->status == VPCX_OK && res->http_status == 400) {
        fail(f, VPCX_ERR_NO_CREDENTIALS, "the token request was refused as malformed (HTTP 400)",
             NULL);
        return;
    }
    if (!f->token && f->v1_disabled) {
        char *why = res->status != VPCX_OK ? xstrdup(transport_text(res))
                                           : xasprintf("HTTP %d", res->http_status);
        fail(f, VPCX_ERR_NO_CREDENTIALS,
             "no IMDSv2 token and IMDSv1 is disabled (AWS_EC2_METADATA_V1_DISABLED)", why);
        free(why);
        return;
    }
    f->step = f->want == IMDS_REGION ? STEP_REGION : STEP_ROLE;
    step_send(f, "GET", f->want == IMDS_REGION ? PATH_REGION : PATH_ROLES);
}

/* A failed GET: transport error, or an HTTP status. */
static bool get_failed(struct imds_fetch *f, const struct fetch_http_result *res, const char *what)
{
    if (res->status == VPCX_OK && res->http_status == 200)
        return false;
    char *why = res->status != VPCX_OK ? xasprintf("%s: %s", what, transport_text(res))
                : res->http_status == 404 && f->step == STEP_ROLE
                    ? xasprintf("no IAM role is attached to this instance (%s: HTTP 404)", what)
                : res->http_status == 401
                    ? xasprintf("%s: HTTP 401 (the %s)", what,
                                f->token ? "IMDSv2 token was refused" : "service requires IMDSv2")
                    : xasprintf("%s: HTTP %d", what, res->http_status);
    fail(f, VPCX_ERR_NO_CREDENTIALS, why, NULL);
    free(why);
    return true;
}

static void after_role(struct imds_fetch *f, const struct fetch_http_result *res)
{
    if (get_failed(f, res, "the role name"))
        return;
    f->role = imds_role_name(res->body);
    if (!f->role) {
        fail(f, VPCX_ERR_NO_CREDENTIALS, "the role listing is empty or holds no valid role name",
             NULL);
        return;
    }
    f->step = STEP_CREDS;
    char *path = xasprintf(PATH_ROLES "%s", f->role);
    step_send(f, "GET", path);
    free(path);
}

static void after_creds(struct imds_fetch *f, const struct fetch_http_result *res)
{
    if (get_failed(f, res, "the role's credentials"))
        return;
    char *label = xasprintf("instance role %s (IMDSv%d)", f->role, f->token ? 2 : 1);
    struct aws_credentials creds;
    aws_credentials_init(&creds);
    struct vpcx_error err;
    vpcx_error_init(&err);
    enum vpcx_status st = credfetch_parse_json(res->body, res->len, label, &creds, &err);
    if (st == VPCX_OK) {
        creds.source = AWS_SRC_IMDS;
        creds.origin = sanitize_dup(label, SANITIZE_ESCAPE);
    }
    free(label);
    finish(f, st, &creds, NULL, &err);
    aws_credentials_finish(&creds);
}

static void after_region(struct imds_fetch *f, const struct fetch_http_result *res)
{
    if (get_failed(f, res, "the region"))
        return;
    struct strbuf r;
    strbuf_init(&r, res->len + 1);
    strbuf_add(&r, res->body, res->len);
    strbuf_trim(&r);
    bool ok = r.len > 0 && r.len < 64;
    for (size_t i = 0; ok && i < r.len; i++)
        ok = isalnum((unsigned char)r.buf[i]) || r.buf[i] == '-';
    struct vpcx_error err;
    vpcx_error_init(&err);
    if (ok)
        finish(f, VPCX_OK, NULL, r.buf, &err);
    else
        fail(f, VPCX_ERR_PARSE, "the region it answered is not a region name", NULL);
    strbuf_release(&r);
}

static void step_answered(void *ud, const struct fetch_http_result *res)
{
    struct imds_fetch *f = ud;
    f->http = NULL;
    switch (f->step) {
    case STEP_TOKEN:
        after_token(f, res);
        break;
    case STEP_ROLE:
        after_role(f, res);
        break;
    case STEP_CREDS:
        after_creds(f, res);
        break;
    case STEP_REGION:
        after_region(f, res);
        break;
    }
}

struct imds_fetch *imds_fetch_start(struct http_engine *engine, const char *endpoint,
                                    bool v1_disabled, enum imds_want want, imds_done_fn done,
                                    void *ud)
{
    struct imds_fetch *f = xcalloc(1, sizeof(*f));
    f->engine = engine;
    f->endpoint = xstrdup(endpoint ? endpoint : IMDS_ENDPOINT_IPV4);
    f->v1_disabled = v1_disabled;
    f->want = want;
    f->done = done;
    f->ud = ud;
    f->step = STEP_TOKEN;
    step_send(f, "PUT", PATH_TOKEN);
    return f;
}

void imds_fetch_cancel(struct imds_fetch *f)
{
    if (!f)
        return;
    fetch_http_cancel(f->http);
    fetch_free(f);
}

struct region_run {
    bool done;
    char *region;
    struct vpcx_error *err;
};

static void region_done(void *ud, enum vpcx_status status, const struct aws_credentials *creds,
                        const char *region, const struct vpcx_error *err)
{
    (void)creds;
    struct region_run *r = ud;
    r->done = true;
    if (status == VPCX_OK)
        r->region = xstrdup(region);
    else if (r->err && err)
        vpcx_error_copy(r->err, err);
}

char *imds_region_run(struct http_engine *engine, const struct imds_config *cfg,
                      struct vpcx_error *err)
{
    struct region_run r = {.err = err};
    struct imds_fetch *f =
        imds_fetch_start(engine, cfg->endpoint, cfg->v1_disabled, IMDS_REGION, region_done, &r);
    while (!r.done) {
        if (http_engine_step(engine, -1, -1, NULL) != VPCX_OK) {
            imds_fetch_cancel(f);
            vpcx_error_set(err, VPCX_ERR_INTERNAL, "instance metadata: the HTTP engine failed");
            return NULL;
        }
    }
    return r.region;
}
