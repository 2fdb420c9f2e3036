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
#include "vpcx/model/derived.h"
#include "vpcx/model/inventory.h"

static void put(struct inventory *inv, enum inv_type type, const char *json)
{
    cJSON *item = cJSON_Parse(json);
    if (item == NULL) {
        fail_msg("bad fixture: %s", json);
    }
    assert_int_equal(inventory_put(inv, type, item), VPCX_OK);
}

static bool ids_have(struct inv_ids ids, const char *id)
{
    for (size_t i = 0; i < ids.n; i++) {
        if (strcmp(ids.v[i], id) == 0) {
            return true;
        }
    }
    return false;
}

#define VPC_A                                                                                      \
    "{\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.0.0.0/16\",\"State\":\"available\","                  \
    "\"IsDefault\":false,\"CidrBlockAssociationSet\":[{\"AssociationId\":\"x\","                   \
    "\"CidrBlock\":\"10.0.0.0/16\",\"CidrBlockState\":{\"State\":\"associated\"}},"                \
    "{\"CidrBlock\":\"10.9.0.0/16\",\"CidrBlockState\":{\"State\":\"disassociated\"}}],"           \
    "\"Ipv6CidrBlockAssociationSet\":[{\"Ipv6CidrBlock\":\"2600:1f18:4a2b:c300::/56\"}],"          \
    "\"Tags\":[{\"Key\":\"env\",\"Value\":\"dev\"},{\"Key\":\"Name\",\"Value\":\"main\"}]}"

/* A small world: one VPC, two AZs, two subnets, an interface endpoint with two
 * ENIs written the way moto writes them, one instance ENI, one orphan ENI
 * written the way AWS writes endpoint ENIs. */
static struct inventory *world(void)
{
    struct inventory *inv = inventory_create();
    put(inv, INV_VPC, VPC_A);
    put(inv, INV_AZ,
        "{\"ZoneName\":\"us-east-1a\",\"ZoneId\":\"use1-az6\",\"State\":\"available\","
        "\"RegionName\":\"us-east-1\",\"ZoneType\":\"availability-zone\"}");
    put(inv, INV_AZ,
        "{\"ZoneName\":\"us-east-1b\",\"ZoneId\":\"use1-az1\",\"State\":\"available\","
        "\"RegionName\":\"us-east-1\",\"ZoneType\":\"availability-zone\"}");
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-1\",\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.0.1.0/24\","
        "\"AvailabilityZone\":\"us-east-1a\",\"AvailabilityZoneId\":\"use1-az6\","
        "\"AvailableIpAddressCount\":248,\"State\":\"available\",\"Tags\":[]}");
    /* no AvailabilityZoneId: the AZ is found by name */
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-2\",\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.0.2.0/24\","
        "\"AvailabilityZone\":\"us-east-1b\",\"AvailableIpAddressCount\":250}");
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-1\",\"VpcEndpointType\":\"Interface\",\"VpcId\":\"vpc-a\","
        "\"ServiceName\":\"com.amazonaws.us-east-1.ssm\",\"State\":\"available\","
        "\"PolicyDocument\":\"{\\\"Statement\\\":[]}\",\"RouteTableIds\":[],"
        "\"SubnetIds\":[\"subnet-1\",\"subnet-2\"],\"Groups\":[{\"GroupId\":\"sg-1\","
        "\"GroupName\":\"default\"}],\"PrivateDnsEnabled\":true,"
        "\"NetworkInterfaceIds\":[\"eni-e2\",\"eni-e1\"],\"DnsEntries\":[],\"Tags\":[]}");
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-e1\",\"SubnetId\":\"subnet-1\",\"VpcId\":\"vpc-a\","
        "\"AvailabilityZone\":\"us-east-1a\",\"Description\":\"\",\"InterfaceType\":\"interface\","
        "\"Status\":\"available\",\"PrivateIpAddress\":\"10.25.179.179\","
        "\"PrivateIpAddresses\":[{\"Primary\":true,\"PrivateIpAddress\":\"10.25.179.179\"}],"
        "\"Ipv6Addresses\":[],\"RequesterId\":\"AIDAIT2UOQQY3AUEMOTO\","
        "\"RequesterManaged\":false,\"TagSet\":[]}");
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-e2\",\"SubnetId\":\"subnet-2\",\"VpcId\":\"vpc-a\","
        "\"AvailabilityZone\":\"us-east-1b\",\"Description\":\"\",\"InterfaceType\":\"interface\","
        "\"Status\":\"available\",\"PrivateIpAddress\":\"10.0.2.20\","
        "\"PrivateIpAddresses\":[{\"Primary\":true,\"PrivateIpAddress\":\"10.0.2.20\"}],"
        "\"RequesterManaged\":false,\"TagSet\":[]}");
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-i1\",\"SubnetId\":\"subnet-1\",\"VpcId\":\"vpc-a\","
        "\"InterfaceType\":\"interface\",\"Status\":\"in-use\",\"PrivateIpAddress\":\"10.0.1.10\","
        "\"PrivateIpAddresses\":[{\"Primary\":true,\"PrivateIpAddress\":\"10.0.1.10\"},"
        "{\"Primary\":false,\"PrivateIpAddress\":\"10.0.1.11\"}],"
        "\"Ipv6Addresses\":[{\"Ipv6Address\":\"2600:1f18:4a2b:c301:0:0:0:10\"}],"
        "\"Attachment\":{\"InstanceId\":\"i-1\",\"Status\":\"attached\"},"
        "\"TagSet\":[{\"Key\":\"Name\",\"Value\":\"web\"}]}");
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-o1\",\"SubnetId\":\"subnet-2\",\"VpcId\":\"vpc-a\","
        "\"InterfaceType\":\"vpc_endpoint\",\"Status\":\"in-use\","
        "\"Description\":\"VPC Endpoint Interface vpce-gone\",\"RequesterManaged\":true,"
        "\"PrivateIpAddress\":\"10.0.2.30\"}");
    return inv;
}

static void test_type_table(void **state)
{
    assert_string_equal(inventory_type_list_key(INV_SUBNET), "Subnets");
    assert_string_equal(inventory_type_id_field(INV_AZ), "ZoneId");
    assert_string_equal(inventory_type_id_field(INV_SERVICE), "ServiceId");
    assert_string_equal(inventory_type_id_field(INV_ENI), "NetworkInterfaceId");
    assert_string_equal(inventory_type_name(INV_VPC), "VPC");
    enum inv_type t;
    assert_true(inventory_type_from_list_key("VpcEndpoints", &t));
    assert_int_equal(t, INV_ENDPOINT);
    assert_true(inventory_type_from_list_key("PrefixLists", &t));
    assert_int_equal(t, INV_PREFIX_LIST);
    assert_false(inventory_type_from_list_key("Instances", &t));
    for (int i = 0; i < INV_TYPE_COUNT; i++) {
        assert_true(inventory_type_from_list_key(inventory_type_list_key((enum inv_type)i), &t));
        assert_int_equal(t, i);
    }
}

static void test_typed_fields(void **state)
{
    struct inventory *inv = world();
    const struct inv_resource *vpc = inventory_find(inv, INV_VPC, "vpc-a");
    assert_non_null(vpc);
    assert_string_equal(vpc->name, "main");
    assert_string_equal(vpc->state, "available");
    assert_true(vpc->vpc.has_cidr);
    assert_int_equal(vpc->vpc.cidr.prefix, 16);
    assert_int_equal(vpc->vpc.n_cidrs, 1); /* the disassociated block is dropped */
    assert_int_equal(vpc->vpc.n_ipv6, 1);
    assert_int_equal(vpc->vpc.dns_support, INV_UNKNOWN);

    const struct inv_resource *ep = inventory_find(inv, INV_ENDPOINT, "vpce-1");
    assert_int_equal(ep->endpoint.kind, INV_ENDPOINT_INTERFACE);
    assert_int_equal(ep->endpoint.subnet_ids.n, 2);
    assert_int_equal(ep->endpoint.group_ids.n, 1);
    assert_string_equal(ep->endpoint.group_ids.v[0], "sg-1");
    assert_int_equal(ep->endpoint.route_table_ids.n, 0);
    assert_true(ep->endpoint.private_dns_enabled);
    assert_string_equal(ep->endpoint.policy, "{\"Statement\":[]}");

    const struct inv_resource *eni = inventory_find(inv, INV_ENI, "eni-i1");
    assert_string_equal(eni->name, "web");
    assert_string_equal(eni->state, "in-use");
    assert_int_equal(eni->eni.ipv4.n, 2);
    assert_int_equal(eni->eni.ipv6.n, 1);
    assert_string_equal(eni->eni.instance_id, "i-1");
    /* no PrivateIpAddresses: the primary address stands in */
    eni = inventory_find(inv, INV_ENI, "eni-o1");
    assert_int_equal(eni->eni.ipv4.n, 1);
    assert_true(eni->eni.requester_managed);

    const struct inv_resource *sub = inventory_find(inv, INV_SUBNET, "subnet-1");
    assert_true(sub->subnet.has_available);
    assert_int_equal(sub->subnet.available, 248);
    assert_string_equal(sub->subnet.az_id, "use1-az6");
    assert_null(inventory_find(inv, INV_SUBNET, "subnet-404"));
    assert_null(inventory_find(inv, INV_VPC, NULL));
    inventory_destroy(inv);
}

static void test_missing_id(void **state)
{
    struct inventory *inv = inventory_create();
    assert_int_equal(inventory_put(inv, INV_SUBNET, cJSON_Parse("{\"VpcId\":\"vpc-a\"}")),
                     VPCX_ERR_PARSE);
    assert_int_equal(inventory_put(inv, INV_SUBNET, cJSON_Parse("{\"SubnetId\":\"\"}")),
                     VPCX_ERR_PARSE);
    assert_int_equal(inventory_put(inv, INV_SUBNET, cJSON_Parse("{\"SubnetId\":42}")),
                     VPCX_ERR_PARSE);
    assert_int_equal(inventory_put(inv, INV_SUBNET, cJSON_Parse("[1,2]")), VPCX_ERR_PARSE);
    assert_int_equal(inventory_put(inv, INV_SUBNET, NULL), VPCX_ERR_PARSE);
    /* the AZ's ID field is ZoneId, not ZoneName */
    assert_int_equal(inventory_put(inv, INV_AZ, cJSON_Parse("{\"ZoneName\":\"us-east-1a\"}")),
                     VPCX_ERR_PARSE);
    assert_int_equal(inventory_count(inv, INV_SUBNET), 0);
    assert_int_equal(inventory_count(inv, INV_AZ), 0);
    inventory_destroy(inv);
}

static void test_sorted_iteration(void **state)
{
    struct inventory *inv = inventory_create();
    put(inv, INV_SUBNET, "{\"SubnetId\":\"subnet-c\"}");
    put(inv, INV_SUBNET, "{\"SubnetId\":\"subnet-a\"}");
    put(inv, INV_SUBNET, "{\"SubnetId\":\"subnet-b\"}");
    assert_int_equal(inventory_count(inv, INV_SUBNET), 3);
    assert_string_equal(inventory_at(inv, INV_SUBNET, 0)->id, "subnet-a");
    assert_string_equal(inventory_at(inv, INV_SUBNET, 1)->id, "subnet-b");
    assert_string_equal(inventory_at(inv, INV_SUBNET, 2)->id, "subnet-c");
    assert_null(inventory_at(inv, INV_SUBNET, 3));
    put(inv, INV_SUBNET, "{\"SubnetId\":\"subnet-0\"}");
    assert_string_equal(inventory_at(inv, INV_SUBNET, 0)->id, "subnet-0");
    assert_null(inventory_at(inv, INV_VPC, 0));
    inventory_destroy(inv);
}

static void test_mark_and_sweep(void **state)
{
    struct inventory *inv = inventory_create();
    assert_false(inventory_type_loaded(inv, INV_SUBNET));
    inventory_begin(inv, INV_SUBNET);
    put(inv, INV_SUBNET, "{\"SubnetId\":\"subnet-a\",\"State\":\"pending\"}");
    put(inv, INV_SUBNET, "{\"SubnetId\":\"subnet-b\"}");
    put(inv, INV_SUBNET, "{\"SubnetId\":\"subnet-c\"}");
    inventory_end(inv, INV_SUBNET);
    assert_true(inventory_type_loaded(inv, INV_SUBNET));
    assert_int_equal(inventory_count(inv, INV_SUBNET), 3);

    uint64_t gen = inventory_generation(inv);
    inventory_begin(inv, INV_SUBNET);
    put(inv, INV_SUBNET, "{\"SubnetId\":\"subnet-c\"}");
    put(inv, INV_SUBNET, "{\"SubnetId\":\"subnet-a\",\"State\":\"available\"}");
    /* not swept yet: b is still there until the refresh ends */
    assert_non_null(inventory_find(inv, INV_SUBNET, "subnet-b"));
    inventory_end(inv, INV_SUBNET);
    assert_true(inventory_generation(inv) > gen);
    assert_int_equal(inventory_count(inv, INV_SUBNET), 2);
    assert_null(inventory_find(inv, INV_SUBNET, "subnet-b"));
    assert_string_equal(inventory_find(inv, INV_SUBNET, "subnet-a")->state, "available");
    assert_string_equal(inventory_at(inv, INV_SUBNET, 1)->id, "subnet-c");

    /* an empty refresh empties the type; other types are untouched */
    put(inv, INV_VPC, "{\"VpcId\":\"vpc-a\"}");
    inventory_begin(inv, INV_SUBNET);
    inventory_end(inv, INV_SUBNET);
    assert_int_equal(inventory_count(inv, INV_SUBNET), 0);
    assert_int_equal(inventory_count(inv, INV_VPC), 1);

    /* cleared: nothing left, and nothing counts as fetched (an empty type is unknown) */
    put(inv, INV_ENI, "{\"NetworkInterfaceId\":\"eni-a\",\"PrivateIpAddress\":\"10.0.0.1\"}");
    gen = inventory_generation(inv);
    inventory_clear(inv);
    assert_true(inventory_generation(inv) > gen);
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        assert_int_equal(inventory_count(inv, (enum inv_type)t), 0);
        assert_false(inventory_type_loaded(inv, (enum inv_type)t));
    }
    assert_null(inventory_find(inv, INV_VPC, "vpc-a"));
    assert_null(inventory_find_eni_by_ip(inv, "10.0.0.1"));
    put(inv, INV_VPC, "{\"VpcId\":\"vpc-a\"}"); /* usable again */
    assert_int_equal(inventory_count(inv, INV_VPC), 1);
    inventory_destroy(inv);
}

static void test_abort_keeps_data(void **state)
{
    struct inventory *inv = inventory_create();
    inventory_begin(inv, INV_ENI);
    put(inv, INV_ENI, "{\"NetworkInterfaceId\":\"eni-a\",\"PrivateIpAddress\":\"10.0.0.1\"}");
    put(inv, INV_ENI, "{\"NetworkInterfaceId\":\"eni-b\",\"PrivateIpAddress\":\"10.0.0.2\"}");
    inventory_end(inv, INV_ENI);

    inventory_begin(inv, INV_ENI);
    put(inv, INV_ENI, "{\"NetworkInterfaceId\":\"eni-a\",\"PrivateIpAddress\":\"10.0.0.5\"}");
    inventory_abort(inv, INV_ENI); /* the second page failed */
    assert_int_equal(inventory_count(inv, INV_ENI), 2);
    assert_non_null(inventory_find(inv, INV_ENI, "eni-b"));
    assert_string_equal(inventory_find_eni_by_ip(inv, "10.0.0.2")->id, "eni-b");
    assert_string_equal(inventory_find_eni_by_ip(inv, "10.0.0.5")->id, "eni-a");

    /* the marks were cleared: a later refresh that sees both keeps both */
    inventory_begin(inv, INV_ENI);
    put(inv, INV_ENI, "{\"NetworkInterfaceId\":\"eni-a\"}");
    put(inv, INV_ENI, "{\"NetworkInterfaceId\":\"eni-b\"}");
    inventory_end(inv, INV_ENI);
    assert_int_equal(inventory_count(inv, INV_ENI), 2);
    inventory_destroy(inv);
}

static void test_replace_keeps_unknown_fields(void **state)
{
    const char *text = "{\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.0.0.0/16\","
                       "\"FutureField\":{\"Nested\":[1,\"two\",null]},\"Weird\":\"\\u001b[31m\"}";
    struct inventory *inv = inventory_create();
    put(inv, INV_VPC, "{\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.1.0.0/16\"}");
    assert_int_equal(inventory_set_vpc_attribute(inv, "vpc-a", "enableDnsSupport", true), VPCX_OK);
    assert_int_equal(inventory_set_vpc_attribute(inv, "vpc-a", "enableDnsHostnames", false),
                     VPCX_OK);
    put(inv, INV_VPC, text);
    assert_int_equal(inventory_count(inv, INV_VPC), 1);
    const struct inv_resource *vpc = inventory_find(inv, INV_VPC, "vpc-a");
    cJSON *item = inventory_item(inv, vpc);
    char *printed = cJSON_PrintUnformatted(item);
    cJSON_Delete(item);
    cJSON *expect = cJSON_Parse(text);
    char *expected = cJSON_PrintUnformatted(expect);
    assert_string_equal(printed, expected);
    free(printed);
    free(expected);
    cJSON_Delete(expect);
    /* replaced fields are re-extracted; DescribeVpcAttribute results survive */
    char *cidr = cidr_to_string(&vpc->vpc.cidr);
    assert_string_equal(cidr, "10.0.0.0/16");
    free(cidr);
    assert_int_equal(vpc->vpc.dns_support, INV_YES);
    assert_int_equal(vpc->vpc.dns_hostnames, INV_NO);
    assert_int_equal(inventory_set_vpc_attribute(inv, "vpc-x", "enableDnsSupport", true),
                     VPCX_ERR_NOT_FOUND);
    assert_int_equal(inventory_set_vpc_attribute(inv, "vpc-a", "enableTurbo", true),
                     VPCX_ERR_USAGE);
    inventory_destroy(inv);
}

static void test_find_by_ip(void **state)
{
    struct inventory *inv = world();
    assert_string_equal(inventory_find_eni_by_ip(inv, "10.0.1.10")->id, "eni-i1");
    assert_string_equal(inventory_find_eni_by_ip(inv, "10.0.1.11")->id, "eni-i1");
    assert_string_equal(inventory_find_eni_by_ip(inv, "10.25.179.179")->id, "eni-e1");
    /* IPv6, written differently from the item */
    assert_string_equal(inventory_find_eni_by_ip(inv, "2600:1F18:4A2B:C301::10")->id, "eni-i1");
    assert_null(inventory_find_eni_by_ip(inv, "10.0.1.12"));
    assert_null(inventory_find_eni_by_ip(inv, NULL));

    /* a replaced ENI moves its addresses */
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-i1\",\"SubnetId\":\"subnet-1\",\"VpcId\":\"vpc-a\","
        "\"PrivateIpAddresses\":[{\"PrivateIpAddress\":\"10.0.1.99\"}]}");
    assert_null(inventory_find_eni_by_ip(inv, "10.0.1.10"));
    assert_null(inventory_find_eni_by_ip(inv, "2600:1f18:4a2b:c301::10"));
    assert_string_equal(inventory_find_eni_by_ip(inv, "10.0.1.99")->id, "eni-i1");

    /* the same address in another VPC */
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-0other\",\"VpcId\":\"vpc-b\","
        "\"PrivateIpAddress\":\"10.0.1.99\"}");
    assert_string_equal(inventory_find_eni_by_ip(inv, "10.0.1.99")->id, "eni-0other");
    assert_string_equal(inventory_find_eni_by_vpc_ip(inv, "vpc-a", "10.0.1.99")->id, "eni-i1");
    assert_string_equal(inventory_find_eni_by_vpc_ip(inv, "vpc-b", "10.0.1.99")->id, "eni-0other");
    assert_null(inventory_find_eni_by_vpc_ip(inv, "vpc-c", "10.0.1.99"));

    /* swept ENIs leave the index */
    inventory_begin(inv, INV_ENI);
    put(inv, INV_ENI, "{\"NetworkInterfaceId\":\"eni-e1\",\"PrivateIpAddress\":\"10.0.1.5\"}");
    inventory_end(inv, INV_ENI);
    assert_null(inventory_find_eni_by_ip(inv, "10.0.1.99"));
    assert_null(inventory_find_eni_by_ip(inv, "10.0.2.20"));
    assert_string_equal(inventory_find_eni_by_ip(inv, "10.0.1.5")->id, "eni-e1");
    inventory_destroy(inv);
}

/* Overlapping CIDRs: every holder of an address, in ID order, across VPCs and families. */
static void test_find_all_holders(void **state)
{
    (void)state;
    struct inventory *inv = inventory_create();
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-c\",\"VpcId\":\"vpc-3\","
        "\"PrivateIpAddress\":\"10.0.3.14\"}");
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-a\",\"VpcId\":\"vpc-1\","
        "\"PrivateIpAddresses\":[{\"PrivateIpAddress\":\"10.0.3.5\"},"
        "{\"PrivateIpAddress\":\"10.0.3.14\"}],"
        "\"Ipv6Addresses\":[{\"Ipv6Address\":\"2600:1f18::10\"}]}");
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-b\",\"VpcId\":\"vpc-2\","
        "\"PrivateIpAddress\":\"10.0.3.14\","
        "\"Ipv6Addresses\":[{\"Ipv6Address\":\"2600:1F18:0::10\"}]}");

    const struct inv_resource **v = NULL;
    assert_int_equal(inventory_find_enis_by_ip(inv, "10.0.3.14", &v), 3);
    assert_string_equal(v[0]->id, "eni-a");
    assert_string_equal(v[1]->id, "eni-b");
    assert_string_equal(v[2]->id, "eni-c");
    free(v);
    /* IPv6 in any spelling */
    assert_int_equal(inventory_find_enis_by_ip(inv, "2600:1f18:0:0::0010", &v), 2);
    assert_string_equal(v[0]->id, "eni-a");
    assert_string_equal(v[1]->id, "eni-b");
    free(v);
    assert_int_equal(inventory_find_enis_by_ip(inv, "10.0.3.5", &v), 1);
    assert_string_equal(v[0]->id, "eni-a");
    free(v);
    assert_int_equal(inventory_find_enis_by_ip(inv, "10.0.3.99", &v), 0);
    assert_null(v);
    assert_int_equal(inventory_find_enis_by_ip(inv, NULL, &v), 0);
    assert_null(v);

    /* a holder replaced without the address, another swept: one left */
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-a\",\"VpcId\":\"vpc-1\","
        "\"PrivateIpAddress\":\"10.0.3.5\"}");
    inventory_begin(inv, INV_ENI);
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-a\",\"VpcId\":\"vpc-1\","
        "\"PrivateIpAddress\":\"10.0.3.5\"}");
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-c\",\"VpcId\":\"vpc-3\","
        "\"PrivateIpAddress\":\"10.0.3.14\"}");
    inventory_end(inv, INV_ENI);
    assert_int_equal(inventory_find_enis_by_ip(inv, "10.0.3.14", &v), 1);
    assert_string_equal(v[0]->id, "eni-c");
    free(v);
    inventory_destroy(inv);
}

static void test_cross_links(void **state)
{
    struct inventory *inv = world();
    struct inv_ids ids = inventory_vpc_subnets(inv, "vpc-a");
    assert_int_equal(ids.n, 2);
    assert_string_equal(ids.v[0], "subnet-1");
    assert_string_equal(ids.v[1], "subnet-2");
    ids = inventory_vpc_endpoints(inv, "vpc-a");
    assert_int_equal(ids.n, 1);
    assert_string_equal(ids.v[0], "vpce-1");

    ids = inventory_subnet_enis(inv, "subnet-1");
    assert_int_equal(ids.n, 2);
    assert_string_equal(ids.v[0], "eni-e1");
    assert_string_equal(ids.v[1], "eni-i1");
    ids = inventory_subnet_endpoints(inv, "subnet-2");
    assert_int_equal(ids.n, 1);
    assert_string_equal(ids.v[0], "vpce-1");

    assert_string_equal(inventory_subnet_az(inv, "subnet-1")->az.zone_name, "us-east-1a");
    assert_string_equal(inventory_subnet_az(inv, "subnet-2")->id, "use1-az1"); /* by name */

    /* moto-like ENIs: no marks of their own; the endpoint's list decides (sorted) */
    ids = inventory_endpoint_enis(inv, "vpce-1");
    assert_int_equal(ids.n, 2);
    assert_string_equal(ids.v[0], "eni-e1");
    assert_string_equal(ids.v[1], "eni-e2");
    enum inv_owner_source src;
    assert_string_equal(inventory_eni_endpoint(inv, "eni-e1", &src), "vpce-1");
    assert_int_equal(src, INV_OWNER_ENDPOINT_LIST);
    assert_null(inventory_eni_endpoint(inv, "eni-i1", &src));
    assert_int_equal(src, INV_OWNER_NONE);
    /* AWS-like ENI of an endpoint not loaded: the description fallback */
    assert_string_equal(inventory_eni_endpoint(inv, "eni-o1", &src), "vpce-gone");
    assert_int_equal(src, INV_OWNER_DESCRIPTION);
    assert_int_equal(inventory_endpoint_enis(inv, "vpce-404").n, 0);
    assert_int_equal(inventory_vpc_subnets(inv, "vpc-404").n, 0);

    /* once that endpoint arrives, it gains the ENI, and the subnet gains the endpoint */
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-gone\",\"VpcEndpointType\":\"Interface\","
        "\"VpcId\":\"vpc-a\",\"ServiceName\":\"com.amazonaws.us-east-1.ec2\","
        "\"NetworkInterfaceIds\":[],\"SubnetIds\":[]}");
    ids = inventory_endpoint_enis(inv, "vpce-gone");
    assert_int_equal(ids.n, 1);
    assert_string_equal(ids.v[0], "eni-o1");
    assert_true(ids_have(inventory_subnet_endpoints(inv, "subnet-2"), "vpce-gone"));
    assert_int_equal(inventory_vpc_endpoints(inv, "vpc-a").n, 2);

    /* links follow a sweep */
    inventory_begin(inv, INV_ENI);
    inventory_end(inv, INV_ENI);
    assert_int_equal(inventory_subnet_enis(inv, "subnet-1").n, 0);
    assert_null(inventory_eni_endpoint(inv, "eni-e1", NULL));
    /* the endpoint still lists its ENI IDs even when the ENIs are not loaded */
    assert_int_equal(inventory_endpoint_enis(inv, "vpce-1").n, 2);
    inventory_destroy(inv);
}

/* Prints item as it was given and as the inventory gives it back; they must match byte for byte. */
static void assert_item_prints_same(struct inventory *inv, enum inv_type type, cJSON *item)
{
    char *want = cJSON_PrintUnformatted(item);
    char *want_pretty = cJSON_Print(item);
    const char *id =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, inventory_type_id_field(type)));
    char *id_copy = strdup(id);
    assert_int_equal(inventory_put(inv, type, item), VPCX_OK);
    cJSON *back = inventory_item(inv, inventory_find(inv, type, id_copy));
    char *got = cJSON_PrintUnformatted(back);
    char *got_pretty = cJSON_Print(back);
    assert_string_equal(got, want);
    assert_string_equal(got_pretty, want_pretty);
    cJSON_Delete(back);
    free(got);
    free(got_pretty);
    free(want);
    free(want_pretty);
    free(id_copy);
}

static void test_item_decodes_exactly(void **state)
{
    (void)state;
    struct inventory *inv = inventory_create();
    /* Numbers of every kind cJSON prints differently, escapes, raw UTF-8,
       duplicate and empty member names, deep nesting, empty containers. */
    cJSON *item = cJSON_Parse(
        "{\"SubnetId\":\"subnet-x\",\"AvailableIpAddressCount\":251,\"Zero\":0,\"Neg\":-7,"
        "\"NegZero\":-0.0,\"Half\":0.5,\"Big\":4294967296,\"Huge\":1e300,\"Tiny\":5e-324,"
        "\"Exact53\":9007199254740993,\"Pi\":3.141592653589793,\"Int32Max\":2147483647,"
        "\"Esc\":\"tab\\t nl\\n quote\\\" back\\\\ bell\\u0007 del\\u007f\","
        "\"Utf8\":\"\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xe2\x80\xae rtl\",\"\":\"empty key\","
        "\"Dup\":1,\"Dup\":2,\"T\":true,\"F\":false,\"N\":null,\"EA\":[],\"EO\":{},"
        "\"Deep\":[[[{\"a\":[{\"b\":{\"c\":[1,[2,[3]]]}}]}]]],"
        "\"Tags\":[{\"Key\":\"Name\",\"Value\":\"n\"},{\"Key\":\"k\"}]}");
    assert_non_null(item);
    assert_item_prints_same(inv, INV_SUBNET, item);
    const struct inv_resource *s = inventory_find(inv, INV_SUBNET, "subnet-x");
    assert_int_equal(s->n_tags, 2);
    assert_null(s->tags[1].value);
    /* Items built in code (as the XML parser does) with constant keys and a raw value. */
    item = cJSON_CreateObject();
    cJSON_AddItemToObjectCS(item, "NetworkInterfaceId", cJSON_CreateString("eni-c"));
    cJSON_AddItemToObjectCS(item, "Count", cJSON_CreateNumber(12345678901.0));
    cJSON_AddItemToObjectCS(item, "Raw", cJSON_CreateRaw("[1,2]"));
    cJSON_AddItemToObjectCS(item, "Nan", cJSON_CreateNumber(0.0 / 0.0));
    assert_item_prints_same(inv, INV_ENI, item);
    assert_null(inventory_item(inv, NULL));
    inventory_destroy(inv);
}

/* The decoded item owns its memory: it outlives the inventory and later puts. */
static void test_item_outlives_inventory(void **state)
{
    (void)state;
    struct inventory *inv = inventory_create();
    put(inv, INV_VPC,
        "{\"VpcId\":\"vpc-a\",\"OwnerId\":\"111122223333\",\"CidrBlock\":\"10.0.0.0/16\"}");
    const struct inv_resource *vpc = inventory_find(inv, INV_VPC, "vpc-a");
    assert_string_equal(vpc->owner_id, "111122223333");
    assert_string_equal(vpc->vpc.cidr_text, "10.0.0.0/16");
    cJSON *item = inventory_item(inv, vpc);
    put(inv, INV_VPC, "{\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.9.0.0/16\"}");
    inventory_destroy(inv);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(item, "CidrBlock")),
                        "10.0.0.0/16");
    cJSON_Delete(item);
}

/* Repeated strings are held once, however many resources carry them. */
static void test_repeated_strings_interned(void **state)
{
    (void)state;
    struct inventory *inv = inventory_create();
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-1\",\"SubnetId\":\"subnet-s\","
        "\"VpcId\":\"vpc-v\",\"AvailabilityZone\":\"us-east-1a\"}");
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-2\",\"SubnetId\":\"subnet-s\","
        "\"VpcId\":\"vpc-v\",\"AvailabilityZone\":\"us-east-1a\"}");
    const struct inv_resource *a = inventory_find(inv, INV_ENI, "eni-1");
    const struct inv_resource *b = inventory_find(inv, INV_ENI, "eni-2");
    assert_ptr_equal(a->eni.subnet_id, b->eni.subnet_id);
    assert_ptr_equal(a->vpc_id, b->vpc_id);
    assert_ptr_equal(a->eni.az_name, b->eni.az_name);
    struct inventory_memory m;
    inventory_memory(inv, &m);
    assert_true(m.items > 0 && m.records > 0 && m.strings > 0 && m.indexes > 0);
    inventory_destroy(inv);
}

/* Repeated values are written as references to the pool and decode to the same text. */
static void test_pooled_values_decode_exactly(void **state)
{
    (void)state;
    struct inventory *inv = inventory_create();
    char long_name[200];
    memset(long_name, 'g', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    for (int i = 0; i < 3; i++) {
        char text[1024];
        snprintf(text, sizeof(text),
                 "{\"NetworkInterfaceId\":\"eni-%d\",\"SubnetId\":\"subnet-s\",\"VpcId\":\"\","
                 "\"AvailabilityZone\":\"us-east-1a\",\"Status\":\"in-use\","
                 "\"Attachment\":{\"Status\":\"attached \\u0007\\u202e\","
                 "\"InstanceOwnerId\":\"111122223333\"},"
                 "\"Groups\":[{\"GroupId\":\"sg-1\",\"GroupName\":\"%s\"},"
                 "{\"GroupId\":\"sg-2\",\"GroupName\":\"web\"}],"
                 "\"TagSet\":[{\"Key\":\"where\",\"Value\":\"us-east-1a\"},"
                 "{\"Key\":\"subnet-s\",\"Value\":\"web\"}],\"Description\":\"sg-1\"}",
                 i, i == 1 ? long_name : "db");
        assert_item_prints_same(inv, INV_ENI, cJSON_Parse(text));
    }
    const struct inv_resource *e = inventory_find(inv, INV_ENI, "eni-2");
    assert_string_equal(e->eni.subnet_id, "subnet-s");
    assert_string_equal(e->vpc_id, "");
    assert_string_equal(e->tags[0].value, "us-east-1a");
    /* Ten security groups with long IDs: far fewer item bytes than their text. */
    struct inventory_memory before, after;
    inventory_memory(inv, &before);
    char text[2048];
    size_t len =
        (size_t)snprintf(text, sizeof(text), "{\"NetworkInterfaceId\":\"eni-many\",\"Groups\":[");
    for (int i = 0; i < 10; i++) {
        len += (size_t)snprintf(text + len, sizeof(text) - len, "%s{\"GroupId\":\"sg-%040d\"}",
                                i ? "," : "", i);
    }
    snprintf(text + len, sizeof(text) - len, "]}");
    put(inv, INV_ENI, text);
    inventory_memory(inv, &after);
    assert_true(after.items - before.items < 10 * 40);
    inventory_destroy(inv);
}

/* The IP map through growth and removals: every address still finds exactly its holders. */
static void test_ip_index_grows_and_shrinks(void **state)
{
    (void)state;
    struct inventory *inv = inventory_create();
    char text[256], id[32], ip[32];
    for (int i = 0; i < 1500; i++) {
        /* each ENI its own address and one of five shared by many (overlapping VPCs) */
        snprintf(text, sizeof(text),
                 "{\"NetworkInterfaceId\":\"eni-%04d\",\"PrivateIpAddresses\":["
                 "{\"PrivateIpAddress\":\"10.%d.%d.%d\"},{\"PrivateIpAddress\":\"10.9.9.%d\"}]}",
                 i, i / 65536, (i / 256) % 256, i % 256, i % 5);
        put(inv, INV_ENI, text);
    }
    for (int i = 0; i < 1500; i += 2) {
        snprintf(id, sizeof(id), "eni-%04d", i);
        assert_true(inventory_remove(inv, INV_ENI, id));
    }
    const struct inv_resource **v = NULL;
    for (int i = 0; i < 1500; i++) {
        snprintf(ip, sizeof(ip), "10.%d.%d.%d", i / 65536, (i / 256) % 256, i % 256);
        size_t n = inventory_find_enis_by_ip(inv, ip, &v);
        assert_int_equal(n, i % 2);
        if (n == 1) {
            snprintf(id, sizeof(id), "eni-%04d", i);
            assert_string_equal(v[0]->id, id);
        }
        free(v);
    }
    for (int k = 0; k < 5; k++) {
        snprintf(ip, sizeof(ip), "10.9.9.%d", k);
        size_t n = inventory_find_enis_by_ip(inv, ip, &v);
        assert_int_equal(n, 150); /* of the 300 holding it, the odd ones are left */
        for (size_t i = 0; i < n; i++) {
            long num = strtol(v[i]->id + 4, NULL, 10);
            assert_true(num % 2 == 1 && num % 5 == k);
            assert_true(i == 0 || strcmp(v[i - 1]->id, v[i]->id) < 0);
        }
        free(v);
    }
    assert_string_equal(inventory_find_eni_by_ip(inv, "10.9.9.3")->id, "eni-0003");
    inventory_destroy(inv);
}

/* Reads between puts see every ID in order: new IDs are merged into the kept order. */
static void test_sorted_across_puts(void **state)
{
    (void)state;
    struct inventory *inv = inventory_create();
    static const char *const ids[] = {"eni-5", "eni-1", "eni-9", "eni-3", "eni-7",
                                      "eni-2", "eni-8", "eni-0", "eni-6", "eni-4"};
    char buf[96];
    inventory_begin(inv, INV_ENI);
    for (size_t i = 0; i < 10; i++) {
        snprintf(buf, sizeof(buf), "{\"NetworkInterfaceId\":\"%s\"}", ids[i]);
        put(inv, INV_ENI, buf);
        if (i % 3 == 0) /* a page read: replacing eni-5 keeps its place */
            put(inv, INV_ENI, "{\"NetworkInterfaceId\":\"eni-5\",\"Status\":\"in-use\"}");
        assert_int_equal(inventory_count(inv, INV_ENI), i + 1);
        for (size_t k = 1; k <= i; k++)
            assert_true(strcmp(inventory_at(inv, INV_ENI, k - 1)->id,
                               inventory_at(inv, INV_ENI, k)->id) < 0);
    }
    inventory_end(inv, INV_ENI);
    /* A refresh that drops some: removal, then more inserts. */
    inventory_begin(inv, INV_ENI);
    put(inv, INV_ENI, "{\"NetworkInterfaceId\":\"eni-3\"}");
    put(inv, INV_ENI, "{\"NetworkInterfaceId\":\"eni-7\"}");
    inventory_end(inv, INV_ENI);
    assert_int_equal(inventory_count(inv, INV_ENI), 2);
    put(inv, INV_ENI, "{\"NetworkInterfaceId\":\"eni-5\"}");
    assert_string_equal(inventory_at(inv, INV_ENI, 0)->id, "eni-3");
    assert_string_equal(inventory_at(inv, INV_ENI, 1)->id, "eni-5");
    assert_string_equal(inventory_at(inv, INV_ENI, 2)->id, "eni-7");
    assert_null(inventory_at(inv, INV_ENI, 3));
    assert_string_equal(inventory_find(inv, INV_ENI, "eni-5")->id, "eni-5");
    inventory_destroy(inv);
}

static void test_item_tags(void **state)
{
    (void)state;
    struct inventory *inv = world();
    /* An ENI's tags are its TagSet; the Name lookup reads them too. */
    const struct inv_resource *eni = inventory_find(inv, INV_ENI, "eni-i1");
    cJSON *item = inventory_item(inv, eni);
    const cJSON *tags = inventory_item_tags(item);
    assert_ptr_equal(tags, cJSON_GetObjectItemCaseSensitive(item, "TagSet"));
    assert_int_equal(cJSON_GetArraySize(tags), 1);
    assert_string_equal(eni->name, "web");
    assert_int_equal(eni->n_tags, 1);
    assert_string_equal(eni->tags[0].key, "Name");
    assert_string_equal(eni->tags[0].value, "web");
    cJSON_Delete(item);
    /* Everything else has Tags. */
    const struct inv_resource *subnet = inventory_find(inv, INV_SUBNET, "subnet-1");
    item = inventory_item(inv, subnet);
    assert_ptr_equal(inventory_item_tags(item), cJSON_GetObjectItemCaseSensitive(item, "Tags"));
    cJSON_Delete(item);
    /* None at all, or not a list: NULL, or the other key when it is a list. */
    const struct inv_resource *bare = inventory_find(inv, INV_ENI, "eni-o1");
    item = inventory_item(inv, bare);
    assert_null(inventory_item_tags(item));
    assert_int_equal(bare->n_tags, 0);
    cJSON_Delete(item);
    assert_null(inventory_item_tags(NULL));
    cJSON *odd = cJSON_Parse("{\"Tags\":\"x\",\"TagSet\":[{\"Key\":\"Name\",\"Value\":\"y\"}]}");
    assert_ptr_equal(inventory_item_tags(odd), cJSON_GetObjectItemCaseSensitive(odd, "TagSet"));
    cJSON_ReplaceItemInObjectCaseSensitive(odd, "TagSet", cJSON_CreateNumber(1));
    assert_null(inventory_item_tags(odd));
    cJSON_Delete(odd);
    inventory_destroy(inv);
}

static void test_derived_json(void **state)
{
    struct inventory *inv = world();
    assert_int_equal(inventory_set_vpc_attribute(inv, "vpc-a", "enableDnsSupport", true), VPCX_OK);
    cJSON *d = derived_to_json(inv);
    assert_non_null(d);
    const cJSON *owners = cJSON_GetObjectItemCaseSensitive(d, "EniOwners");
    const cJSON *e1 = cJSON_GetObjectItemCaseSensitive(owners, "eni-e1");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(e1, "VpcEndpointId")->valuestring,
                        "vpce-1");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(e1, "ServiceName")->valuestring,
                        "com.amazonaws.us-east-1.ssm");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(e1, "OwnerType")->valuestring,
                        "VpcEndpoint");
    const cJSON *i1 = cJSON_GetObjectItemCaseSensitive(owners, "eni-i1");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(i1, "OwnerType")->valuestring, "Instance");
    assert_null(cJSON_GetObjectItemCaseSensitive(i1, "VpcEndpointId"));

    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(d, "SubnetIpUsage");
    const cJSON *s1 = cJSON_GetObjectItemCaseSensitive(usage, "subnet-1");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(s1, "UsedAddresses")->valueint, 3);
    const cJSON *place = cJSON_GetObjectItemCaseSensitive(d, "EndpointPlacement");
    assert_non_null(cJSON_GetObjectItemCaseSensitive(place, "vpce-1"));
    const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(d, "VpcAttributes");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(attrs, "vpc-a"), "EnableDnsSupport")));
    const cJSON *head = cJSON_GetObjectItemCaseSensitive(d, "AzHeadroom");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(head, "vpc-a")), 2);
    cJSON_Delete(d);
    inventory_destroy(inv);
}

#define MANY 100000

static void test_many_enis(void **state)
{
    struct inventory *inv = inventory_create();
    put(inv, INV_SUBNET, "{\"SubnetId\":\"subnet-big\",\"CidrBlock\":\"10.0.0.0/8\"}");
    inventory_begin(inv, INV_ENI);
    for (int i = 0; i < MANY; i++) {
        cJSON *o = cJSON_CreateObject();
        char *id = xasprintf("eni-%08d", i);
        char *ip = xasprintf("10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        cJSON_AddStringToObject(o, "NetworkInterfaceId", id);
        cJSON_AddStringToObject(o, "SubnetId", "subnet-big");
        cJSON_AddStringToObject(o, "PrivateIpAddress", ip);
        assert_int_equal(inventory_put(inv, INV_ENI, o), VPCX_OK);
        free(id);
        free(ip);
    }
    inventory_end(inv, INV_ENI);
    assert_int_equal(inventory_count(inv, INV_ENI), MANY);
    for (int i = 0; i < MANY; i += 7) {
        char *id = xasprintf("eni-%08d", i);
        char *ip = xasprintf("10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        const struct inv_resource *r = inventory_find(inv, INV_ENI, id);
        assert_non_null(r);
        assert_string_equal(r->id, id);
        const struct inv_resource *byip = inventory_find_eni_by_ip(inv, ip);
        assert_ptr_equal(byip, r);
        free(id);
        free(ip);
    }
    assert_int_equal(inventory_subnet_enis(inv, "subnet-big").n, MANY);
    assert_string_equal(inventory_at(inv, INV_ENI, 12345)->id, "eni-00012345");

    /* sweep the odd half */
    inventory_begin(inv, INV_ENI);
    for (int i = 0; i < MANY; i += 2) {
        cJSON *o = cJSON_CreateObject();
        char *id = xasprintf("eni-%08d", i);
        cJSON_AddStringToObject(o, "NetworkInterfaceId", id);
        assert_int_equal(inventory_put(inv, INV_ENI, o), VPCX_OK);
        free(id);
    }
    inventory_end(inv, INV_ENI);
    assert_int_equal(inventory_count(inv, INV_ENI), MANY / 2);
    for (int i = 0; i < MANY; i += 3) {
        char *id = xasprintf("eni-%08d", i);
        bool present = inventory_find(inv, INV_ENI, id) != NULL;
        assert_int_equal(present, i % 2 == 0);
        free(id);
    }
    assert_null(inventory_find_eni_by_ip(inv, "10.0.0.1"));
    inventory_destroy(inv);
}

static void test_destroy_null(void **state)
{
    inventory_destroy(NULL);
}

/* S3 has a Gateway and an Interface detail under one name: both are kept. */
static void test_services_share_a_name(void **state)
{
    struct inventory *inv = inventory_create();
    assert_int_equal(inventory_put(inv, INV_SERVICE,
                                   cJSON_Parse("{\"ServiceId\":\"vpce-svc-gw\",\"ServiceName\":"
                                               "\"com.amazonaws.us-east-1.s3\",\"ServiceType\":"
                                               "[{\"ServiceType\":\"Gateway\"}]}")),
                     VPCX_OK);
    assert_int_equal(inventory_put(inv, INV_SERVICE,
                                   cJSON_Parse("{\"ServiceId\":\"vpce-svc-if\",\"ServiceName\":"
                                               "\"com.amazonaws.us-east-1.s3\",\"ServiceType\":"
                                               "[{\"ServiceType\":\"Interface\"}],"
                                               "\"AvailabilityZones\":[\"us-east-1a\"]}")),
                     VPCX_OK);
    assert_int_equal(inventory_count(inv, INV_SERVICE), 2);
    const struct inv_resource *r =
        inventory_find_service(inv, "com.amazonaws.us-east-1.s3", INV_ENDPOINT_INTERFACE);
    assert_non_null(r);
    assert_string_equal(r->id, "vpce-svc-if");
    r = inventory_find_service(inv, "com.amazonaws.us-east-1.s3", INV_ENDPOINT_GATEWAY);
    assert_string_equal(r->id, "vpce-svc-gw");
    /* No detail of that kind: any detail with the name is better than none. */
    r = inventory_find_service(inv, "com.amazonaws.us-east-1.s3", INV_ENDPOINT_GWLB);
    assert_non_null(r);
    assert_null(inventory_find_service(inv, "com.amazonaws.us-east-1.sqs", INV_ENDPOINT_GATEWAY));
    inventory_destroy(inv);
}

/* Links updated page by page equal links built once over the same resources. */
static void put_page_items(struct inventory *inv, unsigned from, unsigned to)
{
    char json[512];
    for (unsigned k = from; k < to; k++) {
        unsigned i = (k * 7919u) % 600; /* IDs arrive out of order */
        const char *kind = i % 50 == 3 ? "vpc_endpoint" : "interface";
        char desc[64] = "worker";
        if (i % 50 == 3)
            snprintf(desc, sizeof(desc), "VPC Endpoint Interface vpce-%c",
                     i % 100 == 3 ? 'b' : 'z');
        snprintf(json, sizeof(json),
                 "{\"NetworkInterfaceId\":\"eni-%04u\",\"SubnetId\":\"subnet-%u\",\"VpcId\":"
                 "\"vpc-a\",\"InterfaceType\":\"%s\",\"Description\":\"%s\","
                 "\"PrivateIpAddresses\":[{\"PrivateIpAddress\":\"10.0.%u.%u\"}]}",
                 i, i % 3, kind, desc, i / 250, i % 250);
        put(inv, INV_ENI, json);
    }
}

static struct inventory *links_world(void)
{
    struct inventory *inv = inventory_create();
    put(inv, INV_VPC, "{\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.0.0.0/16\"}");
    put(inv, INV_AZ, "{\"ZoneName\":\"us-east-1a\",\"ZoneId\":\"use1-az1\"}");
    for (unsigned i = 0; i < 3; i++) {
        char json[256];
        snprintf(json, sizeof(json),
                 "{\"SubnetId\":\"subnet-%u\",\"VpcId\":\"vpc-a\",\"CidrBlock\":\"10.0.%u.0/24\","
                 "\"AvailabilityZone\":\"us-east-1a\"}",
                 i, i);
        put(inv, INV_SUBNET, json);
    }
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-a\",\"VpcId\":\"vpc-a\",\"VpcEndpointType\":\"Interface\","
        "\"SubnetIds\":[\"subnet-1\"],\"NetworkInterfaceIds\":[\"eni-0010\",\"eni-0599\"]}");
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-b\",\"VpcId\":\"vpc-a\",\"VpcEndpointType\":\"Interface\","
        "\"NetworkInterfaceIds\":[\"eni-0010\"]}");
    return inv;
}

static void assert_same_ids(struct inv_ids x, struct inv_ids y)
{
    assert_int_equal(x.n, y.n);
    for (size_t i = 0; i < x.n; i++)
        assert_string_equal(x.v[i], y.v[i]);
}

static void test_links_page_by_page(void **state)
{
    (void)state;
    struct inventory *paged = links_world(), *whole = links_world();
    assert_int_equal(inventory_vpc_subnets(paged, "vpc-a").n, 3);
    for (unsigned from = 0; from < 600; from += 100) {
        put_page_items(paged, from, from + 100);
        /* A read between pages, as the explorer's repaint does. */
        assert_true(inventory_subnet_enis(paged, "subnet-0").n > 0);
    }
    put_page_items(whole, 0, 600);
    const char *subnets[] = {"subnet-0", "subnet-1", "subnet-2"};
    for (size_t i = 0; i < 3; i++) {
        assert_same_ids(inventory_subnet_enis(paged, subnets[i]),
                        inventory_subnet_enis(whole, subnets[i]));
        assert_same_ids(inventory_subnet_endpoints(paged, subnets[i]),
                        inventory_subnet_endpoints(whole, subnets[i]));
    }
    assert_int_equal(inventory_subnet_enis(paged, "subnet-0").n, 200);
    const char *eps[] = {"vpce-a", "vpce-b", "vpce-z"};
    for (size_t i = 0; i < 3; i++)
        assert_same_ids(inventory_endpoint_enis(paged, eps[i]),
                        inventory_endpoint_enis(whole, eps[i]));
    char id[32];
    for (unsigned i = 0; i < 600; i++) {
        snprintf(id, sizeof(id), "eni-%04u", i);
        enum inv_owner_source sp, sw;
        const char *op = inventory_eni_endpoint(paged, id, &sp);
        const char *ow = inventory_eni_endpoint(whole, id, &sw);
        assert_int_equal(sp, sw);
        if (ow == NULL)
            assert_null(op);
        else
            assert_string_equal(op, ow);
    }
    /* Listed by both endpoints: the first by ID owns it, on either path. */
    assert_string_equal(inventory_eni_endpoint(paged, "eni-0010", NULL), "vpce-a");
    assert_string_equal(inventory_eni_endpoint(paged, "eni-0103", NULL), "vpce-b");
    /* A replaced ENI (a refresh) moves subnets: the links follow. */
    put(paged, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-0000\",\"SubnetId\":\"subnet-2\",\"VpcId\":\"vpc-a\"}");
    assert_int_equal(inventory_subnet_enis(paged, "subnet-0").n, 199);
    assert_int_equal(inventory_subnet_enis(paged, "subnet-2").n, 201);
    put(paged, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-9999\",\"SubnetId\":\"subnet-2\",\"VpcId\":\"vpc-a\"}");
    struct inv_ids s2 = inventory_subnet_enis(paged, "subnet-2");
    assert_int_equal(s2.n, 202);
    assert_string_equal(s2.v[s2.n - 1], "eni-9999");
    inventory_destroy(paged);
    inventory_destroy(whole);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_table),
        cmocka_unit_test(test_typed_fields),
        cmocka_unit_test(test_item_decodes_exactly),
        cmocka_unit_test(test_sorted_across_puts),
        cmocka_unit_test(test_item_outlives_inventory),
        cmocka_unit_test(test_repeated_strings_interned),
        cmocka_unit_test(test_pooled_values_decode_exactly),
        cmocka_unit_test(test_missing_id),
        cmocka_unit_test(test_sorted_iteration),
        cmocka_unit_test(test_mark_and_sweep),
        cmocka_unit_test(test_abort_keeps_data),
        cmocka_unit_test(test_replace_keeps_unknown_fields),
        cmocka_unit_test(test_find_by_ip),
        cmocka_unit_test(test_find_all_holders),
        cmocka_unit_test(test_ip_index_grows_and_shrinks),
        cmocka_unit_test(test_cross_links),
        cmocka_unit_test(test_item_tags),
        cmocka_unit_test(test_derived_json),
        cmocka_unit_test(test_many_enis),
        cmocka_unit_test(test_destroy_null),
        cmocka_unit_test(test_services_share_a_name),
        cmocka_unit_test(test_links_page_by_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
