/*
 * metrics: the window and buckets of a range, GetMetricData's request and its XML answer
 * applied to a set (a moto capture, a partial page with NextToken, an AccessDenied error),
 * statistics and sparklines, the packets-dropped check rule and the cost of measured bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "testutil.h"
#include "vpcx/aws/cloudwatch.h"
#include "vpcx/aws/shapes.h"
#include "vpcx/aws/xml.h"
#include "vpcx/model/check.h"
#include "vpcx/model/cost.h"
#include "vpcx/model/metrics.h"

/* 2026-12-04T11:00:00Z */
#define T_1100 1796382000

static const char *const subnets[] = {"subnet-a", "subnet-b"};

static struct metrics_set *set_3h(time_t now)
{
    return metrics_set_create("vpce-1", METRICS_3H, now, subnets, 2);
}

static cJSON *parse_file(const char *name, bool *is_error, struct vpcx_error *err)
{
    char *path = xasprintf("%s/cloudwatch/%s", testdata_dir(), name);
    size_t len = 0;
    char *text = test_read_file(path, &len);
    free(path);
    assert_non_null(text);
    struct awsxml_parser *p =
        awsxml_parser_create(aws_shape_output("monitoring", "GetMetricData"), NULL, NULL, NULL);
    assert_non_null(p);
    assert_int_equal(awsxml_parser_feed(p, text, len, err), VPCX_OK);
    assert_int_equal(awsxml_parser_finish(p, err), VPCX_OK);
    *is_error = awsxml_parser_is_error(p);
    if (*is_error)
        awsxml_parser_error(p, 403, err);
    cJSON *result = awsxml_parser_take_result(p);
    awsxml_parser_destroy(p);
    free(text);
    return result;
}

static void test_time_parse_format(void **state)
{
    (void)state;
    time_t t;
    assert_true(metrics_parse_time("2026-12-04T11:00:00Z", &t));
    assert_int_equal(t, T_1100);
    assert_true(metrics_parse_time("2026-12-04T11:00:00.500Z", &t));
    assert_int_equal(t, T_1100);
    assert_true(metrics_parse_time("2026-12-04T11:00:00+00:00", &t));
    assert_int_equal(t, T_1100);
    assert_true(metrics_parse_time("1970-01-01T00:00:00Z", &t));
    assert_int_equal(t, 0);
    assert_false(metrics_parse_time("2026-12-04T11:00:00+02:00", &t));
    assert_false(metrics_parse_time("2026-13-04T11:00:00Z", &t));
    assert_false(metrics_parse_time("2026-12-04", &t));
    assert_false(metrics_parse_time("", &t));
    char buf[32];
    metrics_format_time(T_1100, buf, sizeof(buf));
    assert_string_equal(buf, "2026-12-04T11:00:00Z");
}

static void test_ranges_and_window(void **state)
{
    (void)state;
    enum metrics_range r;
    assert_true(metrics_range_parse("24h", &r));
    assert_int_equal(r, METRICS_24H);
    assert_false(metrics_range_parse("1h", &r));
    assert_int_equal(metrics_range_next(METRICS_3H), METRICS_24H);
    assert_int_equal(metrics_range_next(METRICS_7D), METRICS_3H);
    /* Every range gives a sparkline of 30 to 60 points. */
    for (int i = 0; i < METRICS_RANGE_COUNT; i++) {
        long n = metrics_range_seconds((enum metrics_range)i) /
                 metrics_range_period((enum metrics_range)i);
        assert_true(n >= 30 && n <= 60);
        assert_int_equal(metrics_range_period((enum metrics_range)i) % 60, 0);
    }
    time_t start, end;
    long period;
    metrics_window(METRICS_3H, T_1100 + 61, &start, &end, &period);
    assert_int_equal(period, 300);
    assert_int_equal(end, T_1100 + 300); /* the next boundary */
    assert_int_equal(start, T_1100 + 300 - 3 * 3600);
    metrics_window(METRICS_3H, T_1100, &start, &end, &period);
    assert_int_equal(end, T_1100); /* already on one */
}

static void test_query_ids(void **state)
{
    (void)state;
    struct metrics_set *s = set_3h(T_1100);
    assert_int_equal(s->n_scopes, 3);
    assert_null(s->scopes[0].subnet_id);
    assert_string_equal(s->scopes[2].subnet_id, "subnet-b");
    assert_int_equal(s->scopes[1].series[METRIC_BYTES_PROCESSED].n, 36);
    char *id = metrics_query_id(2, METRIC_RST_PACKETS_RECEIVED);
    assert_string_equal(id, "s2_m4");
    size_t scope;
    enum metrics_metric m;
    assert_true(metrics_parse_query_id(s, id, &scope, &m));
    assert_int_equal(scope, 2);
    assert_int_equal(m, METRIC_RST_PACKETS_RECEIVED);
    free(id);
    assert_false(metrics_parse_query_id(s, "s3_m0", &scope, &m)); /* no such scope */
    assert_false(metrics_parse_query_id(s, "s0_m5", &scope, &m)); /* no such metric */
    assert_false(metrics_parse_query_id(s, "s0_m1x", &scope, &m));
    assert_false(metrics_parse_query_id(s, "s-1_m1", &scope, &m));
    assert_false(metrics_parse_query_id(s, NULL, &scope, &m));
    metrics_set_destroy(s);
}

/* The request names every series with the exact dimension set CloudWatch matches. */
static void test_request(void **state)
{
    (void)state;
    struct metrics_set *s = set_3h(T_1100);
    const struct cloudwatch_endpoint ep = {"vpc-1", "vpce-1", "Interface",
                                           "com.amazonaws.us-east-1.s3"};
    struct aws_query q;
    aws_query_init(&q, NULL, NULL);
    cloudwatch_metric_data_query(&q, s, &ep, NULL);
    /* 3 scopes x 5 metrics */
    assert_non_null(aws_query_get(&q, "MetricDataQueries.member.15.Id"));
    assert_null(aws_query_get(&q, "MetricDataQueries.member.16.Id"));
    assert_string_equal(aws_query_get(&q, "MetricDataQueries.member.1.Id"), "s0_m0");
    assert_string_equal(aws_query_get(&q, "MetricDataQueries.member.1.MetricStat.Metric.Namespace"),
                        "AWS/PrivateLinkEndpoints");
    assert_string_equal(
        aws_query_get(&q, "MetricDataQueries.member.3.MetricStat.Metric.MetricName"),
        "BytesProcessed");
    assert_string_equal(aws_query_get(&q, "MetricDataQueries.member.3.MetricStat.Stat"), "Sum");
    assert_string_equal(aws_query_get(&q, "MetricDataQueries.member.1.MetricStat.Stat"), "Average");
    assert_string_equal(aws_query_get(&q, "MetricDataQueries.member.1.MetricStat.Period"), "300");
    const char *dims = "MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.";
    static const char *const want[][2] = {{"VPC Id", "vpc-1"},
                                          {"VPC Endpoint Id", "vpce-1"},
                                          {"Endpoint Type", "Interface"},
                                          {"Service Name", "com.amazonaws.us-east-1.s3"}};
    for (int k = 0; k < 4; k++) {
        char *name = xasprintf("%s%d.Name", dims, k + 1);
        char *value = xasprintf("%s%d.Value", dims, k + 1);
        assert_string_equal(aws_query_get(&q, name), want[k][0]);
        assert_string_equal(aws_query_get(&q, value), want[k][1]);
        free(name);
        free(value);
    }
    /* The endpoint's series have exactly four dimensions; a subnet's add Subnet Id. */
    assert_null(
        aws_query_get(&q, "MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.5.Name"));
    assert_string_equal(
        aws_query_get(&q, "MetricDataQueries.member.6.MetricStat.Metric.Dimensions.member.5.Name"),
        "Subnet Id");
    assert_string_equal(
        aws_query_get(&q,
                      "MetricDataQueries.member.11.MetricStat.Metric.Dimensions.member.5.Value"),
        "subnet-b");
    assert_string_equal(aws_query_get(&q, "StartTime"), "2026-12-04T08:00:00Z");
    assert_string_equal(aws_query_get(&q, "EndTime"), "2026-12-04T11:00:00Z");
    assert_string_equal(aws_query_get(&q, "ScanBy"), "TimestampAscending");
    assert_null(aws_query_get(&q, "NextToken"));
    aws_query_finish(&q);
    aws_query_init(&q, NULL, NULL);
    cloudwatch_metric_data_query(&q, s, &ep, "tok/2");
    assert_string_equal(aws_query_get(&q, "NextToken"), "tok/2");
    assert_non_null(strstr(aws_query_encode(&q), "Dimensions.member.1.Name=VPC%20Id"));
    aws_query_finish(&q);
    metrics_set_destroy(s);
}

static void test_parse_moto_answer(void **state)
{
    (void)state;
    struct vpcx_error err;
    vpcx_error_init(&err);
    bool is_error;
    cJSON *r = parse_file("get-metric-data-moto.xml", &is_error, &err);
    assert_false(is_error);
    assert_non_null(r);
    /* 10:00 to 10:45 in a 3h window ending at 11:00 */
    struct metrics_set *s = set_3h(T_1100);
    char *next = NULL;
    assert_int_equal(cloudwatch_apply_metric_data(s, r, &next, &err), VPCX_OK);
    assert_null(next);
    const struct metrics_series *b = &s->scopes[0].series[METRIC_BYTES_PROCESSED];
    assert_int_equal(b->points, 4);
    assert_false(b->partial);
    assert_false(s->partial);
    /* 10:00 is bucket 24 of 36 (08:00 + 24 x 5 min). */
    assert_true(b->values[24] == 54000000.0);
    assert_true(b->values[27] == 45000000.0);
    assert_true(isnan(b->values[25]));
    struct metrics_stats st;
    assert_true(metrics_series_stats(b, &st));
    assert_true(st.min == 27000000.0 && st.max == 54000000.0);
    assert_true(st.last == 27000000.0 && st.sum == 162000000.0);
    assert_int_equal(st.count, 4);
    assert_int_equal(s->scopes[0].series[METRIC_ACTIVE_CONNECTIONS].points, 0);
    cJSON_Delete(r);
    metrics_set_destroy(s);
    vpcx_error_finish(&err);
}

static void test_parse_partial_page(void **state)
{
    (void)state;
    struct vpcx_error err;
    vpcx_error_init(&err);
    bool is_error;
    cJSON *r = parse_file("get-metric-data-partial.xml", &is_error, &err);
    assert_false(is_error);
    struct metrics_set *s = set_3h(T_1100);
    char *next = NULL;
    assert_int_equal(cloudwatch_apply_metric_data(s, r, &next, &err), VPCX_OK);
    assert_string_equal(next, "page-2-token");
    free(next);
    const struct metrics_series *d = &s->scopes[0].series[METRIC_PACKETS_DROPPED];
    assert_true(d->partial);
    assert_true(s->partial);
    assert_int_equal(d->points, 2);
    assert_true(d->values[24] == 0.0 && d->values[25] == 7.0);
    const struct metrics_series *a = &s->scopes[1].series[METRIC_ACTIVE_CONNECTIONS];
    assert_int_equal(a->points, 1);
    assert_true(a->values[26] == 12.5);
    assert_false(a->partial);
    /* "other_query" is not one of ours: placed nowhere. */
    size_t placed = 0;
    for (size_t i = 0; i < s->n_scopes; i++)
        for (int m = 0; m < METRIC_COUNT; m++)
            placed += s->scopes[i].series[m].points;
    assert_int_equal(placed, 3);
    /* The next page completes the series. */
    cJSON *page2 = cJSON_Parse("{\"MetricDataResults\":[{\"Id\":\"s0_m3\",\"Timestamps\":"
                               "[\"2026-12-04T10:10:00Z\"],\"Values\":[1],\"StatusCode\":"
                               "\"Complete\"}]}");
    assert_int_equal(cloudwatch_apply_metric_data(s, page2, &next, &err), VPCX_OK);
    assert_null(next);
    assert_false(d->partial);
    assert_false(s->partial);
    assert_int_equal(d->points, 3);
    cJSON_Delete(page2);
    cJSON_Delete(r);
    metrics_set_destroy(s);
    vpcx_error_finish(&err);
}

static void test_parse_access_denied(void **state)
{
    (void)state;
    struct vpcx_error err;
    vpcx_error_init(&err);
    bool is_error;
    cJSON *r = parse_file("error-access-denied.xml", &is_error, &err);
    assert_true(is_error);
    assert_null(r);
    assert_int_equal(err.status, VPCX_ERR_ACCESS_DENIED);
    assert_string_equal(err.aws_code, "AccessDenied");
    assert_non_null(strstr(err.message, "cloudwatch:GetMetricData"));
    vpcx_error_finish(&err);
}

static void test_apply_rejects_bad_answers(void **state)
{
    (void)state;
    struct vpcx_error err;
    vpcx_error_init(&err);
    struct metrics_set *s = set_3h(T_1100);
    char *next = NULL;
    assert_int_equal(cloudwatch_apply_metric_data(s, NULL, &next, &err), VPCX_ERR_PARSE);
    cJSON *r = cJSON_Parse("{\"MetricDataResults\":[{\"Id\":\"s0_m0\",\"Timestamps\":"
                           "[\"2026-12-04T10:00:00Z\",\"2026-12-04T10:05:00Z\"],"
                           "\"Values\":[1]}]}");
    assert_int_equal(cloudwatch_apply_metric_data(s, r, &next, &err), VPCX_ERR_PARSE);
    cJSON_Delete(r);
    /* Outside the window, unparsable and non-numeric points are skipped. */
    r = cJSON_Parse("{\"MetricDataResults\":[{\"Id\":\"s0_m0\",\"Timestamps\":"
                    "[\"2026-12-04T11:00:00Z\",\"2026-12-04T07:59:59Z\",\"yesterday\","
                    "\"2026-12-04T10:00:00Z\"],\"Values\":[1,2,3,\"4\"]}],\"NextToken\":\"\"}");
    assert_int_equal(cloudwatch_apply_metric_data(s, r, &next, &err), VPCX_OK);
    assert_null(next); /* an empty token ends the pages */
    assert_int_equal(s->scopes[0].series[0].points, 0);
    cJSON_Delete(r);
    metrics_set_destroy(s);
    vpcx_error_finish(&err);
}

static void fill(struct metrics_set *s, struct metrics_series *x, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]))
            assert_true(metrics_series_add(s, x, s->start + (time_t)i * s->period + 30, v[i]));
}

static void test_stats_and_sparkline(void **state)
{
    (void)state;
    struct metrics_set *s = metrics_set_create("vpce-1", METRICS_3H, T_1100, NULL, 0);
    struct metrics_series *x = &s->scopes[0].series[METRIC_NEW_CONNECTIONS];
    struct metrics_stats st;
    assert_false(metrics_series_stats(x, &st));
    struct strbuf sb;
    strbuf_init(&sb, 64);
    metrics_sparkline(&sb, x, 8, false);
    assert_string_equal(sb.buf, "        "); /* every bucket empty: blanks */
    strbuf_reset(&sb);

    const double v[] = {0, 1, 2, 3, 4, 5, 6, 7, NAN, 14};
    fill(s, x, v, sizeof(v) / sizeof(v[0]));
    assert_true(metrics_series_stats(x, &st));
    assert_true(st.min == 0 && st.max == 14 && st.last == 14 && st.sum == 42);
    assert_int_equal(st.count, 9);
    /* One cell per bucket: 0 is the floor, anything above it at least one step up. */
    metrics_sparkline(&sb, x, 36, false);
    assert_int_equal(sb.len, 36);
    assert_int_equal(memcmp(sb.buf, "_..--==+ @ ", 11), 0);
    assert_int_equal(strspn(sb.buf + 10, " "), 26);
    strbuf_reset(&sb);
    metrics_sparkline(&sb, x, 36, true);
    assert_int_equal(strlen(sb.buf), 3 * 9 + 1 + 26);       /* 9 glyphs, a gap, 26 empty buckets */
    assert_int_equal(memcmp(sb.buf, "\xe2\x96\x81", 3), 0); /* U+2581 for 0 */
    assert_int_equal(memcmp(sb.buf + 8 * 3 + 1, "\xe2\x96\x88", 3), 0); /* U+2588: max */
    strbuf_reset(&sb);
    /* Fewer cells than buckets: each cell shows its group's largest value. */
    metrics_sparkline(&sb, x, 2, false);
    assert_string_equal(sb.buf, "@ ");
    strbuf_reset(&sb);
    /* A later point in the same bucket replaces the earlier. */
    assert_true(metrics_series_add(s, x, s->start + 9 * 300 + 200, 28));
    assert_true(metrics_series_stats(x, &st));
    assert_true(st.max == 28 && st.sum == 56);
    assert_false(metrics_series_add(s, x, s->end, 1));
    assert_false(metrics_series_add(s, x, s->start, NAN));
    strbuf_release(&sb);
    metrics_set_destroy(s);
}

static void test_format_value(void **state)
{
    (void)state;
    struct strbuf sb;
    strbuf_init(&sb, 32);
    metrics_format_value(&sb, 1234567, true);
    assert_string_equal(sb.buf, "1.2 MB");
    strbuf_reset(&sb);
    metrics_format_value(&sb, 999, true);
    assert_string_equal(sb.buf, "999 B");
    strbuf_reset(&sb);
    metrics_format_value(&sb, 4200, false);
    assert_string_equal(sb.buf, "4.2k");
    strbuf_reset(&sb);
    metrics_format_value(&sb, 12, false);
    assert_string_equal(sb.buf, "12");
    strbuf_reset(&sb);
    metrics_format_value(&sb, 0.25, false);
    assert_string_equal(sb.buf, "0.25");
    strbuf_release(&sb);
}

static void test_json(void **state)
{
    (void)state;
    struct metrics_set *s = set_3h(T_1100);
    const double v[] = {NAN, 2, 8};
    fill(s, &s->scopes[2].series[METRIC_PACKETS_DROPPED], v, 3);
    cJSON *j = metrics_set_to_json(s);
    assert_string_equal(cJSON_GetObjectItem(j, "Range")->valuestring, "3h");
    assert_int_equal(cJSON_GetObjectItem(j, "Period")->valueint, 300);
    cJSON *scopes = cJSON_GetObjectItem(j, "Scopes");
    assert_int_equal(cJSON_GetArraySize(scopes), 3);
    cJSON *sub = cJSON_GetArrayItem(scopes, 2);
    assert_string_equal(cJSON_GetObjectItem(sub, "SubnetId")->valuestring, "subnet-b");
    cJSON *m = cJSON_GetArrayItem(cJSON_GetObjectItem(sub, "Metrics"), METRIC_PACKETS_DROPPED);
    assert_string_equal(cJSON_GetObjectItem(m, "MetricName")->valuestring, "PacketsDropped");
    assert_int_equal(cJSON_GetObjectItem(m, "Datapoints")->valueint, 2);
    assert_int_equal(cJSON_GetObjectItem(m, "Max")->valueint, 8);
    assert_int_equal(cJSON_GetObjectItem(m, "Last")->valueint, 8);
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(m, "Timestamps"), 0)->valuestring,
                        "2026-12-04T08:05:00Z");
    cJSON *empty = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(scopes, 0), "Metrics"),
                                      METRIC_PACKETS_DROPPED);
    assert_null(cJSON_GetObjectItem(empty, "Max"));
    cJSON_Delete(j);
    metrics_set_destroy(s);
}

/* ---- the check rule and the cost ---- */

static struct inventory *one_endpoint(void)
{
    struct inventory *inv = inventory_create();
    cJSON *item = cJSON_Parse(
        "{\"VpcEndpointId\":\"vpce-1\",\"VpcId\":\"vpc-1\",\"VpcEndpointType\":\"Interface\","
        "\"ServiceName\":\"com.amazonaws.us-east-1.s3\",\"State\":\"available\","
        "\"SubnetIds\":[\"subnet-a\",\"subnet-b\"],\"NetworkInterfaceIds\":[\"eni-1\",\"eni-2\"]}");
    assert_int_equal(inventory_put(inv, INV_ENDPOINT, item), VPCX_OK);
    return inv;
}

static size_t run_rule(const struct inventory *inv, const struct metrics_set *s,
                       struct check_report *rep)
{
    struct check_options o;
    check_options_init(&o);
    for (int i = 0; i < CHECK_RULE_COUNT; i++)
        o.enabled[i] = i == CHECK_ENDPOINT_PACKETS_DROPPED;
    const struct metrics_set *list[1] = {s};
    o.metrics = s ? list : NULL;
    o.n_metrics = s ? 1 : 0;
    check_report_init(rep);
    check_run(inv, &o, rep);
    return check_report_count(rep, CHECK_ENDPOINT_PACKETS_DROPPED);
}

static void test_rule_packets_dropped(void **state)
{
    (void)state;
    struct inventory *inv = one_endpoint();
    struct check_report rep;
    /* No metrics known: silent. */
    assert_int_equal(run_rule(inv, NULL, &rep), 0);
    check_report_finish(&rep);
    /* Known, all zero: silent. */
    struct metrics_set *s = set_3h(T_1100);
    const double zero[] = {0, 0, 0};
    fill(s, &s->scopes[0].series[METRIC_PACKETS_DROPPED], zero, 3);
    assert_int_equal(run_rule(inv, s, &rep), 0);
    check_report_finish(&rep);
    /* Drops on another endpoint's set: silent for this one. */
    free(s->endpoint_id);
    s->endpoint_id = xstrdup("vpce-other");
    const double some[] = {0, 5, 2};
    fill(s, &s->scopes[0].series[METRIC_PACKETS_DROPPED], some, 3);
    fill(s, &s->scopes[2].series[METRIC_PACKETS_DROPPED], some, 3);
    assert_int_equal(run_rule(inv, s, &rep), 0);
    check_report_finish(&rep);
    /* Drops on this one: a warning naming the sum and the subnet. */
    free(s->endpoint_id);
    s->endpoint_id = xstrdup("vpce-1");
    assert_int_equal(run_rule(inv, s, &rep), 1);
    const struct check_finding *f =
        check_report_find(&rep, CHECK_ENDPOINT_PACKETS_DROPPED, "vpce-1");
    assert_non_null(f);
    assert_int_equal(f->severity, CHECK_WARNING);
    assert_non_null(strstr(f->title, "dropped 7 packets"));
    bool subnet_line = false;
    for (size_t i = 0; i < f->n_evidence; i++)
        subnet_line = subnet_line || strstr(f->evidence[i], "subnet-b: 7") != NULL;
    assert_true(subnet_line);
    assert_non_null(strstr(f->fix, "vpcx metrics vpce-1"));
    check_report_finish(&rep);
    enum check_rule r;
    assert_true(check_rule_parse("endpoint-packets-dropped", &r));
    metrics_set_destroy(s);
    inventory_destroy(inv);
}

static void test_cost_measured_processing(void **state)
{
    (void)state;
    struct inventory *inv = one_endpoint();
    struct cost_prices *p = cost_prices_create();
    struct cost_processing x;
    /* 3 GiB in 3 h: 730 GiB a month at $0.01 = $7.30. */
    cost_processing_compute(p, "us-east-1", 3.0 * 1024 * 1024 * 1024, 3 * 3600, &x);
    assert_true(x.priced);
    assert_true(fabs(x.gb_range - 3.0) < 1e-9);
    assert_true(fabs(x.gb_month - 730.0) < 1e-9);
    assert_true(fabs(x.monthly - 7.30) < 1e-9);
    struct cost_report r;
    cost_compute(inv, p, "111", "us-east-1", &r);
    assert_true(r.endpoints[0].per_gb);
    assert_true(fabs(r.total.monthly - 14.60) < 1e-9);
    assert_true(cost_report_add_processing(&r, "vpce-1", &x));
    assert_false(cost_report_add_processing(&r, "vpce-none", &x));
    assert_true(r.endpoints[0].processing_known);
    assert_false(r.endpoints[0].per_gb);
    assert_true(fabs(r.endpoints[0].monthly - 21.90) < 1e-9);
    assert_true(fabs(r.total.monthly - 21.90) < 1e-9);
    assert_true(r.total.extrapolated);
    assert_false(r.total.per_gb);
    cost_report_finish(&r);
    /* Unknown GB prices: nothing is added, the per-GB note stays. */
    cost_processing_compute(p, "eu-west-9", 1e9, 3600, &x);
    assert_false(x.priced);
    struct endpoint_cost c;
    cost_endpoint(inv, p, "us-east-1", inventory_find(inv, INV_ENDPOINT, "vpce-1"), &c);
    cost_endpoint_add_processing(&c, &x);
    assert_false(c.processing_known);
    assert_true(c.per_gb);
    cost_prices_destroy(p);
    inventory_destroy(inv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_parse_format),
        cmocka_unit_test(test_ranges_and_window),
        cmocka_unit_test(test_query_ids),
        cmocka_unit_test(test_request),
        cmocka_unit_test(test_parse_moto_answer),
        cmocka_unit_test(test_parse_partial_page),
        cmocka_unit_test(test_parse_access_denied),
        cmocka_unit_test(test_apply_rejects_bad_answers),
        cmocka_unit_test(test_stats_and_sparkline),
        cmocka_unit_test(test_format_value),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_rule_packets_dropped),
        cmocka_unit_test(test_cost_measured_processing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
