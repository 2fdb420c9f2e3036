/*
 * placement: where an interface (or Gateway Load Balancer) endpoint has its
 * ENIs, zone by zone, keyed by AZ ID (zone names differ between accounts).
 *
 * The zones are those where the endpoint's VPC has subnets, plus any zone
 * holding one of the endpoint's ENIs or subnets. For each zone:
 *   ENI           an ENI of the endpoint is there (its ID, IP, status, subnet);
 *   SUBNET_NO_ENI the endpoint lists a subnet there but no ENI is seen (pending,
 *                 or moto's ModifyVpcEndpoint, which adds no ENI);
 *   SUPPORTED     the service offers the zone, the endpoint is not in it;
 *   NOT_OFFERED   the service's AvailabilityZones do not include the zone;
 *   UNKNOWN       the service detail is not in the inventory.
 * Gateway endpoints have no placement (applicable = false, no zones).
 * Results borrow inventory strings: valid until the inventory changes.
 */
#ifndef VPCX_MODEL_PLACEMENT_H
#define VPCX_MODEL_PLACEMENT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "vpcx/core/status.h"
#include "vpcx/model/inventory.h"

/* X(enum suffix, JSON value, human text) */
#define PLACEMENT_STATUS_TABLE(X)                                                                  \
    X(ENI, "EniPresent", "ENI present")                                                            \
    X(SUBNET_NO_ENI, "SubnetWithoutEni", "subnet chosen, no ENI yet")                              \
    X(SUPPORTED, "Supported", "supported, no ENI")                                                 \
    X(NOT_OFFERED, "NotOffered", "not offered by the service")                                     \
    X(UNKNOWN, "Unknown", "service unknown")

enum placement_status {
#define PLACEMENT_STATUS_ENUM(name, key, human) PLACEMENT_##name,
    PLACEMENT_STATUS_TABLE(PLACEMENT_STATUS_ENUM)
#undef PLACEMENT_STATUS_ENUM
        PLACEMENT_STATUS_COUNT
};

struct placement_az {
    const char *zone_id;   /* ZoneId; the name when no ID is known */
    const char *zone_name; /* may be NULL */
    enum placement_status status;
    const char *subnet_id;  /* the ENI's subnet, or the endpoint's subnet there */
    const char *eni_id;     /* first ENI (by ID) in the zone */
    const char *ip;         /* its PrivateIpAddress */
    const char *eni_status; /* its Status */
    size_t eni_count;       /* ENIs of the endpoint in the zone */
};

struct placement {
    const char *endpoint_id;
    const char *vpc_id;
    const char *service_name;
    bool applicable;          /* false for Gateway endpoints */
    bool service_known;       /* the service detail is in the inventory */
    struct placement_az *azs; /* sorted by zone name */
    size_t n_azs;
    size_t covered; /* zones with an ENI */
    bool single_az; /* exactly one zone covered: no AZ redundancy */
};

const char *placement_status_key(enum placement_status status);  /* "NotOffered" */
const char *placement_status_name(enum placement_status status); /* "not offered..." */

/*
 * Fills out for the endpoint; pair with placement_finish() whatever the result.
 * VPCX_ERR_NOT_FOUND when the endpoint is not in the inventory.
 */
enum vpcx_status placement_compute(const struct inventory *inv, const char *endpoint_id,
                                   struct placement *out);
void placement_finish(struct placement *p);

/* {"VpcId", "ServiceName", "ServiceKnown", "ZonesCovered", "SingleAz",
 *  "Zones": [{"ZoneId", "ZoneName", "Status", "SubnetId", "NetworkInterfaceId",
 *  "PrivateIpAddress", "NetworkInterfaceStatus", "NetworkInterfaceCount"}]} */
cJSON *placement_to_json(const struct placement *p);

#endif
