/* ipusage: per-subnet IPv4 accounting from ENIs, reconciled with AWS's count. */
#include "vpcx/model/ipusage.h"

#include <stdlib.h>
#include <string.h>

#include "vpcx/core/xalloc.h"

static const char *const owner_keys[IP_OWNER_COUNT] = {
#define IP_OWNER_KEY(name, key, human) key,
    IP_OWNER_TABLE(IP_OWNER_KEY)
#undef IP_OWNER_KEY
};

static const char *const owner_names[IP_OWNER_COUNT] = {
#define IP_OWNER_NAME(name, key, human) human,
    IP_OWNER_TABLE(IP_OWNER_NAME)
#undef IP_OWNER_NAME
};

static const char *const level_keys[IP_LEVEL_COUNT] = {
#define IP_LEVEL_KEY(name, key) key,
    IP_LEVEL_TABLE(IP_LEVEL_KEY)
#undef IP_LEVEL_KEY
};

const char *ipusage_owner_key(enum ip_owner owner)
{
    return owner < IP_OWNER_COUNT ? owner_keys[owner] : "?";
}

const char *ipusage_owner_name(enum ip_owner owner)
{
    return owner < IP_OWNER_COUNT ? owner_names[owner] : "?";
}

const char *ipusage_level_key(enum ip_level level)
{
    return level < IP_LEVEL_COUNT ? level_keys[level] : "?";
}

static bool str_eq(const char *s, const char *t)
{
    return s != NULL && strcmp(s, t) == 0;
}

static bool str_starts(const char *s, const char *prefix)
{
    return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool is_endpoint(const struct inventory *inv, const struct inv_resource *eni)
{
    const char *type = eni->eni.interface_type;
    return inventory_eni_endpoint(inv, eni->id, NULL) != NULL || str_eq(type, "vpc_endpoint") ||
           str_eq(type, "gateway_load_balancer_endpoint");
}

static bool is_lambda(const struct inv_eni *e)
{
    return str_eq(e->interface_type, "lambda") ||
           str_starts(e->description, "AWS Lambda VPC ENI") ||
           (e->requester_id != NULL && strstr(e->requester_id, "awslambda") != NULL);
}

static bool is_elb(const struct inv_eni *e)
{
    const char *type = e->interface_type;
    return str_eq(type, "load_balancer") || str_eq(type, "network_load_balancer") ||
           str_eq(type, "gateway_load_balancer") || str_starts(e->description, "ELB ") ||
           str_eq(e->requester_id, "amazon-elb");
}

static bool is_nat(const struct inv_eni *e)
{
    return str_eq(e->interface_type, "natGateway") || str_eq(e->interface_type, "nat_gateway") ||
           str_starts(e->description, "Interface for NAT Gateway");
}

static bool is_efs(const struct inv_eni *e)
{
    return str_eq(e->interface_type, "efs") || str_starts(e->description, "EFS mount target");
}

enum ip_owner ipusage_classify_eni(const struct inventory *inv, const struct inv_resource *eni)
{
    const struct inv_eni *e = &eni->eni;
    if (is_endpoint(inv, eni)) {
        return IP_OWNER_ENDPOINT;
    }
    if (is_lambda(e)) {
        return IP_OWNER_LAMBDA;
    }
    if (is_elb(e)) {
        return IP_OWNER_ELB;
    }
    if (is_nat(e)) {
        return IP_OWNER_NAT;
    }
    if (str_starts(e->description, "Amazon EKS")) {
        return IP_OWNER_EKS;
    }
    if (is_efs(e)) {
        return IP_OWNER_EFS;
    }
    if (e->instance_id != NULL && e->instance_id[0] != '\0') {
        return IP_OWNER_INSTANCE;
    }
    return IP_OWNER_OTHER;
}

/* Adds one ENI's addresses to u. */
static void count_eni(const struct inventory *inv, const struct inv_resource *subnet,
                      const struct inv_resource *eni, struct ip_usage *u)
{
    const struct inv_eni *e = &eni->eni;
    uint64_t n = e->ipv4.n + e->ipv4_prefix_addresses;
    for (size_t i = 0; i < e->ipv4.n; i++) {
        if (subnet->subnet.has_cidr && !cidr_contains_text(&subnet->subnet.cidr, e->ipv4.v[i])) {
            u->outside_cidr++;
        }
    }
    u->used += n;
    u->by_owner[ipusage_classify_eni(inv, eni)] += n;
    u->ipv6_used += e->ipv6.n;
    u->eni_count++;
}

static void reconcile(const struct inv_resource *subnet, struct ip_usage *u)
{
    u->free = u->used < u->usable ? u->usable - u->used : 0;
    u->effective_free = u->free;
    u->has_aws_available = subnet->subnet.has_available;
    if (!u->has_aws_available) {
        return;
    }
    u->aws_available = subnet->subnet.available;
    /* usable and aws_available are at most 2^32; used is clamped to keep this in range. */
    uint64_t used = u->used < (UINT64_C(1) << 40) ? u->used : (UINT64_C(1) << 40);
    u->unaccounted = ((int64_t)u->usable - u->aws_available) - (int64_t)used;
    if (u->aws_available >= 0 && (uint64_t)u->aws_available < u->effective_free) {
        u->effective_free = (uint64_t)u->aws_available;
    }
}

void ipusage_compute(const struct inventory *inv, const struct inv_resource *subnet,
                     struct ip_usage *out)
{
    memset(out, 0, sizeof(*out));
    out->subnet_id = subnet->id;
    out->has_cidr = subnet->subnet.has_cidr;
    if (out->has_cidr) {
        out->total = cidr_size_u64(&subnet->subnet.cidr);
        out->reserved = out->total < IPUSAGE_AWS_RESERVED ? out->total : IPUSAGE_AWS_RESERVED;
        out->usable = out->total - out->reserved;
    }
    struct inv_ids enis = inventory_subnet_enis(inv, subnet->id);
    for (size_t i = 0; i < enis.n; i++) {
        const struct inv_resource *eni = inventory_find(inv, INV_ENI, enis.v[i]);
        if (eni != NULL) {
            count_eni(inv, subnet, eni, out);
        }
    }
    reconcile(subnet, out);
}

double ipusage_percent_used(const struct ip_usage *u)
{
    if (!u->has_cidr) {
        return 0.0;
    }
    if (u->usable == 0) {
        return 100.0;
    }
    return 100.0 * (double)(u->usable - u->effective_free) / (double)u->usable;
}

enum ip_level ipusage_level(const struct ip_usage *u)
{
    if (!u->has_cidr) {
        return IP_LEVEL_OK;
    }
    double pct = ipusage_percent_used(u);
    if (pct >= IPUSAGE_CRITICAL_PERCENT || u->effective_free < IPUSAGE_CRITICAL_FREE) {
        return IP_LEVEL_CRITICAL;
    }
    return pct >= IPUSAGE_WARN_PERCENT ? IP_LEVEL_WARN : IP_LEVEL_OK;
}

/* ---- reserved addresses and the subnets holding an address ---------------------- */

static const char *const reserved_v4[] = {"",
#define IP_RESERVED_V4(name, v4, v6) v4,
                                          IP_RESERVED_TABLE(IP_RESERVED_V4)
#undef IP_RESERVED_V4
};

static const char *const reserved_v6[] = {"",
#define IP_RESERVED_V6(name, v4, v6) v6,
                                          IP_RESERVED_TABLE(IP_RESERVED_V6)
#undef IP_RESERVED_V6
};

#define N_RESERVED (sizeof(reserved_v4) / sizeof(reserved_v4[0]))

const char *ipusage_reserved_name(enum ip_reserved kind, enum ip_family family)
{
    if ((size_t)kind >= N_RESERVED) {
        return "?";
    }
    return family == IP_FAMILY_V6 ? reserved_v6[kind] : reserved_v4[kind];
}

enum ip_reserved ipusage_reserved_kind(const struct cidr *block, const struct ip_addr *addr)
{
    if (!cidr_contains(block, addr)) {
        return IP_RESERVED_NONE;
    }
    struct ip_addr last = cidr_last(block);
    unsigned bytes = ip_addr_bits(addr) / 8;
    /* The network address has no host bits, so the offset is addr XOR network. */
    bool small = true;
    for (unsigned i = 0; i + 1 < bytes; i++) {
        small = small && addr->bytes[i] == block->addr.bytes[i];
    }
    unsigned offset = (unsigned)(addr->bytes[bytes - 1] ^ block->addr.bytes[bytes - 1]);
    if (small && offset < 4) {
        return (enum ip_reserved)(IP_RESERVED_NETWORK + offset);
    }
    return ip_addr_compare(addr, &last) == 0 ? IP_RESERVED_BROADCAST : IP_RESERVED_NONE;
}

static void place_add(struct ip_place **v, size_t *n, const struct inv_resource *s,
                      const struct cidr *block, const struct ip_addr *addr)
{
    *v = xreallocarray(*v, *n + 1, sizeof(**v));
    (*v)[(*n)++] = (struct ip_place){
        .subnet = s,
        .block = block,
        .reserved = ipusage_reserved_kind(block, addr),
    };
}

size_t ipusage_find_subnets(const struct inventory *inv, const struct ip_addr *addr,
                            struct ip_place **out)
{
    struct ip_place *v = NULL;
    size_t n = 0;
    size_t count = inventory_count(inv, INV_SUBNET);
    /* In ID order, so the places come out sorted by subnet. */
    for (size_t i = 0; i < count; i++) {
        const struct inv_resource *s = inventory_at(inv, INV_SUBNET, i);
        const struct inv_subnet *sn = &s->subnet;
        if (sn->has_cidr && cidr_contains(&sn->cidr, addr)) {
            place_add(&v, &n, s, &sn->cidr, addr);
        }
        for (size_t k = 0; k < sn->n_ipv6; k++) {
            if (cidr_contains(&sn->ipv6[k], addr)) {
                place_add(&v, &n, s, &sn->ipv6[k], addr);
            }
        }
    }
    *out = v;
    return n;
}

/* ---- per-AZ headroom ---------------------------------------------------------- */

static const char *subnet_zone_id(const struct inventory *inv, const struct inv_resource *s)
{
    if (s->subnet.az_id != NULL) {
        return s->subnet.az_id;
    }
    const struct inv_resource *az = inventory_find_az_by_name(inv, s->subnet.az_name);
    return az != NULL && az->az.zone_id != NULL ? az->az.zone_id : s->subnet.az_name;
}

static struct az_headroom *headroom_row(struct az_headroom **rows, size_t *n, const char *zone_id,
                                        const char *zone_name)
{
    for (size_t i = 0; i < *n; i++) {
        if (str_eq((*rows)[i].zone_id, zone_id)) {
            return &(*rows)[i];
        }
    }
    *rows = xreallocarray(*rows, *n + 1, sizeof(**rows));
    struct az_headroom *row = &(*rows)[(*n)++];
    memset(row, 0, sizeof(*row));
    row->zone_id = zone_id;
    row->zone_name = zone_name;
    return row;
}

static int cmp_headroom(const void *a, const void *b)
{
    const struct az_headroom *x = a;
    const struct az_headroom *y = b;
    const char *nx = x->zone_name != NULL ? x->zone_name : x->zone_id;
    const char *ny = y->zone_name != NULL ? y->zone_name : y->zone_id;
    return strcmp(nx != NULL ? nx : "", ny != NULL ? ny : "");
}

size_t ipusage_vpc_headroom(const struct inventory *inv, const char *vpc_id,
                            struct az_headroom **out)
{
    struct az_headroom *rows = NULL;
    size_t n = 0;
    struct inv_ids subnets = inventory_vpc_subnets(inv, vpc_id);
    for (size_t i = 0; i < subnets.n; i++) {
        const struct inv_resource *s = inventory_find(inv, INV_SUBNET, subnets.v[i]);
        const char *zone_id = subnet_zone_id(inv, s);
        if (zone_id == NULL) {
            continue;
        }
        struct ip_usage u;
        ipusage_compute(inv, s, &u);
        struct az_headroom *row = headroom_row(&rows, &n, zone_id, s->subnet.az_name);
        row->subnets++;
        row->usable += u.usable;
        row->free += u.effective_free;
        row->used += u.usable - u.effective_free;
        if (row->roomiest_subnet_id == NULL || u.effective_free > row->roomiest_free) {
            row->roomiest_subnet_id = s->id;
            row->roomiest_free = u.effective_free;
        }
    }
    if (n > 1) {
        qsort(rows, n, sizeof(*rows), cmp_headroom);
    }
    *out = rows;
    return n;
}

/* ---- JSON ----------------------------------------------------------------------- */

static void add_count(cJSON *o, const char *key, double v)
{
    cJSON_AddNumberToObject(o, key, v);
}

cJSON *ipusage_to_json(const struct ip_usage *u)
{
    cJSON *o = cJSON_CreateObject();
    add_count(o, "TotalAddresses", (double)u->total);
    add_count(o, "ReservedAddresses", (double)u->reserved);
    add_count(o, "UsableAddresses", (double)u->usable);
    add_count(o, "UsedAddresses", (double)u->used);
    add_count(o, "FreeAddresses", (double)u->free);
    if (u->has_aws_available) {
        add_count(o, "AvailableIpAddressCount", (double)u->aws_available);
        add_count(o, "UnaccountedAddresses", (double)u->unaccounted);
    }
    add_count(o, "AddressesOutsideCidr", (double)u->outside_cidr);
    add_count(o, "NetworkInterfaceCount", (double)u->eni_count);
    cJSON *owners = cJSON_AddObjectToObject(o, "UsedByOwner");
    for (int i = 0; i < IP_OWNER_COUNT; i++) {
        add_count(owners, owner_keys[i], (double)u->by_owner[i]);
    }
    add_count(o, "Ipv6AddressesUsed", (double)u->ipv6_used);
    add_count(o, "PercentUsed", ipusage_percent_used(u));
    cJSON_AddStringToObject(o, "Level", ipusage_level_key(ipusage_level(u)));
    return o;
}

cJSON *ipusage_headroom_to_json(const struct az_headroom *rows, size_t n)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "ZoneId", rows[i].zone_id);
        if (rows[i].zone_name != NULL) {
            cJSON_AddStringToObject(o, "ZoneName", rows[i].zone_name);
        }
        add_count(o, "SubnetCount", (double)rows[i].subnets);
        add_count(o, "UsableAddresses", (double)rows[i].usable);
        add_count(o, "UsedAddresses", (double)rows[i].used);
        add_count(o, "FreeAddresses", (double)rows[i].free);
        cJSON_AddStringToObject(o, "RoomiestSubnetId", rows[i].roomiest_subnet_id);
        add_count(o, "RoomiestSubnetFree", (double)rows[i].roomiest_free);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

void ipusage_bar(const struct ip_usage *u, int width, struct ip_bar *out)
{
    memset(out, 0, sizeof(*out));
    out->free = width;
    if (!u->has_cidr || width <= 0 || u->usable == 0)
        return;
    uint64_t used = u->usable > u->effective_free ? u->usable - u->effective_free : 0;
    if (used == 0)
        return;
    uint64_t filled = (used * (uint64_t)width + u->usable / 2) / u->usable;
    if (filled < 1)
        filled = 1;
    if (filled >= (uint64_t)width && used < u->usable)
        filled = (uint64_t)width - 1;
    if (filled > (uint64_t)width)
        filled = (uint64_t)width;
    uint64_t ep = u->by_owner[IP_OWNER_ENDPOINT] < used ? u->by_owner[IP_OWNER_ENDPOINT] : used;
    int c_ep = (int)((ep * filled + used / 2) / used);
    if (ep && c_ep == 0 && (filled >= 2 || ep * 2 >= used))
        c_ep = 1;
    if (ep < used && c_ep == (int)filled && filled >= 2)
        c_ep--;
    out->endpoint = c_ep;
    out->other = (int)filled - c_ep;
    out->free = width - (int)filled;
}
