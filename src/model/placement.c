/* placement: an endpoint's ENIs per availability zone, against what the service offers. */
#include "vpcx/model/placement.h"

#include <stdlib.h>
#include <string.h>

#include "vpcx/core/xalloc.h"

static const char *const status_keys[PLACEMENT_STATUS_COUNT] = {
#define PLACEMENT_STATUS_KEY(name, key, human) key,
    PLACEMENT_STATUS_TABLE(PLACEMENT_STATUS_KEY)
#undef PLACEMENT_STATUS_KEY
};

static const char *const status_names[PLACEMENT_STATUS_COUNT] = {
#define PLACEMENT_STATUS_NAME(name, key, human) human,
    PLACEMENT_STATUS_TABLE(PLACEMENT_STATUS_NAME)
#undef PLACEMENT_STATUS_NAME
};

const char *placement_status_key(enum placement_status status)
{
    return status < PLACEMENT_STATUS_COUNT ? status_keys[status] : "?";
}

const char *placement_status_name(enum placement_status status)
{
    return status < PLACEMENT_STATUS_COUNT ? status_names[status] : "?";
}

/* Zone ID from an (ID, name) pair: the ID, else the AZ inventory's, else the name. */
static const char *zone_id_of(const struct inventory *inv, const char *az_id, const char *az_name)
{
    if (az_id != NULL) {
        return az_id;
    }
    const struct inv_resource *az = inventory_find_az_by_name(inv, az_name);
    return az != NULL && az->az.zone_id != NULL ? az->az.zone_id : az_name;
}

static const char *zone_name_of(const struct inventory *inv, const char *az_id, const char *az_name)
{
    if (az_name != NULL) {
        return az_name;
    }
    const struct inv_resource *az = inventory_find(inv, INV_AZ, az_id);
    return az != NULL ? az->az.zone_name : NULL;
}

/* The zone row for the pair, appended when new; NULL when the pair is empty. */
static struct placement_az *zone_get(const struct inventory *inv, struct placement *p,
                                     const char *az_id, const char *az_name)
{
    const char *id = zone_id_of(inv, az_id, az_name);
    if (id == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < p->n_azs; i++) {
        if (strcmp(p->azs[i].zone_id, id) == 0) {
            return &p->azs[i];
        }
    }
    p->azs = xreallocarray(p->azs, p->n_azs + 1, sizeof(*p->azs));
    struct placement_az *z = &p->azs[p->n_azs++];
    memset(z, 0, sizeof(*z));
    z->zone_id = id;
    z->zone_name = zone_name_of(inv, az_id, az_name);
    return z;
}

static struct placement_az *subnet_zone(const struct inventory *inv, struct placement *p,
                                        const struct inv_resource *s)
{
    return zone_get(inv, p, s->subnet.az_id, s->subnet.az_name);
}

static void add_vpc_zones(const struct inventory *inv, const char *vpc_id, struct placement *p)
{
    struct inv_ids subnets = inventory_vpc_subnets(inv, vpc_id);
    for (size_t i = 0; i < subnets.n; i++) {
        subnet_zone(inv, p, inventory_find(inv, INV_SUBNET, subnets.v[i]));
    }
}

static void add_enis(const struct inventory *inv, const struct inv_resource *ep,
                     struct placement *p)
{
    struct inv_ids enis = inventory_endpoint_enis(inv, ep->id);
    for (size_t i = 0; i < enis.n; i++) {
        const struct inv_resource *eni = inventory_find(inv, INV_ENI, enis.v[i]);
        if (eni == NULL) {
            continue;
        }
        const struct inv_resource *s = inventory_find(inv, INV_SUBNET, eni->eni.subnet_id);
        struct placement_az *z =
            s != NULL ? subnet_zone(inv, p, s) : zone_get(inv, p, eni->eni.az_id, eni->eni.az_name);
        if (z == NULL) {
            continue;
        }
        if (z->eni_count++ == 0) { /* IDs come sorted: the first is the lowest */
            z->eni_id = eni->id;
            z->ip = eni->eni.primary_ip;
            z->eni_status = eni->state;
            z->subnet_id = eni->eni.subnet_id;
        }
    }
}

static void add_endpoint_subnets(const struct inventory *inv, const struct inv_resource *ep,
                                 struct placement *p)
{
    for (size_t i = 0; i < ep->endpoint.subnet_ids.n; i++) {
        const struct inv_resource *s =
            inventory_find(inv, INV_SUBNET, ep->endpoint.subnet_ids.v[i]);
        struct placement_az *z = s != NULL ? subnet_zone(inv, p, s) : NULL;
        if (z != NULL && z->subnet_id == NULL) {
            z->subnet_id = s->id;
        }
    }
}

static bool service_offers(const struct inv_resource *svc, const char *zone_name)
{
    for (size_t i = 0; zone_name != NULL && i < svc->service.az_names.n; i++) {
        if (strcmp(svc->service.az_names.v[i], zone_name) == 0) {
            return true;
        }
    }
    return false;
}

static enum placement_status zone_status(const struct placement_az *z,
                                         const struct inv_resource *svc)
{
    if (z->eni_count > 0) {
        return PLACEMENT_ENI;
    }
    if (z->subnet_id != NULL) {
        return PLACEMENT_SUBNET_NO_ENI;
    }
    if (svc == NULL || z->zone_name == NULL) {
        return PLACEMENT_UNKNOWN;
    }
    return service_offers(svc, z->zone_name) ? PLACEMENT_SUPPORTED : PLACEMENT_NOT_OFFERED;
}

static int cmp_zone(const void *a, const void *b)
{
    const struct placement_az *x = a;
    const struct placement_az *y = b;
    return strcmp(x->zone_name != NULL ? x->zone_name : x->zone_id,
                  y->zone_name != NULL ? y->zone_name : y->zone_id);
}

enum vpcx_status placement_compute(const struct inventory *inv, const char *endpoint_id,
                                   struct placement *out)
{
    memset(out, 0, sizeof(*out));
    const struct inv_resource *ep = inventory_find(inv, INV_ENDPOINT, endpoint_id);
    if (ep == NULL) {
        return VPCX_ERR_NOT_FOUND;
    }
    out->endpoint_id = ep->id;
    out->vpc_id = ep->vpc_id;
    out->service_name = ep->endpoint.service_name;
    out->applicable = ep->endpoint.kind != INV_ENDPOINT_GATEWAY;
    if (!out->applicable) {
        return VPCX_OK;
    }
    const struct inv_resource *svc =
        inventory_find_service(inv, ep->endpoint.service_name, ep->endpoint.kind);
    out->service_known = svc != NULL;
    add_vpc_zones(inv, ep->vpc_id, out);
    add_enis(inv, ep, out);
    add_endpoint_subnets(inv, ep, out);
    for (size_t i = 0; i < out->n_azs; i++) {
        out->azs[i].status = zone_status(&out->azs[i], svc);
        out->covered += out->azs[i].status == PLACEMENT_ENI;
    }
    if (out->n_azs > 1) {
        qsort(out->azs, out->n_azs, sizeof(*out->azs), cmp_zone);
    }
    out->single_az = out->covered == 1;
    return VPCX_OK;
}

void placement_finish(struct placement *p)
{
    free(p->azs);
    memset(p, 0, sizeof(*p));
}

static void add_opt_string(cJSON *o, const char *key, const char *value)
{
    if (value != NULL) {
        cJSON_AddStringToObject(o, key, value);
    }
}

static cJSON *zone_to_json(const struct placement_az *z)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "ZoneId", z->zone_id);
    add_opt_string(o, "ZoneName", z->zone_name);
    cJSON_AddStringToObject(o, "Status", placement_status_key(z->status));
    add_opt_string(o, "SubnetId", z->subnet_id);
    add_opt_string(o, "NetworkInterfaceId", z->eni_id);
    add_opt_string(o, "PrivateIpAddress", z->ip);
    add_opt_string(o, "NetworkInterfaceStatus", z->eni_status);
    cJSON_AddNumberToObject(o, "NetworkInterfaceCount", (double)z->eni_count);
    return o;
}

cJSON *placement_to_json(const struct placement *p)
{
    cJSON *o = cJSON_CreateObject();
    add_opt_string(o, "VpcId", p->vpc_id);
    add_opt_string(o, "ServiceName", p->service_name);
    cJSON_AddBoolToObject(o, "ServiceKnown", p->service_known);
    cJSON_AddNumberToObject(o, "ZonesCovered", (double)p->covered);
    cJSON_AddBoolToObject(o, "SingleAz", p->single_az);
    cJSON *zones = cJSON_AddArrayToObject(o, "Zones");
    for (size_t i = 0; i < p->n_azs; i++) {
        cJSON_AddItemToArray(zones, zone_to_json(&p->azs[i]));
    }
    return o;
}
