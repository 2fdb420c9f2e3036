#include "vpcx/aws/login.h"

#include "vpcx/core/fileio.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static void json_wipe(cJSON *node)
{
    for (; node; node = node->next) {
        if (node->valuestring)
            OPENSSL_cleanse(node->valuestring, strlen(node->valuestring));
        json_wipe(node->child);
    }
}

static const char *json_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
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
        if (!json_str(root, required[i]))
            return required[i];
    static const char *const keys[] = {"accessToken.accessKeyId", "accessToken.secretAccessKey",
                                       "accessToken.sessionToken", "accessToken.expiresAt"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (!json_str(at, strchr(keys[i], '.') + 1))
            return keys[i];
    return NULL;
}

static enum vpcx_status take(const cJSON *root, const char *label, const char *profile,
                             const char *session, time_t now, struct aws_credentials *out,
                             struct vpcx_error *err)
{
    const char *bad = missing_field(root);
    if (bad) {
        vpcx_error_set(err, VPCX_ERR_NO_CREDENTIALS, "the console session %s (%s) lacks %s",
                       session, label, bad);
        return login_needed(profile, err);
    }
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(root, "accessToken");
    time_t exp;
    if (!aws_parse_iso8601(json_str(at, "expiresAt"), &exp))
        return vpcx_error_set(err, VPCX_ERR_PARSE,
                              "%s: accessToken.expiresAt is not an ISO 8601 time", label);
    if (exp <= now) {
        vpcx_error_set(err, VPCX_ERR_EXPIRED,
                       "the console session %s of profile %s has expired and vpcx cannot refresh "
                       "it",
                       session, profile);
        return login_needed(profile, err);
    }
    aws_credentials_finish(out);
    out->access_key_id = xstrdup(json_str(at, "accessKeyId"));
    out->secret_access_key = xstrdup(json_str(at, "secretAccessKey"));
    out->session_token = xstrdup(json_str(at, "sessionToken"));
    out->expiration = exp;
    out->source = AWS_SRC_LOGIN;
    const char *account = json_str(at, "accountId");
    out->origin = account ? xasprintf("login: session %s, account %s", session, account)
                          : xasprintf("login: session %s", session);
    return VPCX_OK;
}

enum vpcx_status aws_login_parse(const char *text, size_t len, const char *label,
                                 const char *profile, const char *session, time_t now,
                                 struct aws_credentials *out, struct vpcx_error *err)
{
    cJSON *root = cJSON_ParseWithLength(text, len);
    enum vpcx_status st = cJSON_IsObject(root) ? take(root, label, profile, session, now, out, err)
                                               : vpcx_error_set(err, VPCX_ERR_PARSE,
                                                                "%s is not a JSON object", label);
    json_wipe(root);
    cJSON_Delete(root);
    return st;
}

enum vpcx_status aws_login_from_profile(const struct aws_settings *s, const struct aws_env *env,
                                        const char *profile, struct aws_credentials *out,
                                        bool *found, struct vpcx_error *err)
{
    struct aws_profile_view v;
    aws_settings_profile(s, profile, &v);
    const char *session = aws_profile_get(&v, "login_session");
    *found = session != NULL;
    if (!session)
        return VPCX_OK;
    char *path = aws_login_cache_path(env, session);
    if (!path)
        return vpcx_error_set(err, VPCX_ERR_CONFIG,
                              "profile %s uses login_session but neither HOME nor "
                              "AWS_LOGIN_CACHE_DIRECTORY is set",
                              profile);
    struct strbuf text = STRBUF_INIT;
    strbuf_init(&text, 0);
    enum vpcx_status st;
    if (access(path, F_OK) != 0 && errno == ENOENT) {
        vpcx_error_set(err, VPCX_ERR_NO_CREDENTIALS,
                       "no console session %s for profile %s (%s does not exist)", session, profile,
                       path);
        st = login_needed(profile, err);
    } else {
        st = file_read_all(path, AWS_LOGIN_MAX_FILE, &text, err);
    }
    if (st == VPCX_OK)
        st = aws_login_parse(text.buf, text.len, path, profile, session, time(NULL), out, err);
    if (text.alloc)
        OPENSSL_cleanse(text.buf, text.alloc);
    strbuf_release(&text);
    free(path);
    return st;
}
