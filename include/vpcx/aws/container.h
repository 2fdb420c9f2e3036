/*
 * container: credentials from the container credentials endpoint (ECS task
 * roles, EKS Pod Identity), as botocore's ContainerProvider.
 *
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is appended to
 * http://169.254.170.2 (VPCX_CONTAINER_CREDENTIALS_BASE replaces that base;
 * it exists for tests). Otherwise AWS_CONTAINER_CREDENTIALS_FULL_URI is used
 * when it is https:// (any host) or http:// to a loopback address,
 * 169.254.170.2, 169.254.170.23 or [fd00:ec2::23]; any other URL is refused.
 * The Authorization header is the content of
 * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, read afresh on every fetch, else
 * AWS_CONTAINER_AUTHORIZATION_TOKEN; a token with CR or LF is refused. One
 * attempt, 1 s timeouts: an unreachable endpoint must not hang start-up.
 */
#ifndef VPCX_AWS_CONTAINER_H
#define VPCX_AWS_CONTAINER_H

#include <stdbool.h>

#include "vpcx/aws/config.h"
#include "vpcx/aws/credfetch.h"

#define CONTAINER_BASE_URL   "http://169.254.170.2"
#define CONTAINER_TIMEOUT_MS 1000

/* True when url may carry the Authorization token (see above). */
bool container_url_allowed(const char *url);

/* The URL the environment names: *url (heap) is NULL when neither variable
 * is set. A FULL_URI that is not allowed is VPCX_ERR_CONFIG. */
enum vpcx_status container_url(const struct aws_env *env, char **url, struct vpcx_error *err);

struct container_fetch;
/* GETs req->url with req's token; done as credfetch_start's. */
struct container_fetch *container_fetch_start(struct http_engine *engine,
                                              const struct aws_fetch_request *req,
                                              credfetch_done_fn done, void *ud);
void container_fetch_cancel(struct container_fetch *f);

#endif
