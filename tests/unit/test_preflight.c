/*
 * preflight rules, the modify delta, and the pure parts of mutate: the CLI
 * rendering, the ClientToken, the read-only gate and the simulated mode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "vpcx/core/xalloc.h"
#include "vpcx/model/inventory.h"
#include "vpcx/model/preflight.h"
#include "vpcx/sync/mutate.h"
#include "vpcx/sync/simulate.h"

#define SSM "com.amazonaws.us-east-1.ssm"
#define KMS "com.amazonaws.us-east-1.kms"
#define S3  "com.amazonaws.us-east-1.s3"

static void put(struct inventory *inv, enum inv_type type, const char *json)
{
    cJSON *item = cJSON_Parse(json);
    if (!item)
        fail_msg("bad fixture: %s", json);
    assert_int_equal(inventory_put(inv, type, item), VPCX_OK);
}

static void put_subnet(struct inventory *inv, const char *id, const char *vpc, const char *az,
                       const char *cidr, int available)
{
    char *j =
        xasprintf("{\"SubnetId\":\"%s\",\"VpcId\":\"%s\",\"AvailabilityZone\":\"us-east-1%s\","
                  "\"AvailabilityZoneId\":\"use1-az-%s\",\"CidrBlock\":\"%s\","
                  "\"AvailableIpAddressCount\":%d}",
                  id, vpc, az, az, cidr, available);
    put(inv, INV_SUBNET, j);
    free(j);
}

static void put_sg(struct inventory *inv, const char *id, const char *vpc, const char *name,
                   const char *perms)
{
    char *j = xasprintf("{\"GroupId\":\"%s\",\"VpcId\":\"%s\",\"GroupName\":\"%s\","
                        "\"IpPermissions\":%s}",
                        id, vpc, name, perms);
    put(inv, INV_SECURITY_GROUP, j);
    free(j);
}

static int setup(void **state)
{
    struct inventory *inv = inventory_create();
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        inventory_begin(inv, (enum inv_type)t);
    put(inv, INV_VPC, "{\"VpcId\":\"vpc-1\",\"CidrBlock\":\"10.0.0.0/16\"}");
    put(inv, INV_VPC, "{\"VpcId\":\"vpc-2\",\"CidrBlock\":\"10.1.0.0/16\"}");
    put(inv, INV_VPC, "{\"VpcId\":\"vpc-3\",\"CidrBlock\":\"10.2.0.0/16\"}");
    put_subnet(inv, "subnet-a1", "vpc-1", "a", "10.0.1.0/24", 251);
    put_subnet(inv, "subnet-a2", "vpc-1", "a", "10.0.2.0/24", 251);
    put_subnet(inv, "subnet-b", "vpc-1", "b", "10.0.3.0/28", 3);
    put_subnet(inv, "subnet-c", "vpc-1", "c", "10.0.4.0/28", 0);
    put_subnet(inv, "subnet-x", "vpc-2", "a", "10.1.1.0/24", 251);
    put_subnet(inv, "subnet-3a", "vpc-3", "a", "10.2.1.0/24", 251);
    put(inv, INV_SERVICE,
        "{\"ServiceId\":\"vpce-svc-ssm\",\"ServiceName\":\"" SSM "\",\"ServiceType\":"
        "[{\"ServiceType\":\"Interface\"}],\"AvailabilityZones\":[\"us-east-1a\","
        "\"us-east-1b\",\"us-east-1c\"]}");
    put(inv, INV_SERVICE,
        "{\"ServiceId\":\"vpce-svc-kms\",\"ServiceName\":\"" KMS "\",\"ServiceType\":"
        "[{\"ServiceType\":\"Interface\"}],\"AvailabilityZones\":[\"us-east-1a\"]}");
    put(inv, INV_SERVICE,
        "{\"ServiceId\":\"vpce-svc-s3\",\"ServiceName\":\"" S3 "\",\"ServiceType\":"
        "[{\"ServiceType\":\"Gateway\"}],\"AvailabilityZones\":[\"us-east-1a\"]}");
    put_sg(inv, "sg-443", "vpc-1", "https",
           "[{\"IpProtocol\":\"tcp\",\"FromPort\":443,\"ToPort\":443,"
           "\"IpRanges\":[{\"CidrIp\":\"10.0.0.0/8\"}]}]");
    put_sg(inv, "sg-ssh", "vpc-1", "ssh",
           "[{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,"
           "\"IpRanges\":[{\"CidrIp\":\"10.0.0.0/16\"}]},{\"IpProtocol\":\"tcp\",\"FromPort\":"
           "443,\"ToPort\":443,\"IpRanges\":[{\"CidrIp\":\"10.0.1.0/24\"}]}]");
    put_sg(inv, "sg-ref", "vpc-1", "ref",
           "[{\"IpProtocol\":\"tcp\",\"FromPort\":0,\"ToPort\":1024,"
           "\"UserIdGroupPairs\":[{\"GroupId\":\"sg-443\"}]}]");
    put_sg(inv, "sg-all", "vpc-1", "all",
           "[{\"IpProtocol\":\"-1\",\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}]}]");
    put_sg(inv, "sg-def", "vpc-1", "default", "[]");
    put_sg(inv, "sg-other", "vpc-2", "other",
           "[{\"IpProtocol\":\"-1\",\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}]}]");
    put(inv, INV_ROUTE_TABLE, "{\"RouteTableId\":\"rtb-1\",\"VpcId\":\"vpc-1\"}");
    put(inv, INV_ROUTE_TABLE, "{\"RouteTableId\":\"rtb-2\",\"VpcId\":\"vpc-2\"}");
    put(inv, INV_ENDPOINT,
        "{\"VpcEndpointId\":\"vpce-exist\",\"VpcEndpointType\":\"Interface\",\"VpcId\":"
        "\"vpc-1\",\"ServiceName\":\"" SSM "\",\"State\":\"available\",\"PrivateDnsEnabled\":"
        "true,\"SubnetIds\":[\"subnet-a1\"],\"Groups\":[{\"GroupId\":\"sg-443\",\"GroupName\":"
        "\"https\"}],\"RouteTableIds\":[],\"NetworkInterfaceIds\":[]}");
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        inventory_end(inv, (enum inv_type)t);
    inventory_set_vpc_attribute(inv, "vpc-1", "enableDnsSupport", true);
    inventory_set_vpc_attribute(inv, "vpc-1", "enableDnsHostnames", true);
    inventory_set_vpc_attribute(inv, "vpc-2", "enableDnsSupport", false);
    inventory_set_vpc_attribute(inv, "vpc-2", "enableDnsHostnames", true);
    *state = inv;
    return 0;
}

static int teardown(void **state)
{
    inventory_destroy(*state);
    return 0;
}

#define IDS(...)                                                                                   \
    ((struct inv_ids){.v = (const char *[]){__VA_ARGS__},                                          \
                      .n = sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)})

/* A clean interface request: KMS in zone a, a group admitting 443, private DNS on. */
static struct endpoint_spec good_spec(void)
{
    static const char *subnets[] = {"subnet-a1"};
    static const char *groups[] = {"sg-443"};
    return (struct endpoint_spec){
        .vpc_id = "vpc-1",
        .service_name = KMS,
        .kind = INV_ENDPOINT_INTERFACE,
        .subnet_ids = {subnets, 1},
        .group_ids = {groups, 1},
        .private_dns = INV_YES,
    };
}

static void check(struct inventory *inv, const struct endpoint_spec *s, struct preflight_report *r)
{
    preflight_report_init(r);
    preflight_check_create(inv, s, r);
}

/* Asserts the rule is reported, with its severity, naming the resource in its text. */
static void expect(const struct preflight_report *r, enum preflight_rule rule, const char *names)
{
    const struct preflight_finding *f = preflight_report_find(r, rule);
    if (!f) {
        for (size_t i = 0; i < r->n; i++)
            print_message("  have %s: %s\n", r->v[i].key, r->v[i].text);
        fail_msg("expected finding %s", preflight_rule_key(rule));
    }
    assert_int_equal(f->severity, preflight_rule_severity(rule));
    if (names && !strstr(f->text, names))
        fail_msg("%s: '%s' does not name %s", f->key, f->text, names);
}

static void test_clean_request_has_no_findings(void **state)
{
    struct endpoint_spec s = good_spec();
    struct preflight_report r;
    check(*state, &s, &r);
    for (size_t i = 0; i < r.n; i++)
        print_message("unexpected %s: %s\n", r.v[i].key, r.v[i].text);
    assert_int_equal(r.n, 0);
    assert_false(preflight_report_blocks(&r));
    preflight_report_finish(&r);
}

static void test_vpc_service_and_type(void **state)
{
    struct preflight_report r;
    struct endpoint_spec s = good_spec();
    s.vpc_id = "vpc-nope";
    check(*state, &s, &r);
    expect(&r, PREFLIGHT_VPC_NOT_FOUND, "vpc-nope");
    assert_true(preflight_report_blocks(&r));
    preflight_report_finish(&r);

    s = good_spec();
    s.service_name = "com.example.nothing";
    check(*state, &s, &r);
    expect(&r, PREFLIGHT_SERVICE_NOT_FOUND, "com.example.nothing");
    preflight_report_finish(&r);

    s = good_spec();
    s.kind = INV_ENDPOINT_GWLB;
    check(*state, &s, &r);
    expect(&r, PREFLIGHT_TYPE_NOT_OFFERED, "GatewayLoadBalancer");
    preflight_report_finish(&r);

    /* Services never loaded: a warning, not a pass and not an error. */
    struct inventory *bare = inventory_create();
    put(bare, INV_VPC, "{\"VpcId\":\"vpc-1\",\"CidrBlock\":\"10.0.0.0/16\"}");
    s = good_spec();
    s.subnet_ids = (struct inv_ids){0};
    s.group_ids = (struct inv_ids){0};
    s.kind = INV_ENDPOINT_GATEWAY;
    s.route_table_ids = IDS("rtb-9");
    check(bare, &s, &r);
    expect(&r, PREFLIGHT_SERVICE_UNVERIFIED, KMS);
    assert_null(preflight_report_find(&r, PREFLIGHT_SERVICE_NOT_FOUND));
    assert_null(preflight_report_find(&r, PREFLIGHT_ROUTE_TABLE_NOT_FOUND));
    preflight_report_finish(&r);
    inventory_destroy(bare);
}

static void test_subnet_rules(void **state)
{
    struct preflight_report r;
    struct endpoint_spec s = good_spec();
    s.subnet_ids = (struct inv_ids){0};
    check(*state, &s, &r);
    expect(&r, PREFLIGHT_NO_SUBNETS, NULL);
    preflight_report_finish(&r);

    s = good_spec();
    s.subnet_ids = IDS("subnet-zz", "subnet-x");
    check(*state, &s, &r);
    expect(&r, PREFLIGHT_SUBNET_NOT_FOUND, "subnet-zz");
    expect(&r, PREFLIGHT_SUBNET_OTHER_VPC, "vpc-2");
    preflight_report_finish(&r);

    s = good_spec();
    s.subnet_ids = IDS("subnet-b");
    check(*state, &s, &r);
    expect(&r, PREFLIGHT_AZ_NOT_OFFERED, "us-east-1b");
    expect(&r, PREFLIGHT_FEW_FREE_IPS, "subnet-b");
    assert_null(preflight_report_find(&r, PREFLIGHT_NO_FREE_IP));
    preflight_report_finish(&r);

    s = good_spec();
    s.service_name = SSM;
    s.private_dns = INV_NO;
    s.subnet_ids = IDS("subnet-a1", "subnet-c", "subnet-a2");
    check(*state, &s, &r);
    expect(&r, PREFLIGHT_DUPLICATE_AZ, "subnet-a1");
    expect(&r, PREFLIGHT_NO_FREE_IP, "subnet-c");
    assert_null(preflight_report_find(&r, PREFLIGHT_AZ_NOT_OFFERED));
    assert_string_equal(preflight_report_find(&r, PREFLIGHT_DUPLICATE_AZ)->resource_id,
                        "subnet-a2");
    preflight_report_finish(&r);
}

static void test_security_group_rules(void **state)
{
    struct preflight_report r;
    struct endpoint_spec s = good_spec();
    s.group_ids = IDS("sg-nope", "sg-other");
    check(*state, &s, &r);
    expect(&r, PREFLIGHT_SG_NOT_FOUND, "sg-nope");
    expect(&r, PREFLIGHT_SG_OTHER_VPC, "sg-other");
    preflight_report_finish(&r);

    /* 443 only from a /24 inside the VPC: the VPC's /16 is not admitted. */
    s.group_ids = IDS("sg-ssh");
    check(*state, &s, &r);
    expect(&r, PREFLIGHT_SG_NO_443, "10.0.0.0/16");
    assert_false(preflight_report_blocks(&r));
    preflight_report_finish(&r);

    s.group_ids = IDS("sg-ssh", "sg-ref");
    check(*state, &s, &r);
    expect(&r, PREFLIGHT_SG_443_UNVERIFIED, NULL);
    assert_null(preflight_report_find(&r, PREFLIGHT_SG_NO_443));
    preflight_report_finish(&r);

    s.group_ids = IDS("sg-ssh", "sg-all");
    check(*state, &s, &r);
    assert_int_equal(r.n, 0);
    preflight_report_finish(&r);

    /* No group chosen: AWS uses the default group, which admits nothing here. */
    s.group_ids = (struct inv_ids){0};
    check(*state, &s, &r);
    expect(&r, PREFLIGHT_SG_DEFAULT, "sg-def");
    expect(&r, PREFLIGHT_SG_NO_443, NULL);
    preflight_report_finish(&r);
}

static void test_dns_attributes(void **state)
{
    struct preflight_report r;
    struct endpoint_spec s = good_spec();
    s.vpc_id = "vpc-2";
    s.subnet_ids = IDS("subnet-x");
    s.group_ids = IDS("sg-other");
    check(*state, &s, &r);
    expect(&r, PREFLIGHT_DNS_SUPPORT_OFF, "enableDnsSupport");
    assert_null(preflight_report_find(&r, PREFLIGHT_DNS_HOSTNAMES_OFF));
    preflight_report_finish(&r);

    s.private_dns = INV_NO;
    check(*state, &s, &r);
    assert_null(preflight_report_find(&r, PREFLIGHT_DNS_SUPPORT_OFF));
    preflight_report_finish(&r);

    /* Unknown attributes warn; UNKNOWN private DNS means AWS's default, on. */
    s.vpc_id = "vpc-3";
    s.subnet_ids = IDS("subnet-3a");
    s.group_ids = (struct inv_ids){0};
    s.private_dns = INV_UNKNOWN;
    check(*state, &s, &r);
    expect(&r, PREFLIGHT_DNS_ATTRIBUTES_UNKNOWN, "vpc-3");
    assert_false(preflight_report_blocks(&r));
    preflight_report_finish(&r);
}

static void test_existing_endpoint(void **state)
{
    struct preflight_report r;
    struct endpoint_spec s = good_spec();
    s.service_name = SSM;
    check(*state, &s, &r);
    expect(&r, PREFLIGHT_PRIVATE_DNS_CONFLICT, "vpce-exist");
    preflight_report_finish(&r);

    s.private_dns = INV_NO;
    check(*state, &s, &r);
    expect(&r, PREFLIGHT_EXISTING_ENDPOINT, "vpce-exist");
    assert_null(preflight_report_find(&r, PREFLIGHT_PRIVATE_DNS_CONFLICT));
    assert_false(preflight_report_blocks(&r));
    preflight_report_finish(&r);
}

static void test_policy_rules(void **state)
{
    struct preflight_report r;
    struct endpoint_spec s = good_spec();
    s.policy = "{\"Statement\": [";
    check(*state, &s, &r);
    expect(&r, PREFLIGHT_POLICY_INVALID, "not valid JSON");
    preflight_report_finish(&r);

    s.policy = "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:Get*\","
               "\"Resource\":\"*\"}]}";
    check(*state, &s, &r);
    assert_null(preflight_report_find(&r, PREFLIGHT_POLICY_INVALID));
    preflight_report_finish(&r);
}

static void test_gateway_shape(void **state)
{
    struct preflight_report r;
    struct endpoint_spec s = {.vpc_id = "vpc-1", .service_name = S3, .kind = INV_ENDPOINT_GATEWAY};
    check(*state, &s, &r);
    expect(&r, PREFLIGHT_GATEWAY_NO_ROUTE_TABLES, NULL);
    assert_false(preflight_report_blocks(&r));
    preflight_report_finish(&r);

    s.subnet_ids = IDS("subnet-a1");
    s.route_table_ids = IDS("rtb-1", "rtb-2", "rtb-nope");
    check(*state, &s, &r);
    expect(&r, PREFLIGHT_GATEWAY_SUBNETS, NULL);
    expect(&r, PREFLIGHT_ROUTE_TABLE_OTHER_VPC, "rtb-2");
    expect(&r, PREFLIGHT_ROUTE_TABLE_NOT_FOUND, "rtb-nope");
    assert_null(preflight_report_find(&r, PREFLIGHT_GATEWAY_NO_ROUTE_TABLES));
    preflight_report_finish(&r);

    struct endpoint_spec i = good_spec();
    i.route_table_ids = IDS("rtb-1");
    check(*state, &i, &r);
    expect(&r, PREFLIGHT_ROUTE_TABLES_NOT_GATEWAY, NULL);
    preflight_report_finish(&r);
}

static void test_modify_checks_final_state(void **state)
{
    struct preflight_report r;
    struct endpoint_spec d = {
        .subnet_ids = IDS("subnet-a1", "subnet-a2"),
        .group_ids = IDS("sg-443"),
        .private_dns = INV_UNKNOWN,
    };
    preflight_report_init(&r);
    preflight_check_modify(*state, "vpce-exist", &d, &r);
    expect(&r, PREFLIGHT_DUPLICATE_AZ, "us-east-1a");
    /* The endpoint is not its own duplicate. */
    assert_null(preflight_report_find(&r, PREFLIGHT_PRIVATE_DNS_CONFLICT));
    assert_null(preflight_report_find(&r, PREFLIGHT_EXISTING_ENDPOINT));
    preflight_report_finish(&r);

    preflight_report_init(&r);
    preflight_check_modify(*state, "vpce-gone", &d, &r);
    expect(&r, PREFLIGHT_ENDPOINT_NOT_FOUND, "vpce-gone");
    preflight_report_finish(&r);

    cJSON *j = NULL;
    preflight_report_init(&r);
    preflight_check_modify(*state, "vpce-gone", &d, &r);
    j = preflight_report_to_json(&r);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "Key")),
                        "endpoint-not-found");
    cJSON_Delete(j);
    preflight_report_finish(&r);
}

static bool strv_is(const struct preflight_strv *sv, const char *const *want, size_t n)
{
    if (sv->n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(sv->v[i], want[i]) != 0)
            return false;
    return true;
}

static void test_modify_delta(void **state)
{
    cJSON *cur = cJSON_Parse("{\"SubnetIds\":[\"s-a\",\"s-b\"],\"Groups\":[{\"GroupId\":\"g-1\"}],"
                             "\"RouteTableIds\":[\"r-1\"],\"PolicyDocument\":\"{\\\"a\\\": [1, "
                             "2]}\",\"PrivateDnsEnabled\":true}");
    assert_non_null(cur);
    struct endpoint_spec want = {
        .subnet_ids = IDS("s-b", "s-c"),
        .group_ids = IDS("g-1", "g-2"),
        .route_table_ids = IDS("r-1"),
        .policy = "{ \"a\" :\n [1,2] }",
        .private_dns = INV_NO,
    };
    struct endpoint_delta d;
    assert_int_equal(preflight_modify_delta(cur, &want, &d), VPCX_OK);
    assert_true(strv_is(&d.add_subnets, (const char *[]){"s-c"}, 1));
    assert_true(strv_is(&d.remove_subnets, (const char *[]){"s-a"}, 1));
    assert_true(strv_is(&d.add_groups, (const char *[]){"g-2"}, 1));
    assert_int_equal(d.remove_groups.n, 0);
    assert_int_equal(d.add_route_tables.n + d.remove_route_tables.n, 0);
    assert_false(d.policy_changed); /* whitespace only */
    assert_true(d.private_dns_changed);
    assert_false(d.private_dns);
    assert_false(endpoint_delta_empty(&d));
    endpoint_delta_finish(&d);

    /* A NULL policy over a custom one resets it; a real change carries the document. */
    want.policy = NULL;
    want.private_dns = INV_UNKNOWN;
    assert_int_equal(preflight_modify_delta(cur, &want, &d), VPCX_OK);
    assert_true(d.policy_changed && d.reset_policy);
    assert_null(d.policy_document);
    assert_false(d.private_dns_changed);
    endpoint_delta_finish(&d);
    want.policy = "{\"a\": [2, 1]}";
    assert_int_equal(preflight_modify_delta(cur, &want, &d), VPCX_OK);
    assert_true(d.policy_changed && !d.reset_policy);
    assert_string_equal(d.policy_document, "{\"a\": [2, 1]}");
    endpoint_delta_finish(&d);
    want.policy = "{not json";
    assert_int_equal(preflight_modify_delta(cur, &want, &d), VPCX_ERR_PARSE);
    endpoint_delta_finish(&d);

    /* Same everything: empty. */
    struct endpoint_spec same = {
        .subnet_ids = IDS("s-b", "s-a"),
        .group_ids = IDS("g-1"),
        .route_table_ids = IDS("r-1"),
        .policy = "{\"a\":[1,2]}",
        .private_dns = INV_YES,
    };
    assert_int_equal(preflight_modify_delta(cur, &same, &d), VPCX_OK);
    assert_true(endpoint_delta_empty(&d));
    endpoint_delta_finish(&d);
    cJSON_Delete(cur);

    /* The default full-access policy equals "no policy" however it is spelled. */
    assert_true(preflight_policy_equal(NULL, "{\"Version\":\"2008-10-17\",\"Statement\":[{"
                                             "\"Effect\":\"Allow\",\"Principal\":\"*\","
                                             "\"Action\":\"*\",\"Resource\":\"*\"}]}"));
    assert_false(preflight_policy_equal(NULL, "{\"Statement\":[]}"));
    assert_int_equal(preflight_modify_delta(NULL, &same, &d), VPCX_ERR_USAGE);
    endpoint_delta_finish(&d);
}

static void test_cli_create_quoting(void **state)
{
    const struct endpoint_tag tags[] = {{"Name", "it's mine"}, {"team", "net"}};
    struct endpoint_spec s = {
        .vpc_id = "vpc-1",
        .service_name = SSM,
        .kind = INV_ENDPOINT_INTERFACE,
        .subnet_ids = IDS("subnet-a1", "subnet-b"),
        .group_ids = IDS("sg-443"),
        .private_dns = INV_NO,
        .policy = "{\n  \"Statement\": [{\"Sid\": \"it's \\\"quoted\\\"\"}]\n}",
        .dns_record_ip_type = "ipv4",
        .tags = tags,
        .n_tags = 2,
    };
    struct aws_query q;
    mutate_build_create_query(&q, &s, "11111111-2222-4333-8444-555555555555");
    assert_string_equal(aws_query_get(&q, "SubnetId.2"), "subnet-b");
    assert_string_equal(aws_query_get(&q, "TagSpecification.1.Tag.1.Value"), "it's mine");
    char *cli = mutate_render_cli(&q, "us-east-1");
    const char *want =
        "aws ec2 create-vpc-endpoint --region us-east-1 --vpc-id vpc-1 --service-name " SSM
        " --vpc-endpoint-type Interface --subnet-ids subnet-a1 subnet-b --security-group-ids "
        "sg-443 --no-private-dns-enabled --dns-options '{\"DnsRecordIpType\":\"ipv4\"}' "
        "--policy-document '{\n  \"Statement\": [{\"Sid\": \"it'\\''s \\\"quoted\\\"\"}]\n}' "
        "--tag-specifications '[{\"ResourceType\":\"vpc-endpoint\",\"Tags\":[{\"Key\":\"Name\","
        "\"Value\":\"it'\\''s mine\"},{\"Key\":\"team\",\"Value\":\"net\"}]}]' --client-token "
        "11111111-2222-4333-8444-555555555555";
    assert_string_equal(cli, want);
    free(cli);
    aws_query_finish(&q);

    /* A gateway create never sends PrivateDnsEnabled. */
    struct endpoint_spec g = {.vpc_id = "vpc-1",
                              .service_name = S3,
                              .kind = INV_ENDPOINT_GATEWAY,
                              .route_table_ids = IDS("rtb-1"),
                              .private_dns = INV_YES};
    mutate_build_create_query(&q, &g, NULL);
    cli = mutate_render_cli(&q, NULL);
    assert_string_equal(cli, "aws ec2 create-vpc-endpoint --vpc-id vpc-1 --service-name " S3
                             " --vpc-endpoint-type Gateway --route-table-ids rtb-1");
    free(cli);
    aws_query_finish(&q);
}

static void test_cli_modify_and_delete(void **state)
{
    char *add_sn[] = {"subnet-b"}, *rm_sg[] = {"sg-1", "sg-2"}, *add_rt[] = {"rtb-1"};
    struct endpoint_delta d = {
        .add_subnets = {add_sn, 1},
        .remove_groups = {rm_sg, 2},
        .add_route_tables = {add_rt, 1},
        .policy_changed = true,
        .reset_policy = true,
        .private_dns_changed = true,
        .private_dns = true,
    };
    struct aws_query q;
    mutate_build_modify_query(&q, "vpce-1", &d);
    aws_query_set(&q, "DryRun", "true"); /* never shown */
    char *cli = mutate_render_cli(&q, NULL);
    assert_string_equal(cli, "aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-1 "
                             "--add-subnet-ids subnet-b --remove-security-group-ids sg-1 sg-2 "
                             "--add-route-table-ids rtb-1 --reset-policy --private-dns-enabled");
    free(cli);
    aws_query_finish(&q);

    mutate_build_delete_query(&q, "vpce-1");
    cli = mutate_render_cli(&q, "eu-west-1");
    assert_string_equal(cli, "aws ec2 delete-vpc-endpoints --region eu-west-1 "
                             "--vpc-endpoint-ids vpce-1");
    free(cli);
    aws_query_finish(&q);

    struct strbuf sb = STRBUF_INIT;
    mutate_shell_quote(&sb, "");
    mutate_shell_quote(&sb, " ");
    mutate_shell_quote(&sb, "$(rm -rf ~)");
    assert_string_equal(strbuf_str(&sb), "''' ''$(rm -rf ~)'");
    strbuf_release(&sb);
}

static void test_client_token_is_uuid_v4(void **state)
{
    char a[MUTATE_TOKEN_LEN + 1], b[MUTATE_TOKEN_LEN + 1];
    assert_true(mutate_new_client_token(a));
    assert_true(mutate_new_client_token(b));
    assert_int_equal(strlen(a), 36);
    assert_string_not_equal(a, b);
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(a[i], '-');
        else
            assert_non_null(strchr("0123456789abcdef", a[i]));
    }
    assert_int_equal(a[14], '4');
    assert_non_null(strchr("89ab", a[19]));
}

static void test_read_only_gate_refuses_everything(void **state)
{
    struct inventory *inv = *state;
    struct mutate_gate *gates[] = {NULL, mutate_gate_create(MUTATE_READ_ONLY, "default")};
    struct endpoint_spec s = good_spec();
    cJSON *base = inventory_item(inv, inventory_find(inv, INV_ENDPOINT, "vpce-exist"));
    const struct mutate_request reqs[] = {
        {.kind = MUTATE_CREATE, .spec = s},
        {.kind = MUTATE_MODIFY, .spec = s, .endpoint_id = "vpce-exist", .base = base},
        {.kind = MUTATE_DELETE, .endpoint_id = "vpce-exist", .typed_id = "vpce-exist"},
    };
    for (size_t g = 0; g < 2; g++) {
        assert_string_equal(mutate_gate_label(gates[g]), "read-only");
        for (size_t k = 0; k < 3; k++) {
            struct vpcx_error err;
            vpcx_error_init(&err);
            /* No client at all: a refusal cannot have sent anything. */
            assert_null(mutate_op_create(gates[g], NULL, inv, &reqs[k], NULL, &err));
            assert_int_equal(err.status, VPCX_ERR_READ_ONLY);
            assert_non_null(strstr(err.message, "read-only"));
            assert_non_null(strstr(err.hint, "--write"));
            vpcx_error_finish(&err);
        }
    }
    cJSON_Delete(base);
    mutate_gate_destroy(gates[1]);
    mutate_gate_destroy(NULL);
}

static void test_delete_needs_exact_id(void **state)
{
    struct mutate_gate *gate = mutate_gate_create(MUTATE_SIMULATED, "--demo");
    const char *typed[] = {NULL, "", "vpce-exis", "vpce-exist ", "VPCE-EXIST"};
    for (size_t i = 0; i < 5; i++) {
        struct mutate_request req = {
            .kind = MUTATE_DELETE, .endpoint_id = "vpce-exist", .typed_id = typed[i]};
        struct vpcx_error err;
        vpcx_error_init(&err);
        assert_null(mutate_op_create(gate, NULL, *state, &req, NULL, &err));
        assert_int_equal(err.status, VPCX_ERR_USAGE);
        vpcx_error_finish(&err);
    }
    mutate_gate_destroy(gate);
}

struct events {
    int n;
    enum mutate_phase last;
};

static void on_event(void *ud, struct mutate_op *op)
{
    struct events *e = ud;
    e->n++;
    e->last = mutate_op_phase(op);
}

static struct mutate_op *simulate(struct inventory *inv, struct mutate_gate *gate,
                                  const struct mutate_request *req, struct events *ev)
{
    const struct mutate_options opts = {.on_event = on_event, .ud = ev};
    struct vpcx_error err;
    vpcx_error_init(&err);
    struct mutate_op *op = mutate_op_create(gate, NULL, inv, req, &opts, &err);
    assert_non_null(op);
    assert_int_equal(mutate_op_confirm(op), VPCX_ERR_USAGE); /* not checked yet */
    assert_int_equal(mutate_op_check(op), VPCX_OK);
    assert_int_equal(mutate_op_phase(op), MUTATE_PHASE_READY);
    assert_non_null(mutate_op_cli(op));
    assert_int_equal(mutate_op_confirm(op), VPCX_OK);
    vpcx_error_finish(&err);
    return op;
}

static void test_simulated_mode_changes_inventory_only(void **state)
{
    struct inventory *inv = *state;
    struct mutate_gate *gate = mutate_gate_create(MUTATE_SIMULATED, "--demo");
    assert_string_equal(mutate_gate_label(gate), "SIMULATED");
    struct events ev = {0};
    struct mutate_request req = {.kind = MUTATE_CREATE, .spec = good_spec()};
    struct mutate_op *op = simulate(inv, gate, &req, &ev);
    assert_int_equal(mutate_op_phase(op), MUTATE_PHASE_DONE);
    assert_true(mutate_op_simulated(op));
    assert_non_null(strstr(mutate_op_message(op), "simulated"));
    char *id = xstrdup(mutate_op_endpoint_id(op));
    assert_int_equal(strlen(id), 22);
    const struct inv_resource *ep = inventory_find(inv, INV_ENDPOINT, id);
    assert_non_null(ep);
    assert_string_equal(ep->endpoint.service_name, KMS);
    /* As AWS shows a new endpoint: pending, an ENI in subnet-a1; nothing of vpcx's own. */
    assert_string_equal(ep->state, "pending");
    assert_int_equal(ep->endpoint.eni_ids.n, 1);
    assert_string_equal(inventory_find(inv, INV_ENI, ep->endpoint.eni_ids.v[0])->eni.primary_ip,
                        "10.0.1.4");
    assert_true(mutate_gate_busy(gate));
    long t = mutate_gate_timeout_ms(gate);
    assert_true(t >= 0 && t <= SIM_SETTLE_MS);
    cJSON *item = inventory_item(inv, ep);
    assert_null(cJSON_GetObjectItem(item, "VpcxSimulated"));
    cJSON_Delete(item);
    mutate_op_destroy(op);

    /* Modify: add a subnet, drop private DNS. */
    struct endpoint_spec want = good_spec();
    want.subnet_ids = IDS("subnet-a1", "subnet-b");
    want.private_dns = INV_NO;
    cJSON *base = inventory_item(inv, inventory_find(inv, INV_ENDPOINT, id));
    req = (struct mutate_request){
        .kind = MUTATE_MODIFY, .spec = want, .endpoint_id = id, .base = base};
    op = simulate(inv, gate, &req, &ev);
    assert_int_equal(mutate_op_phase(op), MUTATE_PHASE_DONE);
    assert_int_equal(mutate_op_delta(op)->add_subnets.n, 1);
    assert_non_null(strstr(mutate_op_cli(op), "--add-subnet-ids subnet-b"));
    ep = inventory_find(inv, INV_ENDPOINT, id);
    assert_int_equal(ep->endpoint.subnet_ids.n, 2);
    assert_false(ep->endpoint.private_dns_enabled);
    mutate_op_destroy(op);

    /* The same modify again from the stale base: a conflict, nothing applied. */
    want.subnet_ids = IDS("subnet-a1");
    req.spec = want;
    struct vpcx_error err;
    vpcx_error_init(&err);
    op = mutate_op_create(gate, NULL, inv, &req, NULL, &err);
    mutate_op_check(op);
    assert_int_equal(mutate_op_phase(op), MUTATE_PHASE_CONFLICT);
    const cJSON *b = NULL, *c = NULL;
    mutate_op_conflict(op, &b, &c);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(b, "SubnetIds")), 1);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(c, "SubnetIds")), 2);
    assert_int_equal(inventory_find(inv, INV_ENDPOINT, id)->endpoint.subnet_ids.n, 2);
    mutate_op_destroy(op);
    cJSON_Delete(base);

    req = (struct mutate_request){.kind = MUTATE_DELETE, .endpoint_id = id, .typed_id = id};
    op = simulate(inv, gate, &req, &ev);
    assert_string_equal(inventory_find(inv, INV_ENDPOINT, id)->state, "deleting");
    assert_int_equal(ev.last, MUTATE_PHASE_DONE);
    assert_true(ev.n >= 6);
    mutate_op_destroy(op);
    free(id);
    vpcx_error_finish(&err);
    mutate_gate_destroy(gate);
}

static void test_endpoint_same(void **state)
{
    cJSON *a = cJSON_Parse("{\"SubnetIds\":[\"s1\",\"s2\"],\"Groups\":[{\"GroupId\":\"g\"}],"
                           "\"State\":\"pending\",\"PolicyDocument\":\"{\\\"x\\\":1}\"}");
    cJSON *b = cJSON_Parse("{\"SubnetIds\":[\"s2\",\"s1\"],\"Groups\":[{\"GroupId\":\"g\","
                           "\"GroupName\":\"n\"}],\"State\":\"available\",\"PolicyDocument\":"
                           "\"{ \\\"x\\\" : 1 }\"}");
    assert_true(mutate_endpoint_same(a, b));
    cJSON_ReplaceItemInObject(b, "SubnetIds", cJSON_Parse("[\"s1\"]"));
    assert_false(mutate_endpoint_same(a, b));
    cJSON_Delete(a);
    cJSON_Delete(b);
}

/* An endpoint with its ENI in the nearly full subnet-b, single zone, default policy. */
static void put_endpoint_in_b(struct inventory *inv, const char *state)
{
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-h\",\"SubnetId\":\"subnet-b\",\"VpcId\":\"vpc-1\","
        "\"AvailabilityZone\":\"us-east-1b\",\"InterfaceType\":\"vpc_endpoint\","
        "\"PrivateIpAddress\":\"10.0.3.9\",\"PrivateIpAddresses\":[{\"PrivateIpAddress\":"
        "\"10.0.3.9\"}],\"Status\":\"in-use\"}");
    char *j =
        xasprintf("{\"VpcEndpointId\":\"vpce-h\",\"VpcEndpointType\":\"Interface\",\"VpcId\":"
                  "\"vpc-1\",\"ServiceName\":\"" KMS "\",\"State\":\"%s\",\"PrivateDnsEnabled\":"
                  "false,\"SubnetIds\":[\"subnet-b\"],\"Groups\":[{\"GroupId\":\"sg-443\"}],"
                  "\"NetworkInterfaceIds\":[\"eni-h\"]}",
                  state);
    put(inv, INV_ENDPOINT, j);
    free(j);
}

/* A subnet where the endpoint already has its ENI needs no new address for it. */
static void test_modify_keeps_subnet_with_own_eni(void **state)
{
    struct inventory *inv = *state;
    put_endpoint_in_b(inv, "available");
    struct endpoint_spec s = good_spec();
    s.subnet_ids = IDS("subnet-b");
    struct preflight_report r;
    preflight_report_init(&r);
    preflight_check_modify(inv, "vpce-h", &s, &r);
    assert_null(preflight_report_find(&r, PREFLIGHT_FEW_FREE_IPS));
    preflight_report_finish(&r);
    /* A new endpoint in the same subnet still hears about the shortage. */
    check(inv, &s, &r);
    assert_non_null(preflight_report_find(&r, PREFLIGHT_FEW_FREE_IPS));
    preflight_report_finish(&r);
}

static void test_health_of_existing_endpoint(void **state)
{
    struct inventory *inv = *state;
    put_endpoint_in_b(inv, "pending");
    struct preflight_report r;
    preflight_report_init(&r);
    preflight_check_health(inv, "vpce-h", &r);
    assert_null(preflight_report_find(&r, PREFLIGHT_FEW_FREE_IPS));
    assert_null(preflight_report_find(&r, PREFLIGHT_EXISTING_ENDPOINT));
    assert_null(preflight_report_find(&r, PREFLIGHT_SG_NO_443));
    const struct preflight_finding *f = preflight_report_find(&r, PREFLIGHT_SINGLE_AZ);
    assert_non_null(f);
    assert_non_null(strstr(f->text, "one availability zone"));
    assert_non_null(preflight_report_find(&r, PREFLIGHT_FULL_ACCESS_POLICY));
    f = preflight_report_find(&r, PREFLIGHT_STATE_NOT_AVAILABLE);
    assert_non_null(f);
    assert_non_null(strstr(f->text, "pending"));
    enum preflight_severity worst;
    assert_true(preflight_report_worst(&r, &worst));
    assert_int_equal(worst, PREFLIGHT_ERROR); /* KMS is not offered in zone b */
    assert_non_null(preflight_report_find(&r, PREFLIGHT_AZ_NOT_OFFERED));
    preflight_report_finish(&r);

    preflight_report_init(&r);
    preflight_check_health(inv, "vpce-nope", &r);
    assert_non_null(preflight_report_find(&r, PREFLIGHT_ENDPOINT_NOT_FOUND));
    preflight_report_finish(&r);
}

/* The existing endpoint's group admits 443 from the VPC; DNS attributes are on. */
static void test_health_clean_rules(void **state)
{
    struct inventory *inv = *state;
    struct preflight_report r;
    preflight_report_init(&r);
    preflight_check_health(inv, "vpce-exist", &r);
    assert_null(preflight_report_find(&r, PREFLIGHT_DNS_HOSTNAMES_OFF));
    assert_null(preflight_report_find(&r, PREFLIGHT_SG_NO_443));
    assert_null(preflight_report_find(&r, PREFLIGHT_EXISTING_ENDPOINT));
    assert_null(preflight_report_find(&r, PREFLIGHT_STATE_NOT_AVAILABLE));
    preflight_report_finish(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_modify_keeps_subnet_with_own_eni, setup, teardown),
        cmocka_unit_test_setup_teardown(test_health_of_existing_endpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_health_clean_rules, setup, teardown),
        cmocka_unit_test(test_clean_request_has_no_findings),
        cmocka_unit_test(test_vpc_service_and_type),
        cmocka_unit_test(test_subnet_rules),
        cmocka_unit_test(test_security_group_rules),
        cmocka_unit_test(test_dns_attributes),
        cmocka_unit_test(test_existing_endpoint),
        cmocka_unit_test(test_policy_rules),
        cmocka_unit_test(test_gateway_shape),
        cmocka_unit_test(test_modify_checks_final_state),
        cmocka_unit_test(test_modify_delta),
        cmocka_unit_test(test_cli_create_quoting),
        cmocka_unit_test(test_cli_modify_and_delete),
        cmocka_unit_test(test_client_token_is_uuid_v4),
        cmocka_unit_test(test_read_only_gate_refuses_everything),
        cmocka_unit_test(test_delete_needs_exact_id),
        cmocka_unit_test(test_simulated_mode_changes_inventory_only),
        cmocka_unit_test(test_endpoint_same),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
