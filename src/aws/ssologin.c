#include "vpcx/aws/ssologin.h"

#include "vpcx/core/json.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define OIDC_MAX_ANSWER (64 * 1024)
#define GRANT_DEVICE    "urn:ietf:params:oauth:grant-type:device_code"

static void json_free(cJSON *doc)
{
    for (cJSON *n = doc; n; n = n->next) {
        if (n->valuestring)
            OPENSSL_cleanse(n->valuestring, strlen(n->valuestring));
        json_free(n->child);
        n->child = NULL;
    }
    cJSON_Delete(doc);
}

/* A number of seconds from the service, bounded so it converts safely. */
static double json_num(const cJSON *obj, const char *key, double fallback)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || v->valuedouble > 4102444800.0)
        return fallback;
    return v->valuedouble;
}

/* ---- one JSON POST, blocking ---- */

struct post {
    bool done;
    struct strbuf body;
    bool too_big;
    struct http_result res;
    char *error;
};

static bool post_data(void *ud, const char *data, size_t len, int http_status)
{
    struct post *p = ud;
    (void)http_status;
    if (!strbuf_add_bounded(&p->body, data, len, OIDC_MAX_ANSWER))
        p->too_big = true;
    return !p->too_big;
}

static void post_done(void *ud, const struct http_result *res)
{
    struct post *p = ud;
    p->done = true;
    p->res = *res;
    p->error = res->error ? xstrdup(res->error) : NULL;
    p->res.error = p->error;
}

/* POSTs doc to endpoint + path; *answer is the parsed body (any status). */
static enum vpcx_status post_json(struct http_engine *http, const char *endpoint, const char *path,
                                  const cJSON *doc, cJSON **answer, int *http_status,
                                  struct vpcx_error *err)
{
    size_t n = strlen(endpoint);
    while (n && endpoint[n - 1] == '/')
        n--;
    char *url = xasprintf("%.*s%s", (int)n, endpoint, path);
    char *body = cJSON_PrintUnformatted(doc);
    const char *headers[] = {"Content-Type: application/json", "Accept: application/json", NULL};
    struct post p = {0};
    strbuf_init(&p.body, 0);
    const struct http_request req = {
        .method = "POST",
        .url = url,
        .headers = headers,
        .body = body,
        .body_len = strlen(body),
        .on_data = post_data,
        .on_done = post_done,
        .ud = &p,
    };
    http_engine_submit(http, &req);
    OPENSSL_cleanse(body, strlen(body));
    free(body);
    enum vpcx_status st = VPCX_OK;
    while (!p.done && st == VPCX_OK)
        st = http_engine_step(http, -1, -1, NULL);
    if (st != VPCX_OK)
        st = vpcx_error_set(err, VPCX_ERR_INTERNAL, "the HTTP engine failed");
    else if (p.res.status != VPCX_OK)
        st = vpcx_error_set(err, p.res.status, "SSO-OIDC %s: %s", path,
                            p.error ? p.error : vpcx_status_message(p.res.status));
    *answer = st == VPCX_OK && !p.too_big
                  ? cJSON_ParseWithLength(p.body.buf ? p.body.buf : "", p.body.len)
                  : NULL;
    *http_status = p.res.http_status;
    if (p.body.alloc)
        OPENSSL_cleanse(p.body.buf, p.body.alloc);
    strbuf_release(&p.body);
    free(p.error);
    free(url);
    return st;
}

static enum vpcx_status oidc_error(const char *call, int http_status, const cJSON *answer,
                                   struct vpcx_error *err)
{
    const char *code = json_get_text(answer, "error");
    const char *msg = json_get_text(answer, "error_description");
    if (!msg)
        msg = json_get_text(answer, "message");
    enum vpcx_status st = http_status == 401 || http_status == 403 ? VPCX_ERR_AUTH
                          : http_status == 429                     ? VPCX_ERR_THROTTLED
                          : http_status >= 500                     ? VPCX_ERR_SERVER
                                                                   : VPCX_ERR_AWS;
    vpcx_error_set(err, st, "SSO-OIDC %s: HTTP %d%s%s%s%s", call, http_status, code ? " " : "",
                   code ? code : "", msg ? ": " : "", msg ? msg : "");
    err->http_status = http_status;
    return st;
}

/* ---- the flow ---- */

struct flow {
    struct http_engine *http;
    const struct aws_sso_profile *p;
    cJSON *client; /* RegisterClient's answer */
    cJSON *device; /* StartDeviceAuthorization's answer */
    cJSON *token;  /* CreateToken's answer */
    struct vpcx_error *err;
};

static void add_scopes(cJSON *req, const char *scopes)
{
    cJSON *arr = cJSON_AddArrayToObject(req, "scopes");
    const char *s = scopes && *scopes ? scopes : "sso:account:access";
    while (*s) {
        size_t len = strcspn(s, ",");
        size_t a = 0, b = len;
        while (a < b && (s[a] == ' ' || s[a] == '\t'))
            a++;
        while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
            b--;
        if (b > a) {
            char *one = xstrndup(s + a, b - a);
            cJSON_AddItemToArray(arr, cJSON_CreateString(one));
            free(one);
        }
        s += len + (s[len] == ',');
    }
}

static enum vpcx_status call(struct flow *f, const char *path, cJSON *req, cJSON **out)
{
    int status = 0;
    cJSON *answer = NULL;
    enum vpcx_status st =
        post_json(f->http, f->p->oidc_endpoint, path, req, &answer, &status, f->err);
    json_free(req);
    if (st == VPCX_OK && status != 200)
        st = oidc_error(path, status, answer, f->err);
    if (st == VPCX_OK && !cJSON_IsObject(answer))
        st = vpcx_error_set(f->err, VPCX_ERR_PARSE, "SSO-OIDC %s: the answer is not JSON", path);
    if (st != VPCX_OK)
        json_free(answer);
    else
        *out = answer;
    return st;
}

static enum vpcx_status register_client(struct flow *f)
{
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "clientName", "vpcx");
    cJSON_AddStringToObject(req, "clientType", "public");
    if (f->p->session) {
        add_scopes(req, f->p->scopes);
        cJSON *grants = cJSON_AddArrayToObject(req, "grantTypes");
        cJSON_AddItemToArray(grants, cJSON_CreateString(GRANT_DEVICE));
        cJSON_AddItemToArray(grants, cJSON_CreateString("refresh_token"));
    }
    enum vpcx_status st = call(f, "/client/register", req, &f->client);
    if (st == VPCX_OK &&
        (!json_get_text(f->client, "clientId") || !json_get_text(f->client, "clientSecret")))
        st = vpcx_error_set(f->err, VPCX_ERR_PARSE,
                            "SSO-OIDC RegisterClient: the answer lacks clientId or clientSecret");
    return st;
}

static enum vpcx_status start_device(struct flow *f)
{
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "clientId", json_get_text(f->client, "clientId"));
    cJSON_AddStringToObject(req, "clientSecret", json_get_text(f->client, "clientSecret"));
    cJSON_AddStringToObject(req, "startUrl", f->p->start_url);
    enum vpcx_status st = call(f, "/device_authorization", req, &f->device);
    if (st == VPCX_OK &&
        (!json_get_text(f->device, "deviceCode") || !json_get_text(f->device, "userCode") ||
         !json_get_text(f->device, "verificationUri")))
        st = vpcx_error_set(f->err, VPCX_ERR_PARSE,
                            "SSO-OIDC StartDeviceAuthorization: the answer lacks deviceCode, "
                            "userCode or verificationUri");
    return st;
}

static void wake(void *ud)
{
    *(bool *)ud = true;
}

/* Waits on the engine's timer: nothing else runs in this command. */
static enum vpcx_status pause_s(struct http_engine *http, long seconds)
{
    bool fired = false;
    http_engine_add_timer(http, seconds * 1000, wake, &fired);
    enum vpcx_status st = VPCX_OK;
    while (!fired && st == VPCX_OK)
        st = http_engine_step(http, -1, -1, NULL);
    return st;
}

/* One CreateToken poll: 1 done, 0 keep waiting (*interval may grow), -1 failed. */
static int poll_once(struct flow *f, long *interval)
{
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "clientId", json_get_text(f->client, "clientId"));
    cJSON_AddStringToObject(req, "clientSecret", json_get_text(f->client, "clientSecret"));
    cJSON_AddStringToObject(req, "grantType", GRANT_DEVICE);
    cJSON_AddStringToObject(req, "deviceCode", json_get_text(f->device, "deviceCode"));
    int status = 0;
    cJSON *answer = NULL;
    enum vpcx_status st =
        post_json(f->http, f->p->oidc_endpoint, "/token", req, &answer, &status, f->err);
    json_free(req);
    int result = -1;
    const char *code = json_get_text(answer, "error");
    if (st != VPCX_OK) {
        result = -1;
    } else if (status == 200 && json_get_text(answer, "accessToken")) {
        f->token = answer;
        answer = NULL;
        result = 1;
    } else if (code && strcmp(code, "authorization_pending") == 0) {
        result = 0;
    } else if (code && strcmp(code, "slow_down") == 0) {
        *interval += 5;
        result = 0;
    } else {
        oidc_error("CreateToken", status, answer, f->err);
    }
    json_free(answer);
    return result;
}

static enum vpcx_status wait_token(struct flow *f)
{
    long interval = (long)json_num(f->device, "interval", 5);
    if (interval < 1)
        interval = 1;
    time_t deadline = time(NULL) + (time_t)json_num(f->device, "expiresIn", 600);
    for (;;) {
        if (pause_s(f->http, interval) != VPCX_OK)
            return vpcx_error_set(f->err, VPCX_ERR_INTERNAL, "the HTTP engine failed");
        int r = poll_once(f, &interval);
        if (r > 0)
            return VPCX_OK;
        if (r < 0)
            return f->err->status;
        if (time(NULL) >= deadline)
            return vpcx_error_set(f->err, VPCX_ERR_AUTH,
                                  "the sign-in code expired before it was confirmed");
    }
}

static char *utc(time_t t)
{
    struct tm tm;
    char buf[32];
    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return xstrdup(buf);
}

static void add_time(cJSON *doc, const char *key, time_t t)
{
    char *s = utc(t);
    cJSON_AddStringToObject(doc, key, s);
    free(s);
}

/* The cache file, in the fields botocore's SSOTokenProvider reads. */
static enum vpcx_status save_token(struct flow *f, time_t *expires_at)
{
    time_t now = time(NULL);
    *expires_at = now + (time_t)json_num(f->token, "expiresIn", 3600);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "startUrl", f->p->start_url);
    cJSON_AddStringToObject(doc, "region", f->p->region);
    cJSON_AddStringToObject(doc, "accessToken", json_get_text(f->token, "accessToken"));
    add_time(doc, "expiresAt", *expires_at);
    cJSON_AddStringToObject(doc, "clientId", json_get_text(f->client, "clientId"));
    cJSON_AddStringToObject(doc, "clientSecret", json_get_text(f->client, "clientSecret"));
    double reg = json_num(f->client, "clientSecretExpiresAt", 0);
    if (reg > 0)
        add_time(doc, "registrationExpiresAt", (time_t)reg);
    const char *refresh = json_get_text(f->token, "refreshToken");
    if (refresh)
        cJSON_AddStringToObject(doc, "refreshToken", refresh);
    /* ~/.aws/sso/cache, made as the CLI makes it */
    char *dir = xstrdup(f->p->cache_path);
    for (char *slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            break;
        *slash = '/';
    }
    free(dir);
    enum vpcx_status st = aws_token_file_save(f->p->cache_path, doc, f->err);
    json_free(doc);
    return st;
}

enum vpcx_status aws_sso_login_device(struct http_engine *http, const struct aws_sso_profile *p,
                                      aws_sso_show_fn show, void *ud, time_t *expires_at,
                                      struct vpcx_error *err)
{
    struct flow f = {.http = http, .p = p, .err = err};
    enum vpcx_status st = register_client(&f);
    if (st == VPCX_OK)
        st = start_device(&f);
    if (st == VPCX_OK) {
        const struct aws_sso_device_prompt prompt = {
            .verification_uri = json_get_text(f.device, "verificationUri"),
            .verification_uri_complete = json_get_text(f.device, "verificationUriComplete"),
            .user_code = json_get_text(f.device, "userCode"),
        };
        show(ud, &prompt);
        st = wait_token(&f);
    }
    if (st == VPCX_OK)
        st = save_token(&f, expires_at);
    json_free(f.client);
    json_free(f.device);
    json_free(f.token);
    return st;
}
