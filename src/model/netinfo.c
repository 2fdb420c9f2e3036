/* Security group rules, NACL entries, routes and service names as people read them. */
#include "vpcx/model/netinfo.h"

#include "vpcx/core/xalloc.h"
#include "vpcx/model/ipusage.h"
#include "vpcx/model/placement.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- service names ---- */

/* "us-east-1", "ap-southeast-2", "us-gov-west-1": letters, dashes, a final number. */
static bool is_region(const char *s, size_t n)
{
    size_t dashes = 0, i = 0;
    if (n < 4 || !islower((unsigned char)s[0]))
        return false;
    for (; i < n && s[i] != '-'; i++)
        if (!islower((unsigned char)s[i]))
            return false;
    while (i < n) {
        if (s[i] != '-')
            return false;
        dashes++;
        size_t start = ++i;
        while (i < n && isalnum((unsigned char)s[i]))
            i++;
        if (i == start)
            return false;
    }
    return dashes >= 2 && isdigit((unsigned char)s[n - 1]);
}

/* Where the part after the region starts, or NULL when no component is a region. */
static const char *after_region(const char *name)
{
    const char *p = name;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (dot && is_region(p, len) && dot[1])
            return dot + 1;
        if (!dot)
            break;
        p = dot + 1;
    }
    return NULL;
}

char *netinfo_short_service(const char *service_name, enum inv_endpoint_kind kind)
{
    if (!service_name || !*service_name)
        return xstrdup("?");
    const char *s = after_region(service_name);
    if (!s)
        s = service_name;
    if (kind == INV_ENDPOINT_GATEWAY)
        return xasprintf("%s (gateway)", s);
    if (kind == INV_ENDPOINT_GWLB)
        return xasprintf("%s (GWLB)", s);
    return xstrdup(s);
}

/* ---- protocols and ports ---- */

const char *netinfo_protocol_name(const char *p)
{
    static const struct {
        const char *number, *name;
    } names[] = {{"-1", "all"}, {"6", "tcp"}, {"17", "udp"}, {"1", "icmp"}, {"58", "icmpv6"}};
    if (!p)
        return "?";
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(p, names[i].number) == 0 || strcasecmp(p, names[i].name) == 0)
            return names[i].name;
    return p;
}

static bool is_icmp(const char *name)
{
    return strcmp(name, "icmp") == 0 || strcmp(name, "icmpv6") == 0;
}

static bool number_of(const cJSON *v, int *out)
{
    if (!cJSON_IsNumber(v))
        return false;
    *out = (int)v->valuedouble;
    return true;
}

/* "all" with no or full ranges, "443" for one port, "1024-65535" for a range. */
static char *port_text(const char *proto, const cJSON *from, const cJSON *to)
{
    int f = 0, t = 0;
    bool has = number_of(from, &f) && number_of(to, &t);
    if (strcmp(proto, "all") == 0 || !has)
        return xstrdup("all");
    if (is_icmp(proto)) {
        if (f == -1)
            return xstrdup("all");
        return t == -1 ? xasprintf("type %d", f) : xasprintf("type %d code %d", f, t);
    }
    if ((f == 0 || f == -1) && (t == 65535 || t == -1))
        return xstrdup("all");
    return f == t ? xasprintf("%d", f) : xasprintf("%d-%d", f, t);
}

/* ---- security groups ---- */

static const char *str_field(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static char *dup_or_null(const char *s)
{
    return s && *s ? xstrdup(s) : NULL;
}

static const char *resource_name(const struct inventory *inv, enum inv_type t, const char *id)
{
    const struct inv_resource *r = inv && id ? inventory_find(inv, t, id) : NULL;
    return r ? r->name : NULL;
}

struct peer_list {
    const char *list, *field;
    enum netinfo_peer kind;
};

static const struct peer_list peer_lists[] = {
    {"IpRanges", "CidrIp", NETINFO_PEER_CIDR},
    {"Ipv6Ranges", "CidrIpv6", NETINFO_PEER_CIDR6},
    {"UserIdGroupPairs", "GroupId", NETINFO_PEER_GROUP},
    {"PrefixListIds", "PrefixListId", NETINFO_PEER_PREFIX_LIST},
};

static struct netinfo_sg_rule *push_rule(struct netinfo_sg_rules *r)
{
    if (r->n == r->alloc) {
        r->alloc = r->alloc ? r->alloc * 2 : 8;
        r->v = xreallocarray(r->v, r->alloc, sizeof(*r->v));
    }
    struct netinfo_sg_rule *x = &r->v[r->n++];
    memset(x, 0, sizeof(*x));
    return x;
}

static char *peer_name(const struct inventory *inv, const struct peer_list *pl, const cJSON *item,
                       const char *id)
{
    if (pl->kind == NETINFO_PEER_GROUP) {
        const char *n = str_field(item, "GroupName");
        return dup_or_null(n ? n : resource_name(inv, INV_SECURITY_GROUP, id));
    }
    if (pl->kind == NETINFO_PEER_PREFIX_LIST)
        return dup_or_null(resource_name(inv, INV_PREFIX_LIST, id));
    return NULL;
}

static void perm_rules(const struct inventory *inv, const cJSON *perm, bool egress,
                       struct netinfo_sg_rules *out)
{
    const char *proto = netinfo_protocol_name(str_field(perm, "IpProtocol"));
    for (size_t k = 0; k < sizeof(peer_lists) / sizeof(peer_lists[0]); k++) {
        const struct peer_list *pl = &peer_lists[k];
        const cJSON *item;
        cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(perm, pl->list))
        {
            const char *id = str_field(item, pl->field);
            if (!id)
                continue;
            struct netinfo_sg_rule *r = push_rule(out);
            r->egress = egress;
            r->protocol = xstrdup(proto);
            r->ports = port_text(proto, cJSON_GetObjectItemCaseSensitive(perm, "FromPort"),
                                 cJSON_GetObjectItemCaseSensitive(perm, "ToPort"));
            r->peer_kind = pl->kind;
            r->peer = xstrdup(id);
            r->peer_name = peer_name(inv, pl, item, id);
            r->description = dup_or_null(str_field(item, "Description"));
        }
    }
}

void netinfo_sg_rules(const struct inventory *inv, const cJSON *group, struct netinfo_sg_rules *out)
{
    memset(out, 0, sizeof(*out));
    static const char *const keys[] = {"IpPermissions", "IpPermissionsEgress"};
    for (int e = 0; e < 2; e++) {
        const cJSON *perm;
        cJSON_ArrayForEach(perm, cJSON_GetObjectItemCaseSensitive(group, keys[e]))
        {
            perm_rules(inv, perm, e == 1, out);
        }
    }
}

void netinfo_sg_rules_finish(struct netinfo_sg_rules *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].protocol);
        free(r->v[i].ports);
        free(r->v[i].peer);
        free(r->v[i].peer_name);
        free(r->v[i].description);
    }
    free(r->v);
    memset(r, 0, sizeof(*r));
}

const char *netinfo_direction(bool egress)
{
    return egress ? "outbound" : "inbound";
}

/* ---- network ACLs ---- */

static struct netinfo_acl_entry *push_entry(struct netinfo_acl_entries *e)
{
    if (e->n == e->alloc) {
        e->alloc = e->alloc ? e->alloc * 2 : 8;
        e->v = xreallocarray(e->v, e->alloc, sizeof(*e->v));
    }
    struct netinfo_acl_entry *x = &e->v[e->n++];
    memset(x, 0, sizeof(*x));
    return x;
}

static void acl_entry_fill(struct netinfo_acl_entry *x, const cJSON *entry)
{
    const char *proto = netinfo_protocol_name(str_field(entry, "Protocol"));
    x->egress = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(entry, "Egress"));
    int n = NETINFO_ACL_DEFAULT_RULE;
    number_of(cJSON_GetObjectItemCaseSensitive(entry, "RuleNumber"), &n);
    x->rule_number = n;
    const char *action = str_field(entry, "RuleAction");
    x->allow = action && strcasecmp(action, "allow") == 0;
    x->protocol = xstrdup(proto);
    if (is_icmp(proto)) {
        const cJSON *tc = cJSON_GetObjectItemCaseSensitive(entry, "IcmpTypeCode");
        x->ports = port_text(proto, cJSON_GetObjectItemCaseSensitive(tc, "Type"),
                             cJSON_GetObjectItemCaseSensitive(tc, "Code"));
    } else {
        const cJSON *pr = cJSON_GetObjectItemCaseSensitive(entry, "PortRange");
        x->ports = port_text(proto, cJSON_GetObjectItemCaseSensitive(pr, "From"),
                             cJSON_GetObjectItemCaseSensitive(pr, "To"));
    }
    const char *cidr = str_field(entry, "CidrBlock");
    if (!cidr)
        cidr = str_field(entry, "Ipv6CidrBlock");
    x->cidr = xstrdup(cidr ? cidr : "?");
}

static int entry_cmp(const void *pa, const void *pb)
{
    const struct netinfo_acl_entry *a = pa, *b = pb;
    if (a->egress != b->egress)
        return a->egress ? 1 : -1;
    if (a->rule_number != b->rule_number)
        return a->rule_number < b->rule_number ? -1 : 1;
    return strcmp(a->cidr, b->cidr); /* IPv4 and IPv6 "*" rules share the number */
}

static void add_implicit_deny(struct netinfo_acl_entries *e, bool egress)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->v[i].egress == egress && e->v[i].rule_number == NETINFO_ACL_DEFAULT_RULE)
            return;
    struct netinfo_acl_entry *x = push_entry(e);
    x->egress = egress;
    x->rule_number = NETINFO_ACL_DEFAULT_RULE;
    x->implicit = true;
    x->protocol = xstrdup("all");
    x->ports = xstrdup("all");
    x->cidr = xstrdup("0.0.0.0/0");
}

void netinfo_acl_entries(const cJSON *acl, struct netinfo_acl_entries *out)
{
    memset(out, 0, sizeof(*out));
    const cJSON *entry;
    cJSON_ArrayForEach(entry, cJSON_GetObjectItemCaseSensitive(acl, "Entries"))
    {
        acl_entry_fill(push_entry(out), entry);
    }
    add_implicit_deny(out, false);
    add_implicit_deny(out, true);
    if (out->n > 1)
        qsort(out->v, out->n, sizeof(*out->v), entry_cmp);
}

void netinfo_acl_entries_finish(struct netinfo_acl_entries *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free(e->v[i].protocol);
        free(e->v[i].ports);
        free(e->v[i].cidr);
    }
    free(e->v);
    memset(e, 0, sizeof(*e));
}

const char *netinfo_acl_rule_text(int rule_number, char *buf, size_t size)
{
    if (rule_number == NETINFO_ACL_DEFAULT_RULE)
        return "*";
    snprintf(buf, size, "%d", rule_number);
    return buf;
}

/* ---- routes ---- */

static const char *const route_targets[] = {
    "GatewayId",
    "NatGatewayId",
    "TransitGatewayId",
    "VpcPeeringConnectionId",
    "NetworkInterfaceId",
    "InstanceId",
    "EgressOnlyInternetGatewayId",
    "CarrierGatewayId",
    "LocalGatewayId",
    "CoreNetworkArn",
};

static struct netinfo_route *push_route(struct netinfo_routes *r)
{
    if (r->n == r->alloc) {
        r->alloc = r->alloc ? r->alloc * 2 : 8;
        r->v = xreallocarray(r->v, r->alloc, sizeof(*r->v));
    }
    struct netinfo_route *x = &r->v[r->n++];
    memset(x, 0, sizeof(*x));
    return x;
}

void netinfo_routes(const struct inventory *inv, const cJSON *table, struct netinfo_routes *out)
{
    memset(out, 0, sizeof(*out));
    const cJSON *route;
    cJSON_ArrayForEach(route, cJSON_GetObjectItemCaseSensitive(table, "Routes"))
    {
        struct netinfo_route *x = push_route(out);
        const char *dst = str_field(route, "DestinationCidrBlock");
        if (!dst)
            dst = str_field(route, "DestinationIpv6CidrBlock");
        const char *pl = str_field(route, "DestinationPrefixListId");
        if (!dst && pl) {
            dst = pl;
            x->dest_name = dup_or_null(resource_name(inv, INV_PREFIX_LIST, pl));
        }
        x->destination = xstrdup(dst ? dst : "?");
        const char *target = NULL;
        for (size_t i = 0; !target && i < sizeof(route_targets) / sizeof(route_targets[0]); i++)
            target = str_field(route, route_targets[i]);
        x->target = xstrdup(target ? target : "?");
        x->state = dup_or_null(str_field(route, "State"));
    }
}

void netinfo_routes_finish(struct netinfo_routes *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].destination);
        free(r->v[i].dest_name);
        free(r->v[i].target);
        free(r->v[i].state);
    }
    free(r->v);
    memset(r, 0, sizeof(*r));
}

/* ---- associations ---- */

/* Associations of a NACL or route table: its item decoded (the caller frees it). */
static bool associated_with(const struct inventory *inv, const struct inv_resource *r,
                            const char *subnet_id)
{
    cJSON *item = inventory_item(inv, r);
    const cJSON *a;
    bool found = false;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(item, "Associations"))
    {
        const char *s = str_field(a, "SubnetId");
        if (s && strcmp(s, subnet_id) == 0)
            found = true;
    }
    cJSON_Delete(item);
    return found;
}

bool netinfo_route_table_is_main(const struct inventory *inv, const struct inv_resource *rt)
{
    cJSON *item = inventory_item(inv, rt);
    const cJSON *a;
    bool main_table = false;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(item, "Associations"))
    {
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "Main")))
            main_table = true;
    }
    cJSON_Delete(item);
    return main_table;
}

const struct inv_resource *netinfo_subnet_acl(const struct inventory *inv, const char *subnet_id)
{
    size_t n = inventory_count(inv, INV_NETWORK_ACL);
    for (size_t i = 0; subnet_id && i < n; i++) {
        const struct inv_resource *r = inventory_at(inv, INV_NETWORK_ACL, i);
        if (associated_with(inv, r, subnet_id))
            return r;
    }
    return NULL;
}

const struct inv_resource *netinfo_subnet_route_table(const struct inventory *inv,
                                                      const char *subnet_id, bool *is_main)
{
    const struct inv_resource *sn = inventory_find(inv, INV_SUBNET, subnet_id);
    const struct inv_resource *main_table = NULL;
    size_t n = inventory_count(inv, INV_ROUTE_TABLE);
    for (size_t i = 0; subnet_id && i < n; i++) {
        const struct inv_resource *r = inventory_at(inv, INV_ROUTE_TABLE, i);
        if (associated_with(inv, r, subnet_id)) {
            if (is_main)
                *is_main = false;
            return r;
        }
        if (!main_table && sn && sn->vpc_id && r->vpc_id && strcmp(sn->vpc_id, r->vpc_id) == 0 &&
            netinfo_route_table_is_main(inv, r))
            main_table = r;
    }
    if (is_main)
        *is_main = main_table != NULL;
    return main_table;
}

/* ---- the account ---- */

static void summarize_subnets(const struct inventory *inv, struct netinfo_summary *out)
{
    out->subnets = inventory_count(inv, INV_SUBNET);
    for (size_t i = 0; i < out->subnets; i++) {
        const struct inv_resource *s = inventory_at(inv, INV_SUBNET, i);
        struct ip_usage u;
        ipusage_compute(inv, s, &u);
        if (!u.has_cidr)
            continue;
        double p = ipusage_percent_used(&u);
        if (ipusage_level(&u) != IP_LEVEL_OK)
            out->subnets_warn++;
        if (!out->fullest_subnet || p > out->fullest_percent) {
            out->fullest_subnet = s->id;
            out->fullest_percent = p;
        }
    }
}

static void summarize_endpoints(const struct inventory *inv, struct netinfo_summary *out)
{
    out->endpoints_total = inventory_count(inv, INV_ENDPOINT);
    for (size_t i = 0; i < out->endpoints_total; i++) {
        const struct inv_resource *e = inventory_at(inv, INV_ENDPOINT, i);
        out->endpoints[e->endpoint.kind]++;
        struct placement p;
        if (placement_compute(inv, e->id, &p) == VPCX_OK && p.applicable && p.single_az)
            out->single_az++;
        placement_finish(&p);
    }
}

void netinfo_summarize(const struct inventory *inv, struct netinfo_summary *out)
{
    memset(out, 0, sizeof(*out));
    out->vpcs = inventory_count(inv, INV_VPC);
    out->enis = inventory_count(inv, INV_ENI);
    for (size_t i = 0; i < out->enis; i++)
        if (inventory_eni_endpoint(inv, inventory_at(inv, INV_ENI, i)->id, NULL))
            out->endpoint_enis++;
    out->security_groups = inventory_count(inv, INV_SECURITY_GROUP);
    out->network_acls = inventory_count(inv, INV_NETWORK_ACL);
    out->route_tables = inventory_count(inv, INV_ROUTE_TABLE);
    summarize_subnets(inv, out);
    summarize_endpoints(inv, out);
}

char *netinfo_count(size_t n, const char *noun)
{
    return xasprintf("%zu %s%s", n, noun, n == 1 ? "" : "s");
}
