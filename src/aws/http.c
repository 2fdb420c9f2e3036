/*
 * http: one CURLM, a list of transfer objects (CURLOPT_PRIVATE points back at
 * them), a sorted list of timers and a queue of finished transfers whose
 * on_done has not run yet. Completions are queued and delivered after
 * curl_multi_perform returns, so callbacks may submit and cancel freely.
 */
#include "vpcx/aws/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "vpcx/core/clock.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#ifndef VPCX_VERSION
#define VPCX_VERSION "0.1.0"
#endif

#define DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define DEFAULT_TOTAL_TIMEOUT_MS   60000L
#define DEFAULT_LOW_SPEED_TIME_S   30L
#define DEFAULT_MAX_PER_HOST       8
#define DEFAULT_MAX_TOTAL          32
#define EASY_POOL_MAX              16
#define WAIT_FOREVER_MS            (60 * 60 * 1000)

enum transfer_state {
    TRANSFER_PENDING_ADD, /* submitted inside curl_multi_perform; added after it */
    TRANSFER_QUEUED,      /* waiting for a connection slot; its timeout has not started */
    TRANSFER_ACTIVE,      /* in the multi handle */
    TRANSFER_DONE,        /* finished; waiting in the done queue for on_done */
};

struct transfer {
    uint64_t id;
    enum transfer_state state;
    struct http_engine *engine;
    CURL *easy;
    char *url;
    char *method;
    char *body;
    size_t body_len;
    struct curl_slist *headers;
    char *host; /* for messages; never the whole URL (it may carry a signature) */
    long port;
    bool (*on_data)(void *ud, const char *data, size_t len, int http_status);
    enum http_body (*on_body)(void *ud, const char *data, size_t len, int http_status);
    void (*on_done)(void *ud, const struct http_result *result);
    void *ud;
    bool cancelled; /* cancel asked while curl was running callbacks */
    bool aborted;   /* on_data returned false */
    bool paused;    /* on_body held a chunk back */
    bool fresh_connect;
    long timeout_ms;    /* 0: the engine's */
    bool plain_http_ok; /* the caller vetted the host */
    struct http_result result;
    char *error;
    char errbuf[CURL_ERROR_SIZE]; /* libcurl's contract: a buffer of this size */
    struct transfer *prev, *next; /* all live transfers */
    struct transfer *next_done;
};

struct timer {
    uint64_t id;
    int64_t due_ms;
    void (*fn)(void *ud);
    void *ud;
    struct timer *next;
};

struct watch {
    uint64_t id;
    int fd;
    void (*fn)(void *ud);
    void *ud;
    struct watch *next;
};

struct http_engine {
    CURLM *multi;
    struct http_options opts;
    char *ca_bundle;
    char *user_agent;
    struct transfer *head, *tail;
    struct transfer *done_head, *done_tail;
    size_t done_count;
    size_t active;        /* transfers in the multi handle */
    size_t queued;        /* TRANSFER_QUEUED, admitted in submit order */
    struct timer *timers; /* sorted by (due_ms, id) */
    struct watch *watches;
    size_t n_watches;
    CURL *pool[EASY_POOL_MAX];
    int pool_len;
    uint64_t next_id;
    bool in_perform;
    bool need_sweep;
    struct http_engine_stats stats;
};

/* ---- loopback and URL checks ---- */

bool http_host_is_loopback(const char *host)
{
    if (!host || !*host)
        return false;
    if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0)
        return true;
    struct in_addr v4;
    if (inet_pton(AF_INET, host, &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    size_t len = strlen(host);
    char *bare = host[0] == '[' && len > 2 && host[len - 1] == ']' ? xstrndup(host + 1, len - 2)
                                                                   : xstrdup(host);
    struct in6_addr v6;
    bool loop = false;
    if (inet_pton(AF_INET6, bare, &v6) == 1) {
        loop = IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
    }
    free(bare);
    return loop;
}

static void transfer_fail_early(struct transfer *t, enum vpcx_status status, char *message)
{
    t->result.status = status;
    t->error = message;
}

/* Fills host and port; refuses what we never send. Returns false when t failed. */
static bool transfer_check_url(struct transfer *t, const struct http_options *opts)
{
    CURLU *u = curl_url();
    char *scheme = NULL;
    char *host = NULL;
    char *port = NULL;
    bool ok = false;
    if (curl_url_set(u, CURLUPART_URL, t->url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        transfer_fail_early(t, VPCX_ERR_CONFIG, xstrdup("invalid URL"));
        goto out;
    }
    t->host = xstrdup(host);
    if (curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
        t->port = strtol(port, NULL, 10);
    if (strcasecmp(scheme, "https") != 0 && strcasecmp(scheme, "http") != 0) {
        transfer_fail_early(t, VPCX_ERR_CONFIG,
                            xasprintf("unsupported URL scheme \"%s\" (use https://)", scheme));
        goto out;
    }
    if (strcasecmp(scheme, "http") == 0 && !opts->allow_plain_http && !t->plain_http_ok &&
        !http_host_is_loopback(host)) {
        transfer_fail_early(t, VPCX_ERR_CONFIG,
                            xasprintf("refusing plain http:// to %s: use https://, or allow "
                                      "plain HTTP explicitly",
                                      host));
        goto out;
    }
    ok = true;
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return ok;
}

/* ---- transfer list and done queue ---- */

static void list_append(struct http_engine *e, struct transfer *t)
{
    t->prev = e->tail;
    t->next = NULL;
    if (e->tail)
        e->tail->next = t;
    else
        e->head = t;
    e->tail = t;
}

static void list_unlink(struct http_engine *e, struct transfer *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        e->head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        e->tail = t->prev;
    t->prev = t->next = NULL;
}

static void done_push(struct http_engine *e, struct transfer *t)
{
    t->state = TRANSFER_DONE;
    t->next_done = NULL;
    if (e->done_tail)
        e->done_tail->next_done = t;
    else
        e->done_head = t;
    e->done_tail = t;
    e->done_count++;
}

static struct transfer *done_pop(struct http_engine *e)
{
    struct transfer *t = e->done_head;
    if (!t)
        return NULL;
    e->done_head = t->next_done;
    if (!e->done_head)
        e->done_tail = NULL;
    e->done_count--;
    t->next_done = NULL;
    return t;
}

static void done_remove(struct http_engine *e, struct transfer *t)
{
    struct transfer *prev = NULL;
    for (struct transfer *it = e->done_head; it; it = it->next_done) {
        if (it != t) {
            prev = it;
            continue;
        }
        if (prev)
            prev->next_done = it->next_done;
        else
            e->done_head = it->next_done;
        if (e->done_tail == it)
            e->done_tail = prev;
        e->done_count--;
        return;
    }
}

static struct transfer *transfer_find(const struct http_engine *e, uint64_t id)
{
    for (struct transfer *t = e->head; t; t = t->next) {
        if (t->id == id && !t->cancelled)
            return t;
    }
    return NULL;
}

/* ---- easy handle pool ---- */

static CURL *easy_get(struct http_engine *e)
{
    if (e->pool_len > 0)
        return e->pool[--e->pool_len];
    return curl_easy_init();
}

static void easy_put(struct http_engine *e, CURL *easy)
{
    if (!easy)
        return;
    if (e->pool_len < EASY_POOL_MAX) {
        curl_easy_reset(easy);
        e->pool[e->pool_len++] = easy;
        return;
    }
    curl_easy_cleanup(easy);
}

/* The list holds Authorization and the session token: wiped before it is freed. */
static void headers_free(struct curl_slist *list)
{
    for (struct curl_slist *n = list; n; n = n->next) {
        if (n->data)
            OPENSSL_cleanse(n->data, strlen(n->data));
    }
    curl_slist_free_all(list);
}

static void transfer_free(struct http_engine *e, struct transfer *t)
{
    if (t->state == TRANSFER_ACTIVE)
        e->active--;
    if (t->state == TRANSFER_QUEUED)
        e->queued--;
    if (t->easy && t->state == TRANSFER_ACTIVE)
        curl_multi_remove_handle(e->multi, t->easy);
    easy_put(e, t->easy);
    headers_free(t->headers);
    free(t->url);
    free(t->method);
    /* A body may carry a refresh token, a client secret or a web identity token. */
    if (t->body)
        OPENSSL_cleanse(t->body, t->body_len);
    free(t->body);
    free(t->host);
    free(t->error);
    free(t);
}

/* ---- setting up a transfer ---- */

static size_t transfer_write(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct transfer *t = userdata;
    size_t len = size * nmemb;
    if (t->cancelled)
        return 0;
    long code = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
    if (t->on_body) {
        enum http_body b = t->on_body(t->ud, data, len, (int)code);
        if (b == HTTP_BODY_PAUSE) {
            t->paused = true;
            return CURL_WRITEFUNC_PAUSE;
        }
        t->aborted = b == HTTP_BODY_ABORT;
        t->result.bytes += t->aborted ? 0 : len;
        return t->aborted ? 0 : len;
    }
    t->result.bytes += len;
    if (t->on_data && !t->on_data(t->ud, data, len, (int)code)) {
        t->aborted = true;
        return 0;
    }
    return len;
}

static bool header_is(const char *header, const char *name)
{
    size_t n = strlen(name);
    return strncasecmp(header, name, n) == 0 && header[n] == ':';
}

/* Appends one header; false when libcurl could not (the list is then freed). */
static bool transfer_add_header(struct transfer *t, const char *header)
{
    struct curl_slist *list = curl_slist_append(t->headers, header);
    if (!list) {
        headers_free(t->headers);
        t->headers = NULL;
        return false;
    }
    t->headers = list;
    return true;
}

/* False (t failed) when the list could not be built: never send without it. */
static bool transfer_copy_headers(struct transfer *t, const char *const *headers)
{
    bool has_expect = false;
    bool ok = true;
    for (size_t i = 0; ok && headers && headers[i]; i++) {
        ok = transfer_add_header(t, headers[i]);
        if (header_is(headers[i], "Expect"))
            has_expect = true;
    }
    /* No "Expect: 100-continue" round trip for signed Query bodies. */
    if (ok && t->body_len > 0 && !has_expect)
        ok = transfer_add_header(t, "Expect:");
    if (!ok)
        transfer_fail_early(t, VPCX_ERR_INTERNAL, xstrdup("could not build the request headers"));
    return ok;
}

static void easy_set_method(CURL *easy, struct transfer *t)
{
    if (strcmp(t->method, "GET") == 0 && !t->body_len) {
        curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
        return;
    }
    if (strcmp(t->method, "HEAD") == 0) {
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
        return;
    }
    if (strcmp(t->method, "POST") != 0)
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, t->method);
    if (strcmp(t->method, "POST") == 0 || t->body_len > 0) {
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->body_len);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t->body);
    }
}

/* ---- opt-in trace, with credentials redacted ---- */

static const char *const secret_headers[] = {
    "Authorization",
    "Proxy-Authorization",
    "X-Amz-Security-Token",
    "x-amz-sso_bearer_token",
    "DPoP",
    "Cookie",
    "Set-Cookie",
    "X-aws-ec2-metadata-token",
    NULL,
};

static size_t secret_header_name_len(const char *line, size_t len)
{
    for (size_t i = 0; secret_headers[i]; i++) {
        size_t n = strlen(secret_headers[i]);
        if (len > n && line[n] == ':' && strncasecmp(line, secret_headers[i], n) == 0)
            return n;
    }
    return 0;
}

static void trace_add_redacted(struct strbuf *sb, const char *line, size_t len, bool request_line)
{
    size_t name = secret_header_name_len(line, len);
    if (name) {
        strbuf_add(sb, line, name);
        strbuf_addstr(sb, ": [redacted]");
        return;
    }
    const char *query = request_line ? memchr(line, '?', len) : NULL;
    if (!query) {
        sanitize_add(sb, line, len, SANITIZE_ESCAPE);
        return;
    }
    /* presigned URLs carry signatures and tokens in the query */
    const char *space = memchr(query, ' ', len - (size_t)(query - line));
    sanitize_add(sb, line, (size_t)(query - line), SANITIZE_ESCAPE);
    strbuf_addstr(sb, "?[redacted]");
    if (space)
        sanitize_add(sb, space, len - (size_t)(space - line), SANITIZE_ESCAPE);
}

static void trace_line(const struct transfer *t, const char *prefix, const char *line, size_t len,
                       bool request_line)
{
    const struct http_options *o = &t->engine->opts;
    struct strbuf sb;
    strbuf_init(&sb, len + 32);
    strbuf_addf(&sb, "#%" PRIu64 " %s", t->id, prefix);
    trace_add_redacted(&sb, line, len, request_line);
    o->trace(o->trace_ud, strbuf_str(&sb));
    strbuf_release(&sb);
}

static int transfer_debug(CURL *easy, curl_infotype type, char *data, size_t size, void *userp)
{
    const struct transfer *t = userp;
    const char *prefix = type == CURLINFO_TEXT         ? "* "
                         : type == CURLINFO_HEADER_OUT ? "> "
                         : type == CURLINFO_HEADER_IN  ? "< "
                                                       : NULL;
    if (!prefix)
        return 0; /* bodies and TLS records are never traced */
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && data[i] != '\n')
            continue;
        size_t end = i;
        if (end > start && data[end - 1] == '\r')
            end--;
        if (end > start)
            trace_line(t, prefix, data + start, end - start,
                       type == CURLINFO_HEADER_OUT && start == 0);
        start = i + 1;
    }
    return 0;
}

static void easy_set_options(struct http_engine *e, CURL *easy, struct transfer *t)
{
    const struct http_options *o = &e->opts;
    curl_easy_setopt(easy, CURLOPT_URL, t->url);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, transfer_write);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, e->user_agent);
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (e->ca_bundle)
        curl_easy_setopt(easy, CURLOPT_CAINFO, e->ca_bundle);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     t->timeout_ms ? t->timeout_ms : o->connect_timeout_ms);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, t->timeout_ms ? t->timeout_ms : o->total_timeout_ms);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, o->low_speed_time_s);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    /* Pooled connections may share the fate of the one that just failed. */
    curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, t->fresh_connect ? 1L : 0L);
    if (o->trace) {
        curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, transfer_debug);
        curl_easy_setopt(easy, CURLOPT_DEBUGDATA, t);
        curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);
    }
    easy_set_method(easy, t);
}

static void transfer_start(struct http_engine *e, struct transfer *t)
{
    t->easy = easy_get(e);
    if (!t->easy) {
        transfer_fail_early(t, VPCX_ERR_INTERNAL, xstrdup("could not create a curl handle"));
        done_push(e, t);
        return;
    }
    easy_set_options(e, t->easy, t);
    CURLMcode mc = curl_multi_add_handle(e->multi, t->easy);
    if (mc != CURLM_OK) {
        transfer_fail_early(t, VPCX_ERR_INTERNAL,
                            xasprintf("could not start transfer: %s", curl_multi_strerror(mc)));
        done_push(e, t);
        return;
    }
    t->state = TRANSFER_ACTIVE;
    e->active++;
}

static size_t host_active(const struct http_engine *e, const struct transfer *t)
{
    size_t n = 0;
    for (const struct transfer *it = e->head; it; it = it->next) {
        if (it->state == TRANSFER_ACTIVE && !it->cancelled && it->port == t->port &&
            strcmp(it->host, t->host) == 0)
            n++;
    }
    return n;
}

static bool slot_free(const struct http_engine *e, const struct transfer *t)
{
    return e->active < (size_t)e->opts.max_total &&
           host_active(e, t) < (size_t)e->opts.max_per_host;
}

/*
 * A transfer enters the multi handle only when its host has a free connection:
 * libcurl would queue it itself, but with CURLOPT_TIMEOUT_MS already running,
 * so a long queue failed requests that were never sent.
 */
static void transfer_admit(struct http_engine *e, struct transfer *t)
{
    if (slot_free(e, t)) {
        transfer_start(e, t);
        return;
    }
    t->state = TRANSFER_QUEUED;
    e->queued++;
}

/* Starts queued transfers, oldest first, as far as the slots allow. */
static void admit_queued(struct http_engine *e)
{
    for (struct transfer *t = e->head; t && e->queued && e->active < (size_t)e->opts.max_total;
         t = t->next) {
        if (t->state != TRANSFER_QUEUED || t->cancelled || !slot_free(e, t))
            continue;
        e->queued--;
        transfer_start(e, t);
    }
}

static struct transfer *transfer_create(struct http_engine *e, const struct http_request *req)
{
    struct transfer *t = xcalloc(1, sizeof *t);
    t->id = ++e->next_id;
    t->engine = e;
    t->url = xstrdup(req->url ? req->url : "");
    t->method = xstrdup(req->method ? req->method : "GET");
    t->body_len = req->body ? req->body_len : 0;
    t->fresh_connect = req->fresh_connect;
    t->timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : 0;
    t->plain_http_ok = req->plain_http_ok;
    t->body = xmalloc(t->body_len + 1);
    if (t->body_len)
        memcpy(t->body, req->body, t->body_len);
    t->body[t->body_len] = '\0';
    t->on_data = req->on_data;
    t->on_body = req->on_body;
    t->on_done = req->on_done;
    t->ud = req->ud;
    t->result.status = VPCX_OK;
    return t;
}

uint64_t http_engine_submit(struct http_engine *e, const struct http_request *req)
{
    struct transfer *t = transfer_create(e, req);
    list_append(e, t);
    if (!transfer_copy_headers(t, req->headers) || !transfer_check_url(t, &e->opts)) {
        done_push(e, t);
        return t->id;
    }
    if (e->in_perform) {
        t->state = TRANSFER_PENDING_ADD;
        e->need_sweep = true;
        return t->id;
    }
    transfer_admit(e, t);
    return t->id;
}

/* ---- finishing a transfer: curl codes to specific messages ---- */

static const char *transfer_detail(const struct transfer *t, CURLcode code)
{
    return t->errbuf[0] ? t->errbuf : curl_easy_strerror(code);
}

static bool curl_code_is_tls(CURLcode code)
{
    switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
        return true;
    default:
        return false;
    }
}

static enum vpcx_status map_connect_error(struct transfer *t, CURLcode code)
{
    long os_errno = 0;
    curl_easy_getinfo(t->easy, CURLINFO_OS_ERRNO, &os_errno);
    if (os_errno == ECONNREFUSED)
        t->error = xasprintf("connection refused to %s:%ld", t->host, t->port);
    else
        t->error = xasprintf("could not connect to %s:%ld: %s", t->host, t->port,
                             transfer_detail(t, code));
    return VPCX_ERR_NETWORK;
}

static enum vpcx_status map_curl_error(struct transfer *t, CURLcode code)
{
    const char *detail = transfer_detail(t, code);
    if (curl_code_is_tls(code)) {
        t->error = xasprintf("TLS error with %s:%ld: %s", t->host, t->port, detail);
        return VPCX_ERR_TLS;
    }
    switch (code) {
    case CURLE_COULDNT_CONNECT:
        return map_connect_error(t, code);
    case CURLE_COULDNT_RESOLVE_HOST:
        t->error = xasprintf("could not resolve host %s", t->host);
        return VPCX_ERR_NETWORK;
    case CURLE_COULDNT_RESOLVE_PROXY:
        t->error = xasprintf("could not resolve the proxy: %s", detail);
        return VPCX_ERR_NETWORK;
    case CURLE_OPERATION_TIMEDOUT:
        t->error = xasprintf("request to %s:%ld timed out after %.1f s (%s)", t->host, t->port,
                             t->result.seconds, detail);
        return VPCX_ERR_TIMEOUT;
    case CURLE_PARTIAL_FILE:
        t->error = xasprintf("response from %s:%ld was cut short after %zu bytes (%s)", t->host,
                             t->port, t->result.bytes, detail);
        return VPCX_ERR_TRUNCATED;
    case CURLE_GOT_NOTHING:
        t->error = xasprintf("empty reply from %s:%ld (connection closed)", t->host, t->port);
        return VPCX_ERR_NETWORK;
    case CURLE_WRITE_ERROR:
    case CURLE_ABORTED_BY_CALLBACK:
        if (!t->aborted)
            break;
        t->error = xasprintf("transfer from %s:%ld aborted by the receiver", t->host, t->port);
        return VPCX_ERR_CANCELLED;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        t->error = xasprintf("invalid URL for %s: %s", t->host, detail);
        return VPCX_ERR_CONFIG;
    case CURLE_OUT_OF_MEMORY:
        t->error = xstrdup("libcurl ran out of memory");
        return VPCX_ERR_INTERNAL;
    default:
        break;
    }
    t->error = xasprintf("network error with %s:%ld: %s", t->host, t->port, detail);
    return VPCX_ERR_NETWORK;
}

static void transfer_finish(struct http_engine *e, struct transfer *t, CURLcode code)
{
    long status = 0;
    double seconds = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME, &seconds);
    t->result.http_status = (int)status;
    t->result.seconds = seconds;
    t->result.status = code == CURLE_OK ? VPCX_OK : map_curl_error(t, code);
    curl_multi_remove_handle(e->multi, t->easy);
    e->active--;
    easy_put(e, t->easy);
    t->easy = NULL;
    done_push(e, t);
}

/* ---- the engine ---- */

static void options_fill_defaults(struct http_options *o)
{
    if (o->connect_timeout_ms <= 0)
        o->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
    if (o->total_timeout_ms <= 0)
        o->total_timeout_ms = DEFAULT_TOTAL_TIMEOUT_MS;
    if (o->low_speed_time_s <= 0)
        o->low_speed_time_s = DEFAULT_LOW_SPEED_TIME_S;
    if (o->max_per_host <= 0)
        o->max_per_host = DEFAULT_MAX_PER_HOST;
    if (o->max_total <= 0)
        o->max_total = DEFAULT_MAX_TOTAL;
    if (o->max_total < o->max_per_host)
        o->max_total = o->max_per_host;
}

struct http_engine *http_engine_create(const struct http_options *options, struct vpcx_error *err)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        vpcx_error_set(err, VPCX_ERR_INTERNAL, "could not initialise libcurl");
        return NULL;
    }
    struct http_engine *e = xcalloc(1, sizeof *e);
    if (options)
        e->opts = *options;
    options_fill_defaults(&e->opts);
    e->ca_bundle = e->opts.ca_bundle ? xstrdup(e->opts.ca_bundle) : NULL;
    e->user_agent = xstrdup(e->opts.user_agent ? e->opts.user_agent : "vpcx/" VPCX_VERSION);
    e->opts.ca_bundle = e->ca_bundle;
    e->opts.user_agent = e->user_agent;
    e->multi = curl_multi_init();
    if (!e->multi) {
        vpcx_error_set(err, VPCX_ERR_INTERNAL, "could not create a libcurl multi handle");
        http_engine_destroy(e);
        return NULL;
    }
    curl_multi_setopt(e->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)e->opts.max_per_host);
    curl_multi_setopt(e->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)e->opts.max_total);
    curl_multi_setopt(e->multi, CURLMOPT_MAXCONNECTS, (long)e->opts.max_total);
    return e;
}

static void timers_free(struct http_engine *e)
{
    while (e->timers) {
        struct timer *next = e->timers->next;
        free(e->timers);
        e->timers = next;
    }
    while (e->watches) {
        struct watch *next = e->watches->next;
        free(e->watches);
        e->watches = next;
    }
    e->n_watches = 0;
}

void http_engine_destroy(struct http_engine *e)
{
    if (!e)
        return;
    while (e->head) {
        struct transfer *t = e->head;
        list_unlink(e, t);
        transfer_free(e, t);
    }
    timers_free(e);
    for (int i = 0; i < e->pool_len; i++)
        curl_easy_cleanup(e->pool[i]);
    if (e->multi)
        curl_multi_cleanup(e->multi);
    free(e->ca_bundle);
    free(e->user_agent);
    free(e);
    curl_global_cleanup();
}

static bool timer_remove(struct http_engine *e, uint64_t id)
{
    for (struct timer **p = &e->timers; *p; p = &(*p)->next) {
        if ((*p)->id != id)
            continue;
        struct timer *gone = *p;
        *p = gone->next;
        free(gone);
        return true;
    }
    return false;
}

static struct watch *watch_find(const struct http_engine *e, uint64_t id)
{
    for (struct watch *w = e->watches; w; w = w->next) {
        if (w->id == id)
            return w;
    }
    return NULL;
}

static bool watch_remove(struct http_engine *e, uint64_t id)
{
    for (struct watch **p = &e->watches; *p; p = &(*p)->next) {
        if ((*p)->id != id)
            continue;
        struct watch *gone = *p;
        *p = gone->next;
        free(gone);
        e->n_watches--;
        return true;
    }
    return false;
}

void http_engine_cancel(struct http_engine *e, uint64_t id)
{
    struct transfer *t = transfer_find(e, id);
    if (!t) {
        if (!timer_remove(e, id))
            watch_remove(e, id);
        return;
    }
    if (t->state == TRANSFER_ACTIVE && e->in_perform) {
        /* curl forbids removing a handle from inside its callbacks */
        t->cancelled = true;
        e->need_sweep = true;
        return;
    }
    if (t->state == TRANSFER_DONE)
        done_remove(e, t);
    list_unlink(e, t);
    transfer_free(e, t);
    admit_queued(e);
}

void http_engine_resume(struct http_engine *e, uint64_t id)
{
    struct transfer *t = transfer_find(e, id);
    if (!t || !t->paused || t->state != TRANSFER_ACTIVE)
        return;
    t->paused = false;
    /* The held chunk may be written from here: paused again, or refused, which
       ends the transfer as a refusal inside curl_multi_perform would. */
    CURLcode rc = curl_easy_pause(t->easy, CURLPAUSE_CONT);
    if (rc != CURLE_OK)
        transfer_finish(e, t, rc);
}

uint64_t http_engine_add_timer(struct http_engine *e, long delay_ms, void (*fn)(void *ud), void *ud)
{
    struct timer *tm = xcalloc(1, sizeof *tm);
    tm->id = ++e->next_id;
    tm->due_ms = mono_ms() + (delay_ms > 0 ? delay_ms : 0);
    tm->fn = fn;
    tm->ud = ud;
    struct timer **p = &e->timers;
    while (*p && (*p)->due_ms <= tm->due_ms)
        p = &(*p)->next;
    tm->next = *p;
    *p = tm;
    return tm->id;
}

uint64_t http_engine_watch_fd(struct http_engine *e, int fd, void (*fn)(void *ud), void *ud)
{
    struct watch *w = xcalloc(1, sizeof *w);
    w->id = ++e->next_id;
    w->fd = fd;
    w->fn = fn;
    w->ud = ud;
    w->next = e->watches;
    e->watches = w;
    e->n_watches++;
    return w->id;
}

void http_engine_get_stats(const struct http_engine *e, struct http_engine_stats *out)
{
    *out = e->stats;
}

bool http_engine_idle(const struct http_engine *e)
{
    return !e->head && !e->timers && !e->watches;
}

bool http_engine_pending(const struct http_engine *e, uint64_t id)
{
    if (transfer_find(e, id))
        return true;
    for (const struct timer *tm = e->timers; tm; tm = tm->next) {
        if (tm->id == id)
            return true;
    }
    return watch_find(e, id) != NULL;
}

static int wait_budget_ms(const struct http_engine *e, long max_wait_ms)
{
    long wait = max_wait_ms < 0 || max_wait_ms > WAIT_FOREVER_MS ? WAIT_FOREVER_MS : max_wait_ms;
    if (e->done_head || e->need_sweep)
        return 0;
    if (e->timers) {
        int64_t until = e->timers->due_ms - mono_ms();
        if (until < 0)
            until = 0;
        if (until < wait)
            wait = (long)until;
    }
    return (int)wait;
}

/* Removes transfers cancelled during perform; adds those submitted during it. */
static void sweep(struct http_engine *e)
{
    if (!e->need_sweep)
        return;
    e->need_sweep = false;
    struct transfer *t = e->head;
    while (t) {
        struct transfer *next = t->next;
        if (t->cancelled) {
            if (t->state == TRANSFER_DONE)
                done_remove(e, t);
            list_unlink(e, t);
            transfer_free(e, t);
        } else if (t->state == TRANSFER_PENDING_ADD) {
            transfer_admit(e, t);
        }
        t = next;
    }
}

static void collect_finished(struct http_engine *e)
{
    for (;;) {
        int left = 0;
        CURLMsg *msg = curl_multi_info_read(e->multi, &left);
        if (!msg)
            break;
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *easy = msg->easy_handle;
        CURLcode code = msg->data.result;
        char *priv = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
        if (priv)
            transfer_finish(e, (struct transfer *)(void *)priv, code);
    }
}

static enum vpcx_status run_transfers(struct http_engine *e)
{
    int running = 0;
    e->in_perform = true;
    CURLMcode mc = curl_multi_perform(e->multi, &running);
    e->in_perform = false;
    collect_finished(e);
    sweep(e);
    admit_queued(e);
    return mc == CURLM_OK ? VPCX_OK : VPCX_ERR_INTERNAL;
}

/* Delivers the completions queued now; later ones wait for the next step. */
static void deliver_done(struct http_engine *e)
{
    size_t n = e->done_count;
    for (size_t i = 0; i < n; i++) {
        struct transfer *t = done_pop(e);
        if (!t)
            break;
        list_unlink(e, t);
        t->result.error = t->error;
        if (t->on_done)
            t->on_done(t->ud, &t->result);
        transfer_free(e, t);
    }
}

/* Fires due timers that existed before this call, in order. */
static void fire_timers(struct http_engine *e)
{
    uint64_t last_id = e->next_id;
    int64_t now = mono_ms();
    for (;;) {
        struct timer *tm = e->timers;
        if (!tm || tm->due_ms > now || tm->id > last_id)
            break;
        e->timers = tm->next;
        void (*fn)(void *) = tm->fn;
        void *ud = tm->ud;
        free(tm);
        if (fn)
            fn(ud);
    }
}

static bool fd_readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    /* curl reports only POLLIN; a closed pipe or terminal shows as POLLHUP */
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

/* The caller's fd first, then every watched fd; n_out says how many. */
static struct curl_waitfd *wait_fds(const struct http_engine *e, int extra_fd, unsigned *n_out)
{
    unsigned n = 0;
    struct curl_waitfd *fds = xcalloc(e->n_watches + 1, sizeof(*fds));
    if (extra_fd >= 0)
        fds[n++] = (struct curl_waitfd){.fd = extra_fd, .events = CURL_WAIT_POLLIN};
    for (const struct watch *w = e->watches; w; w = w->next)
        fds[n++] = (struct curl_waitfd){.fd = w->fd, .events = CURL_WAIT_POLLIN};
    *n_out = n;
    return fds;
}

/* Calls the watches whose fd is ready; a callback may cancel any watch, so
   the ready ones are picked by id first and looked up again before each call. */
static void fire_watches(struct http_engine *e)
{
    if (!e->watches)
        return;
    size_t n = 0;
    uint64_t *ready = xcalloc(e->n_watches, sizeof(*ready));
    for (const struct watch *w = e->watches; w; w = w->next) {
        if (fd_readable(w->fd))
            ready[n++] = w->id;
    }
    for (size_t i = 0; i < n; i++) {
        const struct watch *w = watch_find(e, ready[i]);
        if (w)
            w->fn(w->ud);
    }
    free(ready);
}

enum vpcx_status http_engine_step(struct http_engine *e, int extra_fd, long max_wait_ms,
                                  bool *extra_ready)
{
    if (extra_ready)
        *extra_ready = false;
    if (http_engine_idle(e) && extra_fd < 0)
        return VPCX_OK;
    unsigned nfds = 0;
    struct curl_waitfd *fds = wait_fds(e, extra_fd, &nfds);
    int numfds = 0;
    CURLMcode mc =
        curl_multi_poll(e->multi, nfds ? fds : NULL, nfds, wait_budget_ms(e, max_wait_ms), &numfds);
    free(fds);
    if (mc != CURLM_OK)
        return VPCX_ERR_INTERNAL;
    double t0 = clock_usec(CLOCK_MONOTONIC);
    if (extra_ready && extra_fd >= 0)
        *extra_ready = fd_readable(extra_fd);
    enum vpcx_status st = run_transfers(e);
    deliver_done(e);
    fire_timers(e);
    fire_watches(e);
    double busy = clock_usec(CLOCK_MONOTONIC) - t0;
    e->stats.steps++;
    e->stats.last_busy_usec = busy;
    e->stats.total_busy_usec += busy;
    if (busy > e->stats.max_busy_usec)
        e->stats.max_busy_usec = busy;
    return st;
}

enum vpcx_status http_engine_wait(struct http_engine *e, uint64_t id)
{
    while (http_engine_pending(e, id)) {
        enum vpcx_status st = http_engine_step(e, -1, -1, NULL);
        if (st != VPCX_OK)
            return st;
    }
    return VPCX_OK;
}

char *http_host_of_url(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL, *port = NULL, *scheme = NULL, *out = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
        curl_url_get(u, CURLUPART_PORT, &port, 0);
        bool default_port = !port ||
                            (scheme && strcmp(scheme, "https") == 0 && strcmp(port, "443") == 0) ||
                            (scheme && strcmp(scheme, "http") == 0 && strcmp(port, "80") == 0);
        out = default_port ? xstrdup(host) : xasprintf("%s:%s", host, port);
    }
    curl_free(host);
    curl_free(port);
    curl_free(scheme);
    curl_url_cleanup(u);
    return out;
}
