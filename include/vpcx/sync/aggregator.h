/*
 * aggregator: the inventories of many accounts and regions from one AWS Config
 * aggregator (--source config-aggregator NAME). One paged
 * SelectAggregateResourceConfig per resource type Config records (VPCs,
 * subnets, VPC endpoints, ENIs, security groups, route tables, network ACLs),
 * with the caller's session; each result becomes the describe item
 * (aws/configitem.h) in the scope of its accountId x awsRegion, created on
 * first sight with scope_set_add_source(). The caller's own account is reached
 * with the caller's profile; with a role name (--org-role) every other account
 * through arn:PARTITION:iam::ACCOUNT:role/ROLE; without one, the other accounts
 * have no credentials and show what Config gives.
 *
 * A type that fails leaves the type unloaded in every scope (checks on it stay
 * silent) and is reported in rep; the load fails only when every type did.
 * Blocking, on the session's engine; one thread.
 */
#ifndef VPCX_SYNC_AGGREGATOR_H
#define VPCX_SYNC_AGGREGATOR_H

#include <stdbool.h>

#include "vpcx/aws/configsvc.h"
#include "vpcx/aws/session.h"
#include "vpcx/core/status.h"
#include "vpcx/model/inventory.h"
#include "vpcx/sync/scopes.h"

#define AGGREGATOR_TYPES 7

struct aggregator_options {
    const char *name;         /* the aggregator */
    const char *endpoint_url; /* --endpoint-url, or NULL */
    int limit;                /* page size; 0 = the API's maximum */
    const char *profile;      /* the caller's profile (NULL: the default chain) */
    const char *my_account;   /* the caller's account, from STS; may be NULL */
    const char *partition;    /* "aws", for the role ARNs */
    const char *org_role;     /* --org-role ROLE, or NULL */
};

struct aggregator_report {
    enum inv_type types[AGGREGATOR_TYPES]; /* in query order */
    const char *resource_types[AGGREGATOR_TYPES];
    struct vpcx_error errors[AGGREGATOR_TYPES]; /* status VPCX_OK: loaded */
    unsigned loaded, failed;
    struct config_select_stats stats;
};

/* "config-aggregator NAME" (caller frees): every scope's Metadata Source. */
char *aggregator_source_name(const char *name);

/* The inventory type Config's resourceType is, false for one vpcx does not read. */
bool aggregator_inv_type(const char *resource_type, enum inv_type *out);

enum vpcx_status aggregator_load(struct aws_session *s, const struct aggregator_options *o,
                                 struct scope_set *set, struct aggregator_report *rep,
                                 struct vpcx_error *err);
void aggregator_report_finish(struct aggregator_report *rep);

#endif
