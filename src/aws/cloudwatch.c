#include "vpcx/aws/cloudwatch.h"

#include "vpcx/core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_dimension(struct aws_query *q, size_t n, size_t k, const char *name,
                          const char *value)
{
    aws_query_add_keyf(
        q, name, "MetricDataQueries.member.%zu.MetricStat.Metric.Dimensions.member.%zu.Name", n, k);
    aws_query_add_keyf(q, value,
                       "MetricDataQueries.member.%zu.MetricStat.Metric.Dimensions.member.%zu.Value",
                       n, k);
}

static void add_series_query(struct aws_query *q, size_t n, const struct metrics_set *set,
                             size_t scope, enum metrics_metric m,
                             const struct cloudwatch_endpoint *ep)
{
    char *id = metrics_query_id(scope, m);
    aws_query_add_keyf(q, id, "MetricDataQueries.member.%zu.Id", n);
    free(id);
    aws_query_add_keyf(q, METRICS_NAMESPACE,
                       "MetricDataQueries.member.%zu.MetricStat.Metric.Namespace", n);
    aws_query_add_keyf(q, metrics_metric_name(m),
                       "MetricDataQueries.member.%zu.MetricStat.Metric.MetricName", n);
    /* CloudWatch matches the dimension set exactly: all four, plus the subnet's. */
    add_dimension(q, n, 1, "VPC Id", ep->vpc_id);
    add_dimension(q, n, 2, "VPC Endpoint Id", ep->endpoint_id);
    add_dimension(q, n, 3, "Endpoint Type", ep->endpoint_type);
    add_dimension(q, n, 4, "Service Name", ep->service_name);
    if (set->scopes[scope].subnet_id)
        add_dimension(q, n, 5, "Subnet Id", set->scopes[scope].subnet_id);
    char period[32];
    snprintf(period, sizeof(period), "%ld", set->period);
    aws_query_add_keyf(q, period, "MetricDataQueries.member.%zu.MetricStat.Period", n);
    aws_query_add_keyf(q, metrics_metric_stat(m), "MetricDataQueries.member.%zu.MetricStat.Stat",
                       n);
    aws_query_add_keyf(q, "true", "MetricDataQueries.member.%zu.ReturnData", n);
}

void cloudwatch_metric_data_query(struct aws_query *q, const struct metrics_set *set,
                                  const struct cloudwatch_endpoint *ep, const char *next_token)
{
    size_t n = 0;
    for (size_t s = 0; s < set->n_scopes; s++)
        for (int m = 0; m < METRIC_COUNT; m++)
            add_series_query(q, ++n, set, s, (enum metrics_metric)m, ep);
    char buf[32];
    metrics_format_time(set->start, buf, sizeof(buf));
    aws_query_add(q, "StartTime", buf);
    metrics_format_time(set->end, buf, sizeof(buf));
    aws_query_add(q, "EndTime", buf);
    aws_query_add(q, "ScanBy", "TimestampAscending");
    aws_query_add(q, "NextToken", next_token && *next_token ? next_token : NULL);
}

static enum vpcx_status apply_result(struct metrics_set *set, const cJSON *r,
                                     struct vpcx_error *err)
{
    size_t scope;
    enum metrics_metric m;
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "Id"));
    if (!metrics_parse_query_id(set, id, &scope, &m))
        return VPCX_OK; /* not ours: nothing to place */
    struct metrics_series *series = &set->scopes[scope].series[m];
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(r, "Timestamps");
    const cJSON *vs = cJSON_GetObjectItemCaseSensitive(r, "Values");
    if (cJSON_GetArraySize(ts) != cJSON_GetArraySize(vs))
        return vpcx_error_set(err, VPCX_ERR_PARSE,
                              "GetMetricData: %d timestamps but %d values for %s",
                              cJSON_GetArraySize(ts), cJSON_GetArraySize(vs), id);
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(r, "StatusCode");
    if (cJSON_IsString(status) && strcmp(status->valuestring, "PartialData") == 0) {
        series->partial = true;
        set->partial = true;
    } else if (cJSON_IsString(status) && strcmp(status->valuestring, "Complete") == 0) {
        series->partial = false; /* a later page completes what an earlier one began */
    }
    const cJSON *t = ts ? ts->child : NULL, *v = vs ? vs->child : NULL;
    for (; t && v; t = t->next, v = v->next) {
        time_t when;
        if (cJSON_IsString(t) && cJSON_IsNumber(v) && metrics_parse_time(t->valuestring, &when))
            metrics_series_add(set, series, when, v->valuedouble);
    }
    return VPCX_OK;
}

enum vpcx_status cloudwatch_apply_metric_data(struct metrics_set *set, const cJSON *result,
                                              char **next_token, struct vpcx_error *err)
{
    *next_token = NULL;
    if (!cJSON_IsObject(result))
        return vpcx_error_set(err, VPCX_ERR_PARSE, "GetMetricData: no result in the answer");
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(result, "MetricDataResults"))
    {
        enum vpcx_status st = apply_result(set, r, err);
        if (st != VPCX_OK)
            return st;
    }
    set->partial = false;
    for (size_t s = 0; s < set->n_scopes; s++)
        for (int m = 0; m < METRIC_COUNT; m++)
            set->partial = set->partial || set->scopes[s].series[m].partial;
    const char *tok = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(result, "NextToken"));
    if (tok && *tok)
        *next_token = xstrdup(tok);
    return VPCX_OK;
}
