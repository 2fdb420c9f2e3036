/*
 * preflight: pure checks of a VPC endpoint create or modify request against the
 * inventory, before AWS sees it, and the Add/Remove delta of a modify.
 *
 * A request is a struct endpoint_spec: the endpoint as the user wants it to be
 * (for a create, the whole request; for a modify, the desired final state).
 * preflight_check_create() and preflight_check_modify() fill a report of
 * findings, each with a severity (ERROR blocks sending, WARNING and INFO do
 * not), a stable key (PREFLIGHT_RULE_TABLE) and a plain-English sentence that
 * names the resources concerned. A check that cannot be made because the data
 * is missing from the inventory gives a WARNING or INFO saying so, never a
 * silent pass.
 *
 * preflight_modify_delta() compares the endpoint as AWS last described it (the
 * JSON item, AWS CLI field names) with the desired state and gives the
 * ModifyVpcEndpoint parameters: Add/Remove lists, a policy change (compared as
 * JSON, so whitespace and key order are no change; a NULL desired policy means
 * AWS's default full access, sent as ResetPolicy) and a private DNS change.
 *
 * Ownership: the spec's strings are borrowed; reports and deltas own their
 * strings. Pair the fill functions with _finish whatever the result. Pure: no
 * I/O; results do not point into the inventory.
 */
#ifndef VPCX_MODEL_PREFLIGHT_H
#define VPCX_MODEL_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "vpcx/core/status.h"
#include "vpcx/model/inventory.h"

enum preflight_severity {
    PREFLIGHT_INFO = 0,
    PREFLIGHT_WARNING = 1,
    PREFLIGHT_ERROR = 2, /* blocks sending */
};

/* X(enum suffix, key, severity) */
#define PREFLIGHT_RULE_TABLE(X)                                                                    \
    X(VPC_NOT_FOUND, "vpc-not-found", ERROR)                                                       \
    X(SERVICE_NOT_FOUND, "service-not-found", ERROR)                                               \
    X(SERVICE_UNVERIFIED, "service-unverified", WARNING)                                           \
    X(TYPE_NOT_OFFERED, "type-not-offered", ERROR)                                                 \
    X(NO_SUBNETS, "no-subnets", ERROR)                                                             \
    X(SUBNET_NOT_FOUND, "subnet-not-found", ERROR)                                                 \
    X(SUBNET_OTHER_VPC, "subnet-other-vpc", ERROR)                                                 \
    X(AZ_NOT_OFFERED, "az-not-offered", ERROR)                                                     \
    X(DUPLICATE_AZ, "duplicate-subnets-in-same-zone", ERROR)                                       \
    X(NO_FREE_IP, "no-free-ip", ERROR)                                                             \
    X(FEW_FREE_IPS, "few-free-ips", WARNING)                                                       \
    X(SG_NOT_FOUND, "security-group-not-found", ERROR)                                             \
    X(SG_OTHER_VPC, "security-group-other-vpc", ERROR)                                             \
    X(SG_DEFAULT, "security-group-default", INFO)                                                  \
    X(SG_NO_443, "security-group-no-443", WARNING)                                                 \
    X(SG_443_UNVERIFIED, "security-group-443-unverified", INFO)                                    \
    X(DNS_SUPPORT_OFF, "dns-support-off", ERROR)                                                   \
    X(DNS_HOSTNAMES_OFF, "dns-hostnames-off", ERROR)                                               \
    X(DNS_ATTRIBUTES_UNKNOWN, "dns-attributes-unknown", WARNING)                                   \
    X(EXISTING_ENDPOINT, "existing-endpoint", WARNING)                                             \
    X(PRIVATE_DNS_CONFLICT, "private-dns-conflict", ERROR)                                         \
    X(POLICY_INVALID, "policy-invalid", ERROR)                                                     \
    X(POLICY_MALFORMED, "policy-malformed", WARNING)                                               \
    X(GATEWAY_SUBNETS, "gateway-subnets-or-groups", ERROR)                                         \
    X(GATEWAY_NO_ROUTE_TABLES, "gateway-no-route-tables", WARNING)                                 \
    X(ROUTE_TABLES_NOT_GATEWAY, "route-tables-not-gateway", ERROR)                                 \
    X(ROUTE_TABLE_NOT_FOUND, "route-table-not-found", ERROR)                                       \
    X(ROUTE_TABLE_OTHER_VPC, "route-table-other-vpc", ERROR)                                       \
    X(ENDPOINT_NOT_FOUND, "endpoint-not-found", ERROR)                                             \
    X(SINGLE_AZ, "single-az", WARNING)                                                             \
    X(FULL_ACCESS_POLICY, "full-access-policy", INFO)                                              \
    X(STATE_NOT_AVAILABLE, "state-not-available", WARNING)

enum preflight_rule {
#define PREFLIGHT_RULE_ENUM(name, key, sev) PREFLIGHT_##name,
    PREFLIGHT_RULE_TABLE(PREFLIGHT_RULE_ENUM)
#undef PREFLIGHT_RULE_ENUM
        PREFLIGHT_RULE_COUNT
};

struct preflight_finding {
    enum preflight_rule rule;
    enum preflight_severity severity;
    const char *key;   /* static, e.g. "az-not-offered" */
    char *text;        /* owned; one or two sentences naming the resources */
    char *resource_id; /* owned; the subnet, group... it is about; may be NULL */
};

struct preflight_report {
    struct preflight_finding *v; /* in the order the checks ran */
    size_t n, alloc;
};

struct endpoint_tag {
    const char *key;
    const char *value;
};

/* The endpoint a create asks for, or the state a modify wants (strings borrowed). */
struct endpoint_spec {
    const char *vpc_id;
    const char *service_name;
    enum inv_endpoint_kind kind; /* INV_ENDPOINT_OTHER is refused */
    struct inv_ids subnet_ids;
    struct inv_ids group_ids;
    struct inv_ids route_table_ids;
    enum inv_tristate private_dns;   /* UNKNOWN: not sent (AWS's default: on for interface) */
    const char *policy;              /* NULL: AWS's default full-access policy */
    const char *ip_address_type;     /* "ipv4", "dualstack", "ipv6" or NULL */
    const char *dns_record_ip_type;  /* DnsOptions.DnsRecordIpType or NULL */
    const struct endpoint_tag *tags; /* "Name" is a tag like any other */
    size_t n_tags;
};

/* Subnets with fewer effectively free addresses than this get FEW_FREE_IPS. */
#define PREFLIGHT_FREE_IP_WARN 8

const char *preflight_rule_key(enum preflight_rule rule);
enum preflight_severity preflight_rule_severity(enum preflight_rule rule);
const char *preflight_severity_name(enum preflight_severity severity); /* "error" */
/* "Interface", "Gateway", "GatewayLoadBalancer"; NULL for OTHER. */
const char *preflight_kind_text(enum inv_endpoint_kind kind);

void preflight_report_init(struct preflight_report *r);
void preflight_report_finish(struct preflight_report *r);
/* True when a finding of severity ERROR is present. */
bool preflight_report_blocks(const struct preflight_report *r);
/* The first finding with this rule, or NULL. */
const struct preflight_finding *preflight_report_find(const struct preflight_report *r,
                                                      enum preflight_rule rule);
/* [{"Severity", "Key", "Text", "ResourceId"}] */
cJSON *preflight_report_to_json(const struct preflight_report *r);

/* Every rule, for a new endpoint. */
void preflight_check_create(const struct inventory *inv, const struct endpoint_spec *req,
                            struct preflight_report *out);
/*
 * The same rules on the desired final state of an existing endpoint (its own
 * VPC, service and type are used; the endpoint itself does not count as an
 * existing one). ENDPOINT_NOT_FOUND when it is not in the inventory.
 */
void preflight_check_modify(const struct inventory *inv, const char *endpoint_id,
                            const struct endpoint_spec *desired, struct preflight_report *out);

/*
 * The health of an endpoint as it is: the modify rules on its current state
 * (subnets, groups, route tables, policy, private DNS), plus SINGLE_AZ (an
 * interface endpoint with ENIs in one zone only), FULL_ACCESS_POLICY (no
 * policy, or one meaning AWS's default) and STATE_NOT_AVAILABLE. A subnet
 * where the endpoint already has an ENI needs no new address, so it gets no
 * NO_FREE_IP or FEW_FREE_IPS (in a modify as well). Read-only: nothing is sent.
 */
void preflight_check_health(const struct inventory *inv, const char *endpoint_id,
                            struct preflight_report *out);
/* The highest severity in the report; false when it is empty. */
bool preflight_report_worst(const struct preflight_report *r, enum preflight_severity *out);

/* An owned list of strings. */
struct preflight_strv {
    char **v;
    size_t n;
};

struct endpoint_delta {
    struct preflight_strv add_subnets, remove_subnets;
    struct preflight_strv add_groups, remove_groups;
    struct preflight_strv add_route_tables, remove_route_tables;
    bool policy_changed;
    char *policy_document; /* the new document; NULL with reset_policy */
    bool reset_policy;     /* back to AWS's default full access */
    bool private_dns_changed;
    bool private_dns; /* the new value when private_dns_changed */
};

/*
 * Fills out with what turns current (an endpoint item: SubnetIds, Groups,
 * RouteTableIds, PolicyDocument, PrivateDnsEnabled) into desired. Lists are
 * compared as sets, in the desired / current order. A desired private_dns of
 * UNKNOWN means no change. VPCX_ERR_USAGE when current is not an object;
 * VPCX_ERR_PARSE (out still filled, policy_changed set) when the desired
 * policy is not JSON. Pair with endpoint_delta_finish().
 */
enum vpcx_status preflight_modify_delta(const cJSON *current, const struct endpoint_spec *desired,
                                        struct endpoint_delta *out);
void endpoint_delta_finish(struct endpoint_delta *d);
/* True when the delta changes nothing. */
bool endpoint_delta_empty(const struct endpoint_delta *d);
/* True when the two policy documents mean the same JSON (NULL or blank = default). */
bool preflight_policy_equal(const char *a, const char *b);

#endif
