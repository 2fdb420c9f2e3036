/*
 * The parse worker (aws/xmlworker.h): a body parsed on the worker gives the
 * same items, result and failures as the same body parsed inline; the queues
 * stay within their bounds when the event loop does not drain them; and a
 * job destroyed mid-page (items queued, the worker parsing or waiting for
 * room) calls back no more and leaks nothing (the ASan build checks); and
 * a fork while the worker parses never copies a lock the worker held.
 * Bodies are built here in the shape EC2 answers DescribeNetworkInterfaces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vpcx/aws/http.h"
#include "vpcx/aws/limits.h"
#include "vpcx/aws/shapes.h"
#include "vpcx/aws/xmlworker.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#define CHUNK 16384 /* libcurl's largest write */

/* n ENIs of about pad bytes of description each, then a NextToken. */
static char *eni_body(size_t n, size_t pad, bool close)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeNetworkInterfacesResponse "
                  "xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n"
                  "  <requestId>req-1</requestId>\n  <networkInterfaceSet>\n");
    for (size_t i = 0; i < n; i++) {
        strbuf_addf(&sb,
                    "    <item>\n      <networkInterfaceId>eni-%08zx</networkInterfaceId>\n"
                    "      <subnetId>subnet-%zu</subnetId>\n      <description>",
                    i, i % 7);
        for (size_t k = 0; k < pad; k++)
            strbuf_addch(&sb, (char)('a' + (i + k) % 26));
        strbuf_addstr(&sb, "</description>\n      <privateIpAddress>10.0.0.1</privateIpAddress>\n"
                           "      <tagSet><item><key>k</key><value>v &amp; w</value></item>"
                           "</tagSet>\n    </item>\n");
    }
    strbuf_addstr(&sb, "  </networkInterfaceSet>\n");
    if (close)
        strbuf_addstr(&sb,
                      "  <nextToken>tok-2</nextToken>\n</DescribeNetworkInterfacesResponse>\n");
    return strbuf_detach(&sb, NULL);
}

struct sink {
    struct strbuf items; /* each item as compact JSON, one a line */
    size_t n;
    int done;
    int resumes;
    int after_destroy; /* callbacks for a destroyed job */
    bool destroyed;
};

static void sink_item(void *ud, cJSON *item)
{
    struct sink *s = ud;
    s->after_destroy += s->destroyed;
    char *text = cJSON_PrintUnformatted(item);
    strbuf_addstr(&s->items, text);
    strbuf_addch(&s->items, '\n');
    free(text);
    cJSON_Delete(item);
    s->n++;
}

static void sink_done(void *ud)
{
    struct sink *s = ud;
    s->after_destroy += s->destroyed;
    s->done++;
}

static void sink_resume(void *ud)
{
    struct sink *s = ud;
    s->after_destroy += s->destroyed;
    s->resumes++;
}

static const struct xmljob_ops sink_ops = {
    .item = sink_item, .done = sink_done, .resume = sink_resume};

static const struct aws_shape *eni_output(void)
{
    return aws_shape_output("ec2", "DescribeNetworkInterfaces");
}

static void step(struct http_engine *e)
{
    bool ready;
    http_engine_step(e, -1, 1000, &ready);
}

/* What a parse gave: the items, the result's NextToken, the status and message. */
struct outcome {
    struct sink sink;
    enum vpcx_status status;
    bool in_feed;
    char *message;
    char *token;
};

static void outcome_finish(struct outcome *o)
{
    strbuf_release(&o->sink.items);
    free(o->message);
    free(o->token);
}

static void take_outcome(struct xmljob *job, struct outcome *o)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    o->status = xmljob_status(job, &err, &o->in_feed);
    o->message = err.message ? xstrdup(err.message) : NULL;
    vpcx_error_finish(&err);
    cJSON *res = awsxml_parser_take_result(xmljob_parser(job));
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(res, "NextToken");
    o->token = cJSON_IsString(tok) ? xstrdup(tok->valuestring) : NULL;
    cJSON_Delete(res);
}

/*
 * Feeds body as libcurl would: chunk by chunk, holding a chunk while there is
 * no room and stepping the engine (which resumes) meanwhile; stops feeding,
 * as a transfer aborted on a cap does, once the parse failed.
 */
static void parse(struct http_engine *e, struct xmlworker *w, const char *body, size_t len,
                  struct outcome *o)
{
    memset(o, 0, sizeof(*o));
    strbuf_init(&o->sink.items, 0);
    struct xmljob *job = xmljob_create(w, eni_output(), "NetworkInterfaces", &sink_ops, &o->sink);
    assert_non_null(job);
    for (size_t off = 0; off < len && xmljob_status(job, NULL, NULL) == VPCX_OK;) {
        size_t n = len - off < CHUNK ? len - off : CHUNK;
        if (!xmljob_room(job, n)) {
            int resumes = o->sink.resumes;
            while (o->sink.resumes == resumes)
                step(e);
            continue;
        }
        xmljob_feed(job, body + off, n);
        off += n;
    }
    xmljob_finish(job);
    while (!o->sink.done)
        step(e);
    assert_int_equal(o->sink.done, 1);
    take_outcome(job, o);
    xmljob_destroy(job);
}

static void assert_same(const struct outcome *a, const struct outcome *b)
{
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->in_feed, b->in_feed);
    assert_int_equal(a->sink.n, b->sink.n);
    assert_string_equal(strbuf_str(&a->sink.items), strbuf_str(&b->sink.items));
    if (a->message || b->message) {
        assert_non_null(a->message);
        assert_non_null(b->message);
        assert_string_equal(a->message, b->message);
    }
    if (a->token || b->token) {
        assert_non_null(a->token);
        assert_non_null(b->token);
        assert_string_equal(a->token, b->token);
    }
}

/* Parses body inline and on a worker: the same outcome; returns the worker's. */
static void compare(const char *body, struct outcome *threaded)
{
    struct http_engine *e = http_engine_create(NULL, NULL);
    struct xmlworker *w = xmlworker_create(e, NULL);
    assert_non_null(w);
    struct outcome inline_;
    parse(e, NULL, body, strlen(body), &inline_);
    parse(e, w, body, strlen(body), threaded);
    assert_same(&inline_, threaded);
    struct xmlworker_stats st;
    xmlworker_get_stats(w, &st);
    assert_true(st.output_peak <= XMLWORKER_OUTPUT_MAX);
    assert_true(st.input_peak <= XMLWORKER_INPUT_MAX);
    assert_int_equal(st.items, threaded->sink.n);
    outcome_finish(&inline_);
    xmlworker_destroy(w);
    assert_true(http_engine_idle(e)); /* no job: the wake pipe is not watched */
    http_engine_destroy(e);
}

static void test_page_same_as_inline(void **state)
{
    (void)state;
    char *body = eni_body(1000, 1500, true);
    struct outcome o;
    compare(body, &o);
    assert_int_equal(o.status, VPCX_OK);
    assert_int_equal(o.sink.n, 1000);
    assert_string_equal(o.token, "tok-2");
    assert_non_null(strstr(strbuf_str(&o.sink.items), "\"NetworkInterfaceId\":\"eni-000003e7\""));
    outcome_finish(&o);
    free(body);
}

static void test_failures_same_as_inline(void **state)
{
    (void)state;
    struct outcome o;
    /* cut short: truncated, found at the end */
    char *body = eni_body(50, 10, false);
    compare(body, &o);
    assert_int_equal(o.status, VPCX_ERR_TRUNCATED);
    assert_false(o.in_feed);
    assert_int_equal(o.sink.n, 50);
    outcome_finish(&o);
    free(body);
    /* malformed half-way: the items before it, then a parse error */
    body = eni_body(300, 10, true);
    char *bad = strstr(body, "eni-00000096");
    memcpy(bad, "<<<<", 4);
    compare(body, &o);
    assert_int_equal(o.status, VPCX_ERR_PARSE);
    assert_true(o.in_feed);
    outcome_finish(&o);
    free(body);
    /* an item over AWS_MAX_ITEM_BYTES */
    body = eni_body(3, AWS_MAX_ITEM_BYTES + 10, true);
    compare(body, &o);
    assert_int_equal(o.status, VPCX_ERR_TOO_LARGE);
    assert_true(o.in_feed);
    assert_non_null(strstr(o.message, "item 1 of NetworkInterfaces"));
    outcome_finish(&o);
    free(body);
    /* more items than AWS_MAX_PAGE_ITEMS */
    body = eni_body(AWS_MAX_PAGE_ITEMS + 5, 0, true);
    compare(body, &o);
    assert_int_equal(o.status, VPCX_ERR_TOO_LARGE);
    assert_int_equal(o.sink.n, AWS_MAX_PAGE_ITEMS);
    outcome_finish(&o);
    free(body);
    /* an error document */
    compare("<Response><Errors><Error><Code>Throttling</Code><Message>slow down</Message>"
            "</Error></Errors><RequestID>r</RequestID></Response>",
            &o);
    assert_int_equal(o.status, VPCX_OK);
    outcome_finish(&o);
}

/* Called after each chunk fed, with how much of the body went in. */
typedef void fed_fn(size_t off, void *ud);

/* Feeds (calling fed, if any, after each chunk) and steps until job is done; the sink has
 * it all. */
static void feed_rest_with(struct http_engine *e, struct xmljob *job, const char *body, size_t off,
                           struct sink *s, fed_fn *fed, void *ud)
{
    size_t len = strlen(body);
    while (off < len) {
        size_t n = len - off < CHUNK ? len - off : CHUNK;
        if (!xmljob_room(job, n)) {
            step(e);
            continue;
        }
        xmljob_feed(job, body + off, n);
        off += n;
        if (fed)
            fed(off, ud);
    }
    xmljob_finish(job);
    while (!s->done)
        step(e);
}

static void feed_rest(struct http_engine *e, struct xmljob *job, const char *body, size_t off,
                      struct sink *s)
{
    feed_rest_with(e, job, body, off, s, NULL, NULL);
}

/*
 * The event loop does not step: the input stops at XMLWORKER_INPUT_MAX bytes
 * and the worker at XMLWORKER_OUTPUT_MAX items, whatever the body's size.
 */
static void test_bounded_when_not_drained(void **state)
{
    (void)state;
    struct http_engine *e = http_engine_create(NULL, NULL);
    struct xmlworker *w = xmlworker_create(e, NULL);
    /* Input: a body of 4 MB is held back once 1 MiB waits. */
    char *body = eni_body(2000, 2000, true);
    size_t len = strlen(body), off = 0;
    struct sink s = {0};
    strbuf_init(&s.items, 0);
    struct xmljob *job = xmljob_create(w, eni_output(), "NetworkInterfaces", &sink_ops, &s);
    while (off < len && xmljob_room(job, CHUNK)) {
        xmljob_feed(job, body + off, CHUNK);
        off += CHUNK;
    }
    assert_true(off < len);
    struct xmlworker_stats st;
    xmlworker_get_stats(w, &st);
    assert_true(st.input_peak <= XMLWORKER_INPUT_MAX);
    assert_int_equal(st.pauses, 1);
    assert_int_equal(s.n, 0); /* nothing reaches the caller between steps */
    feed_rest(e, job, body, off, &s);
    assert_int_equal(xmljob_status(job, NULL, NULL), VPCX_OK);
    assert_int_equal(s.n, 2000);
    assert_true(s.resumes >= 1);
    xmljob_destroy(job);
    strbuf_release(&s.items);
    free(body);
    /* Output: small items, all queued at once; the worker stops at the cap and waits. */
    body = eni_body(2500, 0, true);
    len = strlen(body);
    assert_true(len < XMLWORKER_INPUT_MAX);
    memset(&s, 0, sizeof(s));
    strbuf_init(&s.items, 0);
    job = xmljob_create(w, eni_output(), "NetworkInterfaces", &sink_ops, &s);
    assert_true(xmljob_room(job, len));
    xmljob_feed(job, body, len);
    do {
        sched_yield();
        xmlworker_get_stats(w, &st);
    } while (st.output_peak < XMLWORKER_OUTPUT_MAX);
    assert_int_equal(s.n, 0);
    feed_rest(e, job, body, len, &s);
    assert_int_equal(s.n, 2500);
    xmlworker_get_stats(w, &st);
    assert_int_equal(st.output_peak, XMLWORKER_OUTPUT_MAX);
    xmljob_destroy(job);
    strbuf_release(&s.items);
    free(body);
    xmlworker_destroy(w);
    http_engine_destroy(e);
}

/* Destroyed once some items came back: nothing more arrives, nothing leaks. */
static void test_cancel_mid_page(void **state)
{
    (void)state;
    struct http_engine *e = http_engine_create(NULL, NULL);
    struct xmlworker *w = xmlworker_create(e, NULL);
    char *body = eni_body(1000, 1500, true);
    size_t half = strlen(body) / 2;
    struct sink s = {0};
    strbuf_init(&s.items, 0);
    struct xmljob *job = xmljob_create(w, eni_output(), "NetworkInterfaces", &sink_ops, &s);
    /* a second job behind it, to be finished after the first is gone */
    struct sink s2 = {0};
    strbuf_init(&s2.items, 0);
    struct xmljob *job2 = xmljob_create(w, eni_output(), "NetworkInterfaces", &sink_ops, &s2);
    for (size_t off = 0; off < half;) {
        if (!xmljob_room(job, CHUNK)) {
            step(e);
            continue;
        }
        xmljob_feed(job, body + off, CHUNK);
        off += CHUNK;
    }
    struct xmlworker_stats st;
    do {
        sched_yield();
        xmlworker_get_stats(w, &st);
    } while (st.output_peak == 0);
    xmljob_destroy(job); /* items queued, the worker busy or waiting: either way */
    s.destroyed = true;
    const char *small = "<DescribeNetworkInterfacesResponse><networkInterfaceSet><item>"
                        "<networkInterfaceId>eni-1</networkInterfaceId></item>"
                        "</networkInterfaceSet></DescribeNetworkInterfacesResponse>";
    assert_true(xmljob_room(job2, strlen(small)));
    xmljob_feed(job2, small, strlen(small));
    xmljob_finish(job2);
    while (!s2.done)
        step(e);
    assert_int_equal(s2.n, 1);
    assert_int_equal(s.after_destroy, 0);
    assert_true(s.n < 1000);
    xmljob_destroy(job2);
    assert_true(http_engine_idle(e));
    strbuf_release(&s.items);
    strbuf_release(&s2.items);
    free(body);
    xmlworker_destroy(w);
    http_engine_destroy(e);
}

/* Destroyed while the worker waits for output room, never drained: it wakes and is joined. */
static void test_cancel_while_worker_waits(void **state)
{
    (void)state;
    struct http_engine *e = http_engine_create(NULL, NULL);
    struct xmlworker *w = xmlworker_create(e, NULL);
    char *body = eni_body(XMLWORKER_OUTPUT_MAX + 500, 100, true);
    struct sink s = {0};
    strbuf_init(&s.items, 0);
    struct xmljob *job = xmljob_create(w, eni_output(), "NetworkInterfaces", &sink_ops, &s);
    size_t len = strlen(body);
    assert_true(len < XMLWORKER_INPUT_MAX);
    assert_true(xmljob_room(job, len));
    xmljob_feed(job, body, len);
    xmljob_finish(job);
    struct xmlworker_stats st;
    do {
        sched_yield();
        xmlworker_get_stats(w, &st);
    } while (st.output_peak < XMLWORKER_OUTPUT_MAX);
    xmljob_destroy(job);
    s.destroyed = true;
    for (int i = 0; i < 3; i++)
        http_engine_step(e, -1, 0, NULL);
    assert_int_equal(s.n, 0);
    assert_int_equal(s.after_destroy, 0);
    xmlworker_destroy(w);
    /* and a worker destroyed with a job still open frees it */
    w = xmlworker_create(e, NULL);
    job = xmljob_create(w, eni_output(), "NetworkInterfaces", &sink_ops, &s);
    xmljob_feed(job, body, len);
    xmlworker_destroy(w);
    assert_true(http_engine_idle(e));
    strbuf_release(&s.items);
    free(body);
    http_engine_destroy(e);
}

/*
 * An allocator with a lock of its own, as ASan's is: a fork that copied it held by the
 * parse thread leaves the child stuck in its first allocation. The worker's fork guard
 * must make every fork wait until no parse is under way.
 */
static pthread_mutex_t alloc_lock = PTHREAD_MUTEX_INITIALIZER;

static void *locked_malloc(size_t n)
{
    pthread_mutex_lock(&alloc_lock);
    void *p = xmalloc(n);
    for (volatile int spin = 0; spin < 200; spin++) /* hold it for a while, as a busy heap does */
        ;
    pthread_mutex_unlock(&alloc_lock);
    return p;
}

struct forks {
    int forks, stuck;
};

/* Every fourth chunk (60 at most): a child that allocates once, as the cache writer does. */
static void fork_now(size_t off, void *ud)
{
    struct forks *f = ud;
    if (f->forks >= 60 || off % (4 * CHUNK) != 0)
        return;
    f->forks++;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(5); /* stuck: SIGALRM ends the child */
        cJSON_Delete(cJSON_CreateObject());
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    f->stuck += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_fork_while_parsing(void **state)
{
    (void)state;
    cJSON_Hooks hooks = {.malloc_fn = locked_malloc, .free_fn = free};
    cJSON_InitHooks(&hooks);
    struct http_engine *e = http_engine_create(NULL, NULL);
    struct xmlworker *w = xmlworker_create(e, NULL);
    char *body = eni_body(9000, 200, true);
    struct sink s = {0};
    strbuf_init(&s.items, 0);
    struct xmljob *job = xmljob_create(w, eni_output(), "NetworkInterfaces", &sink_ops, &s);
    struct forks f = {0};
    feed_rest_with(e, job, body, 0, &s, fork_now, &f);
    assert_true(f.forks > 10);
    assert_int_equal(f.stuck, 0);
    assert_int_equal(s.n, 9000);
    xmljob_destroy(job);
    xmlworker_destroy(w);
    strbuf_release(&s.items);
    free(body);
    http_engine_destroy(e);
    xalloc_hook_cjson();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_same_as_inline),
        cmocka_unit_test(test_failures_same_as_inline),
        cmocka_unit_test(test_bounded_when_not_drained),
        cmocka_unit_test(test_cancel_mid_page),
        cmocka_unit_test(test_cancel_while_worker_waits),
        cmocka_unit_test(test_fork_while_parsing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
