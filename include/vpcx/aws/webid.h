/*
 * webid: STS AssumeRoleWithWebIdentity, as botocore's
 * AssumeRoleWithWebIdentityProvider. The request is not signed (the token
 * is the proof); the token file is read afresh on every fetch, since the
 * platform (EKS, GitHub Actions) rotates it. At most WEBID_TOKEN_MAX bytes.
 */
#ifndef VPCX_AWS_WEBID_H
#define VPCX_AWS_WEBID_H

#include "vpcx/aws/credfetch.h"
#include "vpcx/aws/sts.h"

#define WEBID_TOKEN_MAX (64 * 1024)

struct webid_fetch;
/* Calls STS at ctx->settings' STS endpoint in req->region with
 * req->role_arn, req->role_session_name and the token of req->token_file;
 * done as credfetch_start's. */
struct webid_fetch *webid_start(const struct sts_assume_ctx *ctx,
                                const struct aws_fetch_request *req, credfetch_done_fn done,
                                void *ud);
void webid_cancel(struct webid_fetch *f);

#endif
