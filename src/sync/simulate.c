/*
 * simulate: AWS's side of an endpoint change played on the inventory; see simulate.h.
 */
#include "vpcx/sync/simulate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/cidr.h"

/* The AWS account PrivateLink creates endpoint ENIs from (their RequesterId). */
#define ENDPOINT_REQUESTER_ID "727180483921"

enum transition { SETTLE, FINISH_DELETE };

struct timer {
    long long due;
    enum transition what;
    char *id;
    struct inventory *inv;
};

struct sim {
    struct timer *v;
    size_t n;
    uint64_t made; /* IDs made so far: each new one differs */
};

struct sim *sim_create(void)
{
    return xcalloc(1, sizeof(struct sim));
}

void sim_destroy(struct sim *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].id);
    free(s->v);
    free(s);
}

/* A later change to the same endpoint replaces its pending transition. */
static void schedule(struct sim *s, struct inventory *inv, const char *id, enum transition what,
                     long long due)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i].inv == inv && strcmp(s->v[i].id, id) == 0) {
            s->v[i].due = due;
            s->v[i].what = what;
            return;
        }
    }
    s->v = xreallocarray(s->v, s->n + 1, sizeof(*s->v));
    s->v[s->n++] = (struct timer){.due = due, .what = what, .id = xstrdup(id), .inv = inv};
}

/* ---- small helpers ------------------------------------------------------------------------- */

static const char *str(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static void set(cJSON *o, const char *key, cJSON *v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, key);
    cJSON_AddItemToObject(o, key, v);
}

static cJSON *item_of(const struct inventory *inv, enum inv_type type, const char *id)
{
    return id ? inventory_item(inv, inventory_find(inv, type, id)) : NULL;
}

/* FNV-1a, 64 bits: spreads a short text over the digits of an ID. */
static uint64_t fnv(const char *text, uint64_t h)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    return h;
}

/*
 * prefix + digits hex digits (at most 32) derived from context and a count, so
 * a session replays the same IDs (screens can be compared) while each differs.
 */
static char *hash_hex(struct sim *s, const char *prefix, size_t digits, const char *context)
{
    char *seed =
        xasprintf("%s/%s/%llu", prefix, context ? context : "", (unsigned long long)s->made++);
    uint64_t a = fnv(seed, 0xcbf29ce484222325ull), b = fnv(seed, a ^ 0x9e3779b97f4a7c15ull);
    free(seed);
    struct strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, prefix);
    for (size_t i = 0; i < digits && i < 32; i++) {
        uint64_t w = i < 16 ? a : b;
        strbuf_addch(&sb, "0123456789abcdef"[(w >> (4 * (i % 16))) & 15]);
    }
    return strbuf_detach(&sb, NULL);
}

char *sim_new_id(struct sim *s, const struct inventory *inv, enum inv_type type, const char *prefix,
                 const char *context)
{
    for (;;) {
        char *id = hash_hex(s, prefix, 17, context);
        if (!inventory_find(inv, type, id))
            return id;
        free(id);
    }
}

static bool list_has(const cJSON *list, const char *s)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, list)
    {
        if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0)
            return true;
    }
    return false;
}

static uint32_t v4(const struct ip_addr *a)
{
    return (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 | (uint32_t)a->bytes[2] << 8 |
           a->bytes[3];
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* ---- addresses ----------------------------------------------------------------------------- */

/*
 * The first address of the subnet that AWS would hand out: not the network
 * address, +1 (router), +2 (DNS), +3 (reserved) or the broadcast, and held by
 * no ENI of the subnet. NULL when the subnet is full or not IPv4.
 */
static char *first_free(const struct inventory *inv, const char *subnet_id)
{
    const struct inv_resource *sn = inventory_find(inv, INV_SUBNET, subnet_id);
    if (!sn || !sn->subnet.has_cidr || sn->subnet.cidr.addr.family != IP_FAMILY_V4 ||
        sn->subnet.cidr.prefix > 28)
        return NULL;
    const struct cidr block = sn->subnet.cidr;
    struct inv_ids enis = inventory_subnet_enis(inv, subnet_id);
    size_t n = 0, cap = 16;
    uint32_t *used = xreallocarray(NULL, cap, sizeof(*used));
    for (size_t i = 0; i < enis.n; i++) {
        const struct inv_resource *e = inventory_find(inv, INV_ENI, enis.v[i]);
        for (size_t k = 0; e && k < e->eni.ipv4.n; k++) {
            struct ip_addr a;
            if (!ip_addr_parse(e->eni.ipv4.v[k], &a) || a.family != IP_FAMILY_V4)
                continue;
            if (n == cap)
                used = xreallocarray(used, cap *= 2, sizeof(*used));
            used[n++] = v4(&a);
        }
    }
    qsort(used, n, sizeof(*used), cmp_u32);
    uint32_t first = v4(&block.addr) + 4;
    uint32_t last = v4(&block.addr) + (uint32_t)((1ull << (32 - block.prefix)) - 2);
    size_t k = 0;
    char *out = NULL;
    for (uint32_t ip = first; ip <= last && !out; ip++) {
        while (k < n && used[k] < ip)
            k++;
        if (k < n && used[k] == ip)
            continue;
        out = xasprintf("%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
    }
    free(used);
    return out;
}

static void subnet_count_add(struct inventory *inv, const char *subnet_id, int delta)
{
    cJSON *sn = item_of(inv, INV_SUBNET, subnet_id);
    if (!sn)
        return;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(sn, "AvailableIpAddressCount");
    if (cJSON_IsNumber(c)) {
        double v = c->valuedouble + delta;
        set(sn, "AvailableIpAddressCount", cJSON_CreateNumber(v < 0 ? 0 : v));
    }
    inventory_put(inv, INV_SUBNET, sn);
}

/* ---- ENIs ---------------------------------------------------------------------------------- */

static char *private_dns_name(const char *ip, const char *region)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "ip-");
    for (const char *p = ip; *p; p++)
        strbuf_addch(&sb, *p == '.' ? '-' : *p);
    if (!region || strcmp(region, "us-east-1") == 0)
        strbuf_addstr(&sb, ".ec2.internal");
    else
        strbuf_addf(&sb, ".%s.compute.internal", region);
    return strbuf_detach(&sb, NULL);
}

static char *mac_address(struct sim *s, const char *eni_id)
{
    char *h = hash_hex(s, "", 10, eni_id);
    char *mac = xasprintf("0e:%.2s:%.2s:%.2s:%.2s:%.2s", h, h + 2, h + 4, h + 6, h + 8);
    free(h);
    return mac;
}

/* An endpoint ENI as DescribeNetworkInterfaces shows one PrivateLink made. */
static cJSON *endpoint_eni(struct sim *s, const struct inventory *inv, const cJSON *ep,
                           const char *subnet_id, const char *ip)
{
    const struct inv_resource *sn = inventory_find(inv, INV_SUBNET, subnet_id);
    const struct inv_resource *az = inventory_subnet_az(inv, subnet_id);
    const char *id = str(ep, "VpcEndpointId");
    const char *type = str(ep, "VpcEndpointType");
    bool gwlb = type && strcmp(type, "GatewayLoadBalancer") == 0;
    char *eni_id = sim_new_id(s, inv, INV_ENI, "eni-", subnet_id);
    char *dns = private_dns_name(ip, az ? az->az.region : NULL);
    char *mac = mac_address(s, eni_id);
    char *desc = xasprintf("VPC Endpoint Interface %s", id);
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "AvailabilityZone",
                            sn && sn->subnet.az_name ? sn->subnet.az_name : "");
    if (sn && sn->subnet.az_id)
        cJSON_AddStringToObject(e, "AvailabilityZoneId", sn->subnet.az_id);
    cJSON_AddStringToObject(e, "Description", desc);
    cJSON *groups = cJSON_GetObjectItemCaseSensitive(ep, "Groups");
    cJSON_AddItemToObject(e, "Groups",
                          groups ? cJSON_Duplicate(groups, true) : cJSON_CreateArray());
    cJSON_AddStringToObject(e, "InterfaceType",
                            gwlb ? "gateway_load_balancer_endpoint" : "vpc_endpoint");
    cJSON_AddArrayToObject(e, "Ipv6Addresses");
    cJSON_AddStringToObject(e, "MacAddress", mac);
    cJSON_AddStringToObject(e, "NetworkInterfaceId", eni_id);
    if (str(ep, "OwnerId"))
        cJSON_AddStringToObject(e, "OwnerId", str(ep, "OwnerId"));
    cJSON_AddStringToObject(e, "PrivateDnsName", dns);
    cJSON_AddStringToObject(e, "PrivateIpAddress", ip);
    cJSON *addrs = cJSON_AddArrayToObject(e, "PrivateIpAddresses");
    cJSON *a = cJSON_CreateObject();
    cJSON_AddBoolToObject(a, "Primary", true);
    cJSON_AddStringToObject(a, "PrivateDnsName", dns);
    cJSON_AddStringToObject(a, "PrivateIpAddress", ip);
    cJSON_AddItemToArray(addrs, a);
    cJSON_AddStringToObject(e, "RequesterId", ENDPOINT_REQUESTER_ID);
    cJSON_AddBoolToObject(e, "RequesterManaged", true);
    cJSON_AddBoolToObject(e, "SourceDestCheck", true);
    cJSON_AddStringToObject(e, "Status", "in-use");
    cJSON_AddStringToObject(e, "SubnetId", subnet_id);
    cJSON_AddArrayToObject(e, "TagSet");
    cJSON_AddStringToObject(e, "VpcId", str(ep, "VpcId") ? str(ep, "VpcId") : "");
    free(eni_id);
    free(dns);
    free(mac);
    free(desc);
    return e;
}

static void remove_eni(struct inventory *inv, const char *eni_id)
{
    const struct inv_resource *e = inventory_find(inv, INV_ENI, eni_id);
    if (!e)
        return;
    char *subnet = e->eni.subnet_id ? xstrdup(e->eni.subnet_id) : NULL;
    int n = (int)e->eni.ipv4.n;
    inventory_remove(inv, INV_ENI, eni_id);
    if (subnet)
        subnet_count_add(inv, subnet, n);
    free(subnet);
}

static const char *eni_subnet(const struct inventory *inv, const char *eni_id)
{
    const struct inv_resource *e = inventory_find(inv, INV_ENI, eni_id);
    return e ? e->eni.subnet_id : NULL;
}

/*
 * Makes an ENI in each of ep's subnets that has none of ep's, putting them in
 * inv and adding them to ep's NetworkInterfaceIds; all or nothing.
 */
static enum vpcx_status add_enis(struct sim *s, struct inventory *inv, cJSON *ep,
                                 struct vpcx_error *err)
{
    cJSON *ids = cJSON_GetObjectItemCaseSensitive(ep, "NetworkInterfaceIds");
    if (!cJSON_IsArray(ids)) {
        ids = cJSON_CreateArray();
        set(ep, "NetworkInterfaceIds", ids);
    }
    cJSON *made = cJSON_CreateArray();
    const cJSON *sn;
    cJSON_ArrayForEach(sn, cJSON_GetObjectItemCaseSensitive(ep, "SubnetIds"))
    {
        bool have = false;
        const cJSON *it;
        cJSON_ArrayForEach(it, ids)
        {
            const char *at = eni_subnet(inv, cJSON_GetStringValue(it));
            have = have || (at && strcmp(at, sn->valuestring) == 0);
        }
        if (have)
            continue;
        char *ip = first_free(inv, sn->valuestring);
        if (!ip) {
            cJSON_Delete(made);
            return vpcx_error_set(err, VPCX_ERR_AWS,
                                  "InsufficientFreeAddressesInSubnet: %s has no free address "
                                  "for an endpoint ENI",
                                  sn->valuestring);
        }
        /* Taken at once, so the next subnet's search (same VPC, other range) is unaffected. */
        cJSON_AddItemToArray(made, endpoint_eni(s, inv, ep, sn->valuestring, ip));
        free(ip);
    }
    cJSON *e;
    while ((e = cJSON_DetachItemFromArray(made, 0)) != NULL) {
        cJSON_AddItemToArray(ids, cJSON_CreateString(str(e, "NetworkInterfaceId")));
        char *subnet = xstrdup(str(e, "SubnetId"));
        inventory_put(inv, INV_ENI, e);
        subnet_count_add(inv, subnet, -1);
        free(subnet);
    }
    cJSON_Delete(made);
    return VPCX_OK;
}

/* The endpoint's groups apply to its ENIs (AWS changes them together). */
static void enis_follow_groups(struct inventory *inv, const cJSON *ep)
{
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(ep, "Groups");
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(ep, "NetworkInterfaceIds"))
    {
        cJSON *e = item_of(inv, INV_ENI, cJSON_GetStringValue(it));
        if (!e)
            continue;
        set(e, "Groups", groups ? cJSON_Duplicate(groups, true) : cJSON_CreateArray());
        inventory_put(inv, INV_ENI, e);
    }
}

/* ---- DNS entries and routes ---------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The "vpce-ID-1a2b3c4d" label of the endpoint's names, kept once made. */
static char *dns_label(struct sim *s, const cJSON *ep)
{
    const char *first =
        str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ep, "DnsEntries"), 0), "DnsName");
    if (first && strncmp(first, "vpce-", 5) == 0 && strchr(first, '.'))
        return xstrndup(first, (size_t)(strchr(first, '.') - first));
    char *suffix = hash_hex(s, "", 8, str(ep, "VpcEndpointId"));
    char *label = xasprintf("%s-%s", str(ep, "VpcEndpointId"), suffix);
    free(suffix);
    return label;
}

static void add_dns(cJSON *list, const char *name, const char *zone)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "DnsName", name);
    if (zone)
        cJSON_AddStringToObject(d, "HostedZoneId", zone);
    cJSON_AddItemToArray(list, d);
}

/* A hosted zone ID of the region's vpce names, from an endpoint already there. */
static char *vpce_zone(const struct inventory *inv, const char *self)
{
    for (size_t i = 0; i < inventory_count(inv, INV_ENDPOINT); i++) {
        const struct inv_resource *r = inventory_at(inv, INV_ENDPOINT, i);
        if (strcmp(r->id, self) == 0 || r->endpoint.kind != INV_ENDPOINT_INTERFACE)
            continue;
        cJSON *item = inventory_item(inv, r);
        const char *z =
            str(cJSON_GetArrayItem(cJSON_GetObjectItem(item, "DnsEntries"), 0), "HostedZoneId");
        char *out = z ? xstrdup(z) : NULL;
        cJSON_Delete(item);
        if (out)
            return out;
    }
    return NULL;
}

/* DnsEntries as AWS lists them: regional name, one per AZ, then the private name. */
static void set_dns_entries(struct sim *s, const struct inventory *inv, cJSON *ep)
{
    const char *type = str(ep, "VpcEndpointType");
    if (!type || strcmp(type, "Interface") != 0) {
        set(ep, "DnsEntries", cJSON_CreateArray());
        return;
    }
    const char *service = str(ep, "ServiceName");
    const struct inv_resource *svc =
        service ? inventory_find_service(inv, service, INV_ENDPOINT_INTERFACE) : NULL;
    cJSON *svc_item = inventory_item(inv, svc);
    const char *base = cJSON_GetStringValue(
        cJSON_GetArrayItem(cJSON_GetObjectItem(svc_item, "BaseEndpointDnsNames"), 0));
    cJSON *list = cJSON_CreateArray();
    if (base) {
        char *label = dns_label(s, ep);
        char *zone = vpce_zone(inv, str(ep, "VpcEndpointId"));
        char *name = xasprintf("%s.%s", label, base);
        add_dns(list, name, zone);
        free(name);
        const cJSON *ids = cJSON_GetObjectItemCaseSensitive(ep, "NetworkInterfaceIds");
        size_t n = 0;
        char **azs = xcalloc((size_t)cJSON_GetArraySize(ids) + 1, sizeof(*azs));
        const cJSON *it;
        cJSON_ArrayForEach(it, ids)
        {
            const struct inv_resource *e =
                inventory_find(inv, INV_ENI, cJSON_GetStringValue(it) ? it->valuestring : "");
            if (e && e->eni.az_name)
                azs[n++] = xstrdup(e->eni.az_name);
        }
        qsort(azs, n, sizeof(*azs), cmp_str);
        for (size_t i = 0; i < n; i++) {
            if (i == 0 || strcmp(azs[i], azs[i - 1]) != 0) {
                name = xasprintf("%s-%s.%s", label, azs[i], base);
                add_dns(list, name, zone);
                free(name);
            }
        }
        for (size_t i = 0; i < n; i++)
            free(azs[i]);
        free(azs);
        free(label);
        free(zone);
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ep, "PrivateDnsEnabled")) && svc &&
        svc->service.private_dns)
        add_dns(list, svc->service.private_dns, NULL);
    cJSON_Delete(svc_item);
    set(ep, "DnsEntries", list);
}

static const char *prefix_list_of(const struct inventory *inv, const char *service)
{
    for (size_t i = 0; service && i < inventory_count(inv, INV_PREFIX_LIST); i++) {
        const struct inv_resource *r = inventory_at(inv, INV_PREFIX_LIST, i);
        if (r->name && strcmp(r->name, service) == 0)
            return r->id;
    }
    return NULL;
}

/* Route tables in want (NULL: none) get the prefix-list route to id; the others lose it. */
static void sync_routes(struct inventory *inv, const char *vpc_id, const char *id,
                        const char *service, const cJSON *want)
{
    const char *pl = prefix_list_of(inv, service);
    size_t n = inventory_count(inv, INV_ROUTE_TABLE), m = 0;
    char **ids = xcalloc(n + 1, sizeof(*ids)); /* IDs, not pointers: each put changes the table */
    for (size_t i = 0; i < n; i++) {
        const struct inv_resource *r = inventory_at(inv, INV_ROUTE_TABLE, i);
        if (vpc_id && r->vpc_id && strcmp(r->vpc_id, vpc_id) == 0)
            ids[m++] = xstrdup(r->id);
    }
    for (size_t i = 0; i < m; i++) {
        cJSON *t = item_of(inv, INV_ROUTE_TABLE, ids[i]);
        cJSON *routes = cJSON_GetObjectItemCaseSensitive(t, "Routes");
        bool wanted = pl && want && list_has(want, ids[i]);
        bool changed = false;
        for (int k = cJSON_GetArraySize(routes) - 1; k >= 0; k--) {
            const char *gw = str(cJSON_GetArrayItem(routes, k), "GatewayId");
            if (gw && strcmp(gw, id) == 0) {
                if (wanted) {
                    wanted = false; /* already there */
                    continue;
                }
                cJSON_DeleteItemFromArray(routes, k);
                changed = true;
            }
        }
        if (wanted && cJSON_IsArray(routes)) {
            cJSON *r = cJSON_CreateObject();
            cJSON_AddStringToObject(r, "DestinationPrefixListId", pl);
            cJSON_AddStringToObject(r, "GatewayId", id);
            cJSON_AddStringToObject(r, "Origin", "CreateRoute");
            cJSON_AddStringToObject(r, "State", "active");
            cJSON_AddItemToArray(routes, r);
            changed = true;
        }
        if (changed)
            inventory_put(inv, INV_ROUTE_TABLE, t);
        else
            cJSON_Delete(t);
        free(ids[i]);
    }
    free(ids);
}

/* ---- the three changes --------------------------------------------------------------------- */

static void stamp(cJSON *ep)
{
    if (str(ep, "CreationTimestamp"))
        return;
    time_t now = time(NULL);
    struct tm tm;
    char buf[32];
    gmtime_r(&now, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    cJSON_AddStringToObject(ep, "CreationTimestamp", buf);
}

static bool is_gateway(const cJSON *ep)
{
    const char *t = str(ep, "VpcEndpointType");
    return t && strcmp(t, "Gateway") == 0;
}

static void put_endpoint(struct inventory *inv, cJSON *ep)
{
    if (is_gateway(ep))
        sync_routes(inv, str(ep, "VpcId"), str(ep, "VpcEndpointId"), str(ep, "ServiceName"),
                    cJSON_GetObjectItemCaseSensitive(ep, "RouteTableIds"));
    inventory_put(inv, INV_ENDPOINT, ep);
}

enum vpcx_status sim_create_endpoint(struct sim *s, struct inventory *inv, cJSON *ep,
                                     long long now_ms, struct vpcx_error *err)
{
    if (!str(ep, "OwnerId")) {
        const struct inv_resource *vpc = inventory_find(inv, INV_VPC, str(ep, "VpcId"));
        if (vpc && vpc->owner_id)
            cJSON_AddStringToObject(ep, "OwnerId", vpc->owner_id);
    }
    set(ep, "State", cJSON_CreateString("pending"));
    set(ep, "NetworkInterfaceIds", cJSON_CreateArray());
    stamp(ep);
    if (!is_gateway(ep)) {
        enum vpcx_status st = add_enis(s, inv, ep, err);
        if (st != VPCX_OK) {
            cJSON_Delete(ep);
            return st;
        }
    }
    set_dns_entries(s, inv, ep);
    char *id = xstrdup(str(ep, "VpcEndpointId"));
    put_endpoint(inv, ep);
    schedule(s, inv, id, SETTLE, now_ms + SIM_SETTLE_MS);
    free(id);
    return VPCX_OK;
}

enum vpcx_status sim_modify_endpoint(struct sim *s, struct inventory *inv, cJSON *ep,
                                     long long now_ms, struct vpcx_error *err)
{
    /* What AWS keeps of its own (ENIs, names, creation) comes from the current version. */
    cJSON *cur = item_of(inv, INV_ENDPOINT, str(ep, "VpcEndpointId"));
    if (!cur) {
        cJSON_Delete(ep);
        return vpcx_error_set(err, VPCX_ERR_NOT_FOUND, "the endpoint is not in the inventory");
    }
    static const char *const kept[] = {"NetworkInterfaceIds", "DnsEntries", "CreationTimestamp",
                                       "OwnerId"};
    for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
        cJSON *v = cJSON_GetObjectItemCaseSensitive(cur, kept[i]);
        if (v)
            set(ep, kept[i], cJSON_Duplicate(v, true));
    }
    cJSON_Delete(cur);
    set(ep, "State", cJSON_CreateString("pending"));
    if (!is_gateway(ep)) {
        enum vpcx_status st = add_enis(s, inv, ep, err);
        if (st != VPCX_OK) {
            cJSON_Delete(ep);
            return st;
        }
        enis_follow_groups(inv, ep);
    }
    set_dns_entries(s, inv, ep);
    char *id = xstrdup(str(ep, "VpcEndpointId"));
    put_endpoint(inv, ep);
    schedule(s, inv, id, SETTLE, now_ms + SIM_SETTLE_MS);
    free(id);
    return VPCX_OK;
}

enum vpcx_status sim_delete_endpoint(struct sim *s, struct inventory *inv, const char *id,
                                     long long now_ms, struct vpcx_error *err)
{
    cJSON *ep = item_of(inv, INV_ENDPOINT, id);
    if (!ep)
        return vpcx_error_set(err, VPCX_ERR_NOT_FOUND, "%s is not in the inventory", id);
    set(ep, "State", cJSON_CreateString("deleting"));
    inventory_put(inv, INV_ENDPOINT, ep);
    schedule(s, inv, id, FINISH_DELETE, now_ms + SIM_SETTLE_MS);
    return VPCX_OK;
}

/* Pending -> available: ENIs of subnets no longer listed go, the names follow. */
static void settle(struct sim *s, struct inventory *inv, const char *id)
{
    cJSON *ep = item_of(inv, INV_ENDPOINT, id);
    if (!ep)
        return;
    cJSON *ids = cJSON_GetObjectItemCaseSensitive(ep, "NetworkInterfaceIds");
    const cJSON *subnets = cJSON_GetObjectItemCaseSensitive(ep, "SubnetIds");
    for (int k = cJSON_GetArraySize(ids) - 1; k >= 0; k--) {
        const char *eni = cJSON_GetStringValue(cJSON_GetArrayItem(ids, k));
        const char *sn = eni ? eni_subnet(inv, eni) : NULL;
        if (eni && sn && list_has(subnets, sn))
            continue;
        if (eni)
            remove_eni(inv, eni);
        cJSON_DeleteItemFromArray(ids, k);
    }
    set_dns_entries(s, inv, ep);
    set(ep, "State", cJSON_CreateString("available"));
    inventory_put(inv, INV_ENDPOINT, ep);
}

/* Deleting -> gone, with its ENIs and routes. */
static void finish_delete(struct inventory *inv, const char *id)
{
    cJSON *ep = item_of(inv, INV_ENDPOINT, id);
    if (!ep)
        return;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(ep, "NetworkInterfaceIds"))
    {
        if (cJSON_IsString(it))
            remove_eni(inv, it->valuestring);
    }
    if (is_gateway(ep))
        sync_routes(inv, str(ep, "VpcId"), id, str(ep, "ServiceName"), NULL);
    inventory_remove(inv, INV_ENDPOINT, id);
    cJSON_Delete(ep);
}

long sim_timeout_ms(const struct sim *s, long long now_ms)
{
    long long best = -1;
    for (size_t i = 0; s && i < s->n; i++) {
        long long left = s->v[i].due - now_ms;
        if (left < 0)
            left = 0;
        if (best < 0 || left < best)
            best = left;
    }
    return (long)best;
}

bool sim_run_due(struct sim *s, long long now_ms)
{
    bool changed = false;
    for (size_t i = 0; s && i < s->n;) {
        if (s->v[i].due > now_ms) {
            i++;
            continue;
        }
        struct timer t = s->v[i];
        s->v[i] = s->v[--s->n];
        if (t.what == SETTLE)
            settle(s, t.inv, t.id);
        else
            finish_delete(t.inv, t.id);
        free(t.id);
        changed = true;
    }
    return changed;
}

bool sim_busy(const struct sim *s)
{
    return s && s->n > 0;
}
