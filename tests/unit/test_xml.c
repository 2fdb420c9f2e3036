#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "vpcx/aws/shapes.h"
#include "vpcx/aws/limits.h"
#include "vpcx/aws/xml.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include "testutil.h"

/* ---- helpers ---- */

static uint32_t rng_state;

static uint32_t rng_next(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

struct run {
    enum vpcx_status status;
    struct vpcx_error err;
    cJSON *result;
    cJSON *items; /* streamed items, in order */
    int count;
    struct awsxml_parser *parser;
};

static void collect_item(void *ud, cJSON *item)
{
    struct run *r = ud;
    assert_non_null(item);
    cJSON_AddItemToArray(r->items, item);
    r->count++;
}

/* Feeds doc in chunks of 1..chunk_max bytes (0: one piece). */
static void run_parse(struct run *r, const struct aws_shape *shape, const char *item_list,
                      const char *doc, size_t len, size_t chunk_max)
{
    memset(r, 0, sizeof(*r));
    vpcx_error_init(&r->err);
    r->items = cJSON_CreateArray();
    r->parser = awsxml_parser_create(shape, item_list, collect_item, r);
    assert_non_null(r->parser);
    size_t off = 0;
    r->status = VPCX_OK;
    while (off < len && r->status == VPCX_OK) {
        size_t n = chunk_max ? 1 + rng_next() % chunk_max : len;
        if (n > len - off)
            n = len - off;
        r->status = awsxml_parser_feed(r->parser, doc + off, n, &r->err);
        off += n;
    }
    if (r->status == VPCX_OK)
        r->status = awsxml_parser_finish(r->parser, &r->err);
    r->result = awsxml_parser_take_result(r->parser);
}

static void run_finish(struct run *r)
{
    cJSON_Delete(r->result);
    cJSON_Delete(r->items);
    vpcx_error_finish(&r->err);
    awsxml_parser_destroy(r->parser);
}

static void parse_string(struct run *r, const char *op, const char *doc, size_t chunk_max)
{
    run_parse(r, aws_shape_output("ec2", op), NULL, doc, strlen(doc), chunk_max);
}

/* Puts streamed items back into the result's list so it compares with botocore's. */
static void reassemble(struct run *r, const char *item_list)
{
    cJSON *list = cJSON_GetObjectItemCaseSensitive(r->result, item_list);
    if (!list) {
        assert_int_equal(r->count, 0);
        return;
    }
    assert_true(cJSON_IsArray(list));
    assert_int_equal(cJSON_GetArraySize(list), 0);
    cJSON *item;
    while ((item = cJSON_DetachItemFromArray(r->items, 0)))
        cJSON_AddItemToArray(list, item);
}

static void assert_json_equal(const cJSON *got, const cJSON *want, const char *what)
{
    if (cJSON_Compare(got, want, 1))
        return;
    char *g = cJSON_Print(got), *w = cJSON_Print(want);
    fprintf(stderr, "%s: JSON differs\n--- got\n%s\n--- want (botocore)\n%s\n", what, g, w);
    free(g);
    free(w);
    fail();
}

/* ---- every sample vs botocore ---- */

static const char *json_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void assert_str_or_null(const char *got, const char *want)
{
    if (!want)
        assert_null(got);
    else
        assert_string_equal(got, want);
}

static void check_error_doc(const char *doc, size_t len, const cJSON *expected, size_t chunk)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(expected, "error");
    struct run r;
    run_parse(&r, aws_shape_output("ec2", "DescribeVpcs"), NULL, doc, len, chunk);
    assert_int_equal(r.status, VPCX_OK);
    assert_true(awsxml_parser_is_error(r.parser));
    assert_null(r.result);
    assert_str_or_null(awsxml_parser_error_code(r.parser), json_str(e, "Code"));
    assert_str_or_null(awsxml_parser_error_message(r.parser), json_str(e, "Message"));
    assert_str_or_null(awsxml_parser_error_type(r.parser), json_str(e, "Type"));
    assert_str_or_null(awsxml_parser_request_id(r.parser), json_str(expected, "request_id"));
    run_finish(&r);
}

static void check_response_doc(const char *doc, size_t len, const cJSON *expected,
                               const char *item_list, size_t chunk, const char *what)
{
    const char *service = json_str(expected, "service");
    const char *op = json_str(expected, "operation");
    const struct aws_shape *shape = aws_shape_output(service, op);
    assert_non_null(shape);
    struct run r;
    run_parse(&r, shape, item_list, doc, len, chunk);
    if (r.status != VPCX_OK)
        fprintf(stderr, "%s: %s\n", what, r.err.message);
    assert_int_equal(r.status, VPCX_OK);
    assert_false(awsxml_parser_is_error(r.parser));
    assert_non_null(r.result);
    if (item_list)
        reassemble(&r, item_list);
    assert_json_equal(r.result, cJSON_GetObjectItemCaseSensitive(expected, "output"), what);
    assert_str_or_null(awsxml_parser_request_id(r.parser), json_str(expected, "request_id"));
    run_finish(&r);
}

static void check_sample(const char *rel)
{
    char *xml_path = xasprintf("%s/ec2-xml/%s", testdata_dir(), rel);
    char *json_path = xasprintf("%s/tests/data/xml-expected/%.*s.json", test_srcdir(),
                                (int)(strlen(rel) - 4), rel);
    size_t len = 0;
    char *doc = test_read_file(xml_path, &len);
    char *json = test_read_file(json_path, NULL);
    if (!json)
        fprintf(stderr, "missing %s: run tools/gen_xml_expected.py\n", json_path);
    assert_non_null(doc);
    assert_non_null(json);
    cJSON *expected = cJSON_Parse(json);
    assert_non_null(expected);
    if (cJSON_GetObjectItemCaseSensitive(expected, "error")) {
        check_error_doc(doc, len, expected, 0);
        check_error_doc(doc, len, expected, 7);
    } else {
        const struct aws_operation *op =
            aws_operation_find(json_str(expected, "service"), json_str(expected, "operation"));
        assert_non_null(op);
        check_response_doc(doc, len, expected, NULL, 0, rel);
        for (size_t chunk = 1; chunk <= 64; chunk *= 4)
            check_response_doc(doc, len, expected, NULL, chunk, rel);
        if (op->item_list) {
            check_response_doc(doc, len, expected, op->item_list, 0, rel);
            check_response_doc(doc, len, expected, op->item_list, 13, rel);
        }
    }
    cJSON_Delete(expected);
    free(doc);
    free(json);
    free(xml_path);
    free(json_path);
}

static int for_each_sample(void (*fn)(const char *rel))
{
    static const char *const subdirs[] = {"api-reference", "model-derived"};
    int count = 0;
    for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
        char *dir = xasprintf("%s/ec2-xml/%s", testdata_dir(), subdirs[i]);
        DIR *d = opendir(dir);
        assert_non_null(d);
        struct dirent *de;
        while ((de = readdir(d))) {
            size_t n = strlen(de->d_name);
            if (n < 5 || strcmp(de->d_name + n - 4, ".xml") != 0)
                continue;
            char *rel = xasprintf("%s/%s", subdirs[i], de->d_name);
            fn(rel);
            free(rel);
            count++;
        }
        closedir(d);
        free(dir);
    }
    return count;
}

static void test_samples_match_botocore(void **state)
{
    rng_state = 20240314;
    int n = for_each_sample(check_sample);
    assert_true(n >= 20);
}

/* ---- truncation at every cut point ---- */

static void check_cuts(const char *rel)
{
    char *path = xasprintf("%s/ec2-xml/%s", testdata_dir(), rel);
    size_t len = 0;
    char *doc = test_read_file(path, &len);
    assert_non_null(doc);
    /* The root's end tag is the last '>' of the file. */
    size_t root_end = len;
    while (root_end > 0 && doc[root_end - 1] != '>')
        root_end--;
    const struct aws_shape *shape = aws_shape_output("sts", "AssumeRole");
    if (strstr(doc, "ec2.amazonaws.com") || strncmp(doc, "<Response>", 10) == 0 ||
        strstr(doc, "<Response>"))
        shape = aws_shape_output("ec2", "DescribeVpcEndpoints");
    for (size_t cut = 0; cut <= len; cut++) {
        struct run r;
        run_parse(&r, shape, NULL, doc, cut, cut % 3 ? 5 : 0);
        if (cut >= root_end)
            assert_int_equal(r.status, VPCX_OK);
        else if (r.status != VPCX_ERR_TRUNCATED && r.status != VPCX_ERR_PARSE)
            fail_msg("%s cut at %zu of %zu: status %d", rel, cut, len, r.status);
        if (r.status != VPCX_OK)
            assert_null(r.result);
        run_finish(&r);
    }
    free(doc);
    free(path);
}

static void test_truncated_every_cut(void **state)
{
    rng_state = 7;
    assert_true(for_each_sample(check_cuts) > 0);
}

static void test_truncated_status(void **state)
{
    struct run r;
    parse_string(&r, "DescribeVpcs", "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-1", 0);
    assert_int_equal(r.status, VPCX_ERR_TRUNCATED);
    assert_non_null(strstr(r.err.message, "ended before"));
    run_finish(&r);
    parse_string(&r, "DescribeVpcs", "", 0);
    assert_int_equal(r.status, VPCX_ERR_TRUNCATED);
    run_finish(&r);
}

/* ---- robustness ---- */

#define VPC_DOC_FMT                                                                                \
    "<DescribeVpcsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><vpcSet><item>"      \
    "<vpcId>vpc-1</vpcId><tagSet><item><key>Name</key><value>%s</value></item></tagSet></item>"    \
    "</vpcSet></DescribeVpcsResponse>"

static const char *first_tag_value(const cJSON *result)
{
    const cJSON *vpc = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(result, "Vpcs"), 0);
    const cJSON *tag = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(vpc, "Tags"), 0);
    return json_str(tag, "Value");
}

static void check_tag_value(const char *raw, const char *want)
{
    char *doc = xasprintf(VPC_DOC_FMT, raw);
    for (size_t chunk = 0; chunk <= 3; chunk++) {
        struct run r;
        parse_string(&r, "DescribeVpcs", doc, chunk);
        if (r.status != VPCX_OK)
            fail_msg("tag value %s: %s", raw, r.err.message);
        assert_string_equal(first_tag_value(r.result), want);
        run_finish(&r);
    }
    free(doc);
}

static void test_control_bytes_dropped(void **state)
{
    check_tag_value("a\x1b[31mb\x01\x02"
                    "c\x7f"
                    "d\te\x0b",
                    "a[31mbc\x7f"
                    "d\te");
    check_tag_value("caf\xc3\xa9\x1f", "caf\xc3\xa9");
}

static void test_charref_to_control(void **state)
{
    check_tag_value("a&#x1b;[0mb&#27;c&#0;d", "a[0mbcd");
    check_tag_value("&#x41;&#66;&amp;&lt;&#10;&#xD800;z", "AB&<\nz");
    /* In CDATA a reference is plain text; control bytes still go. */
    check_tag_value("<![CDATA[a & b &#x1b; ]]] ]]>&#x1b;c<!-- & -->d\x1b", "a & b &#x1b; ]]] cd");
}

static void test_unknown_elements_skipped(void **state)
{
    const char *doc = "<DescribeVpcsResponse><futureThing><vpcSet><item><vpcId>no</vpcId>"
                      "</item></vpcSet></futureThing><vpcSet><item><vpcId>vpc-1</vpcId>"
                      "<newField><nested>x</nested></newField><isDefault>true</isDefault>"
                      "</item></vpcSet><nextToken>t</nextToken></DescribeVpcsResponse>";
    struct run r;
    parse_string(&r, "DescribeVpcs", doc, 0);
    assert_int_equal(r.status, VPCX_OK);
    cJSON *want = cJSON_Parse("{\"Vpcs\":[{\"VpcId\":\"vpc-1\",\"IsDefault\":true}],"
                              "\"NextToken\":\"t\"}");
    assert_json_equal(r.result, want, "unknown elements");
    cJSON_Delete(want);
    run_finish(&r);
}

static void test_malformed_reports_position(void **state)
{
    struct run r;
    parse_string(&r, "DescribeVpcs", "<DescribeVpcsResponse>\n<vpcSet></item>\n", 0);
    assert_int_equal(r.status, VPCX_ERR_PARSE);
    assert_non_null(strstr(r.err.message, "line 2"));
    assert_non_null(strstr(r.err.message, "column"));
    /* errors are sticky */
    assert_int_equal(awsxml_parser_feed(r.parser, "x", 1, NULL), VPCX_ERR_PARSE);
    assert_int_equal(awsxml_parser_finish(r.parser, NULL), VPCX_ERR_PARSE);
    run_finish(&r);
    /* A broken reference must not pass for a truncated response. */
    static const char *const broken[] = {"x&#x1b", "x&amp", "a & b", "&#;", "&#xZ;"};
    for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
        char *doc = xasprintf(VPC_DOC_FMT, broken[i]);
        parse_string(&r, "DescribeVpcs", doc, 0);
        if (r.status != VPCX_ERR_PARSE)
            fail_msg("%s: status %d", broken[i], r.status);
        run_finish(&r);
        free(doc);
    }
    parse_string(&r, "DescribeVpcs", "<DescribeVpcsResponse/><extra/>", 0);
    assert_int_equal(r.status, VPCX_ERR_PARSE);
    run_finish(&r);
}

static char *nested_doc(int depth)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "<DescribeVpcsResponse>");
    for (int i = 0; i < depth; i++)
        strbuf_addstr(&sb, "<x>");
    for (int i = 0; i < depth; i++)
        strbuf_addstr(&sb, "</x>");
    strbuf_addstr(&sb, "</DescribeVpcsResponse>");
    return strbuf_detach(&sb, NULL);
}

static void test_depth_limit(void **state)
{
    struct run r;
    char *ok = nested_doc(AWSXML_MAX_DEPTH - 1);
    parse_string(&r, "DescribeVpcs", ok, 0);
    assert_int_equal(r.status, VPCX_OK);
    run_finish(&r);
    char *deep = nested_doc(AWSXML_MAX_DEPTH);
    parse_string(&r, "DescribeVpcs", deep, 0);
    assert_int_equal(r.status, VPCX_ERR_TOO_LARGE);
    run_finish(&r);
    free(ok);
    free(deep);
}

static void test_text_limit(void **state)
{
    struct strbuf big = STRBUF_INIT;
    for (size_t i = 0; i < AWSXML_MAX_TEXT; i++)
        strbuf_addch(&big, 'a' + (char)(i % 26));
    char *doc = xasprintf(VPC_DOC_FMT, big.buf);
    struct run r;
    parse_string(&r, "DescribeVpcs", doc, 0);
    assert_int_equal(r.status, VPCX_OK);
    assert_int_equal(strlen(first_tag_value(r.result)), AWSXML_MAX_TEXT);
    run_finish(&r);
    free(doc);
    strbuf_addch(&big, 'z');
    doc = xasprintf(VPC_DOC_FMT, big.buf);
    parse_string(&r, "DescribeVpcs", doc, 0);
    assert_int_equal(r.status, VPCX_ERR_TOO_LARGE);
    run_finish(&r);
    free(doc);
    strbuf_release(&big);
}

static void test_doctype_refused(void **state)
{
    const char *doc = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY e SYSTEM "
                      "\"file:///etc/passwd\">]><DescribeVpcsResponse><nextToken>&e;"
                      "</nextToken></DescribeVpcsResponse>";
    struct run r;
    parse_string(&r, "DescribeVpcs", doc, 0);
    assert_int_equal(r.status, VPCX_ERR_PARSE);
    assert_null(r.result);
    run_finish(&r);
}

static void test_html_body(void **state)
{
    struct run r;
    parse_string(&r, "DescribeVpcs", "<html><body><h1>500 Internal Server Error</h1></body></html>",
                 0);
    assert_int_equal(r.status, VPCX_ERR_PARSE);
    assert_non_null(strstr(r.err.message, "<html>"));
    assert_false(awsxml_parser_is_error(r.parser));
    run_finish(&r);
    parse_string(&r, "DescribeVpcs",
                 "<!DOCTYPE html>\n<html><head><title>500</title></head><body><p>x<br></body>"
                 "</html>",
                 0);
    assert_int_equal(r.status, VPCX_ERR_PARSE);
    run_finish(&r);
    parse_string(&r, "DescribeVpcs", "Internal Server Error", 0);
    assert_int_equal(r.status, VPCX_ERR_PARSE);
    run_finish(&r);
}

/* ---- types and botocore's rules ---- */

static void test_scalar_types(void **state)
{
    const char *doc =
        "<DescribeSubnetsResponse><subnetSet><item><subnetId> subnet-1 </subnetId>"
        "<availableIpAddressCount> 251 </availableIpAddressCount>"
        "<defaultForAz> true </defaultForAz><mapPublicIpOnLaunch>yes</mapPublicIpOnLaunch>"
        "<enableLniAtDeviceIndex>12x</enableLniAtDeviceIndex>"
        "<tagSet/><ipv6CidrBlockAssociationSet></ipv6CidrBlockAssociationSet>"
        "<privateDnsNameOptionsOnLaunch/>"
        "<vpcId>vpc-1<b>junk</b>tail</vpcId><vpcId>vpc-2</vpcId>"
        "</item></subnetSet></DescribeSubnetsResponse>";
    struct run r;
    run_parse(&r, aws_shape_output("ec2", "DescribeSubnets"), NULL, doc, strlen(doc), 0);
    assert_int_equal(r.status, VPCX_OK);
    cJSON *want = cJSON_Parse(
        "{\"Subnets\":[{\"SubnetId\":\" subnet-1 \",\"AvailableIpAddressCount\":251,"
        "\"DefaultForAz\":true,\"MapPublicIpOnLaunch\":false,\"EnableLniAtDeviceIndex\":\"12x\","
        "\"Tags\":[],\"Ipv6CidrBlockAssociationSet\":[],\"PrivateDnsNameOptionsOnLaunch\":{},"
        "\"VpcId\":\"vpc-1\"}]}");
    assert_json_equal(r.result, want, "scalar types");
    cJSON_Delete(want);
    run_finish(&r);
}

static void test_model_order(void **state)
{
    const char *doc = "<DescribeVpcsResponse><vpcSet><item><isDefault>false</isDefault>"
                      "<vpcId>vpc-1</vpcId><ownerId>1</ownerId></item></vpcSet>"
                      "<nextToken>n</nextToken></DescribeVpcsResponse>";
    struct run r;
    parse_string(&r, "DescribeVpcs", doc, 0);
    assert_int_equal(r.status, VPCX_OK);
    /* DescribeVpcsResult lists NextToken before Vpcs; Vpc lists OwnerId ... IsDefault ...
     * VpcId. */
    assert_string_equal(r.result->child->string, "NextToken");
    const cJSON *vpc = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.result, "Vpcs"), 0);
    const struct aws_shape *vpc_shape = aws_shape_list_item(
        aws_shape_get(aws_shape_find_json(aws_shape_output("ec2", "DescribeVpcs"), "Vpcs")->shape));
    unsigned last = 0;
    for (const cJSON *c = vpc->child; c; c = c->next) {
        unsigned idx = aws_shape_member_index(vpc_shape, aws_shape_find_json(vpc_shape, c->string));
        assert_true(idx >= last);
        last = idx;
    }
    run_finish(&r);
}

static void test_sts_compact_and_wrapper(void **state)
{
    const char *doc = "<AssumeRoleResponse><AssumeRoleResult><Credentials><SessionToken>\n  AB\n"
                      "  CD \n</SessionToken><AccessKeyId> ASIA1 </AccessKeyId></Credentials>"
                      "<SourceIdentity> me </SourceIdentity></AssumeRoleResult>"
                      "<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata>"
                      "</AssumeRoleResponse>";
    struct run r;
    run_parse(&r, aws_shape_output("sts", "AssumeRole"), NULL, doc, strlen(doc), 3);
    assert_int_equal(r.status, VPCX_OK);
    cJSON *want = cJSON_Parse("{\"Credentials\":{\"SessionToken\":\"ABCD\",\"AccessKeyId\":"
                              "\"ASIA1\"},\"SourceIdentity\":\" me \"}");
    assert_json_equal(r.result, want, "sts");
    assert_string_equal(awsxml_parser_request_id(r.parser), "rid");
    cJSON_Delete(want);
    run_finish(&r);
    /* No result element: an empty result, as botocore returns nothing either. */
    run_parse(&r, aws_shape_output("sts", "GetCallerIdentity"), NULL,
              "<GetCallerIdentityResponse/>", 28, 0);
    assert_int_equal(r.status, VPCX_OK);
    assert_true(cJSON_IsObject(r.result));
    assert_null(r.result->child);
    run_finish(&r);
}

/* ---- streaming ---- */

static void test_stream_items(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "<DescribeNetworkInterfacesResponse><networkInterfaceSet>");
    for (int i = 0; i < 1000; i++)
        strbuf_addf(&sb, "<item><networkInterfaceId>eni-%d</networkInterfaceId></item>", i);
    strbuf_addstr(&sb, "</networkInterfaceSet><nextToken>more</nextToken>"
                       "</DescribeNetworkInterfacesResponse>");
    struct run r;
    rng_state = 99;
    run_parse(&r, aws_shape_output("ec2", "DescribeNetworkInterfaces"), "NetworkInterfaces", sb.buf,
              sb.len, 200);
    assert_int_equal(r.status, VPCX_OK);
    assert_int_equal(r.count, 1000);
    assert_string_equal(json_str(cJSON_GetArrayItem(r.items, 999), "NetworkInterfaceId"),
                        "eni-999");
    cJSON *list = cJSON_GetObjectItemCaseSensitive(r.result, "NetworkInterfaces");
    assert_true(cJSON_IsArray(list));
    assert_int_equal(cJSON_GetArraySize(list), 0);
    assert_string_equal(json_str(r.result, "NextToken"), "more");
    run_finish(&r);
    strbuf_release(&sb);
}

static void test_stream_items_arrive_early(void **state)
{
    /* The first item is handed over before the document ends. */
    const char *part = "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-1</vpcId></item><item>";
    struct run r;
    memset(&r, 0, sizeof(r));
    r.items = cJSON_CreateArray();
    r.parser =
        awsxml_parser_create(aws_shape_output("ec2", "DescribeVpcs"), "Vpcs", collect_item, &r);
    assert_int_equal(awsxml_parser_feed(r.parser, part, strlen(part), NULL), VPCX_OK);
    assert_int_equal(r.count, 1);
    assert_null(awsxml_parser_create(aws_shape_output("ec2", "DescribeVpcs"), "NextToken",
                                     collect_item, &r));
    assert_null(awsxml_parser_create(NULL, NULL, NULL, NULL));
    run_finish(&r);
}

/* DescribeVpcs with n small items, the first one padded with tags to about pad bytes. */
static char *vpcs_doc(int n, size_t pad, size_t *len)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "<DescribeVpcsResponse><vpcSet>");
    for (int i = 0; i < n; i++) {
        strbuf_addf(&sb, "<item><vpcId>vpc-%d</vpcId><tagSet>", i);
        for (size_t start = sb.len; i == 0 && sb.len - start < pad;)
            strbuf_addf(&sb, "<item><key>k%zu</key><value>v</value></item>", sb.len);
        strbuf_addstr(&sb, "</tagSet></item>");
    }
    strbuf_addstr(&sb, "</vpcSet></DescribeVpcsResponse>");
    *len = sb.len;
    return strbuf_detach(&sb, NULL);
}

static void test_page_item_cap(void **state)
{
    size_t len;
    char *doc = vpcs_doc(AWS_MAX_PAGE_ITEMS, 0, &len);
    struct run r;
    run_parse(&r, aws_shape_output("ec2", "DescribeVpcs"), "Vpcs", doc, len, 0);
    assert_int_equal(r.status, VPCX_OK);
    assert_int_equal(r.count, AWS_MAX_PAGE_ITEMS);
    run_finish(&r);
    free(doc);
    /* One more item fails the page before that item is built. */
    doc = vpcs_doc(AWS_MAX_PAGE_ITEMS + 1, 0, &len);
    run_parse(&r, aws_shape_output("ec2", "DescribeVpcs"), "Vpcs", doc, len, 0);
    assert_int_equal(r.status, VPCX_ERR_TOO_LARGE);
    assert_int_equal(r.count, AWS_MAX_PAGE_ITEMS);
    assert_non_null(strstr(r.err.message, "more than 10000 Vpcs"));
    assert_non_null(strstr(r.err.message, "cap on items in one page"));
    run_finish(&r);
    free(doc);
}

static void test_item_size_cap(void **state)
{
    /* Many small tags: no text node is large, the item is. */
    size_t len;
    char *doc = vpcs_doc(2, AWS_MAX_ITEM_BYTES - 4096, &len);
    struct run r;
    rng_state = 7;
    run_parse(&r, aws_shape_output("ec2", "DescribeVpcs"), "Vpcs", doc, len, 4096);
    assert_int_equal(r.status, VPCX_OK);
    assert_int_equal(r.count, 2);
    run_finish(&r);
    free(doc);
    doc = vpcs_doc(2, AWS_MAX_ITEM_BYTES + 4096, &len);
    run_parse(&r, aws_shape_output("ec2", "DescribeVpcs"), "Vpcs", doc, len, 4096);
    assert_int_equal(r.status, VPCX_ERR_TOO_LARGE);
    assert_int_equal(r.count, 0);
    assert_non_null(strstr(r.err.message, "item 1 of Vpcs is larger than 1024 KiB"));
    run_finish(&r);
    free(doc);
}

static void test_shape_table(void **state)
{
    assert_null(aws_shape_output("ec2", "NoSuchOperation"));
    const struct aws_shape *s = aws_shape_output("ec2", "DescribeSecurityGroups");
    assert_non_null(s);
    const struct aws_member *m = aws_shape_find_json(s, "SecurityGroups");
    assert_string_equal(m->xml_name, "securityGroupInfo");
    const struct aws_shape *sg = aws_shape_list_item(aws_shape_get(m->shape));
    assert_string_equal(aws_shape_find_json(sg, "Description")->xml_name, "groupDescription");
    s = aws_shape_output("ec2", "DescribeAvailabilityZones");
    assert_string_equal(aws_shape_find_json(s, "AvailabilityZones")->xml_name,
                        "availabilityZoneInfo");
    assert_string_equal(aws_shape_output("sts", "AssumeRole")->result_wrapper, "AssumeRoleResult");
    assert_string_equal(aws_operation_find("ec2", "DescribeVpcEndpoints")->item_list,
                        "VpcEndpoints");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape_table),
        cmocka_unit_test(test_samples_match_botocore),
        cmocka_unit_test(test_truncated_every_cut),
        cmocka_unit_test(test_truncated_status),
        cmocka_unit_test(test_control_bytes_dropped),
        cmocka_unit_test(test_charref_to_control),
        cmocka_unit_test(test_unknown_elements_skipped),
        cmocka_unit_test(test_malformed_reports_position),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_text_limit),
        cmocka_unit_test(test_doctype_refused),
        cmocka_unit_test(test_html_body),
        cmocka_unit_test(test_scalar_types),
        cmocka_unit_test(test_model_order),
        cmocka_unit_test(test_sts_compact_and_wrapper),
        cmocka_unit_test(test_stream_items),
        cmocka_unit_test(test_stream_items_arrive_early),
        cmocka_unit_test(test_page_item_cap),
        cmocka_unit_test(test_item_size_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
