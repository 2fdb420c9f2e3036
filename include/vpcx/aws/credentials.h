/*
 * credentials: the AWS CLI's credential chain (botocore's default resolver).
 *
 * Order for the profile P of the settings (first that has credentials wins):
 *   1. env AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SECURITY_TOKEN or
 *      AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION); skipped when --profile
 *      was given, not when only AWS_PROFILE is set.
 *   2. assume role: P has role_arn (and no web_identity_token_file); the
 *      source is source_profile (chains allowed, loops refused; a profile may
 *      name itself to use its own static keys) or credential_source
 *      (Environment, EcsContainer, Ec2InstanceMetadata). The STS call goes
 *      through aws_sts_ops; results are cached in ops->cache until 5 minutes
 *      before they expire. mfa_serial asks ops->prompt_mfa for the code.
 *   3. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
 *      (+ AWS_ROLE_SESSION_NAME), the environment skipped as in 1, else P's
 *      web_identity_token_file + role_arn (+ role_session_name): STS
 *      AssumeRoleWithWebIdentity through ops->fetch, the file read afresh
 *      on every fetch.
 *   3b. IAM Identity Center: P has sso_account_id or sso_role_name (see
 *      aws/sso.h); the portal call goes through ops->sso_credentials.
 *   4. the credentials file's [P]: aws_access_key_id, aws_secret_access_key,
 *      aws_security_token or aws_session_token.
 *   4b. P's login_session: the `aws login` cache (see aws/login.h),
 *      refreshed through ops->login_refresh near expiry.
 *   5. P's credential_process: run with /bin/sh -c and stdin from /dev/null
 *      (see aws/credproc.h), stdout (at most 64 KiB, killed after 60 s) is
 *      {"Version":1,"AccessKeyId","SecretAccessKey","SessionToken",
 *      "Expiration"}; stderr is captured and quoted, sanitised, only when it
 *      fails. Its output is never quoted. ops->run_process may run it instead.
 *   6. static keys of P in the config file.
 *   7. container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on
 *      http://169.254.170.2) or _FULL_URI (see aws/container.h), through
 *      ops->fetch.
 *   8. instance role: IMDS (see aws/imds.h) unless AWS_EC2_METADATA_DISABLED
 *      is true, through ops->fetch; a failure there is "no credentials".
 * Nothing found is VPCX_ERR_NO_CREDENTIALS with a hint naming the places
 * looked at. Partial credentials (a key ID without its secret key, either
 * one empty, an STS answer or credential_process output lacking a field) are
 * an error naming the source and the field, never a fall-through.
 * Secrets are wiped from memory when freed and never put in messages.
 */
#ifndef VPCX_AWS_CREDENTIALS_H
#define VPCX_AWS_CREDENTIALS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "vpcx/aws/config.h"
#include "vpcx/core/status.h"

#define AWS_PROCESS_MAX_OUTPUT  (64 * 1024)
#define AWS_PROCESS_TIMEOUT_MS  60000
#define AWS_ROLE_CACHE_WINDOW_S 300

struct aws_credentials {
    char *access_key_id;
    char *secret_access_key; /* secret */
    char *session_token;     /* secret; NULL for long-term keys */
    time_t expiration;       /* 0 = none */
    enum aws_source source;
    /* e.g. "env AWS_ACCESS_KEY_ID", "instance role web-bastion (IMDSv2)" */
    char *origin; /* e.g. "env", "shared credentials file /root/.aws/credentials [dev]" */
};

struct aws_sso_profile;
struct aws_login_session;

struct aws_assume_role_params {
    const char *role_arn;
    const char *role_session_name; /* configured or "botocore-session-<epoch>" */
    const char *external_id;       /* NULL when not configured */
    int duration_seconds;          /* 0 = STS default */
    const char *mfa_serial;        /* NULL when not configured */
    const char *token_code;        /* the MFA code when mfa_serial is set */
};

/* Assumed-role credentials kept in memory across resolutions (opaque). */
struct aws_role_cache;
struct aws_role_cache *aws_role_cache_create(void);
void aws_role_cache_destroy(struct aws_role_cache *cache);
/* Forgets every entry (AWS refused credentials the cache still trusted). */
void aws_role_cache_clear(struct aws_role_cache *cache);

/* A credential source fetched over HTTP (steps 3, 7 and 8 above). */
enum aws_fetch_kind {
    AWS_FETCH_WEB_IDENTITY,
    AWS_FETCH_CONTAINER,
    AWS_FETCH_IMDS,
};

struct aws_fetch_request {
    enum aws_fetch_kind kind;
    const char *label; /* names the source in messages and in origin */
    /* web identity */
    const char *role_arn;
    const char *role_session_name;
    const char *token_file; /* read at each fetch */
    const char *region;
    /* container: the checked URL, and the Authorization value or its file */
    const char *url;
    const char *auth_token; /* secret */
    const char *auth_token_file;
    /* instance metadata: base URL ("http://169.254.169.254/") */
    const char *endpoint;
    bool v1_disabled;
};

/* Implemented by the caller with the HTTP layer; a fake one in tests. */
struct aws_sts_ops {
    /* Calls STS AssumeRole signed with source; fills out's keys and
     * expiration (source and origin are set by the chain). */
    enum vpcx_status (*assume_role)(void *ud, const struct aws_credentials *source,
                                    const struct aws_assume_role_params *params, const char *region,
                                    struct aws_credentials *out, struct vpcx_error *err);
    /* Asks for the MFA code of mfa_serial; returns a heap string or NULL
     * (cancelled). NULL callback: MFA profiles fail with a message. */
    char *(*prompt_mfa)(void *ud, const char *mfa_serial);
    void *prompt_ud; /* ud of prompt_mfa; NULL: ud */
    /* Runs a credential_process command (step 5) and fills out as
     * aws_credentials_from_process does. NULL: that function, blocking. */
    enum vpcx_status (*run_process)(void *ud, const char *command, const char *label,
                                    struct aws_credentials *out, struct vpcx_error *err);
    /* Fetches an IAM Identity Center profile's role credentials (aws/sso.h).
     * NULL: such profiles fail with a message. */
    enum vpcx_status (*sso_credentials)(void *ud, const struct aws_sso_profile *profile,
                                        struct aws_credentials *out, struct vpcx_error *err);
    /* Refreshes an `aws login` console session (aws/login.h). NULL: a stale
     * session is used while valid, then fails with a message. */
    enum vpcx_status (*login_refresh)(void *ud, const struct aws_login_session *session,
                                      struct aws_credentials *out, struct vpcx_error *err);
    /* Fetches web identity, container or instance credentials: fills out's
     * keys, expiration and origin (origin may be left NULL: the chain names
     * the source from req->label). NULL: those sources fail with a message. */
    enum vpcx_status (*fetch)(void *ud, const struct aws_fetch_request *req,
                              struct aws_credentials *out, struct vpcx_error *err);
    void *ud;
    struct aws_role_cache *cache; /* NULL: no caching */
};

void aws_credentials_init(struct aws_credentials *c);
/* Wipes the secrets, frees everything and re-initialises c. */
void aws_credentials_finish(struct aws_credentials *c);
/* Deep copy (dst is finished first). */
void aws_credentials_copy(struct aws_credentials *dst, const struct aws_credentials *src);
/* VPCX_OK when c has a key ID and a secret key, neither empty, and no empty
 * session token; else VPCX_ERR_NO_CREDENTIALS naming c->origin and the field.
 * aws_credentials_resolve() applies it to whatever the chain found. */
enum vpcx_status aws_credentials_check(const struct aws_credentials *c, struct vpcx_error *err);
/* True when c expires within skew_seconds of now (never without expiration). */
bool aws_credentials_expired(const struct aws_credentials *c, time_t now, int skew_seconds);

/* botocore's RefreshableCredentials: a refresh is tried from 15 minutes
 * before expiry (a failure keeps the current keys) and required from 10
 * minutes before (calls wait for it; a failure fails them). */
#define AWS_REFRESH_ADVISORY_S  (15 * 60)
#define AWS_REFRESH_MANDATORY_S (10 * 60)
enum aws_refresh { AWS_REFRESH_NONE, AWS_REFRESH_ADVISORY, AWS_REFRESH_MANDATORY };
enum aws_refresh aws_credentials_refresh_due(const struct aws_credentials *c, time_t now);

/* "5 h 12 min", "14 min", "40 s", "expired" for the time left until
 * expiration; caller frees. */
char *aws_format_time_left(time_t expiration, time_t now);

/* Runs the chain above. ops may be NULL (assume-role profiles then fail). */
enum vpcx_status aws_credentials_resolve(const struct aws_settings *settings,
                                         const struct aws_env *env, const struct aws_sts_ops *ops,
                                         struct aws_credentials *out, struct vpcx_error *err);

/* Runs one credential_process command (step 5) with the given limits;
 * label names it in messages (e.g. "credential_process of profile dev"). */
enum vpcx_status aws_credentials_from_process(const char *command, const char *label,
                                              int timeout_ms, size_t max_output,
                                              struct aws_credentials *out, struct vpcx_error *err);

/* Parses what a credential_process printed (len bytes of output). */
enum vpcx_status aws_credentials_from_process_output(const char *output, size_t len,
                                                     const char *label, struct aws_credentials *out,
                                                     struct vpcx_error *err);

/* ISO 8601 date-time ("2026-11-26T13:00:00Z", "+00:00", fractions; no zone
 * means UTC) to a time_t. False when malformed. */
bool aws_parse_iso8601(const char *s, time_t *out);

#endif
