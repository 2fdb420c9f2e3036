#include "vpcx/aws/login.h"

#include "vpcx/aws/sso.h"
#include "vpcx/core/fileio.h"
#include "vpcx/core/json.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <cjson/cJSON.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOGIN_MAX_ANSWER (64 * 1024)

/* ---- the session file ---- */

static char *sha256_hex(const char *text)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL) || len != 32)
        abort();
    char *hex = xmalloc(65);
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return hex;
}

char *aws_login_cache_path(const struct aws_env *env, const char *session)
{
    const char *dir = aws_env_get(env, "AWS_LOGIN_CACHE_DIRECTORY");
    const char *home = aws_env_get(env, "HOME");
    char *base;
    if (dir && dir[0] == '~' && (dir[1] == '/' || dir[1] == '\0') && home)
        base = xasprintf("%s%s", home, dir + 1);
    else if (dir)
        base = xstrdup(dir);
    else if (home)
        base = xasprintf("%s/.aws/login/cache", home);
    else
        return NULL;
    char *hex = sha256_hex(session);
    char *path = xasprintf("%s/%s.json", base, hex);
    free(hex);
    free(base);
    return path;
}

void aws_login_session_finish(struct aws_login_session *ls)
{
    if (!ls)
        return;
    free(ls->profile);
    free(ls->session);
    free(ls->path);
    free(ls->endpoint);
    memset(ls, 0, sizeof(*ls));
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void aws_login_session_copy(struct aws_login_session *dst, const struct aws_login_session *src)
{
    aws_login_session_finish(dst);
    dst->profile = dup_or_null(src->profile);
    dst->session = dup_or_null(src->session);
    dst->path = dup_or_null(src->path);
    dst->endpoint = dup_or_null(src->endpoint);
}

/* The sign-in service's host per partition, from its endpoint rules. */
static char *default_endpoint(const char *region)
{
    if (strncmp(region, "cn-", 3) == 0)
        return xasprintf("https://%s.signin.amazonaws.cn", region);
    if (strncmp(region, "us-gov-", 7) == 0)
        return xasprintf("https://%s.signin.amazonaws-us-gov.com", region);
    return xasprintf("https://%s.signin.aws.amazon.com", region);
}

enum vpcx_status aws_login_profile_load(const struct aws_settings *s, const struct aws_env *env,
                                        const char *profile, struct aws_login_session *out,
                                        bool *found, struct vpcx_error *err)
{
    memset(out, 0, sizeof(*out));
    struct aws_profile_view v;
    aws_settings_profile(s, profile, &v);
    const char *session = aws_profile_get(&v, "login_session");
    *found = session != NULL;
    if (!session)
        return VPCX_OK;
    out->path = aws_login_cache_path(env, session);
    if (!out->path)
        return vpcx_error_set(err, VPCX_ERR_CONFIG,
                              "profile %s uses login_session but neither HOME nor "
                              "AWS_LOGIN_CACHE_DIRECTORY is set",
                              profile);
    out->profile = xstrdup(profile);
    out->session = xstrdup(session);
    out->endpoint = aws_settings_service_endpoint(s, env, "signin", "AWS_ENDPOINT_URL_SIGNIN", NULL,
                                                  s->region.value, err);
    if (!out->endpoint) {
        aws_login_session_finish(out);
        return err ? err->status : VPCX_ERR_CONFIG;
    }
    if (!*out->endpoint && s->region.value) {
        free(out->endpoint);
        out->endpoint = default_endpoint(s->region.value);
    }
    return VPCX_OK;
}

static void json_wipe(cJSON *node)
{
    for (; node; node = node->next) {
        if (node->valuestring)
            OPENSSL_cleanse(node->valuestring, strlen(node->valuestring));
        json_wipe(node->child);
    }
}

static void json_free(cJSON *doc)
{
    json_wipe(doc);
    cJSON_Delete(doc);
}

static enum vpcx_status login_needed(const char *profile, struct vpcx_error *err)
{
    vpcx_error_set_hint(err, "run: aws login --profile %s", profile);
    return err ? err->status : VPCX_ERR_EXPIRED;
}

/* The required fields of botocore's LoginCredentialFetcher, then the keys. */
static const char *missing_field(const cJSON *root)
{
    static const char *const required[] = {"refreshToken", "dpopKey", "clientId"};
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(root, "accessToken");
    if (!cJSON_IsObject(at))
        return "accessToken";
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        if (!json_get_text(root, required[i]))
            return required[i];
    static const char *const keys[] = {"accessToken.accessKeyId", "accessToken.secretAccessKey",
                                       "accessToken.sessionToken", "accessToken.expiresAt"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (!json_get_text(at, strchr(keys[i], '.') + 1))
            return keys[i];
    return NULL;
}

static enum vpcx_status take(const cJSON *root, const char *label, const char *profile,
                             const char *session, time_t now, struct aws_credentials *out,
                             bool *stale, struct vpcx_error *err)
{
    const char *bad = missing_field(root);
    if (bad) {
        vpcx_error_set(err, VPCX_ERR_NO_CREDENTIALS, "the console session %s (%s) lacks %s",
                       session, label, bad);
        return login_needed(profile, err);
    }
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(root, "accessToken");
    time_t exp;
    if (!aws_parse_iso8601(json_get_text(at, "expiresAt"), &exp))
        return vpcx_error_set(err, VPCX_ERR_PARSE,
                              "%s: accessToken.expiresAt is not an ISO 8601 time", label);
    if (stale)
        *stale = exp - now <= AWS_LOGIN_REFRESH_WINDOW_S;
    if (!stale && exp <= now) {
        vpcx_error_set(err, VPCX_ERR_EXPIRED, "the console session %s of profile %s has expired",
                       session, profile);
        return login_needed(profile, err);
    }
    aws_credentials_finish(out);
    out->access_key_id = xstrdup(json_get_text(at, "accessKeyId"));
    out->secret_access_key = xstrdup(json_get_text(at, "secretAccessKey"));
    out->session_token = xstrdup(json_get_text(at, "sessionToken"));
    out->expiration = exp;
    out->source = AWS_SRC_LOGIN;
    const char *account = json_get_text(at, "accountId");
    out->origin = account ? xasprintf("login: session %s, account %s", session, account)
                          : xasprintf("login: session %s", session);
    return VPCX_OK;
}

enum vpcx_status aws_login_parse(const char *text, size_t len, const char *label,
                                 const char *profile, const char *session, time_t now,
                                 struct aws_credentials *out, bool *stale, struct vpcx_error *err)
{
    cJSON *root = cJSON_ParseWithLength(text, len);
    enum vpcx_status st =
        cJSON_IsObject(root)
            ? take(root, label, profile, session, now, out, stale, err)
            : vpcx_error_set(err, VPCX_ERR_PARSE, "%s is not a JSON object", label);
    json_free(root);
    return st;
}

/* The file as text (wiped by the caller), or a message naming aws login. */
static enum vpcx_status read_file(const struct aws_login_session *ls, struct strbuf *text,
                                  struct vpcx_error *err)
{
    if (access(ls->path, F_OK) != 0 && errno == ENOENT) {
        vpcx_error_set(err, VPCX_ERR_NO_CREDENTIALS,
                       "no console session %s for profile %s (%s does not exist)", ls->session,
                       ls->profile, ls->path);
        return login_needed(ls->profile, err);
    }
    return file_read_all(ls->path, AWS_LOGIN_MAX_FILE, text, err);
}

static void wiped_release(struct strbuf *sb)
{
    if (sb->alloc)
        OPENSSL_cleanse(sb->buf, sb->alloc);
    strbuf_release(sb);
    strbuf_init(sb, 0);
}

enum vpcx_status aws_login_read(const struct aws_login_session *ls, time_t now,
                                struct aws_credentials *out, bool *stale, struct vpcx_error *err)
{
    struct strbuf text = STRBUF_INIT;
    strbuf_init(&text, 0);
    enum vpcx_status st = read_file(ls, &text, err);
    if (st == VPCX_OK)
        st = aws_login_parse(text.buf, text.len, ls->path, ls->profile, ls->session, now, out,
                             stale, err);
    wiped_release(&text);
    return st;
}

/* ---- the DPoP proof ---- */

static char *b64url(const unsigned char *data, size_t len)
{
    char *out = xmalloc(4 * ((len + 2) / 3) + 1);
    int n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    while (n > 0 && out[n - 1] == '=')
        n--;
    out[n] = '\0';
    for (char *p = out; *p; p++)
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    return out;
}

static char *b64url_str(const char *s)
{
    return b64url((const unsigned char *)s, strlen(s));
}

/* The key of a PEM block, whatever its label (SEC1 or PKCS#8), as botocore
 * reads it: the lines between the markers, base64, DER. */
static EVP_PKEY *load_key(const char *pem)
{
    struct strbuf b64 = STRBUF_INIT;
    strbuf_init(&b64, 0);
    for (const char *line = pem; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (strncmp(line, "-----", 5) != 0)
            for (size_t i = 0; i < len; i++)
                if (line[i] != '\r' && line[i] != ' ')
                    strbuf_addch(&b64, line[i]);
        line += len + (end ? 1 : 0);
    }
    EVP_PKEY *key = NULL;
    size_t der_size = b64.len + 1;
    unsigned char *der = xmalloc(der_size);
    int n =
        b64.len % 4 == 0 ? EVP_DecodeBlock(der, (const unsigned char *)b64.buf, (int)b64.len) : -1;
    /* EVP_DecodeBlock counts the padding as decoded bytes. */
    for (size_t i = b64.len; n > 0 && i > 0 && b64.buf[i - 1] == '='; i--)
        n--;
    if (n > 0) {
        const unsigned char *p = der;
        key = d2i_AutoPrivateKey(NULL, &p, n);
    }
    OPENSSL_cleanse(der, der_size);
    free(der);
    wiped_release(&b64);
    return key;
}

static char *coord(const EVP_PKEY *key, const char *name)
{
    BIGNUM *bn = NULL;
    unsigned char buf[32];
    char *out = NULL;
    if (EVP_PKEY_get_bn_param(key, name, &bn) && BN_bn2binpad(bn, buf, sizeof(buf)) == 32)
        out = b64url(buf, sizeof(buf));
    BN_free(bn);
    return out;
}

static char *jwt_header(const EVP_PKEY *key)
{
    char *x = coord(key, OSSL_PKEY_PARAM_EC_PUB_X);
    char *y = coord(key, OSSL_PKEY_PARAM_EC_PUB_Y);
    char *out = NULL;
    if (x && y) {
        cJSON *h = cJSON_CreateObject();
        cJSON_AddStringToObject(h, "typ", "dpop+jwt");
        cJSON_AddStringToObject(h, "alg", "ES256");
        cJSON *jwk = cJSON_AddObjectToObject(h, "jwk");
        cJSON_AddStringToObject(jwk, "kty", "EC");
        cJSON_AddStringToObject(jwk, "x", x);
        cJSON_AddStringToObject(jwk, "y", y);
        cJSON_AddStringToObject(jwk, "crv", "P-256");
        char *text = cJSON_PrintUnformatted(h);
        out = b64url_str(text);
        free(text);
        cJSON_Delete(h);
    }
    free(x);
    free(y);
    return out;
}

static char *jwt_payload(const char *url, time_t iat, const char *jti)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "htm", "POST");
    cJSON_AddStringToObject(p, "htu", url);
    cJSON_AddNumberToObject(p, "iat", (double)iat);
    cJSON_AddStringToObject(p, "jti", jti);
    char *text = cJSON_PrintUnformatted(p);
    char *out = b64url_str(text);
    free(text);
    cJSON_Delete(p);
    return out;
}

/* ES256: the DER signature as the 64-byte r || s of JWS. */
static char *es256(EVP_PKEY *key, const char *input)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char der[160], raw[64];
    size_t der_len = sizeof(der);
    char *out = NULL;
    if (ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
        EVP_DigestSign(ctx, der, &der_len, (const unsigned char *)input, strlen(input)) == 1) {
        const unsigned char *p = der;
        ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
        if (sig && BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32) == 32 &&
            BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32) == 32)
            out = b64url(raw, sizeof(raw));
        ECDSA_SIG_free(sig);
    }
    EVP_MD_CTX_free(ctx);
    return out;
}

char *aws_login_dpop(const char *pem_key, const char *url, time_t iat, const char *jti,
                     struct vpcx_error *err)
{
    EVP_PKEY *key = load_key(pem_key);
    char name[32] = "";
    size_t name_len = 0;
    if (!key || !EVP_PKEY_get_group_name(key, name, sizeof(name), &name_len) ||
        strcmp(name, "prime256v1") != 0) {
        EVP_PKEY_free(key);
        vpcx_error_set(err, VPCX_ERR_NO_CREDENTIALS,
                       "the console session's dpopKey is not a P-256 private key");
        return NULL;
    }
    char *header = jwt_header(key);
    char *payload = jwt_payload(url, iat, jti);
    char *input = header ? xasprintf("%s.%s", header, payload) : NULL;
    char *sig = input ? es256(key, input) : NULL;
    char *jwt = sig ? xasprintf("%s.%s", input, sig) : NULL;
    if (!jwt)
        vpcx_error_set(err, VPCX_ERR_INTERNAL, "cannot sign the DPoP proof with the dpopKey");
    free(header);
    free(payload);
    free(input);
    free(sig);
    EVP_PKEY_free(key);
    return jwt;
}

static char *uuid4(void)
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof(b)) != 1)
        abort();
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    return xasprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                     b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
                     b[13], b[14], b[15]);
}

/* ---- the refresh ---- */

struct aws_login_refresh {
    struct http_engine *http;
    struct aws_login_session ls;
    cJSON *doc; /* the session file */
    uint64_t id;
    struct strbuf body;
    bool too_big;
    enum vpcx_status status;
    struct aws_credentials creds;
    struct vpcx_error err;
    aws_login_done_fn done;
    void *ud;
};

static void refresh_free(struct aws_login_refresh *r)
{
    aws_login_session_finish(&r->ls);
    json_free(r->doc);
    wiped_release(&r->body);
    aws_credentials_finish(&r->creds);
    vpcx_error_finish(&r->err);
    free(r);
}

static void refresh_deliver(void *ud)
{
    struct aws_login_refresh *r = ud;
    r->done(r->ud, r->status, &r->creds, &r->err);
    refresh_free(r);
}

static void refresh_finish(struct aws_login_refresh *r, enum vpcx_status st)
{
    r->status = st;
    wiped_release(&r->body);
    r->id = http_engine_add_timer(r->http, 0, refresh_deliver, r);
}

static bool refresh_data(void *ud, const char *data, size_t len, int http_status)
{
    struct aws_login_refresh *r = ud;
    (void)http_status;
    if (!strbuf_add_bounded(&r->body, data, len, LOGIN_MAX_ANSWER))
        r->too_big = true;
    return !r->too_big;
}

static char *format_utc(time_t t)
{
    struct tm tm;
    char buf[32];
    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return xstrdup(buf);
}

/* Takes the answer's keys into the session document, as botocore does. */
static enum vpcx_status apply_answer(struct aws_login_refresh *r, const cJSON *answer)
{
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(answer, "accessToken");
    const cJSON *expires_in = cJSON_GetObjectItemCaseSensitive(answer, "expiresIn");
    const char *akid = json_get_text(at, "accessKeyId"),
               *secret = json_get_text(at, "secretAccessKey");
    const char *token = json_get_text(at, "sessionToken"),
               *refresh = json_get_text(answer, "refreshToken");
    if (!akid || !secret || !token || !refresh || !cJSON_IsNumber(expires_in) ||
        !(expires_in->valuedouble > 0) || expires_in->valuedouble > AWS_SSO_MAX_LIFETIME_S)
        return vpcx_error_set(&r->err, VPCX_ERR_PARSE,
                              "sign-in CreateOAuth2Token: the answer lacks keys, refreshToken or "
                              "expiresIn; no credentials were taken from it");
    const cJSON *old = cJSON_GetObjectItemCaseSensitive(r->doc, "accessToken");
    const char *account = json_get_text(old, "accountId");
    char *when = format_utc(time(NULL) + (time_t)expires_in->valuedouble);
    cJSON *fresh = cJSON_CreateObject();
    cJSON_AddStringToObject(fresh, "accessKeyId", akid);
    cJSON_AddStringToObject(fresh, "secretAccessKey", secret);
    cJSON_AddStringToObject(fresh, "sessionToken", token);
    if (account)
        cJSON_AddStringToObject(fresh, "accountId", account);
    cJSON_AddStringToObject(fresh, "expiresAt", when);
    free(when);
    json_free(cJSON_DetachItemFromObjectCaseSensitive(r->doc, "accessToken"));
    cJSON_AddItemToObject(r->doc, "accessToken", fresh);
    json_free(cJSON_DetachItemFromObjectCaseSensitive(r->doc, "refreshToken"));
    cJSON_AddStringToObject(r->doc, "refreshToken", refresh);
    return VPCX_OK;
}

static enum vpcx_status answer_error(struct aws_login_refresh *r, const struct http_result *res,
                                     const cJSON *doc)
{
    if (res->status != VPCX_OK) {
        vpcx_error_set(&r->err, res->status, "sign-in CreateOAuth2Token: %s",
                       res->error ? res->error : vpcx_status_message(res->status));
        return login_needed(r->ls.profile, &r->err);
    }
    const char *code = json_get_text(doc, "error");
    const char *msg = json_get_text(doc, "message");
    enum vpcx_status st = res->http_status == 401 || res->http_status == 403 ? VPCX_ERR_EXPIRED
                          : res->http_status == 429                          ? VPCX_ERR_THROTTLED
                          : res->http_status >= 500                          ? VPCX_ERR_SERVER
                                                                             : VPCX_ERR_AWS;
    vpcx_error_set(&r->err, st,
                   "the console session %s of profile %s could not be refreshed: "
                   "CreateOAuth2Token HTTP %d%s%s%s%s",
                   r->ls.session, r->ls.profile, res->http_status, code ? " " : "",
                   code ? code : "", msg ? ": " : "", msg ? msg : "");
    r->err.http_status = res->http_status;
    return login_needed(r->ls.profile, &r->err);
}

static void refresh_answered(void *ud, const struct http_result *res)
{
    struct aws_login_refresh *r = ud;
    cJSON *doc =
        r->too_big ? NULL : cJSON_ParseWithLength(r->body.buf ? r->body.buf : "", r->body.len);
    enum vpcx_status st;
    if (res->status != VPCX_OK || res->http_status != 200)
        st = answer_error(r, res, doc);
    else
        st = apply_answer(r, doc);
    json_free(doc);
    if (st == VPCX_OK) {
        /* The new credentials work even if the file cannot be written. */
        struct vpcx_error ignored;
        vpcx_error_init(&ignored);
        aws_token_file_save(r->ls.path, r->doc, &ignored);
        vpcx_error_finish(&ignored);
        bool stale;
        st = take(r->doc, r->ls.path, r->ls.profile, r->ls.session, time(NULL), &r->creds, &stale,
                  &r->err);
    }
    refresh_finish(r, st);
}

static enum vpcx_status refresh_load(struct aws_login_refresh *r)
{
    struct strbuf text = STRBUF_INIT;
    strbuf_init(&text, 0);
    enum vpcx_status st = read_file(&r->ls, &text, &r->err);
    if (st == VPCX_OK) {
        r->doc = cJSON_ParseWithLength(text.buf, text.len);
        const char *bad = !cJSON_IsObject(r->doc) ? "JSON" : missing_field(r->doc);
        if (bad) {
            vpcx_error_set(&r->err, VPCX_ERR_NO_CREDENTIALS,
                           "the console session %s (%s) is not valid: %s", r->ls.session,
                           r->ls.path, bad);
            st = login_needed(r->ls.profile, &r->err);
        }
    }
    wiped_release(&text);
    return st;
}

static void refresh_send(struct aws_login_refresh *r)
{
    size_t n = strlen(r->ls.endpoint);
    while (n && r->ls.endpoint[n - 1] == '/')
        n--;
    char *url = xasprintf("%.*s/v1/token", (int)n, r->ls.endpoint);
    char *jti = uuid4();
    char *dpop = aws_login_dpop(json_get_text(r->doc, "dpopKey"), url, time(NULL), jti, &r->err);
    free(jti);
    if (!dpop) {
        free(url);
        refresh_finish(r, login_needed(r->ls.profile, &r->err));
        return;
    }
    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "clientId", json_get_text(r->doc, "clientId"));
    cJSON_AddStringToObject(in, "refreshToken", json_get_text(r->doc, "refreshToken"));
    cJSON_AddStringToObject(in, "grantType", "refresh_token");
    char *body = cJSON_PrintUnformatted(in);
    json_free(in);
    char *dpop_header = xasprintf("DPoP: %s", dpop);
    const char *headers[] = {"Content-Type: application/json", "Accept: application/json",
                             dpop_header, NULL};
    const struct http_request req = {
        .method = "POST",
        .url = url,
        .headers = headers,
        .body = body,
        .body_len = strlen(body),
        .on_data = refresh_data,
        .on_done = refresh_answered,
        .ud = r,
    };
    r->id = http_engine_submit(r->http, &req);
    OPENSSL_cleanse(body, strlen(body));
    free(body);
    free(dpop_header);
    free(dpop);
    free(url);
}

struct aws_login_refresh *aws_login_refresh_start(struct http_engine *http,
                                                  const struct aws_login_session *ls,
                                                  aws_login_done_fn done, void *ud)
{
    struct aws_login_refresh *r = xcalloc(1, sizeof(*r));
    r->http = http;
    r->done = done;
    r->ud = ud;
    strbuf_init(&r->body, 0);
    aws_credentials_init(&r->creds);
    vpcx_error_init(&r->err);
    aws_login_session_copy(&r->ls, ls);
    if (!r->ls.endpoint || !*r->ls.endpoint) {
        vpcx_error_set(&r->err, VPCX_ERR_NO_REGION,
                       "the console session %s cannot be refreshed: no region is configured",
                       ls->session);
        refresh_finish(r, login_needed(ls->profile, &r->err));
    } else if (refresh_load(r) != VPCX_OK) {
        refresh_finish(r, r->err.status);
    } else {
        refresh_send(r);
    }
    return r;
}

void aws_login_refresh_cancel(struct aws_login_refresh *r)
{
    if (!r)
        return;
    http_engine_cancel(r->http, r->id);
    refresh_free(r);
}

struct sync_wait {
    bool done;
    enum vpcx_status status;
    struct aws_credentials *out;
    struct vpcx_error *err;
};

static void sync_done(void *ud, enum vpcx_status status, const struct aws_credentials *creds,
                      const struct vpcx_error *err)
{
    struct sync_wait *w = ud;
    w->done = true;
    w->status = status;
    if (status == VPCX_OK)
        aws_credentials_copy(w->out, creds);
    else if (w->err)
        vpcx_error_copy(w->err, err);
}

enum vpcx_status aws_login_refresh_sync(struct http_engine *http,
                                        const struct aws_login_session *ls,
                                        struct aws_credentials *out, struct vpcx_error *err)
{
    struct sync_wait w = {.out = out, .err = err};
    aws_login_refresh_start(http, ls, sync_done, &w);
    while (!w.done) {
        if (http_engine_step(http, -1, -1, NULL) != VPCX_OK && !w.done)
            return vpcx_error_set(err, VPCX_ERR_INTERNAL, "the HTTP engine failed");
    }
    return w.status;
}
