/* netinfo: service names, security group rows, NACL order, routes, associations, summary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "vpcx/model/inventory.h"
#include "vpcx/model/netinfo.h"

static void put(struct inventory *inv, enum inv_type type, const char *json)
{
    cJSON *item = cJSON_Parse(json);
    if (!item)
        fail_msg("bad fixture: %s", json);
    assert_int_equal(inventory_put(inv, type, item), VPCX_OK);
}

static void expect_short(const char *name, enum inv_endpoint_kind kind, const char *want)
{
    char *s = netinfo_short_service(name, kind);
    assert_string_equal(s, want);
    free(s);
}

static void test_short_service(void **state)
{
    (void)state;
    expect_short("com.amazonaws.us-east-1.ssm", INV_ENDPOINT_INTERFACE, "ssm");
    expect_short("com.amazonaws.us-east-1.ecr.dkr", INV_ENDPOINT_INTERFACE, "ecr.dkr");
    expect_short("com.amazonaws.us-east-1.s3", INV_ENDPOINT_GATEWAY, "s3 (gateway)");
    expect_short("com.amazonaws.ap-southeast-2.execute-api", INV_ENDPOINT_INTERFACE, "execute-api");
    expect_short("com.amazonaws.us-gov-west-1.kms-fips", INV_ENDPOINT_INTERFACE, "kms-fips");
    expect_short("com.amazonaws.vpce.us-east-1.vpce-svc-0123abcd", INV_ENDPOINT_INTERFACE,
                 "vpce-svc-0123abcd");
    expect_short("aws.sagemaker.us-east-1.notebook", INV_ENDPOINT_INTERFACE, "notebook");
    expect_short("my.custom.service", INV_ENDPOINT_INTERFACE, "my.custom.service");
    expect_short("com.amazonaws.us-east-1", INV_ENDPOINT_INTERFACE, "com.amazonaws.us-east-1");
    expect_short(NULL, INV_ENDPOINT_INTERFACE, "?");
}

static void test_protocol_names(void **state)
{
    (void)state;
    assert_string_equal(netinfo_protocol_name("-1"), "all");
    assert_string_equal(netinfo_protocol_name("6"), "tcp");
    assert_string_equal(netinfo_protocol_name("tcp"), "tcp");
    assert_string_equal(netinfo_protocol_name("17"), "udp");
    assert_string_equal(netinfo_protocol_name("1"), "icmp");
    assert_string_equal(netinfo_protocol_name("50"), "50");
}

static const char *const GROUP =
    "{\"GroupId\":\"sg-1\",\"GroupName\":\"web\",\"IpPermissions\":["
    "{\"IpProtocol\":\"tcp\",\"FromPort\":443,\"ToPort\":443,"
    "\"IpRanges\":[{\"CidrIp\":\"10.0.0.0/16\",\"Description\":\"vpc\"},{\"CidrIp\":"
    "\"10.1.0.0/16\"}],\"Ipv6Ranges\":[{\"CidrIpv6\":\"2001:db8::/56\"}],"
    "\"UserIdGroupPairs\":[{\"GroupId\":\"sg-2\"}],"
    "\"PrefixListIds\":[{\"PrefixListId\":\"pl-1\",\"Description\":\"s3\"}]},"
    "{\"IpProtocol\":\"tcp\",\"FromPort\":1024,\"ToPort\":65535,\"UserIdGroupPairs\":"
    "[{\"GroupId\":\"sg-3\",\"GroupName\":\"given\"}]},"
    "{\"IpProtocol\":\"icmp\",\"FromPort\":8,\"ToPort\":-1,\"IpRanges\":[{\"CidrIp\":"
    "\"0.0.0.0/0\"}]}],"
    "\"IpPermissionsEgress\":[{\"IpProtocol\":\"-1\",\"IpRanges\":[{\"CidrIp\":"
    "\"0.0.0.0/0\"}]}]}";

static void test_sg_rules(void **state)
{
    (void)state;
    struct inventory *inv = inventory_create();
    put(inv, INV_SECURITY_GROUP, "{\"GroupId\":\"sg-2\",\"GroupName\":\"app\"}");
    put(inv, INV_PREFIX_LIST,
        "{\"PrefixListId\":\"pl-1\",\"PrefixListName\":\"com.amazonaws.us-east-1.s3\"}");
    cJSON *g = cJSON_Parse(GROUP);
    struct netinfo_sg_rules r;
    netinfo_sg_rules(inv, g, &r);
    assert_int_equal(r.n, 8);
    assert_false(r.v[0].egress);
    assert_string_equal(r.v[0].protocol, "tcp");
    assert_string_equal(r.v[0].ports, "443");
    assert_string_equal(r.v[0].peer, "10.0.0.0/16");
    assert_string_equal(r.v[0].description, "vpc");
    assert_null(r.v[1].description);
    assert_int_equal(r.v[2].peer_kind, NETINFO_PEER_CIDR6);
    assert_int_equal(r.v[3].peer_kind, NETINFO_PEER_GROUP);
    assert_string_equal(r.v[3].peer_name, "app"); /* from the inventory */
    assert_int_equal(r.v[4].peer_kind, NETINFO_PEER_PREFIX_LIST);
    assert_string_equal(r.v[4].peer_name, "com.amazonaws.us-east-1.s3");
    assert_string_equal(r.v[5].ports, "1024-65535");
    assert_string_equal(r.v[5].peer_name, "given"); /* from the pair */
    assert_string_equal(r.v[6].protocol, "icmp");
    assert_string_equal(r.v[6].ports, "type 8");
    assert_true(r.v[7].egress);
    assert_string_equal(r.v[7].protocol, "all");
    assert_string_equal(r.v[7].ports, "all");
    assert_string_equal(netinfo_direction(r.v[7].egress), "outbound");
    netinfo_sg_rules_finish(&r);
    cJSON_Delete(g);
    inventory_destroy(inv);
}

static void test_acl_order_and_default_rule(void **state)
{
    (void)state;
    cJSON *acl = cJSON_Parse(
        "{\"NetworkAclId\":\"acl-1\",\"Entries\":["
        "{\"CidrBlock\":\"0.0.0.0/0\",\"Egress\":true,\"Protocol\":\"-1\",\"RuleAction\":"
        "\"allow\",\"RuleNumber\":100},"
        "{\"CidrBlock\":\"0.0.0.0/0\",\"Egress\":false,\"Protocol\":\"-1\",\"RuleAction\":"
        "\"deny\",\"RuleNumber\":32767},"
        "{\"CidrBlock\":\"10.0.0.0/8\",\"Egress\":false,\"Protocol\":\"6\",\"RuleAction\":"
        "\"allow\",\"RuleNumber\":200,\"PortRange\":{\"From\":443,\"To\":443}},"
        "{\"CidrBlock\":\"192.0.2.0/24\",\"Egress\":false,\"Protocol\":\"-1\",\"RuleAction\":"
        "\"deny\",\"RuleNumber\":50}]}");
    struct netinfo_acl_entries e;
    netinfo_acl_entries(acl, &e);
    assert_int_equal(e.n, 5);
    assert_int_equal(e.v[0].rule_number, 50);
    assert_false(e.v[0].allow);
    assert_int_equal(e.v[1].rule_number, 200);
    assert_string_equal(e.v[1].protocol, "tcp");
    assert_string_equal(e.v[1].ports, "443");
    assert_int_equal(e.v[2].rule_number, NETINFO_ACL_DEFAULT_RULE);
    assert_false(e.v[2].implicit);
    assert_false(e.v[2].egress);
    assert_true(e.v[3].egress);
    assert_int_equal(e.v[3].rule_number, 100);
    /* Egress has no "*" entry in the item: it is added, since AWS always applies it. */
    assert_true(e.v[4].egress);
    assert_true(e.v[4].implicit);
    assert_false(e.v[4].allow);
    char buf[12];
    assert_string_equal(netinfo_acl_rule_text(e.v[4].rule_number, buf, sizeof(buf)), "*");
    assert_string_equal(netinfo_acl_rule_text(50, buf, sizeof(buf)), "50");
    netinfo_acl_entries_finish(&e);
    cJSON_Delete(acl);
}

static struct inventory *network(void)
{
    struct inventory *inv = inventory_create();
    put(inv, INV_VPC, "{\"VpcId\":\"vpc-1\",\"CidrBlock\":\"10.0.0.0/16\"}");
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-a\",\"VpcId\":\"vpc-1\",\"CidrBlock\":\"10.0.0.0/28\","
        "\"AvailabilityZone\":\"us-east-1a\",\"AvailableIpAddressCount\":9}");
    put(inv, INV_SUBNET,
        "{\"SubnetId\":\"subnet-b\",\"VpcId\":\"vpc-1\",\"CidrBlock\":\"10.0.1.0/24\","
        "\"AvailabilityZone\":\"us-east-1b\",\"AvailableIpAddressCount\":251}");
    put(inv, INV_NETWORK_ACL,
        "{\"NetworkAclId\":\"acl-1\",\"VpcId\":\"vpc-1\",\"Associations\":[{\"SubnetId\":"
        "\"subnet-a\"},{\"SubnetId\":\"subnet-b\"}]}");
    put(inv, INV_ROUTE_TABLE,
        "{\"RouteTableId\":\"rtb-main\",\"VpcId\":\"vpc-1\",\"Associations\":[{\"Main\":true}],"
        "\"Routes\":[{\"DestinationCidrBlock\":\"10.0.0.0/16\",\"GatewayId\":\"local\","
        "\"State\":\"active\"},{\"DestinationPrefixListId\":\"pl-1\",\"GatewayId\":"
        "\"vpce-gw\",\"State\":\"active\"},{\"DestinationPrefixListId\":\"pl-9\",\"GatewayId\":"
        "\"vpce-gw\"},{\"DestinationCidrBlock\":\"0.0.0.0/0\",\"NatGatewayId\":\"nat-1\"}]}");
    put(inv, INV_ROUTE_TABLE,
        "{\"RouteTableId\":\"rtb-a\",\"VpcId\":\"vpc-1\",\"Associations\":[{\"Main\":false,"
        "\"SubnetId\":\"subnet-a\"}]}");
    put(inv, INV_PREFIX_LIST,
        "{\"PrefixListId\":\"pl-1\",\"PrefixListName\":\"com.amazonaws.us-east-1.s3\"}");
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-1\",\"VpcEndpointType\":\"Interface\",\"VpcId\":\"vpc-1\","
        "\"ServiceName\":\"com.amazonaws.us-east-1.ssm\",\"SubnetIds\":[\"subnet-a\"],"
        "\"NetworkInterfaceIds\":[\"eni-1\"]}");
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-gw\",\"VpcEndpointType\":\"Gateway\",\"VpcId\":\"vpc-1\","
        "\"ServiceName\":\"com.amazonaws.us-east-1.s3\",\"RouteTableIds\":[\"rtb-main\"]}");
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-1\",\"SubnetId\":\"subnet-a\",\"VpcId\":\"vpc-1\","
        "\"AvailabilityZone\":\"us-east-1a\",\"PrivateIpAddress\":\"10.0.0.4\","
        "\"PrivateIpAddresses\":[{\"PrivateIpAddress\":\"10.0.0.4\"},{\"PrivateIpAddress\":"
        "\"10.0.0.5\"}]}");
    return inv;
}

static void test_routes_and_associations(void **state)
{
    (void)state;
    struct inventory *inv = network();
    const struct inv_resource *rt = inventory_find(inv, INV_ROUTE_TABLE, "rtb-main");
    struct netinfo_routes r;
    cJSON *item = inventory_item(inv, rt);
    netinfo_routes(inv, item, &r);
    cJSON_Delete(item);
    assert_int_equal(r.n, 4);
    assert_string_equal(r.v[0].target, "local");
    assert_null(r.v[0].dest_name);
    assert_string_equal(r.v[1].destination, "pl-1");
    assert_string_equal(r.v[1].dest_name, "com.amazonaws.us-east-1.s3");
    assert_null(r.v[2].dest_name); /* not in the inventory */
    assert_null(r.v[2].state);
    assert_string_equal(r.v[3].target, "nat-1");
    netinfo_routes_finish(&r);

    assert_string_equal(netinfo_subnet_acl(inv, "subnet-b")->id, "acl-1");
    assert_null(netinfo_subnet_acl(inv, "subnet-zz"));
    bool is_main = true;
    assert_string_equal(netinfo_subnet_route_table(inv, "subnet-a", &is_main)->id, "rtb-a");
    assert_false(is_main);
    assert_string_equal(netinfo_subnet_route_table(inv, "subnet-b", &is_main)->id, "rtb-main");
    assert_true(is_main);
    assert_true(netinfo_route_table_is_main(inv, rt));
    inventory_destroy(inv);
}

static void test_summary(void **state)
{
    (void)state;
    struct inventory *inv = network();
    struct netinfo_summary s;
    netinfo_summarize(inv, &s);
    assert_int_equal(s.vpcs, 1);
    assert_int_equal(s.subnets, 2);
    assert_int_equal(s.enis, 1);
    assert_int_equal(s.endpoint_enis, 1);
    assert_int_equal(s.endpoints_total, 2);
    assert_int_equal(s.endpoints[INV_ENDPOINT_INTERFACE], 1);
    assert_int_equal(s.endpoints[INV_ENDPOINT_GATEWAY], 1);
    assert_int_equal(s.single_az, 1);
    assert_string_equal(s.fullest_subnet, "subnet-a");
    assert_int_equal(s.network_acls, 1);
    assert_int_equal(s.route_tables, 2);
    char *c = netinfo_count(1, "ENI");
    assert_string_equal(c, "1 ENI");
    free(c);
    c = netinfo_count(0, "subnet");
    assert_string_equal(c, "0 subnets");
    free(c);
    inventory_destroy(inv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_service),
        cmocka_unit_test(test_protocol_names),
        cmocka_unit_test(test_sg_rules),
        cmocka_unit_test(test_acl_order_and_default_rule),
        cmocka_unit_test(test_routes_and_associations),
        cmocka_unit_test(test_summary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
