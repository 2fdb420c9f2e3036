/* organizations: ListAccounts for --org-role; see the header. */
#include "vpcx/aws/organizations.h"

#include "vpcx/aws/http.h"
#include "vpcx/aws/jsoncall.h"
#include "vpcx/core/json.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORG_TARGET    "AWSOrganizationsV20161128.ListAccounts"
#define ORG_REGION    "us-east-1" /* the aws partition's global endpoint signs here */
#define ORG_MAX_BODY  (8u * 1024 * 1024)
#define ORG_MAX_PAGES 10000

void org_accounts_finish(struct org_accounts *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->items[i].id);
        free(a->items[i].name);
    }
    free(a->items);
    memset(a, 0, sizeof(*a));
}

bool org_account_id_valid(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!isdigit((unsigned char)s[n]))
            return false;
    return n == 12;
}

enum vpcx_status org_parse_list_accounts(const char *body, size_t len, struct org_accounts *out,
                                         char **next_token, struct vpcx_error *err)
{
    *next_token = NULL;
    cJSON *doc = cJSON_ParseWithLength(body, len);
    const cJSON *accounts = cJSON_GetObjectItemCaseSensitive(doc, "Accounts");
    if (!cJSON_IsObject(doc) || (accounts && !cJSON_IsArray(accounts))) {
        cJSON_Delete(doc);
        return vpcx_error_set(err, VPCX_ERR_PARSE,
                              "ListAccounts: the answer is not the "
                              "documented JSON");
    }
    const cJSON *a;
    cJSON_ArrayForEach(a, accounts)
    {
        const char *id = json_get_str(a, "Id");
        if (!id || !org_account_id_valid(id)) {
            cJSON_Delete(doc);
            return vpcx_error_set(err, VPCX_ERR_PARSE,
                                  "ListAccounts: an account without a 12-digit Id");
        }
        /* State replaces Status (retired in 2026); either must say ACTIVE. */
        const char *state = json_get_str(a, "State");
        if (!state)
            state = json_get_str(a, "Status");
        if (!state || strcmp(state, "ACTIVE") != 0)
            continue;
        out->items = xrealloc(out->items, (out->n + 1) * sizeof(*out->items));
        const char *name = json_get_str(a, "Name");
        out->items[out->n].id = xstrdup(id);
        out->items[out->n].name = sanitize_dup(name ? name : "", SANITIZE_SPACE);
        out->n++;
    }
    const char *token = json_get_str(doc, "NextToken");
    if (token && *token)
        *next_token = xstrdup(token);
    cJSON_Delete(doc);
    return VPCX_OK;
}

void org_arn_partition(const char *arn, char *out, size_t size)
{
    snprintf(out, size, "aws");
    const char *colon = arn ? strchr(arn, ':') : NULL;
    const char *end = colon ? strchr(colon + 1, ':') : NULL;
    if (end && end > colon + 1 && (size_t)(end - colon - 1) < size)
        snprintf(out, size, "%.*s", (int)(end - colon - 1), colon + 1);
}

char *org_role_arn(const char *partition, const char *account, const char *role)
{
    return xasprintf("arn:%s:iam::%s:role/%s", partition ? partition : "aws", account, role);
}

/* AWS's JSON error: {"__type": "...#AccessDeniedException", "message": "..."}. */
static enum vpcx_status page_error(const struct json_answer *p, struct vpcx_error *err)
{
    char *msg = NULL;
    char *type = json_answer_code(p, &msg);
    enum vpcx_status st =
        p->res.http_status == 403 ||
                (type && (strstr(type, "AccessDenied") || strstr(type, "AWSOrganizationsNotInUse")))
            ? VPCX_ERR_ACCESS_DENIED
        : p->res.http_status == 401                 ? VPCX_ERR_AUTH
        : (type && strstr(type, "TooManyRequests")) ? VPCX_ERR_THROTTLED
        : p->res.http_status >= 500                 ? VPCX_ERR_SERVER
                                                    : VPCX_ERR_AWS;
    vpcx_error_set(err, st, "organizations:ListAccounts: %s", msg ? msg : "no message");
    free(msg);
    err->http_status = p->res.http_status;
    err->aws_code = type;
    if (st == VPCX_ERR_ACCESS_DENIED)
        vpcx_error_set_hint(err, "--org-role needs the management account's or a delegated "
                                 "administrator's credentials");
    return st;
}

/* One page, retried as the session's EC2 calls are. */
static enum vpcx_status list_page(struct aws_session *s, struct json_retry *r, const char *url,
                                  const char *host, const char *token, struct org_accounts *out,
                                  char **next, struct vpcx_error *err)
{
    static const char what[] = "organizations:ListAccounts";
    cJSON *in = cJSON_CreateObject();
    if (token)
        cJSON_AddStringToObject(in, "NextToken", token);
    char *body = cJSON_PrintUnformatted(in);
    cJSON_Delete(in);
    const struct json_call call = {.url = url,
                                   .host = host,
                                   .target = ORG_TARGET,
                                   .service = "organizations",
                                   .region = ORG_REGION,
                                   .body = body,
                                   .max_body = ORG_MAX_BODY};
    struct json_answer p;
    json_answer_init(&p);
    int tries = 0;
    enum vpcx_status st = json_call_retrying(s, r, &call, what, &p, &tries, err);
    free(body);
    if (st == VPCX_OK && p.res.http_status != 200) {
        st = page_error(&p, err);
        json_retry_explain(r, tries, what, err);
    } else if (st == VPCX_OK) {
        st = org_parse_list_accounts(p.body.buf ? p.body.buf : "", p.body.len, out, next, err);
    }
    json_answer_finish(&p);
    return st;
}

enum vpcx_status org_list_accounts(struct aws_session *s, const char *endpoint_url,
                                   int max_attempts, struct org_accounts *out,
                                   struct org_list_stats *stats, struct vpcx_error *err)
{
    struct json_retry r;
    json_retry_init(&r, s, max_attempts);
    memset(out, 0, sizeof(*out));
    char *url = endpoint_url ? xstrdup(endpoint_url)
                             : aws_settings_service_endpoint(&s->settings, s->env, "organizations",
                                                             "AWS_ENDPOINT_URL_ORGANIZATIONS",
                                                             "organizations", ORG_REGION, err);
    if (!url)
        return err->status ? err->status : VPCX_ERR_CONFIG;
    char *host = http_host_of_url(url);
    enum vpcx_status st = host
                              ? VPCX_OK
                              : vpcx_error_set(err, VPCX_ERR_CONFIG,
                                               "the Organizations endpoint '%s' is not a URL", url);
    char *token = NULL;
    for (int pages = 0; st == VPCX_OK; pages++) {
        char *next = NULL;
        st = list_page(s, &r, url, host, token, out, &next, err);
        free(token);
        token = next;
        if (st != VPCX_OK || !token)
            break;
        if (pages + 1 >= ORG_MAX_PAGES)
            st = vpcx_error_set(err, VPCX_ERR_TOO_LARGE,
                                "organizations:ListAccounts: more than %d pages", ORG_MAX_PAGES);
    }
    free(token);
    free(host);
    free(url);
    if (stats)
        *stats = (struct org_list_stats){r.attempts, r.retries, r.throttles};
    if (st != VPCX_OK)
        org_accounts_finish(out);
    return st;
}
