#include "vpcx/model/check.h"

#include "vpcx/core/xalloc.h"
#include "vpcx/model/cidr.h"
#include "vpcx/model/flowlog.h"
#include "vpcx/model/ipusage.h"
#include "vpcx/model/policy.h"
#include "vpcx/model/preflight.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A lookup by ID built once per run: sorted pairs, searched by bsearch. */
struct index_pair {
    const char *key;
    const struct inv_resource *value;
};

struct index {
    bool built;
    struct index_pair *v;
    size_t n, alloc;
};

/* A set of strings, kept sorted; borrows them. */
struct strset {
    const char **v;
    size_t n;
};

/* What the AZ rules ask of a VPC for each of its endpoints, gathered once per run. */
struct vpc_facts {
    const char *vpc_id;
    const struct inv_resource **subnets; /* its subnets, in the inventory's order */
    size_t n_subnets;
    struct strset azs;                    /* its subnets' AZ names */
    const struct inv_resource **workload; /* its subnets holding an ENI no endpoint owns */
    size_t n_workload;
};

struct ctx {
    const struct inventory *inv;
    const struct check_options *o;
    struct check_report *out;
    /* Each built on first use; rules would otherwise rescan a type per item. */
    struct index subnet_acl;            /* subnet -> its network ACL */
    struct index subnet_rt;             /* subnet -> its explicitly associated route table */
    struct index vpc_main_rt;           /* VPC -> its main route table */
    struct index vpc_default_sg;        /* VPC -> its "default" group */
    struct vpc_facts *vpcs;             /* sorted by VPC ID, each gathered on first use */
    struct preflight_report *preflight; /* per endpoint position, run on first use */
    bool *preflight_done;
    size_t n_preflight;
    size_t n_vpcs;
    /* Items decoded for this run, by resource (open addressing; the indexes above point
       into them, so they live until the run ends). */
    struct decoded {
        const struct inv_resource *r;
        cJSON *item;
    } * items;
    size_t n_items, cap_items;
};

static size_t slot_of(const struct inv_resource *r, size_t cap)
{
    uintptr_t h = (uintptr_t)r;
    h ^= h >> 17;
    h *= 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 7) & (cap - 1);
}

/* The resource's full item, decoded once per run. */
static const cJSON *item_of(struct ctx *c, const struct inv_resource *r)
{
    if (!r)
        return NULL;
    if ((c->n_items + 1) * 2 > c->cap_items) {
        size_t cap = c->cap_items ? c->cap_items * 2 : 256;
        struct decoded *v = xcalloc(cap, sizeof(*v));
        for (size_t i = 0; i < c->cap_items; i++) {
            if (!c->items[i].r)
                continue;
            size_t k = slot_of(c->items[i].r, cap);
            while (v[k].r)
                k = (k + 1) & (cap - 1);
            v[k] = c->items[i];
        }
        free(c->items);
        c->items = v;
        c->cap_items = cap;
    }
    size_t k = slot_of(r, c->cap_items);
    while (c->items[k].r && c->items[k].r != r)
        k = (k + 1) & (c->cap_items - 1);
    if (!c->items[k].r) {
        c->items[k].r = r;
        c->items[k].item = inventory_item(c->inv, r);
        c->n_items++;
    }
    return c->items[k].item;
}

#define CHECK_RULE_DECL(name, id, sev, fn, title) static void fn(struct ctx *c);
CHECK_RULE_TABLE(CHECK_RULE_DECL)
#undef CHECK_RULE_DECL

static const struct {
    const char *id;
    enum check_severity severity;
    void (*fn)(struct ctx *c);
    const char *title;
} rules[] = {
#define CHECK_RULE_ROW(name, id, sev, fn, title) {id, CHECK_##sev, fn, title},
    CHECK_RULE_TABLE(CHECK_RULE_ROW)
#undef CHECK_RULE_ROW
};

static const char *const severity_names[] = {"info", "warning", "error"};

const char *check_rule_id(enum check_rule rule)
{
    return (unsigned)rule < CHECK_RULE_COUNT ? rules[rule].id : "";
}

const char *check_rule_title(enum check_rule rule)
{
    return (unsigned)rule < CHECK_RULE_COUNT ? rules[rule].title : "";
}

enum check_severity check_rule_severity(enum check_rule rule)
{
    return (unsigned)rule < CHECK_RULE_COUNT ? rules[rule].severity : CHECK_INFO;
}

bool check_rule_parse(const char *id, enum check_rule *out)
{
    for (int i = 0; i < CHECK_RULE_COUNT; i++) {
        if (strcmp(id, rules[i].id) == 0) {
            *out = (enum check_rule)i;
            return true;
        }
    }
    return false;
}

const char *check_severity_name(enum check_severity s)
{
    return (unsigned)s <= CHECK_ERROR ? severity_names[s] : "";
}

bool check_severity_parse(const char *name, enum check_severity *out)
{
    for (int i = 0; i <= CHECK_ERROR; i++) {
        if (strcmp(name, severity_names[i]) == 0) {
            *out = (enum check_severity)i;
            return true;
        }
    }
    return false;
}

void check_options_init(struct check_options *o)
{
    memset(o, 0, sizeof(*o));
    for (int i = 0; i < CHECK_RULE_COUNT; i++)
        o->enabled[i] = true;
    o->capacity_percent = CHECK_CAPACITY_PERCENT;
    o->capacity_min_free = CHECK_CAPACITY_MIN_FREE;
}

/* ---- the report ------------------------------------------------------------------------------ */

void check_report_init(struct check_report *r)
{
    memset(r, 0, sizeof(*r));
}

static void finding_finish(struct check_finding *f)
{
    free(f->resource_id);
    free(f->vpc_id);
    free(f->title);
    for (size_t i = 0; i < f->n_evidence; i++)
        free(f->evidence[i]);
    free(f->evidence);
    free(f->fix);
    free(f->ignore_reason);
}

void check_report_finish(struct check_report *r)
{
    for (size_t i = 0; i < r->n; i++)
        finding_finish(&r->v[i]);
    free(r->v);
    memset(r, 0, sizeof(*r));
}

size_t check_report_count(const struct check_report *r, enum check_rule rule)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->v[i].rule == rule;
    return n;
}

const struct check_finding *check_report_find(const struct check_report *r, enum check_rule rule,
                                              const char *resource_id)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].rule == rule && strcmp(r->v[i].resource_id, resource_id) == 0)
            return &r->v[i];
    return NULL;
}

bool check_report_fails(const struct check_report *r, enum check_severity min)
{
    for (size_t i = 0; i < r->n; i++)
        if (!r->v[i].ignored && r->v[i].severity >= min)
            return true;
    return false;
}

static struct check_finding *add(struct ctx *c, enum check_rule rule, const char *type,
                                 const char *resource_id, const char *vpc_id, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static struct check_finding *add(struct ctx *c, enum check_rule rule, const char *type,
                                 const char *resource_id, const char *vpc_id, const char *fmt, ...)
{
    struct check_report *r = c->out;
    if (r->n == r->alloc) {
        r->alloc = r->alloc ? r->alloc * 2 : 16;
        r->v = xreallocarray(r->v, r->alloc, sizeof(*r->v));
    }
    struct check_finding *f = &r->v[r->n++];
    memset(f, 0, sizeof(*f));
    f->rule = rule;
    f->severity = rules[rule].severity;
    f->rule_id = rules[rule].id;
    f->resource_type = type;
    f->resource_id = xstrdup(resource_id);
    f->vpc_id = vpc_id ? xstrdup(vpc_id) : NULL;
    va_list ap;
    va_start(ap, fmt);
    f->title = xvasprintf(fmt, ap);
    va_end(ap);
    return f;
}

static void evidence(struct check_finding *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void evidence(struct check_finding *f, const char *fmt, ...)
{
    f->evidence = xreallocarray(f->evidence, f->n_evidence + 1, sizeof(*f->evidence));
    va_list ap;
    va_start(ap, fmt);
    f->evidence[f->n_evidence++] = xvasprintf(fmt, ap);
    va_end(ap);
}

static void fix(struct check_finding *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fix(struct check_finding *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    f->fix = xvasprintf(fmt, ap);
    va_end(ap);
}

void check_run(const struct inventory *inv, const struct check_options *o, struct check_report *out)
{
    struct ctx c = {.inv = inv, .o = o, .out = out};
    for (int i = 0; i < CHECK_RULE_COUNT; i++)
        if (o->enabled[i])
            rules[i].fn(&c);
    free(c.subnet_acl.v);
    free(c.subnet_rt.v);
    free(c.vpc_main_rt.v);
    free(c.vpc_default_sg.v);
    for (size_t i = 0; i < c.n_vpcs; i++) {
        free(c.vpcs[i].subnets);
        free(c.vpcs[i].azs.v);
        free(c.vpcs[i].workload);
    }
    free(c.vpcs);
    for (size_t i = 0; i < c.n_preflight; i++)
        if (c.preflight_done[i])
            preflight_report_finish(&c.preflight[i]);
    free(c.preflight);
    free(c.preflight_done);
    for (size_t i = 0; i < c.cap_items; i++)
        cJSON_Delete(c.items[i].item);
    free(c.items);
}

/* ---- per-run indexes ------------------------------------------------------------------------- */

static int pair_cmp(const void *a, const void *b)
{
    return strcmp(((const struct index_pair *)a)->key, ((const struct index_pair *)b)->key);
}

static void index_add(struct index *ix, const char *key, const struct inv_resource *value)
{
    if (!key)
        return;
    if (ix->n == ix->alloc) {
        ix->alloc = ix->alloc ? ix->alloc * 2 : 64;
        ix->v = xreallocarray(ix->v, ix->alloc, sizeof(*ix->v));
    }
    ix->v[ix->n++] = (struct index_pair){key, value};
}

/* Sorts the pairs; AWS gives each key one value (one ACL and one route table association per
 * subnet, one main table and one default group per VPC). */
static void index_seal(struct index *ix)
{
    if (ix->n > 1)
        qsort(ix->v, ix->n, sizeof(*ix->v), pair_cmp);
    ix->built = true;
}

static const struct index_pair *index_find(const struct index *ix, const char *key)
{
    struct index_pair k = {key, NULL};
    return ix->n ? bsearch(&k, ix->v, ix->n, sizeof(*ix->v), pair_cmp) : NULL;
}

/* ---- small helpers --------------------------------------------------------------------------- */

static bool strset_has(const struct strset *s, const char *x)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], x) == 0)
            return true;
    return false;
}

static void strset_add(struct strset *s, const char *x)
{
    if (!x || strset_has(s, x))
        return;
    s->v = xreallocarray(s->v, s->n + 1, sizeof(*s->v));
    size_t i = s->n++;
    while (i > 0 && strcmp(s->v[i - 1], x) > 0) {
        s->v[i] = s->v[i - 1];
        i--;
    }
    s->v[i] = x;
}

static char *strset_join(const struct strset *s)
{
    struct strbuf sb;
    strbuf_init(&sb, 64);
    for (size_t i = 0; i < s->n; i++)
        strbuf_addf(&sb, "%s%s", i ? ", " : "", s->v[i]);
    if (!s->n)
        strbuf_addstr(&sb, "(none)");
    return strbuf_detach(&sb, NULL);
}

static char *ids_join(const struct inv_ids *ids)
{
    struct strset s = {(const char **)ids->v, ids->n};
    return strset_join(&s);
}

/* States in which AWS no longer serves the endpoint (or never did). */
static bool endpoint_inactive(const struct inv_resource *ep)
{
    static const char *const gone[] = {"deleted",  "deleting", "failed",
                                       "rejected", "expired",  "pendingAcceptance"};
    for (size_t i = 0; ep->state && i < sizeof(gone) / sizeof(gone[0]); i++)
        if (strcasecmp(ep->state, gone[i]) == 0)
            return true;
    return false;
}

static bool active_of_kind(const struct inv_resource *ep, enum inv_endpoint_kind kind)
{
    return ep->endpoint.kind == kind && !endpoint_inactive(ep);
}

/* The AZ names the endpoint has ENIs in; its subnets' AZs when no ENI is loaded. */
static void endpoint_azs(const struct inventory *inv, const struct inv_resource *ep,
                         struct strset *out)
{
    struct inv_ids enis = inventory_endpoint_enis(inv, ep->id);
    for (size_t i = 0; i < enis.n; i++) {
        const struct inv_resource *eni = inventory_find(inv, INV_ENI, enis.v[i]);
        if (eni)
            strset_add(out, eni->eni.az_name);
    }
    if (out->n)
        return;
    for (size_t i = 0; i < ep->endpoint.subnet_ids.n; i++) {
        const struct inv_resource *sn =
            inventory_find(inv, INV_SUBNET, ep->endpoint.subnet_ids.v[i]);
        if (sn)
            strset_add(out, sn->subnet.az_name);
    }
}

/* True when the service is known not to be offered in az. */
static bool service_lacks_az(const struct inventory *inv, const struct inv_resource *ep,
                             const char *az)
{
    const struct inv_resource *svc =
        ep->endpoint.service_name
            ? inventory_find_service(inv, ep->endpoint.service_name, ep->endpoint.kind)
            : NULL;
    if (!svc || svc->service.az_names.n == 0)
        return false;
    for (size_t i = 0; i < svc->service.az_names.n; i++)
        if (strcmp(svc->service.az_names.v[i], az) == 0)
            return false;
    return true;
}

/* The VPC's subnet in az with the most free addresses, for a fix; NULL when none. */
static const struct inv_resource *roomiest_subnet(const struct vpc_facts *f, const char *az)
{
    const struct inv_resource *best = NULL;
    for (size_t i = 0; i < f->n_subnets; i++) {
        const struct inv_resource *sn = f->subnets[i];
        if (!sn->subnet.az_name || strcmp(sn->subnet.az_name, az) != 0)
            continue;
        if (!best || sn->subnet.available > best->subnet.available)
            best = sn;
    }
    return best;
}

/* "aws ec2 modify-vpc-endpoint ... --add-subnet-ids" for the roomiest subnet of each AZ. */
static char *add_subnets_command(const struct vpc_facts *f, const struct inv_resource *ep,
                                 const struct strset *azs)
{
    struct strbuf sb;
    strbuf_init(&sb, 128);
    strbuf_addf(&sb, "aws ec2 modify-vpc-endpoint --vpc-endpoint-id %s --add-subnet-ids", ep->id);
    for (size_t i = 0; i < azs->n; i++) {
        const struct inv_resource *sn = roomiest_subnet(f, azs->v[i]);
        strbuf_addf(&sb, " %s", sn ? sn->id : "SUBNET-ID");
    }
    return strbuf_detach(&sb, NULL);
}

/* ---- AZ coverage ----------------------------------------------------------------------------- */

/* True when the subnet holds an ENI that no VPC endpoint owns: a workload. */
static bool subnet_has_workload(const struct inventory *inv, const struct inv_resource *sn)
{
    struct inv_ids enis = inventory_subnet_enis(inv, sn->id);
    for (size_t i = 0; i < enis.n; i++)
        if (!inventory_eni_endpoint(inv, enis.v[i], NULL))
            return true;
    return false;
}

/* The VPC's subnets, their AZs and which hold a workload: one walk per VPC and run, where
   the AZ rules would otherwise walk a VPC's subnets again for each of its endpoints. */
static void vpc_facts_fill(struct ctx *c, struct vpc_facts *f)
{
    struct inv_ids ids = inventory_vpc_subnets(c->inv, f->vpc_id);
    bool enis = inventory_type_loaded(c->inv, INV_ENI);
    f->subnets = xcalloc(ids.n ? ids.n : 1, sizeof(*f->subnets));
    for (size_t i = 0; i < ids.n; i++) {
        const struct inv_resource *sn = inventory_find(c->inv, INV_SUBNET, ids.v[i]);
        if (!sn)
            continue;
        f->subnets[f->n_subnets++] = sn;
        strset_add(&f->azs, sn->subnet.az_name);
        if (enis && sn->subnet.az_name && subnet_has_workload(c->inv, sn)) {
            f->workload = xreallocarray(f->workload, f->n_workload + 1, sizeof(*f->workload));
            f->workload[f->n_workload++] = sn;
        }
    }
}

/* The facts of a VPC, gathered on first use; the pointer holds until the next call. */
static const struct vpc_facts *vpc_facts_of(struct ctx *c, const char *vpc_id)
{
    size_t lo = 0, hi = c->n_vpcs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(c->vpcs[mid].vpc_id, vpc_id);
        if (cmp == 0)
            return &c->vpcs[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    c->vpcs = xreallocarray(c->vpcs, c->n_vpcs + 1, sizeof(*c->vpcs));
    memmove(&c->vpcs[lo + 1], &c->vpcs[lo], (c->n_vpcs - lo) * sizeof(*c->vpcs));
    c->n_vpcs++;
    c->vpcs[lo] = (struct vpc_facts){.vpc_id = vpc_id};
    vpc_facts_fill(c, &c->vpcs[lo]);
    return &c->vpcs[lo];
}

static void rule_single_az(struct ctx *c)
{
    if (!inventory_type_loaded(c->inv, INV_SUBNET))
        return;
    for (size_t i = 0; i < inventory_count(c->inv, INV_ENDPOINT); i++) {
        const struct inv_resource *ep = inventory_at(c->inv, INV_ENDPOINT, i);
        if (!active_of_kind(ep, INV_ENDPOINT_INTERFACE) || !ep->vpc_id)
            continue;
        struct strset have = {0}, missing = {0};
        endpoint_azs(c->inv, ep, &have);
        const struct vpc_facts *facts = vpc_facts_of(c, ep->vpc_id);
        const struct strset vpc_azs = facts->azs;
        for (size_t k = 0; k < vpc_azs.n; k++)
            if (!strset_has(&have, vpc_azs.v[k]) && !service_lacks_az(c->inv, ep, vpc_azs.v[k]))
                strset_add(&missing, vpc_azs.v[k]);
        if (have.n == 1 && missing.n > 0) {
            struct check_finding *f =
                add(c, CHECK_ENDPOINT_SINGLE_AZ, "VpcEndpoint", ep->id, ep->vpc_id,
                    "%s has ENIs in %s only; its VPC has subnets in %zu more AZ%s", ep->id,
                    have.v[0], missing.n, missing.n == 1 ? "" : "s");
            char *v = strset_join(&vpc_azs), *m = strset_join(&missing);
            evidence(f, "ServiceName: %s",
                     ep->endpoint.service_name ? ep->endpoint.service_name : "");
            evidence(f, "Endpoint AZs: %s", have.v[0]);
            evidence(f, "VPC subnet AZs: %s", v);
            char *cmd = add_subnets_command(facts, ep, &missing);
            fix(f,
                "An outage of %s takes the endpoint down for the whole VPC. Add a subnet in %s: "
                "%s",
                have.v[0], m, cmd);
            free(cmd);
            free(v);
            free(m);
        }
        free(have.v);
        free(missing.v);
    }
}

static void rule_az_gap(struct ctx *c)
{
    if (!inventory_type_loaded(c->inv, INV_SUBNET) || !inventory_type_loaded(c->inv, INV_ENI))
        return;
    for (size_t i = 0; i < inventory_count(c->inv, INV_ENDPOINT); i++) {
        const struct inv_resource *ep = inventory_at(c->inv, INV_ENDPOINT, i);
        if (!active_of_kind(ep, INV_ENDPOINT_INTERFACE) || !ep->vpc_id)
            continue;
        struct strset have = {0}, gap = {0}, subnets = {0};
        endpoint_azs(c->inv, ep, &have);
        const struct vpc_facts *facts = have.n > 1 ? vpc_facts_of(c, ep->vpc_id) : NULL;
        for (size_t k = 0; facts && k < facts->n_workload; k++) {
            const struct inv_resource *sn = facts->workload[k];
            const char *az = sn->subnet.az_name;
            if (strset_has(&have, az) ||
                (!strset_has(&gap, az) && service_lacks_az(c->inv, ep, az)))
                continue;
            strset_add(&gap, az);
            strset_add(&subnets, sn->id);
        }
        /* A single-AZ endpoint is endpoint-single-az's finding. */
        if (gap.n > 0) {
            char *g = strset_join(&gap), *h = strset_join(&have), *s = strset_join(&subnets);
            struct check_finding *f =
                add(c, CHECK_ENDPOINT_AZ_GAP, "VpcEndpoint", ep->id, ep->vpc_id,
                    "%s has no ENI in %s, where workloads run", ep->id, g);
            evidence(f, "ServiceName: %s",
                     ep->endpoint.service_name ? ep->endpoint.service_name : "");
            evidence(f, "Endpoint AZs: %s", h);
            evidence(f, "Workload subnets without a local ENI: %s", s);
            char *cmd = add_subnets_command(facts, ep, &gap);
            fix(f,
                "Clients in %s cross AZs to reach the endpoint (inter-AZ data charges, and an "
                "outage elsewhere cuts them off). Add a subnet there: %s",
                g, cmd);
            free(cmd);
            free(g);
            free(h);
            free(s);
        }
        free(have.v);
        free(gap.v);
        free(subnets.v);
    }
}

/* ---- subnet capacity ------------------------------------------------------------------------- */

static void rule_subnet_capacity(struct ctx *c)
{
    for (size_t i = 0; i < inventory_count(c->inv, INV_SUBNET); i++) {
        const struct inv_resource *sn = inventory_at(c->inv, INV_SUBNET, i);
        struct inv_ids eps = inventory_subnet_endpoints(c->inv, sn->id);
        if (eps.n == 0 || !sn->subnet.has_cidr)
            continue;
        struct ip_usage u;
        ipusage_compute(c->inv, sn, &u);
        double pct = ipusage_percent_used(&u);
        if (pct < c->o->capacity_percent && u.effective_free >= c->o->capacity_min_free)
            continue;
        char *cidr = cidr_to_string(&sn->subnet.cidr);
        char *e = ids_join(&eps);
        struct check_finding *f =
            add(c, CHECK_SUBNET_CAPACITY, "Subnet", sn->id, sn->vpc_id,
                "Endpoint subnet %s is %.0f%% used, %llu address%s free", sn->id, pct,
                (unsigned long long)u.effective_free, u.effective_free == 1 ? "" : "es");
        evidence(f, "CidrBlock: %s (%llu usable)", cidr, (unsigned long long)u.usable);
        evidence(f, "Used: %llu (%.0f%%), free: %llu",
                 (unsigned long long)(u.usable - u.effective_free), pct,
                 (unsigned long long)u.effective_free);
        if (u.has_aws_available)
            evidence(f, "AvailableIpAddressCount: %lld", (long long)u.aws_available);
        evidence(f, "Thresholds: %.0f%% used, fewer than %llu free", c->o->capacity_percent,
                 (unsigned long long)c->o->capacity_min_free);
        evidence(f, "Endpoints: %s", e);
        fix(f,
            "An endpoint needs a free address per subnet to scale and to be replaced; a full "
            "subnet also blocks new endpoints. Free addresses in %s, or move the endpoints to a "
            "roomier subnet in %s: aws ec2 modify-vpc-endpoint --vpc-endpoint-id VPCE-ID "
            "--add-subnet-ids NEW-SUBNET --remove-subnet-ids %s",
            sn->id, sn->subnet.az_name ? sn->subnet.az_name : "the same AZ", sn->id);
        free(cidr);
        free(e);
    }
}

/* ---- what preflight already answers: 443 from the VPC, DNS attributes ------------------------ */

static void endpoint_preflight_run(const struct inventory *inv, const struct inv_resource *ep,
                                   struct preflight_report *rep);

/* Preflight's modify check of the endpoint as it is now: run once per endpoint and run, as
   two rules ask it (the endpoint at position i of the inventory). */
static const struct preflight_report *endpoint_preflight(struct ctx *c, size_t i,
                                                         const struct inv_resource *ep)
{
    if (!c->preflight) {
        c->n_preflight = inventory_count(c->inv, INV_ENDPOINT);
        c->preflight = xcalloc(c->n_preflight ? c->n_preflight : 1, sizeof(*c->preflight));
        c->preflight_done = xcalloc(c->n_preflight ? c->n_preflight : 1, sizeof(bool));
    }
    if (!c->preflight_done[i]) {
        endpoint_preflight_run(c->inv, ep, &c->preflight[i]);
        c->preflight_done[i] = true;
    }
    return &c->preflight[i];
}

static void endpoint_preflight_run(const struct inventory *inv, const struct inv_resource *ep,
                                   struct preflight_report *rep)
{
    struct endpoint_spec spec = {
        .vpc_id = ep->vpc_id,
        .service_name = ep->endpoint.service_name,
        .kind = ep->endpoint.kind,
        .subnet_ids = ep->endpoint.subnet_ids,
        .group_ids = ep->endpoint.group_ids,
        .route_table_ids = ep->endpoint.route_table_ids,
        .private_dns = ep->endpoint.private_dns_enabled ? INV_YES : INV_NO,
        .policy = ep->endpoint.policy,
    };
    preflight_report_init(rep);
    preflight_check_modify(inv, ep->id, &spec, rep);
}

static void groups_evidence(const struct inventory *inv, struct check_finding *f,
                            const struct inv_ids *groups)
{
    struct strbuf sb;
    strbuf_init(&sb, 64);
    for (size_t i = 0; i < groups->n; i++) {
        const struct inv_resource *sg = inventory_find(inv, INV_SECURITY_GROUP, groups->v[i]);
        strbuf_addf(&sb, "%s%s", i ? ", " : "", groups->v[i]);
        if (sg && sg->name)
            strbuf_addf(&sb, " (%s)", sg->name);
    }
    evidence(f, "Groups: %s", groups->n ? sb.buf : "(none)");
    strbuf_release(&sb);
}

static void rule_sg_no_https(struct ctx *c)
{
    if (!inventory_type_loaded(c->inv, INV_SECURITY_GROUP))
        return;
    for (size_t i = 0; i < inventory_count(c->inv, INV_ENDPOINT); i++) {
        const struct inv_resource *ep = inventory_at(c->inv, INV_ENDPOINT, i);
        const struct inv_resource *vpc =
            ep->vpc_id ? inventory_find(c->inv, INV_VPC, ep->vpc_id) : NULL;
        if (!active_of_kind(ep, INV_ENDPOINT_INTERFACE) || !vpc || ep->endpoint.group_ids.n == 0)
            continue;
        const struct preflight_report *rep = endpoint_preflight(c, i, ep);
        struct strset blocked = {0};
        char **texts = NULL;
        size_t nt = 0;
        /* Preflight names each block it found unadmitted in its sentence. */
        const struct cidr *blocks = vpc->vpc.n_cidrs ? vpc->vpc.cidrs : &vpc->vpc.cidr;
        size_t nb = vpc->vpc.n_cidrs ? vpc->vpc.n_cidrs : vpc->vpc.has_cidr;
        for (size_t b = 0; b < nb; b++) {
            char *t = cidr_to_string(&blocks[b]);
            texts = xreallocarray(texts, nt + 1, sizeof(*texts));
            texts[nt++] = t;
            for (size_t k = 0; k < rep->n; k++)
                if (rep->v[k].rule == PREFLIGHT_SG_NO_443 && strstr(rep->v[k].text, t))
                    strset_add(&blocked, t);
        }
        if (blocked.n > 0) {
            char *bl = strset_join(&blocked);
            struct strset all = {0};
            for (size_t k = 0; k < nt; k++)
                strset_add(&all, texts[k]);
            char *al = strset_join(&all);
            free(all.v);
            struct check_finding *f =
                add(c, CHECK_SG_NO_HTTPS, "VpcEndpoint", ep->id, ep->vpc_id,
                    "No security group of %s admits TCP 443 from %s", ep->id, bl);
            groups_evidence(c->inv, f, &ep->endpoint.group_ids);
            evidence(f, "VPC CIDR blocks: %s", al);
            evidence(f, "Not admitted: %s", bl);
            fix(f,
                "Clients in the VPC cannot reach the endpoint. Allow HTTPS from the VPC: aws ec2 "
                "authorize-security-group-ingress --group-id %s --protocol tcp --port 443 --cidr "
                "%s",
                ep->endpoint.group_ids.v[0], blocked.v[0]);
            free(bl);
            free(al);
        }
        for (size_t k = 0; k < nt; k++)
            free(texts[k]);
        free(texts);
        free(blocked.v);
    }
}

static const char *tristate_text(enum inv_tristate t)
{
    return t == INV_YES ? "true" : t == INV_NO ? "false" : "unknown";
}

static void rule_private_dns(struct ctx *c)
{
    for (size_t i = 0; i < inventory_count(c->inv, INV_ENDPOINT); i++) {
        const struct inv_resource *ep = inventory_at(c->inv, INV_ENDPOINT, i);
        const struct inv_resource *vpc =
            ep->vpc_id ? inventory_find(c->inv, INV_VPC, ep->vpc_id) : NULL;
        if (!active_of_kind(ep, INV_ENDPOINT_INTERFACE) || !vpc ||
            !ep->endpoint.private_dns_enabled)
            continue;
        const struct preflight_report *rep = endpoint_preflight(c, i, ep);
        bool support_off = preflight_report_find(rep, PREFLIGHT_DNS_SUPPORT_OFF) != NULL;
        bool hostnames_off = preflight_report_find(rep, PREFLIGHT_DNS_HOSTNAMES_OFF) != NULL;
        if (!support_off && !hostnames_off)
            continue;
        const char *attr = support_off && hostnames_off ? "enableDnsSupport and enableDnsHostnames"
                           : support_off                ? "enableDnsSupport"
                                                        : "enableDnsHostnames";
        struct check_finding *f =
            add(c, CHECK_PRIVATE_DNS_VPC_ATTRIBUTES, "VpcEndpoint", ep->id, ep->vpc_id,
                "%s has private DNS on but %s is off in %s", ep->id, attr, ep->vpc_id);
        evidence(f, "PrivateDnsEnabled: true");
        evidence(f, "enableDnsSupport: %s", tristate_text(vpc->vpc.dns_support));
        evidence(f, "enableDnsHostnames: %s", tristate_text(vpc->vpc.dns_hostnames));
        fix(f,
            "The service's public name does not resolve to the endpoint, so clients bypass it. "
            "Turn the attribute on (one per call): aws ec2 modify-vpc-attribute --vpc-id %s %s; "
            "or turn private DNS off: aws ec2 modify-vpc-endpoint --vpc-endpoint-id %s "
            "--no-private-dns-enabled",
            ep->vpc_id,
            support_off ? "--enable-dns-support '{\"Value\":true}'"
                        : "--enable-dns-hostnames '{\"Value\":true}'",
            ep->id);
    }
}

/* ---- network ACLs ---------------------------------------------------------------------------- */

/* The NACL associated with the subnet, or NULL. */
static const struct inv_resource *subnet_nacl(struct ctx *c, const char *subnet_id)
{
    if (!c->subnet_acl.built) {
        for (size_t i = 0; i < inventory_count(c->inv, INV_NETWORK_ACL); i++) {
            const struct inv_resource *acl = inventory_at(c->inv, INV_NETWORK_ACL, i);
            const cJSON *a;
            cJSON_ArrayForEach(a, cJSON_GetObjectItem(item_of(c, acl), "Associations"))
            {
                index_add(&c->subnet_acl, cJSON_GetStringValue(cJSON_GetObjectItem(a, "SubnetId")),
                          acl);
            }
        }
        index_seal(&c->subnet_acl);
    }
    const struct index_pair *p = index_find(&c->subnet_acl, subnet_id);
    return p ? p->value : NULL;
}

static int entry_number(const cJSON *e)
{
    const cJSON *n = cJSON_GetObjectItem(e, "RuleNumber");
    return cJSON_IsNumber(n) ? n->valueint : 32767;
}

static int by_rule_number(const void *a, const void *b)
{
    int x = entry_number(*(const cJSON *const *)a), y = entry_number(*(const cJSON *const *)b);
    return (x > y) - (x < y);
}

/* Whether entry e applies to TCP ports lo..hi; *whole when it covers all of them. */
static bool entry_ports(const cJSON *e, int lo, int hi, bool *whole)
{
    const char *proto = cJSON_GetStringValue(cJSON_GetObjectItem(e, "Protocol"));
    if (!proto ||
        (strcmp(proto, "-1") != 0 && strcmp(proto, "6") != 0 && strcasecmp(proto, "tcp") != 0))
        return false;
    const cJSON *range = cJSON_GetObjectItem(e, "PortRange");
    const cJSON *from = cJSON_GetObjectItem(range, "From");
    const cJSON *to = cJSON_GetObjectItem(range, "To");
    if (strcmp(proto, "-1") == 0 || !cJSON_IsNumber(from) || !cJSON_IsNumber(to)) {
        *whole = true;
        return true;
    }
    *whole = from->valueint <= lo && to->valueint >= hi;
    return from->valueint <= hi && to->valueint >= lo;
}

/*
 * The first entry, in rule-number order, that decides traffic of one
 * direction on ports lo..hi with the VPC's block: a deny touching any of it,
 * or an allow covering all of it. NULL when an allow decides.
 */
static const cJSON *nacl_denies(const cJSON *entries, bool egress, int lo, int hi,
                                const struct cidr *block)
{
    size_t n = (size_t)cJSON_GetArraySize(entries);
    const cJSON **v = xcalloc(n ? n : 1, sizeof(*v));
    size_t k = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, entries)
    {
        if (cJSON_IsTrue(cJSON_GetObjectItem(e, "Egress")) == egress)
            v[k++] = e;
    }
    qsort(v, k, sizeof(*v), by_rule_number);
    const cJSON *deny = NULL;
    bool decided = false;
    for (size_t i = 0; i < k && !decided; i++) {
        struct cidr r;
        bool whole;
        const char *cidr = cJSON_GetStringValue(cJSON_GetObjectItem(v[i], "CidrBlock"));
        if (!cidr || !cidr_parse(cidr, &r, NULL) || !cidr_overlaps(&r, block) ||
            !entry_ports(v[i], lo, hi, &whole))
            continue;
        const char *action = cJSON_GetStringValue(cJSON_GetObjectItem(v[i], "RuleAction"));
        if (action && strcmp(action, "deny") == 0) {
            deny = v[i];
            decided = true;
        } else if (whole && r.prefix <= block->prefix) {
            decided = true;
        }
    }
    free(v);
    return decided ? deny : NULL;
}

static void nacl_finding(struct ctx *c, const struct inv_resource *sn,
                         const struct inv_resource *acl, const cJSON *in, const cJSON *out,
                         const char *block)
{
    struct check_finding *f = add(c, CHECK_NACL_BLOCKS_HTTPS, "Subnet", sn->id, sn->vpc_id,
                                  "Network ACL %s of endpoint subnet %s denies %s", acl->id, sn->id,
                                  in && out ? "443 in and ephemeral ports out"
                                  : in      ? "443 inbound"
                                            : "ephemeral ports out");
    evidence(f, "NetworkAclId: %s", acl->id);
    evidence(f, "VPC CIDR block: %s", block);
    const cJSON *e[2] = {in, out};
    for (int i = 0; i < 2; i++) {
        if (!e[i])
            continue;
        const char *cidr = cJSON_GetStringValue(cJSON_GetObjectItem(e[i], "CidrBlock"));
        evidence(f, "%s rule %d: deny %s from %s", i ? "Egress" : "Ingress", entry_number(e[i]),
                 i ? "ports 1024-65535" : "TCP 443", cidr ? cidr : "?");
    }
    const cJSON *first = in ? in : out;
    fix(f,
        "Clients cannot complete HTTPS with the endpoint's ENI in %s. Add an allow before rule "
        "%d: aws ec2 create-network-acl-entry --network-acl-id %s --rule-number %d %s --protocol "
        "tcp --port-range %s --cidr-block %s --rule-action allow",
        sn->id, entry_number(first), acl->id, entry_number(first) > 1 ? entry_number(first) - 1 : 1,
        in ? "--ingress" : "--egress", in ? "From=443,To=443" : "From=1024,To=65535", block);
}

static void rule_nacl_blocks_https(struct ctx *c)
{
    if (!inventory_type_loaded(c->inv, INV_NETWORK_ACL))
        return;
    for (size_t i = 0; i < inventory_count(c->inv, INV_SUBNET); i++) {
        const struct inv_resource *sn = inventory_at(c->inv, INV_SUBNET, i);
        struct inv_ids eps = inventory_subnet_endpoints(c->inv, sn->id);
        bool has_interface = false;
        for (size_t k = 0; k < eps.n; k++) {
            const struct inv_resource *ep = inventory_find(c->inv, INV_ENDPOINT, eps.v[k]);
            has_interface = has_interface || (ep && active_of_kind(ep, INV_ENDPOINT_INTERFACE));
        }
        const struct inv_resource *acl = has_interface ? subnet_nacl(c, sn->id) : NULL;
        const struct inv_resource *vpc =
            sn->vpc_id ? inventory_find(c->inv, INV_VPC, sn->vpc_id) : NULL;
        if (!acl || !vpc)
            continue;
        const cJSON *entries = cJSON_GetObjectItem(item_of(c, acl), "Entries");
        const struct cidr *blocks = vpc->vpc.n_cidrs ? vpc->vpc.cidrs : &vpc->vpc.cidr;
        size_t nb = vpc->vpc.n_cidrs ? vpc->vpc.n_cidrs : vpc->vpc.has_cidr;
        for (size_t b = 0; b < nb; b++) {
            const cJSON *in = nacl_denies(entries, false, 443, 443, &blocks[b]);
            const cJSON *out = nacl_denies(entries, true, 1024, 65535, &blocks[b]);
            if (!in && !out)
                continue;
            char *t = cidr_to_string(&blocks[b]);
            nacl_finding(c, sn, acl, in, out, t);
            free(t);
            break; /* one finding per subnet */
        }
    }
}

/* ---- policy ---------------------------------------------------------------------------------- */

static void rule_policy_full_access(struct ctx *c)
{
    for (size_t i = 0; i < inventory_count(c->inv, INV_ENDPOINT); i++) {
        const struct inv_resource *ep = inventory_at(c->inv, INV_ENDPOINT, i);
        if (endpoint_inactive(ep) || !ep->endpoint.policy)
            continue;
        struct policy_report rep;
        policy_analyze(ep->endpoint.policy, &rep);
        if (rep.full_access) {
            struct check_finding *f =
                add(c, CHECK_POLICY_FULL_ACCESS, "VpcEndpoint", ep->id, ep->vpc_id,
                    "%s has AWS's default full-access policy", ep->id);
            evidence(f, "ServiceName: %s",
                     ep->endpoint.service_name ? ep->endpoint.service_name : "");
            evidence(f, "PolicyDocument: Allow, Principal *, Action *, Resource *, no condition");
            fix(f,
                "Any principal from any account may use the endpoint. Limit it to your "
                "organization, accounts or resources (aws:PrincipalOrgID, aws:ResourceAccount): "
                "aws ec2 modify-vpc-endpoint --vpc-endpoint-id %s --policy-document "
                "file://policy.json",
                ep->id);
        }
        policy_report_finish(&rep);
    }
}

static void rule_policy_principal_any(struct ctx *c)
{
    for (size_t i = 0; i < inventory_count(c->inv, INV_ENDPOINT); i++) {
        const struct inv_resource *ep = inventory_at(c->inv, INV_ENDPOINT, i);
        if (endpoint_inactive(ep) || !ep->endpoint.policy)
            continue;
        struct policy_report rep;
        policy_analyze(ep->endpoint.policy, &rep);
        /* The default policy is policy-full-access's finding. */
        if (!rep.full_access && policy_report_has(&rep, POLICY_PRINCIPAL_ANY_NO_CONDITION)) {
            struct check_finding *f =
                add(c, CHECK_POLICY_PRINCIPAL_ANY, "VpcEndpoint", ep->id, ep->vpc_id,
                    "%s's policy allows any principal with no account, organization or network "
                    "condition",
                    ep->id);
            for (size_t k = 0; k < rep.n; k++)
                if (rep.findings[k].kind == POLICY_PRINCIPAL_ANY_NO_CONDITION)
                    evidence(f, "Statement %d: Effect Allow, Principal *, no Condition%s%s",
                             rep.findings[k].statement, rep.findings[k].detail ? "; " : "",
                             rep.findings[k].detail ? rep.findings[k].detail : "");
            fix(f,
                "Credentials from any AWS account can use the endpoint. Add a condition on "
                "aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceVpc or aws:SourceVpce: aws "
                "ec2 modify-vpc-endpoint --vpc-endpoint-id %s --policy-document "
                "file://policy.json",
                ep->id);
        }
        policy_report_finish(&rep);
    }
}

/* ---- state, gateways, groups ----------------------------------------------------------------- */

static void state_fix(struct ctx *c, struct check_finding *f, const struct inv_resource *ep)
{
    const char *svc_id = NULL;
    const cJSON *s = cJSON_GetObjectItem(item_of(c, ep), "ServiceId");
    svc_id = cJSON_GetStringValue(s);
    if (strcasecmp(ep->state, "pendingAcceptance") == 0)
        fix(f,
            "The service owner has not accepted the connection. The owner runs: aws ec2 "
            "accept-vpc-endpoint-connections --service-id %s --vpc-endpoint-ids %s",
            svc_id ? svc_id : "SERVICE-ID", ep->id);
    else if (strcasecmp(ep->state, "deleting") == 0)
        fix(f, "The endpoint is being deleted and still billed until it is gone; if it stays "
               "in deleting, ask AWS Support.");
    else
        fix(f,
            "The endpoint carries no traffic and is still billed until deleted. Delete it and "
            "create it again once the cause is fixed: aws ec2 delete-vpc-endpoints "
            "--vpc-endpoint-ids %s",
            ep->id);
}

static void rule_endpoint_state(struct ctx *c)
{
    static const char *const bad[] = {"pendingAcceptance", "rejected", "failed", "expired",
                                      "deleting"};
    for (size_t i = 0; i < inventory_count(c->inv, INV_ENDPOINT); i++) {
        const struct inv_resource *ep = inventory_at(c->inv, INV_ENDPOINT, i);
        bool hit = false;
        for (size_t k = 0; ep->state && k < sizeof(bad) / sizeof(bad[0]); k++)
            hit = hit || strcasecmp(ep->state, bad[k]) == 0;
        if (!hit)
            continue;
        struct check_finding *f = add(c, CHECK_ENDPOINT_STATE, "VpcEndpoint", ep->id, ep->vpc_id,
                                      "%s is %s", ep->id, ep->state);
        evidence(f, "State: %s", ep->state);
        const cJSON *err = cJSON_GetObjectItem(item_of(c, ep), "LastError");
        const char *code = cJSON_GetStringValue(cJSON_GetObjectItem(err, "Code"));
        const char *msg = cJSON_GetStringValue(cJSON_GetObjectItem(err, "Message"));
        if (code || msg)
            evidence(f, "LastError: %s%s%s", code ? code : "", code && msg ? ": " : "",
                     msg ? msg : "");
        state_fix(c, f, ep);
    }
}

static void rule_gateway_no_routes(struct ctx *c)
{
    for (size_t i = 0; i < inventory_count(c->inv, INV_ENDPOINT); i++) {
        const struct inv_resource *ep = inventory_at(c->inv, INV_ENDPOINT, i);
        if (!active_of_kind(ep, INV_ENDPOINT_GATEWAY) || ep->endpoint.route_table_ids.n > 0)
            continue;
        struct check_finding *f =
            add(c, CHECK_GATEWAY_NO_ROUTES, "VpcEndpoint", ep->id, ep->vpc_id,
                "Gateway endpoint %s is on no route table and carries no traffic", ep->id);
        evidence(f, "ServiceName: %s", ep->endpoint.service_name ? ep->endpoint.service_name : "");
        evidence(f, "RouteTableIds: (none)");
        fix(f,
            "Add the route tables of the subnets that use the service: aws ec2 "
            "modify-vpc-endpoint --vpc-endpoint-id %s --add-route-table-ids RTB-ID",
            ep->id);
    }
}

static const struct metrics_set *metrics_of(struct ctx *c, const char *endpoint_id)
{
    for (size_t i = 0; i < c->o->n_metrics; i++)
        if (c->o->metrics[i] && strcmp(c->o->metrics[i]->endpoint_id, endpoint_id) == 0)
            return c->o->metrics[i];
    return NULL;
}

static void rule_packets_dropped(struct ctx *c)
{
    for (size_t i = 0; i < inventory_count(c->inv, INV_ENDPOINT); i++) {
        const struct inv_resource *ep = inventory_at(c->inv, INV_ENDPOINT, i);
        const struct metrics_set *s = metrics_of(c, ep->id);
        struct metrics_stats st;
        if (!s || !metrics_series_stats(&s->scopes[0].series[METRIC_PACKETS_DROPPED], &st) ||
            st.sum <= 0)
            continue;
        struct check_finding *f = add(c, CHECK_ENDPOINT_PACKETS_DROPPED, "VpcEndpoint", ep->id,
                                      ep->vpc_id, "%s dropped %.0f packets in the last %s", ep->id,
                                      st.sum, metrics_range_name(s->range));
        evidence(f, "PacketsDropped: %g in %s (at most %g per %ld-minute period)", st.sum,
                 metrics_range_name(s->range), st.max, s->period / 60);
        for (size_t k = 1; k < s->n_scopes; k++) {
            struct metrics_stats sub;
            if (metrics_series_stats(&s->scopes[k].series[METRIC_PACKETS_DROPPED], &sub) &&
                sub.sum > 0)
                evidence(f, "PacketsDropped in %s: %g", s->scopes[k].subnet_id, sub.sum);
        }
        fix(f,
            "Look at the service behind the endpoint (its load balancer's targets and health) "
            "and at the endpoint's ENIs; see each subnet's series with: vpcx metrics %s "
            "--since 24h",
            ep->id);
    }
}

/* The route table a subnet uses: its explicit association, else its VPC's main table. */
static const struct inv_resource *subnet_route_table(struct ctx *c, const struct inv_resource *sn)
{
    if (!c->subnet_rt.built) {
        for (size_t i = 0; i < inventory_count(c->inv, INV_ROUTE_TABLE); i++) {
            const struct inv_resource *rt = inventory_at(c->inv, INV_ROUTE_TABLE, i);
            const cJSON *a;
            cJSON_ArrayForEach(a, cJSON_GetObjectItem(item_of(c, rt), "Associations"))
            {
                index_add(&c->subnet_rt, cJSON_GetStringValue(cJSON_GetObjectItem(a, "SubnetId")),
                          rt);
                if (cJSON_IsTrue(cJSON_GetObjectItem(a, "Main")))
                    index_add(&c->vpc_main_rt, rt->vpc_id, rt);
            }
        }
        index_seal(&c->subnet_rt);
        index_seal(&c->vpc_main_rt);
    }
    const struct index_pair *p = index_find(&c->subnet_rt, sn->id);
    if (p && p->value->vpc_id && sn->vpc_id && strcmp(p->value->vpc_id, sn->vpc_id) == 0)
        return p->value;
    p = sn->vpc_id ? index_find(&c->vpc_main_rt, sn->vpc_id) : NULL;
    return p ? p->value : NULL;
}

static bool route_table_routes(struct ctx *c, const struct inv_resource *rt,
                               const struct inv_resource *ep)
{
    for (size_t i = 0; i < ep->endpoint.route_table_ids.n; i++)
        if (strcmp(ep->endpoint.route_table_ids.v[i], rt->id) == 0)
            return true;
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(item_of(c, rt), "Routes"))
    {
        const char *gw = cJSON_GetStringValue(cJSON_GetObjectItem(r, "GatewayId"));
        if (gw && strcmp(gw, ep->id) == 0)
            return true;
    }
    return false;
}

static void rule_gateway_unrouted(struct ctx *c)
{
    if (!inventory_type_loaded(c->inv, INV_ROUTE_TABLE) ||
        !inventory_type_loaded(c->inv, INV_SUBNET))
        return;
    for (size_t i = 0; i < inventory_count(c->inv, INV_ENDPOINT); i++) {
        const struct inv_resource *ep = inventory_at(c->inv, INV_ENDPOINT, i);
        if (!active_of_kind(ep, INV_ENDPOINT_GATEWAY) || ep->endpoint.route_table_ids.n == 0 ||
            !ep->vpc_id)
            continue;
        struct strset subnets = {0}, tables = {0};
        struct inv_ids sns = inventory_vpc_subnets(c->inv, ep->vpc_id);
        for (size_t k = 0; k < sns.n; k++) {
            const struct inv_resource *sn = inventory_find(c->inv, INV_SUBNET, sns.v[k]);
            const struct inv_resource *rt = sn ? subnet_route_table(c, sn) : NULL;
            if (!rt || route_table_routes(c, rt, ep))
                continue;
            strset_add(&subnets, sn->id);
            strset_add(&tables, rt->id);
        }
        if (subnets.n > 0) {
            char *s = strset_join(&subnets), *t = strset_join(&tables);
            char *have = ids_join(&ep->endpoint.route_table_ids);
            struct check_finding *f =
                add(c, CHECK_GATEWAY_SUBNET_UNROUTED, "VpcEndpoint", ep->id, ep->vpc_id,
                    "%zu subnet%s of %s do%s not route to gateway endpoint %s", subnets.n,
                    subnets.n == 1 ? "" : "s", ep->vpc_id, subnets.n == 1 ? "es" : "", ep->id);
            evidence(f, "ServiceName: %s",
                     ep->endpoint.service_name ? ep->endpoint.service_name : "");
            evidence(f, "RouteTableIds: %s", have);
            evidence(f, "Subnets without the route: %s", s);
            evidence(f, "Their route tables: %s", t);
            struct strbuf cmd;
            strbuf_init(&cmd, 128);
            for (size_t k = 0; k < tables.n; k++)
                strbuf_addf(&cmd, " %s", tables.v[k]);
            fix(f,
                "Traffic from those subnets to %s goes through a NAT or internet gateway "
                "(charged) or nowhere. Add their route tables: aws ec2 modify-vpc-endpoint "
                "--vpc-endpoint-id %s --add-route-table-ids%s",
                ep->endpoint.service_name ? ep->endpoint.service_name : "the service", ep->id,
                cmd.buf);
            strbuf_release(&cmd);
            free(s);
            free(t);
            free(have);
        }
        free(subnets.v);
        free(tables.v);
    }
}

static const struct inv_resource *default_group(struct ctx *c, const char *vpc_id)
{
    if (!c->vpc_default_sg.built) {
        for (size_t i = 0; i < inventory_count(c->inv, INV_SECURITY_GROUP); i++) {
            const struct inv_resource *sg = inventory_at(c->inv, INV_SECURITY_GROUP, i);
            const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(item_of(c, sg), "GroupName"));
            if (n && strcmp(n, "default") == 0)
                index_add(&c->vpc_default_sg, sg->vpc_id, sg);
        }
        index_seal(&c->vpc_default_sg);
    }
    const struct index_pair *p = index_find(&c->vpc_default_sg, vpc_id);
    return p ? p->value : NULL;
}

static bool eni_in_group(struct ctx *c, const struct inv_resource *eni, const char *group_id)
{
    const cJSON *g;
    cJSON_ArrayForEach(g, cJSON_GetObjectItem(item_of(c, eni), "Groups"))
    {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(g, "GroupId"));
        if (id && strcmp(id, group_id) == 0)
            return true;
    }
    return false;
}

static void rule_default_group(struct ctx *c)
{
    for (size_t i = 0; i < inventory_count(c->inv, INV_ENDPOINT); i++) {
        const struct inv_resource *ep = inventory_at(c->inv, INV_ENDPOINT, i);
        const struct inv_resource *def = ep->vpc_id ? default_group(c, ep->vpc_id) : NULL;
        if (!active_of_kind(ep, INV_ENDPOINT_INTERFACE) || !def)
            continue;
        bool on_endpoint = false;
        for (size_t k = 0; k < ep->endpoint.group_ids.n; k++)
            on_endpoint = on_endpoint || strcmp(ep->endpoint.group_ids.v[k], def->id) == 0;
        struct strset enis = {0};
        struct inv_ids ids = inventory_endpoint_enis(c->inv, ep->id);
        /* The endpoint's Groups are authoritative (moto gives every endpoint ENI the
         * default group); its ENIs speak only when it lists none. */
        for (size_t k = 0; ep->endpoint.group_ids.n == 0 && k < ids.n; k++) {
            const struct inv_resource *eni = inventory_find(c->inv, INV_ENI, ids.v[k]);
            if (eni && eni_in_group(c, eni, def->id))
                strset_add(&enis, eni->id);
        }
        if (on_endpoint || enis.n > 0) {
            struct check_finding *f =
                add(c, CHECK_DEFAULT_SECURITY_GROUP, "VpcEndpoint", ep->id, ep->vpc_id,
                    "%s is in the VPC's default security group %s", ep->id, def->id);
            groups_evidence(c->inv, f, &ep->endpoint.group_ids);
            if (enis.n) {
                char *e = strset_join(&enis);
                evidence(f, "ENIs in %s: %s", def->id, e);
                free(e);
            }
            fix(f,
                "The default group's rules serve everything in the VPC and change for other "
                "reasons. Give the endpoint its own group admitting 443 from the VPC: aws ec2 "
                "modify-vpc-endpoint --vpc-endpoint-id %s --add-security-group-ids SG-ID "
                "--remove-security-group-ids %s",
                ep->id, def->id);
        }
        free(enis.v);
    }
}

/* ---- duplicate services ---------------------------------------------------------------------- */

static const char *owner_of(const struct inv_resource *ep)
{
    const char *o = ep->owner_id;
    return o ? o : "";
}

static bool same_group(const struct inv_resource *a, const struct inv_resource *b)
{
    return strcmp(owner_of(a), owner_of(b)) == 0 && a->endpoint.service_name &&
           b->endpoint.service_name &&
           strcmp(a->endpoint.service_name, b->endpoint.service_name) == 0;
}

static void duplicate_finding(struct ctx *c, const struct inv_resource **g, size_t n,
                              const struct strset *vpcs)
{
    struct strset azs = {0};
    size_t units = 0;
    struct strbuf list;
    strbuf_init(&list, 128);
    for (size_t i = 0; i < n; i++) {
        struct strset a = {0};
        endpoint_azs(c->inv, g[i], &a);
        struct endpoint_cost ec;
        cost_endpoint(c->inv, c->o->prices, c->o->region, g[i], &ec);
        units += ec.units;
        for (size_t k = 0; k < a.n; k++)
            strset_add(&azs, a.v[k]);
        strbuf_addf(&list, "%s%s (%s, %zu AZ%s)", i ? ", " : "", g[i]->id,
                    g[i]->vpc_id ? g[i]->vpc_id : "?", ec.units, ec.units == 1 ? "" : "s");
        free(a.v);
    }
    const char *svc = g[0]->endpoint.service_name;
    struct check_finding *f = add(c, CHECK_DUPLICATE_SERVICE, "VpcEndpointService", svc, NULL,
                                  "%s has interface endpoints in %zu VPCs of account %s", svc,
                                  vpcs->n, *owner_of(g[0]) ? owner_of(g[0]) : "(unknown)");
    evidence(f, "Endpoints: %s", list.buf);
    evidence(f, "AZ-hours billed: %zu ENIs; one shared endpoint in the same AZs: %zu", units,
             azs.n);
    double hourly;
    size_t saved = units > azs.n ? units - azs.n : 0;
    if (cost_price(c->o->prices, c->o->region, COST_INTERFACE_HOUR, &hourly, NULL))
        fix(f,
            "A centralisation candidate: one endpoint in a shared VPC, reached over Transit "
            "Gateway or peering with a Route 53 private hosted zone, saves %zu ENIs x %d h x "
            "$%.4g = $%.2f a month in AZ-hours (before Transit Gateway and data charges).",
            saved, COST_HOURS_PER_MONTH, hourly, (double)saved * COST_HOURS_PER_MONTH * hourly);
    else
        fix(f,
            "A centralisation candidate: one endpoint in a shared VPC, reached over Transit "
            "Gateway or peering with a Route 53 private hosted zone, saves %zu ENIs of AZ-hours "
            "a month; the price is unknown for %s: add `price %s interface-hour VALUE` to the "
            "config.",
            saved, c->o->region ? c->o->region : "this region",
            c->o->region ? c->o->region : "REGION");
    strbuf_release(&list);
    free(azs.v);
}

static void rule_duplicate_service(struct ctx *c)
{
    size_t n = inventory_count(c->inv, INV_ENDPOINT);
    bool *done = xcalloc(n ? n : 1, sizeof(*done));
    const struct inv_resource **g = xcalloc(n ? n : 1, sizeof(*g));
    for (size_t i = 0; i < n; i++) {
        const struct inv_resource *ep = inventory_at(c->inv, INV_ENDPOINT, i);
        if (done[i] || !active_of_kind(ep, INV_ENDPOINT_INTERFACE) || !ep->endpoint.service_name)
            continue;
        size_t ng = 0;
        struct strset vpcs = {0};
        for (size_t k = i; k < n; k++) {
            const struct inv_resource *o = inventory_at(c->inv, INV_ENDPOINT, k);
            if (done[k] || !active_of_kind(o, INV_ENDPOINT_INTERFACE) || !same_group(ep, o))
                continue;
            done[k] = true;
            g[ng++] = o;
            strset_add(&vpcs, o->vpc_id);
        }
        if (vpcs.n >= 3)
            duplicate_finding(c, g, ng, &vpcs);
        free(vpcs.v);
    }
    free(g);
    free(done);
}

/* ---- flow logs ------------------------------------------------------------------------------- */

/* The logs attached to id, as "fl-1 (delivery FAILED: reason)"; how many record. */
static size_t attached_logs(const struct flowlog_index *ix, const char *id, struct strbuf *sb)
{
    const struct inv_resource *const *logs;
    size_t n = flowlog_index_attached(ix, id, &logs), recording = 0;
    for (size_t i = 0; i < n; i++) {
        const struct inv_flow_log *f = &logs[i]->flow_log;
        bool rec = flowlog_is_recording(logs[i]);
        recording += rec;
        if (!sb)
            continue;
        strbuf_addf(sb, "%s%s", sb->len ? ", " : "", logs[i]->id);
        if (!rec && f->deliver_status && strcasecmp(f->deliver_status, "FAILED") == 0)
            strbuf_addf(sb, " (delivery FAILED%s%s)", f->deliver_error ? ": " : "",
                        f->deliver_error ? f->deliver_error : "");
        else if (!rec)
            strbuf_addf(sb, " (%s)", logs[i]->state);
    }
    return recording;
}

static void no_flow_logs_finding(struct ctx *c, const struct inv_resource *vpc,
                                 const struct flowlog_index *ix, const struct strset *eps,
                                 const struct strset *subnets, const struct strset *bare)
{
    struct strbuf on_vpc;
    strbuf_init(&on_vpc, 64);
    attached_logs(ix, vpc->id, &on_vpc);
    struct check_finding *f;
    if (bare->n < subnets->n)
        f = add(c, CHECK_NO_FLOW_LOGS, "Vpc", vpc->id, vpc->id,
                "%zu of %zu endpoint subnets of %s have no flow log recording their traffic",
                bare->n, subnets->n, vpc->id);
    else
        f = add(c, CHECK_NO_FLOW_LOGS, "Vpc", vpc->id, vpc->id,
                "%s has %zu interface endpoint%s and no flow log recording %s traffic", vpc->id,
                eps->n, eps->n == 1 ? "" : "s", eps->n == 1 ? "its" : "their");
    char *e = strset_join(eps), *b = strset_join(bare);
    evidence(f, "Interface endpoints: %s", e);
    evidence(f, "Flow logs on %s: %s", vpc->id, on_vpc.len ? on_vpc.buf : "(none)");
    evidence(f, "Endpoint subnets without a recording flow log: %s", b);
    fix(f,
        "Nothing records who reaches the endpoints or what their security groups and NACLs "
        "reject, for troubleshooting, audit or incident response.%s Log the whole VPC (every "
        "subnet and ENI in it): aws ec2 create-flow-logs --resource-type VPC --resource-ids %s "
        "--traffic-type ALL --log-destination-type s3 --log-destination "
        "arn:aws:s3:::BUCKET/PREFIX (or --log-destination-type cloud-watch-logs "
        "--log-group-name LOG-GROUP --deliver-logs-permission-arn ROLE-ARN)",
        on_vpc.len ? " A flow log that failed or stopped records nothing: fix its role or "
                     "destination, or replace it."
                   : "",
        vpc->id);
    free(e);
    free(b);
    strbuf_release(&on_vpc);
}

/* A VPC whose interface endpoints' traffic no flow log records: none on the VPC and not one
 * on every endpoint subnet. */
static void rule_no_flow_logs(struct ctx *c)
{
    if (!inventory_type_loaded(c->inv, INV_FLOW_LOG))
        return;
    struct flowlog_index *ix = flowlog_index_create(c->inv);
    for (size_t i = 0; i < inventory_count(c->inv, INV_VPC); i++) {
        const struct inv_resource *vpc = inventory_at(c->inv, INV_VPC, i);
        struct strset eps = {0}, subnets = {0}, bare = {0};
        struct inv_ids ids = inventory_vpc_endpoints(c->inv, vpc->id);
        for (size_t k = 0; k < ids.n; k++) {
            const struct inv_resource *ep = inventory_find(c->inv, INV_ENDPOINT, ids.v[k]);
            if (!ep || !active_of_kind(ep, INV_ENDPOINT_INTERFACE))
                continue;
            strset_add(&eps, ep->id);
            for (size_t s = 0; s < ep->endpoint.subnet_ids.n; s++)
                strset_add(&subnets, ep->endpoint.subnet_ids.v[s]);
        }
        if (eps.n > 0 && attached_logs(ix, vpc->id, NULL) == 0) {
            for (size_t s = 0; s < subnets.n; s++)
                if (attached_logs(ix, subnets.v[s], NULL) == 0)
                    strset_add(&bare, subnets.v[s]);
            if (bare.n > 0 || subnets.n == 0)
                no_flow_logs_finding(c, vpc, ix, &eps, &subnets, &bare);
        }
        free(eps.v);
        free(subnets.v);
        free(bare.v);
    }
    flowlog_index_destroy(ix);
}

/* ---- ignores --------------------------------------------------------------------------------- */

static enum vpcx_status ignore_line(struct check_config *cfg, const char *line,
                                    struct vpcx_error *err)
{
    const char *p = line + strspn(line, " \t");
    if (strncmp(p, "ignore", 6) != 0 || (p[6] != ' ' && p[6] != '\t'))
        return VPCX_OK;
    p += 6;
    const char *w[2];
    size_t len[2];
    for (int i = 0; i < 2; i++) {
        p += strspn(p, " \t");
        w[i] = p;
        len[i] = strcspn(p, " \t\r");
        p += len[i];
    }
    p += strspn(p, " \t");
    size_t rlen = strlen(p);
    while (rlen > 0 && (p[rlen - 1] == '\r' || p[rlen - 1] == ' ' || p[rlen - 1] == '\t'))
        rlen--;
    if (len[0] == 0 || len[1] == 0 || rlen == 0)
        return vpcx_error_set(err, VPCX_ERR_USAGE, "expected 'ignore RULE RESOURCE-ID REASON'");
    char *rule_id = xstrndup(w[0], len[0]);
    enum check_rule rule;
    bool ok = check_rule_parse(rule_id, &rule);
    if (!ok) {
        vpcx_error_set(err, VPCX_ERR_USAGE, "unknown rule '%s' (see vpcx check --list-rules)",
                       rule_id);
        free(rule_id);
        return VPCX_ERR_USAGE;
    }
    free(rule_id);
    cfg->ignores = xreallocarray(cfg->ignores, cfg->n_ignores + 1, sizeof(*cfg->ignores));
    cfg->ignores[cfg->n_ignores++] =
        (struct check_ignore){rule, xstrndup(w[1], len[1]), xstrndup(p, rlen)};
    return VPCX_OK;
}

enum vpcx_status check_config_parse(struct check_config *cfg, const char *label, const char *text,
                                    size_t len, struct vpcx_error *err)
{
    size_t pos = 0;
    unsigned lineno = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        char *line = xstrndup(text + pos, end - pos);
        lineno++;
        enum vpcx_status st = ignore_line(cfg, line, err);
        free(line);
        if (st != VPCX_OK) {
            char *msg = xasprintf("%s, line %u: %s", label, lineno,
                                  err->message ? err->message : "invalid");
            vpcx_error_set(err, st, "%s", msg);
            free(msg);
            return st;
        }
        pos = end + 1;
    }
    return VPCX_OK;
}

void check_config_finish(struct check_config *cfg)
{
    for (size_t i = 0; i < cfg->n_ignores; i++) {
        free(cfg->ignores[i].resource_id);
        free(cfg->ignores[i].reason);
    }
    free(cfg->ignores);
    memset(cfg, 0, sizeof(*cfg));
}

void check_apply_ignores(struct check_report *r, const struct check_config *cfg)
{
    for (size_t i = 0; i < r->n; i++) {
        struct check_finding *f = &r->v[i];
        for (size_t k = 0; k < cfg->n_ignores && !f->ignored; k++) {
            const struct check_ignore *ig = &cfg->ignores[k];
            if (ig->rule == f->rule && strcmp(ig->resource_id, f->resource_id) == 0) {
                f->ignored = true;
                f->ignore_reason = xstrdup(ig->reason);
            }
        }
    }
}

/* ---- output ---------------------------------------------------------------------------------- */

static cJSON *finding_json(const struct check_finding *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "RuleId", f->rule_id);
    cJSON_AddStringToObject(o, "Severity", check_severity_name(f->severity));
    cJSON_AddStringToObject(o, "ResourceType", f->resource_type);
    cJSON_AddStringToObject(o, "ResourceId", f->resource_id);
    if (f->vpc_id)
        cJSON_AddStringToObject(o, "VpcId", f->vpc_id);
    cJSON_AddStringToObject(o, "Title", f->title);
    cJSON *ev = cJSON_AddArrayToObject(o, "Evidence");
    for (size_t i = 0; i < f->n_evidence; i++)
        cJSON_AddItemToArray(ev, cJSON_CreateString(f->evidence[i]));
    cJSON_AddStringToObject(o, "Fix", f->fix ? f->fix : "");
    if (f->ignored) {
        cJSON_AddTrueToObject(o, "Ignored");
        cJSON_AddStringToObject(o, "IgnoreReason", f->ignore_reason);
    }
    return o;
}

cJSON *check_report_to_json(const struct check_report *r, bool with_ignored)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(root, "Findings");
    size_t by_sev[3] = {0}, ignored = 0;
    for (size_t i = 0; i < r->n; i++) {
        const struct check_finding *f = &r->v[i];
        if (f->ignored)
            ignored++;
        else
            by_sev[f->severity]++;
        if (!f->ignored || with_ignored)
            cJSON_AddItemToArray(arr, finding_json(f));
    }
    cJSON *sum = cJSON_AddObjectToObject(root, "Summary");
    cJSON_AddNumberToObject(sum, "Error", (double)by_sev[CHECK_ERROR]);
    cJSON_AddNumberToObject(sum, "Warning", (double)by_sev[CHECK_WARNING]);
    cJSON_AddNumberToObject(sum, "Info", (double)by_sev[CHECK_INFO]);
    cJSON_AddNumberToObject(sum, "Ignored", (double)ignored);
    return root;
}

static const char *sarif_level(enum check_severity s)
{
    return s == CHECK_ERROR ? "error" : s == CHECK_WARNING ? "warning" : "note";
}

static cJSON *sarif_text(const char *text)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "text", text);
    return o;
}

static cJSON *sarif_rules(void)
{
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < CHECK_RULE_COUNT; i++) {
        cJSON *rule = cJSON_CreateObject();
        cJSON_AddStringToObject(rule, "id", rules[i].id);
        cJSON_AddItemToObject(rule, "shortDescription", sarif_text(rules[i].title));
        cJSON *conf = cJSON_AddObjectToObject(rule, "defaultConfiguration");
        cJSON_AddStringToObject(conf, "level", sarif_level(rules[i].severity));
        cJSON_AddItemToArray(arr, rule);
    }
    return arr;
}

static cJSON *sarif_result(const struct check_finding *f)
{
    cJSON *res = cJSON_CreateObject();
    cJSON_AddStringToObject(res, "ruleId", f->rule_id);
    cJSON_AddNumberToObject(res, "ruleIndex", (double)f->rule);
    cJSON_AddStringToObject(res, "level", sarif_level(f->severity));
    struct strbuf sb;
    strbuf_init(&sb, 256);
    strbuf_addf(&sb, "%s.", f->title);
    for (size_t i = 0; i < f->n_evidence; i++)
        strbuf_addf(&sb, " %s.", f->evidence[i]);
    if (f->fix)
        strbuf_addf(&sb, " Fix: %s", f->fix);
    cJSON_AddItemToObject(res, "message", sarif_text(sb.buf));
    strbuf_release(&sb);
    /* Cloud resources have no file: a logical location names them. */
    cJSON *locs = cJSON_AddArrayToObject(res, "locations");
    cJSON *loc = cJSON_CreateObject();
    cJSON *logical = cJSON_AddArrayToObject(loc, "logicalLocations");
    cJSON *l = cJSON_CreateObject();
    cJSON_AddStringToObject(l, "name", f->resource_id);
    char *fq = f->vpc_id && strcmp(f->vpc_id, f->resource_id) != 0
                   ? xasprintf("%s/%s", f->vpc_id, f->resource_id)
                   : xstrdup(f->resource_id);
    cJSON_AddStringToObject(l, "fullyQualifiedName", fq);
    free(fq);
    cJSON_AddStringToObject(l, "kind", "resource");
    cJSON_AddItemToArray(logical, l);
    cJSON_AddItemToArray(locs, loc);
    cJSON *fp = cJSON_AddObjectToObject(res, "partialFingerprints");
    char *key = xasprintf("%s:%s", f->rule_id, f->resource_id);
    cJSON_AddStringToObject(fp, "vpcxFinding/v1", key);
    free(key);
    return res;
}

cJSON *check_report_to_sarif(const struct check_report *r, const char *version)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    cJSON_AddStringToObject(root, "version", "2.1.0");
    cJSON *runs = cJSON_AddArrayToObject(root, "runs");
    cJSON *run = cJSON_CreateObject();
    cJSON *tool = cJSON_AddObjectToObject(run, "tool");
    cJSON *driver = cJSON_AddObjectToObject(tool, "driver");
    cJSON_AddStringToObject(driver, "name", "vpcx");
    cJSON_AddStringToObject(driver, "version", version ? version : "0");
    cJSON_AddItemToObject(driver, "rules", sarif_rules());
    cJSON *results = cJSON_AddArrayToObject(run, "results");
    for (size_t i = 0; i < r->n; i++)
        if (!r->v[i].ignored)
            cJSON_AddItemToArray(results, sarif_result(&r->v[i]));
    cJSON_AddItemToArray(runs, run);
    return root;
}

void check_rules_write(struct strbuf *out)
{
    for (int i = 0; i < CHECK_RULE_COUNT; i++)
        strbuf_addf(out, "%-28s %-8s %s\n", rules[i].id, severity_names[rules[i].severity],
                    rules[i].title);
}
