/*
 * checkindex: a report's findings by resource and by VPC, worst severities,
 * counts, ignored findings left out, and the pre-flight rules a check covers.
 * Reports are built by hand: the index only reads what check_run fills.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "vpcx/core/xalloc.h"
#include "vpcx/model/checkindex.h"

static void add(struct check_report *r, enum check_rule rule, enum check_severity sev,
                const char *id, const char *vpc, bool ignored)
{
    r->v = xreallocarray(r->v, r->n + 1, sizeof(*r->v));
    struct check_finding *f = &r->v[r->n++];
    memset(f, 0, sizeof(*f));
    f->rule = rule;
    f->severity = sev;
    f->rule_id = check_rule_id(rule);
    f->resource_type = "VpcEndpoint";
    f->resource_id = xstrdup(id);
    f->vpc_id = vpc ? xstrdup(vpc) : NULL;
    f->title = xstrdup("t");
    f->ignored = ignored;
    r->alloc = r->n;
}

/* Report order: vpce-b's info, vpce-a's warning, subnet-x's warning (ignored),
   vpce-a's error, vpce-c's info with no VPC. */
static void sample(struct check_report *r)
{
    check_report_init(r);
    add(r, CHECK_ENDPOINT_AZ_GAP, CHECK_INFO, "vpce-b", "vpc-2", false);
    add(r, CHECK_ENDPOINT_SINGLE_AZ, CHECK_WARNING, "vpce-a", "vpc-1", false);
    add(r, CHECK_SUBNET_CAPACITY, CHECK_WARNING, "subnet-x", "vpc-2", true);
    add(r, CHECK_SG_NO_HTTPS, CHECK_ERROR, "vpce-a", "vpc-1", false);
    add(r, CHECK_DUPLICATE_SERVICE, CHECK_INFO, "vpce-c", NULL, false);
}

static void test_by_resource(void **state)
{
    (void)state;
    struct check_report r;
    sample(&r);
    struct checkindex ix;
    checkindex_build(&ix, &r);
    size_t first;
    assert_int_equal(checkindex_resource(&ix, "vpce-a", &first), 2);
    /* Report order within a resource. */
    assert_int_equal(checkindex_at(&ix, first)->rule, CHECK_ENDPOINT_SINGLE_AZ);
    assert_int_equal(checkindex_at(&ix, first + 1)->rule, CHECK_SG_NO_HTTPS);
    assert_int_equal(checkindex_resource(&ix, "vpce-b", &first), 1);
    assert_string_equal(checkindex_at(&ix, first)->resource_id, "vpce-b");
    assert_int_equal(checkindex_resource(&ix, "vpce-zz", &first), 0);
    assert_int_equal(checkindex_resource(&ix, "vpce-", &first), 0); /* a prefix is no match */
    assert_null(checkindex_at(&ix, ix.n));
    checkindex_finish(&ix);
    check_report_finish(&r);
}

static void test_worst_and_counts(void **state)
{
    (void)state;
    struct check_report r;
    sample(&r);
    struct checkindex ix;
    checkindex_build(&ix, &r);
    enum check_severity s;
    assert_true(checkindex_worst(&ix, "vpce-a", &s));
    assert_int_equal(s, CHECK_ERROR);
    assert_true(checkindex_worst(&ix, "vpce-b", &s));
    assert_int_equal(s, CHECK_INFO);
    /* Ignored: no marker, not counted by severity, counted as ignored. */
    assert_false(checkindex_worst(&ix, "subnet-x", &s));
    assert_int_equal(ix.ignored, 1);
    assert_int_equal(ix.count[CHECK_ERROR], 1);
    assert_int_equal(ix.count[CHECK_WARNING], 1);
    assert_int_equal(ix.count[CHECK_INFO], 2);
    assert_true(checkindex_vpc_worst(&ix, "vpc-1", &s));
    assert_int_equal(s, CHECK_ERROR);
    /* vpc-2 holds vpce-b's info and subnet-x's ignored warning: info. */
    assert_true(checkindex_vpc_worst(&ix, "vpc-2", &s));
    assert_int_equal(s, CHECK_INFO);
    assert_false(checkindex_vpc_worst(&ix, "vpc-3", &s));
    assert_false(checkindex_vpc_worst(&ix, NULL, &s));
    checkindex_finish(&ix);
    check_report_finish(&r);
}

static void test_empty(void **state)
{
    (void)state;
    struct check_report r;
    check_report_init(&r);
    struct checkindex ix;
    checkindex_build(&ix, &r);
    enum check_severity s;
    size_t first = 7;
    assert_int_equal(checkindex_resource(&ix, "vpce-a", &first), 0);
    assert_int_equal(first, 0);
    assert_false(checkindex_worst(&ix, "vpce-a", &s));
    assert_false(checkindex_vpc_worst(&ix, "vpc-1", &s));
    checkindex_finish(&ix);
    checkindex_finish(&ix); /* twice is harmless */
    check_report_finish(&r);
}

static void test_many_same_resource(void **state)
{
    (void)state;
    struct check_report r;
    check_report_init(&r);
    for (int i = 0; i < 50; i++)
        add(&r, CHECK_ENDPOINT_AZ_GAP, CHECK_INFO, i % 2 ? "vpce-odd" : "vpce-even", "vpc-1",
            false);
    add(&r, CHECK_ENDPOINT_STATE, CHECK_ERROR, "vpce-odd", "vpc-1", false);
    struct checkindex ix;
    checkindex_build(&ix, &r);
    size_t first;
    assert_int_equal(checkindex_resource(&ix, "vpce-even", &first), 25);
    assert_int_equal(checkindex_resource(&ix, "vpce-odd", &first), 26);
    assert_int_equal(checkindex_at(&ix, first + 25)->rule, CHECK_ENDPOINT_STATE);
    enum check_severity s;
    assert_true(checkindex_worst(&ix, "vpce-odd", &s));
    assert_int_equal(s, CHECK_ERROR);
    assert_true(checkindex_worst(&ix, "vpce-even", &s));
    assert_int_equal(s, CHECK_INFO);
    checkindex_finish(&ix);
    check_report_finish(&r);
}

static void test_preflight_coverage(void **state)
{
    (void)state;
    enum check_rule c;
    assert_true(checkindex_preflight_rule(PREFLIGHT_SINGLE_AZ, &c));
    assert_int_equal(c, CHECK_ENDPOINT_SINGLE_AZ);
    assert_true(checkindex_preflight_rule(PREFLIGHT_SG_NO_443, &c));
    assert_int_equal(c, CHECK_SG_NO_HTTPS);
    assert_true(checkindex_preflight_rule(PREFLIGHT_DNS_HOSTNAMES_OFF, &c));
    assert_int_equal(c, CHECK_PRIVATE_DNS_VPC_ATTRIBUTES);
    assert_true(checkindex_preflight_rule(PREFLIGHT_FULL_ACCESS_POLICY, &c));
    assert_int_equal(c, CHECK_POLICY_FULL_ACCESS);
    assert_true(checkindex_preflight_rule(PREFLIGHT_STATE_NOT_AVAILABLE, &c));
    assert_int_equal(c, CHECK_ENDPOINT_STATE);
    /* Questions no rule asks stay the pre-flight's. */
    assert_false(checkindex_preflight_rule(PREFLIGHT_AZ_NOT_OFFERED, &c));
    assert_false(checkindex_preflight_rule(PREFLIGHT_SG_443_UNVERIFIED, &c));
    assert_false(checkindex_preflight_rule(PREFLIGHT_SUBNET_NOT_FOUND, &c));
    assert_false(checkindex_preflight_rule(PREFLIGHT_DNS_ATTRIBUTES_UNKNOWN, &c));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_by_resource),
        cmocka_unit_test(test_worst_and_counts),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_many_same_resource),
        cmocka_unit_test(test_preflight_coverage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
