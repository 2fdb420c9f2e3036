/*
 * cloudwatch: the GetMetricData request for one endpoint's PrivateLink metrics (CloudWatch
 * Query API 2010-08-01), and its answer applied to a metrics_set.
 *
 * The request asks one MetricStat query per series of the set (model/metrics.h): namespace
 * AWS/PrivateLinkEndpoints, the endpoint's exact dimension set (VPC Id, VPC Endpoint Id,
 * Endpoint Type, Service Name, plus Subnet Id for a subnet's series), the set's period and
 * window, ScanBy TimestampAscending. A long answer comes in pages: send the request again
 * with the NextToken the previous page gave, until none is given.
 *
 * Pure: builds a query, reads a parsed answer (aws/xml.h gives it as JSON).
 */
#ifndef VPCX_AWS_CLOUDWATCH_H
#define VPCX_AWS_CLOUDWATCH_H

#include <cjson/cJSON.h>

#include "vpcx/aws/query.h"
#include "vpcx/core/status.h"
#include "vpcx/model/metrics.h"

/* The endpoint-level dimensions; every value must be non-NULL. */
struct cloudwatch_endpoint {
    const char *vpc_id;
    const char *endpoint_id;
    const char *endpoint_type; /* as EC2 names it: "Interface" */
    const char *service_name;
};

/* Fills q (initialised by the caller, Action and Version left to the client) with the
 * queries for every series of set; next_token NULL for the first page. */
void cloudwatch_metric_data_query(struct aws_query *q, const struct metrics_set *set,
                                  const struct cloudwatch_endpoint *ep, const char *next_token);

/*
 * Places the datapoints of one answer page (the GetMetricDataResult object) in set's series,
 * marks series answered with StatusCode PartialData, and returns in *next_token (heap, NULL
 * when absent or empty) the token of the next page. Results with an unknown ID, timestamps
 * that do not parse and values outside the window are skipped. VPCX_ERR_PARSE when result
 * is not an object or a result's Timestamps and Values differ in length.
 */
enum vpcx_status cloudwatch_apply_metric_data(struct metrics_set *set, const cJSON *result,
                                              char **next_token, struct vpcx_error *err);

#endif
