/* organizations: ListAccounts for --org-role; see the header. */
#include "vpcx/aws/organizations.h"

#include "vpcx/aws/http.h"
#include "vpcx/aws/jsoncall.h"
#include "vpcx/aws/ratelimit.h"
#include "vpcx/aws/retry.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static bool account_id_valid(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!isdigit((unsigned char)s[n]))
            return false;
    return n == 12;
}

static const char *str_item(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
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
        const char *id = str_item(a, "Id");
        if (!id || !account_id_valid(id)) {
            cJSON_Delete(doc);
            return vpcx_error_set(err, VPCX_ERR_PARSE,
                                  "ListAccounts: an account without a 12-digit Id");
        }
        /* State replaces Status (retired in 2026); either must say ACTIVE. */
        const char *state = str_item(a, "State");
        if (!state)
            state = str_item(a, "Status");
        if (!state || strcmp(state, "ACTIVE") != 0)
            continue;
        out->items = xrealloc(out->items, (out->n + 1) * sizeof(*out->items));
        const char *name = str_item(a, "Name");
        out->items[out->n].id = xstrdup(id);
        out->items[out->n].name = sanitize_dup(name ? name : "", SANITIZE_SPACE);
        out->n++;
    }
    const char *token = str_item(doc, "NextToken");
    if (token && *token)
        *next_token = xstrdup(token);
    cJSON_Delete(doc);
    return VPCX_OK;
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

/* One attempt at one page. *transport: VPCX_OK when an HTTP answer came (err->http_status
 * and err->aws_code then describe a failure), else the transport failure; for retries. */
static enum vpcx_status list_page(struct aws_session *s, const char *url, const char *host,
                                  const char *token, struct org_accounts *out, char **next,
                                  enum vpcx_status *transport, struct vpcx_error *err)
{
    *transport = VPCX_OK;
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
    enum vpcx_status st = json_call_send(s, &call, "organizations:ListAccounts", &p, err);
    free(body);
    if (st != VPCX_OK)
        *transport = st;
    else if (p.too_large)
        st = vpcx_error_set(err, VPCX_ERR_TOO_LARGE,
                            "organizations:ListAccounts: answer over %u "
                            "bytes",
                            ORG_MAX_BODY);
    else if (p.res.status != VPCX_OK)
        st = *transport = vpcx_error_set(err, p.res.status, "organizations:ListAccounts: %s",
                                         p.error ? p.error : vpcx_status_message(p.res.status));
    else if (p.res.http_status != 200)
        st = page_error(&p, err);
    else
        st = org_parse_list_accounts(p.body.buf ? p.body.buf : "", p.body.len, out, next, err);
    json_answer_finish(&p);
    return st;
}

/* The retry policy of the session's EC2 client for this one listing: the same attempts
 * and mode, a quota and (adaptive) a rate limiter of its own, as botocore gives each
 * client. */
struct org_retry {
    int max_attempts;
    bool adaptive;
    struct retry_quota quota;
    struct rate_limiter limiter;
    struct org_list_stats *stats;
};

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* This listing blocks (it runs before any scope starts), so its backoff may sleep. */
static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static enum vpcx_status list_page_retrying(struct aws_session *s, struct org_retry *r,
                                           const char *url, const char *host, const char *token,
                                           struct org_accounts *out, char **next,
                                           struct vpcx_error *err)
{
    struct retry_state rs;
    retry_state_init(&rs, r->max_attempts);
    for (;;) {
        for (long wait; r->adaptive && (wait = rate_limiter_acquire(&r->limiter, mono_s())) > 0;)
            sleep_ms(wait);
        r->stats->attempts++;
        struct vpcx_error e;
        vpcx_error_init(&e);
        enum vpcx_status transport;
        enum vpcx_status st = list_page(s, url, host, token, out, next, &transport, &e);
        enum retry_kind kind =
            st == VPCX_OK ? RETRY_NO : retry_classify(transport, e.http_status, e.aws_code);
        if (r->adaptive && (transport == VPCX_OK || st == VPCX_OK))
            rate_limiter_on_response(&r->limiter, mono_s(), kind == RETRY_THROTTLE);
        if (st == VPCX_OK) {
            retry_note_success(&rs, &r->quota);
            vpcx_error_finish(&e);
            return VPCX_OK;
        }
        long delay = 0;
        int attempts = rs.attempt;
        /* No credential reload here: the listing is over before any could expire. */
        kind = kind == RETRY_REFRESH_CREDENTIALS
                   ? RETRY_NO
                   : retry_decide(&rs, &r->quota, transport, e.http_status, e.aws_code,
                                  retry_random01(), &delay);
        if (kind == RETRY_NO) {
            vpcx_error_copy(err, &e);
            if (attempts > 1) { /* say the retries ran out, keeping the last answer */
                static const char prefix[] = "organizations:ListAccounts: ";
                const char *why = e.message ? e.message : vpcx_status_message(e.status);
                if (strncmp(why, prefix, strlen(prefix)) == 0)
                    why += strlen(prefix);
                vpcx_error_set(err, e.status,
                               "organizations:ListAccounts failed after %d attempts (%s mode): %s",
                               attempts, r->adaptive ? "adaptive" : "standard", why);
                err->http_status = e.http_status;
                err->aws_code = e.aws_code ? xstrdup(e.aws_code) : NULL;
            }
            vpcx_error_finish(&e);
            return st;
        }
        r->stats->retries++;
        r->stats->throttles += kind == RETRY_THROTTLE;
        vpcx_error_finish(&e);
        sleep_ms(delay);
    }
}

enum vpcx_status org_list_accounts(struct aws_session *s, const char *endpoint_url,
                                   int max_attempts, struct org_accounts *out,
                                   struct org_list_stats *stats, struct vpcx_error *err)
{
    struct org_list_stats none;
    memset(&none, 0, sizeof(none));
    struct org_retry r = {
        .max_attempts = max_attempts > 0 ? max_attempts : s->settings.max_attempts_n,
        .stats = stats ? stats : &none,
    };
    memset(r.stats, 0, sizeof(*r.stats));
    enum retry_mode mode = RETRY_MODE_STANDARD;
    retry_mode_parse(s->settings.retry_mode.value, &mode); /* checked by the settings */
    r.adaptive = mode == RETRY_MODE_ADAPTIVE;
    retry_quota_init(&r.quota);
    rate_limiter_init(&r.limiter, mono_s());
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
        st = list_page_retrying(s, &r, url, host, token, out, &next, err);
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
    if (st != VPCX_OK)
        org_accounts_finish(out);
    return st;
}
