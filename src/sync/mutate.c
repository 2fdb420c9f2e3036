/*
 * mutate: the write gate and the endpoint create / modify / delete sequence; see mutate.h.
 */
#include "vpcx/sync/mutate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/rand.h>

#include "vpcx/aws/http.h"
#include "vpcx/core/clock.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/sync/simulate.h"

#define POLL_FIRST_MS   2000
#define POLL_MAX_MS     15000
#define POLL_TIMEOUT_MS 600000

/* ---- the gate ------------------------------------------------------------------------------ */

struct mutate_gate {
    enum mutate_mode mode;
    char *reason;
    struct sim *sim; /* SIMULATED: AWS's side of the changes, on a timer */
};

struct mutate_gate *mutate_gate_create(enum mutate_mode mode, const char *reason)
{
    struct mutate_gate *g = xcalloc(1, sizeof(*g));
    g->mode = mode;
    g->reason = xstrdup(reason ? reason : "");
    if (mode == MUTATE_SIMULATED)
        g->sim = sim_create();
    return g;
}

void mutate_gate_destroy(struct mutate_gate *gate)
{
    if (!gate)
        return;
    sim_destroy(gate->sim);
    free(gate->reason);
    free(gate);
}

long mutate_gate_timeout_ms(const struct mutate_gate *gate)
{
    return gate ? sim_timeout_ms(gate->sim, mono_ms()) : -1;
}

bool mutate_gate_run_due(struct mutate_gate *gate)
{
    return gate && sim_run_due(gate->sim, mono_ms());
}

bool mutate_gate_busy(const struct mutate_gate *gate)
{
    return gate && sim_busy(gate->sim);
}

enum mutate_mode mutate_gate_mode(const struct mutate_gate *gate)
{
    return gate ? gate->mode : MUTATE_READ_ONLY;
}

const char *mutate_gate_reason(const struct mutate_gate *gate)
{
    return gate ? gate->reason : "";
}

const char *mutate_gate_label(const struct mutate_gate *gate)
{
    switch (mutate_gate_mode(gate)) {
    case MUTATE_LIVE:
        return "WRITE";
    case MUTATE_SIMULATED:
        return "SIMULATED";
    case MUTATE_READ_ONLY:
        break;
    }
    return "read-only";
}

static const char *const phase_names[] = {
#define MUTATE_PHASE_NAME(name, text) text,
    MUTATE_PHASE_TABLE(MUTATE_PHASE_NAME)
#undef MUTATE_PHASE_NAME
};

const char *mutate_phase_name(enum mutate_phase phase)
{
    return (unsigned)phase < sizeof(phase_names) / sizeof(phase_names[0]) ? phase_names[phase] : "";
}

/* ---- tokens, queries, CLI ------------------------------------------------------------------ */

bool mutate_new_client_token(char out[MUTATE_TOKEN_LEN + 1])
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof(b)) != 1)
        return false;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
    return true;
}

static void add_ids(struct aws_query *q, const char *prefix, const struct inv_ids *ids)
{
    aws_query_add_list(q, prefix, ids->v, ids->n);
}

static void add_strv(struct aws_query *q, const char *prefix, const struct preflight_strv *sv)
{
    aws_query_add_list(q, prefix, (const char *const *)sv->v, sv->n);
}

static void add_tags(struct aws_query *q, const struct endpoint_spec *spec)
{
    if (spec->n_tags == 0)
        return;
    aws_query_add(q, "TagSpecification.1.ResourceType", "vpc-endpoint");
    for (size_t i = 0; i < spec->n_tags; i++) {
        aws_query_add_keyf(q, spec->tags[i].key, "TagSpecification.1.Tag.%zu.Key", i + 1);
        aws_query_add_keyf(q, spec->tags[i].value ? spec->tags[i].value : "",
                           "TagSpecification.1.Tag.%zu.Value", i + 1);
    }
}

void mutate_build_create_query(struct aws_query *q, const struct endpoint_spec *spec,
                               const char *client_token)
{
    aws_query_init(q, "CreateVpcEndpoint", NULL);
    aws_query_add(q, "VpcId", spec->vpc_id);
    aws_query_add(q, "ServiceName", spec->service_name);
    aws_query_add(q, "VpcEndpointType", preflight_kind_text(spec->kind));
    add_ids(q, "SubnetId", &spec->subnet_ids);
    add_ids(q, "SecurityGroupId", &spec->group_ids);
    add_ids(q, "RouteTableId", &spec->route_table_ids);
    if (spec->kind == INV_ENDPOINT_INTERFACE && spec->private_dns != INV_UNKNOWN)
        aws_query_add_bool(q, "PrivateDnsEnabled", spec->private_dns == INV_YES);
    aws_query_add(q, "IpAddressType", spec->ip_address_type);
    aws_query_add(q, "DnsOptions.DnsRecordIpType", spec->dns_record_ip_type);
    aws_query_add(q, "PolicyDocument", spec->policy);
    add_tags(q, spec);
    aws_query_add(q, "ClientToken", client_token);
}

void mutate_build_modify_query(struct aws_query *q, const char *endpoint_id,
                               const struct endpoint_delta *d)
{
    aws_query_init(q, "ModifyVpcEndpoint", NULL);
    aws_query_add(q, "VpcEndpointId", endpoint_id);
    add_strv(q, "AddSubnetId", &d->add_subnets);
    add_strv(q, "RemoveSubnetId", &d->remove_subnets);
    add_strv(q, "AddSecurityGroupId", &d->add_groups);
    add_strv(q, "RemoveSecurityGroupId", &d->remove_groups);
    add_strv(q, "AddRouteTableId", &d->add_route_tables);
    add_strv(q, "RemoveRouteTableId", &d->remove_route_tables);
    if (d->policy_changed && d->reset_policy)
        aws_query_add_bool(q, "ResetPolicy", true);
    else if (d->policy_changed)
        aws_query_add(q, "PolicyDocument", d->policy_document);
    if (d->private_dns_changed)
        aws_query_add_bool(q, "PrivateDnsEnabled", d->private_dns);
}

void mutate_build_delete_query(struct aws_query *q, const char *endpoint_id)
{
    aws_query_init(q, "DeleteVpcEndpoints", NULL);
    aws_query_add(q, "VpcEndpointId.1", endpoint_id);
}

static bool shell_safe(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr("_@%+=:,./-", c) != NULL;
}

void mutate_shell_quote(struct strbuf *out, const char *s)
{
    bool safe = *s != '\0';
    for (const char *p = s; *p && safe; p++)
        safe = shell_safe((unsigned char)*p);
    if (safe) {
        strbuf_addstr(out, s);
        return;
    }
    strbuf_addch(out, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            strbuf_addstr(out, "'\\''");
        else
            strbuf_addch(out, *p);
    }
    strbuf_addch(out, '\'');
}

/* "CreateVpcEndpoint" -> "create-vpc-endpoint". */
static void add_kebab(struct strbuf *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool upper = c >= 'A' && c <= 'Z';
        if (upper && i > 0 && !(s[i - 1] >= 'A' && s[i - 1] <= 'Z'))
            strbuf_addch(out, '-');
        strbuf_addch(out, upper ? (char)(c - 'A' + 'a') : c);
    }
}

/* Length of key without a trailing ".<digits>", or 0 when it has none. */
static size_t list_prefix_len(const char *key)
{
    const char *dot = strrchr(key, '.');
    if (!dot || !dot[1])
        return 0;
    for (const char *p = dot + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return (size_t)(dot - key);
}

static bool is_bool_param(const char *key)
{
    return strcmp(key, "PrivateDnsEnabled") == 0 || strcmp(key, "ResetPolicy") == 0;
}

static bool skip_param(const char *key)
{
    return strcmp(key, "Action") == 0 || strcmp(key, "Version") == 0 || strcmp(key, "DryRun") == 0;
}

/* --tag-specifications as JSON (the CLI takes JSON for any structure). */
static void render_tags(struct strbuf *out, const struct aws_query *q)
{
    cJSON *specs = cJSON_CreateArray();
    for (size_t i = 0; i < q->n; i++) {
        size_t s = 0, t = 0;
        char field[16] = "";
        const char *key = q->params[i].key;
        if (sscanf(key, "TagSpecification.%zu.Tag.%zu.%15s", &s, &t, field) == 3 && s && t) {
            while ((size_t)cJSON_GetArraySize(specs) < s)
                cJSON_AddItemToArray(specs, cJSON_CreateObject());
            cJSON *spec = cJSON_GetArrayItem(specs, (int)s - 1);
            cJSON *tags = cJSON_GetObjectItem(spec, "Tags");
            if (!tags)
                tags = cJSON_AddArrayToObject(spec, "Tags");
            while ((size_t)cJSON_GetArraySize(tags) < t)
                cJSON_AddItemToArray(tags, cJSON_CreateObject());
            cJSON_AddStringToObject(cJSON_GetArrayItem(tags, (int)t - 1), field,
                                    q->params[i].value);
        } else if (sscanf(key, "TagSpecification.%zu.ResourceType", &s) == 1 && s) {
            while ((size_t)cJSON_GetArraySize(specs) < s)
                cJSON_AddItemToArray(specs, cJSON_CreateObject());
            cJSON_AddStringToObject(cJSON_GetArrayItem(specs, (int)s - 1), "ResourceType",
                                    q->params[i].value);
        }
    }
    char *json = cJSON_PrintUnformatted(specs);
    strbuf_addstr(out, " --tag-specifications ");
    mutate_shell_quote(out, json);
    free(json);
    cJSON_Delete(specs);
}

/* --dns-options '{"DnsRecordIpType":"ipv4"}' from every DnsOptions.X. */
static void render_struct(struct strbuf *out, const struct aws_query *q, const char *prefix)
{
    size_t plen = strlen(prefix);
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < q->n; i++)
        if (strncmp(q->params[i].key, prefix, plen) == 0 && q->params[i].key[plen] == '.')
            cJSON_AddStringToObject(o, q->params[i].key + plen + 1, q->params[i].value);
    char *json = cJSON_PrintUnformatted(o);
    strbuf_addstr(out, " --");
    add_kebab(out, prefix, plen);
    strbuf_addch(out, ' ');
    mutate_shell_quote(out, json);
    free(json);
    cJSON_Delete(o);
}

/* True when an earlier parameter shares the first len bytes and the next byte of key. */
static bool seen_prefix(const struct aws_query *q, size_t upto, const char *key, size_t len)
{
    for (size_t j = 0; j < upto; j++)
        if (strncmp(q->params[j].key, key, len) == 0 && q->params[j].key[len] == key[len])
            return true;
    return false;
}

static void render_list(struct strbuf *out, const struct aws_query *q, size_t i, size_t len)
{
    const char *key = q->params[i].key;
    strbuf_addstr(out, " --");
    add_kebab(out, key, len);
    strbuf_addch(out, 's');
    for (size_t j = i; j < q->n; j++)
        if (list_prefix_len(q->params[j].key) == len && strncmp(q->params[j].key, key, len) == 0) {
            strbuf_addch(out, ' ');
            mutate_shell_quote(out, q->params[j].value);
        }
}

static void render_param(struct strbuf *out, const struct aws_query *q, size_t i)
{
    const char *key = q->params[i].key;
    const char *value = q->params[i].value;
    const char *dot = strchr(key, '.');
    size_t lp = list_prefix_len(key);
    if (strncmp(key, "TagSpecification.", 17) == 0) {
        if (!seen_prefix(q, i, key, 16))
            render_tags(out, q);
    } else if (lp && (size_t)(dot - key) == lp) {
        if (!seen_prefix(q, i, key, lp))
            render_list(out, q, i, lp);
    } else if (dot) {
        size_t n = (size_t)(dot - key);
        if (!seen_prefix(q, i, key, n)) {
            char *prefix = xstrndup(key, n);
            render_struct(out, q, prefix);
            free(prefix);
        }
    } else if (is_bool_param(key)) {
        strbuf_addstr(out, strcmp(value, "true") == 0 ? " --" : " --no-");
        add_kebab(out, key, strlen(key));
    } else {
        strbuf_addstr(out, " --");
        add_kebab(out, key, strlen(key));
        strbuf_addch(out, ' ');
        mutate_shell_quote(out, value);
    }
}

char *mutate_render_cli(const struct aws_query *q, const char *region)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "aws ec2 ");
    const char *action = aws_query_get(q, "Action");
    add_kebab(&sb, action ? action : "", action ? strlen(action) : 0);
    if (region) {
        strbuf_addstr(&sb, " --region ");
        mutate_shell_quote(&sb, region);
    }
    for (size_t i = 0; i < q->n; i++)
        if (!skip_param(q->params[i].key))
            render_param(&sb, q, i);
    return strbuf_detach(&sb, NULL);
}

/* ---- comparing endpoint versions ----------------------------------------------------------- */

static bool json_ids_contain(const cJSON *arr, const char *field, const char *id)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        const char *s = cJSON_GetStringValue(field ? cJSON_GetObjectItem(it, field) : it);
        if (s && strcmp(s, id) == 0)
            return true;
    }
    return false;
}

/* Same IDs in both lists, in any order. */
static bool json_ids_same(const cJSON *a, const cJSON *b, const char *field)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, a)
    {
        const char *s = cJSON_GetStringValue(field ? cJSON_GetObjectItem(it, field) : it);
        if (s && !json_ids_contain(b, field, s))
            return false;
    }
    cJSON_ArrayForEach(it, b)
    {
        const char *s = cJSON_GetStringValue(field ? cJSON_GetObjectItem(it, field) : it);
        if (s && !json_ids_contain(a, field, s))
            return false;
    }
    return true;
}

bool mutate_endpoint_same(const cJSON *a, const cJSON *b)
{
    if (!a || !b)
        return a == b;
    return json_ids_same(cJSON_GetObjectItem(a, "SubnetIds"), cJSON_GetObjectItem(b, "SubnetIds"),
                         NULL) &&
           json_ids_same(cJSON_GetObjectItem(a, "Groups"), cJSON_GetObjectItem(b, "Groups"),
                         "GroupId") &&
           json_ids_same(cJSON_GetObjectItem(a, "RouteTableIds"),
                         cJSON_GetObjectItem(b, "RouteTableIds"), NULL) &&
           cJSON_IsTrue(cJSON_GetObjectItem(a, "PrivateDnsEnabled")) ==
               cJSON_IsTrue(cJSON_GetObjectItem(b, "PrivateDnsEnabled")) &&
           preflight_policy_equal(cJSON_GetStringValue(cJSON_GetObjectItem(a, "PolicyDocument")),
                                  cJSON_GetStringValue(cJSON_GetObjectItem(b, "PolicyDocument")));
}

/* ---- the operation ------------------------------------------------------------------------- */

struct mutate_op;
typedef void (*step_fn)(struct mutate_op *op, struct aws_call_result *res);

/* The ud of a call in flight; op is cleared when the operation goes first. */
struct pending {
    struct mutate_op *op;
    step_fn step;
};

struct mutate_op {
    struct mutate_gate *gate;
    struct aws_client *client;
    struct inventory *inv;
    struct mutate_options opts;
    enum mutate_kind kind;
    enum mutate_phase phase;
    struct endpoint_spec spec; /* strings in owned[] */
    void **owned;
    size_t n_owned;
    char *endpoint_id;
    cJSON *base;   /* modify: the form's version */
    cJSON *fresh;  /* modify: the read the delta came from; on conflict AWS's version */
    cJSON *result; /* the endpoint as last described */
    struct endpoint_delta delta;
    bool have_delta;
    struct aws_query query;
    bool have_query;
    char *cli;
    char token[MUTATE_TOKEN_LEN + 1];
    struct vpcx_error error;
    char *message;
    bool dry_run_passed;
    bool simulated;
    struct pending *pending;
    unsigned long answers; /* calls answered so far */
    int holds;             /* frames still using op after starting a call */
    bool destroyed;        /* mutate_op_destroy() ran while held: freed at the last release */
    uint64_t timer;
    long poll_delay;
    struct timespec poll_start;
};

static void *own(struct mutate_op *op, void *p)
{
    op->owned = xreallocarray(op->owned, op->n_owned + 1, sizeof(*op->owned));
    op->owned[op->n_owned++] = p;
    return p;
}

static const char *keep(struct mutate_op *op, const char *s)
{
    return s ? own(op, xstrdup(s)) : NULL;
}

static struct inv_ids keep_ids(struct mutate_op *op, struct inv_ids ids)
{
    const char **v = own(op, xcalloc(ids.n ? ids.n : 1, sizeof(*v)));
    for (size_t i = 0; i < ids.n; i++)
        v[i] = keep(op, ids.v[i]);
    return (struct inv_ids){.v = v, .n = ids.n};
}

static void keep_spec(struct mutate_op *op, const struct endpoint_spec *s)
{
    op->spec = *s;
    op->spec.vpc_id = keep(op, s->vpc_id);
    op->spec.service_name = keep(op, s->service_name);
    op->spec.subnet_ids = keep_ids(op, s->subnet_ids);
    op->spec.group_ids = keep_ids(op, s->group_ids);
    op->spec.route_table_ids = keep_ids(op, s->route_table_ids);
    op->spec.policy = keep(op, s->policy);
    op->spec.ip_address_type = keep(op, s->ip_address_type);
    op->spec.dns_record_ip_type = keep(op, s->dns_record_ip_type);
    struct endpoint_tag *tags = own(op, xcalloc(s->n_tags ? s->n_tags : 1, sizeof(*tags)));
    for (size_t i = 0; i < s->n_tags; i++) {
        tags[i].key = keep(op, s->tags[i].key);
        tags[i].value = keep(op, s->tags[i].value);
    }
    op->spec.tags = tags;
}

static void set_message(struct mutate_op *op, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_message(struct mutate_op *op, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *raw = xvasprintf(fmt, ap);
    va_end(ap);
    /* Messages carry AWS's text (IDs, states, errors): kept sanitised. */
    free(op->message);
    op->message = sanitize_dup(raw, SANITIZE_ESCAPE);
    free(raw);
}

/* Tells the caller; must be the last thing a path does (the handler may destroy op). */
static void notify(struct mutate_op *op)
{
    if (op->opts.on_event)
        op->opts.on_event(op->opts.ud, op);
}

static void fail(struct mutate_op *op, enum vpcx_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records a failure without telling the caller yet (more may be added first). */
static void fail_set(struct mutate_op *op, enum vpcx_status status, const char *msg)
{
    vpcx_error_set(&op->error, status, "%s", msg);
    op->phase = MUTATE_PHASE_FAILED;
    free(op->message);
    op->message = sanitize_dup(msg, SANITIZE_ESCAPE);
}

static void fail(struct mutate_op *op, enum vpcx_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    fail_set(op, status, msg);
    free(msg);
    notify(op);
}

/*
 * Fails with an AWS answer, its code and hint kept, the message saying what was
 * being done; hint, when given, replaces AWS's.
 */
static void fail_call(struct mutate_op *op, const char *doing, const struct aws_call_result *res,
                      const char *hint)
{
    if (res->error)
        vpcx_error_copy(&op->error, res->error);
    op->error.status = res->status;
    char *msg = xasprintf("%s: %s", doing,
                          op->error.message ? op->error.message : vpcx_status_message(res->status));
    free(op->error.message);
    op->error.message = msg;
    if (hint)
        vpcx_error_set_hint(&op->error, "%s", hint);
    op->phase = MUTATE_PHASE_FAILED;
    set_message(op, "%s", msg);
    notify(op);
}

static const char *operation_name(enum mutate_kind kind)
{
    switch (kind) {
    case MUTATE_CREATE:
        return "CreateVpcEndpoint";
    case MUTATE_MODIFY:
        return "ModifyVpcEndpoint";
    case MUTATE_DELETE:
        return "DeleteVpcEndpoints";
    }
    return "";
}

static void on_call_done(void *ud, struct aws_call_result *res)
{
    struct pending *p = ud;
    struct mutate_op *op = p->op;
    step_fn step = p->step;
    free(p);
    if (!op)
        return; /* the operation was destroyed meanwhile */
    op->pending = NULL;
    op->answers++;
    step(op, res);
}

static void start_call(struct mutate_op *op, const char *operation, struct aws_query *q,
                       step_fn step)
{
    struct pending *p = xcalloc(1, sizeof(*p));
    p->op = op;
    p->step = step;
    op->pending = p;
    /* Only a create carries a ClientToken: a modify or delete whose answer was
       lost may have been applied, so it is not sent again. */
    bool replay_unsafe = (op->kind == MUTATE_MODIFY || op->kind == MUTATE_DELETE) &&
                         strcmp(operation, operation_name(op->kind)) == 0 &&
                         !aws_query_get(q, "DryRun");
    const struct aws_call_params params = {
        .service = AWS_SERVICE_EC2,
        .operation = operation,
        .query = q,
        .done = on_call_done,
        .ud = p,
        .not_idempotent = replay_unsafe,
    };
    aws_client_call(op->client, &params);
}

static void op_free(struct mutate_op *op);

/*
 * A call's done may run before start_call() returns (a client that fails at
 * once) and its step may notify, whose handler may destroy op: a frame that
 * still uses op after starting a call holds it, and destroy then only marks it.
 */
static void op_hold(struct mutate_op *op)
{
    op->holds++;
}

/* False when op was destroyed meanwhile: the caller must not touch it again. */
static bool op_release(struct mutate_op *op)
{
    op->holds--;
    if (!op->destroyed)
        return true;
    if (op->holds == 0)
        op_free(op);
    return false;
}

/*
 * The only place a mutating call leaves vpcx: the gate is checked here as
 * well as at creation, so no path around mutate_op_create() can send.
 * False when nothing is left to report: refused (and notified), or already
 * answered, or op destroyed, before this returned.
 */
static bool send_mutation(struct mutate_gate *gate, struct mutate_op *op, bool dry_run,
                          step_fn step)
{
    if (mutate_gate_mode(gate) != MUTATE_LIVE || !op->client || !op->have_query) {
        fail(op, VPCX_ERR_READ_ONLY, "writes are disabled: %s was not sent",
             operation_name(op->kind));
        return false;
    }
    if (dry_run)
        aws_query_set(&op->query, "DryRun", "true");
    unsigned long answers = op->answers;
    op_hold(op);
    start_call(op, operation_name(op->kind), &op->query, step);
    if (!op_release(op))
        return false;
    aws_query_remove(&op->query, "DryRun"); /* the body was encoded at submit */
    return op->answers == answers;
}

static void start_describe(struct mutate_op *op, step_fn step)
{
    struct aws_query q;
    aws_query_init(&q, NULL, NULL);
    aws_query_add(&q, "VpcEndpointId.1", op->endpoint_id);
    start_call(op, "DescribeVpcEndpoints", &q, step);
    aws_query_finish(&q);
}

static cJSON *first_endpoint(const struct aws_call_result *res)
{
    cJSON *list = cJSON_GetObjectItem(res->result, "VpcEndpoints");
    if (!list && res->items)
        list = res->items;
    return cJSON_GetArrayItem(list, 0);
}

static bool is_not_found(const struct aws_call_result *res)
{
    const char *code = res->error ? res->error->aws_code : NULL;
    return res->status == VPCX_ERR_NOT_FOUND ||
           (code && strncmp(code, "InvalidVpcEndpointId.NotFound", 29) == 0);
}

static void set_cli(struct mutate_op *op)
{
    free(op->cli);
    op->cli = mutate_render_cli(&op->query, op->client ? aws_client_region(op->client) : NULL);
}

static void remember(struct mutate_op *op, const cJSON *item)
{
    cJSON_Delete(op->result);
    op->result = cJSON_Duplicate(item, true);
    inventory_put(op->inv, INV_ENDPOINT, cJSON_Duplicate(item, true));
}

/* ---- polling ------------------------------------------------------------------------------- */

static long elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

static void step_poll(struct mutate_op *op, struct aws_call_result *res);

static void poll_timer(void *ud)
{
    struct mutate_op *op = ud;
    op->timer = 0;
    start_describe(op, step_poll);
}

static void schedule_poll(struct mutate_op *op, long delay)
{
    op->timer = http_engine_add_timer(aws_client_http(op->client), delay, poll_timer, op);
}

static void start_polling(struct mutate_op *op)
{
    op->phase = MUTATE_PHASE_POLLING;
    clock_gettime(CLOCK_MONOTONIC, &op->poll_start);
    op->poll_delay = op->opts.poll_first_ms;
    schedule_poll(op, op->kind == MUTATE_CREATE ? op->poll_delay : 0);
}

static bool state_is(const char *state, const char *what)
{
    return state && strcasecmp(state, what) == 0;
}

static bool still_moving(enum mutate_kind kind, const char *state)
{
    /* A delete settles as deleted, or as failed/rejected/available when refused. */
    if (kind == MUTATE_DELETE)
        return state_is(state, "deleting");
    return state_is(state, "pending") || state_is(state, "pendingacceptance");
}

/* The endpoint is gone: keep it in the tree as deleted until the next refresh sweeps it. */
static void mark_deleted(struct mutate_op *op)
{
    const struct inv_resource *r = inventory_find(op->inv, INV_ENDPOINT, op->endpoint_id);
    cJSON *item = r ? inventory_item(op->inv, r) : cJSON_CreateObject();
    if (!r)
        cJSON_AddStringToObject(item, "VpcEndpointId", op->endpoint_id);
    cJSON_DeleteItemFromObject(item, "State");
    cJSON_AddStringToObject(item, "State", "deleted");
    remember(op, item);
    cJSON_Delete(item);
}

static void finish_done(struct mutate_op *op, const char *state)
{
    op->phase = MUTATE_PHASE_DONE;
    set_message(op, "%s %s", op->endpoint_id, state ? state : "deleted");
    notify(op);
}

static void poll_again(struct mutate_op *op, const char *state)
{
    if (elapsed_ms(&op->poll_start) >= op->opts.poll_timeout_ms) {
        fail(op, VPCX_ERR_TIMEOUT,
             "%s is still %s after %ld minute(s); vpcx stopped watching, the change may still "
             "complete: refresh later",
             op->endpoint_id, state ? state : "not visible", op->opts.poll_timeout_ms / 60000);
        return;
    }
    op->poll_delay =
        op->poll_delay * 2 > op->opts.poll_max_ms ? op->opts.poll_max_ms : op->poll_delay * 2;
    schedule_poll(op, op->poll_delay);
    set_message(op, "%s %s", op->endpoint_id, state ? state : "not visible yet");
    notify(op);
}

static void step_poll(struct mutate_op *op, struct aws_call_result *res)
{
    if (res->status != VPCX_OK && is_not_found(res)) {
        if (op->kind == MUTATE_DELETE) {
            mark_deleted(op);
            finish_done(op, "deleted");
        } else if (op->kind == MUTATE_CREATE) {
            poll_again(op, NULL); /* a new endpoint can take a moment to be visible */
        } else {
            fail_call(op, "the endpoint vanished while being modified", res, NULL);
        }
        return;
    }
    if (res->status != VPCX_OK) {
        fail_call(op, "the change was accepted, but reading the endpoint back failed", res, NULL);
        return;
    }
    cJSON *ep = first_endpoint(res);
    if (!ep && op->kind == MUTATE_DELETE) {
        mark_deleted(op);
        finish_done(op, "deleted");
        return;
    }
    if (!ep) {
        fail(op, VPCX_ERR_NOT_FOUND, "%s is not in DescribeVpcEndpoints' answer", op->endpoint_id);
        return;
    }
    remember(op, ep);
    const char *state = cJSON_GetStringValue(cJSON_GetObjectItem(ep, "State"));
    if (still_moving(op->kind, state))
        poll_again(op, state);
    else if (op->kind == MUTATE_DELETE && !state_is(state, "deleted"))
        fail(op, VPCX_ERR_AWS, "%s is %s: the delete did not take effect", op->endpoint_id,
             state ? state : "in no state");
    else if (op->kind != MUTATE_DELETE && state_is(state, "failed"))
        fail(op, VPCX_ERR_AWS, "%s ended in state failed", op->endpoint_id);
    else
        finish_done(op, state);
}

/* ---- the real call ------------------------------------------------------------------------- */

static void sent_create(struct mutate_op *op, struct aws_call_result *res)
{
    cJSON *ep = cJSON_GetObjectItem(res->result, "VpcEndpoint");
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(ep, "VpcEndpointId"));
    if (!id) {
        fail(op, VPCX_ERR_PARSE, "CreateVpcEndpoint answered without an endpoint ID");
        return;
    }
    free(op->endpoint_id);
    op->endpoint_id = xstrdup(id);
    remember(op, ep);
    const char *state = cJSON_GetStringValue(cJSON_GetObjectItem(ep, "State"));
    if (!still_moving(MUTATE_CREATE, state)) {
        finish_done(op, state);
        return;
    }
    start_polling(op);
    set_message(op, "%s %s", id, state);
    notify(op);
}

static void sent_delete(struct mutate_op *op, struct aws_call_result *res)
{
    const cJSON *bad = cJSON_GetArrayItem(cJSON_GetObjectItem(res->result, "Unsuccessful"), 0);
    if (!bad && res->items)
        bad = cJSON_GetArrayItem(res->items, 0);
    if (bad) {
        const cJSON *e = cJSON_GetObjectItem(bad, "Error");
        const char *code = cJSON_GetStringValue(cJSON_GetObjectItem(e, "Code"));
        const char *msg = cJSON_GetStringValue(cJSON_GetObjectItem(e, "Message"));
        char *text = xasprintf("%s was not deleted: %s (%s)", op->endpoint_id,
                               msg ? msg : "no reason given", code ? code : "no code");
        fail_set(op, VPCX_ERR_AWS, text);
        free(text);
        if (code)
            op->error.aws_code = sanitize_dup(code, SANITIZE_ESCAPE);
        notify(op);
        return;
    }
    start_polling(op);
    set_message(op, "%s deleting", op->endpoint_id);
    notify(op);
}

static void step_sent(struct mutate_op *op, struct aws_call_result *res)
{
    if (res->status != VPCX_OK) {
        char *hint = NULL;
        if (op->kind == MUTATE_CREATE)
            hint = xasprintf("if the connection was lost the endpoint may exist: refresh; a "
                             "retry with the same ClientToken %s cannot create a second one",
                             op->token);
        else if (res->status == VPCX_ERR_NETWORK || res->status == VPCX_ERR_TIMEOUT ||
                 res->status == VPCX_ERR_TRUNCATED || res->status == VPCX_ERR_SERVER)
            hint = xasprintf("the answer was lost, so the change may have been made: refresh "
                             "and look at %s before trying again",
                             op->endpoint_id);
        fail_call(op, operation_name(op->kind), res, hint);
        free(hint);
        return;
    }
    if (op->kind == MUTATE_CREATE) {
        sent_create(op, res);
    } else if (op->kind == MUTATE_DELETE) {
        sent_delete(op, res);
    } else {
        start_polling(op);
        set_message(op, "%s modified; reading it back", op->endpoint_id);
        notify(op);
    }
}

static void send_real(struct mutate_op *op)
{
    if (send_mutation(op->gate, op, false, step_sent)) {
        set_message(op, "sending %s", operation_name(op->kind));
        notify(op);
    }
}

/* ---- check: re-read, delta, DryRun --------------------------------------------------------- */

static void step_dry_run(struct mutate_op *op, struct aws_call_result *res)
{
    if (res->status == VPCX_ERR_DRY_RUN_OK) {
        op->dry_run_passed = true;
        op->phase = MUTATE_PHASE_READY;
        set_message(op, "DryRun passed: %s would be allowed", operation_name(op->kind));
        notify(op);
        return;
    }
    if (res->status == VPCX_OK) {
        /* The server ignored DryRun and did it: record, never send a second time. */
        cJSON *ep = cJSON_GetObjectItem(res->result, "VpcEndpoint");
        if (ep && cJSON_GetStringValue(cJSON_GetObjectItem(ep, "VpcEndpointId"))) {
            free(op->endpoint_id);
            op->endpoint_id =
                xstrdup(cJSON_GetStringValue(cJSON_GetObjectItem(ep, "VpcEndpointId")));
            remember(op, ep);
        }
        fail(op, VPCX_ERR_AWS,
             "the server ignored DryRun and carried out %s%s%s; it will not be sent again",
             operation_name(op->kind), op->endpoint_id ? " on " : "",
             op->endpoint_id ? op->endpoint_id : "");
        return;
    }
    fail_call(op, "DryRun refused", res, NULL);
}

static void dry_run_or_ready(struct mutate_op *op)
{
    set_cli(op);
    if (op->opts.skip_dry_run) {
        op->phase = MUTATE_PHASE_READY;
        set_message(op, "ready to send %s (DryRun skipped)", operation_name(op->kind));
        notify(op);
        return;
    }
    if (send_mutation(op->gate, op, true, step_dry_run)) {
        set_message(op, "checking permission (DryRun)");
        notify(op);
    }
}

static void conflict(struct mutate_op *op, const cJSON *current)
{
    cJSON_Delete(op->fresh);
    op->fresh = cJSON_Duplicate(current, true);
    vpcx_error_set(&op->error, VPCX_ERR_CONFLICT,
                   "%s was changed by someone else since the form read it; nothing was sent",
                   op->endpoint_id);
    op->phase = MUTATE_PHASE_CONFLICT;
    set_message(op, "%s", op->error.message);
    notify(op);
}

/* Delta of the fresh version against the desired state, and the query; false when failed. */
static bool prepare_modify(struct mutate_op *op, const cJSON *current)
{
    cJSON_Delete(op->fresh);
    op->fresh = cJSON_Duplicate(current, true);
    endpoint_delta_finish(&op->delta);
    enum vpcx_status st = preflight_modify_delta(op->fresh, &op->spec, &op->delta);
    op->have_delta = true;
    if (st != VPCX_OK) {
        fail(op, st, "the new policy document is not valid JSON");
        return false;
    }
    if (endpoint_delta_empty(&op->delta)) {
        fail(op, VPCX_ERR_USAGE, "nothing to change: %s already looks like that", op->endpoint_id);
        return false;
    }
    if (op->have_query)
        aws_query_finish(&op->query);
    mutate_build_modify_query(&op->query, op->endpoint_id, &op->delta);
    op->have_query = true;
    return true;
}

static void step_reread_check(struct mutate_op *op, struct aws_call_result *res)
{
    if (res->status != VPCX_OK) {
        fail_call(op, "reading the endpoint before the change failed", res, NULL);
        return;
    }
    const cJSON *ep = first_endpoint(res);
    if (!ep) {
        fail(op, VPCX_ERR_NOT_FOUND, "%s no longer exists", op->endpoint_id);
        return;
    }
    if (!mutate_endpoint_same(op->base, ep)) {
        conflict(op, ep);
        return;
    }
    if (prepare_modify(op, ep))
        dry_run_or_ready(op);
}

static void step_reread_confirm(struct mutate_op *op, struct aws_call_result *res)
{
    if (res->status != VPCX_OK) {
        fail_call(op, "reading the endpoint before sending failed", res, NULL);
        return;
    }
    const cJSON *ep = first_endpoint(res);
    if (!ep) {
        fail(op, VPCX_ERR_NOT_FOUND, "%s no longer exists", op->endpoint_id);
        return;
    }
    if (!mutate_endpoint_same(op->fresh, ep)) {
        conflict(op, ep);
        return;
    }
    send_real(op);
}

/* ---- simulated mode: the change applied to the inventory ----------------------------------- */

#define FULL_ACCESS_POLICY                                                                         \
    "{\"Statement\":[{\"Action\":\"*\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Resource\":\"*"  \
    "\"}]}"

static void set_item(cJSON *obj, const char *key, cJSON *value)
{
    cJSON_DeleteItemFromObject(obj, key);
    cJSON_AddItemToObject(obj, key, value);
}

static cJSON *ids_array(const struct inv_ids *ids)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < ids->n; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(ids->v[i]));
    return arr;
}

static cJSON *groups_array(const struct inventory *inv, const struct inv_ids *ids)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < ids->n; i++) {
        const struct inv_resource *sg = inventory_find(inv, INV_SECURITY_GROUP, ids->v[i]);
        cJSON *item = inventory_item(inv, sg);
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "GroupName"));
        cJSON *g = cJSON_CreateObject();
        cJSON_AddStringToObject(g, "GroupId", ids->v[i]);
        cJSON_AddStringToObject(g, "GroupName", name ? name : "");
        cJSON_AddItemToArray(arr, g);
        cJSON_Delete(item);
    }
    return arr;
}

static cJSON *simulated_create_item(struct mutate_op *op)
{
    const struct endpoint_spec *s = &op->spec;
    char *id = sim_new_id(op->gate->sim, op->inv, INV_ENDPOINT, "vpce-", s->service_name);
    cJSON *ep = cJSON_CreateObject();
    cJSON_AddStringToObject(ep, "VpcEndpointId", id);
    cJSON_AddStringToObject(ep, "VpcEndpointType", preflight_kind_text(s->kind));
    cJSON_AddStringToObject(ep, "VpcId", s->vpc_id);
    cJSON_AddStringToObject(ep, "ServiceName", s->service_name);
    cJSON_AddStringToObject(ep, "State", "available");
    if (s->kind != INV_ENDPOINT_GWLB)
        cJSON_AddStringToObject(ep, "PolicyDocument", s->policy ? s->policy : FULL_ACCESS_POLICY);
    cJSON_AddItemToObject(ep, "RouteTableIds", ids_array(&s->route_table_ids));
    cJSON_AddItemToObject(ep, "SubnetIds", ids_array(&s->subnet_ids));
    cJSON_AddItemToObject(ep, "Groups", groups_array(op->inv, &s->group_ids));
    cJSON_AddBoolToObject(ep, "PrivateDnsEnabled",
                          s->kind == INV_ENDPOINT_INTERFACE && s->private_dns != INV_NO);
    cJSON_AddArrayToObject(ep, "NetworkInterfaceIds");
    cJSON_AddArrayToObject(ep, "DnsEntries");
    cJSON *tags = cJSON_AddArrayToObject(ep, "Tags");
    for (size_t i = 0; i < s->n_tags; i++) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "Key", s->tags[i].key);
        cJSON_AddStringToObject(t, "Value", s->tags[i].value ? s->tags[i].value : "");
        cJSON_AddItemToArray(tags, t);
    }
    free(id);
    return ep;
}

static void simulated_modify_item(struct mutate_op *op, cJSON *ep)
{
    const struct endpoint_delta *d = &op->delta;
    set_item(ep, "SubnetIds", ids_array(&op->spec.subnet_ids));
    set_item(ep, "Groups", groups_array(op->inv, &op->spec.group_ids));
    set_item(ep, "RouteTableIds", ids_array(&op->spec.route_table_ids));
    if (d->policy_changed)
        set_item(ep, "PolicyDocument",
                 cJSON_CreateString(d->reset_policy ? FULL_ACCESS_POLICY : d->policy_document));
    if (d->private_dns_changed)
        set_item(ep, "PrivateDnsEnabled", cJSON_CreateBool(d->private_dns));
}

static void apply_simulated(struct mutate_op *op)
{
    struct sim *sim = op->gate->sim;
    long long now = mono_ms();
    struct vpcx_error err;
    vpcx_error_init(&err);
    enum vpcx_status st;
    if (op->kind == MUTATE_CREATE) {
        cJSON *ep = simulated_create_item(op);
        op->endpoint_id = xstrdup(cJSON_GetStringValue(cJSON_GetObjectItem(ep, "VpcEndpointId")));
        st = sim_create_endpoint(sim, op->inv, ep, now, &err);
    } else if (op->kind == MUTATE_MODIFY) {
        cJSON *ep = cJSON_Duplicate(op->fresh, true);
        simulated_modify_item(op, ep);
        st = sim_modify_endpoint(sim, op->inv, ep, now, &err);
    } else {
        st = sim_delete_endpoint(sim, op->inv, op->endpoint_id, now, &err);
    }
    if (st != VPCX_OK) {
        fail(op, st, "simulated: %s", err.message ? err.message : vpcx_status_message(st));
        vpcx_error_finish(&err);
        return;
    }
    vpcx_error_finish(&err);
    const struct inv_resource *r = inventory_find(op->inv, INV_ENDPOINT, op->endpoint_id);
    cJSON_Delete(op->result);
    op->result = inventory_item(op->inv, r);
    op->phase = MUTATE_PHASE_DONE;
    set_message(op, "simulated: %s %s in the local inventory only; nothing was sent to AWS",
                op->endpoint_id,
                op->kind == MUTATE_CREATE   ? "created"
                : op->kind == MUTATE_MODIFY ? "modified"
                                            : "deleted");
    notify(op);
}

/* Simulated check: the inventory stands in for AWS's fresh read. */
static void check_simulated(struct mutate_op *op)
{
    if (op->kind != MUTATE_CREATE) {
        const struct inv_resource *r = inventory_find(op->inv, INV_ENDPOINT, op->endpoint_id);
        if (!r) {
            fail(op, VPCX_ERR_NOT_FOUND, "%s is not in the inventory", op->endpoint_id);
            return;
        }
        cJSON *item = inventory_item(op->inv, r);
        if (op->kind == MUTATE_MODIFY && !mutate_endpoint_same(op->base, item)) {
            conflict(op, item);
            cJSON_Delete(item);
            return;
        }
        cJSON_Delete(op->fresh);
        op->fresh = cJSON_Duplicate(item, true);
        bool ready = op->kind != MUTATE_MODIFY || prepare_modify(op, item);
        cJSON_Delete(item);
        if (!ready)
            return;
    }
    set_cli(op);
    op->phase = MUTATE_PHASE_READY;
    set_message(op, "simulated: nothing will be sent to AWS");
    notify(op);
}

/* ---- public ------------------------------------------------------------------------------- */

static bool request_ok(const struct mutate_request *req, struct vpcx_error *err)
{
    if (req->kind == MUTATE_CREATE) {
        if (!preflight_kind_text(req->spec.kind) || !req->spec.vpc_id || !req->spec.service_name) {
            vpcx_error_set(err, VPCX_ERR_USAGE,
                           "a create needs a VPC, a service and an endpoint type");
            return false;
        }
        return true;
    }
    if (!req->endpoint_id || !*req->endpoint_id) {
        vpcx_error_set(err, VPCX_ERR_USAGE, "no endpoint ID given");
        return false;
    }
    if (req->kind == MUTATE_DELETE &&
        (!req->typed_id || strcmp(req->typed_id, req->endpoint_id) != 0)) {
        vpcx_error_set(err, VPCX_ERR_USAGE,
                       "the ID typed back does not match %s exactly: nothing was deleted",
                       req->endpoint_id);
        return false;
    }
    if (req->kind == MUTATE_MODIFY && !cJSON_IsObject(req->base)) {
        vpcx_error_set(err, VPCX_ERR_USAGE, "a modify needs the endpoint the form started from");
        return false;
    }
    return true;
}

static bool gate_open(const struct mutate_gate *gate, const struct aws_client *client,
                      struct vpcx_error *err)
{
    enum mutate_mode mode = mutate_gate_mode(gate);
    if (mode == MUTATE_READ_ONLY) {
        vpcx_error_set(err, VPCX_ERR_READ_ONLY, "vpcx is read-only: nothing was sent");
        vpcx_error_set_hint(err, "start vpcx with --write, or set write = true for the profile "
                                 "in the config, to create, modify or delete endpoints");
        return false;
    }
    if (mode == MUTATE_LIVE && !client) {
        vpcx_error_set(err, VPCX_ERR_USAGE, "no AWS client to send the change with");
        return false;
    }
    return true;
}

static void fill_options(struct mutate_options *o, const struct mutate_options *given)
{
    if (given)
        *o = *given;
    if (o->poll_first_ms <= 0)
        o->poll_first_ms = POLL_FIRST_MS;
    if (o->poll_max_ms <= 0)
        o->poll_max_ms = POLL_MAX_MS;
    if (o->poll_timeout_ms <= 0)
        o->poll_timeout_ms = POLL_TIMEOUT_MS;
}

struct mutate_op *mutate_op_create(struct mutate_gate *gate, struct aws_client *client,
                                   struct inventory *inv, const struct mutate_request *req,
                                   const struct mutate_options *opts, struct vpcx_error *err)
{
    if (!gate_open(gate, client, err) || !request_ok(req, err))
        return NULL;
    struct mutate_op *op = xcalloc(1, sizeof(*op));
    if (req->kind == MUTATE_CREATE && !mutate_new_client_token(op->token)) {
        free(op);
        vpcx_error_set(err, VPCX_ERR_INTERNAL, "no random bytes for a ClientToken");
        return NULL;
    }
    op->gate = gate;
    op->client = client;
    op->inv = inv;
    op->kind = req->kind;
    op->simulated = mutate_gate_mode(gate) == MUTATE_SIMULATED;
    fill_options(&op->opts, opts);
    vpcx_error_init(&op->error);
    keep_spec(op, &req->spec);
    op->endpoint_id = req->endpoint_id ? xstrdup(req->endpoint_id) : NULL;
    op->base = req->base ? cJSON_Duplicate(req->base, true) : NULL;
    if (req->kind == MUTATE_CREATE)
        mutate_build_create_query(&op->query, &op->spec, op->token);
    else if (req->kind == MUTATE_DELETE)
        mutate_build_delete_query(&op->query, op->endpoint_id);
    op->have_query = req->kind != MUTATE_MODIFY;
    if (op->have_query)
        set_cli(op);
    set_message(op, "%s not sent yet", operation_name(op->kind));
    return op;
}

static void op_free(struct mutate_op *op)
{
    for (size_t i = 0; i < op->n_owned; i++)
        free(op->owned[i]);
    free(op->owned);
    free(op->endpoint_id);
    cJSON_Delete(op->base);
    cJSON_Delete(op->fresh);
    cJSON_Delete(op->result);
    endpoint_delta_finish(&op->delta);
    if (op->have_query)
        aws_query_finish(&op->query);
    free(op->cli);
    free(op->message);
    vpcx_error_finish(&op->error);
    free(op);
}

void mutate_op_destroy(struct mutate_op *op)
{
    if (!op || op->destroyed)
        return;
    if (op->pending)
        op->pending->op = NULL; /* its callback frees it */
    op->pending = NULL;
    if (op->timer)
        http_engine_cancel(aws_client_http(op->client), op->timer);
    op->timer = 0;
    op->destroyed = true;
    if (op->holds == 0)
        op_free(op);
}

enum vpcx_status mutate_op_check(struct mutate_op *op)
{
    if (op->phase != MUTATE_PHASE_NEW)
        return VPCX_ERR_USAGE;
    op->phase = MUTATE_PHASE_CHECKING;
    if (op->simulated)
        check_simulated(op);
    else if (op->kind == MUTATE_MODIFY)
        start_describe(op, step_reread_check);
    else
        dry_run_or_ready(op);
    return VPCX_OK; /* op may be gone: the event handler can destroy it */
}

enum vpcx_status mutate_op_confirm(struct mutate_op *op)
{
    if (op->phase != MUTATE_PHASE_READY)
        return VPCX_ERR_USAGE;
    op->phase = MUTATE_PHASE_SENDING;
    if (op->simulated)
        apply_simulated(op);
    else if (op->kind == MUTATE_MODIFY)
        start_describe(op, step_reread_confirm);
    else
        send_real(op);
    return VPCX_OK;
}

enum mutate_kind mutate_op_kind(const struct mutate_op *op)
{
    return op->kind;
}

enum mutate_phase mutate_op_phase(const struct mutate_op *op)
{
    return op->phase;
}

bool mutate_op_finished(const struct mutate_op *op)
{
    return op->phase == MUTATE_PHASE_DONE || op->phase == MUTATE_PHASE_FAILED ||
           op->phase == MUTATE_PHASE_CONFLICT;
}

const struct vpcx_error *mutate_op_error(const struct mutate_op *op)
{
    return &op->error;
}

const char *mutate_op_message(const struct mutate_op *op)
{
    return op->message ? op->message : "";
}

const char *mutate_op_cli(const struct mutate_op *op)
{
    return op->cli;
}

const char *mutate_op_endpoint_id(const struct mutate_op *op)
{
    return op->endpoint_id;
}

const char *mutate_op_client_token(const struct mutate_op *op)
{
    return op->kind == MUTATE_CREATE ? op->token : NULL;
}

bool mutate_op_dry_run_passed(const struct mutate_op *op)
{
    return op->dry_run_passed;
}

bool mutate_op_simulated(const struct mutate_op *op)
{
    return op->simulated;
}

const struct endpoint_delta *mutate_op_delta(const struct mutate_op *op)
{
    return op->have_delta ? &op->delta : NULL;
}

const cJSON *mutate_op_result(const struct mutate_op *op)
{
    return op->result;
}

void mutate_op_conflict(const struct mutate_op *op, const cJSON **base, const cJSON **current)
{
    bool c = op->phase == MUTATE_PHASE_CONFLICT;
    if (base)
        *base = c ? op->base : NULL;
    if (current)
        *current = c ? op->fresh : NULL;
}
