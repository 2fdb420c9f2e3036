/*
 * derived: what vpcx computes from an inventory, for the "Derived" member of
 * `vpcx dump` (store/snapshot.h), apart from AWS's own fields. It sits above
 * inventory, ipusage and placement so that inventory includes neither of them.
 * Pure functions; every result is a new tree the caller owns.
 */
#ifndef VPCX_MODEL_DERIVED_H
#define VPCX_MODEL_DERIVED_H

#include <cjson/cJSON.h>

#include "vpcx/model/inventory.h"

/*
 * {"SubnetIpUsage": {subnet-id: ...}, "EndpointPlacement": {vpce-id: ...},
 *  "EniOwners": {eni-id: {"OwnerType", "VpcEndpointId", "ServiceName",
 *  "OwnerSource"}}, "VpcAttributes": {vpc-id: {"EnableDnsSupport", ...}},
 *  "AzHeadroom": {vpc-id: [...]}}. See ipusage.h and placement.h.
 */
cJSON *derived_to_json(const struct inventory *inv);

/*
 * The same, one entry at a time, so a writer need not hold the whole tree
 * (100,000 ENIs make a 20 MB tree): derived_to_json() is each section in
 * this order, an object of derived_entry(i) for i below derived_section_size(),
 * NULL entries left out.
 */
enum derived_section {
    DERIVED_IP_USAGE,
    DERIVED_PLACEMENT,
    DERIVED_ENI_OWNERS,
    DERIVED_VPC_ATTRIBUTES,
    DERIVED_AZ_HEADROOM,
    DERIVED_SECTION_COUNT
};
const char *derived_section_name(enum derived_section section); /* "SubnetIpUsage" */
/* How many entries to ask for (some may be NULL). */
size_t derived_section_size(const struct inventory *inv, enum derived_section section);
/* The index-th entry, keyed by *key (a resource ID, borrowed); NULL when left out. */
cJSON *derived_entry(const struct inventory *inv, enum derived_section section, size_t index,
                     const char **key);

#endif
