/*
 * imds: the EC2 instance metadata service, as botocore's
 * InstanceMetadataFetcher: the instance role's credentials and the region.
 *
 * IMDSv2: PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds,
 * then every GET carries X-aws-ec2-metadata-token. When the token PUT fails
 * (no answer, a timeout, HTTP 403/404/405 or 5xx) the GETs go without a
 * token (IMDSv1) unless v1 is disabled; HTTP 400 is an error. Credentials:
 * GET /latest/meta-data/iam/security-credentials/ names the role, then GET
 * .../ROLE answers the JSON document (see credfetch_parse_json). Region: GET
 * /latest/meta-data/placement/region. One attempt per request with 1 s
 * timeouts, so a machine that is not an instance does not hang.
 *
 * Settings, first found wins (empty counts as unset):
 *   disabled     AWS_EC2_METADATA_DISABLED = true
 *   endpoint     AWS_EC2_METADATA_SERVICE_ENDPOINT, the profile's
 *                ec2_metadata_service_endpoint, else by mode
 *                (AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE, the profile's
 *                ec2_metadata_service_endpoint_mode: IPv4 or IPv6, IPv4 by
 *                default): http://169.254.169.254 or http://[fd00:ec2::254]
 *   v1_disabled  AWS_EC2_METADATA_V1_DISABLED, the profile's
 *                ec2_metadata_v1_disabled (true/false)
 */
#ifndef VPCX_AWS_IMDS_H
#define VPCX_AWS_IMDS_H

#include <stdbool.h>

#include "vpcx/aws/config.h"
#include "vpcx/aws/credfetch.h"

#define IMDS_ENDPOINT_IPV4 "http://169.254.169.254"
#define IMDS_ENDPOINT_IPV6 "http://[fd00:ec2::254]"
#define IMDS_TIMEOUT_MS    1000
#define IMDS_TOKEN_TTL_S   21600

struct imds_config {
    bool disabled;
    char *endpoint; /* without a trailing slash */
    bool v1_disabled;
};

/* view may be NULL. A mode other than IPv4/IPv6 or an endpoint that is not
 * an http(s) URL is VPCX_ERR_CONFIG. */
enum vpcx_status imds_config_resolve(const struct aws_env *env, const struct aws_profile_view *view,
                                     struct imds_config *out, struct vpcx_error *err);
void imds_config_finish(struct imds_config *c);

enum imds_want { IMDS_CREDENTIALS, IMDS_REGION };

/* creds (IMDS_CREDENTIALS; origin "instance role NAME (IMDSv2)") or region
 * (IMDS_REGION) when status is VPCX_OK; both live during the callback. */
typedef void (*imds_done_fn)(void *ud, enum vpcx_status status, const struct aws_credentials *creds,
                             const char *region, const struct vpcx_error *err);

struct imds_fetch;
/* done runs once from a later engine step, unless cancelled. */
struct imds_fetch *imds_fetch_start(struct http_engine *engine, const char *endpoint,
                                    bool v1_disabled, enum imds_want want, imds_done_fn done,
                                    void *ud);
void imds_fetch_cancel(struct imds_fetch *f);

/* The role name from the security-credentials listing (its first line,
 * trimmed); NULL when empty or not a plausible role name. */
char *imds_role_name(const char *listing);

/* Blocks on engine until the region is known: a heap string or NULL (err
 * set). */
char *imds_region_run(struct http_engine *engine, const struct imds_config *cfg,
                      struct vpcx_error *err);

#endif
