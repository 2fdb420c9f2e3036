/*
 * session: everything needed to talk to one account and region, set up in
 * the AWS CLI's order: settings (profile, region, endpoints), the HTTP engine,
 * credentials (which may call STS AssumeRole on that engine), then the client.
 * Expired credentials are re-resolved through the same chain when AWS says so,
 * without blocking: credential_process runs as a child on the engine's wait
 * and AssumeRole as ordinary calls on the same engine (one reload at a time,
 * shared by every call that waits for it; see aws/client.h).
 */
#ifndef VPCX_AWS_SESSION_H
#define VPCX_AWS_SESSION_H

#include <stdbool.h>

#include "vpcx/aws/client.h"
#include "vpcx/aws/config.h"
#include "vpcx/aws/credentials.h"
#include "vpcx/aws/http.h"
#include "vpcx/aws/sts.h"

struct aws_session_options {
    struct aws_options aws;    /* profile, region, endpoint URL, CA bundle */
    const struct aws_env *env; /* NULL = the process environment */
    bool allow_http;           /* plain http to non-loopback hosts */
    int max_attempts;          /* 0 = from settings */
    int max_per_host;          /* 0 = default */
    int max_total;             /* requests in flight in all; 0 = default */
    /* An engine shared with other sessions (many accounts and regions on one
     * wait); the session uses it and never destroys it. NULL: its own. */
    struct http_engine *shared_http;
    /* A parse worker shared the same way (with shared_http's engine). NULL: the
     * session starts its own when the machine has two or more CPUs. */
    struct xmlworker *shared_parse_worker;
    /* Asks for the MFA code of an assume-role profile with mfa_serial at
     * start-up (heap string, NULL = cancelled); NULL: such profiles fail. */
    char *(*prompt_mfa)(void *ud, const char *mfa_serial);
    void *prompt_ud;
};

struct aws_session {
    struct aws_settings settings;
    struct aws_credentials credentials;
    struct http_engine *http;
    struct xmlworker *parse_worker; /* NULL: bodies parsed inline */
    struct aws_client *client;
    /* private */
    const struct aws_env *env;
    bool allow_http;
    struct aws_role_cache *roles;
    struct sts_assume_ctx sts_ctx;
    struct aws_sts_ops sts_ops;
    struct session_reload *reload;
    bool owns_http;
    bool owns_parse_worker;
};

/*
 * Resolves settings only (no credentials): enough for whoami's report of
 * where each setting came from, or to find a cache. The network is used only
 * when no region is configured: the instance metadata's placement/region is
 * asked then (1 s timeouts), unless AWS_EC2_METADATA_DISABLED is true.
 */
enum vpcx_status aws_session_resolve(struct aws_session *s, const struct aws_session_options *opts,
                                     struct vpcx_error *err);
/* Then opens the engine, resolves credentials and creates the client. */
enum vpcx_status aws_session_connect(struct aws_session *s, const struct aws_session_options *opts,
                                     struct vpcx_error *err);
void aws_session_close(struct aws_session *s);

#endif
