/* configsvc: AWS Config's SelectAggregateResourceConfig; see the header. */
#include "vpcx/aws/configsvc.h"

#include "vpcx/aws/http.h"
#include "vpcx/aws/jsoncall.h"
#include "vpcx/core/json.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define CFG_OPERATION "SelectAggregateResourceConfig"
#define CFG_TARGET    "StarlingDoveService." CFG_OPERATION
#define CFG_MAX_BODY  (16u * 1024 * 1024)
#define CFG_MAX_PAGES 100000

enum vpcx_status config_parse_select_page(const char *body, size_t len, config_result_fn fn,
                                          void *ud, char **next_token, struct vpcx_error *err)
{
    *next_token = NULL;
    cJSON *doc = cJSON_ParseWithLength(body, len);
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(doc, "Results");
    if (!cJSON_IsObject(doc) || (results && !cJSON_IsArray(results))) {
        cJSON_Delete(doc);
        return vpcx_error_set(err, VPCX_ERR_PARSE,
                              "config:" CFG_OPERATION ": the answer is not the documented JSON");
    }
    enum vpcx_status st = VPCX_OK;
    const cJSON *r;
    cJSON_ArrayForEach(r, results)
    {
        cJSON *item = cJSON_IsString(r) ? cJSON_Parse(r->valuestring) : NULL;
        if (!cJSON_IsObject(item))
            st = vpcx_error_set(err, VPCX_ERR_PARSE,
                                "config:" CFG_OPERATION ": a result is not a JSON object");
        else
            st = fn(ud, item, err);
        cJSON_Delete(item);
        if (st != VPCX_OK)
            break;
    }
    const char *token = json_get_str(doc, "NextToken");
    if (st == VPCX_OK && token && *token)
        *next_token = xstrdup(token);
    cJSON_Delete(doc);
    return st;
}

char *config_endpoint(const struct aws_session *s, const char *endpoint_url, struct vpcx_error *err)
{
    const char *region = s->settings.region.value;
    if (!region)
        region = "us-east-1";
    /* The per-service setting names Config alone, so it wins over --endpoint-url. */
    char *url = aws_settings_service_endpoint(&s->settings, s->env, "config_service",
                                              "AWS_ENDPOINT_URL_CONFIG_SERVICE", NULL, region, err);
    if (url && !*url) {
        free(url);
        url = endpoint_url ? xstrdup(endpoint_url)
                           : aws_endpoint_default("config", region, false, false, err);
    }
    return url;
}

static enum vpcx_status page_error(const struct json_answer *p, const struct config_select *q,
                                   const char *region, char *code, char *msg,
                                   struct vpcx_error *err)
{
    int http = p->res.http_status;
    bool denied = http == 403 || (code && strstr(code, "AccessDenied"));
    bool missing = code && strcmp(code, "NoSuchConfigurationAggregatorException") == 0;
    enum vpcx_status st = denied        ? VPCX_ERR_ACCESS_DENIED
                          : http == 401 ? VPCX_ERR_AUTH
                          : missing     ? VPCX_ERR_NOT_FOUND
                          : (code && strstr(code, "Throttl")) || http == 429 ? VPCX_ERR_THROTTLED
                          : http >= 500                                      ? VPCX_ERR_SERVER
                                                                             : VPCX_ERR_AWS;
    char *name = sanitize_dup(q->aggregator, SANITIZE_SPACE);
    if (missing)
        vpcx_error_set(err, st, "config:" CFG_OPERATION ": no configuration aggregator '%s' in %s",
                       name, region);
    else
        vpcx_error_set(err, st, "config:" CFG_OPERATION ": %s",
                       msg ? msg : vpcx_status_message(st));
    err->http_status = http;
    err->aws_code = code;
    if (missing)
        vpcx_error_set_hint(err,
                            "an aggregator lives in one region: `aws configservice "
                            "describe-configuration-aggregators --region %s` lists it; "
                            "--region names another",
                            region);
    else if (denied)
        vpcx_error_set_hint(err,
                            "the caller needs config:SelectAggregateResourceConfig on the "
                            "aggregator (arn:aws:config:%s:ACCOUNT:config-aggregator/...)",
                            region);
    else if (code && strcmp(code, "InvalidExpressionException") == 0)
        vpcx_error_set_hint(err, "AWS Config refused the query vpcx sent; the aggregator may "
                                 "not record that resource type");
    free(name);
    free(msg);
    return st;
}

static char *request_body(const struct config_select *q, const char *token)
{
    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "ConfigurationAggregatorName", q->aggregator);
    cJSON_AddStringToObject(in, "Expression", q->expression);
    int limit = q->limit > 0 && q->limit <= CONFIG_SELECT_LIMIT ? q->limit : CONFIG_SELECT_LIMIT;
    cJSON_AddNumberToObject(in, "Limit", limit);
    if (token)
        cJSON_AddStringToObject(in, "NextToken", token);
    char *body = cJSON_PrintUnformatted(in);
    cJSON_Delete(in);
    return body;
}

/* Sends one page, retried as the session's EC2 calls are; p holds the last answer. */
static enum vpcx_status page_call(struct aws_session *s, const char *url, const char *host,
                                  const struct config_select *q, const char *token,
                                  struct json_retry *r, struct json_answer *p,
                                  struct vpcx_error *err)
{
    static const char what[] = "config:" CFG_OPERATION;
    char *body = request_body(q, token);
    const char *region = s->settings.region.value ? s->settings.region.value : "us-east-1";
    const struct json_call call = {.url = url,
                                   .host = host,
                                   .target = CFG_TARGET,
                                   .service = "config",
                                   .region = region,
                                   .body = body,
                                   .max_body = CFG_MAX_BODY};
    int tries = 0;
    enum vpcx_status st = json_call_retrying(s, r, &call, what, p, &tries, err);
    free(body);
    if (st != VPCX_OK || p->res.http_status == 200)
        return st;
    char *msg = NULL;
    char *code = json_answer_code(p, &msg);
    st = page_error(p, q, region, code, msg, err); /* takes code and msg */
    json_retry_explain(r, tries, what, err);
    return st;
}

enum vpcx_status config_select_aggregate(struct aws_session *s, const struct config_select *q,
                                         config_result_fn fn, void *ud,
                                         struct config_select_stats *stats, struct vpcx_error *err)
{
    struct config_select_stats local = {0};
    if (!stats)
        stats = &local;
    char *url = config_endpoint(s, q->endpoint_url, err);
    if (!url)
        return err->status ? err->status : VPCX_ERR_CONFIG;
    char *host = http_host_of_url(url);
    enum vpcx_status st = host ? VPCX_OK
                               : vpcx_error_set(err, VPCX_ERR_CONFIG,
                                                "the AWS Config endpoint '%s' is not a URL", url);
    struct json_retry r;
    json_retry_init(&r, s, 0);
    struct json_answer p;
    json_answer_init(&p);
    char *token = NULL;
    for (unsigned pages = 0; st == VPCX_OK; pages++) {
        if (pages >= CFG_MAX_PAGES) {
            st = vpcx_error_set(err, VPCX_ERR_TOO_LARGE,
                                "config:" CFG_OPERATION ": more than %d pages", CFG_MAX_PAGES);
            break;
        }
        st = page_call(s, url, host, q, token, &r, &p, err);
        free(token);
        token = NULL;
        if (st != VPCX_OK)
            break;
        stats->pages++;
        st =
            config_parse_select_page(p.body.buf ? p.body.buf : "", p.body.len, fn, ud, &token, err);
        if (!token)
            break;
    }
    free(token);
    json_answer_finish(&p);
    stats->attempts += r.attempts;
    free(host);
    free(url);
    return st;
}
