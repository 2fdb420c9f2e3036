/*
 * sts: the STS calls vpcx makes: GetCallerIdentity (whoami, the account a
 * dump belongs to) and AssumeRole (the credential chain's role profiles).
 */
#ifndef VPCX_AWS_STS_H
#define VPCX_AWS_STS_H

#include "vpcx/aws/client.h"
#include "vpcx/aws/config.h"
#include "vpcx/aws/credentials.h"
#include "vpcx/aws/http.h"

struct sts_identity {
    char *account;
    char *arn;
    char *user_id;
};

void sts_identity_finish(struct sts_identity *id);
/* Blocks (running the engine) until STS answers. */
enum vpcx_status sts_get_caller_identity(struct aws_client *client, struct sts_identity *out,
                                         struct vpcx_error *err);

/*
 * GetCallerIdentity as an ordinary call on client: done runs once, from a
 * later engine step, with the identity or (id NULL) the error; both live only
 * during the callback. The caller owns the struct and keeps it in place while
 * the call is pending; an answer without an Account is an error.
 */
typedef void (*sts_identity_done_fn)(void *ud, const struct sts_identity *id,
                                     const struct vpcx_error *err);
struct sts_identity_call {
    struct aws_client *client;
    sts_identity_done_fn done;
    void *ud;
    uint64_t id; /* nonzero while pending */
};
void sts_identity_start(struct sts_identity_call *c, struct aws_client *client,
                        sts_identity_done_fn done, void *ud);
bool sts_identity_pending(const struct sts_identity_call *c);
/* done is not called. A call not pending is left alone. */
void sts_identity_cancel(struct sts_identity_call *c);

/*
 * Fills ops with an AssumeRole implementation for aws_credentials_resolve()
 * that calls STS on http at settings' STS endpoint. settings and http must
 * outlive ops; cache may be NULL.
 */
struct sts_assume_ctx {
    struct http_engine *http;
    const struct aws_settings *settings;
};
void sts_ops_init(struct aws_sts_ops *ops, struct sts_assume_ctx *ctx,
                  struct aws_role_cache *cache);

/*
 * AssumeRole as an ordinary call on ctx->http, without blocking: done runs
 * once, from a later http_engine_step() (never from inside start), with the
 * role's credentials or the error. Both live only during the callback.
 */
typedef void (*sts_assume_done_fn)(void *ud, enum vpcx_status status,
                                   const struct aws_credentials *creds,
                                   const struct vpcx_error *err);
struct sts_assume;
struct sts_assume *sts_assume_role_start(const struct sts_assume_ctx *ctx,
                                         const struct aws_credentials *source,
                                         const struct aws_assume_role_params *params,
                                         const char *region, sts_assume_done_fn done, void *ud);
/* Takes result's Credentials (AssumeRole and AssumeRoleWithWebIdentity
 * answers) into out, wiping the secrets in result; a missing or empty field
 * is VPCX_ERR_PARSE naming operation and the field. */
enum vpcx_status sts_take_role_credentials(cJSON *result, const char *operation,
                                           struct aws_credentials *out, struct vpcx_error *err);

/* done is not called. A call in flight finishes in the engine and is then
 * dropped. NULL is a no-op. */
void sts_assume_role_cancel(struct sts_assume *a);

#endif
