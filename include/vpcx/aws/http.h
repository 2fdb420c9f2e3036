/*
 * http: the HTTP engine, one libcurl multi handle driven by one blocking wait.
 *
 * Many transfers run at once on one thread. Connections are kept alive and
 * reused through the multi handle's connection cache (HTTP/1.1), capped per
 * host and in total. A request beyond the caps waits in the engine, in submit
 * order, and enters libcurl only when a slot frees: its timeouts count from
 * then, never from the submit. Bodies may be gzip-encoded (decoded by curl). TLS peer and
 * host verification are always on. Plain http:// is refused unless the host is
 * loopback (127.0.0.0/8, ::1, localhost) or allow_plain_http is set. Proxies
 * come from the usual environment variables (http_proxy, HTTPS_PROXY,
 * NO_PROXY) as libcurl reads them (list loopback in NO_PROXY to keep it off
 * a proxy). Redirects are never followed. Request headers are never logged
 * except through the opt-in trace, which redacts credentials.
 *
 * Callbacks: on_data runs inside http_engine_step() as body bytes arrive; it
 * must not submit or cancel (return false to abort its own transfer).
 * on_done runs exactly once per submitted request (unless it was cancelled),
 * from http_engine_step() and never from inside submit, even for requests
 * refused before any network attempt; it may submit, cancel and add timers.
 * Timer and fd-watch callbacks have the same freedom. Nothing is thread-safe:
 * one thread.
 *
 * Ownership: submit copies the request (method, URL, headers, body); the ud
 * pointers stay the caller's. The http_result passed to on_done, and its error
 * text, live only during the callback.
 */
#ifndef VPCX_AWS_HTTP_H
#define VPCX_AWS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vpcx/core/status.h"

struct http_engine;

/* Zero fields take the defaults in brackets. */
struct http_options {
    const char *ca_bundle;   /* CURLOPT_CAINFO [libcurl's default store] */
    bool allow_plain_http;   /* permit http:// to non-loopback hosts [false] */
    long connect_timeout_ms; /* [10 s] */
    long total_timeout_ms;   /* per transfer, from its send [60 s] */
    long low_speed_time_s;   /* abort after this long below 1 byte/s [30 s] */
    int max_per_host;        /* connections per host [8] */
    int max_total;           /* connections in all [32] */
    const char *user_agent;  /* [vpcx/<version>] */
    /* Optional debug trace: connection events and headers, one sanitised line
     * per call, "#<id> > " (sent), "< " (received) or "* " (curl). Values of
     * Authorization, Proxy-Authorization, X-Amz-Security-Token, Cookie,
     * Set-Cookie and X-aws-ec2-metadata-token, and request-line query strings, are "[redacted]".
     * Bodies are never traced. */
    void (*trace)(void *trace_ud, const char *line);
    void *trace_ud;
};

struct http_result {
    int http_status;         /* 0 when no response status arrived */
    enum vpcx_status status; /* VPCX_OK if a whole response arrived, whatever its status */
    const char *error;       /* specific text when status != VPCX_OK, else NULL */
    size_t bytes;            /* body bytes delivered to on_data */
    double seconds;          /* total transfer time */
};

enum http_body {
    HTTP_BODY_TAKEN,
    HTTP_BODY_ABORT, /* as on_data's false */
    HTTP_BODY_PAUSE,
};

struct http_request {
    const char *method;         /* "GET" when NULL; "POST" sends body */
    const char *url;            /* http:// or https:// */
    const char *const *headers; /* "Name: value", NULL-terminated; may be NULL */
    const void *body;           /* may be NULL */
    size_t body_len;
    /* Each chunk of the body as it arrives; false aborts (ERR_CANCELLED). May be NULL. */
    bool (*on_data)(void *ud, const char *data, size_t len, int http_status);
    /* Instead of on_data, a receiver that may also hold the body back: HTTP_BODY_PAUSE
       leaves the chunk untaken and stops reading until http_engine_resume(); the same
       chunk then comes again. The connection's own buffers hold what waits. */
    enum http_body (*on_body)(void *ud, const char *data, size_t len, int http_status);
    /* Once, at the end. May be NULL. */
    void (*on_done)(void *ud, const struct http_result *result);
    void *ud;
    /* Open a new connection instead of reusing one (a retry after a network error). */
    bool fresh_connect;
    /* Connect and total limit of this transfer; 0 = the engine's (metadata
     * services answer within a second or not at all). */
    long timeout_ms;
    /* Plain http:// to this non-loopback host is expected (the instance and
     * container metadata services, whose addresses the caller checked). */
    bool plain_http_ok;
};

/* NULL options means all defaults. Returns NULL and fills err on failure. */
struct http_engine *http_engine_create(const struct http_options *options, struct vpcx_error *err);
/* Stops every transfer and timer without calling their callbacks. NULL is a no-op. */
void http_engine_destroy(struct http_engine *engine);

/* Starts a transfer; returns its id (never 0). Failures arrive in on_done. */
uint64_t http_engine_submit(struct http_engine *engine, const struct http_request *request);
/* Cancels a transfer or a timer by id; its callbacks are not called. Unknown
 * or finished ids are ignored. */
void http_engine_cancel(struct http_engine *engine, uint64_t id);
/* Reading resumes for a transfer its on_body paused (from any callback but its
 * own on_body, or between steps); the held chunk may be delivered from inside this
 * call. Unknown, finished or unpaused ids are ignored. */
void http_engine_resume(struct http_engine *engine, uint64_t id);
/* Calls fn(ud) once, from http_engine_step(), after delay_ms (>= 0). Timers
 * due at the same time fire in the order they were added. Returns an id. */
uint64_t http_engine_add_timer(struct http_engine *engine, long delay_ms, void (*fn)(void *ud),
                               void *ud);

/*
 * Calls fn(ud) from http_engine_step() whenever fd is readable or hung up,
 * until the watch is cancelled with http_engine_cancel(id). The fd joins the
 * engine's one blocking wait (a child's pipes, for instance), and the engine
 * is not idle while a watch exists. fn must read what is there or cancel the
 * watch, or the next step wakes at once. The caller keeps the fd.
 */
uint64_t http_engine_watch_fd(struct http_engine *engine, int fd, void (*fn)(void *ud), void *ud);

/*
 * One blocking wait: waits on the network, the watched fds and on extra_fd (ignored when < 0)
 * for at most max_wait_ms (no limit when < 0) and no later than the nearest
 * timer, then runs transfers, delivers completions and fires due timers.
 * *extra_ready (may be NULL) tells whether extra_fd became readable. Returns
 * at once when idle and there is no extra_fd. VPCX_ERR_INTERNAL on a libcurl
 * multi failure.
 */
enum vpcx_status http_engine_step(struct http_engine *engine, int extra_fd, long max_wait_ms,
                                  bool *extra_ready);
/* The engine thread's work per step: wall time from the wait's return to the
 * step's end (transfers, completions, timers, watches: everything but waiting). */
struct http_engine_stats {
    unsigned long steps;
    double last_busy_usec, max_busy_usec, total_busy_usec;
};
void http_engine_get_stats(const struct http_engine *engine, struct http_engine_stats *out);
/* True when no transfer, completion, timer or fd watch is pending. */
bool http_engine_idle(const struct http_engine *engine);
/* True while the transfer, timer or watch id has not finished or been cancelled. */
bool http_engine_pending(const struct http_engine *engine, uint64_t id);
/* For start-up paths: steps until id is finished (other work runs too). */
enum vpcx_status http_engine_wait(struct http_engine *engine, uint64_t id);

/* The Host header curl sends for url: host[:port], default ports left out; NULL when url
   is not a URL. */
char *http_host_of_url(const char *url);

/* True for localhost, 127.0.0.0/8, ::1 (bracketed or not) and ::ffff:127.x. */
bool http_host_is_loopback(const char *host);

#endif
