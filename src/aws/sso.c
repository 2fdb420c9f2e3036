#include "vpcx/aws/sso.h"

#include "vpcx/core/fileio.h"
#include "vpcx/core/json.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SSO_MAX_ANSWER (64 * 1024)

/* ---- the profile ---- */

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void aws_sso_profile_finish(struct aws_sso_profile *p)
{
    if (!p)
        return;
    free(p->profile);
    free(p->session);
    free(p->start_url);
    free(p->region);
    free(p->account_id);
    free(p->role_name);
    free(p->cache_path);
    free(p->oidc_endpoint);
    free(p->portal_endpoint);
    free(p->scopes);
    memset(p, 0, sizeof(*p));
}

void aws_sso_profile_copy(struct aws_sso_profile *dst, const struct aws_sso_profile *src)
{
    aws_sso_profile_finish(dst);
    dst->profile = dup_or_null(src->profile);
    dst->session = dup_or_null(src->session);
    dst->start_url = dup_or_null(src->start_url);
    dst->region = dup_or_null(src->region);
    dst->account_id = dup_or_null(src->account_id);
    dst->role_name = dup_or_null(src->role_name);
    dst->cache_path = dup_or_null(src->cache_path);
    dst->oidc_endpoint = dup_or_null(src->oidc_endpoint);
    dst->portal_endpoint = dup_or_null(src->portal_endpoint);
    dst->scopes = dup_or_null(src->scopes);
}

const char *aws_sso_profile_key(const struct aws_sso_profile *p)
{
    return p->session ? p->session : p->start_url;
}

void aws_sso_sha1_hex(const char *text, char out[41])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!EVP_Digest(text, strlen(text), md, &len, EVP_sha1(), NULL) || len != 20)
        abort(); /* SHA-1 is always there in OpenSSL's default provider */
    for (unsigned i = 0; i < 20; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* A setting of the session section, which the profile may repeat only with
 * the same value. */
static enum vpcx_status session_value(const struct aws_profile_view *v,
                                      const struct ini_section *sess, const char *key,
                                      const char *profile, char **out, struct vpcx_error *err)
{
    const char *pv = aws_profile_get(v, key);
    const char *sv = sess ? ini_section_get(sess, key) : NULL;
    if (pv && sv && strcmp(pv, sv) != 0)
        return vpcx_error_set(err, VPCX_ERR_CONFIG,
                              "the value of %s is inconsistent between profile %s (%s) and its "
                              "sso-session (%s)",
                              key, profile, pv, sv);
    const char *val = sv ? sv : pv;
    *out = val && *val ? xstrdup(val) : NULL;
    return VPCX_OK;
}

static enum vpcx_status check_required(const struct aws_sso_profile *p, const char *profile,
                                       bool need_role, struct vpcx_error *err)
{
    struct strbuf missing = STRBUF_INIT;
    strbuf_init(&missing, 0);
    const struct {
        const char *name;
        const char *value;
    } req[] = {
        {"sso_role_name", p->role_name},
        {"sso_account_id", p->account_id},
        {"sso_start_url", p->start_url},
        {"sso_region", p->region},
    };
    for (size_t i = need_role ? 0 : 2; i < sizeof(req) / sizeof(req[0]); i++)
        if (!req[i].value)
            strbuf_addf(&missing, "%s%s", missing.len ? ", " : "", req[i].name);
    enum vpcx_status st = VPCX_OK;
    if (missing.len)
        st = vpcx_error_set(err, VPCX_ERR_CONFIG,
                            "profile %s is configured to use IAM Identity Center but is missing "
                            "required configuration: %s",
                            profile, missing.buf);
    strbuf_release(&missing);
    return st;
}

static char *token_path(const struct aws_env *env, const char *key)
{
    const char *home = aws_env_get(env, "HOME");
    char hex[41];
    aws_sso_sha1_hex(key, hex);
    return home ? xasprintf("%s/.aws/sso/cache/%s.json", home, hex) : NULL;
}

static enum vpcx_status resolve_endpoints(const struct aws_settings *s, const struct aws_env *env,
                                          struct aws_sso_profile *p, struct vpcx_error *err)
{
    p->oidc_endpoint = aws_settings_service_endpoint(
        s, env, "sso-oidc", "AWS_ENDPOINT_URL_SSO_OIDC", "oidc", p->region, err);
    if (!p->oidc_endpoint)
        return err ? err->status : VPCX_ERR_CONFIG;
    p->portal_endpoint = aws_settings_service_endpoint(s, env, "sso", "AWS_ENDPOINT_URL_SSO",
                                                       "portal.sso", p->region, err);
    return p->portal_endpoint ? VPCX_OK : err ? err->status : VPCX_ERR_CONFIG;
}

static enum vpcx_status profile_fill(const struct aws_settings *s, const struct aws_env *env,
                                     const char *profile, const struct aws_profile_view *v,
                                     bool need_role, struct aws_sso_profile *out,
                                     struct vpcx_error *err)
{
    const struct ini_section *sess = NULL;
    const char *session = aws_profile_get(v, "sso_session");
    if (session) {
        sess = aws_config_sso_session_section(&s->config, session);
        if (!sess)
            return vpcx_error_set(err, VPCX_ERR_CONFIG,
                                  "profile %s names sso_session %s but the config file has no "
                                  "[sso-session %s] section",
                                  profile, session, session);
        out->session = xstrdup(session);
    }
    out->profile = xstrdup(profile);
    out->account_id = dup_or_null(aws_profile_get(v, "sso_account_id"));
    out->role_name = dup_or_null(aws_profile_get(v, "sso_role_name"));
    enum vpcx_status st = session_value(v, sess, "sso_start_url", profile, &out->start_url, err);
    if (st == VPCX_OK)
        st = session_value(v, sess, "sso_region", profile, &out->region, err);
    if (st == VPCX_OK)
        st = session_value(v, sess, "sso_registration_scopes", profile, &out->scopes, err);
    if (st == VPCX_OK)
        st = check_required(out, profile, need_role, err);
    if (st != VPCX_OK)
        return st;
    out->cache_path = token_path(env, aws_sso_profile_key(out));
    if (!out->cache_path)
        return vpcx_error_set(err, VPCX_ERR_CONFIG,
                              "profile %s uses IAM Identity Center but HOME is not set, so its "
                              "token cache cannot be found",
                              profile);
    return resolve_endpoints(s, env, out, err);
}

enum vpcx_status aws_sso_profile_load(const struct aws_settings *s, const struct aws_env *env,
                                      const char *profile, struct aws_sso_profile *out, bool *found,
                                      struct vpcx_error *err)
{
    memset(out, 0, sizeof(*out));
    struct aws_profile_view v;
    aws_settings_profile(s, profile, &v);
    *found = aws_profile_has(&v, "sso_account_id") || aws_profile_has(&v, "sso_role_name");
    if (!*found)
        return VPCX_OK;
    enum vpcx_status st = profile_fill(s, env, profile, &v, true, out, err);
    if (st != VPCX_OK)
        aws_sso_profile_finish(out);
    return st;
}

enum vpcx_status aws_sso_session_load(const struct aws_settings *s, const struct aws_env *env,
                                      const char *profile, struct aws_sso_profile *out,
                                      struct vpcx_error *err)
{
    memset(out, 0, sizeof(*out));
    struct aws_profile_view v;
    aws_settings_profile(s, profile, &v);
    if (!aws_profile_has(&v, "sso_session") && !aws_profile_has(&v, "sso_start_url"))
        return vpcx_error_set(err, VPCX_ERR_CONFIG,
                              "profile %s has neither sso_session nor sso_start_url", profile);
    enum vpcx_status st = profile_fill(s, env, profile, &v, false, out, err);
    if (st != VPCX_OK)
        aws_sso_profile_finish(out);
    return st;
}

/* ---- the token file ---- */

static void json_wipe(cJSON *node)
{
    for (; node; node = node->next) {
        if (node->valuestring)
            OPENSSL_cleanse(node->valuestring, strlen(node->valuestring));
        json_wipe(node->child);
    }
}

void aws_sso_token_finish(struct aws_sso_token *t)
{
    if (!t)
        return;
    json_wipe(t->doc);
    cJSON_Delete(t->doc);
    memset(t, 0, sizeof(*t));
}

static void token_index(struct aws_sso_token *t)
{
    t->access_token = json_get_text(t->doc, "accessToken");
    t->refresh_token = json_get_text(t->doc, "refreshToken");
    t->client_id = json_get_text(t->doc, "clientId");
    t->client_secret = json_get_text(t->doc, "clientSecret");
}

enum vpcx_status aws_sso_token_parse(const char *text, size_t len, const char *label,
                                     struct aws_sso_token *out, struct vpcx_error *err)
{
    memset(out, 0, sizeof(*out));
    out->doc = cJSON_ParseWithLength(text, len);
    if (!cJSON_IsObject(out->doc)) {
        aws_sso_token_finish(out);
        return vpcx_error_set(err, VPCX_ERR_PARSE, "%s is not a JSON object", label);
    }
    token_index(out);
    const char *expires = json_get_text(out->doc, "expiresAt");
    const char *bad = !out->access_token                              ? "accessToken"
                      : !expires                                      ? "expiresAt"
                      : !aws_parse_iso8601(expires, &out->expires_at) ? "expiresAt"
                                                                      : NULL;
    const char *reg = json_get_text(out->doc, "registrationExpiresAt");
    if (!bad && reg && !aws_parse_iso8601(reg, &out->registration_expires_at))
        bad = "registrationExpiresAt";
    if (!bad)
        return VPCX_OK;
    aws_sso_token_finish(out);
    return vpcx_error_set(err, VPCX_ERR_PARSE, "%s: %s is missing or not valid", label, bad);
}

bool aws_sso_token_refreshable(const struct aws_sso_token *t, time_t now)
{
    return t->refresh_token && t->client_id && t->client_secret && t->registration_expires_at > now;
}

static void doc_set_string(cJSON *doc, const char *key, const char *value)
{
    cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(doc, key);
    json_wipe(old);
    cJSON_Delete(old);
    if (value)
        cJSON_AddStringToObject(doc, key, value);
}

static char *format_utc(time_t t)
{
    struct tm tm;
    char buf[32];
    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return xstrdup(buf);
}

enum vpcx_status aws_sso_token_apply(struct aws_sso_token *t, const cJSON *answer,
                                     const struct aws_sso_profile *p, time_t now,
                                     struct vpcx_error *err)
{
    const char *access = json_get_text(answer, "accessToken");
    const cJSON *expires_in = cJSON_GetObjectItemCaseSensitive(answer, "expiresIn");
    if (!access || !cJSON_IsNumber(expires_in) || !(expires_in->valuedouble > 0) ||
        expires_in->valuedouble > AWS_SSO_MAX_LIFETIME_S)
        return vpcx_error_set(err, VPCX_ERR_PARSE, "SSO-OIDC CreateToken: the answer lacks %s",
                              !access ? "accessToken" : "an expiresIn of at most a year");
    /* Copies first: the answer's strings may live in the document changed below. */
    char *access_copy = xstrdup(access);
    const char *refresh = json_get_text(answer, "refreshToken");
    char *refresh_copy = refresh ? xstrdup(refresh) : NULL;
    time_t expires_at = now + (time_t)expires_in->valuedouble;
    char *when = format_utc(expires_at);
    doc_set_string(t->doc, "startUrl", p->start_url);
    doc_set_string(t->doc, "region", p->region);
    doc_set_string(t->doc, "accessToken", access_copy);
    doc_set_string(t->doc, "expiresAt", when);
    if (refresh_copy)
        doc_set_string(t->doc, "refreshToken", refresh_copy);
    free(when);
    OPENSSL_cleanse(access_copy, strlen(access_copy));
    free(access_copy);
    if (refresh_copy)
        OPENSSL_cleanse(refresh_copy, strlen(refresh_copy));
    free(refresh_copy);
    t->expires_at = expires_at;
    token_index(t);
    return VPCX_OK;
}

static enum vpcx_status save_error(const char *path, struct vpcx_error *err)
{
    return vpcx_error_set(err, VPCX_ERR_IO, "cannot write the token cache %s: %s", path,
                          strerror(errno));
}

static enum vpcx_status write_all(int fd, const char *text, const char *path,
                                  struct vpcx_error *err)
{
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return save_error(path, err);
        off += (size_t)n;
    }
    return fsync(fd) == 0 ? VPCX_OK : save_error(path, err);
}

enum vpcx_status aws_sso_token_save(const char *path, const struct aws_sso_token *t,
                                    struct vpcx_error *err)
{
    return aws_token_file_save(path, t->doc, err);
}

enum vpcx_status aws_token_file_save(const char *path, const cJSON *doc, struct vpcx_error *err)
{
    char *tmp = xasprintf("%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp); /* created 0600 */
    if (fd < 0) {
        free(tmp);
        return save_error(path, err);
    }
    char *text = cJSON_PrintUnformatted(doc);
    if (!text)
        abort();
    enum vpcx_status st = fchmod(fd, 0600) == 0 ? VPCX_OK : save_error(path, err);
    if (st == VPCX_OK)
        st = write_all(fd, text, path, err);
    OPENSSL_cleanse(text, strlen(text));
    free(text);
    if (close(fd) != 0 && st == VPCX_OK)
        st = save_error(path, err);
    if (st == VPCX_OK && rename(tmp, path) != 0)
        st = save_error(path, err);
    if (st != VPCX_OK)
        unlink(tmp);
    free(tmp);
    return st;
}

bool aws_error_needs_login(const struct vpcx_error *err)
{
    static const char *const prefixes[] = {"run: aws sso login ", "run: aws login "};
    if (!err || !err->hint || vpcx_status_exit(err->status) != VPCX_EXIT_AUTH)
        return false;
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (strncmp(err->hint, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}

enum vpcx_status aws_sso_login_needed(const struct aws_sso_profile *p, const char *why,
                                      struct vpcx_error *err)
{
    vpcx_error_set(err, VPCX_ERR_EXPIRED, "IAM Identity Center %s %s: %s",
                   p->session ? "session" : "start URL", aws_sso_profile_key(p), why);
    if (p->session)
        vpcx_error_set_hint(err,
                            "run: aws sso login --profile %s (or aws sso login --sso-session %s)",
                            p->profile, p->session);
    else
        vpcx_error_set_hint(err, "run: aws sso login --profile %s", p->profile);
    return VPCX_ERR_EXPIRED;
}

/* ---- calls ---- */

enum fetch_step { STEP_REFRESH, STEP_ROLE, STEP_DONE };

struct aws_sso_fetch {
    struct http_engine *http;
    struct aws_sso_profile p;
    struct aws_sso_token token;
    enum fetch_step step;
    uint64_t id; /* the transfer or the delivery timer */
    struct strbuf body;
    bool too_big;
    enum vpcx_status status;
    struct aws_credentials creds;
    struct vpcx_error err;
    aws_sso_done_fn done;
    void *ud;
};

static void wiped_release(struct strbuf *sb)
{
    if (sb->alloc)
        OPENSSL_cleanse(sb->buf, sb->alloc);
    strbuf_release(sb);
    strbuf_init(sb, 0);
}

static void fetch_free(struct aws_sso_fetch *f)
{
    aws_sso_profile_finish(&f->p);
    aws_sso_token_finish(&f->token);
    wiped_release(&f->body);
    aws_credentials_finish(&f->creds);
    vpcx_error_finish(&f->err);
    free(f);
}

static void fetch_deliver(void *ud)
{
    struct aws_sso_fetch *f = ud;
    f->done(f->ud, f->status, &f->creds, &f->err);
    fetch_free(f);
}

static void fetch_finish(struct aws_sso_fetch *f, enum vpcx_status st)
{
    f->status = st;
    f->step = STEP_DONE;
    wiped_release(&f->body);
    f->id = http_engine_add_timer(f->http, 0, fetch_deliver, f);
}

static bool fetch_data(void *ud, const char *data, size_t len, int http_status)
{
    struct aws_sso_fetch *f = ud;
    (void)http_status;
    if (!strbuf_add_bounded(&f->body, data, len, SSO_MAX_ANSWER))
        f->too_big = true;
    return !f->too_big;
}

/* An error answer of either service: {"error", "error_description"} (OIDC)
 * or {"__type"?, "message"} (portal). */
static enum vpcx_status answer_error(const char *call, const struct http_result *res,
                                     const cJSON *doc, struct vpcx_error *err)
{
    if (res->status != VPCX_OK)
        return vpcx_error_set(err, res->status, "%s: %s", call,
                              res->error ? res->error : vpcx_status_message(res->status));
    const char *code = json_get_text(doc, "error");
    if (!code)
        code = json_get_text(doc, "__type");
    const char *msg = json_get_text(doc, "error_description");
    if (!msg)
        msg = json_get_text(doc, "message");
    if (!msg)
        msg = json_get_text(doc, "Message");
    enum vpcx_status st = res->http_status == 401   ? VPCX_ERR_EXPIRED
                          : res->http_status == 403 ? VPCX_ERR_ACCESS_DENIED
                          : res->http_status == 429 ? VPCX_ERR_THROTTLED
                          : res->http_status >= 500 ? VPCX_ERR_SERVER
                                                    : VPCX_ERR_AWS;
    vpcx_error_set(err, st, "%s: HTTP %d%s%s%s%s", call, res->http_status, code ? " " : "",
                   code ? code : "", msg ? ": " : "", msg ? msg : "");
    err->http_status = res->http_status;
    return st;
}

static void role_done(void *ud, const struct http_result *res);
static void refresh_done(void *ud, const struct http_result *res);

/* RFC 3986 unreserved characters stay; everything else is %XX. */
static void add_query_value(struct strbuf *sb, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~')
            strbuf_addch(sb, (char)c);
        else
            strbuf_addf(sb, "%%%02X", c);
    }
}

static char *join_url(const char *base, const char *path)
{
    size_t n = strlen(base);
    while (n && base[n - 1] == '/')
        n--;
    return xasprintf("%.*s%s", (int)n, base, path);
}

static void start_role(struct aws_sso_fetch *f)
{
    f->step = STEP_ROLE;
    struct strbuf url = STRBUF_INIT;
    strbuf_init(&url, 0);
    char *base = join_url(f->p.portal_endpoint, "/federation/credentials?account_id=");
    strbuf_addstr(&url, base);
    free(base);
    add_query_value(&url, f->p.account_id);
    strbuf_addstr(&url, "&role_name=");
    add_query_value(&url, f->p.role_name);
    char *bearer = xasprintf("x-amz-sso_bearer_token: %s", f->token.access_token);
    const char *headers[] = {bearer, "Accept: application/json", NULL};
    wiped_release(&f->body);
    f->too_big = false;
    const struct http_request req = {
        .method = "GET",
        .url = url.buf,
        .headers = headers,
        .on_data = fetch_data,
        .on_done = role_done,
        .ud = f,
    };
    f->id = http_engine_submit(f->http, &req);
    OPENSSL_cleanse(bearer, strlen(bearer));
    free(bearer);
    strbuf_release(&url);
}

static void start_refresh(struct aws_sso_fetch *f)
{
    f->step = STEP_REFRESH;
    cJSON *req_doc = cJSON_CreateObject();
    cJSON_AddStringToObject(req_doc, "grantType", "refresh_token");
    cJSON_AddStringToObject(req_doc, "clientId", f->token.client_id);
    cJSON_AddStringToObject(req_doc, "clientSecret", f->token.client_secret);
    cJSON_AddStringToObject(req_doc, "refreshToken", f->token.refresh_token);
    char *body = cJSON_PrintUnformatted(req_doc);
    json_wipe(req_doc);
    cJSON_Delete(req_doc);
    if (!body)
        abort();
    char *url = join_url(f->p.oidc_endpoint, "/token");
    const char *headers[] = {"Content-Type: application/json", "Accept: application/json", NULL};
    wiped_release(&f->body);
    f->too_big = false;
    const struct http_request req = {
        .method = "POST",
        .url = url,
        .headers = headers,
        .body = body,
        .body_len = strlen(body),
        .on_data = fetch_data,
        .on_done = refresh_done,
        .ud = f,
    };
    f->id = http_engine_submit(f->http, &req);
    OPENSSL_cleanse(body, strlen(body));
    free(body);
    free(url);
}

/* After a refresh (or none): GetRoleCredentials if the token is valid. */
static void after_refresh(struct aws_sso_fetch *f, const struct vpcx_error *refresh_err)
{
    if (f->token.expires_at > time(NULL)) {
        start_role(f);
        return;
    }
    char *when = format_utc(f->token.expires_at);
    char *why = refresh_err && refresh_err->message
                    ? xasprintf("the token expired at %s and could not be refreshed (%s)", when,
                                refresh_err->message)
                    : xasprintf("the token expired at %s", when);
    fetch_finish(f, aws_sso_login_needed(&f->p, why, &f->err));
    free(why);
    free(when);
}

static cJSON *answer_doc(struct aws_sso_fetch *f)
{
    return f->too_big ? NULL : cJSON_ParseWithLength(f->body.buf ? f->body.buf : "", f->body.len);
}

static void refresh_done(void *ud, const struct http_result *res)
{
    struct aws_sso_fetch *f = ud;
    cJSON *doc = answer_doc(f);
    struct vpcx_error rerr;
    vpcx_error_init(&rerr);
    enum vpcx_status st;
    if (res->status != VPCX_OK || res->http_status != 200)
        st = answer_error("SSO-OIDC CreateToken", res, doc, &rerr);
    else
        st = aws_sso_token_apply(&f->token, doc, &f->p, time(NULL), &rerr);
    json_wipe(doc);
    cJSON_Delete(doc);
    wiped_release(&f->body);
    /* The new token is used even if the cache cannot be written: say so only
     * when it fails later. */
    if (st == VPCX_OK)
        aws_sso_token_save(f->p.cache_path, &f->token, &rerr);
    after_refresh(f, st == VPCX_OK ? NULL : &rerr);
    vpcx_error_finish(&rerr);
}

static enum vpcx_status take_role(struct aws_sso_fetch *f, const cJSON *doc)
{
    const cJSON *rc = cJSON_GetObjectItemCaseSensitive(doc, "roleCredentials");
    const char *akid = json_get_text(rc, "accessKeyId");
    const char *secret = json_get_text(rc, "secretAccessKey");
    const char *token = json_get_text(rc, "sessionToken");
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(rc, "expiration");
    const char *bad = !akid     ? "accessKeyId"
                      : !secret ? "secretAccessKey"
                      : !token  ? "sessionToken"
                      : !cJSON_IsNumber(exp) || !(exp->valuedouble > 0) ||
                              exp->valuedouble > 4102444800000.0 /* 2100, in ms */
                          ? "expiration"
                          : NULL;
    if (bad)
        return vpcx_error_set(&f->err, VPCX_ERR_PARSE,
                              "SSO GetRoleCredentials: the answer's roleCredentials.%s is "
                              "missing or not valid; no credentials were taken from it",
                              bad);
    aws_credentials_finish(&f->creds);
    f->creds.access_key_id = xstrdup(akid);
    f->creds.secret_access_key = xstrdup(secret);
    f->creds.session_token = xstrdup(token);
    f->creds.expiration = (time_t)(exp->valuedouble / 1000.0); /* milliseconds */
    f->creds.source = AWS_SRC_SSO;
    f->creds.origin = f->p.session ? xasprintf("sso: session %s, account %s, role %s", f->p.session,
                                               f->p.account_id, f->p.role_name)
                                   : xasprintf("sso: start URL %s, account %s, role %s",
                                               f->p.start_url, f->p.account_id, f->p.role_name);
    return VPCX_OK;
}

static void role_done(void *ud, const struct http_result *res)
{
    struct aws_sso_fetch *f = ud;
    cJSON *doc = answer_doc(f);
    enum vpcx_status st;
    if (res->status != VPCX_OK || res->http_status != 200)
        st = answer_error("SSO GetRoleCredentials", res, doc, &f->err);
    else
        st = take_role(f, doc);
    json_wipe(doc);
    cJSON_Delete(doc);
    if (st == VPCX_ERR_EXPIRED) {
        char *why = xstrdup(f->err.message);
        aws_sso_login_needed(&f->p, why, &f->err);
        free(why);
    }
    fetch_finish(f, st);
}

static enum vpcx_status load_token(struct aws_sso_fetch *f)
{
    struct strbuf text = STRBUF_INIT;
    strbuf_init(&text, 0);
    enum vpcx_status st;
    if (access(f->p.cache_path, F_OK) != 0 && errno == ENOENT) {
        char *why = xasprintf("no cached token (%s does not exist)", f->p.cache_path);
        st = aws_sso_login_needed(&f->p, why, &f->err);
        free(why);
    } else {
        st = file_read_all(f->p.cache_path, AWS_SSO_MAX_FILE, &text, &f->err);
    }
    if (st == VPCX_OK)
        st = aws_sso_token_parse(text.buf, text.len, f->p.cache_path, &f->token, &f->err);
    wiped_release(&text);
    return st;
}

struct aws_sso_fetch *aws_sso_fetch_start(struct http_engine *http, const struct aws_sso_profile *p,
                                          aws_sso_done_fn done, void *ud)
{
    struct aws_sso_fetch *f = xcalloc(1, sizeof(*f));
    f->http = http;
    f->done = done;
    f->ud = ud;
    strbuf_init(&f->body, 0);
    aws_credentials_init(&f->creds);
    vpcx_error_init(&f->err);
    aws_sso_profile_copy(&f->p, p);
    enum vpcx_status st = load_token(f);
    time_t now = time(NULL);
    if (st != VPCX_OK)
        fetch_finish(f, st);
    else if (f->p.session && f->token.expires_at - now < AWS_SSO_REFRESH_WINDOW_S &&
             aws_sso_token_refreshable(&f->token, now))
        start_refresh(f);
    else
        after_refresh(f, NULL);
    return f;
}

void aws_sso_fetch_cancel(struct aws_sso_fetch *f)
{
    if (!f)
        return;
    http_engine_cancel(f->http, f->id);
    fetch_free(f);
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

enum vpcx_status aws_sso_fetch_sync(struct http_engine *http, const struct aws_sso_profile *p,
                                    struct aws_credentials *out, struct vpcx_error *err)
{
    struct sync_wait w = {.out = out, .err = err};
    aws_sso_fetch_start(http, p, sync_done, &w);
    while (!w.done) {
        if (http_engine_step(http, -1, -1, NULL) != VPCX_OK && !w.done)
            return vpcx_error_set(err, VPCX_ERR_INTERNAL, "the HTTP engine failed");
    }
    return w.status;
}
