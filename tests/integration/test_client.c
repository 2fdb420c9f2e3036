/*
 * The AWS client against moto behind the fault proxy (tests/tools/awsproxy.py),
 * which answers as AWS does where moto does not: DryRun, paging, throttling,
 * expired credentials, refused keys. Both servers run on free loopback ports
 * and are stopped by their own pid files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vpcx/aws/client.h"
#include "vpcx/aws/http.h"
#include "vpcx/aws/sts.h"
#include "vpcx/aws/xmlworker.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/inventory.h"
#include "vpcx/sync/fetch.h"

#include "testutil.h"

struct servers {
    struct test_servers t;
    struct http_engine *http;
};

static int setup(void **state)
{
    struct servers *s = xcalloc(1, sizeof(*s));
    if (!test_servers_start(&s->t, "client", 5)) {
        free(s);
        return -1;
    }
    s->http = http_engine_create(NULL, NULL);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    struct servers *s = *state;
    if (!s)
        return 0;
    test_servers_stop(&s->t);
    http_engine_destroy(s->http);
    free(s);
    return 0;
}

struct post_result {
    bool done;
    int status;
};

static void post_done(void *ud, const struct http_result *r)
{
    struct post_result *p = ud;
    p->done = true;
    p->status = r->http_status;
}

/* Sets the proxy's fault configuration through its control API. */
static void proxy_config(struct servers *s, const char *json)
{
    char *url = xasprintf("%s/_proxy/config", s->t.proxy_url);
    struct post_result res = {0};
    const char *headers[] = {"Content-Type: application/json", NULL};
    const struct http_request req = {
        .method = "POST",
        .url = url,
        .headers = headers,
        .body = json,
        .body_len = strlen(json),
        .on_done = post_done,
        .ud = &res,
    };
    http_engine_wait(s->http, http_engine_submit(s->http, &req));
    assert_true(res.done);
    assert_int_equal(res.status, 200);
    free(url);
}

struct reload_counter {
    int calls;
};

/* Answers at once, from inside start (the client must cope with that). */
static void reload_start(void *ud, struct aws_client *client)
{
    struct reload_counter *c = ud;
    c->calls++;
    const struct aws_credentials fresh = {.access_key_id = "AKIDRELOADED",
                                          .secret_access_key = "reloaded-secret"};
    aws_client_reloaded(client, VPCX_OK, &fresh, NULL);
}

static struct aws_client *client_with(struct servers *s, struct reload_counter *rc,
                                      struct xmlworker *w)
{
    struct aws_credentials creds = {.access_key_id = "AKIDTEST", .secret_access_key = "secret"};
    const struct aws_client_config cfg = {
        .region = "us-east-1",
        .ec2_endpoint = s->t.proxy_url,
        .sts_endpoint = s->t.proxy_url,
        .max_attempts = 3,
        .credentials = &creds,
        .reloader = {.start = reload_start, .ud = rc},
        .parse_worker = w,
    };
    return aws_client_create(s->http, &cfg);
}

static struct aws_client *client_for(struct servers *s, struct reload_counter *rc)
{
    return client_with(s, rc, NULL); /* parses inline */
}

static enum vpcx_status call(struct aws_client *c, const char *op, struct aws_query *q,
                             cJSON **result, struct vpcx_error *err)
{
    return aws_client_call_sync(c, AWS_SERVICE_EC2, op, q, result, err);
}

static void test_dry_run_answer(void **state)
{
    struct servers *s = *state;
    proxy_config(s, "{\"paging\": {\"enabled\": true}}");
    struct reload_counter rc = {0};
    struct aws_client *c = client_for(s, &rc);
    struct aws_query q;
    aws_query_init(&q, NULL, NULL);
    aws_query_add(&q, "VpcId", "vpc-12345678");
    aws_query_add(&q, "ServiceName", "com.amazonaws.us-east-1.ssm");
    aws_query_add(&q, "VpcEndpointType", "Interface");
    aws_query_add_bool(&q, "DryRun", true);
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(call(c, "CreateVpcEndpoint", &q, NULL, &err), VPCX_ERR_DRY_RUN_OK);
    assert_string_equal(err.aws_code, "DryRunOperation");
    assert_int_equal(err.http_status, 412);
    struct aws_client_stats st;
    aws_client_get_stats(c, &st);
    assert_int_equal(st.retries, 0);
    vpcx_error_finish(&err);
    aws_query_finish(&q);
    aws_client_destroy(c);
}

static void test_throttled_twice_then_answered(void **state)
{
    struct servers *s = *state;
    proxy_config(s,
                 "{\"faults\": {\"DescribeVpcs\": [{\"kind\": \"throttle\", \"nth\": [1, 2]}]}}");
    struct reload_counter rc = {0};
    struct aws_client *c = client_for(s, &rc);
    struct aws_query q;
    aws_query_init(&q, NULL, NULL);
    cJSON *result = NULL;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(call(c, "DescribeVpcs", &q, &result, &err), VPCX_OK);
    assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(result, "Vpcs")) >= 1);
    struct aws_client_stats st;
    aws_client_get_stats(c, &st);
    assert_int_equal(st.attempts, 3);
    assert_int_equal(st.throttled, 2);
    assert_int_equal(st.paced, 0); /* standard mode never paces */
    assert_int_equal(rc.calls, 0);
    cJSON_Delete(result);
    aws_query_finish(&q);
    aws_client_destroy(c);
}

/* A clock that moves a quarter second each time the limiter reads it. */
static double stepping_clock(void *ud)
{
    double *t = ud;
    *t += 0.25;
    return *t;
}

/* Adaptive mode: after a throttle the client's limiter holds the next attempt
 * until its bucket has a token (0.5 tokens a second at the floor rate). */
static void test_adaptive_paces_after_throttle(void **state)
{
    struct servers *s = *state;
    proxy_config(s,
                 "{\"faults\": {\"DescribeVpcs\": [{\"kind\": \"throttle\", \"nth\": [1, 2]}]}}");
    double clock = 0.0;
    struct aws_credentials creds = {.access_key_id = "AKIDTEST", .secret_access_key = "secret"};
    const struct aws_client_config cfg = {
        .region = "us-east-1",
        .ec2_endpoint = s->t.proxy_url,
        .sts_endpoint = s->t.proxy_url,
        .max_attempts = 3,
        .credentials = &creds,
        .retry_mode = RETRY_MODE_ADAPTIVE,
        .now = stepping_clock,
        .now_ud = &clock,
    };
    struct aws_client *c = aws_client_create(s->http, &cfg);
    struct aws_query q;
    aws_query_init(&q, NULL, NULL);
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(call(c, "DescribeVpcs", &q, NULL, &err), VPCX_OK);
    struct aws_client_stats st;
    aws_client_get_stats(c, &st);
    assert_int_equal(st.attempts, 3);
    assert_int_equal(st.throttled, 2);
    /* the retries waited for tokens (the bucket fills at 0.5 a second) */
    assert_true(st.paced > 0);
    vpcx_error_finish(&err);
    aws_query_finish(&q);
    aws_client_destroy(c);
}

static void test_always_throttled_gives_up_after_max_attempts(void **state)
{
    struct servers *s = *state;
    proxy_config(s, "{\"paging\": {\"enabled\": true}, \"faults\": {\"DescribeSubnets\": "
                    "[{\"kind\": \"throttle\", \"always\": "
                    "true}]}}");
    struct reload_counter rc = {0};
    struct aws_client *c = client_for(s, &rc);
    struct aws_query q;
    aws_query_init(&q, NULL, NULL);
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(call(c, "DescribeSubnets", &q, NULL, &err), VPCX_ERR_THROTTLED);
    assert_string_equal(err.aws_code, "RequestLimitExceeded");
    assert_non_null(strstr(err.message, "after 3 attempts"));
    struct aws_client_stats st;
    aws_client_get_stats(c, &st);
    assert_int_equal(st.attempts, 3);
    vpcx_error_finish(&err);
    aws_query_finish(&q);
    aws_client_destroy(c);
}

static void test_expired_reloads_credentials_once(void **state)
{
    struct servers *s = *state;
    proxy_config(s, "{\"paging\": {\"enabled\": true}, \"faults\": {\"DescribeVpcs\": [{\"kind\": "
                    "\"expired\", \"nth\": [1]}]}}");
    struct reload_counter rc = {0};
    struct aws_client *c = client_for(s, &rc);
    struct aws_query q;
    aws_query_init(&q, NULL, NULL);
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(call(c, "DescribeVpcs", &q, NULL, &err), VPCX_OK);
    assert_int_equal(rc.calls, 1);
    aws_query_finish(&q);

    /* Expired on every answer: one reload, then the error stands. */
    proxy_config(s, "{\"paging\": {\"enabled\": true}, \"faults\": {\"DescribeVpcs\": [{\"kind\": "
                    "\"expired\", \"always\": "
                    "true}]}}");
    aws_query_init(&q, NULL, NULL);
    assert_int_equal(call(c, "DescribeVpcs", &q, NULL, &err), VPCX_ERR_EXPIRED);
    assert_int_equal(rc.calls, 2);
    assert_non_null(err.hint);
    vpcx_error_finish(&err);
    aws_query_finish(&q);
    aws_client_destroy(c);
}

static void test_refused_keys_not_retried(void **state)
{
    struct servers *s = *state;
    proxy_config(s, "{\"paging\": {\"enabled\": true}, \"faults\": {\"DescribeVpcs\": [{\"kind\": "
                    "\"auth\", \"always\": true}]}}");
    struct reload_counter rc = {0};
    struct aws_client *c = client_for(s, &rc);
    struct aws_query q;
    aws_query_init(&q, NULL, NULL);
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(call(c, "DescribeVpcs", &q, NULL, &err), VPCX_ERR_AUTH);
    assert_string_equal(err.aws_code, "AuthFailure");
    struct aws_client_stats st;
    aws_client_get_stats(c, &st);
    assert_int_equal(st.attempts, 1);
    vpcx_error_finish(&err);
    aws_query_finish(&q);
    aws_client_destroy(c);
}

/* Fetches every type into inv, pages of 5, and fails unless each slot finished. */
static struct fetch *fetch_all(struct servers *s, struct aws_client *c, struct inventory *inv)
{
    const struct fetch_options opts = {.page_size = 5};
    struct fetch *f = fetch_create(c, inv, &opts);
    fetch_start_all(f);
    while (fetch_running(f)) {
        bool ready;
        http_engine_step(s->http, -1, 1000, &ready);
    }
    for (int t = 0; t < FETCH_SLOTS; t++) {
        const struct fetch_progress *p = fetch_get_progress(f, t);
        if (p->state != FETCH_DONE)
            fail_msg("%s: %s", fetch_slot_name(t), p->error.message ? p->error.message : "?");
    }
    return f;
}

/* The fetch layer follows NextToken to the end with the page size it is given. */
static void test_fetch_walks_every_page(void **state)
{
    struct servers *s = *state;
    proxy_config(s, "{\"paging\": {\"enabled\": true}}");
    struct reload_counter rc = {0};
    struct aws_client *c = client_for(s, &rc);
    struct inventory *inv = inventory_create();
    struct fetch *f = fetch_all(s, c, inv);
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        assert_int_equal(fetch_get_progress(f, t)->items, inventory_count(inv, (enum inv_type)t));
    /* moto's us-east-1 has 6 default subnets and 250+ endpoint services: several pages. */
    assert_int_equal(inventory_count(inv, INV_SUBNET), 6);
    assert_int_equal(fetch_get_progress(f, INV_SUBNET)->pages, 2);
    assert_true(fetch_get_progress(f, INV_SERVICE)->pages > 40);
    assert_int_equal(fetch_get_progress(f, FETCH_VPC_ATTRIBUTES)->state, FETCH_DONE);
    const struct inv_resource *vpc = inventory_at(inv, INV_VPC, 0);
    assert_int_not_equal(vpc->vpc.dns_support, INV_UNKNOWN);
    fetch_destroy(f);
    inventory_destroy(inv);
    aws_client_destroy(c);
}

/* Fetches everything, pages of 5, with c; returns the inventory. */
static struct inventory *fetch_everything(struct servers *s, struct aws_client *c)
{
    struct inventory *inv = inventory_create();
    fetch_destroy(fetch_all(s, c, inv));
    return inv;
}

/* Pages parsed on the worker fill the inventory exactly as pages parsed inline. */
static void test_parse_worker_same_inventory(void **state)
{
    struct servers *s = *state;
    proxy_config(s, "{\"paging\": {\"enabled\": true}}");
    struct reload_counter rc = {0};
    struct xmlworker *w = xmlworker_create(s->http, NULL);
    assert_non_null(w);
    struct aws_client *inline_c = client_for(s, &rc);
    struct aws_client *worker_c = client_with(s, &rc, w);
    struct inventory *a = fetch_everything(s, inline_c);
    struct inventory *b = fetch_everything(s, worker_c);
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        size_t n = inventory_count(a, (enum inv_type)t);
        assert_int_equal(n, inventory_count(b, (enum inv_type)t));
        for (size_t i = 0; i < n; i++) {
            const struct inv_resource *ra = inventory_at(a, (enum inv_type)t, i);
            const struct inv_resource *rb = inventory_at(b, (enum inv_type)t, i);
            assert_string_equal(ra->id, rb->id);
            cJSON *ja = inventory_item(a, ra), *jb = inventory_item(b, rb);
            char *ta = cJSON_PrintUnformatted(ja), *tb = cJSON_PrintUnformatted(jb);
            assert_string_equal(ta, tb);
            free(ta);
            free(tb);
            cJSON_Delete(ja);
            cJSON_Delete(jb);
        }
    }
    assert_true(inventory_count(b, INV_SERVICE) > 200);
    struct xmlworker_stats st;
    xmlworker_get_stats(w, &st);
    assert_true(st.items > 200); /* the worker did parse them */
    inventory_destroy(a);
    inventory_destroy(b);
    aws_client_destroy(inline_c);
    aws_client_destroy(worker_c);
    xmlworker_destroy(w);
}

struct slow_call {
    unsigned items;
    bool done;
};

static void slow_item(void *ud, cJSON *item)
{
    struct slow_call *sc = ud;
    sc->items++;
    cJSON_Delete(item);
}

static void slow_done(void *ud, struct aws_call_result *res)
{
    struct slow_call *sc = ud;
    (void)res;
    sc->done = true;
}

/*
 * A page cancelled half-way (the answer dribbles in): its call never
 * finishes, the engine goes idle, the worker stops cleanly (ASan checks
 * for leaks and use after free).
 */
static void test_parse_worker_cancel_mid_page(void **state)
{
    struct servers *s = *state;
    proxy_config(s, "{\"faults\": {\"DescribeVpcEndpointServices\": [{\"kind\": \"slow\", "
                    "\"chunk\": 8192, \"delay\": 0.2, \"always\": true}]}}");
    struct reload_counter rc = {0};
    struct xmlworker *w = xmlworker_create(s->http, NULL);
    struct aws_client *c = client_with(s, &rc, w);
    struct aws_query q;
    aws_query_init(&q, NULL, NULL);
    struct slow_call sc = {0};
    const struct aws_call_params p = {
        .service = AWS_SERVICE_EC2,
        .operation = "DescribeVpcEndpointServices",
        .query = &q,
        .item_list = "ServiceDetails",
        .on_item = slow_item,
        .done = slow_done,
        .ud = &sc,
    };
    uint64_t id = aws_client_call(c, &p);
    /* Until the worker has items of the page (they reach the caller at its end). */
    struct xmlworker_stats st = {0};
    while (st.output_peak == 0 && !sc.done) {
        bool ready;
        http_engine_step(s->http, -1, 1000, &ready);
        xmlworker_get_stats(w, &st);
    }
    assert_false(sc.done);
    unsigned seen = sc.items;
    aws_client_cancel(c, id);
    assert_true(http_engine_idle(s->http));
    for (int i = 0; i < 3; i++)
        http_engine_step(s->http, -1, 0, NULL);
    assert_false(sc.done);
    assert_int_equal(sc.items, seen);
    aws_query_finish(&q);
    aws_client_destroy(c);
    xmlworker_destroy(w);
    proxy_config(s, "{}");
}

/*
 * With many VPCs, the DNS attribute calls (two per VPC) are created as slots
 * free up: the client never holds more than a handful of calls at once,
 * where it used to hold every one of them from the start.
 */
static void test_vpc_attributes_created_lazily(void **state)
{
    enum { N_VPCS = 60 };
    struct servers *s = *state;
    proxy_config(s, "{}");
    struct reload_counter rc = {0};
    struct aws_client *c = client_for(s, &rc);
    char *cmd = xasprintf("python3 %s/tests/tools/seed_account.py --endpoint-url %s --vpcs %d "
                          ">/dev/null",
                          test_srcdir(), s->t.moto_url, N_VPCS);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    struct inventory *inv = inventory_create();
    struct fetch *f = fetch_create(c, inv, NULL);
    fetch_start_all(f);
    while (fetch_running(f)) {
        bool ready;
        http_engine_step(s->http, -1, 1000, &ready);
    }
    const struct fetch_progress *p = fetch_get_progress(f, FETCH_VPC_ATTRIBUTES);
    if (p->state != FETCH_DONE)
        fail_msg("VpcAttributes: %s", p->error.message ? p->error.message : "?");
    size_t n = inventory_count(inv, INV_VPC);
    assert_true(n > N_VPCS);
    assert_int_equal(p->items, 2 * n);
    for (size_t i = 0; i < n; i++) {
        const struct inv_resource *vpc = inventory_at(inv, INV_VPC, i);
        assert_int_not_equal(vpc->vpc.dns_support, INV_UNKNOWN);
        assert_int_not_equal(vpc->vpc.dns_hostnames, INV_UNKNOWN);
    }
    struct aws_client_stats after;
    aws_client_get_stats(c, &after);
    assert_int_equal(after.live, 0);
    /* Every type's first page and at most 8 attribute calls: far below 2 * n. */
    if (after.live_peak > INV_TYPE_COUNT + 8)
        fail_msg("%lu calls alive at once for %zu VPCs", after.live_peak, n);
    fetch_destroy(f);
    inventory_destroy(inv);
    aws_client_destroy(c);
}

/* sts.c's AssumeRole through the proxy, signed with test keys; moto answers. */
static enum vpcx_status assume_through_proxy(struct servers *s, struct aws_credentials *out,
                                             struct vpcx_error *err)
{
    struct aws_settings set;
    aws_settings_init(&set);
    set.sts_endpoint.value = xstrdup(s->t.proxy_url);
    set.ec2_endpoint.value = xstrdup(s->t.proxy_url);
    set.max_attempts_n = 3;
    struct sts_assume_ctx ctx = {.http = s->http, .settings = &set};
    struct aws_sts_ops ops;
    sts_ops_init(&ops, &ctx, NULL);
    struct aws_credentials source;
    aws_credentials_init(&source);
    source.access_key_id = xstrdup("AKIDTEST");
    source.secret_access_key = xstrdup("secret");
    const struct aws_assume_role_params params = {
        .role_arn = "arn:aws:iam::123456789012:role/Explorer",
        .role_session_name = "vpcx-test",
    };
    aws_credentials_init(out);
    enum vpcx_status st = ops.assume_role(ops.ud, &source, &params, "us-east-1", out, err);
    aws_credentials_finish(&source);
    aws_settings_finish(&set);
    return st;
}

/*
 * An AssumeRole answer with <AccessKeyId/> is refused where it is read: taken,
 * its keys could not sign, and the failed signature freed the call that
 * aws_client_call() went on to read.
 */
static void test_assume_role_empty_access_key_refused(void **state)
{
    struct servers *s = *state;
    proxy_config(s, "{}");
    struct aws_credentials out;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(assume_through_proxy(s, &out, &err), VPCX_OK);
    assert_true(out.access_key_id && *out.access_key_id);
    assert_true(out.session_token && *out.session_token);
    aws_credentials_finish(&out);

    proxy_config(s, "{\"faults\": {\"AssumeRole\": [{\"kind\": \"blank_access_key\", "
                    "\"always\": true}]}}");
    assert_int_equal(assume_through_proxy(s, &out, &err), VPCX_ERR_PARSE);
    assert_non_null(strstr(err.message, "AssumeRole: the answer's AccessKeyId is missing, empty"));
    assert_null(out.access_key_id);
    assert_null(out.secret_access_key);
    assert_null(out.session_token);
    vpcx_error_finish(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dry_run_answer),
        cmocka_unit_test(test_throttled_twice_then_answered),
        cmocka_unit_test(test_always_throttled_gives_up_after_max_attempts),
        cmocka_unit_test(test_adaptive_paces_after_throttle),
        cmocka_unit_test(test_expired_reloads_credentials_once),
        cmocka_unit_test(test_refused_keys_not_retried),
        cmocka_unit_test(test_fetch_walks_every_page),
        cmocka_unit_test(test_vpc_attributes_created_lazily),
        cmocka_unit_test(test_parse_worker_same_inventory),
        cmocka_unit_test(test_parse_worker_cancel_mid_page),
        cmocka_unit_test(test_assume_role_empty_access_key_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
