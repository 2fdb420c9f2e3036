/*
 * Endpoint create / modify / delete through the write gate, against moto
 * directly and behind the fault proxy (tests/tools/awsproxy.py), which
 * answers DryRun as AWS does, can refuse it (unauthorized), can drop an
 * answer after moto acted (drop_after) and gives CreateVpcEndpoint AWS's
 * ClientToken idempotency, which moto 5.2.1 lacks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vpcx/aws/client.h"
#include "vpcx/aws/http.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/inventory.h"
#include "vpcx/model/preflight.h"
#include "vpcx/sync/fetch.h"
#include "vpcx/sync/mutate.h"

#include "testutil.h"

#define SSM "com.amazonaws.us-east-1.ssm"
#define S3  "com.amazonaws.us-east-1.s3"

struct servers {
    struct test_servers t;
    struct http_engine *http;
    struct aws_client *moto;  /* straight to moto */
    struct aws_client *proxy; /* through the proxy */
    struct inventory *inv;
    struct mutate_gate *live;
    const char *vpc_id;
    const char *subnets[3]; /* three zones of the default VPC */
    const char *default_sg;
    const char *main_rtb;
};

static struct aws_client *client_to(struct servers *s, const char *url)
{
    struct aws_credentials creds = {.access_key_id = "AKIDTEST", .secret_access_key = "secret"};
    const struct aws_client_config cfg = {
        .region = "us-east-1",
        .ec2_endpoint = url,
        .sts_endpoint = url,
        .max_attempts = 3,
        .credentials = &creds,
    };
    return aws_client_create(s->http, &cfg);
}

static void load_inventory(struct servers *s)
{
    struct fetch *f = fetch_create(s->moto, s->inv, NULL);
    fetch_start_all(f);
    while (fetch_running(f))
        http_engine_step(s->http, -1, 1000, NULL);
    fetch_destroy(f);
}

/* The default VPC, a subnet in each of three zones, its default group and main route table. */
static void pick_resources(struct servers *s)
{
    for (size_t i = 0; i < inventory_count(s->inv, INV_VPC); i++) {
        const struct inv_resource *v = inventory_at(s->inv, INV_VPC, i);
        if (v->vpc.is_default)
            s->vpc_id = v->id;
    }
    assert_non_null(s->vpc_id);
    struct inv_ids sn = inventory_vpc_subnets(s->inv, s->vpc_id);
    assert_true(sn.n >= 3);
    for (size_t i = 0; i < 3; i++)
        s->subnets[i] = sn.v[i];
    for (size_t i = 0; i < inventory_count(s->inv, INV_SECURITY_GROUP); i++) {
        const struct inv_resource *g = inventory_at(s->inv, INV_SECURITY_GROUP, i);
        cJSON *item = inventory_item(s->inv, g);
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "GroupName"));
        if (g->vpc_id && strcmp(g->vpc_id, s->vpc_id) == 0 && name && !strcmp(name, "default"))
            s->default_sg = g->id;
        cJSON_Delete(item);
    }
    for (size_t i = 0; i < inventory_count(s->inv, INV_ROUTE_TABLE); i++) {
        const struct inv_resource *r = inventory_at(s->inv, INV_ROUTE_TABLE, i);
        if (r->vpc_id && strcmp(r->vpc_id, s->vpc_id) == 0)
            s->main_rtb = r->id;
    }
    assert_non_null(s->default_sg);
    assert_non_null(s->main_rtb);
}

static int setup(void **state)
{
    struct servers *s = xcalloc(1, sizeof(*s));
    if (!test_servers_start(&s->t, "mutate", 7)) {
        free(s);
        return -1;
    }
    s->http = http_engine_create(NULL, NULL);
    s->moto = client_to(s, s->t.moto_url);
    s->proxy = client_to(s, s->t.proxy_url);
    s->inv = inventory_create();
    s->live = mutate_gate_create(MUTATE_LIVE, "--write");
    *state = s;
    load_inventory(s);
    pick_resources(s);
    return 0;
}

static int teardown(void **state)
{
    struct servers *s = *state;
    if (!s)
        return 0;
    test_servers_stop(&s->t);
    mutate_gate_destroy(s->live);
    inventory_destroy(s->inv);
    aws_client_destroy(s->moto);
    aws_client_destroy(s->proxy);
    http_engine_destroy(s->http);
    free(s);
    return 0;
}

/* ---- the proxy's control API ---------------------------------------------------------------- */

struct body {
    struct strbuf sb;
    int status;
};

static bool body_data(void *ud, const char *data, size_t len, int http_status)
{
    struct body *b = ud;
    strbuf_add(&b->sb, data, len);
    return true;
}

static void body_done(void *ud, const struct http_result *r)
{
    struct body *b = ud;
    b->status = r->http_status;
}

static cJSON *proxy_http(struct servers *s, const char *path, const char *json)
{
    char *url = xasprintf("%s%s", s->t.proxy_url, path);
    struct body b = {.sb = STRBUF_INIT};
    const char *headers[] = {"Content-Type: application/json", NULL};
    const struct http_request req = {
        .method = json ? "POST" : "GET",
        .url = url,
        .headers = headers,
        .body = json,
        .body_len = json ? strlen(json) : 0,
        .on_data = body_data,
        .on_done = body_done,
        .ud = &b,
    };
    http_engine_wait(s->http, http_engine_submit(s->http, &req));
    assert_int_equal(b.status, 200);
    cJSON *out = cJSON_Parse(strbuf_str(&b.sb));
    assert_non_null(out);
    strbuf_release(&b.sb);
    free(url);
    return out;
}

static void proxy_config(struct servers *s, const char *json)
{
    cJSON_Delete(proxy_http(s, "/_proxy/config", json));
}

/* stats[table][action], a number (0 when absent). */
static int stat_of(const cJSON *stats, const char *table, const char *action)
{
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(stats, table), action);
    return cJSON_IsNumber(v) ? v->valueint : 0;
}

/* ---- driving operations --------------------------------------------------------------------- */

static const struct mutate_options fast = {.poll_first_ms = 50, .poll_timeout_ms = 30000};
static const struct mutate_options fast_no_dry = {
    .skip_dry_run = true, .poll_first_ms = 50, .poll_timeout_ms = 30000};

/* Steps the engine until the operation is READY or finished (60 s at most). */
static void drive(struct servers *s, struct mutate_op *op)
{
    time_t start = time(NULL);
    while (mutate_op_phase(op) != MUTATE_PHASE_READY && !mutate_op_finished(op)) {
        http_engine_step(s->http, -1, 500, NULL);
        if (time(NULL) - start > 60)
            fail_msg("operation stuck in %s", mutate_phase_name(mutate_op_phase(op)));
    }
}

static void expect_phase(struct mutate_op *op, enum mutate_phase want)
{
    if (mutate_op_phase(op) != want)
        fail_msg("phase %s, wanted %s: %s", mutate_phase_name(mutate_op_phase(op)),
                 mutate_phase_name(want), mutate_op_message(op));
}

static struct mutate_op *new_op(struct servers *s, struct aws_client *c,
                                const struct mutate_request *req, const struct mutate_options *opts)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    struct mutate_op *op = mutate_op_create(s->live, c, s->inv, req, opts, &err);
    if (!op)
        fail_msg("mutate_op_create: %s", err.message);
    vpcx_error_finish(&err);
    return op;
}

/* check, expect READY, confirm, expect DONE. */
static void run_to_done(struct servers *s, struct mutate_op *op)
{
    assert_int_equal(mutate_op_check(op), VPCX_OK);
    drive(s, op);
    expect_phase(op, MUTATE_PHASE_READY);
    assert_int_equal(mutate_op_confirm(op), VPCX_OK);
    drive(s, op);
    expect_phase(op, MUTATE_PHASE_DONE);
}

/* The endpoint as moto has it now, or NULL. Caller frees. */
static cJSON *describe(struct servers *s, const char *id)
{
    struct aws_query q;
    aws_query_init(&q, NULL, NULL);
    aws_query_add(&q, "VpcEndpointId.1", id);
    cJSON *res = NULL;
    struct vpcx_error err;
    vpcx_error_init(&err);
    enum vpcx_status st =
        aws_client_call_sync(s->moto, AWS_SERVICE_EC2, "DescribeVpcEndpoints", &q, &res, &err);
    vpcx_error_finish(&err);
    aws_query_finish(&q);
    if (st != VPCX_OK)
        return NULL;
    cJSON *ep = cJSON_DetachItemFromArray(cJSON_GetObjectItem(res, "VpcEndpoints"), 0);
    cJSON_Delete(res);
    return ep;
}

/* Endpoints moto holds with this Name tag, in any state but deleted. */
static int count_named(struct servers *s, const char *name)
{
    struct aws_query q;
    aws_query_init(&q, NULL, NULL);
    cJSON *res = NULL;
    assert_int_equal(
        aws_client_call_sync(s->moto, AWS_SERVICE_EC2, "DescribeVpcEndpoints", &q, &res, NULL),
        VPCX_OK);
    aws_query_finish(&q);
    int n = 0;
    const cJSON *ep, *tag;
    cJSON_ArrayForEach(ep, cJSON_GetObjectItem(res, "VpcEndpoints"))
    {
        const char *st = cJSON_GetStringValue(cJSON_GetObjectItem(ep, "State"));
        cJSON_ArrayForEach(tag, cJSON_GetObjectItem(ep, "Tags"))
        {
            const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(tag, "Value"));
            if (v && !strcmp(v, name) && !(st && !strcmp(st, "deleted")))
                n++;
        }
    }
    cJSON_Delete(res);
    return n;
}

static struct endpoint_spec ssm_spec(struct servers *s, const struct endpoint_tag *name)
{
    return (struct endpoint_spec){
        .vpc_id = s->vpc_id,
        .service_name = SSM,
        .kind = INV_ENDPOINT_INTERFACE,
        .subnet_ids = {s->subnets, 2},
        .group_ids = {&s->default_sg, 1},
        .private_dns = INV_NO,
        .tags = name,
        .n_tags = 1,
    };
}

/* Creates an SSM endpoint straight on moto (skip DryRun, which moto would carry out). */
static char *create_direct(struct servers *s, const char *name)
{
    const struct endpoint_tag tag = {"Name", name};
    const struct mutate_request req = {.kind = MUTATE_CREATE, .spec = ssm_spec(s, &tag)};
    struct mutate_op *op = new_op(s, s->moto, &req, &fast_no_dry);
    run_to_done(s, op);
    char *id = xstrdup(mutate_op_endpoint_id(op));
    mutate_op_destroy(op);
    return id;
}

/* An outside change, as another tool would make it. */
static void boto3_add_subnet(struct servers *s, const char *endpoint_id, const char *subnet_id)
{
    char *cmd = xasprintf(
        "python3 -c \"import boto3; boto3.client('ec2', endpoint_url='%s', "
        "region_name='us-east-1', aws_access_key_id='AKIDTEST', aws_secret_access_key='secret')"
        ".modify_vpc_endpoint(VpcEndpointId='%s', AddSubnetIds=['%s'])\"",
        s->t.moto_url, endpoint_id, subnet_id);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void test_create_interface_through_proxy(void **state)
{
    struct servers *s = *state;
    proxy_config(s, "{}");
    const struct endpoint_tag tag = {"Name", "it's the ssm endpoint"};
    const struct mutate_request req = {.kind = MUTATE_CREATE, .spec = ssm_spec(s, &tag)};

    struct preflight_report r;
    preflight_report_init(&r);
    preflight_check_create(s->inv, &req.spec, &r);
    for (size_t i = 0; i < r.n; i++)
        if (r.v[i].severity == PREFLIGHT_ERROR)
            fail_msg("preflight: %s", r.v[i].text);
    preflight_report_finish(&r);

    struct mutate_op *op = new_op(s, s->proxy, &req, &fast);
    assert_non_null(strstr(mutate_op_cli(op), "--tag-specifications '[{\"ResourceType\":"));
    assert_non_null(strstr(mutate_op_cli(op), mutate_op_client_token(op)));
    run_to_done(s, op);
    assert_true(mutate_op_dry_run_passed(op));
    const char *id = mutate_op_endpoint_id(op);
    const struct inv_resource *ep = inventory_find(s->inv, INV_ENDPOINT, id);
    assert_non_null(ep);
    assert_string_equal(ep->state, "available");
    assert_int_equal(ep->endpoint.subnet_ids.n, 2);
    assert_int_equal(ep->endpoint.eni_ids.n, 2);
    assert_int_equal(count_named(s, tag.value), 1);

    cJSON *st = proxy_http(s, "/_proxy/stats", NULL);
    assert_int_equal(stat_of(st, "dry_run", "CreateVpcEndpoint"), 1);
    assert_int_equal(stat_of(st, "requests", "CreateVpcEndpoint"), 2);
    cJSON_Delete(st);
    mutate_op_destroy(op);
}

static void test_create_gateway_direct(void **state)
{
    struct servers *s = *state;
    const struct endpoint_tag tag = {"Name", "s3 gateway"};
    const struct mutate_request req = {
        .kind = MUTATE_CREATE,
        .spec = {.vpc_id = s->vpc_id,
                 .service_name = S3,
                 .kind = INV_ENDPOINT_GATEWAY,
                 .route_table_ids = {&s->main_rtb, 1},
                 .tags = &tag,
                 .n_tags = 1},
    };
    struct mutate_op *op = new_op(s, s->moto, &req, &fast_no_dry);
    assert_non_null(strstr(mutate_op_cli(op), "--route-table-ids rtb-"));
    run_to_done(s, op);
    assert_false(mutate_op_dry_run_passed(op));
    cJSON *ep = describe(s, mutate_op_endpoint_id(op));
    assert_non_null(ep);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(ep, "VpcEndpointType")),
                        "Gateway");
    assert_string_equal(
        cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItem(ep, "RouteTableIds"), 0)),
        s->main_rtb);
    cJSON_Delete(ep);
    mutate_op_destroy(op);
}

/*
 * A second group in the default VPC, made with boto3 (the C client has no
 * shape for CreateSecurityGroup: it is not an operation vpcx sends).
 */
static char *make_group(struct servers *s)
{
    char *cmd = xasprintf(
        "python3 -c \"import boto3; print(boto3.client('ec2', endpoint_url='%s', "
        "region_name='us-east-1', aws_access_key_id='AKIDTEST', aws_secret_access_key='secret')"
        ".create_security_group(GroupName='endpoint-clients', Description='test', VpcId='%s')"
        "['GroupId'])\"",
        s->t.moto_url, s->vpc_id);
    char *id = test_run_for_line(cmd);
    free(cmd);
    assert_non_null(id);
    return id;
}

static void test_modify_subnets_groups_policy(void **state)
{
    struct servers *s = *state;
    proxy_config(s, "{}");
    char *id = create_direct(s, "to modify");
    char *sg = make_group(s);
    const char *groups[] = {sg};
    const char *subnets[] = {s->subnets[0], s->subnets[2]};
    const char *policy = "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\",\n"
                         "  \"Action\": \"ssm:Get*\", \"Resource\": \"*\"}]}";
    cJSON *base = inventory_item(s->inv, inventory_find(s->inv, INV_ENDPOINT, id));
    const struct mutate_request req = {
        .kind = MUTATE_MODIFY,
        .endpoint_id = id,
        .base = base,
        .spec = {.subnet_ids = {subnets, 2},
                 .group_ids = {groups, 1},
                 .policy = policy,
                 .private_dns = INV_UNKNOWN},
    };
    struct mutate_op *op = new_op(s, s->proxy, &req, &fast);
    assert_null(mutate_op_cli(op)); /* the delta comes from the fresh read */
    run_to_done(s, op);
    const struct endpoint_delta *d = mutate_op_delta(op);
    assert_int_equal(d->add_subnets.n, 1);
    assert_string_equal(d->add_subnets.v[0], s->subnets[2]);
    assert_string_equal(d->remove_subnets.v[0], s->subnets[1]);
    assert_string_equal(d->add_groups.v[0], sg);
    assert_string_equal(d->remove_groups.v[0], s->default_sg);
    assert_true(d->policy_changed);
    assert_non_null(strstr(mutate_op_cli(op), "--add-subnet-ids subnet-"));
    assert_non_null(strstr(mutate_op_cli(op), "--remove-security-group-ids sg-"));
    assert_non_null(strstr(mutate_op_cli(op), "--policy-document '{\"Statement\""));

    cJSON *now = describe(s, id);
    assert_non_null(now);
    cJSON *want = cJSON_CreateObject();
    cJSON_AddItemToObject(want, "SubnetIds", cJSON_CreateStringArray(subnets, 2));
    cJSON *g = cJSON_AddArrayToObject(want, "Groups");
    cJSON *g0 = cJSON_CreateObject();
    cJSON_AddStringToObject(g0, "GroupId", sg);
    cJSON_AddItemToArray(g, g0);
    cJSON_AddStringToObject(want, "PolicyDocument", policy);
    assert_true(mutate_endpoint_same(now, want));
    /* The inventory holds the same state as moto. */
    cJSON *held = inventory_item(s->inv, inventory_find(s->inv, INV_ENDPOINT, id));
    assert_true(mutate_endpoint_same(held, now));
    cJSON_Delete(held);
    cJSON_Delete(want);
    cJSON_Delete(now);
    cJSON *st = proxy_http(s, "/_proxy/stats", NULL);
    assert_int_equal(stat_of(st, "dry_run", "ModifyVpcEndpoint"), 1);
    assert_int_equal(stat_of(st, "requests", "ModifyVpcEndpoint"), 2);
    cJSON_Delete(st);
    mutate_op_destroy(op);
    cJSON_Delete(base);
    free(sg);
    free(id);
}

static void test_delete(void **state)
{
    struct servers *s = *state;
    proxy_config(s, "{}");
    char *id = create_direct(s, "to delete");
    const struct mutate_request req = {.kind = MUTATE_DELETE, .endpoint_id = id, .typed_id = id};
    struct mutate_op *op = new_op(s, s->proxy, &req, &fast);
    assert_non_null(strstr(mutate_op_cli(op), "delete-vpc-endpoints --region us-east-1 "
                                              "--vpc-endpoint-ids vpce-"));
    run_to_done(s, op);
    assert_string_equal(inventory_find(s->inv, INV_ENDPOINT, id)->state, "deleted");
    cJSON *ep = describe(s, id);
    assert_true(ep == NULL ||
                !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(ep, "State")), "deleted"));
    cJSON_Delete(ep);
    assert_int_equal(count_named(s, "to delete"), 0);
    mutate_op_destroy(op);
    free(id);
}

/* An Unsuccessful item of DeleteVpcEndpoints whose code and message carry RTL, CSI and DEL. */
#define HOSTILE_DELETE                                                                             \
    "<DeleteVpcEndpointsResponse xmlns=\\\"http://ec2.amazonaws.com/doc/2016-11-15/\\\">"          \
    "<requestId>r-1</requestId><unsuccessful><item><error>"                                        \
    "<code>Bad\xc2\x9b"                                                                            \
    "31mCode</code>"                                                                               \
    "<message>no \xe2\x80\xae"                                                                     \
    "way\x7f \xc2\x85"                                                                             \
    "done</message></error>"                                                                       \
    "<resourceId>vpce-0123</resourceId></item></unsuccessful></DeleteVpcEndpointsResponse>"

static bool clean(const char *s)
{
    return s && sanitize_is_clean(s, strlen(s), SANITIZE_ESCAPE);
}

/* AWS's text kept by a failed delete (code, message) is stored sanitised. */
static void test_delete_refusal_kept_sanitised(void **state)
{
    struct servers *s = *state;
    proxy_config(s, "{\"faults\": {\"DeleteVpcEndpoints\": [{\"kind\": \"answer\", \"nth\": [2], "
                    "\"body\": \"" HOSTILE_DELETE "\"}]}}");
    char *id = create_direct(s, "refused delete");
    const struct mutate_request req = {.kind = MUTATE_DELETE, .endpoint_id = id, .typed_id = id};
    struct mutate_op *op = new_op(s, s->proxy, &req, &fast);
    assert_int_equal(mutate_op_check(op), VPCX_OK);
    drive(s, op);
    expect_phase(op, MUTATE_PHASE_READY);
    assert_int_equal(mutate_op_confirm(op), VPCX_OK);
    drive(s, op);
    expect_phase(op, MUTATE_PHASE_FAILED);
    const struct vpcx_error *e = mutate_op_error(op);
    assert_true(clean(e->aws_code));
    assert_true(clean(e->message));
    assert_true(clean(mutate_op_message(op)));
    assert_string_equal(e->aws_code, "Bad\\x9b31mCode");
    assert_non_null(strstr(mutate_op_message(op), "no \\u202eway\\x7f \\x85done"));
    mutate_op_destroy(op);
    free(id);
}

static void test_read_only_gate_sends_nothing(void **state)
{
    struct servers *s = *state;
    char *id = create_direct(s, "kept");
    proxy_config(s, "{}"); /* clears the stats */
    struct mutate_gate *ro = mutate_gate_create(MUTATE_READ_ONLY, NULL);
    const struct endpoint_tag tag = {"Name", "never"};
    cJSON *base = inventory_item(s->inv, inventory_find(s->inv, INV_ENDPOINT, id));
    const struct mutate_request reqs[] = {
        {.kind = MUTATE_CREATE, .spec = ssm_spec(s, &tag)},
        {.kind = MUTATE_MODIFY, .endpoint_id = id, .base = base, .spec = ssm_spec(s, &tag)},
        {.kind = MUTATE_DELETE, .endpoint_id = id, .typed_id = id},
    };
    for (size_t k = 0; k < 3; k++) {
        struct vpcx_error err;
        vpcx_error_init(&err);
        assert_null(mutate_op_create(ro, s->proxy, s->inv, &reqs[k], &fast, &err));
        assert_int_equal(err.status, VPCX_ERR_READ_ONLY);
        assert_non_null(strstr(err.message, "read-only"));
        vpcx_error_finish(&err);
    }
    while (!http_engine_idle(s->http))
        http_engine_step(s->http, -1, 200, NULL);
    cJSON *st = proxy_http(s, "/_proxy/stats", NULL);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "requests")), 0);
    cJSON_Delete(st);
    assert_int_equal(count_named(s, "never"), 0);
    cJSON *still = describe(s, id);
    assert_non_null(still);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(still, "State")), "available");
    cJSON_Delete(still);
    cJSON_Delete(base);
    mutate_gate_destroy(ro);
    free(id);
}

static void test_dry_run_permission_failure(void **state)
{
    struct servers *s = *state;
    proxy_config(s, "{\"faults\": {\"CreateVpcEndpoint\": [{\"kind\": \"unauthorized\", "
                    "\"nth\": [1]}]}}");
    const struct endpoint_tag tag = {"Name", "not allowed"};
    const struct mutate_request req = {.kind = MUTATE_CREATE, .spec = ssm_spec(s, &tag)};
    struct mutate_op *op = new_op(s, s->proxy, &req, &fast);
    assert_int_equal(mutate_op_check(op), VPCX_OK);
    drive(s, op);
    expect_phase(op, MUTATE_PHASE_FAILED);
    const struct vpcx_error *e = mutate_op_error(op);
    assert_int_equal(e->status, VPCX_ERR_ACCESS_DENIED);
    assert_string_equal(e->aws_code, "UnauthorizedOperation");
    assert_non_null(strstr(e->message, "Encoded authorization failure message"));
    assert_false(mutate_op_dry_run_passed(op));
    assert_int_equal(mutate_op_confirm(op), VPCX_ERR_USAGE); /* no way on from FAILED */
    cJSON *st = proxy_http(s, "/_proxy/stats", NULL);
    assert_int_equal(stat_of(st, "requests", "CreateVpcEndpoint"), 1);
    cJSON_Delete(st);
    assert_int_equal(count_named(s, "not allowed"), 0);
    mutate_op_destroy(op);
}

/* moto 5.2.1 does not honour ClientToken: two creates with one token make two endpoints. */
static void test_moto_ignores_client_token(void **state)
{
    struct servers *s = *state;
    const struct endpoint_tag tag = {"Name", "token twice"};
    struct endpoint_spec spec = ssm_spec(s, &tag);
    for (int i = 0; i < 2; i++) {
        struct aws_query q;
        mutate_build_create_query(&q, &spec, "0b7c2a52-0000-4000-8000-000000000001");
        assert_int_equal(
            aws_client_call_sync(s->moto, AWS_SERVICE_EC2, "CreateVpcEndpoint", &q, NULL, NULL),
            VPCX_OK);
        aws_query_finish(&q);
    }
    assert_int_equal(count_named(s, "token twice"), 2);
}

static void test_retried_create_makes_one_endpoint(void **state)
{
    struct servers *s = *state;
    /* Request 1 is the DryRun; the real call (2) reaches moto and its answer is lost. */
    proxy_config(s, "{\"faults\": {\"CreateVpcEndpoint\": [{\"kind\": \"drop_after\", "
                    "\"nth\": [2]}]}}");
    const struct endpoint_tag tag = {"Name", "retried once"};
    const struct mutate_request req = {.kind = MUTATE_CREATE, .spec = ssm_spec(s, &tag)};
    struct mutate_op *op = new_op(s, s->proxy, &req, &fast);
    run_to_done(s, op);
    assert_int_equal(count_named(s, "retried once"), 1);
    cJSON *st = proxy_http(s, "/_proxy/stats", NULL);
    assert_int_equal(stat_of(st, "requests", "CreateVpcEndpoint"), 3);
    assert_int_equal(stat_of(st, "idempotent_replays", "CreateVpcEndpoint"), 1);
    cJSON *bodies = cJSON_GetObjectItem(cJSON_GetObjectItem(st, "bodies"), "CreateVpcEndpoint");
    assert_int_equal(cJSON_GetArraySize(bodies), 3);
    /* The retry re-sent the real call byte for byte; the DryRun differs by DryRun=true. */
    assert_string_equal(cJSON_GetArrayItem(bodies, 1)->valuestring,
                        cJSON_GetArrayItem(bodies, 2)->valuestring);
    assert_string_not_equal(cJSON_GetArrayItem(bodies, 0)->valuestring,
                            cJSON_GetArrayItem(bodies, 1)->valuestring);
    cJSON_Delete(st);
    mutate_op_destroy(op);
}

static struct mutate_op *modify_op(struct servers *s, const char *id, const cJSON *base,
                                   const char **subnets)
{
    const struct mutate_request req = {
        .kind = MUTATE_MODIFY,
        .endpoint_id = id,
        .base = base,
        .spec = {.subnet_ids = {subnets, 1},
                 .group_ids = {&s->default_sg, 1},
                 .private_dns = INV_UNKNOWN},
    };
    return new_op(s, s->proxy, &req, &fast);
}

static void expect_conflict(struct servers *s, struct mutate_op *op, int modify_requests)
{
    expect_phase(op, MUTATE_PHASE_CONFLICT);
    const cJSON *base = NULL, *cur = NULL;
    mutate_op_conflict(op, &base, &cur);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(base, "SubnetIds")), 2);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(cur, "SubnetIds")), 3);
    assert_non_null(strstr(mutate_op_message(op), "changed by someone else"));
    cJSON *st = proxy_http(s, "/_proxy/stats", NULL);
    assert_int_equal(stat_of(st, "requests", "ModifyVpcEndpoint"), modify_requests);
    cJSON_Delete(st);
}

static void test_modify_racing_outside_change(void **state)
{
    struct servers *s = *state;
    const char *keep_one[] = {s->subnets[0]};

    /* Changed between the form's snapshot and the check. */
    char *id = create_direct(s, "race 1");
    cJSON *base = inventory_item(s->inv, inventory_find(s->inv, INV_ENDPOINT, id));
    proxy_config(s, "{}");
    boto3_add_subnet(s, id, s->subnets[2]);
    struct mutate_op *op = modify_op(s, id, base, keep_one);
    mutate_op_check(op);
    drive(s, op);
    expect_conflict(s, op, 0);
    mutate_op_destroy(op);
    cJSON_Delete(base);
    free(id);

    /* Changed after the check (DryRun passed) and before the send. */
    id = create_direct(s, "race 2");
    base = inventory_item(s->inv, inventory_find(s->inv, INV_ENDPOINT, id));
    proxy_config(s, "{}");
    op = modify_op(s, id, base, keep_one);
    mutate_op_check(op);
    drive(s, op);
    expect_phase(op, MUTATE_PHASE_READY);
    boto3_add_subnet(s, id, s->subnets[2]);
    mutate_op_confirm(op);
    drive(s, op);
    expect_conflict(s, op, 1); /* only the DryRun */
    cJSON *now = describe(s, id);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(now, "SubnetIds")), 3);
    cJSON_Delete(now);
    mutate_op_destroy(op);
    cJSON_Delete(base);
    free(id);
}

/* ---- a call that fails before it is sent ---------------------------------------------------- */

struct watcher {
    struct mutate_op *op; /* NULL once the handler destroyed it */
    bool destroy_when_finished;
    int events;
    enum mutate_phase phase;
    char *message;
};

static void watch_event(void *ud, struct mutate_op *op)
{
    struct watcher *w = ud;
    w->events++;
    w->phase = mutate_op_phase(op);
    free(w->message);
    w->message = xstrdup(mutate_op_message(op));
    if (w->destroy_when_finished && mutate_op_finished(op)) {
        mutate_op_destroy(op); /* allowed: the handler may destroy the operation */
        w->op = NULL;
    }
}

/* Keys that cannot sign: the DryRun fails before anything is sent. */
static struct aws_client *keyless_client(struct servers *s)
{
    struct aws_credentials creds = {.access_key_id = "", .secret_access_key = "secret"};
    const struct aws_client_config cfg = {
        .region = "us-east-1",
        .ec2_endpoint = s->t.proxy_url,
        .sts_endpoint = s->t.proxy_url,
        .max_attempts = 3,
        .credentials = &creds,
    };
    return aws_client_create(s->http, &cfg);
}

static void run_unsignable_check(struct servers *s, struct watcher *w)
{
    struct aws_client *c = keyless_client(s);
    const struct endpoint_tag tag = {"Name", "unsignable"};
    const struct mutate_request req = {.kind = MUTATE_CREATE, .spec = ssm_spec(s, &tag)};
    struct mutate_options opts = fast;
    opts.on_event = watch_event;
    opts.ud = w;
    w->op = new_op(s, c, &req, &opts);
    assert_int_equal(mutate_op_check(w->op), VPCX_OK); /* op may be gone here */
    time_t start = time(NULL);
    while (w->phase != MUTATE_PHASE_FAILED || !http_engine_idle(s->http)) {
        http_engine_step(s->http, -1, 200, NULL);
        if (time(NULL) - start > 30)
            fail_msg("no failure after 30 s: %s", w->message ? w->message : "no event");
    }
    /* the failure is the last word, not a later "checking permission" */
    assert_int_equal(w->phase, MUTATE_PHASE_FAILED);
    assert_non_null(strstr(w->message, "cannot sign the request"));
    if (w->op) {
        assert_int_equal(mutate_op_phase(w->op), MUTATE_PHASE_FAILED);
        assert_non_null(strstr(mutate_op_message(w->op), "access key ID or the secret"));
        mutate_op_destroy(w->op);
    }
    aws_client_destroy(c);
    free(w->message);
}

/* A done that fails the operation, whose handler destroys it, must not leave
   mutate.c writing to the freed operation (ASan) or overwriting the failure. */
static void test_unsignable_call_fails_cleanly(void **state)
{
    struct servers *s = *state;
    proxy_config(s, "{}");
    struct watcher destroy = {.destroy_when_finished = true};
    run_unsignable_check(s, &destroy);
    assert_null(destroy.op);
    struct watcher keep = {0};
    run_unsignable_check(s, &keep);
    assert_true(keep.events >= 1);
    cJSON *st = proxy_http(s, "/_proxy/stats", NULL);
    assert_int_equal(stat_of(st, "requests", "CreateVpcEndpoint"), 0);
    cJSON_Delete(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_interface_through_proxy),
        cmocka_unit_test(test_create_gateway_direct),
        cmocka_unit_test(test_modify_subnets_groups_policy),
        cmocka_unit_test(test_delete),
        cmocka_unit_test(test_delete_refusal_kept_sanitised),
        cmocka_unit_test(test_read_only_gate_sends_nothing),
        cmocka_unit_test(test_dry_run_permission_failure),
        cmocka_unit_test(test_moto_ignores_client_token),
        cmocka_unit_test(test_retried_create_makes_one_endpoint),
        cmocka_unit_test(test_modify_racing_outside_change),
        cmocka_unit_test(test_unsignable_call_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
