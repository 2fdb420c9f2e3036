#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vpcx/aws/http.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

/* ---- the Python server, started once for the group ---- */

static struct {
    pid_t pid;
    int stdin_fd; /* closing it also stops the server */
    int port;
} server = {.pid = -1, .stdin_fd = -1};

static char *server_script(void)
{
    const char *src = getenv("VPCX_SRCDIR");
    return xasprintf("%s/tests/tools/http_test_server.py", src ? src : "/work/main");
}

static int read_port(int fd)
{
    char line[32] = {0};
    size_t len = 0;
    while (len + 1 < sizeof line) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 20000) <= 0)
            return -1;
        ssize_t n = read(fd, line + len, 1);
        if (n <= 0 || line[len] == '\n')
            break;
        len++;
    }
    return (int)strtol(line, NULL, 10);
}

static int group_setup(void **state)
{
    /* loopback never goes through a proxy from the test environment */
    setenv("NO_PROXY", "127.0.0.1,localhost,::1", 1);
    setenv("no_proxy", "127.0.0.1,localhost,::1", 1);
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0)
        return -1;
    char *script = server_script();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execlp("python3", "python3", script, (char *)NULL);
        _exit(127);
    }
    free(script);
    close(in[0]);
    close(out[1]);
    server.pid = pid;
    server.stdin_fd = in[1];
    server.port = read_port(out[0]);
    close(out[0]);
    return pid > 0 && server.port > 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    if (server.pid > 0) {
        kill(server.pid, SIGTERM);
        waitpid(server.pid, NULL, 0);
        server.pid = -1;
    }
    if (server.stdin_fd >= 0)
        close(server.stdin_fd);
    return 0;
}

static char *url_for(const char *path)
{
    return xasprintf("http://127.0.0.1:%d%s", server.port, path);
}

/* ---- collecting one request's outcome ---- */

struct outcome {
    struct strbuf body;
    int chunks;
    int done;
    int http_status;
    enum vpcx_status status;
    char *error;
    size_t bytes;
    double seconds;
    int abort_after; /* on_data returns false at this chunk (0: never) */
};

static void outcome_init(struct outcome *o)
{
    memset(o, 0, sizeof *o);
    strbuf_init(&o->body, 0);
    o->status = VPCX_ERR_INTERNAL;
}

static void outcome_finish(struct outcome *o)
{
    strbuf_release(&o->body);
    free(o->error);
}

static bool on_data(void *ud, const char *data, size_t len, int http_status)
{
    struct outcome *o = ud;
    strbuf_add(&o->body, data, len);
    o->chunks++;
    o->http_status = http_status;
    return !(o->abort_after && o->chunks >= o->abort_after);
}

static void on_done(void *ud, const struct http_result *r)
{
    struct outcome *o = ud;
    o->done++;
    o->http_status = r->http_status;
    o->status = r->status;
    free(o->error);
    o->error = r->error ? xstrdup(r->error) : NULL;
    o->bytes = r->bytes;
    o->seconds = r->seconds;
}

static struct http_engine *engine_new(int per_host, long total_timeout_ms)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    struct http_options opts = {
        .connect_timeout_ms = 5000,
        .total_timeout_ms = total_timeout_ms,
        .max_per_host = per_host,
        .max_total = 16,
        .user_agent = "vpcx-test",
    };
    struct http_engine *e = http_engine_create(&opts, &err);
    assert_non_null(e);
    vpcx_error_finish(&err);
    return e;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run_until_idle(struct http_engine *e)
{
    double start = mono_s();
    while (!http_engine_idle(e)) {
        assert_int_equal(http_engine_step(e, -1, 1000, NULL), VPCX_OK);
        if (mono_s() - start > 60)
            fail_msg("engine not idle after 60 s");
    }
}

static uint64_t submit_get(struct http_engine *e, const char *url, struct outcome *o)
{
    struct http_request req = {.url = url, .on_data = on_data, .on_done = on_done, .ud = o};
    return http_engine_submit(e, &req);
}

/* One GET, run to completion, with the URL built from path. */
static void fetch(struct http_engine *e, const char *path, struct outcome *o)
{
    char *url = url_for(path);
    uint64_t id = submit_get(e, url, o);
    free(url);
    assert_int_equal(http_engine_wait(e, id), VPCX_OK);
    assert_int_equal(o->done, 1);
}

static char *ok_body(int n)
{
    struct strbuf sb;
    strbuf_init(&sb, 0);
    for (int i = 0; i < n; i++)
        strbuf_addf(&sb, "%06d\n", i);
    return strbuf_detach(&sb, NULL);
}

/* A JSON number from /stats, e.g. stat_get(e, "connections", "cap"). */
static long stat_get(struct http_engine *e, const char *key, const char *tag)
{
    struct outcome o;
    outcome_init(&o);
    char *path = xasprintf("/stats?tag=%s", tag);
    fetch(e, path, &o);
    free(path);
    char *needle = xasprintf("\"%s\": ", key);
    const char *at = strstr(strbuf_str(&o.body), needle);
    assert_non_null(at);
    long v = strtol(at + strlen(needle), NULL, 10);
    free(needle);
    outcome_finish(&o);
    return v;
}

/* ---- tests ---- */

static void test_get_body_in_chunks(void **state)
{
    struct http_engine *e = engine_new(4, 20000);
    struct outcome o;
    outcome_init(&o);
    fetch(e, "/ok?n=3000&chunks=6", &o);
    char *want = ok_body(3000);
    assert_int_equal(o.status, VPCX_OK);
    assert_int_equal(o.http_status, 200);
    assert_null(o.error);
    assert_string_equal(strbuf_str(&o.body), want);
    assert_int_equal(o.bytes, strlen(want));
    assert_true(o.chunks >= 1);
    free(want);
    outcome_finish(&o);
    http_engine_destroy(e);
}

static void test_gzip_decoded(void **state)
{
    struct http_engine *e = engine_new(4, 20000);
    struct outcome o;
    outcome_init(&o);
    fetch(e, "/gzip", &o);
    char *want = ok_body(500);
    assert_int_equal(o.status, VPCX_OK);
    assert_int_equal(o.http_status, 200); /* 406 when gzip was not offered */
    assert_string_equal(strbuf_str(&o.body), want);
    free(want);
    outcome_finish(&o);
    http_engine_destroy(e);
}

static void test_post_body_without_expect(void **state)
{
    struct http_engine *e = engine_new(4, 20000);
    struct outcome o;
    outcome_init(&o);
    struct strbuf body;
    strbuf_init(&body, 0);
    /* large enough (1.1 MB) that libcurl would ask for 100-continue */
    for (int i = 0; i < 100000; i++)
        strbuf_addstr(&body, "Filter.1=x&");
    const char *headers[] = {"Content-Type: application/x-www-form-urlencoded; charset=utf-8",
                             NULL};
    char *url = url_for("/echo");
    struct http_request req = {.method = "POST",
                               .url = url,
                               .headers = headers,
                               .body = body.buf,
                               .body_len = body.len,
                               .on_data = on_data,
                               .on_done = on_done,
                               .ud = &o};
    uint64_t id = http_engine_submit(e, &req);
    free(url);
    assert_int_equal(http_engine_wait(e, id), VPCX_OK);
    char *head = xasprintf("POST len=%zu expect=-\n", body.len);
    size_t hlen = strlen(head);
    assert_int_equal(o.body.len, hlen + body.len);
    assert_true(memcmp(o.body.buf, head, hlen) == 0); /* (no message: the body is 1 MB) */
    assert_true(memcmp(o.body.buf + hlen, body.buf, body.len) == 0);
    free(head);
    strbuf_release(&body);
    outcome_finish(&o);
    http_engine_destroy(e);
}

static void test_keepalive_reuse(void **state)
{
    struct http_engine *e = engine_new(2, 20000);
    long conns = stat_get(e, "connections", "");
    long reqs = stat_get(e, "requests", "");
    for (int i = 0; i < 20; i++) {
        struct outcome o;
        outcome_init(&o);
        fetch(e, "/ok?n=10&chunks=1", &o);
        assert_int_equal(o.status, VPCX_OK);
        outcome_finish(&o);
    }
    assert_int_equal(stat_get(e, "requests", "") - reqs, 20);
    long opened = stat_get(e, "connections", "") - conns;
    assert_true(opened <= 2);
    http_engine_destroy(e);
}

static void test_50_concurrent_with_host_cap(void **state)
{
    enum { N = 50, CAP = 8 };
    struct http_engine *e = engine_new(CAP, 30000);
    long conns = stat_get(e, "connections", "");
    struct outcome o[N];
    char *url = url_for("/delay?ms=100&tag=cap");
    for (int i = 0; i < N; i++) {
        outcome_init(&o[i]);
        submit_get(e, url, &o[i]);
    }
    free(url);
    run_until_idle(e);
    for (int i = 0; i < N; i++) {
        assert_int_equal(o[i].done, 1);
        assert_int_equal(o[i].status, VPCX_OK);
        assert_string_equal(strbuf_str(&o[i].body), "delayed");
        outcome_finish(&o[i]);
    }
    long peak = stat_get(e, "max_inflight", "cap");
    assert_true(peak <= CAP);
    assert_true(peak >= 2); /* they did run side by side */
    assert_true(stat_get(e, "connections", "") - conns <= CAP);
    http_engine_destroy(e);
}

/* Requests waiting for a connection slot do not spend their timeout waiting:
   four 600 ms answers through one connection take 2.4 s in all, each well
   inside its 1.5 s budget once it is sent. */
static void test_timeout_counts_from_send(void **state)
{
    enum { N = 4 };
    struct http_engine *e = engine_new(1, 1500);
    struct outcome o[N];
    char *url = url_for("/delay?ms=600&tag=queued");
    for (int i = 0; i < N; i++) {
        outcome_init(&o[i]);
        submit_get(e, url, &o[i]);
    }
    free(url);
    run_until_idle(e);
    for (int i = 0; i < N; i++) {
        assert_int_equal(o[i].done, 1);
        if (o[i].status != VPCX_OK)
            fail_msg("request %d: %s", i, o[i].error ? o[i].error : "?");
        assert_string_equal(strbuf_str(&o[i].body), "delayed");
        outcome_finish(&o[i]);
    }
    assert_true(stat_get(e, "max_inflight", "queued") <= 1);
    http_engine_destroy(e);
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void test_connection_refused(void **state)
{
    struct http_engine *e = engine_new(4, 20000);
    struct outcome o;
    outcome_init(&o);
    int port = free_port();
    char *url = xasprintf("http://127.0.0.1:%d/", port);
    assert_int_equal(http_engine_wait(e, submit_get(e, url, &o)), VPCX_OK);
    char *where = xasprintf("127.0.0.1:%d", port);
    assert_int_equal(o.done, 1);
    assert_int_equal(o.status, VPCX_ERR_NETWORK);
    assert_int_equal(o.http_status, 0);
    assert_non_null(strstr(o.error, where));
    assert_non_null(strstr(o.error, "refused"));
    free(where);
    free(url);
    outcome_finish(&o);
    http_engine_destroy(e);
}

static void test_total_timeout(void **state)
{
    struct http_engine *e = engine_new(4, 300);
    struct outcome o;
    outcome_init(&o);
    fetch(e, "/delay?ms=3000&tag=timeout", &o);
    assert_int_equal(o.status, VPCX_ERR_TIMEOUT);
    assert_non_null(strstr(o.error, "timed out"));
    outcome_finish(&o);
    http_engine_destroy(e);
}

static void test_truncated_body(void **state)
{
    struct http_engine *e = engine_new(4, 20000);
    struct outcome o;
    outcome_init(&o);
    fetch(e, "/truncated", &o);
    assert_int_equal(o.status, VPCX_ERR_TRUNCATED);
    assert_int_equal(o.http_status, 200);
    assert_int_equal(o.bytes, 100);
    assert_non_null(strstr(o.error, "cut short"));
    outcome_finish(&o);
    http_engine_destroy(e);
}

static void test_503_is_a_response(void **state)
{
    struct http_engine *e = engine_new(4, 20000);
    struct outcome o;
    outcome_init(&o);
    fetch(e, "/status?code=503", &o);
    assert_int_equal(o.status, VPCX_OK);
    assert_int_equal(o.http_status, 503);
    assert_null(o.error);
    assert_non_null(strstr(strbuf_str(&o.body), "<Code>Unavailable</Code>"));
    outcome_finish(&o);
    http_engine_destroy(e);
}

static void expect_refused(struct http_engine *e, const char *url, const char *mention)
{
    struct outcome o;
    outcome_init(&o);
    uint64_t id = submit_get(e, url, &o);
    assert_int_equal(o.done, 0); /* never called back from inside submit */
    assert_true(http_engine_pending(e, id));
    assert_int_equal(http_engine_wait(e, id), VPCX_OK);
    assert_int_equal(o.done, 1);
    assert_int_equal(o.status, VPCX_ERR_CONFIG);
    assert_int_equal(o.http_status, 0);
    assert_true(o.seconds == 0.0); /* no transfer was attempted */
    assert_non_null(strstr(o.error, mention));
    outcome_finish(&o);
}

static void test_plain_http_refused(void **state)
{
    struct http_engine *e = engine_new(4, 20000);
    /* TEST-NET-1: a network attempt would time out, not fail as ERR_CONFIG */
    expect_refused(e, "http://192.0.2.1:4566/", "refusing plain http:// to 192.0.2.1");
    expect_refused(e, "http://ec2.us-east-1.amazonaws.com/", "ec2.us-east-1.amazonaws.com");
    expect_refused(e, "ftp://127.0.0.1/", "unsupported URL scheme");
    expect_refused(e, "not a url", "invalid URL");
    assert_true(http_engine_idle(e));
    http_engine_destroy(e);
}

static void test_loopback_hosts(void **state)
{
    assert_true(http_host_is_loopback("localhost"));
    assert_true(http_host_is_loopback("LOCALHOST"));
    assert_true(http_host_is_loopback("127.0.0.1"));
    assert_true(http_host_is_loopback("127.255.3.4"));
    assert_true(http_host_is_loopback("::1"));
    assert_true(http_host_is_loopback("[::1]"));
    assert_true(http_host_is_loopback("::ffff:127.0.0.1"));
    assert_false(http_host_is_loopback("128.0.0.1"));
    assert_false(http_host_is_loopback("10.0.0.1"));
    assert_false(http_host_is_loopback("localhost.example.com"));
    assert_false(http_host_is_loopback("127.0.0.1.nip.io"));
    assert_false(http_host_is_loopback("::2"));
    assert_false(http_host_is_loopback(""));
    assert_false(http_host_is_loopback(NULL));

    struct http_engine *e = engine_new(4, 20000);
    struct outcome o;
    outcome_init(&o);
    char *url = xasprintf("http://localhost:%d/ok?n=5", server.port);
    assert_int_equal(http_engine_wait(e, submit_get(e, url, &o)), VPCX_OK);
    assert_int_equal(o.status, VPCX_OK);
    assert_int_equal(o.http_status, 200);
    free(url);
    outcome_finish(&o);
    http_engine_destroy(e);
}

static void test_slow_body_streams(void **state)
{
    struct http_engine *e = engine_new(4, 20000);
    struct outcome o;
    outcome_init(&o);
    fetch(e, "/slow?chunks=4&ms=100", &o);
    assert_int_equal(o.status, VPCX_OK);
    assert_string_equal(strbuf_str(&o.body), "slow-0\nslow-1\nslow-2\nslow-3\n");
    assert_true(o.chunks >= 2); /* delivered as it arrived, not at the end */
    outcome_finish(&o);
    http_engine_destroy(e);
}

/* Holds every chunk once (HTTP_BODY_PAUSE), resuming from a timer, as the parse worker does. */
struct pausing {
    struct outcome o; /* first: on_done takes it */
    struct http_engine *e;
    uint64_t id;
    int pauses;
    bool held;
};

static void pausing_resume(void *ud)
{
    struct pausing *p = ud;
    http_engine_resume(p->e, p->id);
}

static enum http_body pausing_body(void *ud, const char *data, size_t len, int http_status)
{
    struct pausing *p = ud;
    if (!p->held) {
        p->held = true;
        p->pauses++;
        http_engine_add_timer(p->e, 0, pausing_resume, p);
        return HTTP_BODY_PAUSE;
    }
    p->held = false;
    on_data(&p->o, data, len, http_status);
    return HTTP_BODY_TAKEN;
}

static void pausing_fetch(const char *path, struct pausing *p)
{
    outcome_init(&p->o);
    p->e = engine_new(4, 20000);
    char *url = url_for(path);
    struct http_request req = {.url = url, .on_body = pausing_body, .on_done = on_done, .ud = p};
    p->id = http_engine_submit(p->e, &req);
    free(url);
    run_until_idle(p->e);
    http_engine_destroy(p->e);
    assert_int_equal(p->o.done, 1);
}

static void test_pause_and_resume(void **state)
{
    struct pausing p = {0};
    pausing_fetch("/ok?n=3000&chunks=6", &p);
    char *want = ok_body(3000);
    assert_int_equal(p.o.status, VPCX_OK);
    assert_string_equal(strbuf_str(&p.o.body), want);
    assert_int_equal(p.o.bytes, strlen(want)); /* a held chunk counts once */
    assert_int_equal(p.pauses, p.o.chunks);
    outcome_finish(&p.o);
    memset(&p, 0, sizeof(p));
    pausing_fetch("/gzip", &p); /* held after decoding, and handed over again decoded */
    free(want);
    want = ok_body(500);
    assert_int_equal(p.o.status, VPCX_OK);
    assert_string_equal(strbuf_str(&p.o.body), want);
    assert_true(p.pauses >= 1);
    free(want);
    outcome_finish(&p.o);
}

static void test_abort_from_on_data(void **state)
{
    struct http_engine *e = engine_new(4, 20000);
    struct outcome o;
    outcome_init(&o);
    o.abort_after = 1;
    fetch(e, "/slow?chunks=4&ms=100", &o);
    assert_int_equal(o.status, VPCX_ERR_CANCELLED);
    assert_int_equal(o.chunks, 1);
    assert_non_null(strstr(o.error, "aborted"));
    outcome_finish(&o);
    http_engine_destroy(e);
}

static void test_cancel(void **state)
{
    struct http_engine *e = engine_new(4, 20000);
    struct outcome a, b, c;
    outcome_init(&a);
    outcome_init(&b);
    outcome_init(&c);
    char *url = url_for("/delay?ms=300&tag=cancel");
    uint64_t ida = submit_get(e, url, &a);
    uint64_t idb = submit_get(e, url, &b);
    uint64_t idc = submit_get(e, "http://192.0.2.1/", &c); /* refused, queued */
    free(url);
    http_engine_cancel(e, ida);
    http_engine_cancel(e, idc);
    assert_false(http_engine_pending(e, ida));
    assert_int_equal(http_engine_step(e, -1, 50, NULL), VPCX_OK);
    http_engine_cancel(e, idb);    /* mid-transfer */
    http_engine_cancel(e, 999999); /* unknown: ignored */
    assert_true(http_engine_idle(e));
    run_until_idle(e);
    assert_int_equal(a.done + b.done + c.done, 0);
    outcome_finish(&a);
    outcome_finish(&b);
    outcome_finish(&c);
    http_engine_destroy(e);
}

struct timer_log {
    int order[8];
    int n;
    struct http_engine *engine;
};

struct timer_arg {
    struct timer_log *log;
    int tag;
};

static void on_timer(void *ud)
{
    struct timer_arg *a = ud;
    a->log->order[a->log->n++] = a->tag;
}

static struct timer_arg chained = {NULL, 99};

static void on_timer_chain(void *ud)
{
    struct timer_arg *a = ud;
    on_timer(ud);
    chained.log = a->log;
    http_engine_add_timer(a->log->engine, 0, on_timer, &chained);
}

static void test_timers_fire_in_order(void **state)
{
    struct http_engine *e = engine_new(4, 20000);
    struct timer_log log = {.engine = e};
    struct timer_arg t30 = {&log, 30}, t10 = {&log, 10}, t20 = {&log, 20}, t0 = {&log, 0},
                     t0b = {&log, 1}, gone = {&log, -1}, t40 = {&log, 40};
    http_engine_add_timer(e, 30, on_timer, &t30);
    http_engine_add_timer(e, 10, on_timer, &t10);
    uint64_t id = http_engine_add_timer(e, 15, on_timer, &gone);
    http_engine_add_timer(e, 20, on_timer, &t20);
    http_engine_add_timer(e, 0, on_timer, &t0);
    http_engine_add_timer(e, 0, on_timer, &t0b);
    http_engine_add_timer(e, 40, on_timer_chain, &t40);
    assert_true(http_engine_pending(e, id));
    http_engine_cancel(e, id);
    assert_false(http_engine_pending(e, id));
    assert_false(http_engine_idle(e));
    run_until_idle(e);
    int want[] = {0, 1, 10, 20, 30, 40, 99};
    assert_int_equal(log.n, 7);
    assert_memory_equal(log.order, want, sizeof want);
    http_engine_destroy(e);
}

static void test_step_extra_fd(void **state)
{
    struct http_engine *e = engine_new(4, 20000);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    bool ready = true;
    assert_int_equal(http_engine_step(e, fds[0], 50, &ready), VPCX_OK);
    assert_false(ready);
    assert_int_equal(write(fds[1], "k", 1), 1);
    assert_int_equal(http_engine_step(e, fds[0], 5000, &ready), VPCX_OK);
    assert_true(ready);
    char c;
    assert_int_equal(read(fds[0], &c, 1), 1);

    /* a pending timer bounds the wait; the fd stays quiet */
    struct timer_log log = {.engine = e};
    struct timer_arg t = {&log, 5};
    http_engine_add_timer(e, 20, on_timer, &t);
    while (log.n == 0) {
        assert_int_equal(http_engine_step(e, fds[0], -1, &ready), VPCX_OK);
        assert_false(ready);
    }
    /* end of file counts as readable (a closed stdin must not spin) */
    close(fds[1]);
    assert_int_equal(http_engine_step(e, fds[0], 5000, &ready), VPCX_OK);
    assert_true(ready);
    close(fds[0]);
    http_engine_destroy(e);
}

struct watch_log {
    struct http_engine *engine;
    int fd;
    int calls;
    char got[16];
    size_t len;
    uint64_t self, other;
};

/* Reads one byte; at end of file cancels itself and the other watch. */
static void on_watch(void *ud)
{
    struct watch_log *w = ud;
    w->calls++;
    char c;
    ssize_t n = read(w->fd, &c, 1);
    if (n == 1 && w->len < sizeof(w->got))
        w->got[w->len++] = c;
    if (n == 0) {
        http_engine_cancel(w->engine, w->self);
        http_engine_cancel(w->engine, w->other);
    }
}

static void on_watch_never(void *ud)
{
    struct watch_log *w = ud;
    w->calls++;
}

/* A watched fd joins the wait, keeps the engine busy, and a callback may
   cancel any watch, its own included. */
static void test_watch_fd(void **state)
{
    struct http_engine *e = engine_new(4, 20000);
    int a[2], b[2];
    assert_int_equal(pipe(a), 0);
    assert_int_equal(pipe(b), 0);
    struct watch_log wa = {.engine = e, .fd = a[0]}, wb = {.engine = e, .fd = b[0]};
    wa.self = http_engine_watch_fd(e, a[0], on_watch, &wa);
    wb.self = http_engine_watch_fd(e, b[0], on_watch_never, &wb);
    wa.other = wb.self;
    assert_false(http_engine_idle(e));
    assert_true(http_engine_pending(e, wa.self));

    /* quiet fds: the step waits its budget, then nothing is called */
    double t0 = mono_s();
    assert_int_equal(http_engine_step(e, -1, 100, NULL), VPCX_OK);
    assert_true(mono_s() - t0 >= 0.08);
    assert_int_equal(wa.calls + wb.calls, 0);

    assert_int_equal(write(a[1], "xy", 2), 2);
    assert_int_equal(http_engine_step(e, -1, 5000, NULL), VPCX_OK);
    assert_int_equal(wa.calls, 1);
    close(a[1]); /* the reader sees "y", then end of file, then cancels both */
    for (int i = 0; i < 10 && !http_engine_idle(e); i++)
        assert_int_equal(http_engine_step(e, -1, 5000, NULL), VPCX_OK);
    assert_true(http_engine_idle(e));
    assert_false(http_engine_pending(e, wb.self));
    assert_int_equal(wa.len, 2);
    assert_memory_equal(wa.got, "xy", 2);
    assert_int_equal(wb.calls, 0);
    close(a[0]);
    close(b[0]);
    close(b[1]);
    http_engine_destroy(e);
}

struct chain {
    struct http_engine *engine;
    char *url;
    int left;
    int completed;
};

static void on_chain_done(void *ud, const struct http_result *r)
{
    struct chain *ch = ud;
    if (r->status == VPCX_OK && r->http_status == 200)
        ch->completed++;
    if (--ch->left > 0) {
        struct http_request req = {.url = ch->url, .on_done = on_chain_done, .ud = ch};
        http_engine_submit(ch->engine, &req);
    }
}

static void test_submit_from_on_done(void **state)
{
    struct http_engine *e = engine_new(4, 20000);
    struct chain ch = {.engine = e, .url = url_for("/ok?n=3"), .left = 3};
    struct http_request req = {.url = ch.url, .on_done = on_chain_done, .ud = &ch};
    http_engine_submit(e, &req);
    run_until_idle(e);
    assert_int_equal(ch.completed, 3);
    free(ch.url);
    http_engine_destroy(e);
    http_engine_destroy(NULL);
}

static void collect_trace(void *ud, const char *line)
{
    struct strbuf *sb = ud;
    strbuf_addstr(sb, line);
    strbuf_addch(sb, '\n');
}

static void test_trace_redacts_secrets(void **state)
{
    struct strbuf trace;
    strbuf_init(&trace, 0);
    struct vpcx_error err;
    vpcx_error_init(&err);
    struct http_options opts = {.trace = collect_trace, .trace_ud = &trace};
    struct http_engine *e = http_engine_create(&opts, &err);
    assert_non_null(e);
    const char *headers[] = {
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/x, Signature=SIGSECRET",
        "x-amz-security-token: TOKENSECRET",
        "X-Amz-Date: 20240101T000000Z",
        NULL,
    };
    struct outcome o;
    outcome_init(&o);
    char *url = url_for("/ok?n=2&X-Amz-Signature=QUERYSECRET");
    struct http_request req = {
        .url = url, .headers = headers, .on_data = on_data, .on_done = on_done, .ud = &o};
    assert_int_equal(http_engine_wait(e, http_engine_submit(e, &req)), VPCX_OK);
    assert_int_equal(o.status, VPCX_OK);
    const char *t = strbuf_str(&trace);
    assert_non_null(strstr(t, "> GET /ok?[redacted] HTTP/1.1\n"));
    assert_non_null(strstr(t, "> Authorization: [redacted]\n"));
    assert_non_null(strstr(t, "> x-amz-security-token: [redacted]\n"));
    assert_non_null(strstr(t, "> X-Amz-Date: 20240101T000000Z\n"));
    assert_non_null(strstr(t, "< HTTP/1.1 200"));
    assert_null(strstr(t, "SECRET"));
    assert_null(strstr(t, "000001")); /* no body */
    free(url);
    outcome_finish(&o);
    strbuf_release(&trace);
    vpcx_error_finish(&err);
    http_engine_destroy(e);
}

/* ---- the header list under libcurl's allocator ---- */

#define SECRET_SIG   "SigMarker0123456789abcdef"
#define SECRET_TOKEN "TokenMarkerQWERTYUIOP"
#define FAIL_MARKER  "FailThisHeader"

/* What libcurl frees, watched through curl_global_init_mem(). */
static struct {
    int frees;
    int frees_with_secret;
} curl_mem;

static bool block_contains(const char *p, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(p + i, needle, n) == 0)
            return true;
    }
    return false;
}

static void watch_free(void *ptr)
{
    if (ptr) {
        size_t len = malloc_usable_size(ptr);
        curl_mem.frees++;
        if (block_contains(ptr, len, SECRET_SIG) || block_contains(ptr, len, SECRET_TOKEN))
            curl_mem.frees_with_secret++;
    }
    free(ptr);
}

static void *watch_malloc(size_t size)
{
    return malloc(size);
}

static void *watch_realloc(void *ptr, size_t size)
{
    return realloc(ptr, size);
}

static void *watch_calloc(size_t n, size_t size)
{
    return calloc(n, size);
}

/* curl_slist_append copies each header with this: fail on the marked one. */
static char *watch_strdup(const char *s)
{
    return strstr(s, FAIL_MARKER) ? NULL : strdup(s);
}

/* Engines made between this and curl_global_cleanup() use the watchers. */
static void watch_curl_memory(void)
{
    memset(&curl_mem, 0, sizeof curl_mem);
    assert_int_equal(curl_global_init_mem(CURL_GLOBAL_DEFAULT, watch_malloc, watch_free,
                                          watch_realloc, watch_strdup, watch_calloc),
                     CURLE_OK);
}

static void test_header_list_wiped(void **state)
{
    watch_curl_memory();
    struct http_engine *e = engine_new(4, 20000);
    const char *headers[] = {
        "Authorization: AWS4-HMAC-SHA256 Credential=AKID/x, Signature=" SECRET_SIG,
        "X-Amz-Security-Token: " SECRET_TOKEN,
        NULL,
    };
    struct outcome o;
    outcome_init(&o);
    /* refused before libcurl sees it: only the header list holds the secrets */
    struct http_request req = {
        .method = "POST",
        .url = "ftp://127.0.0.1/",
        .headers = headers,
        .body = "Action=X",
        .body_len = 8,
        .on_done = on_done,
        .ud = &o,
    };
    http_engine_wait(e, http_engine_submit(e, &req));
    assert_int_equal(o.status, VPCX_ERR_CONFIG);
    http_engine_destroy(e);
    curl_global_cleanup();
    assert_true(curl_mem.frees >= 3); /* the list's nodes and strings went through the watcher */
    assert_int_equal(curl_mem.frees_with_secret, 0);
    outcome_finish(&o);
}

static void test_header_list_failure_fails_transfer(void **state)
{
    watch_curl_memory();
    struct http_engine *e = engine_new(4, 20000);
    const char *headers[] = {"X-One: 1", "X-Two: " FAIL_MARKER, "X-Three: 3", NULL};
    struct outcome o;
    outcome_init(&o);
    char *url = url_for("/ok?n=1");
    struct http_request req = {
        .url = url, .headers = headers, .on_data = on_data, .on_done = on_done, .ud = &o};
    http_engine_wait(e, http_engine_submit(e, &req));
    assert_int_equal(o.done, 1);
    /* never sent without its headers */
    assert_int_equal(o.status, VPCX_ERR_INTERNAL);
    assert_int_equal(o.http_status, 0);
    assert_non_null(strstr(o.error, "request headers"));
    http_engine_destroy(e);
    curl_global_cleanup();
    free(url);
    outcome_finish(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_body_in_chunks),
        cmocka_unit_test(test_gzip_decoded),
        cmocka_unit_test(test_post_body_without_expect),
        cmocka_unit_test(test_keepalive_reuse),
        cmocka_unit_test(test_50_concurrent_with_host_cap),
        cmocka_unit_test(test_timeout_counts_from_send),
        cmocka_unit_test(test_connection_refused),
        cmocka_unit_test(test_total_timeout),
        cmocka_unit_test(test_truncated_body),
        cmocka_unit_test(test_503_is_a_response),
        cmocka_unit_test(test_plain_http_refused),
        cmocka_unit_test(test_loopback_hosts),
        cmocka_unit_test(test_slow_body_streams),
        cmocka_unit_test(test_pause_and_resume),
        cmocka_unit_test(test_abort_from_on_data),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_timers_fire_in_order),
        cmocka_unit_test(test_step_extra_fd),
        cmocka_unit_test(test_watch_fd),
        cmocka_unit_test(test_submit_from_on_done),
        cmocka_unit_test(test_trace_redacts_secrets),
        cmocka_unit_test(test_header_list_wiped),
        cmocka_unit_test(test_header_list_failure_fails_transfer),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
