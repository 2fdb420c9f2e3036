/* The filter's text index: fields, case, narrowing, and a rebuild when the inventory changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "vpcx/model/inventory.h"
#include "vpcx/model/search.h"

static void put(struct inventory *inv, enum inv_type type, const char *json)
{
    cJSON *item = cJSON_Parse(json);
    if (item == NULL)
        fail_msg("bad fixture: %s", json);
    assert_int_equal(inventory_put(inv, type, item), VPCX_OK);
}

static struct inventory *world(void)
{
    struct inventory *inv = inventory_create();
    put(inv, INV_VPC,
        "{\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.0.0.0/8\","
        "\"Tags\":[{\"Key\":\"Name\",\"Value\":\"Prod\"}]}");
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-a\",\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.1.0.0/16\","
        "\"AvailabilityZone\":\"us-east-1a\"}");
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-i\",\"VpcId\":\"vpc-a\",\"ServiceName\":"
        "\"com.amazonaws.us-east-1.SSM\",\"VpcEndpointType\":\"Interface\"}");
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-1\",\"SubnetId\":\"subnet-a\",\"VpcId\":\"vpc-a\","
        "\"Description\":\"Lambda worker\",\"PrivateIpAddresses\":[{\"PrivateIpAddress\":"
        "\"10.1.2.3\"},{\"PrivateIpAddress\":\"10.1.9.9\"}],\"Ipv6Addresses\":"
        "[{\"Ipv6Address\":\"2600:1f18::abcd\"}],\"TagSet\":[{\"Key\":\"Owner\","
        "\"Value\":\"team-red\"}]}");
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-2\",\"SubnetId\":\"subnet-a\",\"VpcId\":\"vpc-a\","
        "\"PrivateIpAddresses\":[{\"PrivateIpAddress\":\"10.1.2.4\"}]}");
    return inv;
}

static bool hit(struct search *s, const struct inventory *inv, enum inv_type type, const char *id)
{
    return search_hit(s, inventory_find(inv, type, id));
}

static void test_fields_and_case(void **state)
{
    (void)state;
    struct inventory *inv = world();
    struct search *s = search_create();
    assert_int_equal(search_run(s, inv, "PROD"), 1); /* the Name tag, any case */
    assert_true(hit(s, inv, INV_VPC, "vpc-a"));
    assert_int_equal(search_run(s, inv, "ssm"), 1); /* the service name */
    assert_true(hit(s, inv, INV_ENDPOINT, "vpce-i"));
    assert_int_equal(search_run(s, inv, "10.1.9.9"), 1); /* a secondary address */
    assert_true(hit(s, inv, INV_ENI, "eni-1"));
    assert_false(hit(s, inv, INV_ENI, "eni-2"));
    assert_int_equal(search_run(s, inv, "ABCD"), 1);   /* IPv6 */
    assert_int_equal(search_run(s, inv, "worker"), 1); /* the description */
    assert_int_equal(search_run(s, inv, "owner"), 1);  /* a tag key */
    assert_int_equal(search_run(s, inv, "10.1.0.0/16"), 1);
    assert_true(hit(s, inv, INV_SUBNET, "subnet-a"));
    /* The subnet's AZ name is not one of its fields; fields never join. */
    assert_int_equal(search_run(s, inv, "us-east-1a"), 0);
    assert_int_equal(search_run(s, inv, "prod10.0"), 0);
    assert_int_equal(search_run(s, inv, "eni-1vpc-a"), 0);
    assert_int_equal(search_run(s, inv, ""), 0);
    assert_false(hit(s, inv, INV_ENI, "eni-1"));
    search_destroy(s);
    inventory_destroy(inv);
}

static void test_narrow_and_widen(void **state)
{
    (void)state;
    struct inventory *inv = world();
    struct search *s = search_create();
    /* Typing: each run narrows the last; the results equal a fresh run's. */
    assert_int_equal(search_run(s, inv, "1"), 5);
    assert_int_equal(search_run(s, inv, "10.1.2"), 2);
    assert_int_equal(search_run(s, inv, "10.1.2.4"), 1);
    assert_true(hit(s, inv, INV_ENI, "eni-2"));
    assert_false(hit(s, inv, INV_ENI, "eni-1"));
    /* Backspace widens again: a full scan. */
    assert_int_equal(search_run(s, inv, "10.1.2"), 2);
    assert_true(hit(s, inv, INV_ENI, "eni-1"));
    /* Not an extension of the last text: a full scan, not a narrowing. */
    assert_int_equal(search_run(s, inv, "eni-"), 2);
    assert_int_equal(search_run(s, inv, "vpc"), 2); /* vpc-a and vpce-i */
    assert_true(hit(s, inv, INV_VPC, "vpc-a"));
    assert_false(hit(s, inv, INV_ENI, "eni-1"));
    search_destroy(s);
    inventory_destroy(inv);
}

static void test_inventory_changes(void **state)
{
    (void)state;
    struct inventory *inv = world();
    struct search *s = search_create();
    assert_int_equal(search_run(s, inv, "10.1.2"), 2);
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-3\",\"SubnetId\":\"subnet-a\",\"VpcId\":\"vpc-a\","
        "\"PrivateIpAddresses\":[{\"PrivateIpAddress\":\"10.1.2.5\"}]}");
    /* The same text after a change: the index is rebuilt and the new ENI found. */
    assert_int_equal(search_run(s, inv, "10.1.2"), 3);
    assert_true(hit(s, inv, INV_ENI, "eni-3"));
    /* A narrower text after a removal does not trust the old matches. */
    inventory_begin(inv, INV_ENI);
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-3\",\"SubnetId\":\"subnet-a\",\"VpcId\":\"vpc-a\","
        "\"PrivateIpAddresses\":[{\"PrivateIpAddress\":\"10.1.2.5\"}]}");
    inventory_end(inv, INV_ENI);
    assert_int_equal(search_run(s, inv, "10.1.2."), 1);
    assert_true(hit(s, inv, INV_ENI, "eni-3"));
    assert_true(search_memory(s) > 0);
    search_destroy(s);
    search_destroy(NULL);
    inventory_destroy(inv);
}

static void test_text_has(void **state)
{
    (void)state;
    assert_true(search_text_has("Payments", "PAY"));
    assert_true(search_text_has("abc", ""));
    assert_false(search_text_has(NULL, "a"));
    assert_false(search_text_has("ab", "abc"));
    assert_true(search_text_has("xxaab", "aab"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_and_case),
        cmocka_unit_test(test_narrow_and_widen),
        cmocka_unit_test(test_inventory_changes),
        cmocka_unit_test(test_text_has),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
