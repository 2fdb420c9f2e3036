#include "vpcx/cli/outline.h"

#include "vpcx/core/sanitize.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/flowlog.h"
#include "vpcx/model/ipusage.h"
#include "vpcx/model/netinfo.h"
#include "vpcx/model/placement.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BAR_WIDTH 20

/* Appends an untrusted string, sanitised, or a dash when absent. */
static void add_safe(struct strbuf *sb, const char *s)
{
    if (!s || !*s) {
        strbuf_addch(sb, '-');
        return;
    }
    sanitize_add(sb, s, strlen(s), SANITIZE_ESCAPE);
}

static void add_name(struct strbuf *sb, const struct inv_resource *r)
{
    if (!r->name)
        return;
    strbuf_addstr(sb, " \"");
    add_safe(sb, r->name);
    strbuf_addch(sb, '"');
}

static void add_bar(struct strbuf *sb, const struct ip_usage *u)
{
    double pct = ipusage_percent_used(u);
    int filled = (int)(pct / 100.0 * BAR_WIDTH + 0.5);
    if (filled > BAR_WIDTH)
        filled = BAR_WIDTH;
    strbuf_addch(sb, '[');
    for (int i = 0; i < BAR_WIDTH; i++)
        strbuf_addch(sb, i < filled ? '#' : '.');
    strbuf_addf(sb, "] %3.0f%%", pct);
}

static const char *tristate(enum inv_tristate t)
{
    return t == INV_YES ? "on" : t == INV_NO ? "off" : "?";
}

static void outline_subnet(struct strbuf *sb, const struct inventory *inv,
                           const struct inv_resource *subnet)
{
    struct ip_usage u;
    ipusage_compute(inv, subnet, &u);
    strbuf_addstr(sb, "    subnet ");
    add_safe(sb, subnet->id);
    strbuf_addch(sb, ' ');
    add_safe(sb, subnet->subnet.cidr_text);
    add_name(sb, subnet);
    if (u.has_cidr) {
        strbuf_addstr(sb, "\n      ips ");
        add_bar(sb, &u);
        strbuf_addf(sb, " used %llu, free %llu of %llu usable (%llu reserved)",
                    (unsigned long long)u.used, (unsigned long long)u.effective_free,
                    (unsigned long long)u.usable, (unsigned long long)u.reserved);
        if (ipusage_level(&u) != IP_LEVEL_OK)
            strbuf_addf(sb, " %s", ipusage_level_key(ipusage_level(&u)));
        if (u.has_aws_available && u.unaccounted != 0)
            strbuf_addf(sb, "; AWS counts %lld available", (long long)u.aws_available);
    }
    strbuf_addch(sb, '\n');
    struct inv_ids eps = inventory_subnet_endpoints(inv, subnet->id);
    for (size_t i = 0; i < eps.n; i++) {
        const struct inv_resource *ep = inventory_find(inv, INV_ENDPOINT, eps.v[i]);
        strbuf_addstr(sb, "      endpoint ");
        add_safe(sb, eps.v[i]);
        if (ep) {
            strbuf_addch(sb, ' ');
            add_safe(sb, ep->endpoint.service_name);
        }
        strbuf_addch(sb, '\n');
    }
}

static void outline_az(struct strbuf *sb, const struct inventory *inv, const char *vpc_id,
                       const struct az_headroom *h)
{
    strbuf_addstr(sb, "  AZ ");
    add_safe(sb, h->zone_name);
    strbuf_addstr(sb, " (");
    add_safe(sb, h->zone_id);
    strbuf_addf(sb, "): %zu subnet%s, %llu of %llu usable addresses free\n", h->subnets,
                h->subnets == 1 ? "" : "s", (unsigned long long)h->free,
                (unsigned long long)h->usable);
    struct inv_ids subnets = inventory_vpc_subnets(inv, vpc_id);
    for (size_t i = 0; i < subnets.n; i++) {
        const struct inv_resource *s = inventory_find(inv, INV_SUBNET, subnets.v[i]);
        if (!s)
            continue;
        const struct inv_resource *az = inventory_subnet_az(inv, s->id);
        const char *zone =
            az ? az->az.zone_id : (s->subnet.az_id ? s->subnet.az_id : s->subnet.az_name);
        if (zone && h->zone_id && strcmp(zone, h->zone_id) == 0)
            outline_subnet(sb, inv, s);
    }
}

static void outline_placement(struct strbuf *sb, const struct placement *p)
{
    for (size_t i = 0; i < p->n_azs; i++) {
        const struct placement_az *a = &p->azs[i];
        strbuf_addstr(sb, "        ");
        add_safe(sb, a->zone_id);
        strbuf_addstr(sb, ": ");
        if (a->status == PLACEMENT_ENI) {
            add_safe(sb, a->eni_id);
            strbuf_addch(sb, ' ');
            add_safe(sb, a->ip);
            strbuf_addch(sb, ' ');
            add_safe(sb, a->eni_status);
        } else {
            strbuf_addstr(sb, placement_status_name(a->status));
        }
        strbuf_addch(sb, '\n');
    }
}

/* The policy document, compact, on one line; "(default: full access)" without one. */
static void outline_policy(struct strbuf *sb, const struct inv_resource *ep)
{
    strbuf_addstr(sb, "      policy: ");
    cJSON *doc = ep->endpoint.policy ? cJSON_Parse(ep->endpoint.policy) : NULL;
    char *flat = doc ? cJSON_PrintUnformatted(doc) : NULL;
    if (flat)
        add_safe(sb, flat);
    else if (ep->endpoint.policy)
        add_safe(sb, ep->endpoint.policy);
    else
        strbuf_addstr(sb, "(none: AWS's default full access)");
    strbuf_addch(sb, '\n');
    free(flat);
    cJSON_Delete(doc);
}

static void outline_sg(struct strbuf *sb, const struct inventory *inv, const struct inv_resource *g)
{
    strbuf_addstr(sb, "    ");
    add_safe(sb, g->id);
    add_name(sb, g);
    strbuf_addch(sb, '\n');
    struct netinfo_sg_rules rules;
    cJSON *item = inventory_item(inv, g);
    netinfo_sg_rules(inv, item, &rules); /* the rules own their strings */
    cJSON_Delete(item);
    for (size_t i = 0; i < rules.n; i++) {
        const struct netinfo_sg_rule *x = &rules.v[i];
        strbuf_addf(sb, "      %-8s ", netinfo_direction(x->egress));
        add_safe(sb, x->protocol);
        strbuf_addch(sb, ' ');
        add_safe(sb, x->ports);
        strbuf_addstr(sb, x->egress ? " to " : " from ");
        add_safe(sb, x->peer);
        if (x->peer_name) {
            strbuf_addstr(sb, " (");
            add_safe(sb, x->peer_name);
            strbuf_addch(sb, ')');
        }
        if (x->description) {
            strbuf_addstr(sb, " \"");
            add_safe(sb, x->description);
            strbuf_addch(sb, '"');
        }
        strbuf_addch(sb, '\n');
    }
    if (rules.n == 0)
        strbuf_addstr(sb, "      no rules\n");
    netinfo_sg_rules_finish(&rules);
}

static void outline_acl(struct strbuf *sb, const struct inventory *inv,
                        const struct inv_resource *acl)
{
    strbuf_addstr(sb, "    ");
    add_safe(sb, acl->id);
    add_name(sb, acl);
    strbuf_addch(sb, '\n');
    struct netinfo_acl_entries e;
    cJSON *item = inventory_item(inv, acl);
    netinfo_acl_entries(item, &e);
    cJSON_Delete(item);
    for (size_t i = 0; i < e.n; i++) {
        const struct netinfo_acl_entry *x = &e.v[i];
        char buf[16];
        strbuf_addf(sb, "      %-8s %5s %-5s ", x->egress ? "egress" : "ingress",
                    netinfo_acl_rule_text(x->rule_number, buf, sizeof(buf)),
                    x->allow ? "allow" : "deny");
        add_safe(sb, x->protocol);
        strbuf_addch(sb, ' ');
        add_safe(sb, x->ports);
        strbuf_addch(sb, ' ');
        add_safe(sb, x->cidr);
        strbuf_addch(sb, '\n');
    }
    netinfo_acl_entries_finish(&e);
}

static void outline_rtb(struct strbuf *sb, const struct inventory *inv,
                        const struct inv_resource *rt)
{
    strbuf_addstr(sb, "    ");
    add_safe(sb, rt->id);
    add_name(sb, rt);
    if (netinfo_route_table_is_main(inv, rt))
        strbuf_addstr(sb, " main");
    strbuf_addch(sb, '\n');
    struct netinfo_routes r;
    cJSON *item = inventory_item(inv, rt);
    netinfo_routes(inv, item, &r);
    cJSON_Delete(item);
    for (size_t i = 0; i < r.n; i++) {
        strbuf_addstr(sb, "      ");
        add_safe(sb, r.v[i].destination);
        if (r.v[i].dest_name) {
            strbuf_addstr(sb, " (");
            add_safe(sb, r.v[i].dest_name);
            strbuf_addch(sb, ')');
        }
        strbuf_addstr(sb, " -> ");
        add_safe(sb, r.v[i].target);
        if (r.v[i].state) {
            strbuf_addch(sb, ' ');
            add_safe(sb, r.v[i].state);
        }
        strbuf_addch(sb, '\n');
    }
    netinfo_routes_finish(&r);
}

/* Every resource of type in the VPC, written by one of the functions above. */
static void outline_network(struct strbuf *sb, const struct inventory *inv, const char *vpc_id)
{
    static const struct {
        enum inv_type type;
        const char *title;
    } kinds[] = {{INV_SECURITY_GROUP, "security groups"},
                 {INV_NETWORK_ACL, "network ACLs (in evaluation order)"},
                 {INV_ROUTE_TABLE, "route tables"}};
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        bool any = false;
        for (size_t i = 0; i < inventory_count(inv, kinds[k].type); i++) {
            const struct inv_resource *r = inventory_at(inv, kinds[k].type, i);
            if (!r->vpc_id || strcmp(r->vpc_id, vpc_id) != 0)
                continue;
            if (!any)
                strbuf_addf(sb, "  %s:\n", kinds[k].title);
            any = true;
            if (kinds[k].type == INV_SECURITY_GROUP)
                outline_sg(sb, inv, r);
            else if (kinds[k].type == INV_NETWORK_ACL)
                outline_acl(sb, inv, r);
            else
                outline_rtb(sb, inv, r);
        }
    }
}

static void outline_endpoint(struct strbuf *sb, const struct inventory *inv,
                             const struct inv_resource *ep)
{
    strbuf_addstr(sb, "    ");
    add_safe(sb, ep->id);
    strbuf_addch(sb, ' ');
    add_safe(sb, ep->endpoint.type_text);
    strbuf_addch(sb, ' ');
    add_safe(sb, ep->endpoint.service_name);
    strbuf_addch(sb, ' ');
    add_safe(sb, ep->state);
    add_name(sb, ep);
    if (ep->endpoint.kind == INV_ENDPOINT_INTERFACE)
        strbuf_addf(sb, ", private DNS %s", ep->endpoint.private_dns_enabled ? "on" : "off");
    if (ep->endpoint.kind == INV_ENDPOINT_GATEWAY) {
        strbuf_addstr(sb, ", route tables:");
        for (size_t i = 0; i < ep->endpoint.route_table_ids.n; i++) {
            strbuf_addch(sb, ' ');
            add_safe(sb, ep->endpoint.route_table_ids.v[i]);
        }
    }
    strbuf_addch(sb, '\n');
    struct placement p;
    if (placement_compute(inv, ep->id, &p) == VPCX_OK && p.applicable) {
        strbuf_addf(sb, "      AZs covered: %zu of %zu%s\n", p.covered, p.n_azs,
                    p.single_az ? " (single AZ: no redundancy)" : "");
        outline_placement(sb, &p);
    }
    placement_finish(&p);
    outline_policy(sb, ep);
}

/* One flow log: where it is attached, what it records, where to, and its state. */
static void outline_flow_log(struct strbuf *sb, const struct inv_resource *log)
{
    const struct inv_flow_log *f = &log->flow_log;
    strbuf_addstr(sb, "    ");
    add_safe(sb, log->id);
    add_name(sb, log);
    strbuf_addf(sb, " on %s ", flowlog_level_name(flowlog_level_of(f->resource_id)));
    add_safe(sb, f->resource_id);
    strbuf_addstr(sb, ": ");
    add_safe(sb, f->traffic_type);
    strbuf_addstr(sb, " to ");
    add_safe(sb, flowlog_destination_type(log));
    strbuf_addch(sb, ' ');
    add_safe(sb, flowlog_destination(log));
    strbuf_addstr(sb, ", ");
    add_safe(sb, log->state);
    strbuf_addstr(sb, ", delivery ");
    add_safe(sb, f->deliver_status);
    if (f->deliver_error) {
        strbuf_addstr(sb, ": ");
        add_safe(sb, f->deliver_error);
    }
    strbuf_addstr(sb, flowlog_is_recording(log) ? "\n" : " (not recording)\n");
    if (f->log_format) {
        strbuf_addstr(sb, "      format ");
        add_safe(sb, f->log_format);
        strbuf_addch(sb, '\n');
    }
}

static void outline_attached(struct strbuf *sb, const struct flowlog_index *ix, const char *id,
                             bool *any)
{
    const struct inv_resource *const *logs;
    size_t n = flowlog_index_attached(ix, id, &logs);
    if (n && !*any)
        strbuf_addstr(sb, "  flow logs:\n");
    *any = *any || n;
    for (size_t i = 0; i < n; i++)
        outline_flow_log(sb, logs[i]);
}

/* The flow logs on the VPC, then on its subnets and their ENIs; "none" once loaded. */
static void outline_flow_logs(struct strbuf *sb, const struct inventory *inv,
                              const struct flowlog_index *ix, const char *vpc_id)
{
    bool any = false;
    outline_attached(sb, ix, vpc_id, &any);
    struct inv_ids subnets = inventory_vpc_subnets(inv, vpc_id);
    for (size_t i = 0; i < subnets.n; i++) {
        outline_attached(sb, ix, subnets.v[i], &any);
        struct inv_ids enis = inventory_subnet_enis(inv, subnets.v[i]);
        for (size_t k = 0; k < enis.n; k++)
            outline_attached(sb, ix, enis.v[k], &any);
    }
    if (!any && inventory_type_loaded(inv, INV_FLOW_LOG))
        strbuf_addstr(sb, "  flow logs: none\n");
}

static void outline_vpc(struct strbuf *sb, const struct inventory *inv,
                        const struct flowlog_index *ix, const struct inv_resource *vpc)
{
    strbuf_addstr(sb, "VPC ");
    add_safe(sb, vpc->id);
    strbuf_addch(sb, ' ');
    add_safe(sb, vpc->vpc.cidr_text);
    add_name(sb, vpc);
    strbuf_addf(sb, "%s, DNS support %s, DNS hostnames %s\n", vpc->vpc.is_default ? " default" : "",
                tristate(vpc->vpc.dns_support), tristate(vpc->vpc.dns_hostnames));
    struct az_headroom *rows = NULL;
    size_t n = ipusage_vpc_headroom(inv, vpc->id, &rows);
    for (size_t i = 0; i < n; i++)
        outline_az(sb, inv, vpc->id, &rows[i]);
    free(rows);
    struct inv_ids eps = inventory_vpc_endpoints(inv, vpc->id);
    if (eps.n)
        strbuf_addf(sb, "  endpoints (%zu):\n", eps.n);
    for (size_t i = 0; i < eps.n; i++) {
        const struct inv_resource *ep = inventory_find(inv, INV_ENDPOINT, eps.v[i]);
        if (ep)
            outline_endpoint(sb, inv, ep);
    }
    outline_network(sb, inv, vpc->id);
    outline_flow_logs(sb, inv, ix, vpc->id);
    strbuf_addch(sb, '\n');
}

static void outline_header(struct strbuf *sb, const struct inventory *inv,
                           const struct snapshot_meta *meta)
{
    strbuf_addstr(sb, "account ");
    add_safe(sb, meta->account);
    strbuf_addstr(sb, "  region ");
    add_safe(sb, meta->region);
    strbuf_addstr(sb, "  endpoint ");
    add_safe(sb, meta->endpoint);
    strbuf_addstr(sb, "\nfetched ");
    add_safe(sb, meta->fetched_at);
    strbuf_addstr(sb, " from ");
    add_safe(sb, meta->source);
    strbuf_addstr(sb, "\n");
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        strbuf_addf(sb, "%s%zu %s", t ? ", " : "", inventory_count(inv, (enum inv_type)t),
                    inventory_type_list_key((enum inv_type)t));
    strbuf_addstr(sb, "\n\n");
}

static void outline_errors(struct strbuf *sb, const cJSON *errors)
{
    const cJSON *e;
    if (!cJSON_GetArraySize(errors))
        return;
    strbuf_addstr(sb, "errors:\n");
    cJSON_ArrayForEach(e, errors)
    {
        strbuf_addstr(sb, "  ");
        add_safe(sb, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "Type")));
        strbuf_addstr(sb, ": ");
        add_safe(sb, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "Message")));
        strbuf_addch(sb, '\n');
    }
}

enum vpcx_status outline_write(FILE *out, const struct inventory *inv,
                               const struct snapshot_meta *meta, const cJSON *errors,
                               struct vpcx_error *err)
{
    struct strbuf sb;
    strbuf_init(&sb, 4096);
    outline_header(&sb, inv, meta);
    size_t n = inventory_count(inv, INV_VPC);
    bool failed = false;
    struct flowlog_index *ix = flowlog_index_create(inv);
    for (size_t i = 0; i < n && !failed; i++) {
        outline_vpc(&sb, inv, ix, inventory_at(inv, INV_VPC, i));
        failed = fwrite(sb.buf, 1, sb.len, out) != sb.len;
        strbuf_reset(&sb);
    }
    flowlog_index_destroy(ix);
    outline_errors(&sb, errors);
    failed = failed || fwrite(sb.buf, 1, sb.len, out) != sb.len || fflush(out) != 0;
    strbuf_release(&sb);
    if (failed)
        return vpcx_error_set(err, VPCX_ERR_IO, "cannot write the output: %s", strerror(errno));
    return VPCX_OK;
}
