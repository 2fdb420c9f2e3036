/*
 * inventory: every AWS resource vpcx knows about, keyed by ID, refreshed by
 * mark and sweep, cross-linked by ID. Pure data: no I/O.
 *
 * Items: each resource arrives as the cJSON object AWS describes (field names
 * and types exactly as the AWS CLI / boto3 print them, e.g. {"SubnetId": ...,
 * "Tags": [...]}). The inventory keeps a compact record, not the tree: typed
 * fields (struct inv_resource) for what the model and views read, repeated
 * strings (VPC, subnet and AZ IDs, states, tag keys) interned once, and the
 * item's full content in a compact binary encoding (member names interned,
 * repeated string values as references to the interned strings, numbers as
 * integers where exact). inventory_item() decodes that back into a
 * tree equal to the one given, so unknown fields survive for the dump, the
 * detail pane and the forms.
 *
 * Refresh (after htop's Table): inventory_begin(type) marks every resource of
 * the type stale; inventory_put() inserts or replaces one and clears its mark;
 * inventory_end(type) removes the resources still stale and bumps the
 * generation; inventory_abort(type) clears the marks and removes nothing, so a
 * failed fetch keeps the last good data (plus whatever pages did arrive).
 * inventory_put() outside begin/end simply inserts or replaces.
 *
 * Order: inventory_at() iterates a type sorted by ID (strcmp), so output is
 * stable across refreshes and runs. Link lists are sorted by ID as well.
 *
 * Links (VPC -> subnets/endpoints, subnet -> AZ/ENIs/endpoints, endpoint ->
 * ENIs, ENI -> owning endpoint) are computed lazily, once per generation, by ID.
 * ENI ownership comes from the endpoints' NetworkInterfaceIds (authoritative;
 * moto's endpoint ENIs carry no other mark); an ENI no endpoint lists is still
 * owned when its InterfaceType is "vpc_endpoint" and its Description reads
 * "VPC Endpoint Interface vpce-...". Endpoint -> subnets, security groups and
 * route tables are the endpoint's own ID lists (struct inv_endpoint).
 *
 * Lifetimes: a resource pointer, its strings and any struct inv_ids returned
 * stay valid until the next call that changes the inventory (put, end, abort,
 * set_vpc_attribute, destroy). Keep IDs, not pointers, across a refresh.
 *
 * Costs: find by ID and by IP are O(1) (hash maps; the IP index is keyed by
 * the binary address and updated by each put). Sorted order is kept across
 * puts: new IDs are merged in at the next read, O(n + k log k); only removals
 * cost a full sort. Links are rebuilt, O(n log n), at the first read after a
 * VPC, subnet, AZ, endpoint or ENI changed. inventory_item() costs a decode of
 * one item. One thread; no locking.
 */
#ifndef VPCX_MODEL_INVENTORY_H
#define VPCX_MODEL_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "vpcx/core/status.h"
#include "vpcx/model/cidr.h"

/* X(enum suffix, JSON list key of the dump, ID field, human name) */
#define INVENTORY_TYPE_TABLE(X)                                                                    \
    X(VPC, "Vpcs", "VpcId", "VPC")                                                                 \
    X(SUBNET, "Subnets", "SubnetId", "subnet")                                                     \
    X(AZ, "AvailabilityZones", "ZoneId", "availability zone")                                      \
    X(ENDPOINT, "VpcEndpoints", "VpcEndpointId", "VPC endpoint")                                   \
    X(SERVICE, "VpcEndpointServices", "ServiceId", "endpoint service")                             \
    X(ENI, "NetworkInterfaces", "NetworkInterfaceId", "network interface")                         \
    X(SECURITY_GROUP, "SecurityGroups", "GroupId", "security group")                               \
    X(NETWORK_ACL, "NetworkAcls", "NetworkAclId", "network ACL")                                   \
    X(ROUTE_TABLE, "RouteTables", "RouteTableId", "route table")                                   \
    X(PREFIX_LIST, "PrefixLists", "PrefixListId", "prefix list")                                   \
    X(FLOW_LOG, "FlowLogs", "FlowLogId", "flow log")

enum inv_type {
#define INV_TYPE_ENUM(name, list_key, id_field, human) INV_##name,
    INVENTORY_TYPE_TABLE(INV_TYPE_ENUM)
#undef INV_TYPE_ENUM
        INV_TYPE_COUNT
};

const char *inventory_type_list_key(enum inv_type type); /* "Subnets" */
const char *inventory_type_id_field(enum inv_type type); /* "SubnetId" */
const char *inventory_type_name(enum inv_type type);     /* "subnet" */
/* Finds the type whose list key is key; false when none is. */
bool inventory_type_from_list_key(const char *key, enum inv_type *out);

/*
 * An item's tags, [{"Key", "Value"}...]: its "Tags" array, or "TagSet" (what
 * EC2 calls an ENI's tags); NULL when it has neither. Every reader of tags, the
 * Name lookup included, goes through this. Borrowed from item.
 */
const cJSON *inventory_item_tags(const cJSON *item);

/* One tag of a resource; value may be NULL when AWS gave none. */
struct inv_tag {
    const char *key;
    const char *value;
};

/* A borrowed list of strings (IDs, names); n may be 0 with v NULL. */
struct inv_ids {
    const char **v;
    size_t n;
};

enum inv_tristate {
    INV_UNKNOWN = -1,
    INV_NO = 0,
    INV_YES = 1,
};

enum inv_endpoint_kind {
    INV_ENDPOINT_INTERFACE,
    INV_ENDPOINT_GATEWAY,
    INV_ENDPOINT_GWLB, /* "GatewayLoadBalancer" */
    INV_ENDPOINT_OTHER,
};

struct inv_vpc {
    bool has_cidr;
    struct cidr cidr;      /* CidrBlock, the primary IPv4 block */
    const char *cidr_text; /* CidrBlock as given, may be NULL */
    struct cidr *cidrs;    /* CidrBlockAssociationSet (not disassociated), n_cidrs */
    size_t n_cidrs;
    struct cidr *ipv6; /* Ipv6CidrBlockAssociationSet (not disassociated) */
    size_t n_ipv6;
    bool is_default;
    enum inv_tristate dns_support;   /* from inventory_set_vpc_attribute() */
    enum inv_tristate dns_hostnames; /* kept when the VPC item is replaced */
};

struct inv_subnet {
    bool has_cidr;
    struct cidr cidr;      /* CidrBlock */
    const char *cidr_text; /* CidrBlock as given, may be NULL */
    struct cidr *ipv6;
    size_t n_ipv6;
    const char *az_name; /* AvailabilityZone */
    const char *az_id;   /* AvailabilityZoneId, may be NULL */
    bool has_available;
    int64_t available; /* AvailableIpAddressCount */
};

struct inv_az {
    const char *zone_name;
    const char *zone_id;
    const char *region;
    const char *zone_type;
};

struct inv_endpoint {
    enum inv_endpoint_kind kind;
    const char *type_text; /* VpcEndpointType as given */
    const char *service_name;
    const char *policy; /* PolicyDocument, a JSON string, may be NULL */
    bool private_dns_enabled;
    struct inv_ids subnet_ids;      /* SubnetIds */
    struct inv_ids eni_ids;         /* NetworkInterfaceIds */
    struct inv_ids group_ids;       /* Groups[].GroupId */
    struct inv_ids route_table_ids; /* RouteTableIds */
};

struct inv_service {
    const char *service_name; /* ServiceName (not unique: see inventory_find_service) */
    unsigned kinds;           /* bit (1u << enum inv_endpoint_kind) per ServiceType */
    struct inv_ids az_names;  /* AvailabilityZones: names, not IDs */
    const char *private_dns;  /* PrivateDnsName, may be NULL */
};

struct inv_eni {
    const char *subnet_id;
    const char *az_name;
    const char *az_id;          /* AvailabilityZoneId (newer API), may be NULL */
    const char *interface_type; /* "interface", "vpc_endpoint", "lambda"... */
    const char *description;
    const char *requester_id;
    const char *instance_id; /* Attachment.InstanceId */
    const char *primary_ip;  /* PrivateIpAddress */
    bool requester_managed;
    struct inv_ids ipv4;            /* every private IPv4 (PrivateIpAddresses) */
    struct inv_ids ipv6;            /* Ipv6Addresses[].Ipv6Address */
    uint64_t ipv4_prefix_addresses; /* addresses delegated by Ipv4Prefixes */
};

/* A VPC Flow Log (DescribeFlowLogs); its State is FlowLogStatus ("ACTIVE"). */
struct inv_flow_log {
    const char *resource_id;      /* ResourceId: vpc-, subnet-, eni- (or a transit gateway's) */
    const char *traffic_type;     /* TrafficType: ACCEPT, REJECT or ALL */
    const char *destination_type; /* LogDestinationType; may be NULL (CloudWatch Logs) */
    const char *destination;      /* LogDestination: an ARN, may be NULL */
    const char *log_group;        /* LogGroupName (CloudWatch Logs), may be NULL */
    const char *log_format;       /* LogFormat */
    const char *deliver_status;   /* DeliverLogsStatus: SUCCESS, FAILED, ... */
    const char *deliver_error;    /* DeliverLogsErrorMessage, may be NULL */
};

struct inv_links; /* private: lazily computed links */

/* One resource. Read-only for callers; the inventory owns everything in it. */
struct inv_resource {
    enum inv_type type;
    const char *id;   /* owned copy of the ID field */
    const char *name; /* Name tag, or PrefixListName/GroupName, or NULL */
    const char *vpc_id;
    const char *state;    /* State, Status for ENIs, FlowLogStatus for flow logs; may be NULL */
    const char *owner_id; /* OwnerId, or Owner for services, may be NULL */
    union {
        struct inv_vpc vpc;
        struct inv_subnet subnet;
        struct inv_az az;
        struct inv_endpoint endpoint;
        struct inv_service service;
        struct inv_eni eni;
        struct inv_flow_log flow_log;
    };
    const struct inv_tag *tags; /* Tags or TagSet, in the item's order */
    size_t n_tags;
    /* private; 32-bit offsets and slot: one per resource, and far from 4 GiB */
    unsigned char *block; /* the record's own bytes: strings, arrays, encoded item */
    uint32_t item_off;    /* where the encoded item starts in block */
    uint32_t item_len;
    uint32_t slot; /* index in the type's item vector */
    bool stale;    /* marked by inventory_begin() */
    struct inv_links *links;
};

enum inv_owner_source {
    INV_OWNER_NONE,
    INV_OWNER_ENDPOINT_LIST, /* listed in an endpoint's NetworkInterfaceIds */
    INV_OWNER_DESCRIPTION,   /* "VPC Endpoint Interface vpce-..." fallback */
};

struct inventory;

struct inventory *inventory_create(void);
void inventory_destroy(struct inventory *inv);

/* Marks every resource of type stale (start of a refresh). */
void inventory_begin(struct inventory *inv, enum inv_type type);
/*
 * Inserts or replaces the resource described by item; always takes ownership
 * of item. Returns VPCX_ERR_PARSE (and frees item) when it is not an object or
 * has no non-empty string ID field.
 */
enum vpcx_status inventory_put(struct inventory *inv, enum inv_type type, cJSON *item);
/* Removes the resources of type not put since begin; bumps the generation. */
void inventory_end(struct inventory *inv, enum inv_type type);
/* Removes one resource (a change AWS made, seen without a refresh); false when absent. */
bool inventory_remove(struct inventory *inv, enum inv_type type, const char *id);
/* Removes every resource; no type counts as loaded until its next refresh ends. */
void inventory_clear(struct inventory *inv);
/* Ends a failed refresh: nothing is removed. */
void inventory_abort(struct inventory *inv, enum inv_type type);
/* True once a refresh of type has ended (an empty type was really fetched). */
bool inventory_type_loaded(const struct inventory *inv, enum inv_type type);
/* Bumped by every change; derived data keyed on it can be cached. */
uint64_t inventory_generation(const struct inventory *inv);

/*
 * Sets a VPC attribute from DescribeVpcAttribute: "enableDnsSupport" or
 * "enableDnsHostnames". VPCX_ERR_NOT_FOUND for an unknown VPC, VPCX_ERR_USAGE
 * for another attribute name.
 */
enum vpcx_status inventory_set_vpc_attribute(struct inventory *inv, const char *vpc_id,
                                             const char *attribute, bool value);

/*
 * The resource's full item, decoded from its compact form: a new tree equal
 * to the one given to inventory_put(). Caller-owned (cJSON_Delete); it does
 * not refer to the inventory and may outlive it. NULL when r is NULL.
 */
cJSON *inventory_item(const struct inventory *inv, const struct inv_resource *r);

/* Bytes held, by kind, for the benchmark's breakdown. */
struct inventory_memory {
    size_t records; /* struct inv_resource and the typed arrays and strings in each record */
    size_t items;   /* the encoded items */
    size_t strings; /* the intern pool: repeated strings and member names */
    size_t indexes; /* ID, IP and AZ maps, sorted order, links */
};
void inventory_memory(const struct inventory *inv, struct inventory_memory *out);

size_t inventory_count(const struct inventory *inv, enum inv_type type);
/* The index-th resource of type in ID order, NULL past the end. */
const struct inv_resource *inventory_at(const struct inventory *inv, enum inv_type type,
                                        size_t index);
const struct inv_resource *inventory_find(const struct inventory *inv, enum inv_type type,
                                          const char *id);
/*
 * A dense index of r among its type, below inventory_count(); stable until the
 * next change, so per-resource side tables can be plain arrays.
 */
size_t inventory_slot(const struct inv_resource *r);
/*
 * The service detail behind an endpoint: the one with this ServiceName that
 * offers kind, else any with the name. Services are keyed by ServiceId because
 * one name can have two details (S3 and DynamoDB: Gateway and Interface).
 */
const struct inv_resource *inventory_find_service(const struct inventory *inv,
                                                  const char *service_name,
                                                  enum inv_endpoint_kind kind);
const struct inv_resource *inventory_find_az_by_name(const struct inventory *inv,
                                                     const char *zone_name);
/*
 * The ENI holding a private IPv4 or IPv6 address (any form of the text; it is
 * normalised). When several VPCs reuse an address, the lowest ENI ID wins; use
 * inventory_find_eni_by_vpc_ip() to choose.
 */
const struct inv_resource *inventory_find_eni_by_ip(const struct inventory *inv, const char *ip);
const struct inv_resource *inventory_find_eni_by_vpc_ip(const struct inventory *inv,
                                                        const char *vpc_id, const char *ip);
/*
 * Every ENI holding the address, in any VPC, sorted by ID: overlapping CIDRs
 * let several hold one address. *out is malloc'd (caller frees the array, not
 * the resources; NULL when none); returns the count.
 */
size_t inventory_find_enis_by_ip(const struct inventory *inv, const char *ip,
                                 const struct inv_resource ***out);

/* Links, sorted by ID; empty for an unknown ID. */
struct inv_ids inventory_vpc_subnets(const struct inventory *inv, const char *vpc_id);
struct inv_ids inventory_vpc_endpoints(const struct inventory *inv, const char *vpc_id);
struct inv_ids inventory_subnet_enis(const struct inventory *inv, const char *subnet_id);
/* Endpoints listing the subnet in SubnetIds or owning an ENI in it. */
struct inv_ids inventory_subnet_endpoints(const struct inventory *inv, const char *subnet_id);
/* The subnet's AZ: by AvailabilityZoneId, else by name; NULL when not loaded. */
const struct inv_resource *inventory_subnet_az(const struct inventory *inv, const char *subnet_id);
/* NetworkInterfaceIds plus ENIs claimed by the description fallback. */
struct inv_ids inventory_endpoint_enis(const struct inventory *inv, const char *endpoint_id);
/*
 * The ID of the endpoint owning the ENI, or NULL; the endpoint itself may be
 * missing from the inventory (description fallback). source may be NULL.
 */
const char *inventory_eni_endpoint(const struct inventory *inv, const char *eni_id,
                                   enum inv_owner_source *source);

#endif
