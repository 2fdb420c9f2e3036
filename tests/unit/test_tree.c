/* The explorer's tree model on synthetic inventories, up to 100,000 ENIs. */
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
#include "vpcx/ui/tree.h"

static void put(struct inventory *inv, enum inv_type type, const char *json)
{
    cJSON *item = cJSON_Parse(json);
    if (item == NULL)
        fail_msg("bad fixture: %s", json);
    assert_int_equal(inventory_put(inv, type, item), VPCX_OK);
}

static void put_eni(struct inventory *inv, const char *subnet, unsigned n, const char *extra)
{
    char json[512];
    snprintf(json, sizeof(json),
             "{\"NetworkInterfaceId\":\"eni-%s-%06u\",\"SubnetId\":\"%s\",\"VpcId\":\"vpc-a\","
             "\"PrivateIpAddress\":\"10.%u.%u.%u\",\"PrivateIpAddresses\":[{\"PrivateIpAddress\":"
             "\"10.%u.%u.%u\"}],\"InterfaceType\":\"interface\",\"Status\":\"in-use\"%s}",
             subnet, n, subnet, 1 + n / 65536, (n / 256) % 256, n % 256, 1 + n / 65536,
             (n / 256) % 256, n % 256, extra ? extra : "");
    put(inv, INV_ENI, json);
}

/* vpc-a: subnet-a (az6) with ENIs and an endpoint, subnet-b (az1); a gateway endpoint. */
static struct inventory *world(unsigned enis)
{
    struct inventory *inv = inventory_create();
    put(inv, INV_VPC,
        "{\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.0.0.0/8\","
        "\"Tags\":[{\"Key\":\"Name\",\"Value\":\"prod\"}]}");
    put(inv, INV_VPC, "{\"VpcId\":\"vpc-b\",\"CidrBlock\":\"172.16.0.0/16\"}");
    put(inv, INV_AZ, "{\"ZoneName\":\"us-east-1a\",\"ZoneId\":\"use1-az6\"}");
    put(inv, INV_AZ, "{\"ZoneName\":\"us-east-1b\",\"ZoneId\":\"use1-az1\"}");
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-a\",\"VpcId\":\"vpc-a\",\"CidrBlock\":"
        "\"10.0.0.0/9\",\"AvailabilityZone\":\"us-east-1a\","
        "\"AvailabilityZoneId\":\"use1-az6\"}");
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-b\",\"VpcId\":\"vpc-a\",\"CidrBlock\":"
        "\"10.200.0.0/24\",\"AvailabilityZone\":\"us-east-1b\","
        "\"AvailabilityZoneId\":\"use1-az1\",\"Tags\":[{\"Key\":\"team\","
        "\"Value\":\"Payments\"}]}");
    put(inv, INV_ROUTE_TABLE, "{\"RouteTableId\":\"rtb-a\",\"VpcId\":\"vpc-a\"}");
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-i\",\"VpcId\":\"vpc-a\",\"ServiceName\":"
        "\"com.amazonaws.us-east-1.ssm\",\"VpcEndpointType\":\"Interface\","
        "\"SubnetIds\":[\"subnet-b\"],\"NetworkInterfaceIds\":[\"eni-ep\"]}");
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-g\",\"VpcId\":\"vpc-a\",\"ServiceName\":"
        "\"com.amazonaws.us-east-1.s3\",\"VpcEndpointType\":\"Gateway\","
        "\"RouteTableIds\":[\"rtb-a\"]}");
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-ep\",\"SubnetId\":\"subnet-b\",\"VpcId\":"
        "\"vpc-a\",\"PrivateIpAddress\":\"10.200.0.14\",\"PrivateIpAddresses\":"
        "[{\"PrivateIpAddress\":\"10.200.0.14\"}],\"InterfaceType\":"
        "\"vpc_endpoint\",\"TagSet\":[{\"Key\":\"Owner\",\"Value\":\"team-red\"}]}");
    for (unsigned i = 0; i < enis; i++)
        put_eni(inv, "subnet-a", i, NULL);
    return inv;
}

static size_t row_of(struct tree *t, const char *key)
{
    return tree_row_of_key(t, key);
}

static void test_default_shape(void **state)
{
    (void)state;
    struct inventory *inv = world(3);
    struct tree *t = tree_create(inv);
    /* root, vpc-a, az6, subnet-a, az1, subnet-b, Endpoints, Route tables, vpc-b */
    assert_int_equal(tree_row_count(t), 9);
    assert_int_equal(tree_row(t, 0)->kind, TREE_ROOT);
    assert_int_equal(tree_row(t, 1)->kind, TREE_VPC);
    assert_string_equal(tree_row(t, 2)->id, "use1-az6");
    assert_string_equal(tree_row(t, 3)->id, "subnet-a");
    assert_false(tree_row(t, 3)->built); /* lazily: no ENI nodes yet */
    assert_int_equal(tree_child_count(t, tree_row(t, 3)), 3);
    assert_int_equal(tree_row(t, 6)->kind, TREE_ENDPOINTS);
    assert_int_equal(tree_row(t, 7)->kind, TREE_ROUTE_TABLES);
    assert_string_equal(tree_row(t, 8)->id, "vpc-b");
    /* subnet-b holds the endpoint's ENI: the endpoint and the ENI are both under it. */
    assert_int_equal(tree_child_count(t, tree_row(t, 5)), 2);
    char *key = tree_node_key(tree_row(t, 5));
    assert_string_equal(key, "vpc-a/use1-az1/subnet-b");
    free(key);
    tree_destroy(t);
    inventory_destroy(inv);
}

static void test_expand_collapse_parent(void **state)
{
    (void)state;
    struct inventory *inv = world(3);
    struct tree *t = tree_create(inv);
    size_t sb = row_of(t, "vpc-a/use1-az1/subnet-b");
    assert_true(tree_expand(t, sb));
    assert_false(tree_expand(t, sb));
    assert_int_equal(tree_row_count(t), 11);
    assert_int_equal(tree_row(t, sb + 1)->kind, TREE_ENDPOINT);
    assert_string_equal(tree_row(t, sb + 2)->id, "eni-ep");
    assert_int_equal(tree_parent_row(t, sb + 2), sb);
    assert_true(tree_collapse(t, sb));
    assert_int_equal(tree_row_count(t), 9);
    /* Gateway endpoints under their route table. */
    size_t rts = row_of(t, "vpc-a/#route-tables");
    assert_true(tree_expand(t, rts));
    assert_true(tree_expand(t, rts + 1));
    assert_string_equal(tree_row(t, rts + 2)->id, "vpce-g");
    /* Endpoints group: interface endpoint with its ENI. */
    size_t eps = row_of(t, "vpc-a/#endpoints");
    assert_true(tree_expand_all(t, eps));
    assert_string_equal(tree_row(t, eps + 1)->id, "vpce-g");
    assert_string_equal(tree_row(t, eps + 2)->id, "vpce-i");
    assert_string_equal(tree_row(t, eps + 3)->id, "eni-ep");
    tree_collapse_all(t);
    assert_int_equal(tree_row_count(t), 3);
    tree_destroy(t);
    inventory_destroy(inv);
}

static void test_rebuild_keeps_expansion(void **state)
{
    (void)state;
    struct inventory *inv = world(3);
    struct tree *t = tree_create(inv);
    size_t sb = row_of(t, "vpc-a/use1-az1/subnet-b");
    tree_expand(t, sb);
    tree_collapse(t, row_of(t, "vpc-a/use1-az6"));
    size_t before = tree_row_count(t);
    /* A refresh: a new ENI lands in subnet-b. */
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-new\",\"SubnetId\":\"subnet-b\","
        "\"VpcId\":\"vpc-a\",\"PrivateIpAddress\":\"10.200.0.20\"}");
    tree_rebuild(t);
    assert_int_equal(tree_row_count(t), before + 1);
    assert_true(row_of(t, "vpc-a/use1-az1/subnet-b/eni-new") != TREE_NO_ROW);
    assert_true(row_of(t, "vpc-a/use1-az6/subnet-a") == TREE_NO_ROW);
    /* A VPC that arrives later opens like the first ones did; closed ones stay closed. */
    tree_collapse(t, row_of(t, "vpc-b"));
    put(inv, INV_VPC, "{\"VpcId\":\"vpc-c\",\"CidrBlock\":\"10.1.0.0/16\"}");
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-c\",\"VpcId\":\"vpc-c\",\"CidrBlock\":"
        "\"10.1.0.0/24\",\"AvailabilityZoneId\":\"use1-az1\"}");
    tree_rebuild(t);
    assert_true(row_of(t, "vpc-c/use1-az1/subnet-c") != TREE_NO_ROW);
    assert_false(tree_row(t, row_of(t, "vpc-b"))->expanded);
    tree_destroy(t);
    inventory_destroy(inv);
}

static void test_filter(void **state)
{
    (void)state;
    struct inventory *inv = world(3);
    struct tree *t = tree_create(inv);
    /* By IP: the ENI in both its places (subnet, endpoint) with their ancestors. */
    assert_int_equal(tree_set_filter(t, "10.200.0.14"), 2);
    /* root, vpc-a, az1, subnet-b, eni-ep, Endpoints, vpce-i, eni-ep */
    assert_int_equal(tree_row_count(t), 8);
    assert_string_equal(tree_row(t, 4)->id, "eni-ep");
    assert_string_equal(tree_row(t, 6)->id, "vpce-i");
    assert_string_equal(tree_row(t, 7)->id, "eni-ep");
    assert_true(tree_node_matches(tree_row(t, 4)));
    assert_false(tree_node_matches(tree_row(t, 3)));
    /* By tag value, case-insensitively. */
    assert_int_equal(tree_set_filter(t, "payments"), 1);
    assert_string_equal(tree_row(t, tree_row_count(t) - 1)->id, "subnet-b");
    /* An ENI's tags are its TagSet: by value and by key, in both its places. */
    assert_int_equal(tree_set_filter(t, "team-red"), 2);
    assert_string_equal(tree_row(t, 4)->id, "eni-ep");
    assert_int_equal(tree_set_filter(t, "OWNER"), 2);
    /* By service name: the endpoint under its subnet and under Endpoints. */
    assert_int_equal(tree_set_filter(t, "ssm"), 2);
    assert_int_equal(tree_set_filter(t, "no-such-thing"), 0);
    assert_int_equal(tree_row_count(t), 1);
    /* Clearing restores the expansion from before. */
    tree_set_filter(t, NULL);
    assert_null(tree_filter(t));
    assert_int_equal(tree_row_count(t), 9);
    tree_destroy(t);
    inventory_destroy(inv);
}

/* Typing and erasing: every step gives what a fresh filter of that text gives. */
static void test_filter_typing(void **state)
{
    (void)state;
    struct inventory *inv = world(300);
    struct tree *t = tree_create(inv);
    tree_prepare_filter(t);
    const char *steps[] = {"1",        "10",     "10.",  "10.1", "10.1.0", "10.1.0.1", "10.1.0.12",
                           "10.1.0.1", "10.1.0", "10.1", "e",    "en",     "eni-ep",   "x"};
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        size_t n = tree_set_filter(t, steps[i]);
        size_t rows = tree_row_count(t);
        struct tree *fresh = tree_create(inv);
        assert_int_equal(tree_set_filter(fresh, steps[i]), n);
        assert_int_equal(tree_row_count(fresh), rows);
        for (size_t r = 0; r < rows; r++) {
            assert_int_equal(tree_row(fresh, r)->kind, tree_row(t, r)->kind);
            assert_int_equal(tree_node_matches(tree_row(fresh, r)),
                             tree_node_matches(tree_row(t, r)));
        }
        tree_destroy(fresh);
    }
    assert_int_equal(tree_set_filter(t, "10.1.0.129"), 1);
    assert_string_equal(tree_row(t, tree_row_count(t) - 1)->id, "eni-subnet-a-000129");
    tree_set_filter(t, NULL);
    assert_int_equal(tree_row_count(t), 9);
    assert_false(tree_node_matches(tree_row(t, 0)));
    tree_destroy(t);
    inventory_destroy(inv);
}

/* The inventory changes between two keystrokes, with no rebuild in between. */
static void test_filter_after_change(void **state)
{
    (void)state;
    struct inventory *inv = world(3);
    struct tree *t = tree_create(inv);
    assert_int_equal(tree_set_filter(t, "10.1.0"), 3);
    put_eni(inv, "subnet-b", 4, ",\"Description\":\"late\"");
    assert_int_equal(tree_set_filter(t, "10.1.0.4"), 1);
    assert_string_equal(tree_row(t, tree_row_count(t) - 1)->id, "eni-subnet-b-000004");
    tree_destroy(t);
    inventory_destroy(inv);
}

static void test_reveal(void **state)
{
    (void)state;
    struct inventory *inv = world(3);
    struct tree *t = tree_create(inv);
    size_t r = tree_reveal(t, INV_ENI, "eni-ep", NULL);
    assert_true(r != TREE_NO_ROW);
    assert_string_equal(tree_row(t, r)->id, "eni-ep");
    r = tree_reveal(t, INV_ENDPOINT, "vpce-g", NULL);
    assert_int_equal(tree_row(t, r)->parent->kind, TREE_ENDPOINTS);
    assert_int_equal(tree_reveal(t, INV_ENI, "eni-missing", NULL), TREE_NO_ROW);
    /* A reveal through a filter that hides the target clears the filter. */
    tree_set_filter(t, "payments");
    r = tree_reveal(t, INV_ENI, "eni-subnet-a-000002", NULL);
    assert_true(r != TREE_NO_ROW);
    assert_null(tree_filter(t));
    assert_int_equal(tree_next_of_kind(t, TREE_ROUTE_TABLES, 0), row_of(t, "vpc-a/#route-tables"));
    tree_destroy(t);
    inventory_destroy(inv);
}

static void test_hundred_thousand_enis(void **state)
{
    (void)state;
    const unsigned n = 100000;
    struct inventory *inv = world(n);
    struct tree *t = tree_create(inv);
    size_t sa = row_of(t, "vpc-a/use1-az6/subnet-a");
    assert_int_equal(tree_child_count(t, tree_row(t, sa)), n);
    assert_false(tree_row(t, sa)->built);
    assert_int_equal(tree_row_count(t), 9);
    assert_true(tree_expand(t, sa));
    assert_int_equal(tree_row_count(t), 9 + n);
    assert_string_equal(tree_row(t, sa + 1)->id, "eni-subnet-a-000000");
    assert_string_equal(tree_row(t, sa + n)->id, "eni-subnet-a-099999");
    assert_int_equal(tree_parent_row(t, sa + n), sa);
    /* Filter over all of them: one address. */
    assert_int_equal(tree_set_filter(t, "10.2.134.159"), 1);
    assert_int_equal(tree_row_count(t), 5);
    assert_string_equal(tree_row(t, 4)->id, "eni-subnet-a-099999");
    tree_set_filter(t, "");
    assert_int_equal(tree_row_count(t), 9 + n);
    size_t r = tree_reveal(t, INV_ENI, "eni-subnet-a-050000", NULL);
    assert_int_equal(r, sa + 50001);
    const struct ip_usage *u = tree_subnet_usage(t, tree_row(t, sa));
    assert_int_equal(u->eni_count, n);
    tree_destroy(t);
    inventory_destroy(inv);
}

/* Groups: vpc-a in scope 0 (account 111, us-east-1), vpc-b in scope 1 (111, eu-west-1),
 * scope 2 (a refused region of profile dev) holds none. */
static const char *const g_accounts[] = {"111", "111", "profile dev"};
static const char *const g_regions[] = {"us-east-1", "eu-west-1", "ap-south-1"};

static size_t g_count(void *ud)
{
    (void)ud;
    return 3;
}

static const char *g_account(void *ud, size_t i)
{
    (void)ud;
    return g_accounts[i];
}

static const char *g_region(void *ud, size_t i)
{
    (void)ud;
    return g_regions[i];
}

static size_t g_scope_of_vpc(void *ud, const char *vpc)
{
    (void)ud;
    return strcmp(vpc, "vpc-a") == 0 ? 0 : strcmp(vpc, "vpc-b") == 0 ? 1 : (size_t)-1;
}

static void test_groups(void **state)
{
    (void)state;
    struct inventory *inv = world(3);
    struct tree *t = tree_create(inv);
    const struct tree_groups g = {g_count, g_account, g_region, g_scope_of_vpc, NULL};
    tree_set_groups(t, &g);
    /* root, account 111, us-east-1, vpc-a ..., eu-west-1, vpc-b ..., profile dev, ap-south-1 */
    struct tree_node *acct = tree_row(t, 1);
    assert_int_equal(acct->kind, TREE_ACCOUNT);
    assert_string_equal(acct->id, "111");
    struct tree_node *east = tree_row(t, 2);
    assert_int_equal(east->kind, TREE_REGION);
    assert_string_equal(east->id, "us-east-1");
    assert_int_equal(tree_child_count(t, east), 1);
    assert_int_equal(tree_row(t, 3)->kind, TREE_VPC);
    assert_string_equal(tree_row(t, 3)->id, "vpc-a");
    assert_int_equal(tree_node_scope(t, east), 0);
    /* the refused region: a row of its own, no VPCs, last */
    struct tree_node *last = tree_row(t, tree_row_count(t) - 1);
    assert_int_equal(last->kind, TREE_REGION);
    assert_string_equal(last->id, "ap-south-1");
    assert_int_equal(tree_child_count(t, last), 0);
    assert_int_equal(tree_node_scope(t, last), 2);
    assert_string_equal(last->parent->id, "profile dev");
    /* reveal finds a resource under its account and region */
    size_t row = tree_reveal(t, INV_SUBNET, "subnet-b", NULL);
    assert_true(row != TREE_NO_ROW);
    char *key = tree_node_key(tree_row(t, row));
    assert_string_equal(key, "111/us-east-1/vpc-a/use1-az1/subnet-b");
    free(key);
    /* collapse all keeps accounts and regions open: VPCs stay listed */
    tree_collapse_all(t);
    size_t vpcs = 0;
    for (size_t r = 0; r < tree_row_count(t); r++)
        vpcs += tree_row(t, r)->kind == TREE_VPC;
    assert_int_equal(vpcs, 2);
    /* the filter matches a region by name */
    assert_true(tree_set_filter(t, "eu-west") >= 1);
    assert_string_equal(tree_row(t, 2)->id, "eu-west-1");
    tree_set_filter(t, NULL);
    /* without groups the tree is as before: VPCs at the top */
    tree_set_groups(t, NULL);
    assert_int_equal(tree_row(t, 1)->kind, TREE_VPC);
    tree_destroy(t);
    inventory_destroy(inv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_shape),
        cmocka_unit_test(test_expand_collapse_parent),
        cmocka_unit_test(test_rebuild_keeps_expansion),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_filter_typing),
        cmocka_unit_test(test_filter_after_change),
        cmocka_unit_test(test_reveal),
        cmocka_unit_test(test_hundred_thousand_enis),
        cmocka_unit_test(test_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
