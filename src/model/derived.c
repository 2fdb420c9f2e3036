/* derived: the derived part of a dump, computed from the inventory by the
 * ipusage and placement modules. Its own module so inventory needs neither. */
#include "vpcx/model/derived.h"

#include <stdlib.h>

#include "vpcx/model/ipusage.h"
#include "vpcx/model/placement.h"

static cJSON *ip_usage_entry(const struct inventory *inv, const struct inv_resource *s)
{
    struct ip_usage u;
    ipusage_compute(inv, s, &u);
    return ipusage_to_json(&u);
}

static cJSON *placement_entry(const struct inventory *inv, const struct inv_resource *ep)
{
    struct placement p;
    cJSON *o = NULL;
    if (placement_compute(inv, ep->id, &p) == VPCX_OK && p.applicable) {
        o = placement_to_json(&p);
    }
    placement_finish(&p);
    return o;
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

static void add_tristate(cJSON *o, const char *key, enum inv_tristate v)
{
    if (v != INV_UNKNOWN) {
        cJSON_AddBoolToObject(o, key, v == INV_YES);
    }
}

static cJSON *vpc_attributes_entry(const struct inventory *inv, const struct inv_resource *vpc)
{
    (void)inv;
    if (vpc->vpc.dns_support == INV_UNKNOWN && vpc->vpc.dns_hostnames == INV_UNKNOWN) {
        return NULL;
    }
    cJSON *o = cJSON_CreateObject();
    add_tristate(o, "EnableDnsSupport", vpc->vpc.dns_support);
    add_tristate(o, "EnableDnsHostnames", vpc->vpc.dns_hostnames);
    return o;
}

static cJSON *headroom_entry(const struct inventory *inv, const struct inv_resource *vpc)
{
    struct az_headroom *rows = NULL;
    size_t n = ipusage_vpc_headroom(inv, vpc->id, &rows);
    cJSON *o = ipusage_headroom_to_json(rows, n);
    free(rows);
    return o;
}

/* Each section: an object keyed by the ID of one resource type, in ID order. */
static const struct {
    const char *name;
    enum inv_type type;
    cJSON *(*entry)(const struct inventory *inv, const struct inv_resource *r);
} sections[DERIVED_SECTION_COUNT] = {
    [DERIVED_IP_USAGE] = {"SubnetIpUsage", INV_SUBNET, ip_usage_entry},
    [DERIVED_PLACEMENT] = {"EndpointPlacement", INV_ENDPOINT, placement_entry},
    [DERIVED_ENI_OWNERS] = {"EniOwners", INV_ENI, derived_eni_owner},
    [DERIVED_VPC_ATTRIBUTES] = {"VpcAttributes", INV_VPC, vpc_attributes_entry},
    [DERIVED_AZ_HEADROOM] = {"AzHeadroom", INV_VPC, headroom_entry},
};

const char *derived_section_name(enum derived_section section)
{
    return sections[section].name;
}

size_t derived_section_size(const struct inventory *inv, enum derived_section section)
{
    return inventory_count(inv, sections[section].type);
}

cJSON *derived_entry(const struct inventory *inv, enum derived_section section, size_t index,
                     const char **key)
{
    const struct inv_resource *r = inventory_at(inv, sections[section].type, index);
    *key = r != NULL ? r->id : NULL;
    return r != NULL ? sections[section].entry(inv, r) : NULL;
}

cJSON *derived_to_json(const struct inventory *inv)
{
    cJSON *root = cJSON_CreateObject();
    for (int s = 0; s < DERIVED_SECTION_COUNT; s++) {
        cJSON *obj = cJSON_AddObjectToObject(root, sections[s].name);
        size_t n = derived_section_size(inv, (enum derived_section)s);
        for (size_t i = 0; i < n; i++) {
            const char *key;
            cJSON *v = derived_entry(inv, (enum derived_section)s, i, &key);
            if (v != NULL) {
                cJSON_AddItemToObject(obj, key, v);
            }
        }
    }
    return root;
}
