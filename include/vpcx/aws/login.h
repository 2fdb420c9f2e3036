/*
 * login: credentials of an `aws login` console session (a profile with
 * login_session = NAME), as botocore's LoginProvider gets them.
 *
 * The session is the file <dir>/<SHA-256 hex of NAME>.json, dir being
 * AWS_LOGIN_CACHE_DIRECTORY ("~/" expanded) or ~/.aws/login/cache. It holds
 * {"accessToken": {"accessKeyId", "secretAccessKey", "sessionToken",
 * "accountId", "expiresAt"}, "refreshToken", "dpopKey", "clientId", ...};
 * accessToken, refreshToken, dpopKey and clientId are required, as in
 * botocore. Credentials with more than 5 minutes left are taken as they are;
 * otherwise they are refreshed through the sign-in service's
 * CreateOAuth2Token (POST /v1/token, unsigned, body {"clientId",
 * "refreshToken", "grantType": "refresh_token"}) with a DPoP proof: an
 * ES256 JWT signed with dpopKey (header typ dpop+jwt and the public jwk;
 * claims htm POST, htu the URL, iat, jti). The answer's keys, refresh token
 * and expiresAt (now + expiresIn) are written back into the file (every
 * other field kept; temp file, rename, 0600). A refresh the service refuses
 * (or a missing session) is VPCX_ERR_EXPIRED with the hint
 * "run: aws login --profile NAME".
 *
 * Endpoint: AWS_ENDPOINT_URL_SIGNIN, AWS_ENDPOINT_URL, the profile's
 * [services] signin, else https://REGION.signin.aws.amazon.com (the
 * profile's region). Secrets are wiped when freed and never in a message.
 */
#ifndef VPCX_AWS_LOGIN_H
#define VPCX_AWS_LOGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "vpcx/aws/config.h"
#include "vpcx/aws/credentials.h"
#include "vpcx/aws/http.h"
#include "vpcx/core/status.h"

#define AWS_LOGIN_MAX_FILE         (1024 * 1024)
#define AWS_LOGIN_REFRESH_WINDOW_S (5 * 60)

struct aws_login_session {
    char *profile;
    char *session; /* login_session */
    char *path;    /* the cache file */
    char *endpoint;
};

/* The cache file of session (caller frees), or NULL when HOME is unknown
 * and AWS_LOGIN_CACHE_DIRECTORY is unset. */
char *aws_login_cache_path(const struct aws_env *env, const char *session);

/* Reads profile's login_session; *found is false without one. */
enum vpcx_status aws_login_profile_load(const struct aws_settings *s, const struct aws_env *env,
                                        const char *profile, struct aws_login_session *out,
                                        bool *found, struct vpcx_error *err);
void aws_login_session_finish(struct aws_login_session *ls);
void aws_login_session_copy(struct aws_login_session *dst, const struct aws_login_session *src);

/* Parses a session file's text at now (label names it in messages). With
 * stale non-NULL, credentials within the refresh window are returned too and
 * *stale says so; with stale NULL, expired ones are VPCX_ERR_EXPIRED. */
enum vpcx_status aws_login_parse(const char *text, size_t len, const char *label,
                                 const char *profile, const char *session, time_t now,
                                 struct aws_credentials *out, bool *stale, struct vpcx_error *err);

/* Reads the file; *stale as above. */
enum vpcx_status aws_login_read(const struct aws_login_session *ls, time_t now,
                                struct aws_credentials *out, bool *stale, struct vpcx_error *err);

/* The DPoP proof for a POST to url, signed with the PEM key (heap string),
 * or NULL with err set when the key cannot be used. */
char *aws_login_dpop(const char *pem_key, const char *url, time_t iat, const char *jti,
                     struct vpcx_error *err);

/*
 * Refreshes the session without blocking: done runs once from a later
 * http_engine_step() with the new credentials or the error. ls is copied.
 */
typedef void (*aws_login_done_fn)(void *ud, enum vpcx_status status,
                                  const struct aws_credentials *creds,
                                  const struct vpcx_error *err);
struct aws_login_refresh;
struct aws_login_refresh *aws_login_refresh_start(struct http_engine *http,
                                                  const struct aws_login_session *ls,
                                                  aws_login_done_fn done, void *ud);
void aws_login_refresh_cancel(struct aws_login_refresh *r);
enum vpcx_status aws_login_refresh_sync(struct http_engine *http,
                                        const struct aws_login_session *ls,
                                        struct aws_credentials *out, struct vpcx_error *err);

#endif
