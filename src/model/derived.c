/* derived: the derived part of a dump, computed from the inventory by the
 * ipusage and placement modules. Its own module so inventory needs neither. */
#include "vpcx/model/derived.h"

#include <stdlib.h>

#include "vpcx/model/ipusage.h"
#include "vpcx/model/placement.h"

static cJSON *derived_ip_usage(const struct inventory *inv)
{
    cJSON *obj = cJSON_CreateObject();
    for (size_t i = 0; i < inventory_count(inv, INV_SUBNET); i++) {
        const struct inv_resource *s = inventory_at(inv, INV_SUBNET, i);
        struct ip_usage u;
        ipusage_compute(inv, s, &u);
        cJSON_AddItemToObject(obj, s->id, ipusage_to_json(&u));
    }
    return obj;
}

static cJSON *derived_placement(const struct inventory *inv)
{
    cJSON *obj = cJSON_CreateObject();
    for (size_t i = 0; i < inventory_count(inv, INV_ENDPOINT); i++) {
        const struct inv_resource *ep = inventory_at(inv, INV_ENDPOINT, i);
        struct placement p;
        if (placement_compute(inv, ep->id, &p) == VPCX_OK && p.applicable) {
            cJSON_AddItemToObject(obj, ep->id, placement_to_json(&p));
        }
        placement_finish(&p);
    }
    return obj;
}

static const char *owner_source_name(enum inv_owner_source source)
{
    return source == INV_OWNER_ENDPOINT_LIST ? "NetworkInterfaceIds"
           : source == INV_OWNER_DESCRIPTION ? "Description"
                                             : NULL;
}

static cJSON *derived_eni_owner(const struct inventory *inv, const struct inv_resource *eni)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "OwnerType", ipusage_owner_key(ipusage_classify_eni(inv, eni)));
    enum inv_owner_source source;
    const char *vpce = inventory_eni_endpoint(inv, eni->id, &source);
    if (vpce != NULL) {
        const struct inv_resource *ep = inventory_find(inv, INV_ENDPOINT, vpce);
        cJSON_AddStringToObject(o, "VpcEndpointId", vpce);
        if (ep != NULL && ep->endpoint.service_name != NULL) {
            cJSON_AddStringToObject(o, "ServiceName", ep->endpoint.service_name);
        }
        cJSON_AddStringToObject(o, "OwnerSource", owner_source_name(source));
    }
    return o;
}

static cJSON *derived_eni_owners(const struct inventory *inv)
{
    cJSON *obj = cJSON_CreateObject();
    for (size_t i = 0; i < inventory_count(inv, INV_ENI); i++) {
        const struct inv_resource *eni = inventory_at(inv, INV_ENI, i);
        cJSON_AddItemToObject(obj, eni->id, derived_eni_owner(inv, eni));
    }
    return obj;
}

static void add_tristate(cJSON *o, const char *key, enum inv_tristate v)
{
    if (v != INV_UNKNOWN) {
        cJSON_AddBoolToObject(o, key, v == INV_YES);
    }
}

static cJSON *derived_vpcs(const struct inventory *inv, bool headroom)
{
    cJSON *obj = cJSON_CreateObject();
    for (size_t i = 0; i < inventory_count(inv, INV_VPC); i++) {
        const struct inv_resource *vpc = inventory_at(inv, INV_VPC, i);
        if (headroom) {
            struct az_headroom *rows = NULL;
            size_t n = ipusage_vpc_headroom(inv, vpc->id, &rows);
            cJSON_AddItemToObject(obj, vpc->id, ipusage_headroom_to_json(rows, n));
            free(rows);
        } else if (vpc->vpc.dns_support != INV_UNKNOWN || vpc->vpc.dns_hostnames != INV_UNKNOWN) {
            cJSON *o = cJSON_AddObjectToObject(obj, vpc->id);
            add_tristate(o, "EnableDnsSupport", vpc->vpc.dns_support);
            add_tristate(o, "EnableDnsHostnames", vpc->vpc.dns_hostnames);
        }
    }
    return obj;
}

cJSON *derived_to_json(const struct inventory *inv)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "SubnetIpUsage", derived_ip_usage(inv));
    cJSON_AddItemToObject(root, "EndpointPlacement", derived_placement(inv));
    cJSON_AddItemToObject(root, "EniOwners", derived_eni_owners(inv));
    cJSON_AddItemToObject(root, "VpcAttributes", derived_vpcs(inv, false));
    cJSON_AddItemToObject(root, "AzHeadroom", derived_vpcs(inv, true));
    return root;
}
