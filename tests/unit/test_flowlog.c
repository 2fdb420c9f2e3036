/* flowlog: the typed record, coverage by level, recording state, destinations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "vpcx/model/flowlog.h"
#include "vpcx/model/inventory.h"

static void put(struct inventory *inv, enum inv_type type, const char *json)
{
    cJSON *item = cJSON_Parse(json);
    if (!item)
        fail_msg("bad fixture: %s", json);
    assert_int_equal(inventory_put(inv, type, item), VPCX_OK);
}

/* vpc-1 with subnets a and b, an ENI in each; vpc-2 with subnet c and its ENI. */
static struct inventory *network(void)
{
    struct inventory *inv = inventory_create();
    put(inv, INV_VPC, "{\"VpcId\":\"vpc-1\",\"CidrBlock\":\"10.0.0.0/16\"}");
    put(inv, INV_VPC, "{\"VpcId\":\"vpc-2\",\"CidrBlock\":\"10.1.0.0/16\"}");
    put(inv, INV_SUBNET, "{\"SubnetId\":\"subnet-a\",\"VpcId\":\"vpc-1\"}");
    put(inv, INV_SUBNET, "{\"SubnetId\":\"subnet-b\",\"VpcId\":\"vpc-1\"}");
    put(inv, INV_SUBNET, "{\"SubnetId\":\"subnet-c\",\"VpcId\":\"vpc-2\"}");
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-a\",\"SubnetId\":\"subnet-a\",\"VpcId\":"
        "\"vpc-1\"}");
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-b\",\"SubnetId\":\"subnet-b\",\"VpcId\":"
        "\"vpc-1\"}");
    put(inv, INV_ENI,
        "{\"NetworkInterfaceId\":\"eni-c\",\"SubnetId\":\"subnet-c\",\"VpcId\":"
        "\"vpc-2\"}");
    return inv;
}

static void test_record_fields(void **state)
{
    (void)state;
    struct inventory *inv = inventory_create();
    put(inv, INV_FLOW_LOG,
        "{\"FlowLogId\":\"fl-1\",\"ResourceId\":\"vpc-1\",\"TrafficType\":\"REJECT\","
        "\"LogDestinationType\":\"s3\",\"LogDestination\":\"arn:aws:s3:::bucket/prefix\","
        "\"LogFormat\":\"${version} ${srcaddr}\",\"FlowLogStatus\":\"ACTIVE\","
        "\"DeliverLogsStatus\":\"FAILED\",\"DeliverLogsErrorMessage\":\"Access error\","
        "\"Tags\":[{\"Key\":\"Name\",\"Value\":\"audit\"}]}");
    const struct inv_resource *r = inventory_find(inv, INV_FLOW_LOG, "fl-1");
    assert_non_null(r);
    assert_string_equal(r->name, "audit");
    assert_string_equal(r->state, "ACTIVE");
    assert_null(r->vpc_id);
    assert_string_equal(r->flow_log.resource_id, "vpc-1");
    assert_string_equal(r->flow_log.traffic_type, "REJECT");
    assert_string_equal(r->flow_log.log_format, "${version} ${srcaddr}");
    assert_string_equal(r->flow_log.deliver_error, "Access error");
    assert_null(r->flow_log.log_group);
    assert_string_equal(flowlog_destination_type(r), "s3");
    assert_string_equal(flowlog_destination(r), "arn:aws:s3:::bucket/prefix");
    assert_false(flowlog_is_recording(r)); /* delivery failed */
    cJSON *item = inventory_item(inv, r);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(item, "LogDestination")),
                        "arn:aws:s3:::bucket/prefix");
    cJSON_Delete(item);
    inventory_destroy(inv);
}

static void test_destination_and_state(void **state)
{
    (void)state;
    struct inventory *inv = inventory_create();
    /* Older CloudWatch Logs flow logs give a log group and no destination type. */
    put(inv, INV_FLOW_LOG,
        "{\"FlowLogId\":\"fl-cw\",\"ResourceId\":\"vpc-1\","
        "\"LogGroupName\":\"/vpc/flow\",\"DeliverLogsStatus\":\"SUCCESS\"}");
    put(inv, INV_FLOW_LOG,
        "{\"FlowLogId\":\"fl-fh\",\"ResourceId\":\"vpc-1\",\"LogDestinationType\":"
        "\"kinesis-data-firehose\",\"LogDestination\":\"arn:aws:firehose:us-east-1:1:"
        "deliverystream/fl\",\"FlowLogStatus\":\"ACTIVE\"}");
    put(inv, INV_FLOW_LOG,
        "{\"FlowLogId\":\"fl-x\",\"ResourceId\":\"vpc-1\","
        "\"FlowLogStatus\":\"INACTIVE\"}");
    const struct inv_resource *cw = inventory_find(inv, INV_FLOW_LOG, "fl-cw");
    const struct inv_resource *fh = inventory_find(inv, INV_FLOW_LOG, "fl-fh");
    const struct inv_resource *x = inventory_find(inv, INV_FLOW_LOG, "fl-x");
    assert_string_equal(flowlog_destination_type(cw), "cloud-watch-logs");
    assert_string_equal(flowlog_destination(cw), "/vpc/flow");
    assert_true(flowlog_is_recording(cw));
    assert_string_equal(flowlog_destination_type(fh), "kinesis-data-firehose");
    assert_string_equal(flowlog_destination(fh), "arn:aws:firehose:us-east-1:1:deliverystream/fl");
    assert_true(flowlog_is_recording(fh));
    assert_null(flowlog_destination(x));
    assert_false(flowlog_is_recording(x));
    inventory_destroy(inv);
}

static void test_traffic_and_labels(void **state)
{
    (void)state;
    struct inventory *inv = network();
    put(inv, INV_FLOW_LOG,
        "{\"FlowLogId\":\"fl-r\",\"ResourceId\":\"subnet-a\","
        "\"TrafficType\":\"REJECT\"}");
    put(inv, INV_FLOW_LOG,
        "{\"FlowLogId\":\"fl-a\",\"ResourceId\":\"vpc-1\","
        "\"TrafficType\":\"ACCEPT\",\"FlowLogStatus\":\"INACTIVE\"}");
    struct flowlog_index *ix = flowlog_index_create(inv);
    struct flowlog_coverage c;
    flowlog_coverage(inv, ix, INV_ENI, "eni-a", &c);
    assert_int_equal(c.n, 2);
    assert_string_equal(flowlog_coverage_traffic(&c), "rejected traffic only");
    flowlog_coverage_finish(&c);
    flowlog_coverage(inv, ix, INV_VPC, "vpc-1", &c);
    assert_null(flowlog_coverage_traffic(&c)); /* the only log is not recording */
    flowlog_coverage_finish(&c);
    flowlog_index_destroy(ix);
    inventory_destroy(inv);
    assert_string_equal(flowlog_destination_label("cloud-watch-logs"), "CloudWatch Logs");
    assert_string_equal(flowlog_destination_label("kinesis-data-firehose"), "Firehose");
    assert_string_equal(flowlog_destination_label("s3"), "S3");
    assert_string_equal(flowlog_destination_label("new-kind"), "new-kind");
}

static void test_levels(void **state)
{
    (void)state;
    assert_int_equal(flowlog_level_of("vpc-1"), FLOWLOG_LEVEL_VPC);
    assert_int_equal(flowlog_level_of("subnet-1"), FLOWLOG_LEVEL_SUBNET);
    assert_int_equal(flowlog_level_of("eni-1"), FLOWLOG_LEVEL_ENI);
    assert_int_equal(flowlog_level_of("tgw-attach-1"), FLOWLOG_LEVEL_OTHER);
    assert_int_equal(flowlog_level_of(NULL), FLOWLOG_LEVEL_OTHER);
    assert_string_equal(flowlog_level_name(FLOWLOG_LEVEL_SUBNET), "subnet");
}

static void expect_cover(const struct flowlog_coverage *c, size_t i, const char *log,
                         enum flowlog_level level, const char *via)
{
    assert_true(i < c->n);
    assert_string_equal(c->v[i].log->id, log);
    assert_int_equal(c->v[i].level, level);
    assert_string_equal(c->v[i].via, via);
}

/* A VPC log covers its subnets and ENIs; a subnet log its ENIs; an ENI log itself only. */
static void test_coverage_levels(void **state)
{
    (void)state;
    struct inventory *inv = network();
    put(inv, INV_FLOW_LOG,
        "{\"FlowLogId\":\"fl-vpc\",\"ResourceId\":\"vpc-1\","
        "\"TrafficType\":\"ACCEPT\"}");
    put(inv, INV_FLOW_LOG,
        "{\"FlowLogId\":\"fl-sub\",\"ResourceId\":\"subnet-a\","
        "\"TrafficType\":\"REJECT\"}");
    put(inv, INV_FLOW_LOG, "{\"FlowLogId\":\"fl-eni\",\"ResourceId\":\"eni-c\"}");
    put(inv, INV_FLOW_LOG, "{\"FlowLogId\":\"fl-tgw\",\"ResourceId\":\"tgw-1\"}");
    struct flowlog_index *ix = flowlog_index_create(inv);
    struct flowlog_coverage c;

    flowlog_coverage(inv, ix, INV_ENI, "eni-a", &c);
    assert_int_equal(c.n, 2);
    expect_cover(&c, 0, "fl-sub", FLOWLOG_LEVEL_SUBNET, "subnet-a");
    expect_cover(&c, 1, "fl-vpc", FLOWLOG_LEVEL_VPC, "vpc-1");
    assert_int_equal(c.recording, 2);
    assert_string_equal(flowlog_coverage_traffic(&c), "all traffic");
    flowlog_coverage_finish(&c);

    flowlog_coverage(inv, ix, INV_SUBNET, "subnet-b", &c);
    assert_int_equal(c.n, 1);
    expect_cover(&c, 0, "fl-vpc", FLOWLOG_LEVEL_VPC, "vpc-1");
    flowlog_coverage_finish(&c);

    flowlog_coverage(inv, ix, INV_VPC, "vpc-1", &c);
    assert_int_equal(c.n, 1); /* a subnet's log does not cover the VPC */
    flowlog_coverage_finish(&c);

    /* vpc-2: only eni-c is logged; its subnet and VPC are not. */
    flowlog_coverage(inv, ix, INV_ENI, "eni-c", &c);
    assert_int_equal(c.n, 1);
    expect_cover(&c, 0, "fl-eni", FLOWLOG_LEVEL_ENI, "eni-c");
    flowlog_coverage_finish(&c);
    assert_false(flowlog_covered(inv, ix, INV_SUBNET, "subnet-c"));
    assert_false(flowlog_covered(inv, ix, INV_VPC, "vpc-2"));
    assert_true(flowlog_covered(inv, ix, INV_ENI, "eni-b"));

    /* Unknown IDs and other types are covered by nothing. */
    flowlog_coverage(inv, ix, INV_ENI, "eni-zzz", &c);
    assert_int_equal(c.n, 0);
    flowlog_coverage_finish(&c);
    assert_false(flowlog_covered(inv, ix, INV_SECURITY_GROUP, "vpc-1"));

    const struct inv_resource *const *logs;
    assert_int_equal(flowlog_index_attached(ix, "tgw-1", &logs), 1);
    assert_string_equal(logs[0]->id, "fl-tgw");
    assert_int_equal(flowlog_index_attached(ix, "vpc-9", &logs), 0);
    assert_null(logs);
    flowlog_index_destroy(ix);
    inventory_destroy(inv);
}

/* Several logs on one resource come sorted by ID; a stopped one covers but does not record. */
static void test_coverage_recording(void **state)
{
    (void)state;
    struct inventory *inv = network();
    put(inv, INV_FLOW_LOG,
        "{\"FlowLogId\":\"fl-2\",\"ResourceId\":\"subnet-a\",\"TrafficType\":\"ALL\","
        "\"DeliverLogsStatus\":\"FAILED\"}");
    put(inv, INV_FLOW_LOG,
        "{\"FlowLogId\":\"fl-1\",\"ResourceId\":\"subnet-a\",\"TrafficType\":\"REJECT\","
        "\"FlowLogStatus\":\"ACTIVE\",\"DeliverLogsStatus\":\"SUCCESS\"}");
    struct flowlog_index *ix = flowlog_index_create(inv);
    struct flowlog_coverage c;
    flowlog_coverage(inv, ix, INV_SUBNET, "subnet-a", &c);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.v[0].log->id, "fl-1");
    assert_string_equal(c.v[1].log->id, "fl-2");
    assert_int_equal(c.recording, 1);
    /* The failed log would send everything; the one recording keeps only rejects. */
    assert_string_equal(flowlog_coverage_traffic(&c), "rejected traffic only");
    flowlog_coverage_finish(&c);
    flowlog_index_destroy(ix);

    /* With only the failed one left, subnet-a is not covered. */
    inventory_begin(inv, INV_FLOW_LOG);
    put(inv, INV_FLOW_LOG,
        "{\"FlowLogId\":\"fl-2\",\"ResourceId\":\"subnet-a\","
        "\"DeliverLogsStatus\":\"FAILED\"}");
    inventory_end(inv, INV_FLOW_LOG);
    ix = flowlog_index_create(inv);
    assert_false(flowlog_covered(inv, ix, INV_SUBNET, "subnet-a"));
    assert_false(flowlog_covered(inv, ix, INV_ENI, "eni-a"));
    flowlog_index_destroy(ix);
    flowlog_index_destroy(NULL);
    inventory_destroy(inv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_fields),   cmocka_unit_test(test_destination_and_state),
        cmocka_unit_test(test_levels),          cmocka_unit_test(test_traffic_and_labels),
        cmocka_unit_test(test_coverage_levels), cmocka_unit_test(test_coverage_recording),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
