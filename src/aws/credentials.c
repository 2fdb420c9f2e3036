#include "vpcx/aws/credentials.h"

#include "vpcx/aws/container.h"
#include "vpcx/aws/credproc.h"
#include "vpcx/aws/imds.h"
#include "vpcx/aws/login.h"
#include "vpcx/aws/sso.h"
#include "vpcx/core/json.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the credentials record ---- */

static void free_secret(char *s)
{
    if (s)
        OPENSSL_cleanse(s, strlen(s));
    free(s);
}

void aws_credentials_init(struct aws_credentials *c)
{
    memset(c, 0, sizeof(*c));
}

void aws_credentials_finish(struct aws_credentials *c)
{
    if (!c)
        return;
    free(c->access_key_id);
    free_secret(c->secret_access_key);
    free_secret(c->session_token);
    free(c->origin);
    aws_credentials_init(c);
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void aws_credentials_copy(struct aws_credentials *dst, const struct aws_credentials *src)
{
    aws_credentials_finish(dst);
    dst->access_key_id = dup_or_null(src->access_key_id);
    dst->secret_access_key = dup_or_null(src->secret_access_key);
    dst->session_token = dup_or_null(src->session_token);
    dst->expiration = src->expiration;
    dst->source = src->source;
    dst->origin = dup_or_null(src->origin);
}

enum vpcx_status aws_credentials_check(const struct aws_credentials *c, struct vpcx_error *err)
{
    bool akid = c->access_key_id && *c->access_key_id;
    bool secret = c->secret_access_key && *c->secret_access_key;
    if (akid && secret && (!c->session_token || *c->session_token))
        return VPCX_OK;
    return vpcx_error_set(err, VPCX_ERR_NO_CREDENTIALS, "partial credentials from %s: %s",
                          c->origin ? c->origin : "an unnamed source",
                          !akid    ? "the access key ID is missing or empty"
                          : secret ? "the session token is empty"
                                   : "the secret access key is missing or empty");
}

bool aws_credentials_expired(const struct aws_credentials *c, time_t now, int skew_seconds)
{
    return c->expiration != 0 && now + skew_seconds >= c->expiration;
}

enum aws_refresh aws_credentials_refresh_due(const struct aws_credentials *c, time_t now)
{
    if (aws_credentials_expired(c, now, AWS_REFRESH_MANDATORY_S))
        return AWS_REFRESH_MANDATORY;
    if (aws_credentials_expired(c, now, AWS_REFRESH_ADVISORY_S))
        return AWS_REFRESH_ADVISORY;
    return AWS_REFRESH_NONE;
}

char *aws_format_time_left(time_t expiration, time_t now)
{
    if (expiration <= now)
        return xstrdup("expired");
    long long left = (long long)(expiration - now);
    if (left < 60)
        return xasprintf("%lld s", left);
    long long min = left / 60;
    if (min < 60)
        return xasprintf("%lld min", min);
    if (min < 48 * 60)
        return min % 60 ? xasprintf("%lld h %lld min", min / 60, min % 60)
                        : xasprintf("%lld h", min / 60);
    return xasprintf("%lld d %lld h", min / (24 * 60), min / 60 % 24);
}

static void creds_set(struct aws_credentials *c, const char *akid, const char *secret,
                      const char *token, enum aws_source src, char *origin)
{
    aws_credentials_finish(c);
    c->access_key_id = xstrdup(akid);
    c->secret_access_key = xstrdup(secret);
    c->session_token = token && *token ? xstrdup(token) : NULL;
    c->source = src;
    c->origin = sanitize_dup(origin, SANITIZE_ESCAPE);
    free(origin);
}

/* ---- ISO 8601 ---- */

/* Reads exactly n digits. */
static bool read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool read_zone(const char *p, int *offset)
{
    *offset = 0;
    if (*p == '\0' || ((*p == 'Z' || *p == 'z') && p[1] == '\0'))
        return true;
    if (*p != '+' && *p != '-')
        return false;
    int sign = *p++ == '-' ? -1 : 1, hh, mm = 0;
    if (!read_digits(&p, 2, &hh))
        return false;
    if (*p == ':')
        p++;
    if (*p && !read_digits(&p, 2, &mm))
        return false;
    if (*p || hh > 23 || mm > 59)
        return false;
    *offset = sign * (hh * 3600 + mm * 60);
    return true;
}

bool aws_parse_iso8601(const char *s, time_t *out)
{
    struct tm tm = {0};
    int y, mo, d, h, mi, sec, offset;
    const char *p = s;
    if (!read_digits(&p, 4, &y) || *p++ != '-' || !read_digits(&p, 2, &mo) || *p++ != '-' ||
        !read_digits(&p, 2, &d))
        return false;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return false;
    p++;
    if (!read_digits(&p, 2, &h) || *p++ != ':' || !read_digits(&p, 2, &mi) || *p++ != ':' ||
        !read_digits(&p, 2, &sec))
        return false;
    if (*p == '.' || *p == ',') {
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (!read_zone(p, &offset) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        sec > 60)
        return false;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    *out = timegm(&tm) - offset;
    return true;
}

/* ---- role cache ---- */

struct role_cache_entry {
    char *key;
    struct aws_credentials creds;
    struct role_cache_entry *next;
};

struct aws_role_cache {
    struct role_cache_entry *head;
};

struct aws_role_cache *aws_role_cache_create(void)
{
    return xcalloc(1, sizeof(struct aws_role_cache));
}

void aws_role_cache_clear(struct aws_role_cache *cache)
{
    while (cache && cache->head) {
        struct role_cache_entry *e = cache->head;
        cache->head = e->next;
        free(e->key);
        aws_credentials_finish(&e->creds);
        free(e);
    }
}

void aws_role_cache_destroy(struct aws_role_cache *cache)
{
    aws_role_cache_clear(cache);
    free(cache);
}

static struct role_cache_entry *cache_find(struct aws_role_cache *cache, const char *key)
{
    for (struct role_cache_entry *e = cache ? cache->head : NULL; e; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

static bool cache_get(struct aws_role_cache *cache, const char *key, struct aws_credentials *out)
{
    struct role_cache_entry *e = cache_find(cache, key);
    if (!e || aws_credentials_expired(&e->creds, time(NULL), AWS_ROLE_CACHE_WINDOW_S))
        return false;
    aws_credentials_copy(out, &e->creds);
    return true;
}

static void cache_put(struct aws_role_cache *cache, const char *key,
                      const struct aws_credentials *creds)
{
    if (!cache || creds->expiration == 0)
        return;
    struct role_cache_entry *e = cache_find(cache, key);
    if (!e) {
        e = xcalloc(1, sizeof(*e));
        e->key = xstrdup(key);
        e->next = cache->head;
        cache->head = e;
    }
    aws_credentials_copy(&e->creds, creds);
}

/* ---- credential_process ---- */

static void json_wipe(cJSON *node)
{
    for (; node; node = node->next) {
        if (node->valuestring)
            OPENSSL_cleanse(node->valuestring, strlen(node->valuestring));
        json_wipe(node->child);
    }
}

static enum vpcx_status process_fields(const cJSON *root, const char *label,
                                       struct aws_credentials *out, struct vpcx_error *err)
{
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "Version");
    if (!cJSON_IsNumber(version) || version->valuedouble != 1)
        return vpcx_error_set(err, VPCX_ERR_CREDENTIAL_PROCESS,
                              "%s: unsupported or missing Version (supported: 1)", label);
    const char *akid = json_get_str(root, "AccessKeyId");
    const char *secret = json_get_str(root, "SecretAccessKey");
    if (!akid || !*akid || !secret || !*secret)
        return vpcx_error_set(err, VPCX_ERR_CREDENTIAL_PROCESS, "%s: the output lacks %s", label,
                              !akid || !*akid ? "AccessKeyId" : "SecretAccessKey");
    const char *expiration = json_get_str(root, "Expiration");
    time_t exp = 0;
    if (expiration && !aws_parse_iso8601(expiration, &exp))
        return vpcx_error_set(err, VPCX_ERR_CREDENTIAL_PROCESS,
                              "%s: Expiration is not an ISO 8601 time", label);
    creds_set(out, akid, secret, json_get_str(root, "SessionToken"), AWS_SRC_PROCESS,
              xstrdup(label));
    out->expiration = exp;
    return VPCX_OK;
}

enum vpcx_status aws_credentials_from_process_output(const char *output, size_t len,
                                                     const char *label, struct aws_credentials *out,
                                                     struct vpcx_error *err)
{
    enum vpcx_status st;
    cJSON *root = cJSON_ParseWithLength(output, len);
    if (cJSON_IsObject(root))
        st = process_fields(root, label, out, err);
    else
        st = vpcx_error_set(err, VPCX_ERR_CREDENTIAL_PROCESS, "%s: the output is not a JSON object",
                            label);
    json_wipe(root);
    cJSON_Delete(root);
    return st;
}

enum vpcx_status aws_credentials_from_process(const char *command, const char *label,
                                              int timeout_ms, size_t max_output,
                                              struct aws_credentials *out, struct vpcx_error *err)
{
    struct strbuf buf = STRBUF_INIT;
    strbuf_init(&buf, 0);
    enum vpcx_status st = credproc_run(command, label, timeout_ms, max_output, &buf, err);
    if (st == VPCX_OK)
        st = aws_credentials_from_process_output(buf.buf, buf.len, label, out, err);
    if (buf.alloc)
        OPENSSL_cleanse(buf.buf, buf.alloc);
    strbuf_release(&buf);
    return st;
}

/* ---- the chain ---- */

struct chain {
    const struct aws_settings *s;
    const struct aws_env *env;
    const struct aws_sts_ops *ops;
    struct vpcx_error *err;
    const char **visited; /* profiles entered through source_profile */
    size_t nvisited;
    char *imds_note; /* why the instance metadata had no credentials */
};

static void visit(struct chain *c, const char *profile)
{
    c->visited = xreallocarray(c->visited, c->nvisited + 1, sizeof(*c->visited));
    c->visited[c->nvisited++] = profile;
}

static bool visited(const struct chain *c, const char *profile)
{
    for (size_t i = 0; i < c->nvisited; i++)
        if (strcmp(c->visited[i], profile) == 0)
            return true;
    return false;
}

static const char *path_or(const char *path)
{
    return path ? path : "(no file: HOME is not set)";
}

static enum vpcx_status from_env(struct chain *c, struct aws_credentials *out, bool *found)
{
    const char *akid = aws_env_get(c->env, "AWS_ACCESS_KEY_ID");
    *found = akid != NULL;
    if (!akid)
        return VPCX_OK;
    const char *secret = aws_env_get(c->env, "AWS_SECRET_ACCESS_KEY");
    if (!secret) /* aws_env_get: an empty variable counts as unset */
        return vpcx_error_set(c->err, VPCX_ERR_CONFIG,
                              "partial credentials in the environment: AWS_ACCESS_KEY_ID is set "
                              "but AWS_SECRET_ACCESS_KEY is unset or empty");
    const char *token = aws_env_get(c->env, "AWS_SECURITY_TOKEN");
    if (!token)
        token = aws_env_get(c->env, "AWS_SESSION_TOKEN");
    const char *expiration = aws_env_get(c->env, "AWS_CREDENTIAL_EXPIRATION");
    time_t exp = 0;
    if (expiration && !aws_parse_iso8601(expiration, &exp))
        return vpcx_error_set(c->err, VPCX_ERR_CONFIG,
                              "AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 time");
    creds_set(out, akid, secret, token, AWS_SRC_ENV, xstrdup("env AWS_ACCESS_KEY_ID"));
    out->expiration = exp;
    return VPCX_OK;
}

/* Static keys of one section (credentials file [P] or config profile P). */
static enum vpcx_status from_section(struct chain *c, const struct ini_section *sec,
                                     enum aws_source src, char *origin, struct aws_credentials *out,
                                     bool *found)
{
    *found = ini_section_entry(sec, "aws_access_key_id") != NULL;
    if (!*found) {
        free(origin);
        return VPCX_OK;
    }
    const char *akid = ini_section_get(sec, "aws_access_key_id");
    const char *secret = ini_section_get(sec, "aws_secret_access_key");
    if (!akid || !*akid || !secret || !*secret) {
        vpcx_error_set(c->err, VPCX_ERR_CONFIG, "partial credentials in %s: %s is missing or empty",
                       origin, !akid || !*akid ? "aws_access_key_id" : "aws_secret_access_key");
        free(origin);
        return VPCX_ERR_CONFIG;
    }
    const char *token = ini_section_entry(sec, "aws_security_token")
                            ? ini_section_get(sec, "aws_security_token")
                            : ini_section_get(sec, "aws_session_token");
    creds_set(out, akid, secret, token, src, origin);
    return VPCX_OK;
}

static enum vpcx_status from_process(struct chain *c, const char *profile,
                                     const struct aws_profile_view *v, struct aws_credentials *out,
                                     bool *found)
{
    const char *command = aws_profile_get(v, "credential_process");
    *found = command && *command;
    if (!*found)
        return VPCX_OK;
    char *label = xasprintf("credential_process of profile %s", profile);
    enum vpcx_status st = c->ops && c->ops->run_process
                              ? c->ops->run_process(c->ops->ud, command, label, out, c->err)
                              : aws_credentials_from_process(command, label, AWS_PROCESS_TIMEOUT_MS,
                                                             AWS_PROCESS_MAX_OUTPUT, out, c->err);
    free(label);
    return st;
}

/* IAM Identity Center (aws/sso.h); the portal call goes through the ops. */
static enum vpcx_status from_sso(struct chain *c, const char *profile, struct aws_credentials *out,
                                 bool *found)
{
    struct aws_sso_profile p;
    enum vpcx_status st = aws_sso_profile_load(c->s, c->env, profile, &p, found, c->err);
    if (st != VPCX_OK || !*found)
        return st;
    if (c->ops && c->ops->sso_credentials)
        st = c->ops->sso_credentials(c->ops->ud, &p, out, c->err);
    else
        st = vpcx_error_set(c->err, VPCX_ERR_INTERNAL,
                            "profile %s uses IAM Identity Center but no SSO client is available",
                            profile);
    aws_sso_profile_finish(&p);
    return st;
}

/* An `aws login` console session (aws/login.h), refreshed through the ops. */
static enum vpcx_status from_login(struct chain *c, const char *profile,
                                   struct aws_credentials *out, bool *found)
{
    struct aws_login_session ls;
    enum vpcx_status st = aws_login_profile_load(c->s, c->env, profile, &ls, found, c->err);
    if (st != VPCX_OK || !*found)
        return st;
    bool stale = false;
    time_t now = time(NULL);
    st = aws_login_read(&ls, now, out, &stale, c->err);
    if (st == VPCX_OK && stale && c->ops && c->ops->login_refresh)
        st = c->ops->login_refresh(c->ops->ud, &ls, out, c->err);
    else if (st == VPCX_OK && out->expiration <= now)
        st = aws_login_read(&ls, now, out, NULL, c->err); /* the expired-session message */
    aws_login_session_finish(&ls);
    return st;
}

/* The fetched credentials, named after req's label unless the fetch named them. */
static enum vpcx_status fetch(struct chain *c, const struct aws_fetch_request *req,
                              enum aws_source src, struct aws_credentials *out)
{
    if (!c->ops || !c->ops->fetch)
        return vpcx_error_set(c->err, VPCX_ERR_INTERNAL,
                              "%s: no HTTP client is available to fetch the credentials",
                              req->label);
    enum vpcx_status st = c->ops->fetch(c->ops->ud, req, out, c->err);
    if (st != VPCX_OK)
        return st;
    out->source = src;
    if (!out->origin)
        out->origin = sanitize_dup(req->label, SANITIZE_ESCAPE);
    return aws_credentials_check(out, c->err);
}

/* A web identity setting: the environment variable (unless skipped), else the profile's key. */
static const char *webid_setting(struct chain *c, const struct aws_profile_view *v,
                                 bool disable_env, const char *var, const char *key)
{
    const char *val = disable_env ? NULL : aws_env_get(c->env, var);
    if (!val) {
        val = aws_profile_get(v, key);
        if (val && !*val)
            val = NULL;
    }
    return val;
}

static enum vpcx_status from_web_identity(struct chain *c, const char *profile,
                                          const struct aws_profile_view *v, bool disable_env,
                                          struct aws_credentials *out, bool *found)
{
    const char *file =
        webid_setting(c, v, disable_env, "AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file");
    *found = file != NULL;
    if (!file)
        return VPCX_OK;
    const char *role = webid_setting(c, v, disable_env, "AWS_ROLE_ARN", "role_arn");
    if (!role)
        return vpcx_error_set(c->err, VPCX_ERR_CONFIG,
                              "a web identity token file is set for profile %s but no role: set "
                              "AWS_ROLE_ARN or role_arn",
                              profile);
    const char *session =
        webid_setting(c, v, disable_env, "AWS_ROLE_SESSION_NAME", "role_session_name");
    char *def_session = session ? NULL : xasprintf("botocore-session-%lld", (long long)time(NULL));
    char *label = xasprintf("web identity %s (token file %s)", role, file);
    const struct aws_fetch_request req = {
        .kind = AWS_FETCH_WEB_IDENTITY,
        .label = label,
        .role_arn = role,
        .role_session_name = session ? session : def_session,
        .token_file = file,
        .region = c->s->region.value,
    };
    enum vpcx_status st = fetch(c, &req, AWS_SRC_WEB_IDENTITY, out);
    free(label);
    free(def_session);
    return st;
}

static enum vpcx_status from_container(struct chain *c, struct aws_credentials *out, bool *found)
{
    char *url = NULL;
    enum vpcx_status st = container_url(c->env, &url, c->err);
    *found = url != NULL;
    if (st != VPCX_OK || !url)
        return st;
    const char *file = aws_env_get(c->env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    char *label = xasprintf("container credentials %s", url);
    const struct aws_fetch_request req = {
        .kind = AWS_FETCH_CONTAINER,
        .label = label,
        .url = url,
        .auth_token_file = file,
        .auth_token = file ? NULL : aws_env_get(c->env, "AWS_CONTAINER_AUTHORIZATION_TOKEN"),
    };
    st = fetch(c, &req, AWS_SRC_CONTAINER, out);
    free(label);
    free(url);
    return st;
}

/* required: credential_source = Ec2InstanceMetadata, where a failure is the
 * error; else a failure only means "not on an instance" (kept for the hint). */
static enum vpcx_status from_imds(struct chain *c, const char *profile, bool required,
                                  struct aws_credentials *out, bool *found)
{
    struct aws_profile_view v;
    aws_settings_profile(c->s, profile, &v);
    struct imds_config cfg;
    *found = false;
    enum vpcx_status st = imds_config_resolve(c->env, &v, &cfg, c->err);
    if (st != VPCX_OK || (!required && (cfg.disabled || !c->ops || !c->ops->fetch))) {
        if (st == VPCX_OK && cfg.disabled)
            c->imds_note = xstrdup("instance metadata disabled (AWS_EC2_METADATA_DISABLED)");
        imds_config_finish(&cfg);
        return st;
    }
    if (cfg.disabled) {
        imds_config_finish(&cfg);
        return vpcx_error_set(c->err, VPCX_ERR_NO_CREDENTIALS,
                              "profile %s has credential_source = Ec2InstanceMetadata but "
                              "AWS_EC2_METADATA_DISABLED is true",
                              profile);
    }
    const struct aws_fetch_request req = {
        .kind = AWS_FETCH_IMDS,
        .label = "instance metadata",
        .endpoint = cfg.endpoint,
        .v1_disabled = cfg.v1_disabled,
    };
    st = fetch(c, &req, AWS_SRC_IMDS, out);
    imds_config_finish(&cfg);
    *found = st == VPCX_OK;
    if (st == VPCX_OK || required || st == VPCX_ERR_CANCELLED)
        return st;
    free(c->imds_note);
    c->imds_note = xstrdup(c->err && c->err->message ? c->err->message : "instance metadata");
    aws_credentials_finish(out);
    return VPCX_OK;
}

/* botocore's profile providers: web identity, SSO, credentials file,
 * login, credential_process, config file. */
static enum vpcx_status from_profile(struct chain *c, const char *profile, bool disable_env,
                                     struct aws_credentials *out, bool *found)
{
    struct aws_profile_view v;
    aws_settings_profile(c->s, profile, &v);
    *found = false;
    enum vpcx_status st = from_web_identity(c, profile, &v, disable_env, out, found);
    if (st != VPCX_OK || *found)
        return st;
    st = from_sso(c, profile, out, found);
    if (st == VPCX_OK && !*found)
        st = from_section(
            c, v.credentials, AWS_SRC_CREDENTIALS,
            xasprintf("shared credentials file %s [%s]", path_or(c->s->credentials_path), profile),
            out, found);
    if (st == VPCX_OK && !*found)
        st = from_login(c, profile, out, found);
    if (st == VPCX_OK && !*found)
        st = from_process(c, profile, &v, out, found);
    if (st == VPCX_OK && !*found)
        st = from_section(
            c, v.config, AWS_SRC_CONFIG,
            xasprintf("config file %s, profile %s", path_or(c->s->config_path), profile), out,
            found);
    return st;
}

static enum vpcx_status assume_role(struct chain *c, const char *profile,
                                    struct aws_credentials *out);

static bool has_static_keys(const struct aws_profile_view *v)
{
    return aws_profile_has(v, "aws_access_key_id") || aws_profile_has(v, "aws_secret_access_key");
}

static enum vpcx_status check_source_profile(struct chain *c, const char *parent,
                                             const char *source)
{
    struct aws_profile_view v;
    if (!aws_settings_profile(c->s, source, &v))
        return vpcx_error_set(c->err, VPCX_ERR_CONFIG,
                              "the source_profile '%s' of profile %s does not exist", source,
                              parent);
    if (!visited(c, source) || (strcmp(source, parent) == 0 && has_static_keys(&v)))
        return VPCX_OK;
    struct strbuf path = STRBUF_INIT;
    strbuf_init(&path, 0);
    for (size_t i = 0; i < c->nvisited; i++)
        strbuf_addf(&path, "%s -> ", c->visited[i]);
    strbuf_addstr(&path, source);
    vpcx_error_set(c->err, VPCX_ERR_CONFIG, "source_profile loop: %s", path.buf);
    strbuf_release(&path);
    return VPCX_ERR_CONFIG;
}

/* The credentials that sign the AssumeRole call of profile. */
static enum vpcx_status role_source(struct chain *c, const char *profile, const char *source,
                                    const char *cred_source, struct aws_credentials *out)
{
    bool found;
    if (cred_source && strcmp(cred_source, "EcsContainer") == 0) {
        enum vpcx_status st = from_container(c, out, &found);
        if (st == VPCX_OK && !found)
            st = vpcx_error_set(c->err, VPCX_ERR_NO_CREDENTIALS,
                                "profile %s has credential_source = EcsContainer but neither "
                                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor _FULL_URI is set",
                                profile);
        return st;
    }
    if (cred_source && strcmp(cred_source, "Ec2InstanceMetadata") == 0)
        return from_imds(c, profile, true, out, &found);
    if (cred_source) {
        enum vpcx_status st = from_env(c, out, &found);
        if (st == VPCX_OK && !found)
            st = vpcx_error_set(c->err, VPCX_ERR_NO_CREDENTIALS,
                                "profile %s has credential_source = Environment but "
                                "AWS_ACCESS_KEY_ID is not set",
                                profile);
        return st;
    }
    visit(c, source);
    struct aws_profile_view v;
    aws_settings_profile(c->s, source, &v);
    if (!has_static_keys(&v) && aws_profile_has(&v, "role_arn"))
        return assume_role(c, source, out);
    enum vpcx_status st = from_profile(c, source, true, out, &found);
    if (st == VPCX_OK && !found)
        st = vpcx_error_set(c->err, VPCX_ERR_NO_CREDENTIALS,
                            "the source profile %s (of profile %s) has no credentials", source,
                            profile);
    return st;
}

static enum vpcx_status check_role_config(struct chain *c, const char *profile, const char *source,
                                          const char *cred_source)
{
    if (source && cred_source)
        return vpcx_error_set(c->err, VPCX_ERR_CONFIG,
                              "profile %s has both source_profile and credential_source", profile);
    if (!source && !cred_source)
        return vpcx_error_set(c->err, VPCX_ERR_CONFIG,
                              "profile %s has role_arn but neither source_profile nor "
                              "credential_source",
                              profile);
    if (source)
        return check_source_profile(c, profile, source);
    if (strcmp(cred_source, "Environment") == 0 ||
        strcmp(cred_source, "Ec2InstanceMetadata") == 0 || strcmp(cred_source, "EcsContainer") == 0)
        return VPCX_OK;
    return vpcx_error_set(c->err, VPCX_ERR_CONFIG,
                          "the credential_source '%s' of profile %s is not valid (use "
                          "Environment, Ec2InstanceMetadata or EcsContainer)",
                          cred_source, profile);
}

static char *cache_key(const char *profile, const struct aws_profile_view *v)
{
    static const char *const keys[] = {"role_arn",         "role_session_name", "external_id",
                                       "duration_seconds", "mfa_serial",        "source_profile",
                                       "credential_source"};
    struct strbuf key = STRBUF_INIT;
    strbuf_init(&key, 0);
    strbuf_addstr(&key, profile);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *val = aws_profile_get(v, keys[i]);
        strbuf_addf(&key, "\n%s", val ? val : "");
    }
    return strbuf_detach(&key, NULL);
}

static int parse_duration(const char *s)
{
    if (!s)
        return 0;
    char *end;
    errno = 0;
    long n = strtol(s, &end, 10);
    return errno || *end || end == s || n <= 0 || n > 43200 ? 0 : (int)n;
}

static enum vpcx_status call_sts(struct chain *c, const char *profile,
                                 const struct aws_profile_view *v,
                                 const struct aws_credentials *src, struct aws_credentials *out)
{
    char *session = NULL, *code = NULL;
    struct aws_assume_role_params params = {
        .role_arn = aws_profile_get(v, "role_arn"),
        .role_session_name = aws_profile_get(v, "role_session_name"),
        .external_id = aws_profile_get(v, "external_id"),
        .duration_seconds = parse_duration(aws_profile_get(v, "duration_seconds")),
        .mfa_serial = aws_profile_get(v, "mfa_serial"),
    };
    if (!params.role_session_name) {
        session = xasprintf("botocore-session-%lld", (long long)time(NULL));
        params.role_session_name = session;
    }
    enum vpcx_status st = VPCX_OK;
    if (params.mfa_serial) {
        code = c->ops->prompt_mfa
                   ? c->ops->prompt_mfa(c->ops->prompt_ud ? c->ops->prompt_ud : c->ops->ud,
                                        params.mfa_serial)
                   : NULL;
        params.token_code = code;
        if (!code)
            st = vpcx_error_set(c->err, VPCX_ERR_AUTH,
                                "profile %s needs an MFA code for %s and none was given", profile,
                                params.mfa_serial);
    }
    if (st == VPCX_OK)
        st = c->ops->assume_role(c->ops->ud, src, &params, c->s->region.value, out, c->err);
    free(session);
    free_secret(code);
    return st;
}

/* Marks out as assumed-role credentials from origin (taken), checks that they can sign and
   caches them under key: never cache what cannot sign. */
static enum vpcx_status assumed_keep(struct chain *c, struct aws_role_cache *cache, const char *key,
                                     char *origin, struct aws_credentials *out)
{
    free(out->origin);
    out->source = AWS_SRC_ASSUME_ROLE;
    out->origin = sanitize_dup(origin, SANITIZE_ESCAPE);
    free(origin);
    enum vpcx_status st = aws_credentials_check(out, c->err);
    if (st == VPCX_OK)
        cache_put(cache, key, out);
    return st;
}

static enum vpcx_status assume_role(struct chain *c, const char *profile,
                                    struct aws_credentials *out)
{
    struct aws_profile_view v;
    aws_settings_profile(c->s, profile, &v);
    const char *source = aws_profile_get(&v, "source_profile");
    const char *cred_source = aws_profile_get(&v, "credential_source");
    enum vpcx_status st = check_role_config(c, profile, source, cred_source);
    if (st != VPCX_OK)
        return st;
    char *key = cache_key(profile, &v);
    struct aws_role_cache *cache = c->ops ? c->ops->cache : NULL;
    if (cache_get(cache, key, out)) {
        free(key);
        return VPCX_OK;
    }
    if (!c->ops || !c->ops->assume_role) {
        free(key);
        return vpcx_error_set(c->err, VPCX_ERR_INTERNAL,
                              "profile %s assumes a role but no STS client is available", profile);
    }
    struct aws_credentials src;
    aws_credentials_init(&src);
    st = role_source(c, profile, source, cred_source, &src);
    if (st == VPCX_OK)
        st = call_sts(c, profile, &v, &src, out);
    if (st == VPCX_OK) {
        char *origin = source ? xasprintf("assume role %s via profile %s",
                                          aws_profile_get(&v, "role_arn"), source)
                              : xasprintf("assume role %s via credential_source %s",
                                          aws_profile_get(&v, "role_arn"), cred_source);
        st = assumed_keep(c, cache, key, origin, out);
    }
    aws_credentials_finish(&src);
    free(key);
    return st;
}

static enum vpcx_status none_found(struct chain *c, const char *profile)
{
    vpcx_error_set(c->err, VPCX_ERR_NO_CREDENTIALS, "no credentials found for profile %s", profile);
    vpcx_error_set_hint(c->err,
                        "looked at: env AWS_ACCESS_KEY_ID%s; [%s] in %s; credential_process and "
                        "keys of profile %s in %s; container credentials (not set); %s. Run "
                        "`aws configure%s%s` or export AWS_ACCESS_KEY_ID and "
                        "AWS_SECRET_ACCESS_KEY",
                        c->s->profile_explicit ? " (skipped: --profile was given)" : "", profile,
                        path_or(c->s->credentials_path), profile, path_or(c->s->config_path),
                        c->imds_note ? c->imds_note : "instance metadata",
                        strcmp(profile, "default") ? " --profile " : "",
                        strcmp(profile, "default") ? profile : "");
    return VPCX_ERR_NO_CREDENTIALS;
}

static enum vpcx_status run_chain(struct chain *c, struct aws_credentials *out)
{
    const char *profile = c->s->profile.value ? c->s->profile.value : "default";
    bool found = false;
    enum vpcx_status st;
    if (!c->s->profile_explicit) {
        st = from_env(c, out, &found);
        if (st != VPCX_OK || found)
            return st;
    }
    struct aws_profile_view v;
    aws_settings_profile(c->s, profile, &v);
    visit(c, profile);
    if (aws_profile_has(&v, "role_arn") && !aws_profile_has(&v, "web_identity_token_file"))
        return assume_role(c, profile, out);
    st = from_profile(c, profile, c->s->profile_explicit, out, &found);
    if (st == VPCX_OK && !found)
        st = from_container(c, out, &found);
    if (st == VPCX_OK && !found)
        st = from_imds(c, profile, false, out, &found);
    if (st != VPCX_OK || found)
        return st;
    return none_found(c, profile);
}

/* --org-role: the chain's credentials sign AssumeRole into settings->assume_role_arn,
   cached (and refreshed) as a role profile's are. */
static enum vpcx_status org_role(struct chain *c, struct aws_credentials *out)
{
    const char *profile = c->s->profile.value ? c->s->profile.value : "default";
    const char *arn = c->s->assume_role_arn;
    char *key = xasprintf("org-role\n%s\n%s", profile, arn);
    struct aws_role_cache *cache = c->ops ? c->ops->cache : NULL;
    if (cache_get(cache, key, out)) {
        free(key);
        return VPCX_OK;
    }
    if (!c->ops || !c->ops->assume_role) {
        free(key);
        return vpcx_error_set(c->err, VPCX_ERR_INTERNAL,
                              "assuming %s needs an STS client and none is available", arn);
    }
    struct aws_credentials src;
    aws_credentials_init(&src);
    enum vpcx_status st = run_chain(c, &src);
    if (st == VPCX_OK)
        st = aws_credentials_check(&src, c->err);
    if (st == VPCX_OK) {
        const struct aws_assume_role_params params = {.role_arn = arn, .role_session_name = "vpcx"};
        st = c->ops->assume_role(c->ops->ud, &src, &params, c->s->region.value, out, c->err);
        if (st != VPCX_OK && c->err->message) { /* say which role, whatever STS said */
            char *m = xasprintf("AssumeRole %s: %s", arn, c->err->message);
            free(c->err->message);
            c->err->message = m;
        }
    }
    if (st == VPCX_OK)
        st = assumed_keep(
            c, cache, key,
            xasprintf("assume role %s via %s", arn, src.origin ? src.origin : profile), out);
    aws_credentials_finish(&src);
    free(key);
    return st;
}

enum vpcx_status aws_credentials_resolve(const struct aws_settings *settings,
                                         const struct aws_env *env, const struct aws_sts_ops *ops,
                                         struct aws_credentials *out, struct vpcx_error *err)
{
    aws_credentials_init(out);
    struct chain c = {.s = settings, .env = env, .ops = ops, .err = err};
    enum vpcx_status st = settings->assume_role_arn ? org_role(&c, out) : run_chain(&c, out);
    free(c.visited);
    free(c.imds_note);
    if (st == VPCX_OK)
        st = aws_credentials_check(out, err);
    if (st != VPCX_OK)
        aws_credentials_finish(out);
    return st;
}
