/*
 * fetch: the decisions that need no network. Paging ends on the last page,
 * fails on a repeated NextToken or past the page cap (instead of looping), and
 * ENIs are split by subnet into a bounded number of chains that cover every
 * subnet exactly once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "vpcx/core/xalloc.h"
#include "vpcx/model/inventory.h"

#include "sync/fetch_internal.h"

/* ---- paging ---- */

static void test_page_last(void **state)
{
    (void)state;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(fetch_check_page("DescribeSubnets", NULL, NULL, 1, 10, &err), FETCH_PAGE_LAST);
    assert_int_equal(fetch_check_page("DescribeSubnets", "", "t1", 2, 10, &err), FETCH_PAGE_LAST);
    /* The last page ends the chain even at the cap. */
    assert_int_equal(fetch_check_page("DescribeSubnets", NULL, "t9", 10, 10, &err),
                     FETCH_PAGE_LAST);
    assert_int_equal(err.status, VPCX_OK);
    assert_null(err.message);
    vpcx_error_finish(&err);
}

static void test_page_next(void **state)
{
    (void)state;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(fetch_check_page("DescribeSubnets", "t1", NULL, 1, 10, &err), FETCH_PAGE_NEXT);
    assert_int_equal(fetch_check_page("DescribeSubnets", "t2", "t1", 2, 10, &err), FETCH_PAGE_NEXT);
    assert_int_equal(fetch_check_page("DescribeSubnets", "t10", "t9", 9, 10, &err),
                     FETCH_PAGE_NEXT);
    assert_int_equal(err.status, VPCX_OK);
    vpcx_error_finish(&err);
}

static void test_page_repeated_token(void **state)
{
    (void)state;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(fetch_check_page("DescribeNetworkInterfaces", "abc", "abc", 3, 10, &err),
                     FETCH_PAGE_REPEATED);
    assert_int_equal(err.status, VPCX_ERR_AWS);
    assert_string_equal(err.message,
                        "DescribeNetworkInterfaces: the service returned the same NextToken twice");
    vpcx_error_finish(&err);
    /* A repeat is named as such even when the cap is reached too. */
    vpcx_error_init(&err);
    assert_int_equal(fetch_check_page("DescribeVpcs", "abc", "abc", 10, 10, &err),
                     FETCH_PAGE_REPEATED);
    vpcx_error_finish(&err);
}

static void test_page_cap(void **state)
{
    (void)state;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(fetch_check_page("DescribeRouteTables", "t10", "t9", 10, 10, &err),
                     FETCH_PAGE_CAP);
    assert_int_equal(err.status, VPCX_ERR_AWS);
    assert_string_equal(err.message, "DescribeRouteTables: still paging after 10 pages; gave up");
    vpcx_error_finish(&err);
}

/*
 * Pages the way page_done() does against a scripted server: token(i) is the
 * NextToken of page i (1-based). Returns the step that ended the chain and
 * the number of pages received.
 */
static enum fetch_page_step page_through(const char *(*token)(unsigned page, char *buf, size_t n),
                                         unsigned max_pages, unsigned *pages,
                                         struct vpcx_error *err)
{
    char *last = NULL;
    char buf[32];
    enum fetch_page_step step;
    *pages = 0;
    for (;;) {
        ++*pages;
        const char *tok = token(*pages, buf, sizeof(buf));
        step = fetch_check_page("DescribeNetworkInterfaces", tok, last, *pages, max_pages, err);
        if (step != FETCH_PAGE_NEXT)
            break;
        free(last);
        last = xstrdup(tok);
        /* A guard that fails to stop would loop forever: bound the test. */
        if (*pages > max_pages + 10)
            fail_msg("still paging after %u pages", *pages);
    }
    free(last);
    return step;
}

static const char *tokens_end_at_5(unsigned page, char *buf, size_t n)
{
    if (page >= 5)
        return NULL;
    snprintf(buf, n, "tok-%u", page);
    return buf;
}

static const char *tokens_stuck_at_3(unsigned page, char *buf, size_t n)
{
    snprintf(buf, n, "tok-%u", page < 3 ? page : 3);
    return buf;
}

static const char *tokens_forever(unsigned page, char *buf, size_t n)
{
    snprintf(buf, n, "tok-%u", page);
    return buf;
}

static void test_paging_ends(void **state)
{
    (void)state;
    struct vpcx_error err;
    vpcx_error_init(&err);
    unsigned pages;
    assert_int_equal(page_through(tokens_end_at_5, FETCH_MAX_PAGES, &pages, &err), FETCH_PAGE_LAST);
    assert_int_equal(pages, 5);
    assert_int_equal(err.status, VPCX_OK);
    vpcx_error_finish(&err);
}

static void test_paging_stops_on_repeated_token(void **state)
{
    (void)state;
    struct vpcx_error err;
    vpcx_error_init(&err);
    unsigned pages;
    assert_int_equal(page_through(tokens_stuck_at_3, FETCH_MAX_PAGES, &pages, &err),
                     FETCH_PAGE_REPEATED);
    /* Page 3 asked with tok-2 answered tok-3; page 4 asked with tok-3 answered tok-3. */
    assert_int_equal(pages, 4);
    assert_non_null(strstr(err.message, "same NextToken twice"));
    vpcx_error_finish(&err);
}

/* The real cap: a server that always hands out a new token is cut off. */
static void test_paging_stops_at_cap(void **state)
{
    (void)state;
    struct vpcx_error err;
    vpcx_error_init(&err);
    unsigned pages;
    assert_int_equal(page_through(tokens_forever, FETCH_MAX_PAGES, &pages, &err), FETCH_PAGE_CAP);
    assert_int_equal(pages, FETCH_MAX_PAGES);
    char want[96];
    snprintf(want, sizeof(want), "DescribeNetworkInterfaces: still paging after %u pages; gave up",
             (unsigned)FETCH_MAX_PAGES);
    assert_string_equal(err.message, want);
    vpcx_error_finish(&err);
}

/* ---- ENI shards by subnet ---- */

/*
 * n subnets subnet-00000.. in a /16 (65536 addresses); used[i] addresses in
 * use, i.e. AvailableIpAddressCount = 65536 - 5 - used[i]. UINT64_MAX leaves
 * AvailableIpAddressCount out (no estimate).
 */
static struct inventory *subnets(const uint64_t *used, size_t n)
{
    struct inventory *inv = inventory_create();
    for (size_t i = 0; i < n; i++) {
        char json[256];
        if (used[i] == UINT64_MAX)
            snprintf(json, sizeof(json),
                     "{\"SubnetId\":\"subnet-%05zu\",\"VpcId\":\"vpc-a\","
                     "\"CidrBlock\":\"10.%zu.0.0/16\"}",
                     i, i % 256);
        else
            snprintf(json, sizeof(json),
                     "{\"SubnetId\":\"subnet-%05zu\",\"VpcId\":\"vpc-a\","
                     "\"CidrBlock\":\"10.%zu.0.0/16\",\"AvailableIpAddressCount\":%llu}",
                     i, i % 256, (unsigned long long)(65536 - 5 - used[i]));
        cJSON *item = cJSON_Parse(json);
        assert_non_null(item);
        assert_int_equal(inventory_put(inv, INV_SUBNET, item), VPCX_OK);
    }
    assert_int_equal(inventory_count(inv, INV_SUBNET), n);
    return inv;
}

static uint64_t *filled(size_t n, uint64_t used)
{
    uint64_t *v = xcalloc(n ? n : 1, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = used;
    return v;
}

/* Plans the shards and checks what every plan must hold: each subnet in
   exactly one run, runs in order, none empty or over the filter's limit. */
static size_t plan(const struct inventory *inv, int page_size, struct fetch_shard **out)
{
    size_t n = inventory_count(inv, INV_SUBNET);
    *out = xcalloc(n ? n : 1, sizeof(**out));
    size_t runs = fetch_plan_subnet_shards(inv, page_size, *out);
    assert_true(runs <= n);
    size_t next = 0;
    for (size_t r = 0; r < runs; r++) {
        assert_int_equal((*out)[r].first, next);
        assert_true((*out)[r].count >= 1);
        assert_true((*out)[r].count <= FETCH_SHARD_MAX_VALUES);
        next += (*out)[r].count;
    }
    assert_int_equal(next, n);
    return runs;
}

static void assert_run(const struct fetch_shard *s, size_t first, size_t count)
{
    assert_int_equal(s->first, first);
    assert_int_equal(s->count, count);
}

static void test_shards_none_without_subnets(void **state)
{
    (void)state;
    struct inventory *inv = inventory_create();
    struct fetch_shard *runs;
    assert_int_equal(plan(inv, 1000, &runs), 0);
    free(runs);
    inventory_destroy(inv);
}

/* Runs hold about 4/5 of a page of ENIs each, by the subnets' address counts. */
static void test_shards_group_by_load(void **state)
{
    (void)state;
    const uint64_t used[] = {500, 200, 300, 900, 10, 10};
    struct inventory *inv = subnets(used, 6);
    struct fetch_shard *runs;
    /* target 800: 500+200 | 300 | 900 (alone: more than a run) | 10+10 */
    assert_int_equal(plan(inv, 1000, &runs), 4);
    assert_run(&runs[0], 0, 2);
    assert_run(&runs[1], 2, 1);
    assert_run(&runs[2], 3, 1);
    assert_run(&runs[3], 4, 2);
    free(runs);
    /* A smaller page (target 80) keeps only the two light subnets together. */
    assert_int_equal(plan(inv, 100, &runs), 5);
    assert_run(&runs[4], 4, 2);
    free(runs);
    inventory_destroy(inv);
}

/* Subnets in ID order, not insertion order: the runs follow inventory_at(). */
static void test_shards_in_id_order(void **state)
{
    (void)state;
    struct inventory *inv = inventory_create();
    const char *fixtures[] = {
        "{\"SubnetId\":\"subnet-c\",\"CidrBlock\":\"10.0.2.0/24\",\"AvailableIpAddressCount\":1}",
        "{\"SubnetId\":\"subnet-a\",\"CidrBlock\":\"10.0.0.0/24\",\"AvailableIpAddressCount\":1}",
        "{\"SubnetId\":\"subnet-b\",\"CidrBlock\":\"10.0.1.0/24\","
        "\"AvailableIpAddressCount\":251}",
    };
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(inventory_put(inv, INV_SUBNET, cJSON_Parse(fixtures[i])), VPCX_OK);
    /* a: 250 used, b: 0, c: 250; target 400: a+b | c */
    struct fetch_shard *runs;
    assert_int_equal(plan(inv, 500, &runs), 2);
    assert_run(&runs[0], 0, 2);
    assert_string_equal(inventory_at(inv, INV_SUBNET, 0)->id, "subnet-a");
    assert_string_equal(inventory_at(inv, INV_SUBNET, 1)->id, "subnet-b");
    assert_run(&runs[1], 2, 1);
    free(runs);
    inventory_destroy(inv);
}

/* Without a CIDR or a free-address count a subnet weighs nothing. */
static void test_shards_unknown_load(void **state)
{
    (void)state;
    const uint64_t used[] = {UINT64_MAX, UINT64_MAX, UINT64_MAX, 10};
    struct inventory *inv = subnets(used, 4);
    struct fetch_shard *runs;
    assert_int_equal(plan(inv, 1000, &runs), 1);
    assert_run(&runs[0], 0, 4);
    free(runs);
    inventory_destroy(inv);
}

/* Light subnets: one filter holds at most FETCH_SHARD_MAX_VALUES IDs. */
static void test_shards_value_limit(void **state)
{
    (void)state;
    uint64_t *used = filled(450, 0);
    struct inventory *inv = subnets(used, 450);
    struct fetch_shard *runs;
    assert_int_equal(plan(inv, 1000, &runs), 3);
    assert_run(&runs[0], 0, FETCH_SHARD_MAX_VALUES);
    assert_run(&runs[1], 200, FETCH_SHARD_MAX_VALUES);
    assert_run(&runs[2], 400, 50);
    free(runs);
    inventory_destroy(inv);
    free(used);
}

/* Heavy subnets: each would fill a chain, but the chain count is bounded. */
static void test_shards_bounded(void **state)
{
    (void)state;
    /* 250 heavy subnets: 63 chains of one, the last chain takes the other 187. */
    uint64_t *used = filled(250, 5000);
    struct inventory *inv = subnets(used, 250);
    struct fetch_shard *runs;
    assert_int_equal(plan(inv, 1000, &runs), FETCH_SHARD_MAX);
    for (size_t r = 0; r + 1 < FETCH_SHARD_MAX; r++)
        assert_run(&runs[r], r, 1);
    assert_run(&runs[FETCH_SHARD_MAX - 1], FETCH_SHARD_MAX - 1, 250 - (FETCH_SHARD_MAX - 1));
    free(runs);
    inventory_destroy(inv);
    free(used);

    /* Past the value limit the last chains split at 200 IDs: 63 + 200 + 200 + 200 + 200 + 137. */
    used = filled(1000, 5000);
    inv = subnets(used, 1000);
    size_t n = plan(inv, 1000, &runs);
    assert_int_equal(n, FETCH_SHARD_MAX - 1 + 5);
    assert_run(&runs[FETCH_SHARD_MAX - 1], FETCH_SHARD_MAX - 1, FETCH_SHARD_MAX_VALUES);
    assert_run(&runs[n - 1], 1000 - 137, 137);
    free(runs);
    inventory_destroy(inv);
    free(used);
}

/* ---- the lazy queue of attribute calls ---- */

static void test_lazyq_bounded(void **state)
{
    struct fetch_lazyq q;
    fetch_lazyq_init(&q, 20000, 8);
    size_t job, taken = 0;
    while (fetch_lazyq_take(&q, &job))
        assert_int_equal(job, taken++);
    assert_int_equal(taken, 8); /* not 20000: jobs are created as slots free up */
    fetch_lazyq_done(&q);
    assert_true(fetch_lazyq_take(&q, &job));
    assert_int_equal(job, 8);
    assert_false(fetch_lazyq_take(&q, &job));
    assert_false(fetch_lazyq_finished(&q));
}

static void test_lazyq_drains_in_order(void **state)
{
    struct fetch_lazyq q;
    fetch_lazyq_init(&q, 5, 2);
    size_t job, next = 0, peak = 0;
    unsigned steps = 0;
    while (!fetch_lazyq_finished(&q)) {
        while (fetch_lazyq_take(&q, &job))
            assert_int_equal(job, next++);
        peak = q.in_flight > peak ? q.in_flight : peak;
        fetch_lazyq_done(&q);
        assert_true(++steps <= 5);
    }
    assert_int_equal(next, 5);
    assert_int_equal(peak, 2);
}

static void test_lazyq_empty_and_zero_limit(void **state)
{
    struct fetch_lazyq q;
    size_t job;
    fetch_lazyq_init(&q, 0, 8);
    assert_true(fetch_lazyq_finished(&q));
    assert_false(fetch_lazyq_take(&q, &job));
    fetch_lazyq_init(&q, 3, 0); /* 0 counts as 1, never as "no work" */
    assert_true(fetch_lazyq_take(&q, &job));
    assert_false(fetch_lazyq_take(&q, &job));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_last),
        cmocka_unit_test(test_lazyq_bounded),
        cmocka_unit_test(test_lazyq_drains_in_order),
        cmocka_unit_test(test_lazyq_empty_and_zero_limit),
        cmocka_unit_test(test_page_next),
        cmocka_unit_test(test_page_repeated_token),
        cmocka_unit_test(test_page_cap),
        cmocka_unit_test(test_paging_ends),
        cmocka_unit_test(test_paging_stops_on_repeated_token),
        cmocka_unit_test(test_paging_stops_at_cap),
        cmocka_unit_test(test_shards_none_without_subnets),
        cmocka_unit_test(test_shards_group_by_load),
        cmocka_unit_test(test_shards_in_id_order),
        cmocka_unit_test(test_shards_unknown_load),
        cmocka_unit_test(test_shards_value_limit),
        cmocka_unit_test(test_shards_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
