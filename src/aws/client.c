#include "vpcx/aws/client.h"

#include "vpcx/aws/awserror.h"
#include "vpcx/aws/limits.h"
#include "vpcx/aws/ratelimit.h"
#include "vpcx/aws/retry.h"
#include "vpcx/aws/shapes.h"
#include "vpcx/aws/sigv4.h"
#include "vpcx/aws/xml.h"
#include "vpcx/aws/xmlworker.h"
#include "vpcx/core/clock.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define API_VERSION_EC2   "2016-11-15"
#define API_VERSION_STS   "2011-06-15"
#define API_VERSION_CW    "2010-08-01"
#define FORM_CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"

/* After a failed reload ahead of expiry, the next one waits this long. */
#define CLIENT_AHEAD_RETRY_S 60

struct aws_client {
    struct http_engine *http;
    struct xmlworker *worker; /* NULL: bodies are parsed inline */
    char *region;
    char *endpoint[AWS_SERVICE_COUNT];
    char *host[AWS_SERVICE_COUNT]; /* Host header value signed for each service */
    int max_attempts;
    struct aws_credentials creds;
    unsigned creds_gen; /* bumped by every reload */
    struct aws_reloader reloader;
    bool reloading;
    bool reload_ahead;        /* the running reload is ahead of expiry: calls go on */
    time_t ahead_not_before;  /* after a failed reload ahead of expiry */
    struct aws_call *parked;  /* waiting for the running reload */
    struct aws_call *resumed; /* its answer is in; resent or failed by resume_timer */
    struct aws_call *live;    /* every call not yet finished, for aws_client_cancel() */
    uint64_t resume_timer;
    double (*random01)(void *ud);
    void *random_ud;
    struct retry_quota quota;
    bool adaptive;
    struct rate_limiter limiter; /* adaptive mode: one per account and region */
    double (*now)(void *ud);
    void *now_ud;
    struct aws_client_stats stats;
    uint64_t next_id;
};

struct aws_call {
    struct aws_client *client;
    uint64_t id;
    enum aws_service service;
    char *operation;
    char *body;
    char *item_list;
    aws_call_item_fn on_item; /* NULL: items gather in ->items */
    aws_call_done_fn done;
    void *ud;
    int attempt;
    struct retry_state retry;
    enum vpcx_status transport; /* the attempt's transport outcome, for retry decisions */
    bool fresh_connect;         /* the next attempt opens a new connection */
    bool not_idempotent;        /* see struct aws_call_params */
    bool unsigned_call;         /* see struct aws_call_params */
    struct xmljob *job;         /* this attempt's parse */
    enum vpcx_status parse_status;
    /* The transfer's outcome, kept while the parse catches up. */
    enum vpcx_status net_status;
    int net_http_status;
    char *net_error;
    cJSON *items;
    unsigned items_seen;           /* delivered by this attempt */
    unsigned long long body_bytes; /* decoded body bytes of this attempt */
    bool capped;                   /* a cap in aws/limits.h ended this attempt */
    int http_status;
    struct vpcx_error err;
    unsigned creds_gen;    /* of the credentials that signed the last attempt */
    bool reload_failed;    /* resumed with the reload's error in err */
    struct aws_call *next; /* in client->parked or client->resumed */
    uint64_t pending;      /* the engine transfer or timer it waits on; 0 when parked */
    struct aws_call *live_prev, *live_next;
};

static const char *service_name(enum aws_service s)
{
    return s == AWS_SERVICE_STS ? "sts" : s == AWS_SERVICE_MONITORING ? "monitoring" : "ec2";
}

static const char *api_version(enum aws_service s)
{
    return s == AWS_SERVICE_STS          ? API_VERSION_STS
           : s == AWS_SERVICE_MONITORING ? API_VERSION_CW
                                         : API_VERSION_EC2;
}

static double monotonic_now(void *ud)
{
    (void)ud;
    return mono_s();
}

static double default_random01(void *ud)
{
    (void)ud;
    return retry_random01();
}

static void copy_credentials(struct aws_credentials *dst, const struct aws_credentials *src)
{
    aws_credentials_finish(dst);
    memset(dst, 0, sizeof(*dst));
    if (!src)
        return;
    dst->access_key_id = src->access_key_id ? xstrdup(src->access_key_id) : NULL;
    dst->secret_access_key = src->secret_access_key ? xstrdup(src->secret_access_key) : NULL;
    dst->session_token = src->session_token ? xstrdup(src->session_token) : NULL;
    dst->expiration = src->expiration;
    dst->source = src->source;
    dst->origin = src->origin ? xstrdup(src->origin) : NULL;
}

struct aws_client *aws_client_create(struct http_engine *http, const struct aws_client_config *cfg)
{
    struct aws_client *c = xcalloc(1, sizeof(*c));
    c->http = http;
    c->worker = cfg->parse_worker;
    c->region = xstrdup(cfg->region ? cfg->region : "us-east-1");
    c->endpoint[AWS_SERVICE_EC2] = xstrdup(cfg->ec2_endpoint ? cfg->ec2_endpoint : "");
    c->endpoint[AWS_SERVICE_STS] = xstrdup(cfg->sts_endpoint ? cfg->sts_endpoint : "");
    c->endpoint[AWS_SERVICE_MONITORING] =
        xstrdup(cfg->monitoring_endpoint ? cfg->monitoring_endpoint : "");
    for (int s = 0; s < AWS_SERVICE_COUNT; s++) {
        c->host[s] = http_host_of_url(c->endpoint[s]);
        if (!c->host[s])
            c->host[s] = xstrdup("");
    }
    c->max_attempts = cfg->max_attempts > 0 ? cfg->max_attempts : 3;
    copy_credentials(&c->creds, cfg->credentials);
    c->reloader = cfg->reloader;
    c->random01 = cfg->random01 ? cfg->random01 : default_random01;
    c->random_ud = cfg->random_ud;
    retry_quota_init(&c->quota);
    c->now = cfg->now ? cfg->now : monotonic_now;
    c->now_ud = cfg->now_ud;
    c->adaptive = cfg->retry_mode == RETRY_MODE_ADAPTIVE;
    rate_limiter_init(&c->limiter, c->now(c->now_ud));
    return c;
}

static void call_destroy(struct aws_call *call);

static void live_unlink(struct aws_call *call)
{
    struct aws_client *c = call->client;
    c->stats.live--;
    if (call->live_prev)
        call->live_prev->live_next = call->live_next;
    else if (c->live == call)
        c->live = call->live_next;
    if (call->live_next)
        call->live_next->live_prev = call->live_prev;
    call->live_prev = call->live_next = NULL;
}

static void list_remove(struct aws_call **list, struct aws_call *call)
{
    for (struct aws_call **p = list; *p; p = &(*p)->next) {
        if (*p == call) {
            *p = call->next;
            call->next = NULL;
            return;
        }
    }
}

void aws_client_cancel(struct aws_client *c, uint64_t id)
{
    struct aws_call *call = c->live;
    while (call && call->id != id)
        call = call->live_next;
    if (!call)
        return; /* finished already, or being finished: done is running */
    if (call->pending) {
        http_engine_cancel(c->http, call->pending);
    } else {
        list_remove(&c->parked, call);
        list_remove(&c->resumed, call);
    }
    live_unlink(call);
    call_destroy(call);
}

void aws_client_destroy(struct aws_client *c)
{
    if (!c)
        return;
    if (c->reloading && c->reloader.cancel)
        c->reloader.cancel(c->reloader.ud);
    if (c->resume_timer)
        http_engine_cancel(c->http, c->resume_timer);
    /* Calls still out are dropped without done: their owners are going too. */
    while (c->live)
        aws_client_cancel(c, c->live->id);
    aws_credentials_finish(&c->creds);
    free(c->region);
    for (int s = 0; s < AWS_SERVICE_COUNT; s++) {
        free(c->endpoint[s]);
        free(c->host[s]);
    }
    free(c);
}

struct http_engine *aws_client_http(const struct aws_client *c)
{
    return c->http;
}

time_t aws_client_expiration(const struct aws_client *c)
{
    return c->creds.expiration;
}

const char *aws_client_region(const struct aws_client *c)
{
    return c->region;
}

const char *aws_client_endpoint(const struct aws_client *c, enum aws_service service)
{
    return c->endpoint[service];
}

void aws_client_get_stats(const struct aws_client *c, struct aws_client_stats *out)
{
    *out = c->stats;
}

static void call_destroy(struct aws_call *call)
{
    xmljob_destroy(call->job);
    cJSON_Delete(call->items);
    vpcx_error_finish(&call->err);
    free(call->net_error);
    free(call->operation);
    if (call->unsigned_call) /* the body is the proof: a web identity token */
        OPENSSL_cleanse(call->body, strlen(call->body));
    free(call->body);
    free(call->item_list);
    free(call);
}

static void on_item(void *ud, cJSON *item)
{
    struct aws_call *call = ud;
    call->items_seen++;
    if (call->on_item)
        call->on_item(call->ud, item);
    else
        cJSON_AddItemToArray(call->items, item);
}

static enum http_body on_body(void *ud, const char *data, size_t len, int http_status)
{
    struct aws_call *call = ud;
    call->http_status = http_status;
    /* The parser is behind: the bytes wait in the connection, not in memory. */
    if (!xmljob_room(call->job, len))
        return HTTP_BODY_PAUSE;
    call->client->stats.bytes += len;
    call->body_bytes += len;
    if (call->body_bytes > AWS_MAX_BODY_BYTES) {
        /* curl has decoded gzip by now: this bounds a small answer that inflates. */
        call->capped = true;
        vpcx_error_set(&call->err, VPCX_ERR_TOO_LARGE,
                       "the response body is larger than %llu MiB decoded, the cap on one "
                       "response; abandoned",
                       AWS_MAX_BODY_BYTES >> 20);
        return HTTP_BODY_ABORT;
    }
    /* After a parse error the rest is read and dropped, so the HTTP status
       still decides (an HTML 500 is retried like any 500). */
    xmljob_feed(call->job, data, len);
    /* A page or an item over its cap: reading on would only cost time. On a
       worker the cap shows a chunk or more later; the outcome is the same. */
    if (xmljob_status(call->job, NULL, NULL) == VPCX_ERR_TOO_LARGE) {
        call->capped = true;
        xmljob_status(call->job, &call->err, NULL);
        return HTTP_BODY_ABORT;
    }
    return HTTP_BODY_TAKEN;
}

static void call_resume(void *ud)
{
    struct aws_call *call = ud;
    if (call->pending)
        http_engine_resume(call->client->http, call->pending);
}

static void call_start_attempt(struct aws_call *call);
static void call_on_done(void *ud, const struct http_result *res);
static void call_parsed(void *ud);

static void call_retry_timer(void *ud)
{
    struct aws_call *call = ud;
    call->pending = 0;
    call_start_attempt(call);
}

static void call_finish(struct aws_call *call, enum vpcx_status status, cJSON *result)
{
    live_unlink(call); /* cancelling it from inside done is a no-op */
    struct aws_call_result res = {
        .status = status,
        .error = status == VPCX_OK ? NULL : &call->err,
        .result = result,
        .items = call->items,
        .items_seen = call->items_seen,
        .attempts = call->attempt,
        .http_status = call->http_status,
    };
    if (status != VPCX_OK)
        call->err.status = status;
    call->done(call->ud, &res);
    /* The callee may have taken either tree and set the pointer to NULL. */
    cJSON_Delete(res.result);
    call->items = res.items;
    call_destroy(call);
}

static char **build_headers(struct aws_call *call, const struct sigv4_result *sig)
{
    struct aws_client *c = call->client;
    char **h = xcalloc(6, sizeof(*h));
    size_t n = 0;
    h[n++] = xasprintf("Host: %s", c->host[call->service]);
    h[n++] = xstrdup("Content-Type: " FORM_CONTENT_TYPE);
    if (!sig)
        return h;
    h[n++] = xasprintf("X-Amz-Date: %s", sig->amz_date);
    if (sig->security_token)
        h[n++] = xasprintf("X-Amz-Security-Token: %s", sig->security_token);
    h[n++] = xasprintf("Authorization: %s", sig->authorization);
    h[n] = NULL;
    return h;
}

static void free_headers(char **h)
{
    for (size_t i = 0; h && h[i]; i++) {
        /* Authorization and the session token are secrets: wipe before free
           (a plain memset before free may be optimised away). */
        OPENSSL_cleanse(h[i], strlen(h[i]));
        free(h[i]);
    }
    free(h);
}

static enum vpcx_status call_sign(struct aws_call *call, struct sigv4_result *sig)
{
    struct aws_client *c = call->client;
    const struct sigv4_header signed_headers[] = {
        {"content-type", FORM_CONTENT_TYPE},
        {"host", c->host[call->service]},
    };
    const struct sigv4_request req = {
        .method = "POST",
        .path = "/",
        .query = NULL,
        .headers = signed_headers,
        .n_headers = 2,
        .body = call->body,
        .body_len = strlen(call->body),
    };
    const struct sigv4_credentials creds = {
        .access_key_id = c->creds.access_key_id,
        .secret_access_key = c->creds.secret_access_key,
        .session_token = c->creds.session_token,
    };
    const struct sigv4_options opt = {
        .region = c->region,
        .service = service_name(call->service),
        .now = time(NULL),
        .normalize_path = true,
    };
    return sigv4_sign(&req, &creds, &opt, sig);
}

static void call_fail_timer(void *ud)
{
    struct aws_call *call = ud;
    call->pending = 0;
    call_finish(call, call->err.status, NULL);
}

/*
 * A failure before anything was sent (no output shape, a signing error) reaches
 * done from the engine, as a refused URL does: the caller may still be inside
 * aws_client_call() and must not see the call finish, or be freed, under it.
 */
static void call_fail_later(struct aws_call *call)
{
    call->pending = http_engine_add_timer(call->client->http, 0, call_fail_timer, call);
}

/* Fresh parser and items for an attempt; false (call->err set) when the
   operation has no output shape to parse with. */
static bool call_reset_attempt(struct aws_call *call)
{
    xmljob_destroy(call->job);
    cJSON_Delete(call->items);
    call->items = call->on_item ? NULL : cJSON_CreateArray();
    call->items_seen = 0;
    call->body_bytes = 0;
    call->capped = false;
    call->parse_status = VPCX_OK;
    call->transport = VPCX_OK;
    call->http_status = 0;
    vpcx_error_finish(&call->err);
    const struct xmljob_ops ops = {.item = on_item, .done = call_parsed, .resume = call_resume};
    call->job = xmljob_create(call->client->worker,
                              aws_shape_output(service_name(call->service), call->operation),
                              call->item_list, &ops, call);
    if (call->job)
        return true;
    vpcx_error_set(&call->err, VPCX_ERR_INTERNAL, "%s: no response shape for this operation%s%s",
                   call->operation, call->item_list ? " and list " : "",
                   call->item_list ? call->item_list : "");
    return false;
}

static const char *sign_failure(enum vpcx_status st)
{
    /* sigv4 answers NO_CREDENTIALS only for an empty key ID or secret key. */
    if (st == VPCX_ERR_NO_CREDENTIALS)
        return "the access key ID or the secret access key is empty";
    return vpcx_status_message(st);
}

static void call_start_attempt(struct aws_call *call)
{
    struct aws_client *c = call->client;
    if (c->adaptive) {
        long wait_ms = rate_limiter_acquire(&c->limiter, c->now(c->now_ud));
        if (wait_ms > 0) {
            c->stats.paced++;
            call->pending = http_engine_add_timer(c->http, wait_ms, call_retry_timer, call);
            return;
        }
    }
    call->attempt++;
    c->stats.attempts++;
    if (!call_reset_attempt(call)) {
        call_fail_later(call);
        return;
    }
    call->creds_gen = c->creds_gen;

    struct sigv4_result sig;
    memset(&sig, 0, sizeof(sig));
    enum vpcx_status st = call->unsigned_call ? VPCX_OK : call_sign(call, &sig);
    if (st != VPCX_OK) {
        sigv4_result_finish(&sig);
        vpcx_error_set(&call->err, st, "%s: cannot sign the request: %s", call->operation,
                       sign_failure(st));
        call_fail_later(call);
        return;
    }
    char **headers = build_headers(call, call->unsigned_call ? NULL : &sig);
    if (!call->unsigned_call)
        sigv4_result_finish(&sig);
    const struct http_request req = {
        .method = "POST",
        .url = c->endpoint[call->service],
        .headers = (const char *const *)headers,
        .body = call->body,
        .body_len = strlen(call->body),
        .on_body = on_body,
        .on_done = call_on_done,
        .ud = call,
        .fresh_connect = call->fresh_connect,
    };
    call->pending = http_engine_submit(c->http, &req);
    free_headers(headers);
}

/*
 * The parse's verdict, as an inline parse would have left it: a cap met while
 * the body came in ends the attempt whatever the transfer did; any other
 * failure counts only when the whole body arrived.
 */
static void call_take_parse(struct aws_call *call)
{
    bool in_feed = false;
    struct vpcx_error perr;
    vpcx_error_init(&perr);
    enum vpcx_status st = xmljob_status(call->job, &perr, &in_feed);
    call->parse_status = in_feed || call->net_status == VPCX_OK ? st : VPCX_OK;
    if (!call->capped && call->parse_status != VPCX_OK) {
        call->capped = st == VPCX_ERR_TOO_LARGE && in_feed;
        vpcx_error_copy(&call->err, &perr);
    }
    vpcx_error_finish(&perr);
}

/* Fills call->err from the response; returns the attempt's status. */
static enum vpcx_status call_outcome(struct aws_call *call)
{
    struct awsxml_parser *parser = xmljob_parser(call->job);
    if (call->capped) {
        char *msg = xstrdup(call->err.message ? call->err.message : "response too large");
        vpcx_error_set(&call->err, VPCX_ERR_TOO_LARGE, "%s: %s", call->operation, msg);
        free(msg);
        return VPCX_ERR_TOO_LARGE;
    }
    call->transport = call->net_status;
    if (call->net_status != VPCX_OK) {
        vpcx_error_set(&call->err, call->net_status, "%s: %s", call->operation,
                       call->net_error ? call->net_error : vpcx_status_message(call->net_status));
        call->err.http_status = call->net_http_status;
        return call->net_status;
    }
    if (awsxml_parser_is_error(parser)) {
        awsxml_parser_error(parser, call->http_status, &call->err);
        return call->err.status;
    }
    if (call->http_status >= 300) {
        enum vpcx_status st = call->http_status >= 500 ? VPCX_ERR_SERVER : VPCX_ERR_AWS;
        vpcx_error_set(&call->err, st, "%s: HTTP %d without an AWS error document", call->operation,
                       call->http_status);
        call->err.http_status = call->http_status;
        return st;
    }
    if (call->parse_status != VPCX_OK) {
        /* A body cut short is a transport failure, worth another attempt. */
        if (call->parse_status == VPCX_ERR_TRUNCATED)
            call->transport = VPCX_ERR_TRUNCATED;
        char *msg = call->err.message ? xstrdup(call->err.message) : NULL;
        vpcx_error_set(&call->err, call->parse_status, "%s: %s", call->operation,
                       msg ? msg : vpcx_status_message(call->parse_status));
        free(msg);
        return call->parse_status;
    }
    return VPCX_OK;
}

static void client_reload_start(struct aws_client *c, bool ahead)
{
    c->reloading = true;
    c->reload_ahead = ahead;
    c->stats.reloads++;
    c->reloader.start(c->reloader.ud, c);
}

/* Queues call behind the running reload, starting one when none runs. */
static void call_park(struct aws_call *call)
{
    struct aws_client *c = call->client;
    struct aws_call **tail = &c->parked;
    while (*tail)
        tail = &(*tail)->next;
    call->next = NULL;
    *tail = call;
    call->pending = 0;
    if (c->reloading)
        return;
    client_reload_start(c, false);
}

/* An expiry answer: park on a reload, or re-sign at once when credentials
   newer than the ones that signed this attempt are already in. */
static bool call_refresh_credentials(struct aws_call *call)
{
    struct aws_client *c = call->client;
    if (!c->reloader.start || call->unsigned_call)
        return false;
    c->stats.retries++;
    if (!c->reloading && call->creds_gen != c->creds_gen) {
        call->fresh_connect = false;
        call->pending = http_engine_add_timer(c->http, 0, call_retry_timer, call);
        return true;
    }
    call_park(call);
    return true;
}

static bool call_schedule_retry(struct aws_call *call)
{
    struct aws_client *c = call->client;
    int http = call->err.http_status ? call->err.http_status : call->http_status;
    if (call->not_idempotent &&
        retry_classify(call->transport, http, call->err.aws_code) == RETRY_TRANSIENT)
        return false;
    long delay = 0;
    enum retry_kind kind = retry_decide(&call->retry, &c->quota, call->transport, http,
                                        call->err.aws_code, c->random01(c->random_ud), &delay);
    if (kind == RETRY_NO)
        return false;
    if (kind == RETRY_REFRESH_CREDENTIALS)
        return call_refresh_credentials(call);
    if (kind == RETRY_THROTTLE)
        c->stats.throttled++;
    call->fresh_connect = call->transport != VPCX_OK;
    c->stats.retries++;
    call->pending = http_engine_add_timer(c->http, delay, call_retry_timer, call);
    return true;
}

/* Adaptive mode: every answer moves the client's allowed rate. */
static void call_note_rate(struct aws_call *call)
{
    struct aws_client *c = call->client;
    if (!c->adaptive)
        return;
    int http = call->err.http_status ? call->err.http_status : call->http_status;
    bool throttled = call->err.status != VPCX_OK &&
                     retry_classify(call->transport, http, call->err.aws_code) == RETRY_THROTTLE;
    rate_limiter_on_response(&c->limiter, c->now(c->now_ud), throttled);
}

/* The transfer ended: its outcome waits for the parse of what arrived. */
static void call_on_done(void *ud, const struct http_result *res)
{
    struct aws_call *call = ud;
    call->pending = 0;
    call->net_status = res->status;
    free(call->net_error);
    call->net_error = res->error ? xstrdup(res->error) : NULL;
    call->net_http_status = res->http_status;
    xmljob_finish(call->job);
}

static void call_parsed(void *ud)
{
    struct aws_call *call = ud;
    call_take_parse(call);
    enum vpcx_status st = call_outcome(call);
    call_note_rate(call);
    if (st == VPCX_OK) {
        retry_note_success(&call->retry, &call->client->quota);
        call_finish(call, VPCX_OK, awsxml_parser_take_result(xmljob_parser(call->job)));
        return;
    }
    /* Over a cap: the same request would get the same answer. */
    if (!call->capped && call_schedule_retry(call))
        return;
    if (call->attempt > 1 && call->err.message) {
        char *msg = xasprintf("%s (after %d attempts)", call->err.message, call->attempt);
        free(call->err.message);
        call->err.message = msg;
    }
    call_finish(call, st, NULL);
}

uint64_t aws_client_call(struct aws_client *c, const struct aws_call_params *p)
{
    struct aws_call *call = xcalloc(1, sizeof(*call));
    call->client = c;
    call->id = ++c->next_id;
    call->service = p->service;
    call->operation = xstrdup(p->operation);
    aws_query_set(p->query, "Action", p->operation);
    aws_query_set(p->query, "Version", api_version(p->service));
    call->body = xstrdup(aws_query_encode(p->query));
    call->item_list = p->item_list ? xstrdup(p->item_list) : NULL;
    call->on_item = p->item_list ? p->on_item : NULL;
    call->done = p->done;
    call->ud = p->ud;
    call->not_idempotent = p->not_idempotent;
    call->unsigned_call = p->unsigned_call;
    vpcx_error_init(&call->err);
    retry_state_init(&call->retry, c->max_attempts);
    c->stats.calls++;
    call->live_next = c->live;
    if (c->live)
        c->live->live_prev = call;
    c->live = call;
    if (++c->stats.live > c->stats.live_peak)
        c->stats.live_peak = c->stats.live;
    uint64_t id = call->id;
    if (call->unsigned_call || !c->reloader.start) {
        call_start_attempt(call);
        return id;
    }
    /* botocore's refresh windows: ahead of the mandatory one a reload runs
       while calls go on with the current keys; inside it calls wait. */
    time_t now = time(NULL);
    enum aws_refresh due = aws_credentials_refresh_due(&c->creds, now);
    if (due == AWS_REFRESH_MANDATORY || (c->reloading && !c->reload_ahead)) {
        call_park(call); /* signing with credentials about to expire is pointless */
        return id;
    }
    if (due == AWS_REFRESH_ADVISORY && !c->reloading && now >= c->ahead_not_before)
        client_reload_start(c, true);
    call_start_attempt(call);
    return id;
}

/* The reload's failure, as the error of a call that waited for it. */
static void call_set_reload_error(struct aws_call *call, enum vpcx_status status,
                                  const struct vpcx_error *err)
{
    const char *why = err && err->message ? err->message : vpcx_status_message(status);
    char *msg = xasprintf("%s: the credentials expired and reloading them failed: %s",
                          call->operation, why);
    char *hint = err && err->hint ? xstrdup(err->hint) : NULL;
    free(call->err.message);
    call->err.message = msg;
    free(call->err.hint);
    call->err.hint = hint;
    call->err.status = status;
    call->reload_failed = true;
}

static void client_resume(void *ud)
{
    struct aws_client *c = ud;
    c->resume_timer = 0;
    struct aws_call *list = c->resumed;
    c->resumed = NULL;
    while (list) {
        struct aws_call *call = list;
        list = call->next;
        call->next = NULL;
        if (call->reload_failed)
            call_finish(call, call->err.status, NULL);
        else
            call_start_attempt(call);
    }
}

void aws_client_reloaded(struct aws_client *c, enum vpcx_status status,
                         const struct aws_credentials *fresh, const struct vpcx_error *err)
{
    if (!c->reloading)
        return;
    c->reloading = false;
    /* A failure ahead of expiry keeps the current keys; try again later. */
    if (status != VPCX_OK && c->reload_ahead)
        c->ahead_not_before = time(NULL) + CLIENT_AHEAD_RETRY_S;
    c->reload_ahead = false;
    if (status == VPCX_OK) {
        copy_credentials(&c->creds, fresh);
        c->creds_gen++;
    }
    struct aws_call **tail = &c->resumed;
    while (*tail)
        tail = &(*tail)->next;
    for (struct aws_call *call = c->parked; call; call = call->next) {
        if (status != VPCX_OK)
            call_set_reload_error(call, status, err);
        call->fresh_connect = false;
    }
    *tail = c->parked;
    c->parked = NULL;
    /* Resent from the engine, never from inside the reloader's callback. */
    if (!c->resume_timer)
        c->resume_timer = http_engine_add_timer(c->http, 0, client_resume, c);
}

struct sync_call {
    bool done;
    enum vpcx_status status;
    cJSON *result;
    struct vpcx_error *err;
};

static void sync_done(void *ud, struct aws_call_result *res)
{
    struct sync_call *s = ud;
    s->done = true;
    s->status = res->status;
    if (res->status == VPCX_OK) {
        s->result = res->result;
        res->result = NULL;
    } else if (s->err) {
        vpcx_error_copy(s->err, res->error);
    }
}

enum vpcx_status aws_client_call_sync(struct aws_client *c, enum aws_service service,
                                      const char *operation, struct aws_query *query,
                                      cJSON **result, struct vpcx_error *err)
{
    struct sync_call s = {.err = err};
    const struct aws_call_params p = {
        .service = service,
        .operation = operation,
        .query = query,
        .done = sync_done,
        .ud = &s,
    };
    aws_client_call(c, &p);
    while (!s.done) {
        bool ready = false;
        http_engine_step(c->http, -1, 1000, &ready);
    }
    if (result)
        *result = s.result;
    else
        cJSON_Delete(s.result);
    return s.status;
}
