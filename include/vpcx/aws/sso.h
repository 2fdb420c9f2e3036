/*
 * sso: IAM Identity Center credentials, as the AWS CLI v2 (botocore's
 * SSOProvider and SSOTokenProvider) gets them.
 *
 * A profile is an SSO profile when it has sso_account_id or sso_role_name.
 * With sso_session = NAME, sso_start_url, sso_region and
 * sso_registration_scopes come from the config file's [sso-session NAME]
 * (a value also set in the profile must match); a legacy profile carries
 * sso_start_url and sso_region itself. All four of start URL, region,
 * account and role are required.
 *
 * The token is the file ~/.aws/sso/cache/<SHA-1 hex of the session name, or
 * of the start URL for a legacy profile>.json that `aws sso login` writes.
 * A session's token that expires within 15 minutes is refreshed through
 * SSO-OIDC CreateToken (grant refresh_token, with the file's clientId,
 * clientSecret and refreshToken, while registrationExpiresAt is ahead) and
 * the file is written back as the CLI does: every field kept, a temp file in
 * the same directory renamed over it, mode 0600. A failed refresh falls back
 * to the token while it is valid. Legacy tokens are never refreshed. The
 * role's credentials come from the portal's GetRoleCredentials (GET
 * /federation/credentials, bearer token in x-amz-sso_bearer_token; both
 * calls unsigned JSON). No valid token is VPCX_ERR_EXPIRED with the hint
 * "run: aws sso login --profile NAME".
 *
 * Endpoints: AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL_SSO_OIDC,
 * AWS_ENDPOINT_URL, the profile's [services] block (sso, sso-oidc), its
 * endpoint_url, else portal.sso.<sso_region> and oidc.<sso_region>.
 * Tokens, client secrets and keys are wiped when freed and never appear in a
 * message.
 */
#ifndef VPCX_AWS_SSO_H
#define VPCX_AWS_SSO_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <time.h>

#include "vpcx/aws/config.h"
#include "vpcx/aws/credentials.h"
#include "vpcx/aws/http.h"
#include "vpcx/core/status.h"

#define AWS_SSO_REFRESH_WINDOW_S (15 * 60)
#define AWS_SSO_MAX_FILE         (1024 * 1024)
#define AWS_SSO_MAX_LIFETIME_S   (366 * 86400) /* longer expiresIn answers are refused */

/* What an SSO profile says, resolved (all owned). */
struct aws_sso_profile {
    char *profile;
    char *session; /* sso_session; NULL for a legacy profile */
    char *start_url;
    char *region; /* sso_region */
    char *account_id;
    char *role_name;
    char *cache_path; /* the token file */
    char *oidc_endpoint;
    char *portal_endpoint;
    char *scopes; /* sso_registration_scopes, comma-separated; may be NULL */
};

/*
 * Reads profile's SSO settings; *found is false when it is not an SSO
 * profile. Missing or inconsistent settings are VPCX_ERR_CONFIG naming them.
 */
enum vpcx_status aws_sso_profile_load(const struct aws_settings *s, const struct aws_env *env,
                                      const char *profile, struct aws_sso_profile *out, bool *found,
                                      struct vpcx_error *err);
/* The same for signing in (`vpcx sso login`): sso_session or sso_start_url
 * is needed, account and role are not. */
enum vpcx_status aws_sso_session_load(const struct aws_settings *s, const struct aws_env *env,
                                      const char *profile, struct aws_sso_profile *out,
                                      struct vpcx_error *err);
void aws_sso_profile_finish(struct aws_sso_profile *p);
void aws_sso_profile_copy(struct aws_sso_profile *dst, const struct aws_sso_profile *src);
/* "corp" or the start URL: what the token file is named after. */
const char *aws_sso_profile_key(const struct aws_sso_profile *p);

/* The SHA-1 hex digest of text (40 characters and a NUL). */
void aws_sso_sha1_hex(const char *text, char out[41]);

/* A token file, parsed; doc keeps every field for the write-back. */
struct aws_sso_token {
    const char *access_token; /* in doc */
    time_t expires_at;
    const char *refresh_token; /* NULL when absent */
    const char *client_id;
    const char *client_secret;
    time_t registration_expires_at; /* 0 when absent */
    cJSON *doc;
};

/* Parses a token file's text; label names it in messages. accessToken and
 * expiresAt are required. */
enum vpcx_status aws_sso_token_parse(const char *text, size_t len, const char *label,
                                     struct aws_sso_token *out, struct vpcx_error *err);
/* Wipes every string of the document and frees it. */
void aws_sso_token_finish(struct aws_sso_token *t);
/* True when the token holds what a refresh needs and its client registration
 * has not expired at now. */
bool aws_sso_token_refreshable(const struct aws_sso_token *t, time_t now);
/* Takes a CreateToken answer (accessToken, expiresIn, refreshToken?) into t
 * as botocore does, with startUrl and region of p. */
enum vpcx_status aws_sso_token_apply(struct aws_sso_token *t, const cJSON *answer,
                                     const struct aws_sso_profile *p, time_t now,
                                     struct vpcx_error *err);
/* Writes t to path: temp file in the same directory, mode 0600, renamed. */
enum vpcx_status aws_sso_token_save(const char *path, const struct aws_sso_token *t,
                                    struct vpcx_error *err);
/* The same for any token document (the `aws login` cache too). */
enum vpcx_status aws_token_file_save(const char *path, const cJSON *doc, struct vpcx_error *err);

/* True when err can only be fixed by signing in again elsewhere (`aws sso
 * login` or `aws login`, as its hint says): the explorer offers a retry. */
bool aws_error_needs_login(const struct vpcx_error *err);

/* The error and hint for "no valid token" (status VPCX_ERR_EXPIRED). */
enum vpcx_status aws_sso_login_needed(const struct aws_sso_profile *p, const char *why,
                                      struct vpcx_error *err);

/*
 * Fetches the role's credentials without blocking: done runs once, from a
 * later http_engine_step() (never from inside start), with the credentials
 * (source AWS_SRC_SSO, origin "sso: session corp, account A, role R") or
 * the error; both live only during the callback. p is copied.
 */
typedef void (*aws_sso_done_fn)(void *ud, enum vpcx_status status,
                                const struct aws_credentials *creds, const struct vpcx_error *err);
struct aws_sso_fetch;
struct aws_sso_fetch *aws_sso_fetch_start(struct http_engine *http, const struct aws_sso_profile *p,
                                          aws_sso_done_fn done, void *ud);
/* done is not called; NULL is a no-op. */
void aws_sso_fetch_cancel(struct aws_sso_fetch *f);
/* The same, running the engine until it answers (start-up paths). */
enum vpcx_status aws_sso_fetch_sync(struct http_engine *http, const struct aws_sso_profile *p,
                                    struct aws_credentials *out, struct vpcx_error *err);

#endif
