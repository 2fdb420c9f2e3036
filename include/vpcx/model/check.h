/*
 * check: health findings about the VPC endpoints of an inventory.
 *
 * The rules are one table (CHECK_RULE_TABLE): a stable ID, a severity, the
 * function that runs it and a one-line title. check_run() runs the enabled
 * rules and fills a report of findings; each names the rule, its severity,
 * the resource (type and ID), a one-line title, the evidence (the fields that
 * triggered it, as "Field: value" lines) and the fix (with the `aws ec2`
 * command where there is one). Findings come in table order, then by
 * resource ID, so output is stable.
 *
 * Where another module already answers the question it is asked, not
 * re-derived: 443 from the VPC's blocks and the DNS attributes come from
 * preflight (run on the endpoint's current state), the policy questions from
 * policy_analyze(). A rule whose data is not loaded stays silent: checks never
 * fetch metrics themselves (`vpcx check --metrics` does, before the rules run).
 *
 * Ignores: `ignore RULE RESOURCE-ID REASON` config lines, read by
 * check_config_parse(); check_apply_ignores() marks the findings they match.
 *
 * Ownership: the report owns its strings; pair with check_report_finish().
 * Pure: no I/O.
 */
#ifndef VPCX_MODEL_CHECK_H
#define VPCX_MODEL_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "vpcx/core/status.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/model/cost.h"
#include "vpcx/model/inventory.h"
#include "vpcx/model/metrics.h"

enum check_severity {
    CHECK_INFO = 0,
    CHECK_WARNING = 1,
    CHECK_ERROR = 2,
};

/* X(enum suffix, ID, severity, function, title) */
#define CHECK_RULE_TABLE(X)                                                                        \
    X(ENDPOINT_SINGLE_AZ, "endpoint-single-az", WARNING, rule_single_az,                           \
      "Interface endpoint in one AZ while its VPC has subnets in others")                          \
    X(ENDPOINT_AZ_GAP, "endpoint-az-gap", INFO, rule_az_gap,                                       \
      "Workload subnets in AZs where the endpoint has no ENI")                                     \
    X(SUBNET_CAPACITY, "subnet-capacity", WARNING, rule_subnet_capacity,                           \
      "Endpoint subnet nearly full")                                                               \
    X(SG_NO_HTTPS, "sg-no-https", ERROR, rule_sg_no_https,                                         \
      "No security group of the endpoint admits TCP 443 from the VPC")                             \
    X(NACL_BLOCKS_HTTPS, "nacl-blocks-https", ERROR, rule_nacl_blocks_https,                       \
      "Network ACL of an endpoint subnet blocks 443 in or the ephemeral ports out")                \
    X(PRIVATE_DNS_VPC_ATTRIBUTES, "private-dns-vpc-attributes", ERROR, rule_private_dns,           \
      "Private DNS on while the VPC's DNS support or DNS hostnames is off")                        \
    X(POLICY_FULL_ACCESS, "policy-full-access", WARNING, rule_policy_full_access,                  \
      "Endpoint policy is AWS's default full access")                                              \
    X(POLICY_PRINCIPAL_ANY, "policy-principal-any", WARNING, rule_policy_principal_any,            \
      "Endpoint policy allows Principal * with no account, organization or network condition")     \
    X(ENDPOINT_STATE, "endpoint-state", ERROR, rule_endpoint_state,                                \
      "Endpoint is not available (pending acceptance, rejected, failed, expired or deleting)")     \
    X(GATEWAY_NO_ROUTES, "gateway-no-routes", WARNING, rule_gateway_no_routes,                     \
      "Gateway endpoint with no route table")                                                      \
    X(GATEWAY_SUBNET_UNROUTED, "gateway-subnet-unrouted", INFO, rule_gateway_unrouted,             \
      "Subnet whose route table lacks the gateway endpoint's route")                               \
    X(DEFAULT_SECURITY_GROUP, "default-security-group", WARNING, rule_default_group,               \
      "Endpoint in the VPC's default security group")                                              \
    X(DUPLICATE_SERVICE, "duplicate-service", INFO, rule_duplicate_service,                        \
      "Same service's interface endpoint in three or more VPCs of one account")                    \
    X(NO_FLOW_LOGS, "no-flow-logs", WARNING, rule_no_flow_logs,                                    \
      "VPC with interface endpoints and no flow log recording their traffic")                      \
    X(ENDPOINT_PACKETS_DROPPED, "endpoint-packets-dropped", WARNING, rule_packets_dropped,         \
      "Endpoint dropped packets (CloudWatch PacketsDropped above zero)")

enum check_rule {
#define CHECK_RULE_ENUM(name, id, sev, fn, title) CHECK_##name,
    CHECK_RULE_TABLE(CHECK_RULE_ENUM)
#undef CHECK_RULE_ENUM
        CHECK_RULE_COUNT
};

const char *check_rule_id(enum check_rule rule);
const char *check_rule_title(enum check_rule rule);
enum check_severity check_rule_severity(enum check_rule rule);
bool check_rule_parse(const char *id, enum check_rule *out);
const char *check_severity_name(enum check_severity s); /* "error" */
bool check_severity_parse(const char *name, enum check_severity *out);

struct check_options {
    bool enabled[CHECK_RULE_COUNT];
    double capacity_percent;          /* subnet-capacity: at or above this % used */
    uint64_t capacity_min_free;       /* subnet-capacity: fewer free addresses than this */
    const struct cost_prices *prices; /* duplicate-service's saving; NULL: bundled */
    const char *region;               /* for prices; NULL: unknown */
    /* CloudWatch metrics known per endpoint (endpoint-packets-dropped); none: that rule is
     * silent. Borrowed. */
    const struct metrics_set *const *metrics;
    size_t n_metrics;
};

#define CHECK_CAPACITY_PERCENT  80.0
#define CHECK_CAPACITY_MIN_FREE 16

/* Every rule enabled, default thresholds, no region (prices unknown). */
void check_options_init(struct check_options *o);

struct check_finding {
    enum check_rule rule;
    enum check_severity severity;
    const char *rule_id;       /* static */
    const char *resource_type; /* static: "VpcEndpoint", "Subnet" */
    char *resource_id;
    char *vpc_id; /* may be NULL */
    char *title;
    char **evidence; /* "Field: value" lines */
    size_t n_evidence;
    char *fix;
    bool ignored;
    char *ignore_reason; /* owned, set with ignored */
};

struct check_report {
    struct check_finding *v;
    size_t n, alloc;
};

void check_report_init(struct check_report *r);
void check_report_finish(struct check_report *r);
void check_run(const struct inventory *inv, const struct check_options *o,
               struct check_report *out);
/* Findings of rule (ignored ones included). */
size_t check_report_count(const struct check_report *r, enum check_rule rule);
/* The first finding of rule about resource_id, or NULL. */
const struct check_finding *check_report_find(const struct check_report *r, enum check_rule rule,
                                              const char *resource_id);
/* True when a finding not ignored has severity at or above min. */
bool check_report_fails(const struct check_report *r, enum check_severity min);

struct check_ignore {
    enum check_rule rule;
    char *resource_id;
    char *reason;
};

struct check_config {
    struct check_ignore *ignores;
    size_t n_ignores;
};

/*
 * Reads the `ignore RULE RESOURCE-ID REASON...` lines of config text (other
 * lines are skipped). An unknown rule or a line without a reason is an error
 * naming label and the line.
 */
enum vpcx_status check_config_parse(struct check_config *cfg, const char *label, const char *text,
                                    size_t len, struct vpcx_error *err);
void check_config_finish(struct check_config *cfg);
void check_apply_ignores(struct check_report *r, const struct check_config *cfg);

/* {"Findings": [...], "Summary": {"Error": n, "Warning": n, "Info": n, "Ignored": n}} */
cJSON *check_report_to_json(const struct check_report *r, bool with_ignored);
/* A SARIF 2.1.0 log with one run; results for the findings not ignored. */
cJSON *check_report_to_sarif(const struct check_report *r, const char *version);
/* The rule table as text: ID, severity, title; one line each. */
void check_rules_write(struct strbuf *out);

#endif
