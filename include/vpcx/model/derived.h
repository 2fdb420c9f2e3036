/*
 * derived: what vpcx computes from an inventory, for the "Derived" member of
 * `vpcx dump` (store/snapshot.h), apart from AWS's own fields. It sits above
 * inventory, ipusage and placement so that inventory includes neither of them.
 * Pure function; the result is a new tree the caller owns.
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

#endif
