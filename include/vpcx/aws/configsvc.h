/*
 * configsvc: AWS Config's SelectAggregateResourceConfig (JSON 1.1, target
 * StarlingDoveService, signed for "config" in the session's region), for
 * --source config-aggregator NAME. An aggregator lives in one region: the
 * session's. Each page holds at most CONFIG_SELECT_LIMIT results, each a JSON
 * document given as a string; every one is parsed and handed to a callback.
 *
 * Endpoint: the per-service setting (AWS_ENDPOINT_URL_CONFIG_SERVICE, the
 * profile's [services] "config_service" block, AWS_ENDPOINT_URL) first, then
 * --endpoint-url, then config.REGION.amazonaws.com.
 *
 * Retries: throttling and transient failures follow the "standard" retry mode
 * (aws/retry.h) with the session's max_attempts; the wait is a timer on the
 * session's engine. Errors carry the AWS code and a hint for the common ones
 * (NoSuchConfigurationAggregatorException, AccessDenied, InvalidExpression).
 * Blocking; one thread.
 */
#ifndef VPCX_AWS_CONFIGSVC_H
#define VPCX_AWS_CONFIGSVC_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "vpcx/aws/session.h"
#include "vpcx/core/status.h"

#define CONFIG_SELECT_LIMIT 100 /* the API's maximum page */

/* Called for each result (borrowed, valid during the call); a status other than
 * VPCX_OK stops the query with that status (err set by the callback). */
typedef enum vpcx_status (*config_result_fn)(void *ud, const cJSON *result, struct vpcx_error *err);

/*
 * Parses one answer (len bytes): each string of "Results" as JSON, handed to fn;
 * *next_token the page's NextToken (heap) or NULL. VPCX_ERR_PARSE when the answer
 * or a result is not the documented shape.
 */
enum vpcx_status config_parse_select_page(const char *body, size_t len, config_result_fn fn,
                                          void *ud, char **next_token, struct vpcx_error *err);

struct config_select {
    const char *aggregator;   /* ConfigurationAggregatorName */
    const char *expression;   /* the SELECT */
    int limit;                /* 1..CONFIG_SELECT_LIMIT; 0 = the maximum */
    const char *endpoint_url; /* --endpoint-url, or NULL */
};

struct config_select_stats {
    unsigned pages;    /* answers parsed */
    unsigned attempts; /* HTTP attempts, retries included */
};

/* Runs the query to its last page on the connected session's engine. */
enum vpcx_status config_select_aggregate(struct aws_session *s, const struct config_select *q,
                                         config_result_fn fn, void *ud,
                                         struct config_select_stats *stats, struct vpcx_error *err);

/* The endpoint the query goes to for s (heap), or NULL with err set. */
char *config_endpoint(const struct aws_session *s, const char *endpoint_url,
                      struct vpcx_error *err);

#endif
