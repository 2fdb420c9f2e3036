#include "vpcx/sync/fetch.h"

#include "vpcx/aws/query.h"
#include "vpcx/core/xalloc.h"

#include "fetch_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct fetch_op {
    const char *operation;
    const char *item_list; /* the response's list, as botocore names it */
    int max_results;       /* the API's largest page; 0 = the call does not page */
} fetch_ops[INV_TYPE_COUNT] = {
    [INV_VPC] = {"DescribeVpcs", "Vpcs", 1000},
    [INV_SUBNET] = {"DescribeSubnets", "Subnets", 1000},
    [INV_AZ] = {"DescribeAvailabilityZones", "AvailabilityZones", 0},
    [INV_ENDPOINT] = {"DescribeVpcEndpoints", "VpcEndpoints", 1000},
    [INV_SERVICE] = {"DescribeVpcEndpointServices", "ServiceDetails", 1000},
    [INV_ENI] = {"DescribeNetworkInterfaces", "NetworkInterfaces", 1000},
    [INV_SECURITY_GROUP] = {"DescribeSecurityGroups", "SecurityGroups", 1000},
    [INV_NETWORK_ACL] = {"DescribeNetworkAcls", "NetworkAcls", 1000},
    [INV_ROUTE_TABLE] = {"DescribeRouteTables", "RouteTables", 100},
    [INV_PREFIX_LIST] = {"DescribePrefixLists", "PrefixLists", 1000},
    [INV_FLOW_LOG] = {"DescribeFlowLogs", "FlowLogs", 1000},
};

static const char *const vpc_attributes[] = {"enableDnsSupport", "enableDnsHostnames"};
#define N_VPC_ATTRIBUTES (sizeof(vpc_attributes) / sizeof(vpc_attributes[0]))

/* A call out on the client, so that fetch_destroy() can drop it. */
struct fetch_req {
    struct fetch_req *prev, *next;
    uint64_t call;
    void (*destroy)(struct fetch_req *req);
};

/* One chain of NextToken pages; a type has one, or several once sharded. */
struct fetch_page {
    struct fetch_req req; /* first: a req is its page */
    struct fetch *fetch;
    enum inv_type type;
    struct aws_query query;
    char *last_token;
    bool shard; /* narrowed by a filter: never sharded again */
};

/* Per type: chains still running and the first failure among them. */
struct fetch_type {
    unsigned chains;
    bool sharded;
    bool failed;
};

struct fetch_attr {
    struct fetch_req req; /* first: a req is its attribute call */
    struct fetch *fetch;
    char *vpc_id;
    const char *attribute;
    struct aws_query query;
};

struct fetch {
    struct aws_client *client;
    struct inventory *inv;
    struct fetch_options opts;
    struct fetch_progress progress[FETCH_SLOTS];
    struct fetch_type types[INV_TYPE_COUNT];
    unsigned in_flight;
    struct fetch_req *live; /* calls out, newest first */
    /* Types held back until VPCs and subnets are in: those two paint first, and
       ENIs are then split by subnet. */
    unsigned deferred;
    bool attrs_wanted; /* VPCs are in: their DNS attributes are to be fetched */
    /* Two calls per VPC, created as slots free up: thousands of VPCs would
       otherwise hold thousands of requests in memory at once. */
    struct fetch_lazyq attrq;
    char **attr_vpcs; /* the VPC IDs when the attributes were asked for */
    size_t n_attr_vpcs;
    unsigned attr_failed;
};

const char *fetch_operation(enum inv_type type)
{
    return (unsigned)type < INV_TYPE_COUNT ? fetch_ops[type].operation : "DescribeVpcAttribute";
}

const char *fetch_slot_name(int slot)
{
    if (slot == FETCH_VPC_ATTRIBUTES)
        return "VpcAttributes";
    return inventory_type_list_key((enum inv_type)slot);
}

struct fetch *fetch_create(struct aws_client *client, struct inventory *inv,
                           const struct fetch_options *opts)
{
    struct fetch *f = xcalloc(1, sizeof(*f));
    f->client = client;
    f->inv = inv;
    if (opts)
        f->opts = *opts;
    for (int i = 0; i < FETCH_SLOTS; i++) {
        vpcx_error_init(&f->progress[i].error);
        f->progress[i].operation = fetch_operation((enum inv_type)i);
    }
    return f;
}

static void req_track(struct fetch *f, struct fetch_req *r, uint64_t call)
{
    r->call = call;
    r->prev = NULL;
    r->next = f->live;
    if (f->live)
        f->live->prev = r;
    f->live = r;
}

static void req_untrack(struct fetch *f, struct fetch_req *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        f->live = r->next;
    if (r->next)
        r->next->prev = r->prev;
    r->prev = r->next = NULL;
}

static void attr_vpcs_free(struct fetch *f)
{
    for (size_t i = 0; i < f->n_attr_vpcs; i++)
        free(f->attr_vpcs[i]);
    free(f->attr_vpcs);
    f->attr_vpcs = NULL;
    f->n_attr_vpcs = 0;
}

void fetch_destroy(struct fetch *f)
{
    if (!f)
        return;
    /* Calls still out (a signal cut the run short) go with their pages. */
    while (f->live) {
        struct fetch_req *r = f->live;
        aws_client_cancel(f->client, r->call);
        req_untrack(f, r);
        r->destroy(r);
    }
    attr_vpcs_free(f);
    for (int i = 0; i < FETCH_SLOTS; i++)
        vpcx_error_finish(&f->progress[i].error);
    free(f);
}

bool fetch_running(const struct fetch *f)
{
    return f->in_flight > 0 || f->deferred;
}

const struct fetch_progress *fetch_get_progress(const struct fetch *f, int slot)
{
    if (slot < 0 || slot >= FETCH_SLOTS)
        return NULL;
    return &f->progress[slot];
}

static void fetch_notify(struct fetch *f, int slot, enum fetch_state state)
{
    f->progress[slot].state = state;
    if (f->opts.on_event)
        f->opts.on_event(f->opts.ud, slot, state);
}

static void page_destroy(struct fetch_page *page)
{
    aws_query_finish(&page->query);
    free(page->last_token);
    free(page);
}

static void page_req_destroy(struct fetch_req *r)
{
    page_destroy((struct fetch_page *)r);
}

static void page_send(struct fetch_page *page);
static bool fetch_shard(struct fetch_page *page);
static void eni_start(struct fetch *f);
static void start_deferred(struct fetch *f);

/* Each item goes to the inventory as soon as it is parsed: a page is never
   held whole. An item without an ID cannot be keyed; the inventory drops it. */
static void page_item(void *ud, cJSON *item)
{
    struct fetch_page *page = ud;
    inventory_put(page->fetch->inv, page->type, item);
}

/* The NextToken of a page, or NULL on the last page. */
static const char *page_next_token(const cJSON *result)
{
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(result, "NextToken");
    if (!cJSON_IsString(tok) || !tok->valuestring[0])
        return NULL;
    return tok->valuestring;
}

/* A chain ended; the type ends with its last chain. */
static void chain_end(struct fetch_page *page)
{
    struct fetch *f = page->fetch;
    enum inv_type type = page->type;
    page_destroy(page);
    if (--f->types[type].chains > 0)
        return;
    if (f->types[type].failed) {
        inventory_abort(f->inv, type);
        fetch_notify(f, type, FETCH_FAILED);
        start_deferred(f);
        return;
    }
    inventory_end(f->inv, type);
    fetch_notify(f, type, FETCH_DONE);
    if (type == INV_VPC)
        f->attrs_wanted = true;
    start_deferred(f);
}

static void chain_fail(struct fetch_page *page, const struct vpcx_error *err)
{
    struct fetch_type *t = &page->fetch->types[page->type];
    if (!t->failed)
        vpcx_error_copy(&page->fetch->progress[page->type].error, err);
    t->failed = true;
    chain_end(page);
}

enum fetch_page_step fetch_check_page(const char *operation, const char *token,
                                      const char *last_token, unsigned pages, unsigned max_pages,
                                      struct vpcx_error *err)
{
    if (!token || !token[0])
        return FETCH_PAGE_LAST;
    if (last_token && strcmp(token, last_token) == 0) {
        vpcx_error_set(err, VPCX_ERR_AWS, "%s: the service returned the same NextToken twice",
                       operation);
        return FETCH_PAGE_REPEATED;
    }
    if (pages >= max_pages) {
        /* Ending here would sweep what was not fetched: fail and keep the old data. */
        vpcx_error_set(err, VPCX_ERR_AWS, "%s: still paging after %u pages; gave up", operation,
                       max_pages);
        return FETCH_PAGE_CAP;
    }
    return FETCH_PAGE_NEXT;
}

static void page_next(struct fetch_page *page, const char *token)
{
    free(page->last_token);
    page->last_token = xstrdup(token);
    aws_query_set(&page->query, "NextToken", token);
    page_send(page);
}

static void page_done(void *ud, struct aws_call_result *res)
{
    struct fetch_page *page = ud;
    struct fetch *f = page->fetch;
    struct fetch_progress *p = &f->progress[page->type];
    req_untrack(f, &page->req);
    f->in_flight--;
    p->attempts += (unsigned)res->attempts;
    if (res->status != VPCX_OK) {
        chain_fail(page, res->error);
        return;
    }
    p->pages++;
    p->items += res->items_seen;
    const char *token = page_next_token(res->result);
    struct vpcx_error err;
    vpcx_error_init(&err);
    enum fetch_page_step step = fetch_check_page(fetch_ops[page->type].operation, token,
                                                 page->last_token, p->pages, FETCH_MAX_PAGES, &err);
    /* Sharding comes before the cap: the chain it replaces ends without fetching more. */
    if (step == FETCH_PAGE_REPEATED)
        chain_fail(page, &err);
    else if (step != FETCH_PAGE_LAST && !page->shard && fetch_shard(page))
        chain_end(page);
    else if (step == FETCH_PAGE_CAP)
        chain_fail(page, &err);
    else if (step == FETCH_PAGE_NEXT)
        page_next(page, token);
    else
        chain_end(page);
    vpcx_error_finish(&err);
}

static void page_send(struct fetch_page *page)
{
    struct fetch *f = page->fetch;
    const struct aws_call_params params = {
        .service = AWS_SERVICE_EC2,
        .operation = fetch_ops[page->type].operation,
        .query = &page->query,
        .item_list = fetch_ops[page->type].item_list,
        .on_item = page_item,
        .done = page_done,
        .ud = page,
    };
    f->in_flight++;
    page->req.destroy = page_req_destroy;
    req_track(f, &page->req, aws_client_call(f->client, &params));
}

static int page_size(const struct fetch *f, enum inv_type type)
{
    int max = fetch_ops[type].max_results;
    return f->opts.page_size > 0 && f->opts.page_size < max ? f->opts.page_size : max;
}

static struct fetch_page *page_create(struct fetch *f, enum inv_type type)
{
    struct fetch_page *page = xcalloc(1, sizeof(*page));
    page->fetch = f;
    page->type = type;
    aws_query_init(&page->query, NULL, NULL);
    if (fetch_ops[type].max_results > 0)
        aws_query_add_int(&page->query, "MaxResults", page_size(f, type));
    return page;
}

/*
 * ENIs are the one type large enough for its chain of pages to dominate:
 * once the first page shows there are more, the rest is fetched as several
 * chains filtered by subnet (grouped so each group holds about a page, by the
 * subnets' own address counts), or by VPC when subnets are not in yet. The
 * first page's items stay; an ENI seen twice is simply put twice.
 */
static uint64_t subnet_used_estimate(const struct inv_resource *s)
{
    if (!s->subnet.has_cidr || !s->subnet.has_available)
        return 0;
    uint64_t size = cidr_size_u64(&s->subnet.cidr);
    uint64_t free_plus_reserved = (uint64_t)s->subnet.available + 5;
    return size > free_plus_reserved ? size - free_plus_reserved : 0;
}

static void shard_send(struct fetch *f, enum inv_type type, const char *filter,
                       const char *const *values, size_t n)
{
    struct fetch_page *page = page_create(f, type);
    page->shard = true;
    aws_query_add_filter(&page->query, filter, values, n);
    f->types[type].chains++;
    page_send(page);
}

size_t fetch_plan_subnet_shards(const struct inventory *inv, int page_size, struct fetch_shard *out)
{
    size_t n = inventory_count(inv, INV_SUBNET);
    uint64_t target = (uint64_t)page_size * 4 / 5;
    size_t shards = 0, k = 0;
    uint64_t load = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t used = subnet_used_estimate(inventory_at(inv, INV_SUBNET, i));
        bool full = load + used > target && shards + 1 < FETCH_SHARD_MAX;
        if (k && (full || k == FETCH_SHARD_MAX_VALUES)) {
            out[shards++] = (struct fetch_shard){.first = i - k, .count = k};
            k = 0;
            load = 0;
        }
        k++;
        load += used;
    }
    if (k)
        out[shards++] = (struct fetch_shard){.first = n - k, .count = k};
    return shards;
}

static size_t shard_by_subnet(struct fetch *f, enum inv_type type)
{
    size_t n = inventory_count(f->inv, INV_SUBNET);
    struct fetch_shard *runs = xcalloc(n ? n : 1, sizeof(*runs));
    const char **ids = xcalloc(n ? n : 1, sizeof(*ids));
    size_t shards = fetch_plan_subnet_shards(f->inv, page_size(f, type), runs);
    for (size_t r = 0; r < shards; r++) {
        for (size_t k = 0; k < runs[r].count; k++)
            ids[k] = inventory_at(f->inv, INV_SUBNET, runs[r].first + k)->id;
        shard_send(f, type, "subnet-id", ids, runs[r].count);
    }
    free(ids);
    free(runs);
    return shards;
}

static size_t shard_by_vpc(struct fetch *f, enum inv_type type)
{
    size_t n = inventory_count(f->inv, INV_VPC);
    for (size_t i = 0; i < n; i++) {
        const char *id = inventory_at(f->inv, INV_VPC, i)->id;
        shard_send(f, type, "vpc-id", &id, 1);
    }
    return n;
}

static bool fetch_shard(struct fetch_page *page)
{
    struct fetch *f = page->fetch;
    struct fetch_type *t = &f->types[page->type];
    if (page->type != INV_ENI || t->sharded || f->opts.no_sharding)
        return false;
    bool subnets =
        f->progress[INV_SUBNET].state == FETCH_DONE && inventory_count(f->inv, INV_SUBNET) > 0;
    bool vpcs = f->progress[INV_VPC].state == FETCH_DONE && inventory_count(f->inv, INV_VPC) > 1 &&
                inventory_count(f->inv, INV_VPC) <= FETCH_SHARD_MAX;
    if (!subnets && !vpcs)
        return false;
    t->sharded = true;
    return (subnets ? shard_by_subnet(f, page->type) : shard_by_vpc(f, page->type)) > 0;
}

/* The ENIs the subnets' own address counts account for. */
static uint64_t subnets_used_estimate(const struct fetch *f)
{
    uint64_t total = 0;
    size_t n = inventory_count(f->inv, INV_SUBNET);
    for (size_t i = 0; i < n; i++)
        total += subnet_used_estimate(inventory_at(f->inv, INV_SUBNET, i));
    return total;
}

/* ENIs: split by subnet from the start when the subnets say there is more than a page. */
static void eni_start(struct fetch *f)
{
    struct fetch_type *t = &f->types[INV_ENI];
    *t = (struct fetch_type){0};
    inventory_begin(f->inv, INV_ENI);
    fetch_notify(f, INV_ENI, FETCH_RUNNING);
    if (!f->opts.no_sharding && f->progress[INV_SUBNET].state == FETCH_DONE &&
        subnets_used_estimate(f) > (uint64_t)page_size(f, INV_ENI)) {
        t->sharded = true;
        if (shard_by_subnet(f, INV_ENI) > 0)
            return;
        t->sharded = false;
    }
    t->chains = 1;
    page_send(page_create(f, INV_ENI));
}

static void progress_reset(struct fetch *f, enum inv_type type, time_t started)
{
    struct fetch_progress *p = &f->progress[type];
    p->pages = p->items = p->attempts = 0;
    p->started = started;
    vpcx_error_finish(&p->error);
}

/* A type held back by fetch_start_all keeps the time it was asked for. */
static void start_type(struct fetch *f, enum inv_type type, time_t started)
{
    if ((unsigned)type >= INV_TYPE_COUNT || f->progress[type].state == FETCH_RUNNING)
        return;
    progress_reset(f, type, started);
    if (type == INV_ENI) {
        eni_start(f);
        return;
    }
    f->types[type] = (struct fetch_type){.chains = 1};
    inventory_begin(f->inv, type);
    fetch_notify(f, type, FETCH_RUNNING);
    page_send(page_create(f, type));
}

void fetch_start_type(struct fetch *f, enum inv_type type)
{
    start_type(f, type, time(NULL));
}

static bool first_wave(enum inv_type t)
{
    return t == INV_VPC || t == INV_SUBNET || t == INV_AZ;
}

/* Once VPCs and subnets are in (or failed), the rest of the inventory is asked for. */
static void start_deferred(struct fetch *f)
{
    if (f->progress[INV_VPC].state == FETCH_RUNNING ||
        f->progress[INV_SUBNET].state == FETCH_RUNNING)
        return;
    /* Two calls per VPC: after the subnets, so they do not queue ahead of them. */
    if (f->attrs_wanted) {
        f->attrs_wanted = false;
        fetch_start_vpc_attributes(f);
    }
    if (!f->deferred)
        return;
    unsigned deferred = f->deferred;
    f->deferred = 0;
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        if (!(deferred & (1u << t)))
            continue;
        /* start_type skips a type already shown as running. */
        f->progress[t].state = FETCH_IDLE;
        start_type(f, (enum inv_type)t, f->progress[t].started);
    }
}

void fetch_start_all(struct fetch *f)
{
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        if (first_wave((enum inv_type)t))
            fetch_start_type(f, (enum inv_type)t);
    bool hold = f->progress[INV_VPC].state == FETCH_RUNNING ||
                f->progress[INV_SUBNET].state == FETCH_RUNNING;
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        if (first_wave((enum inv_type)t) || f->progress[t].state == FETCH_RUNNING)
            continue;
        if (!hold) {
            fetch_start_type(f, (enum inv_type)t);
            continue;
        }
        /* Shown as running: it is, from the user's point of view. */
        progress_reset(f, (enum inv_type)t, time(NULL));
        f->deferred |= 1u << t;
        fetch_notify(f, t, FETCH_RUNNING);
    }
}

void fetch_lazyq_init(struct fetch_lazyq *q, size_t total, size_t limit)
{
    *q = (struct fetch_lazyq){.total = total, .limit = limit ? limit : 1};
}

bool fetch_lazyq_take(struct fetch_lazyq *q, size_t *index)
{
    if (q->next >= q->total || q->in_flight >= q->limit)
        return false;
    q->in_flight++;
    *index = q->next++;
    return true;
}

void fetch_lazyq_done(struct fetch_lazyq *q)
{
    if (q->in_flight)
        q->in_flight--;
}

bool fetch_lazyq_finished(const struct fetch_lazyq *q)
{
    return q->next >= q->total && q->in_flight == 0;
}

static void attr_destroy(struct fetch_attr *a)
{
    aws_query_finish(&a->query);
    free(a->vpc_id);
    free(a);
}

static void attr_req_destroy(struct fetch_req *r)
{
    attr_destroy((struct fetch_attr *)r);
}

/* DescribeVpcAttribute answers {"VpcId", "EnableDnsSupport": {"Value": true}}. */
static bool attr_value(const cJSON *result, const char *attribute, bool *value)
{
    char key[32];
    size_t n = strlen(attribute);
    if (n == 0 || n >= sizeof(key))
        return false;
    memcpy(key, attribute, n + 1);
    key[0] = (char)(key[0] - 'a' + 'A');
    const cJSON *v =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(result, key), "Value");
    if (!cJSON_IsBool(v))
        return false;
    *value = cJSON_IsTrue(v);
    return true;
}

static void attr_fill(struct fetch *f);

static void attr_done(void *ud, struct aws_call_result *res)
{
    struct fetch_attr *a = ud;
    struct fetch *f = a->fetch;
    struct fetch_progress *p = &f->progress[FETCH_VPC_ATTRIBUTES];
    req_untrack(f, &a->req);
    f->in_flight--;
    fetch_lazyq_done(&f->attrq);
    p->attempts += (unsigned)res->attempts;
    bool value;
    if (res->status != VPCX_OK) {
        f->attr_failed++;
        if (p->error.status == VPCX_OK)
            vpcx_error_copy(&p->error, res->error);
    } else if (attr_value(res->result, a->attribute, &value)) {
        inventory_set_vpc_attribute(f->inv, a->vpc_id, a->attribute, value);
        p->pages++;
        p->items++;
    }
    attr_destroy(a);
    attr_fill(f);
    if (fetch_lazyq_finished(&f->attrq)) {
        attr_vpcs_free(f);
        fetch_notify(f, FETCH_VPC_ATTRIBUTES, f->attr_failed ? FETCH_FAILED : FETCH_DONE);
    }
}

/* Creates and sends attribute calls while the queue has free slots. */
static void attr_fill(struct fetch *f)
{
    size_t job;
    while (fetch_lazyq_take(&f->attrq, &job)) {
        struct fetch_attr *a = xcalloc(1, sizeof(*a));
        a->fetch = f;
        a->vpc_id = xstrdup(f->attr_vpcs[job / N_VPC_ATTRIBUTES]);
        a->attribute = vpc_attributes[job % N_VPC_ATTRIBUTES];
        aws_query_init(&a->query, NULL, NULL);
        aws_query_add(&a->query, "VpcId", a->vpc_id);
        aws_query_add(&a->query, "Attribute", a->attribute);
        const struct aws_call_params params = {
            .service = AWS_SERVICE_EC2,
            .operation = "DescribeVpcAttribute",
            .query = &a->query,
            .done = attr_done,
            .ud = a,
        };
        f->in_flight++;
        a->req.destroy = attr_req_destroy;
        req_track(f, &a->req, aws_client_call(f->client, &params));
    }
}

void fetch_start_vpc_attributes(struct fetch *f)
{
    struct fetch_progress *p = &f->progress[FETCH_VPC_ATTRIBUTES];
    if (p->state == FETCH_RUNNING)
        return;
    p->pages = p->items = p->attempts = 0;
    vpcx_error_finish(&p->error);
    f->attr_failed = 0;
    size_t n = inventory_count(f->inv, INV_VPC);
    if (n == 0) {
        fetch_notify(f, FETCH_VPC_ATTRIBUTES, FETCH_DONE);
        return;
    }
    /* The IDs are copied: a refresh of the VPCs may run meanwhile. */
    attr_vpcs_free(f);
    f->attr_vpcs = xcalloc(n, sizeof(*f->attr_vpcs));
    f->n_attr_vpcs = n;
    for (size_t i = 0; i < n; i++)
        f->attr_vpcs[i] = xstrdup(inventory_at(f->inv, INV_VPC, i)->id);
    fetch_lazyq_init(&f->attrq, n * N_VPC_ATTRIBUTES, FETCH_ATTR_IN_FLIGHT);
    fetch_notify(f, FETCH_VPC_ATTRIBUTES, FETCH_RUNNING);
    attr_fill(f);
}
