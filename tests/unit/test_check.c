/*
 * check rules: each has a positive and a negative case on a small inventory.
 * The base inventory is healthy (no finding); each case changes one thing.
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
#include "vpcx/model/check.h"
#include "vpcx/model/inventory.h"

#define RESTRICTED                                                                                 \
    "{\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":\\\"*\\\","               \
    "\\\"Action\\\":"                                                                              \
    "\\\"*\\\",\\\"Resource\\\":\\\"*\\\",\\\"Condition\\\":{\\\"StringEquals\\\":{"               \
    "\\\"aws:PrincipalOrgID\\\":\\\"o-1\\\"}}}]}"

static const char base_json[] =
    "{\"Vpcs\":[{\"VpcId\":\"vpc-1\",\"CidrBlock\":\"10.0.0.0/16\"}],"
    "\"Subnets\":["
    "{\"SubnetId\":\"subnet-a\",\"VpcId\":\"vpc-1\",\"AvailabilityZone\":\"us-east-1a\","
    "\"CidrBlock\":\"10.0.1.0/24\",\"AvailableIpAddressCount\":249},"
    "{\"SubnetId\":\"subnet-b\",\"VpcId\":\"vpc-1\",\"AvailabilityZone\":\"us-east-1b\","
    "\"CidrBlock\":\"10.0.2.0/24\",\"AvailableIpAddressCount\":249}],"
    "\"SecurityGroups\":["
    "{\"GroupId\":\"sg-https\",\"VpcId\":\"vpc-1\",\"GroupName\":\"https\",\"IpPermissions\":"
    "[{\"IpProtocol\":\"tcp\",\"FromPort\":443,\"ToPort\":443,\"IpRanges\":[{\"CidrIp\":"
    "\"10.0.0.0/16\"}]}]},"
    "{\"GroupId\":\"sg-def\",\"VpcId\":\"vpc-1\",\"GroupName\":\"default\",\"IpPermissions\":[]}],"
    "\"VpcEndpoints\":["
    "{\"VpcEndpointId\":\"vpce-1\",\"VpcId\":\"vpc-1\",\"OwnerId\":\"111\",\"VpcEndpointType\":"
    "\"Interface\",\"ServiceName\":\"com.amazonaws.us-east-1.ssm\",\"State\":\"available\","
    "\"SubnetIds\":[\"subnet-a\",\"subnet-b\"],\"Groups\":[{\"GroupId\":\"sg-https\"}],"
    "\"NetworkInterfaceIds\":[\"eni-1\",\"eni-2\"],\"PrivateDnsEnabled\":true,"
    "\"PolicyDocument\":\"" RESTRICTED "\"},"
    "{\"VpcEndpointId\":\"vpce-gw\",\"VpcId\":\"vpc-1\",\"OwnerId\":\"111\",\"VpcEndpointType\":"
    "\"Gateway\",\"ServiceName\":\"com.amazonaws.us-east-1.s3\",\"State\":\"available\","
    "\"RouteTableIds\":[\"rtb-main\"],\"PolicyDocument\":\"" RESTRICTED "\"}],"
    "\"NetworkInterfaces\":["
    "{\"NetworkInterfaceId\":\"eni-1\",\"SubnetId\":\"subnet-a\",\"VpcId\":\"vpc-1\","
    "\"AvailabilityZone\":\"us-east-1a\",\"PrivateIpAddress\":\"10.0.1.10\","
    "\"InterfaceType\":\"vpc_endpoint\",\"Groups\":[{\"GroupId\":\"sg-https\"}]},"
    "{\"NetworkInterfaceId\":\"eni-2\",\"SubnetId\":\"subnet-b\",\"VpcId\":\"vpc-1\","
    "\"AvailabilityZone\":\"us-east-1b\",\"PrivateIpAddress\":\"10.0.2.10\","
    "\"InterfaceType\":\"vpc_endpoint\",\"Groups\":[{\"GroupId\":\"sg-https\"}]},"
    "{\"NetworkInterfaceId\":\"eni-w1\",\"SubnetId\":\"subnet-a\",\"VpcId\":\"vpc-1\","
    "\"AvailabilityZone\":\"us-east-1a\",\"PrivateIpAddress\":\"10.0.1.20\","
    "\"InterfaceType\":\"interface\"}],"
    "\"RouteTables\":[{\"RouteTableId\":\"rtb-main\",\"VpcId\":\"vpc-1\",\"Associations\":"
    "[{\"Main\":true,\"RouteTableId\":\"rtb-main\"}],\"Routes\":[]}],"
    "\"NetworkAcls\":[{\"NetworkAclId\":\"acl-1\",\"VpcId\":\"vpc-1\",\"Associations\":["
    "{\"SubnetId\":\"subnet-a\"},{\"SubnetId\":\"subnet-b\"}],\"Entries\":["
    "{\"CidrBlock\":\"0.0.0.0/0\",\"Egress\":false,\"Protocol\":\"-1\",\"RuleAction\":\"allow\","
    "\"RuleNumber\":100},"
    "{\"CidrBlock\":\"0.0.0.0/0\",\"Egress\":false,\"Protocol\":\"-1\",\"RuleAction\":\"deny\","
    "\"RuleNumber\":32767},"
    "{\"CidrBlock\":\"0.0.0.0/0\",\"Egress\":true,\"Protocol\":\"-1\",\"RuleAction\":\"allow\","
    "\"RuleNumber\":100},"
    "{\"CidrBlock\":\"0.0.0.0/0\",\"Egress\":true,\"Protocol\":\"-1\",\"RuleAction\":\"deny\","
    "\"RuleNumber\":32767}]}],"
    "\"FlowLogs\":[{\"FlowLogId\":\"fl-vpc\",\"ResourceId\":\"vpc-1\",\"TrafficType\":\"ALL\","
    "\"LogDestinationType\":\"s3\",\"LogDestination\":\"arn:aws:s3:::flow-logs\","
    "\"FlowLogStatus\":\"ACTIVE\",\"DeliverLogsStatus\":\"SUCCESS\"}]}";

static cJSON *base(void)
{
    cJSON *doc = cJSON_Parse(base_json);
    assert_non_null(doc);
    return doc;
}

static cJSON *item(cJSON *doc, const char *list, const char *id)
{
    enum inv_type t;
    assert_true(inventory_type_from_list_key(list, &t));
    cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(doc, list))
    {
        const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(it, inventory_type_id_field(t)));
        if (v && strcmp(v, id) == 0)
            return it;
    }
    fail_msg("no %s %s in the fixture", list, id);
    return NULL;
}

static void set(cJSON *obj, const char *key, const char *json)
{
    cJSON *v = cJSON_Parse(json);
    assert_non_null(v);
    if (cJSON_GetObjectItem(obj, key))
        cJSON_ReplaceItemInObject(obj, key, v);
    else
        cJSON_AddItemToObject(obj, key, v);
}

static void append(cJSON *doc, const char *list, const char *json)
{
    cJSON *v = cJSON_Parse(json);
    assert_non_null(v);
    cJSON_AddItemToArray(cJSON_GetObjectItem(doc, list), v);
}

/* Loads doc (consumed) with both DNS attributes on unless dns_hostnames is false. */
static struct inventory *load(cJSON *doc, bool dns_hostnames)
{
    struct inventory *inv = inventory_create();
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        inventory_begin(inv, (enum inv_type)t);
        cJSON *arr = cJSON_GetObjectItem(doc, inventory_type_list_key((enum inv_type)t));
        cJSON *it;
        cJSON_ArrayForEach(it, arr)
        {
            assert_int_equal(inventory_put(inv, (enum inv_type)t, cJSON_Duplicate(it, true)),
                             VPCX_OK);
        }
        inventory_end(inv, (enum inv_type)t);
    }
    inventory_set_vpc_attribute(inv, "vpc-1", "enableDnsSupport", true);
    inventory_set_vpc_attribute(inv, "vpc-1", "enableDnsHostnames", dns_hostnames);
    cJSON_Delete(doc);
    return inv;
}

/* Runs the checks on doc (consumed); the caller finishes *rep. */
static void run_opts(cJSON *doc, bool dns, const struct check_options *o, struct check_report *rep)
{
    struct inventory *inv = load(doc, dns);
    check_report_init(rep);
    check_run(inv, o, rep);
    inventory_destroy(inv);
}

static void run(cJSON *doc, struct check_report *rep)
{
    struct check_options o;
    check_options_init(&o);
    o.region = "us-east-1";
    run_opts(doc, true, &o, rep);
}

static void expect(cJSON *doc, enum check_rule rule, size_t n)
{
    struct check_report rep;
    run(doc, &rep);
    if (check_report_count(&rep, rule) != n)
        fail_msg("%s: %zu findings, expected %zu", check_rule_id(rule),
                 check_report_count(&rep, rule), n);
    check_report_finish(&rep);
}

static void test_base_is_clean(void **state)
{
    (void)state;
    struct check_report rep;
    run(base(), &rep);
    for (size_t i = 0; i < rep.n; i++)
        fail_msg("unexpected %s on %s: %s", rep.v[i].rule_id, rep.v[i].resource_id, rep.v[i].title);
    check_report_finish(&rep);
}

static void test_single_az(void **state)
{
    (void)state;
    cJSON *doc = base();
    cJSON *ep = item(doc, "VpcEndpoints", "vpce-1");
    set(ep, "SubnetIds", "[\"subnet-a\"]");
    set(ep, "NetworkInterfaceIds", "[\"eni-1\"]");
    cJSON_DeleteItemFromArray(cJSON_GetObjectItem(doc, "NetworkInterfaces"), 1);
    struct check_report rep;
    run(doc, &rep);
    const struct check_finding *f = check_report_find(&rep, CHECK_ENDPOINT_SINGLE_AZ, "vpce-1");
    assert_non_null(f);
    assert_string_equal(f->resource_type, "VpcEndpoint");
    assert_non_null(strstr(f->fix, "--add-subnet-ids subnet-b"));
    assert_int_equal(check_report_count(&rep, CHECK_ENDPOINT_AZ_GAP), 0);
    check_report_finish(&rep);
    expect(base(), CHECK_ENDPOINT_SINGLE_AZ, 0);
}

static void add_subnet_c(cJSON *doc, bool workload)
{
    append(doc, "Subnets",
           "{\"SubnetId\":\"subnet-c\",\"VpcId\":\"vpc-1\",\"AvailabilityZone\":\"us-east-1c\","
           "\"CidrBlock\":\"10.0.3.0/24\",\"AvailableIpAddressCount\":250}");
    if (workload)
        append(doc, "NetworkInterfaces",
               "{\"NetworkInterfaceId\":\"eni-w3\",\"SubnetId\":\"subnet-c\",\"VpcId\":\"vpc-1\","
               "\"AvailabilityZone\":\"us-east-1c\",\"PrivateIpAddress\":\"10.0.3.20\","
               "\"InterfaceType\":\"lambda\"}");
}

static void test_az_gap(void **state)
{
    (void)state;
    cJSON *doc = base();
    add_subnet_c(doc, true);
    struct check_report rep;
    run(doc, &rep);
    const struct check_finding *f = check_report_find(&rep, CHECK_ENDPOINT_AZ_GAP, "vpce-1");
    assert_non_null(f);
    assert_non_null(strstr(f->title, "us-east-1c"));
    check_report_finish(&rep);
    /* A subnet with no workload in the AZ is no gap. */
    doc = base();
    add_subnet_c(doc, false);
    expect(doc, CHECK_ENDPOINT_AZ_GAP, 0);
}

static void test_subnet_capacity(void **state)
{
    (void)state;
    cJSON *doc = base();
    set(item(doc, "Subnets", "subnet-a"), "AvailableIpAddressCount", "10");
    struct check_report rep;
    run(doc, &rep);
    assert_non_null(check_report_find(&rep, CHECK_SUBNET_CAPACITY, "subnet-a"));
    assert_null(check_report_find(&rep, CHECK_SUBNET_CAPACITY, "subnet-b"));
    check_report_finish(&rep);
    /* The thresholds are options. */
    doc = base();
    set(item(doc, "Subnets", "subnet-a"), "AvailableIpAddressCount", "10");
    struct check_options o;
    check_options_init(&o);
    o.capacity_min_free = 5;
    o.capacity_percent = 99;
    run_opts(doc, true, &o, &rep);
    assert_int_equal(check_report_count(&rep, CHECK_SUBNET_CAPACITY), 0);
    check_report_finish(&rep);
    /* 80% used trips it even with more than 16 free. */
    doc = base();
    set(item(doc, "Subnets", "subnet-b"), "AvailableIpAddressCount", "40");
    expect(doc, CHECK_SUBNET_CAPACITY, 1);
    expect(base(), CHECK_SUBNET_CAPACITY, 0);
}

static void test_sg_no_https(void **state)
{
    (void)state;
    cJSON *doc = base();
    set(item(doc, "SecurityGroups", "sg-https"), "IpPermissions",
        "[{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,\"IpRanges\":[{\"CidrIp\":"
        "\"10.0.0.0/16\"}]}]");
    struct check_report rep;
    run(doc, &rep);
    const struct check_finding *f = check_report_find(&rep, CHECK_SG_NO_HTTPS, "vpce-1");
    assert_non_null(f);
    assert_non_null(strstr(f->fix, "authorize-security-group-ingress --group-id sg-https"));
    assert_int_equal(f->severity, CHECK_ERROR);
    check_report_finish(&rep);
    expect(base(), CHECK_SG_NO_HTTPS, 0);
}

static void test_nacl_blocks_https(void **state)
{
    (void)state;
    cJSON *doc = base();
    cJSON *entries = cJSON_GetObjectItem(item(doc, "NetworkAcls", "acl-1"), "Entries");
    cJSON_AddItemToArray(entries,
                         cJSON_Parse("{\"CidrBlock\":\"10.0.0.0/8\",\"Egress\":false,\"Protocol\":"
                                     "\"6\",\"RuleAction\":\"deny\",\"RuleNumber\":50,"
                                     "\"PortRange\":{\"From\":443,\"To\":443}}"));
    struct check_report rep;
    run(doc, &rep);
    assert_non_null(check_report_find(&rep, CHECK_NACL_BLOCKS_HTTPS, "subnet-a"));
    assert_non_null(check_report_find(&rep, CHECK_NACL_BLOCKS_HTTPS, "subnet-b"));
    check_report_finish(&rep);
    /* Egress: the ephemeral range denied before the allow. */
    doc = base();
    entries = cJSON_GetObjectItem(item(doc, "NetworkAcls", "acl-1"), "Entries");
    cJSON_AddItemToArray(entries,
                         cJSON_Parse("{\"CidrBlock\":\"0.0.0.0/0\",\"Egress\":true,\"Protocol\":"
                                     "\"6\",\"RuleAction\":\"deny\",\"RuleNumber\":90,"
                                     "\"PortRange\":{\"From\":32768,\"To\":65535}}"));
    expect(doc, CHECK_NACL_BLOCKS_HTTPS, 2);
    /* A deny of another port, or after the allow, blocks nothing. */
    doc = base();
    entries = cJSON_GetObjectItem(item(doc, "NetworkAcls", "acl-1"), "Entries");
    cJSON_AddItemToArray(entries,
                         cJSON_Parse("{\"CidrBlock\":\"0.0.0.0/0\",\"Egress\":false,\"Protocol\":"
                                     "\"6\",\"RuleAction\":\"deny\",\"RuleNumber\":50,"
                                     "\"PortRange\":{\"From\":22,\"To\":22}}"));
    cJSON_AddItemToArray(entries,
                         cJSON_Parse("{\"CidrBlock\":\"0.0.0.0/0\",\"Egress\":false,\"Protocol\":"
                                     "\"6\",\"RuleAction\":\"deny\",\"RuleNumber\":200,"
                                     "\"PortRange\":{\"From\":443,\"To\":443}}"));
    expect(doc, CHECK_NACL_BLOCKS_HTTPS, 0);
}

static void test_private_dns(void **state)
{
    (void)state;
    struct check_options o;
    check_options_init(&o);
    struct check_report rep;
    run_opts(base(), false, &o, &rep);
    const struct check_finding *f =
        check_report_find(&rep, CHECK_PRIVATE_DNS_VPC_ATTRIBUTES, "vpce-1");
    assert_non_null(f);
    assert_non_null(strstr(f->fix, "--enable-dns-hostnames"));
    check_report_finish(&rep);
    /* Private DNS off: the attributes do not matter. */
    cJSON *doc = base();
    set(item(doc, "VpcEndpoints", "vpce-1"), "PrivateDnsEnabled", "false");
    run_opts(doc, false, &o, &rep);
    assert_int_equal(check_report_count(&rep, CHECK_PRIVATE_DNS_VPC_ATTRIBUTES), 0);
    check_report_finish(&rep);
}

static void test_policy_full_access(void **state)
{
    (void)state;
    cJSON *doc = base();
    set(item(doc, "VpcEndpoints", "vpce-gw"), "PolicyDocument",
        "\"{\\\"Version\\\":\\\"2008-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","
        "\\\"Principal\\\":\\\"*\\\",\\\"Action\\\":\\\"*\\\",\\\"Resource\\\":\\\"*\\\"}]}\"");
    struct check_report rep;
    run(doc, &rep);
    assert_non_null(check_report_find(&rep, CHECK_POLICY_FULL_ACCESS, "vpce-gw"));
    /* The default policy is one finding, not also principal-any. */
    assert_int_equal(check_report_count(&rep, CHECK_POLICY_PRINCIPAL_ANY), 0);
    check_report_finish(&rep);
    expect(base(), CHECK_POLICY_FULL_ACCESS, 0);
}

static void test_policy_principal_any(void **state)
{
    (void)state;
    cJSON *doc = base();
    set(item(doc, "VpcEndpoints", "vpce-1"), "PolicyDocument",
        "\"{\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":\\\"*\\\","
        "\\\"Action\\\":\\\"ssm:GetParameter\\\",\\\"Resource\\\":\\\"*\\\"}]}\"");
    expect(doc, CHECK_POLICY_PRINCIPAL_ANY, 1);
    expect(base(), CHECK_POLICY_PRINCIPAL_ANY, 0); /* Principal * with an org condition */
}

static void test_endpoint_state(void **state)
{
    (void)state;
    cJSON *doc = base();
    set(item(doc, "VpcEndpoints", "vpce-1"), "State", "\"pendingAcceptance\"");
    set(item(doc, "VpcEndpoints", "vpce-1"), "ServiceId", "\"vpce-svc-9\"");
    struct check_report rep;
    run(doc, &rep);
    const struct check_finding *f = check_report_find(&rep, CHECK_ENDPOINT_STATE, "vpce-1");
    assert_non_null(f);
    assert_non_null(strstr(f->fix, "accept-vpc-endpoint-connections --service-id vpce-svc-9"));
    /* An endpoint that is not serving gets no other finding. */
    assert_int_equal(rep.n, 1);
    check_report_finish(&rep);
    doc = base();
    set(item(doc, "VpcEndpoints", "vpce-1"), "State", "\"failed\"");
    expect(doc, CHECK_ENDPOINT_STATE, 1);
    expect(base(), CHECK_ENDPOINT_STATE, 0);
}

static void test_gateway_no_routes(void **state)
{
    (void)state;
    cJSON *doc = base();
    set(item(doc, "VpcEndpoints", "vpce-gw"), "RouteTableIds", "[]");
    struct check_report rep;
    run(doc, &rep);
    assert_non_null(check_report_find(&rep, CHECK_GATEWAY_NO_ROUTES, "vpce-gw"));
    assert_int_equal(check_report_count(&rep, CHECK_GATEWAY_SUBNET_UNROUTED), 0);
    check_report_finish(&rep);
    expect(base(), CHECK_GATEWAY_NO_ROUTES, 0);
}

static void add_rtb2(cJSON *doc, const char *routes)
{
    char *j = xasprintf("{\"RouteTableId\":\"rtb-2\",\"VpcId\":\"vpc-1\",\"Associations\":"
                        "[{\"Main\":false,\"SubnetId\":\"subnet-b\",\"RouteTableId\":\"rtb-2\"}],"
                        "\"Routes\":%s}",
                        routes);
    append(doc, "RouteTables", j);
    free(j);
}

static void test_gateway_subnet_unrouted(void **state)
{
    (void)state;
    cJSON *doc = base();
    add_rtb2(doc, "[]");
    struct check_report rep;
    run(doc, &rep);
    const struct check_finding *f =
        check_report_find(&rep, CHECK_GATEWAY_SUBNET_UNROUTED, "vpce-gw");
    assert_non_null(f);
    assert_non_null(strstr(f->fix, "--add-route-table-ids rtb-2"));
    check_report_finish(&rep);
    /* The prefix-list route in the table is enough. */
    doc = base();
    add_rtb2(doc, "[{\"DestinationPrefixListId\":\"pl-1\",\"GatewayId\":\"vpce-gw\"}]");
    expect(doc, CHECK_GATEWAY_SUBNET_UNROUTED, 0);
}

static void test_default_security_group(void **state)
{
    (void)state;
    cJSON *doc = base();
    set(item(doc, "VpcEndpoints", "vpce-1"), "Groups",
        "[{\"GroupId\":\"sg-https\"},{\"GroupId\":\"sg-def\"}]");
    expect(doc, CHECK_DEFAULT_SECURITY_GROUP, 1);
    /* ENIs in the default group while the endpoint lists its own (moto) are not. */
    doc = base();
    set(item(doc, "NetworkInterfaces", "eni-1"), "Groups", "[{\"GroupId\":\"sg-def\"}]");
    expect(doc, CHECK_DEFAULT_SECURITY_GROUP, 0);
    /* With no Groups listed, the ENIs speak. */
    doc = base();
    set(item(doc, "VpcEndpoints", "vpce-1"), "Groups", "[]");
    set(item(doc, "NetworkInterfaces", "eni-1"), "Groups", "[{\"GroupId\":\"sg-def\"}]");
    expect(doc, CHECK_DEFAULT_SECURITY_GROUP, 1);
}

static void add_vpc_with_ssm(cJSON *doc, int n, const char *owner)
{
    char *j = xasprintf("{\"VpcId\":\"vpc-x%d\",\"CidrBlock\":\"10.%d.0.0/16\"}", n, 10 + n);
    append(doc, "Vpcs", j);
    free(j);
    j = xasprintf("{\"VpcEndpointId\":\"vpce-x%d\",\"VpcId\":\"vpc-x%d\",\"OwnerId\":\"%s\","
                  "\"VpcEndpointType\":\"Interface\",\"ServiceName\":"
                  "\"com.amazonaws.us-east-1.ssm\",\"State\":\"available\","
                  "\"NetworkInterfaceIds\":[\"eni-x%da\",\"eni-x%db\"]}",
                  n, n, owner, n, n);
    append(doc, "VpcEndpoints", j);
    free(j);
    for (int k = 0; k < 2; k++) {
        j = xasprintf("{\"NetworkInterfaceId\":\"eni-x%d%c\",\"VpcId\":\"vpc-x%d\","
                      "\"AvailabilityZone\":\"us-east-1%c\",\"InterfaceType\":\"vpc_endpoint\"}",
                      n, "ab"[k], n, "ab"[k]);
        append(doc, "NetworkInterfaces", j);
        free(j);
    }
}

static void test_duplicate_service(void **state)
{
    (void)state;
    cJSON *doc = base();
    add_vpc_with_ssm(doc, 1, "111");
    add_vpc_with_ssm(doc, 2, "111");
    struct check_report rep;
    run(doc, &rep);
    const struct check_finding *f =
        check_report_find(&rep, CHECK_DUPLICATE_SERVICE, "com.amazonaws.us-east-1.ssm");
    assert_non_null(f);
    /* 6 ENIs in AZs a and b; one shared endpoint needs 2: 4 x 730 h x $0.01. */
    assert_non_null(strstr(f->fix, "$29.20 a month"));
    check_report_finish(&rep);
    /* Without a price for the region the saving is in ENIs, and says how to add one. */
    doc = base();
    add_vpc_with_ssm(doc, 1, "111");
    add_vpc_with_ssm(doc, 2, "111");
    struct check_options o;
    check_options_init(&o);
    o.region = "eu-south-2";
    run_opts(doc, true, &o, &rep);
    f = check_report_find(&rep, CHECK_DUPLICATE_SERVICE, "com.amazonaws.us-east-1.ssm");
    assert_non_null(f);
    assert_non_null(strstr(f->fix, "saves 4 ENIs"));
    assert_non_null(strstr(f->fix, "price eu-south-2 interface-hour VALUE"));
    check_report_finish(&rep);
    /* Another account's endpoint does not count. */
    doc = base();
    add_vpc_with_ssm(doc, 1, "111");
    add_vpc_with_ssm(doc, 2, "222");
    expect(doc, CHECK_DUPLICATE_SERVICE, 0);
}

static void test_ignores_and_fail_on(void **state)
{
    (void)state;
    static const char cfg_text[] = "set mouse on\n"
                                   "ignore sg-no-https vpce-1 clients use a proxy in another VPC\n";
    struct check_config cfg = {0};
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(check_config_parse(&cfg, "cfg", cfg_text, strlen(cfg_text), &err), VPCX_OK);
    assert_int_equal(cfg.n_ignores, 1);
    assert_string_equal(cfg.ignores[0].reason, "clients use a proxy in another VPC");
    cJSON *doc = base();
    set(item(doc, "SecurityGroups", "sg-https"), "IpPermissions", "[]");
    struct check_report rep;
    run(doc, &rep);
    assert_true(check_report_fails(&rep, CHECK_ERROR));
    check_apply_ignores(&rep, &cfg);
    assert_false(check_report_fails(&rep, CHECK_ERROR));
    cJSON *j = check_report_to_json(&rep, false);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "Findings")), 0);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "Summary"), "Ignored")->valueint,
                     1);
    cJSON_Delete(j);
    check_report_finish(&rep);
    check_config_finish(&cfg);
    /* An unknown rule names the line. */
    static const char bad[] = "\nignore no-such-rule vpce-1 because\n";
    assert_int_equal(check_config_parse(&cfg, "cfg", bad, strlen(bad), &err), VPCX_ERR_USAGE);
    assert_non_null(strstr(err.message, "cfg, line 2"));
    check_config_finish(&cfg);
    static const char no_reason[] = "ignore sg-no-https vpce-1\n";
    assert_int_equal(check_config_parse(&cfg, "cfg", no_reason, strlen(no_reason), &err),
                     VPCX_ERR_USAGE);
    check_config_finish(&cfg);
    vpcx_error_finish(&err);
}

static void test_json_shape(void **state)
{
    (void)state;
    cJSON *doc = base();
    set(item(doc, "VpcEndpoints", "vpce-gw"), "RouteTableIds", "[]");
    struct check_report rep;
    run(doc, &rep);
    cJSON *j = check_report_to_json(&rep, false);
    cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "Findings"), 0);
    static const char *const keys[] = {"RuleId", "Severity", "ResourceType", "ResourceId",
                                       "Title",  "Evidence", "Fix"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        assert_non_null(cJSON_GetObjectItem(f, keys[i]));
    assert_string_equal(cJSON_GetObjectItem(f, "RuleId")->valuestring, "gateway-no-routes");
    cJSON_Delete(j);
    j = check_report_to_sarif(&rep, "1.0");
    assert_string_equal(cJSON_GetObjectItem(j, "version")->valuestring, "2.1.0");
    cJSON_Delete(j);
    check_report_finish(&rep);
    enum check_rule r;
    assert_true(check_rule_parse("duplicate-service", &r));
    assert_int_equal(r, CHECK_DUPLICATE_SERVICE);
    assert_true(check_rule_parse("no-flow-logs", &r));
    assert_int_equal(r, CHECK_NO_FLOW_LOGS);
    assert_false(check_rule_parse("no-such-rule", &r));
}

static const char subnet_log[] =
    "{\"FlowLogId\":\"fl-%s\",\"ResourceId\":\"%s\",\"TrafficType\":\"REJECT\","
    "\"LogGroupName\":\"/vpc/%s\",\"FlowLogStatus\":\"ACTIVE\",\"DeliverLogsStatus\":"
    "\"SUCCESS\"}";

static void add_subnet_log(cJSON *doc, const char *subnet)
{
    char *j = xasprintf(subnet_log, subnet, subnet, subnet);
    append(doc, "FlowLogs", j);
    free(j);
}

static void drop_vpc_log(cJSON *doc)
{
    cJSON_DeleteItemFromArray(cJSON_GetObjectItem(doc, "FlowLogs"), 0);
}

static void test_no_flow_logs(void **state)
{
    (void)state;
    /* No log at all: the VPC is reported, with the create-flow-logs command. */
    cJSON *doc = base();
    drop_vpc_log(doc);
    struct check_report rep;
    run(doc, &rep);
    const struct check_finding *f = check_report_find(&rep, CHECK_NO_FLOW_LOGS, "vpc-1");
    assert_non_null(f);
    assert_int_equal(f->severity, CHECK_WARNING);
    assert_string_equal(f->resource_type, "Vpc");
    assert_string_equal(f->evidence[0], "Interface endpoints: vpce-1");
    assert_string_equal(f->evidence[1], "Flow logs on vpc-1: (none)");
    assert_string_equal(f->evidence[2],
                        "Endpoint subnets without a recording flow log: subnet-a, subnet-b");
    assert_non_null(strstr(f->fix, "aws ec2 create-flow-logs --resource-type VPC --resource-ids "
                                   "vpc-1 --traffic-type ALL"));
    assert_int_equal(check_report_count(&rep, CHECK_NO_FLOW_LOGS), 1);
    check_report_finish(&rep);

    /* A log on one endpoint subnet of two leaves the other one reported. */
    doc = base();
    drop_vpc_log(doc);
    add_subnet_log(doc, "subnet-a");
    run(doc, &rep);
    f = check_report_find(&rep, CHECK_NO_FLOW_LOGS, "vpc-1");
    assert_non_null(f);
    assert_non_null(strstr(f->title, "1 of 2 endpoint subnets"));
    assert_string_equal(f->evidence[2], "Endpoint subnets without a recording flow log: subnet-b");
    check_report_finish(&rep);

    /* A VPC log whose delivery failed records nothing. */
    doc = base();
    set(item(doc, "FlowLogs", "fl-vpc"), "DeliverLogsStatus", "\"FAILED\"");
    set(item(doc, "FlowLogs", "fl-vpc"), "DeliverLogsErrorMessage", "\"Access error\"");
    run(doc, &rep);
    f = check_report_find(&rep, CHECK_NO_FLOW_LOGS, "vpc-1");
    assert_non_null(f);
    assert_string_equal(f->evidence[1],
                        "Flow logs on vpc-1: fl-vpc (delivery FAILED: Access error)");
    assert_non_null(strstr(f->fix, "fix its role or destination"));
    check_report_finish(&rep);

    /* Neither does one that is not ACTIVE. */
    doc = base();
    set(item(doc, "FlowLogs", "fl-vpc"), "FlowLogStatus", "\"INACTIVE\"");
    expect(doc, CHECK_NO_FLOW_LOGS, 1);
}

static void test_no_flow_logs_negative(void **state)
{
    (void)state;
    /* The base: an active VPC log. */
    expect(base(), CHECK_NO_FLOW_LOGS, 0);
    /* A log on every endpoint subnet covers the endpoints as well. */
    cJSON *doc = base();
    drop_vpc_log(doc);
    add_subnet_log(doc, "subnet-a");
    add_subnet_log(doc, "subnet-b");
    expect(doc, CHECK_NO_FLOW_LOGS, 0);
    /* A VPC with gateway endpoints only is not in scope. */
    doc = base();
    drop_vpc_log(doc);
    cJSON_DeleteItemFromArray(cJSON_GetObjectItem(doc, "VpcEndpoints"), 0);
    expect(doc, CHECK_NO_FLOW_LOGS, 0);
    /* Nor is a deleted interface endpoint. */
    doc = base();
    drop_vpc_log(doc);
    set(item(doc, "VpcEndpoints", "vpce-1"), "State", "\"deleted\"");
    expect(doc, CHECK_NO_FLOW_LOGS, 0);
    /* Flow logs not loaded (DescribeFlowLogs denied): the rule stays silent. */
    struct inventory *inv = load(base(), true);
    inventory_begin(inv, INV_FLOW_LOG);
    inventory_abort(inv, INV_FLOW_LOG);
    struct inventory *fresh = inventory_create();
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        if (t == INV_FLOW_LOG)
            continue;
        inventory_begin(fresh, (enum inv_type)t);
        for (size_t i = 0; i < inventory_count(inv, (enum inv_type)t); i++)
            inventory_put(fresh, (enum inv_type)t,
                          inventory_item(inv, inventory_at(inv, (enum inv_type)t, i)));
        inventory_end(fresh, (enum inv_type)t);
    }
    inventory_set_vpc_attribute(fresh, "vpc-1", "enableDnsSupport", true);
    inventory_set_vpc_attribute(fresh, "vpc-1", "enableDnsHostnames", true);
    assert_false(inventory_type_loaded(fresh, INV_FLOW_LOG));
    struct check_options o;
    check_options_init(&o);
    struct check_report rep;
    check_report_init(&rep);
    check_run(fresh, &o, &rep);
    assert_int_equal(check_report_count(&rep, CHECK_NO_FLOW_LOGS), 0);
    check_report_finish(&rep);
    inventory_destroy(fresh);
    inventory_destroy(inv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base_is_clean),
        cmocka_unit_test(test_single_az),
        cmocka_unit_test(test_az_gap),
        cmocka_unit_test(test_subnet_capacity),
        cmocka_unit_test(test_sg_no_https),
        cmocka_unit_test(test_nacl_blocks_https),
        cmocka_unit_test(test_private_dns),
        cmocka_unit_test(test_policy_full_access),
        cmocka_unit_test(test_policy_principal_any),
        cmocka_unit_test(test_endpoint_state),
        cmocka_unit_test(test_gateway_no_routes),
        cmocka_unit_test(test_gateway_subnet_unrouted),
        cmocka_unit_test(test_default_security_group),
        cmocka_unit_test(test_duplicate_service),
        cmocka_unit_test(test_no_flow_logs),
        cmocka_unit_test(test_no_flow_logs_negative),
        cmocka_unit_test(test_ignores_and_fail_on),
        cmocka_unit_test(test_json_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
