/*
 * netinfo: pure readings of network resources for people: short service names,
 * security group rules as rows, network ACL entries in evaluation order,
 * routes with prefix-list names, a subnet's NACL and route table, and a
 * summary of the account.
 *
 * Security group rows: one per peer (a rule naming two CIDRs is two rows), in
 * AWS's order, inbound before outbound. A peer is a CIDR, an IPv6 CIDR, a
 * group (its name from the pair, else from the inventory) or a prefix list
 * (its name from the inventory). Protocols read as people say them ("tcp",
 * "all", "icmp"); ports as "443", "1024-65535" or "all".
 *
 * NACL entries: ingress then egress, each by rule number ascending, so the
 * first matching row is the one that decides. The final "*" deny (rule 32767)
 * is always the last row of each direction; when the item lacks it (moto may),
 * it is added, marked implicit, since AWS always evaluates it.
 *
 * Ownership: every result owns its strings (pair the fill functions with
 * their _finish); nothing points into the inventory. No I/O.
 */
#ifndef VPCX_MODEL_NETINFO_H
#define VPCX_MODEL_NETINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "vpcx/model/inventory.h"

/* NACL rule number AWS shows as "*": the last rule of each direction. */
#define NETINFO_ACL_DEFAULT_RULE 32767

/*
 * The part of a service name after the region ("ssm", "ecr.dkr"), with
 * " (gateway)" for a gateway endpoint; the whole name when it has no region
 * part. Returns a malloc'd string; "?" for NULL.
 */
char *netinfo_short_service(const char *service_name, enum inv_endpoint_kind kind);

/* "tcp", "udp", "icmp", "icmpv6", "all" (for -1), else the number as given. */
const char *netinfo_protocol_name(const char *ip_protocol);

enum netinfo_peer {
    NETINFO_PEER_CIDR,
    NETINFO_PEER_CIDR6,
    NETINFO_PEER_GROUP,
    NETINFO_PEER_PREFIX_LIST,
};

struct netinfo_sg_rule {
    bool egress;
    char *protocol; /* "tcp", "all" */
    char *ports;    /* "443", "1024-65535", "all", "type 8 code -1" */
    enum netinfo_peer peer_kind;
    char *peer;        /* CIDR or ID */
    char *peer_name;   /* group or prefix list name; NULL when unknown */
    char *description; /* NULL when none */
};

struct netinfo_sg_rules {
    struct netinfo_sg_rule *v;
    size_t n, alloc;
};

/* Fills out from a security group item (IpPermissions, IpPermissionsEgress). */
void netinfo_sg_rules(const struct inventory *inv, const cJSON *group,
                      struct netinfo_sg_rules *out);
void netinfo_sg_rules_finish(struct netinfo_sg_rules *r);
/* "inbound" or "outbound". */
const char *netinfo_direction(bool egress);

struct netinfo_acl_entry {
    bool egress;
    int rule_number; /* NETINFO_ACL_DEFAULT_RULE for "*" */
    bool implicit;   /* the "*" deny, absent from the item */
    bool allow;
    char *protocol;
    char *ports;
    char *cidr; /* CidrBlock or Ipv6CidrBlock */
};

struct netinfo_acl_entries {
    struct netinfo_acl_entry *v;
    size_t n, alloc;
};

/* Fills out from a network ACL item (Entries), in evaluation order. */
void netinfo_acl_entries(const cJSON *acl, struct netinfo_acl_entries *out);
void netinfo_acl_entries_finish(struct netinfo_acl_entries *e);
/* "100", or "*" for the default rule; buf holds at least 12 bytes. */
const char *netinfo_acl_rule_text(int rule_number, char *buf, size_t size);

struct netinfo_route {
    char *destination; /* CIDR or prefix list ID */
    char *dest_name;   /* the prefix list's name, NULL otherwise or when unknown */
    char *target;      /* "local", "igw-...", "vpce-...", "nat-..."; "?" when none */
    char *state;       /* "active", "blackhole"; NULL when not given */
};

struct netinfo_routes {
    struct netinfo_route *v;
    size_t n, alloc;
};

/* Fills out from a route table item (Routes), in the item's order. */
void netinfo_routes(const struct inventory *inv, const cJSON *table, struct netinfo_routes *out);
void netinfo_routes_finish(struct netinfo_routes *r);

/* The network ACL associated with the subnet, or NULL. */
const struct inv_resource *netinfo_subnet_acl(const struct inventory *inv, const char *subnet_id);
/*
 * The route table of the subnet: the one associated with it, else its VPC's
 * main table (*is_main set; may be NULL). NULL when neither is loaded.
 */
const struct inv_resource *netinfo_subnet_route_table(const struct inventory *inv,
                                                      const char *subnet_id, bool *is_main);
/* True when a route table's Associations include Main. */
bool netinfo_route_table_is_main(const struct inventory *inv, const struct inv_resource *rt);

/* One account (the whole inventory) in numbers. */
struct netinfo_summary {
    size_t vpcs, subnets, enis, endpoint_enis;
    size_t endpoints[INV_ENDPOINT_OTHER + 1]; /* by kind */
    size_t endpoints_total;
    size_t single_az;           /* interface endpoints with ENIs in one zone only */
    size_t subnets_warn;        /* subnets at or above the warning threshold */
    const char *fullest_subnet; /* borrowed ID; NULL without IPv4 subnets */
    double fullest_percent;
    size_t security_groups, network_acls, route_tables;
};

void netinfo_summarize(const struct inventory *inv, struct netinfo_summary *out);
/* "1 ENI", "2 ENIs": count and a noun made plural with "s"; malloc'd. */
char *netinfo_count(size_t n, const char *noun);

#endif
