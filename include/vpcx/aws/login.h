/*
 * login: credentials of an `aws login` console session (a profile with
 * login_session = NAME), read as botocore's LoginProvider reads them.
 *
 * The session is the file <dir>/<SHA-256 hex of NAME>.json, dir being
 * AWS_LOGIN_CACHE_DIRECTORY ("~/" expanded) or ~/.aws/login/cache. It holds
 * {"accessToken": {"accessKeyId", "secretAccessKey", "sessionToken",
 * "accountId", "expiresAt"}, "refreshToken", "dpopKey", "clientId", ...};
 * accessToken, refreshToken, dpopKey and clientId are required, as in
 * botocore. The credentials are taken while they are valid; they last 15
 * minutes, and the AWS CLI refreshes the file as it uses them. vpcx does not
 * refresh them itself (the refresh is a DPoP-bound sign-in call): an expired
 * session is VPCX_ERR_EXPIRED with the hint "run: aws login --profile NAME",
 * and a reload after expiry reads the file again.
 * The file is never written; its secrets are wiped when freed.
 */
#ifndef VPCX_AWS_LOGIN_H
#define VPCX_AWS_LOGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "vpcx/aws/config.h"
#include "vpcx/aws/credentials.h"
#include "vpcx/core/status.h"

#define AWS_LOGIN_MAX_FILE (1024 * 1024)

/* The cache file of session (caller frees), or NULL when HOME is unknown
 * and AWS_LOGIN_CACHE_DIRECTORY is unset. */
char *aws_login_cache_path(const struct aws_env *env, const char *session);

/* Parses a session file's text at now (label names it in messages). */
enum vpcx_status aws_login_parse(const char *text, size_t len, const char *label,
                                 const char *profile, const char *session, time_t now,
                                 struct aws_credentials *out, struct vpcx_error *err);

/* The chain's step for profile: *found is false without login_session. */
enum vpcx_status aws_login_from_profile(const struct aws_settings *s, const struct aws_env *env,
                                        const char *profile, struct aws_credentials *out,
                                        bool *found, struct vpcx_error *err);

#endif
