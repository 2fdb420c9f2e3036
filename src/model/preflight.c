/*
 * preflight: checks of an endpoint request against the inventory; see preflight.h.
 */
#include "vpcx/model/preflight.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/cidr.h"
#include "vpcx/model/ipusage.h"
#include "vpcx/model/placement.h"
#include "vpcx/model/policy.h"

static const struct {
    const char *key;
    enum preflight_severity severity;
} rules[] = {
#define PREFLIGHT_RULE_ROW(name, key, sev) {key, PREFLIGHT_##sev},
    PREFLIGHT_RULE_TABLE(PREFLIGHT_RULE_ROW)
#undef PREFLIGHT_RULE_ROW
};

const char *preflight_rule_key(enum preflight_rule rule)
{
    return (unsigned)rule < PREFLIGHT_RULE_COUNT ? rules[rule].key : "";
}

enum preflight_severity preflight_rule_severity(enum preflight_rule rule)
{
    return (unsigned)rule < PREFLIGHT_RULE_COUNT ? rules[rule].severity : PREFLIGHT_ERROR;
}

const char *preflight_severity_name(enum preflight_severity severity)
{
    switch (severity) {
    case PREFLIGHT_INFO:
        return "info";
    case PREFLIGHT_WARNING:
        return "warning";
    case PREFLIGHT_ERROR:
        return "error";
    }
    return "error";
}

const char *preflight_kind_text(enum inv_endpoint_kind kind)
{
    switch (kind) {
    case INV_ENDPOINT_INTERFACE:
        return "Interface";
    case INV_ENDPOINT_GATEWAY:
        return "Gateway";
    case INV_ENDPOINT_GWLB:
        return "GatewayLoadBalancer";
    case INV_ENDPOINT_OTHER:
        break;
    }
    return NULL;
}

void preflight_report_init(struct preflight_report *r)
{
    memset(r, 0, sizeof(*r));
}

void preflight_report_finish(struct preflight_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].text);
        free(r->v[i].resource_id);
    }
    free(r->v);
    memset(r, 0, sizeof(*r));
}

bool preflight_report_blocks(const struct preflight_report *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].severity == PREFLIGHT_ERROR)
            return true;
    return false;
}

const struct preflight_finding *preflight_report_find(const struct preflight_report *r,
                                                      enum preflight_rule rule)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].rule == rule)
            return &r->v[i];
    return NULL;
}

cJSON *preflight_report_to_json(const struct preflight_report *r)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < r->n; i++) {
        const struct preflight_finding *f = &r->v[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "Severity", preflight_severity_name(f->severity));
        cJSON_AddStringToObject(o, "Key", f->key);
        cJSON_AddStringToObject(o, "Text", f->text);
        if (f->resource_id)
            cJSON_AddStringToObject(o, "ResourceId", f->resource_id);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static void add_finding(struct preflight_report *r, enum preflight_rule rule, const char *resource,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void add_finding(struct preflight_report *r, enum preflight_rule rule, const char *resource,
                        const char *fmt, ...)
{
    if (r->n == r->alloc) {
        r->alloc = r->alloc ? r->alloc * 2 : 8;
        r->v = xreallocarray(r->v, r->alloc, sizeof(*r->v));
    }
    va_list ap;
    va_start(ap, fmt);
    struct preflight_finding *f = &r->v[r->n++];
    f->rule = rule;
    f->severity = preflight_rule_severity(rule);
    f->key = preflight_rule_key(rule);
    f->text = xvasprintf(fmt, ap);
    f->resource_id = resource ? xstrdup(resource) : NULL;
    va_end(ap);
}

/* "subnet-1 (prod-a)" or just the ID; caller frees. */
static char *label(const struct inv_resource *res, const char *id)
{
    if (res && res->name && *res->name)
        return xasprintf("%s (%s)", id, res->name);
    return xstrdup(id);
}

/* ---- the checks -------------------------------------------------------------------------- */

struct ctx {
    const struct inventory *inv;
    const struct endpoint_spec *spec;
    const char *self_id; /* the endpoint being modified, or NULL */
    const struct inv_resource *vpc;
    const struct inv_resource *service; /* NULL when unknown */
    struct preflight_report *out;
};

static void check_vpc(struct ctx *c)
{
    c->vpc = c->spec->vpc_id ? inventory_find(c->inv, INV_VPC, c->spec->vpc_id) : NULL;
    if (!c->vpc)
        add_finding(c->out, PREFLIGHT_VPC_NOT_FOUND, c->spec->vpc_id,
                    "The VPC %s is not in the inventory; refresh, or choose another VPC.",
                    c->spec->vpc_id ? c->spec->vpc_id : "(none chosen)");
}

static void check_service(struct ctx *c)
{
    const struct endpoint_spec *s = c->spec;
    const char *name = s->service_name ? s->service_name : "(none chosen)";
    c->service = s->service_name ? inventory_find_service(c->inv, s->service_name, s->kind) : NULL;
    if (!c->service) {
        if (inventory_type_loaded(c->inv, INV_SERVICE) || !s->service_name)
            add_finding(c->out, PREFLIGHT_SERVICE_NOT_FOUND, s->service_name,
                        "The service %s is not offered in this region.", name);
        else
            add_finding(c->out, PREFLIGHT_SERVICE_UNVERIFIED, s->service_name,
                        "The endpoint services are not loaded, so %s could not be checked "
                        "(its zones and endpoint types are unverified).",
                        name);
        return;
    }
    const char *kind = preflight_kind_text(s->kind);
    if (!kind || !(c->service->service.kinds & (1u << s->kind)))
        add_finding(c->out, PREFLIGHT_TYPE_NOT_OFFERED, s->service_name,
                    "The service %s does not offer %s endpoints.", name,
                    kind ? kind : "this type of");
}

/* The subnet's AZ key: its zone ID, else its name. */
static const char *subnet_zone(const struct inv_resource *sn)
{
    return sn->subnet.az_id ? sn->subnet.az_id : sn->subnet.az_name;
}

static bool service_offers_az(const struct inv_resource *svc, const char *az_name)
{
    for (size_t i = 0; i < svc->service.az_names.n; i++)
        if (az_name && strcmp(svc->service.az_names.v[i], az_name) == 0)
            return true;
    return false;
}

/* The endpoint being checked already holds an address in the subnet. */
static bool self_has_eni_in(struct ctx *c, const struct inv_resource *sn)
{
    if (!c->self_id)
        return false;
    struct inv_ids enis = inventory_endpoint_enis(c->inv, c->self_id);
    for (size_t i = 0; i < enis.n; i++) {
        const struct inv_resource *e = inventory_find(c->inv, INV_ENI, enis.v[i]);
        if (e && e->eni.subnet_id && strcmp(e->eni.subnet_id, sn->id) == 0)
            return true;
    }
    return false;
}

static void check_subnet_ips(struct ctx *c, const struct inv_resource *sn)
{
    if (self_has_eni_in(c, sn))
        return;
    struct ip_usage u;
    ipusage_compute(c->inv, sn, &u);
    if (!u.has_cidr)
        return;
    char *l = label(sn, sn->id);
    if (u.effective_free < 1)
        add_finding(c->out, PREFLIGHT_NO_FREE_IP, sn->id,
                    "Subnet %s has no free IPv4 address; an interface endpoint needs one per "
                    "subnet.",
                    l);
    else if (u.effective_free < PREFLIGHT_FREE_IP_WARN)
        add_finding(c->out, PREFLIGHT_FEW_FREE_IPS, sn->id,
                    "Subnet %s has only %llu free IPv4 addresses; the endpoint takes one.", l,
                    (unsigned long long)u.effective_free);
    free(l);
}

/* The subnet of this zone chosen earlier in the list, or NULL. */
static const struct inv_resource *earlier_in_zone(struct ctx *c, size_t upto, const char *zone)
{
    for (size_t j = 0; j < upto; j++) {
        const struct inv_resource *o = inventory_find(c->inv, INV_SUBNET, c->spec->subnet_ids.v[j]);
        if (o && zone && subnet_zone(o) && strcmp(subnet_zone(o), zone) == 0 &&
            strcmp(o->id, c->spec->subnet_ids.v[upto]) != 0)
            return o;
    }
    return NULL;
}

static void check_one_subnet(struct ctx *c, size_t i)
{
    const char *id = c->spec->subnet_ids.v[i];
    const struct inv_resource *sn = inventory_find(c->inv, INV_SUBNET, id);
    if (!sn) {
        add_finding(c->out, PREFLIGHT_SUBNET_NOT_FOUND, id, "Subnet %s is not in the inventory.",
                    id);
        return;
    }
    char *l = label(sn, id);
    if (c->spec->vpc_id && (!sn->vpc_id || strcmp(sn->vpc_id, c->spec->vpc_id) != 0))
        add_finding(c->out, PREFLIGHT_SUBNET_OTHER_VPC, id, "Subnet %s belongs to %s, not to %s.",
                    l, sn->vpc_id ? sn->vpc_id : "no VPC", c->spec->vpc_id);
    if (c->service && !service_offers_az(c->service, sn->subnet.az_name))
        add_finding(c->out, PREFLIGHT_AZ_NOT_OFFERED, id,
                    "The service %s is not offered in %s, the zone of subnet %s.",
                    c->spec->service_name, sn->subnet.az_name ? sn->subnet.az_name : "(unknown)",
                    l);
    const struct inv_resource *dup = earlier_in_zone(c, i, subnet_zone(sn));
    if (dup)
        add_finding(c->out, PREFLIGHT_DUPLICATE_AZ, id,
                    "Subnets %s and %s are both in %s; an endpoint takes one subnet per zone "
                    "(AWS answers DuplicateSubnetsInSameZone).",
                    dup->id, l, sn->subnet.az_name ? sn->subnet.az_name : subnet_zone(sn));
    free(l);
    check_subnet_ips(c, sn);
}

static void check_subnets(struct ctx *c)
{
    if (c->spec->subnet_ids.n == 0) {
        add_finding(c->out, PREFLIGHT_NO_SUBNETS, NULL,
                    "Choose at least one subnet: the endpoint places a network interface in "
                    "each.");
        return;
    }
    for (size_t i = 0; i < c->spec->subnet_ids.n; i++)
        check_one_subnet(c, i);
}

static void check_route_tables(struct ctx *c)
{
    for (size_t i = 0; i < c->spec->route_table_ids.n; i++) {
        const char *id = c->spec->route_table_ids.v[i];
        const struct inv_resource *rt = inventory_find(c->inv, INV_ROUTE_TABLE, id);
        if (!rt) {
            if (inventory_type_loaded(c->inv, INV_ROUTE_TABLE))
                add_finding(c->out, PREFLIGHT_ROUTE_TABLE_NOT_FOUND, id,
                            "Route table %s is not in the inventory.", id);
            continue;
        }
        if (c->spec->vpc_id && (!rt->vpc_id || strcmp(rt->vpc_id, c->spec->vpc_id) != 0))
            add_finding(c->out, PREFLIGHT_ROUTE_TABLE_OTHER_VPC, id,
                        "Route table %s belongs to %s, not to %s.", id,
                        rt->vpc_id ? rt->vpc_id : "no VPC", c->spec->vpc_id);
    }
}

/* ---- security groups: does anything admit TCP 443 from the VPC? ---------------------------- */

enum admit {
    ADMIT_NO,
    ADMIT_UNVERIFIED, /* a group or prefix list source: cannot tell */
    ADMIT_YES,
};

static bool rule_covers_443(const cJSON *perm)
{
    const char *proto = cJSON_GetStringValue(cJSON_GetObjectItem(perm, "IpProtocol"));
    if (!proto)
        return false;
    if (strcmp(proto, "-1") == 0)
        return true;
    if (strcmp(proto, "tcp") != 0 && strcmp(proto, "6") != 0)
        return false;
    const cJSON *from = cJSON_GetObjectItem(perm, "FromPort");
    const cJSON *to = cJSON_GetObjectItem(perm, "ToPort");
    if (!cJSON_IsNumber(from) || !cJSON_IsNumber(to))
        return true; /* tcp with no ports: every port */
    return from->valuedouble <= 443 && to->valuedouble >= 443;
}

static bool range_holds(const char *range_text, const struct cidr *vpc_block)
{
    struct cidr range;
    if (!range_text || !cidr_parse(range_text, &range, NULL))
        return false;
    return range.addr.family == vpc_block->addr.family && range.prefix <= vpc_block->prefix &&
           cidr_contains(&range, &vpc_block->addr);
}

static enum admit perm_admits(const cJSON *perm, const struct cidr *block)
{
    if (!rule_covers_443(perm))
        return ADMIT_NO;
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(perm, "IpRanges"))
    {
        if (range_holds(cJSON_GetStringValue(cJSON_GetObjectItem(r, "CidrIp")), block))
            return ADMIT_YES;
    }
    if (cJSON_GetArraySize(cJSON_GetObjectItem(perm, "UserIdGroupPairs")) > 0 ||
        cJSON_GetArraySize(cJSON_GetObjectItem(perm, "PrefixListIds")) > 0)
        return ADMIT_UNVERIFIED;
    return ADMIT_NO;
}

static enum admit group_admits(const struct inventory *inv, const struct inv_resource *sg,
                               const struct cidr *block)
{
    enum admit best = ADMIT_NO;
    cJSON *item = inventory_item(inv, sg);
    const cJSON *perm;
    cJSON_ArrayForEach(perm, cJSON_GetObjectItem(item, "IpPermissions"))
    {
        enum admit a = perm_admits(perm, block);
        if (a > best)
            best = a;
    }
    cJSON_Delete(item);
    return best;
}

/* The VPC's IPv4 blocks: the association set, else the primary block. */
static size_t vpc_blocks(const struct inv_resource *vpc, const struct cidr **out)
{
    if (vpc->vpc.n_cidrs > 0) {
        *out = vpc->vpc.cidrs;
        return vpc->vpc.n_cidrs;
    }
    *out = vpc->vpc.has_cidr ? &vpc->vpc.cidr : NULL;
    return vpc->vpc.has_cidr ? 1 : 0;
}

/* The groups the endpoint will have: the chosen ones, else the VPC's default group. */
static size_t effective_groups(struct ctx *c, const struct inv_resource **groups, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < c->spec->group_ids.n && n < cap; i++) {
        const struct inv_resource *sg =
            inventory_find(c->inv, INV_SECURITY_GROUP, c->spec->group_ids.v[i]);
        if (sg)
            groups[n++] = sg;
    }
    if (c->spec->group_ids.n > 0)
        return n;
    for (size_t i = 0; i < inventory_count(c->inv, INV_SECURITY_GROUP) && n < cap; i++) {
        const struct inv_resource *sg = inventory_at(c->inv, INV_SECURITY_GROUP, i);
        if (!sg->vpc_id || strcmp(sg->vpc_id, c->vpc->id) != 0)
            continue;
        cJSON *item = inventory_item(c->inv, sg);
        const char *gname = cJSON_GetStringValue(cJSON_GetObjectItem(item, "GroupName"));
        if (gname && strcmp(gname, "default") == 0)
            groups[n++] = sg;
        cJSON_Delete(item);
    }
    if (n > 0)
        add_finding(c->out, PREFLIGHT_SG_DEFAULT, groups[0]->id,
                    "No security group chosen: AWS attaches the VPC's default group %s.",
                    groups[0]->id);
    return n;
}

static void report_block(struct ctx *c, const struct cidr *block, enum admit a, size_t n_groups)
{
    char *cidr_text = cidr_to_string(block);
    if (a == ADMIT_UNVERIFIED)
        add_finding(c->out, PREFLIGHT_SG_443_UNVERIFIED, NULL,
                    "TCP 443 is admitted only from security groups or prefix lists, so vpcx "
                    "cannot verify that clients in %s reach the endpoint.",
                    cidr_text);
    else if (a == ADMIT_NO)
        add_finding(c->out, PREFLIGHT_SG_NO_443, NULL,
                    "None of the endpoint's %zu security group(s) admits TCP 443 from %s, the "
                    "VPC's address range: clients in the VPC cannot reach the endpoint.",
                    n_groups, cidr_text);
    free(cidr_text);
}

static void check_groups(struct ctx *c)
{
    for (size_t i = 0; i < c->spec->group_ids.n; i++) {
        const char *id = c->spec->group_ids.v[i];
        const struct inv_resource *sg = inventory_find(c->inv, INV_SECURITY_GROUP, id);
        if (!sg)
            add_finding(c->out, PREFLIGHT_SG_NOT_FOUND, id,
                        "Security group %s is not in the inventory.", id);
        else if (c->spec->vpc_id && (!sg->vpc_id || strcmp(sg->vpc_id, c->spec->vpc_id) != 0))
            add_finding(c->out, PREFLIGHT_SG_OTHER_VPC, id,
                        "Security group %s belongs to %s, not to %s.", id,
                        sg->vpc_id ? sg->vpc_id : "no VPC", c->spec->vpc_id);
    }
    if (!c->vpc)
        return;
    size_t cap = c->spec->group_ids.n + 1;
    const struct inv_resource **groups = xcalloc(cap, sizeof(*groups));
    size_t n = effective_groups(c, groups, cap);
    const struct cidr *blocks;
    size_t nb = vpc_blocks(c->vpc, &blocks);
    for (size_t b = 0; b < nb && n > 0; b++) {
        enum admit best = ADMIT_NO;
        for (size_t g = 0; g < n; g++) {
            enum admit a = group_admits(c->inv, groups[g], &blocks[b]);
            if (a > best)
                best = a;
        }
        report_block(c, &blocks[b], best, n);
    }
    free(groups);
}

/* ---- DNS, duplicates, policy --------------------------------------------------------------- */

static bool wants_private_dns(const struct endpoint_spec *s)
{
    return s->kind == INV_ENDPOINT_INTERFACE && s->private_dns != INV_NO;
}

static void check_dns_attribute(struct ctx *c, enum inv_tristate value, enum preflight_rule off,
                                const char *attr)
{
    if (value == INV_NO)
        add_finding(c->out, off, c->vpc->id,
                    "Private DNS needs %s on the VPC %s, and it is off; turn it on or disable "
                    "private DNS.",
                    attr, c->vpc->id);
    else if (value == INV_UNKNOWN)
        add_finding(c->out, PREFLIGHT_DNS_ATTRIBUTES_UNKNOWN, c->vpc->id,
                    "Private DNS needs %s on the VPC %s, and vpcx has not read that attribute.",
                    attr, c->vpc->id);
}

static void check_dns(struct ctx *c)
{
    if (!c->vpc || !wants_private_dns(c->spec))
        return;
    check_dns_attribute(c, c->vpc->vpc.dns_support, PREFLIGHT_DNS_SUPPORT_OFF, "enableDnsSupport");
    check_dns_attribute(c, c->vpc->vpc.dns_hostnames, PREFLIGHT_DNS_HOSTNAMES_OFF,
                        "enableDnsHostnames");
}

static bool endpoint_gone(const struct inv_resource *ep)
{
    static const char *const gone[] = {"deleted", "deleting", "failed", "rejected", "expired"};
    for (size_t i = 0; ep->state && i < sizeof(gone) / sizeof(gone[0]); i++)
        if (strcasecmp(ep->state, gone[i]) == 0)
            return true;
    return false;
}

static void check_existing(struct ctx *c)
{
    if (!c->spec->vpc_id || !c->spec->service_name)
        return;
    struct inv_ids eps = inventory_vpc_endpoints(c->inv, c->spec->vpc_id);
    for (size_t i = 0; i < eps.n; i++) {
        const struct inv_resource *ep = inventory_find(c->inv, INV_ENDPOINT, eps.v[i]);
        if (!ep || endpoint_gone(ep) || (c->self_id && strcmp(ep->id, c->self_id) == 0) ||
            !ep->endpoint.service_name ||
            strcmp(ep->endpoint.service_name, c->spec->service_name) != 0)
            continue;
        if (wants_private_dns(c->spec) && ep->endpoint.private_dns_enabled)
            add_finding(c->out, PREFLIGHT_PRIVATE_DNS_CONFLICT, ep->id,
                        "Endpoint %s already serves %s in %s with private DNS on; a second one "
                        "with private DNS would conflict. Turn private DNS off or use %s.",
                        ep->id, c->spec->service_name, c->spec->vpc_id, ep->id);
        else
            add_finding(c->out, PREFLIGHT_EXISTING_ENDPOINT, ep->id,
                        "Endpoint %s already serves %s in %s.", ep->id, c->spec->service_name,
                        c->spec->vpc_id);
    }
}

static void check_policy(struct ctx *c)
{
    if (!c->spec->policy)
        return;
    struct policy_report rep;
    enum vpcx_status st = policy_analyze(c->spec->policy, &rep);
    if (st != VPCX_OK)
        add_finding(c->out, PREFLIGHT_POLICY_INVALID, NULL, "The policy document is %s.",
                    st == VPCX_ERR_TOO_LARGE ? "longer than the 20,480 characters AWS allows"
                                             : "not valid JSON");
    else if (policy_report_has(&rep, POLICY_MALFORMED))
        add_finding(c->out, PREFLIGHT_POLICY_MALFORMED, NULL,
                    "Part of the policy document does not follow the IAM policy grammar; AWS "
                    "may refuse it.");
    policy_report_finish(&rep);
}

static void check_shape(struct ctx *c)
{
    const struct endpoint_spec *s = c->spec;
    if (s->kind == INV_ENDPOINT_GATEWAY) {
        if (s->subnet_ids.n > 0 || s->group_ids.n > 0)
            add_finding(c->out, PREFLIGHT_GATEWAY_SUBNETS, NULL,
                        "A gateway endpoint takes route tables, not subnets or security groups.");
        if (s->route_table_ids.n == 0)
            add_finding(c->out, PREFLIGHT_GATEWAY_NO_ROUTE_TABLES, NULL,
                        "No route table chosen: the gateway endpoint will carry no traffic until "
                        "one is added.");
        check_route_tables(c);
        return;
    }
    if (s->route_table_ids.n > 0)
        add_finding(c->out, PREFLIGHT_ROUTE_TABLES_NOT_GATEWAY, NULL,
                    "Only gateway endpoints take route tables.");
    check_subnets(c);
    if (s->kind == INV_ENDPOINT_INTERFACE)
        check_groups(c);
}

static void check_all(struct ctx *c)
{
    check_vpc(c);
    check_service(c);
    check_shape(c);
    check_dns(c);
    check_existing(c);
    check_policy(c);
}

void preflight_check_create(const struct inventory *inv, const struct endpoint_spec *req,
                            struct preflight_report *out)
{
    struct ctx c = {.inv = inv, .spec = req, .out = out};
    check_all(&c);
}

void preflight_check_modify(const struct inventory *inv, const char *endpoint_id,
                            const struct endpoint_spec *desired, struct preflight_report *out)
{
    const struct inv_resource *ep =
        endpoint_id ? inventory_find(inv, INV_ENDPOINT, endpoint_id) : NULL;
    if (!ep) {
        add_finding(out, PREFLIGHT_ENDPOINT_NOT_FOUND, endpoint_id,
                    "Endpoint %s is not in the inventory.", endpoint_id ? endpoint_id : "(none)");
        return;
    }
    struct endpoint_spec s = *desired;
    s.vpc_id = ep->vpc_id;
    s.service_name = ep->endpoint.service_name;
    s.kind = ep->endpoint.kind;
    if (s.private_dns == INV_UNKNOWN)
        s.private_dns = ep->endpoint.private_dns_enabled ? INV_YES : INV_NO;
    struct ctx c = {.inv = inv, .spec = &s, .self_id = ep->id, .out = out};
    check_all(&c);
}

/* ---- health of an endpoint as it is ---------------------------------------------------------- */

static bool is_full_access(const char *doc);

static void health_extras(const struct inventory *inv, const struct inv_resource *ep,
                          struct preflight_report *out)
{
    if (ep->state && strcasecmp(ep->state, "available") != 0)
        add_finding(out, PREFLIGHT_STATE_NOT_AVAILABLE, ep->id,
                    "Endpoint %s is %s, not available: it carries no traffic now.", ep->id,
                    ep->state);
    struct placement p;
    if (placement_compute(inv, ep->id, &p) == VPCX_OK && p.applicable && p.single_az)
        add_finding(out, PREFLIGHT_SINGLE_AZ, ep->id,
                    "Endpoint %s has network interfaces in one availability zone of %zu: an "
                    "outage of that zone cuts it off.",
                    ep->id, p.n_azs);
    placement_finish(&p);
    if (!ep->endpoint.policy || is_full_access(ep->endpoint.policy))
        add_finding(out, PREFLIGHT_FULL_ACCESS_POLICY, ep->id,
                    "The policy allows every action on every resource to every principal "
                    "(AWS's default); press p to narrow it.");
}

void preflight_check_health(const struct inventory *inv, const char *endpoint_id,
                            struct preflight_report *out)
{
    const struct inv_resource *ep =
        endpoint_id ? inventory_find(inv, INV_ENDPOINT, endpoint_id) : NULL;
    if (!ep) {
        add_finding(out, PREFLIGHT_ENDPOINT_NOT_FOUND, endpoint_id,
                    "Endpoint %s is not in the inventory.", endpoint_id ? endpoint_id : "(none)");
        return;
    }
    const struct inv_endpoint *e = &ep->endpoint;
    struct endpoint_spec s = {
        .subnet_ids = e->subnet_ids,
        .group_ids = e->group_ids,
        .route_table_ids = e->route_table_ids,
        .private_dns = e->private_dns_enabled ? INV_YES : INV_NO,
        .policy = e->policy,
    };
    preflight_check_modify(inv, endpoint_id, &s, out);
    health_extras(inv, ep, out);
}

bool preflight_report_worst(const struct preflight_report *r, enum preflight_severity *out)
{
    if (!r->n)
        return false;
    enum preflight_severity w = PREFLIGHT_INFO;
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].severity > w)
            w = r->v[i].severity;
    *out = w;
    return true;
}

/* ---- modify delta -------------------------------------------------------------------------- */

static void strv_push(struct preflight_strv *sv, const char *s)
{
    sv->v = xreallocarray(sv->v, sv->n + 1, sizeof(*sv->v));
    sv->v[sv->n++] = xstrdup(s);
}

static void strv_finish(struct preflight_strv *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    sv->v = NULL;
    sv->n = 0;
}

/* The strings of a JSON array, or of field in each object of it. */
static bool json_list_has(const cJSON *arr, const char *field, const char *s)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        const cJSON *v = field ? cJSON_GetObjectItem(it, field) : it;
        const char *text = cJSON_GetStringValue(v);
        if (text && strcmp(text, s) == 0)
            return true;
    }
    return false;
}

static bool ids_have(const struct inv_ids *ids, const char *s)
{
    for (size_t i = 0; i < ids->n; i++)
        if (strcmp(ids->v[i], s) == 0)
            return true;
    return false;
}

static bool strv_has(const struct preflight_strv *sv, const char *s)
{
    for (size_t i = 0; i < sv->n; i++)
        if (strcmp(sv->v[i], s) == 0)
            return true;
    return false;
}

static void list_delta(const cJSON *cur, const char *field, const struct inv_ids *want,
                       struct preflight_strv *add, struct preflight_strv *remove)
{
    for (size_t i = 0; i < want->n; i++)
        if (!json_list_has(cur, field, want->v[i]) && !strv_has(add, want->v[i]))
            strv_push(add, want->v[i]);
    const cJSON *it;
    cJSON_ArrayForEach(it, cur)
    {
        const char *text = cJSON_GetStringValue(field ? cJSON_GetObjectItem(it, field) : it);
        if (text && !ids_have(want, text) && !strv_has(remove, text))
            strv_push(remove, text);
    }
}

static bool blank(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

static bool is_full_access(const char *doc)
{
    struct policy_report rep;
    bool full = policy_analyze(doc, &rep) == VPCX_OK && rep.full_access;
    policy_report_finish(&rep);
    return full;
}

bool preflight_policy_equal(const char *a, const char *b)
{
    if (blank(a) && blank(b))
        return true;
    if (blank(a))
        return is_full_access(b);
    if (blank(b))
        return is_full_access(a);
    cJSON *ja = cJSON_Parse(a);
    cJSON *jb = cJSON_Parse(b);
    bool same = ja && jb ? cJSON_Compare(ja, jb, true) : strcmp(a, b) == 0;
    cJSON_Delete(ja);
    cJSON_Delete(jb);
    return same;
}

static enum vpcx_status policy_delta(const cJSON *current, const char *desired,
                                     struct endpoint_delta *out)
{
    const char *cur = cJSON_GetStringValue(cJSON_GetObjectItem(current, "PolicyDocument"));
    if (preflight_policy_equal(cur, desired))
        return VPCX_OK;
    out->policy_changed = true;
    if (blank(desired)) {
        out->reset_policy = true;
        return VPCX_OK;
    }
    out->policy_document = xstrdup(desired);
    cJSON *parsed = cJSON_Parse(desired);
    enum vpcx_status st = parsed ? VPCX_OK : VPCX_ERR_PARSE;
    cJSON_Delete(parsed);
    return st;
}

enum vpcx_status preflight_modify_delta(const cJSON *current, const struct endpoint_spec *desired,
                                        struct endpoint_delta *out)
{
    memset(out, 0, sizeof(*out));
    if (!cJSON_IsObject(current))
        return VPCX_ERR_USAGE;
    list_delta(cJSON_GetObjectItem(current, "SubnetIds"), NULL, &desired->subnet_ids,
               &out->add_subnets, &out->remove_subnets);
    list_delta(cJSON_GetObjectItem(current, "Groups"), "GroupId", &desired->group_ids,
               &out->add_groups, &out->remove_groups);
    list_delta(cJSON_GetObjectItem(current, "RouteTableIds"), NULL, &desired->route_table_ids,
               &out->add_route_tables, &out->remove_route_tables);
    if (desired->private_dns != INV_UNKNOWN) {
        bool cur = cJSON_IsTrue(cJSON_GetObjectItem(current, "PrivateDnsEnabled"));
        bool want = desired->private_dns == INV_YES;
        out->private_dns_changed = cur != want;
        out->private_dns = want;
    }
    return policy_delta(current, desired->policy, out);
}

void endpoint_delta_finish(struct endpoint_delta *d)
{
    strv_finish(&d->add_subnets);
    strv_finish(&d->remove_subnets);
    strv_finish(&d->add_groups);
    strv_finish(&d->remove_groups);
    strv_finish(&d->add_route_tables);
    strv_finish(&d->remove_route_tables);
    free(d->policy_document);
    memset(d, 0, sizeof(*d));
}

bool endpoint_delta_empty(const struct endpoint_delta *d)
{
    return d->add_subnets.n == 0 && d->remove_subnets.n == 0 && d->add_groups.n == 0 &&
           d->remove_groups.n == 0 && d->add_route_tables.n == 0 && d->remove_route_tables.n == 0 &&
           !d->policy_changed && !d->private_dns_changed;
}
