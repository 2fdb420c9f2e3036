/*
 * ipusage: IPv4 address usage of a subnet, computed from the inventory.
 *
 * total = size of the subnet's IPv4 CIDR; reserved = the 5 addresses AWS keeps
 * (network, router, DNS, future, broadcast); usable = total - reserved.
 * used = every private IPv4 address of every ENI whose SubnetId is the subnet,
 * plus addresses delegated through Ipv4Prefixes; free = usable - used.
 * AWS's own AvailableIpAddressCount is reconciled against that: unaccounted =
 * (usable - AvailableIpAddressCount) - used, positive when AWS sees addresses
 * in use that the loaded ENIs do not explain (ENIs not fetched yet, other
 * accounts' ENIs), negative when we count more (moto gives endpoint ENIs
 * addresses outside the subnet; see outside_cidr).
 * The thresholds use effective_free = min(free, AvailableIpAddressCount).
 *
 * Owners come from how AWS marks an ENI: the endpoint that lists it (see
 * inventory.h), InterfaceType, Description prefixes and RequesterId, and the
 * attachment's InstanceId. Pure functions; results borrow inventory strings.
 */
#ifndef VPCX_MODEL_IPUSAGE_H
#define VPCX_MODEL_IPUSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "vpcx/model/inventory.h"

#define IPUSAGE_AWS_RESERVED     5
#define IPUSAGE_WARN_PERCENT     80.0
#define IPUSAGE_CRITICAL_PERCENT 95.0
#define IPUSAGE_CRITICAL_FREE    8

/* X(enum suffix, JSON key, human name), in classification order. */
#define IP_OWNER_TABLE(X)                                                                          \
    X(ENDPOINT, "VpcEndpoint", "VPC endpoint")                                                     \
    X(LAMBDA, "Lambda", "Lambda")                                                                  \
    X(ELB, "LoadBalancer", "load balancer")                                                        \
    X(NAT, "NatGateway", "NAT gateway")                                                            \
    X(EKS, "Eks", "EKS")                                                                           \
    X(EFS, "Efs", "EFS")                                                                           \
    X(INSTANCE, "Instance", "instance")                                                            \
    X(OTHER, "Other", "other")

enum ip_owner {
#define IP_OWNER_ENUM(name, key, human) IP_OWNER_##name,
    IP_OWNER_TABLE(IP_OWNER_ENUM)
#undef IP_OWNER_ENUM
        IP_OWNER_COUNT
};

/* X(enum suffix, JSON value) */
#define IP_LEVEL_TABLE(X)                                                                          \
    X(OK, "Ok")                                                                                    \
    X(WARN, "Warn")                                                                                \
    X(CRITICAL, "Critical")

enum ip_level {
#define IP_LEVEL_ENUM(name, key) IP_LEVEL_##name,
    IP_LEVEL_TABLE(IP_LEVEL_ENUM)
#undef IP_LEVEL_ENUM
        IP_LEVEL_COUNT
};

struct ip_usage {
    const char *subnet_id;
    bool has_cidr; /* false for an IPv6-only subnet: the counts below are 0 */
    uint64_t total;
    uint64_t reserved;
    uint64_t usable;
    uint64_t used;
    uint64_t free;
    uint64_t by_owner[IP_OWNER_COUNT]; /* sums to used */
    size_t eni_count;
    uint64_t outside_cidr; /* counted addresses not inside the subnet's CIDR */
    bool has_aws_available;
    int64_t aws_available; /* AvailableIpAddressCount */
    int64_t unaccounted;   /* (usable - aws_available) - used; 0 without AWS's count */
    uint64_t effective_free;
    uint64_t ipv6_used; /* IPv6 addresses on the subnet's ENIs */
};

/*
 * The addresses AWS reserves in every subnet block: the first four and the
 * last, in IPv4 and IPv6 blocks alike. X(enum suffix, IPv4 name, IPv6 name).
 */
#define IP_RESERVED_TABLE(X)                                                                       \
    X(NETWORK, "network address", "network address")                                               \
    X(ROUTER, "VPC router, base +1", "first four addresses, base +1")                              \
    X(DNS, "Amazon DNS, base +2", "first four addresses, base +2")                                 \
    X(FUTURE, "future use, base +3", "first four addresses, base +3")                              \
    X(BROADCAST, "broadcast address", "last address")

enum ip_reserved {
    IP_RESERVED_NONE, /* not reserved, or not in the block */
#define IP_RESERVED_ENUM(name, v4, v6) IP_RESERVED_##name,
    IP_RESERVED_TABLE(IP_RESERVED_ENUM)
#undef IP_RESERVED_ENUM
};

/* A subnet block holding an address, and whether AWS reserves it there. */
struct ip_place {
    const struct inv_resource *subnet;
    const struct cidr *block; /* the subnet's IPv4 CidrBlock or one of its IPv6 blocks */
    enum ip_reserved reserved;
};

/* One row per AZ of a VPC (by ZoneId), sorted by zone name. */
struct az_headroom {
    const char *zone_id; /* ZoneId, or the name when the ID is unknown */
    const char *zone_name;
    size_t subnets;
    uint64_t usable;
    uint64_t used; /* usable - effective free, summed */
    uint64_t free; /* effective free, summed */
    const char *roomiest_subnet_id;
    uint64_t roomiest_free;
};

const char *ipusage_owner_key(enum ip_owner owner);  /* "VpcEndpoint" */
const char *ipusage_owner_name(enum ip_owner owner); /* "VPC endpoint" */
const char *ipusage_level_key(enum ip_level level);  /* "Warn" */

/* Who uses the ENI's addresses. */
enum ip_owner ipusage_classify_eni(const struct inventory *inv, const struct inv_resource *eni);
/* Fills out for subnet (an INV_SUBNET resource). */
void ipusage_compute(const struct inventory *inv, const struct inv_resource *subnet,
                     struct ip_usage *out);
/* Percent of usable addresses not effectively free; 0 without a CIDR, 100 if usable is 0. */
double ipusage_percent_used(const struct ip_usage *u);
/* CRITICAL at >= 95% or fewer than 8 free, WARN at >= 80%, else OK. */
enum ip_level ipusage_level(const struct ip_usage *u);
/*
 * A usage bar of width cells: filled = the used fraction of the usable
 * addresses (usable - effective free), rounded, but at least one cell when
 * anything is used and never all of them unless nothing is free; so a 3%
 * subnet fills at most one cell of ten and 0% fills none. The filled cells
 * are split between VPC endpoints and every other owner in proportion, each
 * owner with addresses keeping a cell when there are two or more.
 */
struct ip_bar {
    int endpoint; /* cells for VPC endpoint ENIs */
    int other;    /* cells for every other use */
    int free;     /* width - endpoint - other */
};
void ipusage_bar(const struct ip_usage *u, int width, struct ip_bar *out);

/* Per-AZ totals of the VPC's subnets; *out is malloc'd (caller frees), returns the count. */
size_t ipusage_vpc_headroom(const struct inventory *inv, const char *vpc_id,
                            struct az_headroom **out);

/* Which reserved address of block addr is; NONE outside the block or for the others. */
enum ip_reserved ipusage_reserved_kind(const struct cidr *block, const struct ip_addr *addr);
/* "network address", "VPC router, base +1"...; family picks the IPv6 wording. */
const char *ipusage_reserved_name(enum ip_reserved kind, enum ip_family family);
/*
 * Every subnet with a block holding addr (overlapping VPCs can give several),
 * sorted by subnet ID; *out is malloc'd (caller frees; NULL when none), the
 * resources borrowed. Returns the count.
 */
size_t ipusage_find_subnets(const struct inventory *inv, const struct ip_addr *addr,
                            struct ip_place **out);

/* {"TotalAddresses", "ReservedAddresses", "UsableAddresses", "UsedAddresses",
 *  "FreeAddresses", "AvailableIpAddressCount", "UnaccountedAddresses",
 *  "AddressesOutsideCidr", "NetworkInterfaceCount", "UsedByOwner": {...},
 *  "Ipv6AddressesUsed", "PercentUsed", "Level"} */
cJSON *ipusage_to_json(const struct ip_usage *u);
/* [{"ZoneId", "ZoneName", "SubnetCount", "UsableAddresses", "UsedAddresses",
 *   "FreeAddresses", "RoomiestSubnetId", "RoomiestSubnetFree"}] */
cJSON *ipusage_headroom_to_json(const struct az_headroom *rows, size_t n);

#endif
