/*
 * fuzz_xml: the streaming EC2/STS XML parser (aws/xml.h) and the one-shot error body
 * parser (aws/awserror.h).
 *
 * Input: byte 0 picks a case from the table below (modulo its size), byte 1 the chunk
 * size (0: the whole body in one feed, else 1..255 bytes), the rest is the body. Seeds in
 * corpus/xml/ are named after their case; the table order is part of the corpus format,
 * so append new cases at the end.
 *
 * libxml2 must never print on its own (that would write over the TUI): every message has
 * to reach the parser's error handler, so a message on the generic channel aborts.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <libxml/xmlerror.h>

#include "vpcx/aws/awserror.h"
#include "vpcx/aws/shapes.h"
#include "vpcx/aws/xml.h"
#include "vpcx/core/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct xml_case {
    const char *service;
    const char *operation; /* NULL: aws_error_from_body() */
    const char *item_list; /* streamed list, NULL: keep everything */
};

static const struct xml_case cases[] = {
    {"ec2", "DescribeVpcs", "Vpcs"},
    {"ec2", "DescribeNetworkInterfaces", "NetworkInterfaces"},
    {"ec2", "DescribeVpcEndpoints", "VpcEndpoints"},
    {"ec2", "DescribeVpcEndpointServices", "ServiceDetails"},
    {"sts", "GetCallerIdentity", NULL},
    {"sts", "AssumeRole", NULL},
    {"ec2", "DescribeSubnets", "Subnets"},
    {"ec2", "DescribeSecurityGroups", "SecurityGroups"},
    {"ec2", "DescribeRouteTables", "RouteTables"},
    {"ec2", "DescribeNetworkAcls", "NetworkAcls"},
    {"ec2", "DescribeAvailabilityZones", "AvailabilityZones"},
    {"ec2", "DescribePrefixLists", "PrefixLists"},
    {"ec2", "DescribeVpcAttribute", NULL},
    {"ec2", "CreateVpcEndpoint", NULL},
    {"ec2", "ModifyVpcEndpoint", NULL},
    {"ec2", "DeleteVpcEndpoints", "Unsuccessful"},
    {"ec2", "DescribeVpcs", NULL},
    {"ec2", "DescribeVpcEndpointServices", NULL},
    {"ec2", NULL, NULL},
    {"ec2", "DescribeFlowLogs", "FlowLogs"},
    {"monitoring", "GetMetricData", NULL},
};

#define CASE_COUNT (sizeof(cases) / sizeof(cases[0]))

/* Printing walks every node, so a malformed tree shows up here. */
static void check_json(const cJSON *json)
{
    char *text = cJSON_PrintUnformatted(json);
    if (!text)
        abort();
    free(text);
}

static void take_item(void *ud, cJSON *item)
{
    size_t *count = ud;
    (*count)++;
    check_json(item);
    cJSON_Delete(item);
}

static enum vpcx_status feed_chunks(struct awsxml_parser *p, const char *body, size_t len,
                                    size_t chunk, struct vpcx_error *err)
{
    enum vpcx_status st = VPCX_OK;
    size_t off = 0;
    while (st == VPCX_OK && off < len) {
        size_t n = len - off < chunk ? len - off : chunk;
        st = awsxml_parser_feed(p, body + off, n, err);
        off += n;
    }
    return st == VPCX_OK ? awsxml_parser_finish(p, err) : st;
}

static void inspect_error(const struct awsxml_parser *p)
{
    (void)awsxml_parser_error_code(p);
    (void)awsxml_parser_error_message(p);
    (void)awsxml_parser_error_type(p);
    struct vpcx_error aws;
    vpcx_error_init(&aws);
    if (awsxml_parser_error(p, 400, &aws) == VPCX_OK)
        abort(); /* an error document must never read as success */
    vpcx_error_finish(&aws);
}

static void run_parser(const struct xml_case *c, const char *body, size_t len, size_t chunk)
{
    const struct aws_shape *shape = aws_shape_output(c->service, c->operation);
    size_t items = 0;
    struct awsxml_parser *p = awsxml_parser_create(shape, c->item_list, take_item, &items);
    if (!p)
        abort(); /* every case names a real operation and list */
    struct vpcx_error err;
    vpcx_error_init(&err);
    enum vpcx_status st = feed_chunks(p, body, len, chunk, &err);
    (void)awsxml_parser_request_id(p);
    if (st == VPCX_OK && awsxml_parser_is_error(p)) {
        inspect_error(p);
    } else if (st == VPCX_OK) {
        cJSON *result = awsxml_parser_take_result(p);
        if (!result)
            abort(); /* finish() succeeded: the result must be there */
        check_json(result);
        cJSON_Delete(result);
    }
    vpcx_error_finish(&err);
    awsxml_parser_destroy(p);
}

static void run_error_body(const char *body, size_t len)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    aws_error_from_body(&err, 400 + (int)(len % 200), body, len);
    vpcx_error_finish(&err);
}

__attribute__((format(printf, 2, 3))) static void on_stray_message(void *ctx, const char *msg, ...)
{
    va_list ap;
    va_start(ap, msg);
    fputs("libxml2 printed on its own: ", stderr);
    vfprintf(stderr, msg, ap);
    va_end(ap);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmlSetGenericErrorFunc(NULL, on_stray_message);
    if (size < 2)
        return 0;
    const struct xml_case *c = &cases[data[0] % CASE_COUNT];
    size_t chunk = data[1] ? data[1] : SIZE_MAX;
    const char *body = (const char *)data + 2;
    size_t len = size - 2;
    if (c->operation)
        run_parser(c, body, len, chunk);
    else
        run_error_body(body, len);
    return 0;
}
