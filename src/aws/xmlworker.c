#include "vpcx/aws/xmlworker.h"

#include "vpcx/core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

/* Paused transfers resume once the worker is down to this much input. */
#define INPUT_LOW (XMLWORKER_INPUT_MAX / 2)

struct chunk {
    struct chunk *next;
    size_t len;
    char data[];
};

/* A finished item, or (item NULL) the end of a job's parse. */
struct event {
    struct event *next;
    struct xmljob *job;
    cJSON *item;
};

struct xmljob {
    struct xmlworker *w; /* NULL: inline */
    struct awsxml_parser *parser;
    struct xmljob_ops ops;
    void *ud;
    struct xmljob *prev, *next; /* the worker's jobs; event-loop thread only */
    bool paused;                /* event-loop thread only */
    /* The rest under w->lock once the job is shared. */
    struct chunk *in_head, *in_tail;
    bool finish_asked;
    bool in_runq;
    struct xmljob *run_next;
    bool busy;      /* the worker is parsing it, outside the lock */
    bool cancelled; /* destroyed while busy: the worker frees it */
    enum vpcx_status status;
    bool in_feed;
    struct vpcx_error err;
};

struct xmlworker {
    struct http_engine *http;
    uint64_t watch; /* on wake[0] while jobs exist */
    struct xmljob *jobs;
    size_t n_jobs;
    int wake[2];
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t work_cv; /* input or stop, for the worker */
    pthread_cond_t room_cv; /* output room, for the worker */
    /* under lock */
    struct xmljob *run_head, *run_tail; /* jobs with input or a finish to do, oldest first */
    size_t in_bytes;
    struct event *out_head, *out_tail;
    size_t out_items;
    size_t n_paused;
    bool room;      /* input fell to INPUT_LOW with transfers paused */
    bool wake_sent; /* a byte is in the pipe */
    bool stop;
    struct xmlworker_stats stats;
};

/*
 * A fork (the cache writer's child) copies the heap's locks as they are. Held by a
 * parse thread at that moment, an allocator or libxml2 lock would never be released in
 * the child, so every parse thread holds parse_lock while it parses and a fork waits
 * for it (pthread_atfork). It is released while a thread waits for output room, which
 * only the forking thread can make.
 */
static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

static void parse_hold(void)
{
    pthread_mutex_lock(&parse_lock);
}

static void parse_release(void)
{
    pthread_mutex_unlock(&parse_lock);
}

static void fork_guard(void)
{
    pthread_atfork(parse_hold, parse_release, parse_release);
}

static void lock(struct xmlworker *w)
{
    pthread_mutex_lock(&w->lock);
}

static void unlock(struct xmlworker *w)
{
    pthread_mutex_unlock(&w->lock);
}

/* Under lock: makes the event loop's wait return. */
static void wake_loop(struct xmlworker *w)
{
    if (w->wake_sent)
        return;
    w->wake_sent = true;
    char b = 1;
    ssize_t n;
    do
        n = write(w->wake[1], &b, 1);
    while (n < 0 && errno == EINTR);
}

/* Under lock: paused transfers may go on once the input has drained enough. */
static void room_check(struct xmlworker *w)
{
    if (w->n_paused && w->in_bytes <= INPUT_LOW && !w->room) {
        w->room = true;
        wake_loop(w);
    }
}

static void event_push(struct xmlworker *w, struct xmljob *job, cJSON *item)
{
    struct event *ev = xcalloc(1, sizeof(*ev));
    ev->job = job;
    ev->item = item;
    if (w->out_tail)
        w->out_tail->next = ev;
    else
        w->out_head = ev;
    w->out_tail = ev;
    if (item && ++w->out_items > w->stats.output_peak)
        w->stats.output_peak = w->out_items;
    /* Items wait for a full queue or the end of a parse (a page): each wake
       costs the loop a step and, when items went in, a model refresh. */
    if (!item || w->out_items >= XMLWORKER_OUTPUT_MAX)
        wake_loop(w);
}

static struct event *event_pop(struct xmlworker *w)
{
    struct event *ev = w->out_head;
    if (!ev)
        return NULL;
    w->out_head = ev->next;
    if (!w->out_head)
        w->out_tail = NULL;
    if (ev->item && w->out_items-- == XMLWORKER_OUTPUT_MAX)
        pthread_cond_signal(&w->room_cv);
    return ev;
}

static void runq_add(struct xmlworker *w, struct xmljob *job)
{
    if (job->in_runq)
        return;
    job->in_runq = true;
    job->run_next = NULL;
    if (w->run_tail)
        w->run_tail->run_next = job;
    else
        w->run_head = job;
    w->run_tail = job;
    pthread_cond_signal(&w->work_cv);
}

static void runq_remove(struct xmlworker *w, struct xmljob *job)
{
    if (!job->in_runq)
        return;
    struct xmljob *prev = NULL;
    for (struct xmljob *it = w->run_head; it; prev = it, it = it->run_next) {
        if (it != job)
            continue;
        if (prev)
            prev->run_next = it->run_next;
        else
            w->run_head = it->run_next;
        if (w->run_tail == it)
            w->run_tail = prev;
        break;
    }
    job->in_runq = false;
    job->run_next = NULL;
}

static void job_free(struct xmljob *job)
{
    while (job->in_head) {
        struct chunk *c = job->in_head;
        job->in_head = c->next;
        free(c);
    }
    awsxml_parser_destroy(job->parser);
    vpcx_error_finish(&job->err);
    free(job);
}

/* ---- the worker thread ---- */

/* From inside awsxml_parser_feed() on the worker: waits for room, never past a cancel. */
static void worker_item(void *ud, cJSON *item)
{
    struct xmljob *job = ud;
    if (!job->w) {
        job->ops.item(job->ud, item);
        return;
    }
    struct xmlworker *w = job->w;
    lock(w);
    if (w->out_items >= XMLWORKER_OUTPUT_MAX && !job->cancelled && !w->stop) {
        parse_release(); /* a fork may run while this thread waits */
        while (w->out_items >= XMLWORKER_OUTPUT_MAX && !job->cancelled && !w->stop)
            pthread_cond_wait(&w->room_cv, &w->lock);
        unlock(w); /* parse_lock comes before w->lock */
        parse_hold();
        lock(w); /* only this thread adds items: the room is still there */
    }
    if (job->cancelled || w->stop)
        cJSON_Delete(item);
    else
        event_push(w, job, item);
    unlock(w);
}

/* Under lock: the next piece of work, or false with nothing to do. */
static bool take_work(struct xmlworker *w, struct xmljob **job, struct chunk **chunk)
{
    struct xmljob *j = w->run_head;
    if (!j)
        return false;
    struct chunk *c = j->in_head;
    if (c) {
        j->in_head = c->next;
        if (!j->in_head)
            j->in_tail = NULL;
    }
    /* A job leaves the queue when this was its last work for now. */
    if (!j->in_head && (!c || !j->finish_asked)) {
        w->run_head = j->run_next;
        if (!w->run_head)
            w->run_tail = NULL;
        j->in_runq = false;
        j->run_next = NULL;
    }
    j->busy = true;
    *job = j;
    *chunk = c;
    return true;
}

/* Under lock: records the parse's first failure. */
static void note_status(struct xmljob *job, enum vpcx_status st, const struct vpcx_error *err,
                        bool in_feed)
{
    if (st == VPCX_OK || job->status != VPCX_OK)
        return;
    job->status = st;
    job->in_feed = in_feed;
    vpcx_error_copy(&job->err, err);
}

static void run_one(struct xmlworker *w, struct xmljob *job, struct chunk *c)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    enum vpcx_status st;
    /* job->status is written by this thread only: read without the lock. */
    if (c)
        st = job->status == VPCX_OK ? awsxml_parser_feed(job->parser, c->data, c->len, &err)
                                    : VPCX_OK;
    else
        st = awsxml_parser_finish(job->parser, &err);
    lock(w);
    job->busy = false;
    if (c) {
        w->in_bytes -= c->len;
        room_check(w);
    }
    note_status(job, st, &err, c != NULL);
    bool gone = job->cancelled;
    if (!gone && !c)
        event_push(w, job, NULL);
    unlock(w);
    vpcx_error_finish(&err);
    free(c);
    if (gone)
        job_free(job);
}

static void *worker_main(void *ud)
{
    struct xmlworker *w = ud;
    awsxml_thread_init();
    lock(w);
    for (;;) {
        struct xmljob *job;
        struct chunk *c;
        while (!w->stop && !take_work(w, &job, &c))
            pthread_cond_wait(&w->work_cv, &w->lock);
        if (w->stop)
            break;
        unlock(w);
        parse_hold();
        run_one(w, job, c);
        parse_release();
        lock(w);
    }
    unlock(w);
    return NULL;
}

/* ---- the event loop's side ---- */

static void resume_paused(struct xmlworker *w)
{
    struct xmljob *job = w->jobs;
    while (job) {
        struct xmljob *next = job->next;
        if (job->paused) {
            lock(w);
            job->paused = false;
            w->n_paused--;
            unlock(w);
            /* May feed again, and pause again; never destroys a job. */
            job->ops.resume(job->ud);
        }
        job = next;
    }
}

/* Under lock: whether a parse's end waits in the queue. */
static bool has_done(const struct xmlworker *w)
{
    for (const struct event *ev = w->out_head; ev; ev = ev->next)
        if (!ev->item)
            return true;
    return false;
}

/* The wake pipe's watch: hands over what was queued when it ran. */
static void worker_drain(void *ud)
{
    struct xmlworker *w = ud;
    char buf[64];
    while (read(w->wake[0], buf, sizeof(buf)) > 0)
        ;
    lock(w);
    w->wake_sent = false;
    size_t n = w->out_items + 1; /* and a done or two: ends are few */
    bool room = w->room;
    w->room = false;
    unlock(w);
    if (room)
        resume_paused(w);
    for (size_t i = 0; i < n; i++) {
        lock(w);
        struct event *ev = event_pop(w);
        unlock(w);
        if (!ev)
            break;
        struct xmljob *job = ev->job;
        cJSON *item = ev->item;
        free(ev);
        /* A callback may destroy any job, this one included: its queued events go with it. */
        if (item) {
            w->stats.items++; /* this thread's field: no lock */
            job->ops.item(job->ud, item);
        } else
            job->ops.done(job->ud);
    }
    lock(w);
    if (w->out_items >= XMLWORKER_OUTPUT_MAX || has_done(w))
        wake_loop(w);
    unlock(w);
}

struct xmlworker *xmlworker_create(struct http_engine *http, struct vpcx_error *err)
{
    struct xmlworker *w = xcalloc(1, sizeof(*w));
    w->http = http;
    /* libxml2 sets up its globals once, on this thread, before another parses. */
    xmlInitParser();
    pthread_once(&fork_once, fork_guard);
    if (pipe(w->wake) != 0) {
        vpcx_error_set(err, VPCX_ERR_INTERNAL, "cannot create the parser's pipe: %s",
                       strerror(errno));
        free(w);
        return NULL;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(w->wake[i], F_SETFL, fcntl(w->wake[i], F_GETFL) | O_NONBLOCK);
        fcntl(w->wake[i], F_SETFD, FD_CLOEXEC);
    }
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->work_cv, NULL);
    pthread_cond_init(&w->room_cv, NULL);
    /* Signals stay with the event loop's thread, where they cut its wait short. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&w->thread, NULL, worker_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        vpcx_error_set(err, VPCX_ERR_INTERNAL, "cannot start the parser thread: %s", strerror(rc));
        pthread_cond_destroy(&w->room_cv);
        pthread_cond_destroy(&w->work_cv);
        pthread_mutex_destroy(&w->lock);
        close(w->wake[0]);
        close(w->wake[1]);
        free(w);
        return NULL;
    }
    return w;
}

struct xmlworker *xmlworker_create_auto(struct http_engine *http)
{
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
        return NULL;
    struct vpcx_error err;
    vpcx_error_init(&err);
    struct xmlworker *w = xmlworker_create(http, &err);
    vpcx_error_finish(&err); /* inline parsing does the same work, on one thread */
    return w;
}

void xmlworker_destroy(struct xmlworker *w)
{
    if (!w)
        return;
    lock(w);
    w->stop = true;
    pthread_cond_broadcast(&w->work_cv);
    pthread_cond_broadcast(&w->room_cv);
    unlock(w);
    pthread_join(w->thread, NULL);
    /* Jobs left by a careless owner: freed, never called back. */
    while (w->jobs)
        xmljob_destroy(w->jobs);
    pthread_cond_destroy(&w->room_cv);
    pthread_cond_destroy(&w->work_cv);
    pthread_mutex_destroy(&w->lock);
    close(w->wake[0]);
    close(w->wake[1]);
    free(w);
}

struct xmljob *xmljob_create(struct xmlworker *w, const struct aws_shape *output,
                             const char *item_list, const struct xmljob_ops *ops, void *ud)
{
    struct xmljob *job = xcalloc(1, sizeof(*job));
    job->parser = awsxml_parser_create(output, item_list, worker_item, job);
    if (!job->parser) {
        free(job);
        return NULL;
    }
    job->w = w;
    job->ops = *ops;
    job->ud = ud;
    vpcx_error_init(&job->err);
    if (!w)
        return job;
    job->next = w->jobs;
    if (w->jobs)
        w->jobs->prev = job;
    w->jobs = job;
    if (w->n_jobs++ == 0)
        w->watch = http_engine_watch_fd(w->http, w->wake[0], worker_drain, w);
    return job;
}

static void job_unlink(struct xmlworker *w, struct xmljob *job)
{
    if (job->prev)
        job->prev->next = job->next;
    else
        w->jobs = job->next;
    if (job->next)
        job->next->prev = job->prev;
    job->prev = job->next = NULL;
    if (--w->n_jobs == 0) {
        http_engine_cancel(w->http, w->watch);
        w->watch = 0;
    }
}

/* Under lock: drops the job's queued input and finished items. */
static void job_purge(struct xmlworker *w, struct xmljob *job)
{
    while (job->in_head) {
        struct chunk *c = job->in_head;
        job->in_head = c->next;
        w->in_bytes -= c->len;
        free(c);
    }
    job->in_tail = NULL;
    struct event **p = &w->out_head;
    w->out_tail = NULL;
    while (*p) {
        struct event *ev = *p;
        if (ev->job != job) {
            w->out_tail = ev;
            p = &ev->next;
            continue;
        }
        *p = ev->next;
        if (ev->item) {
            w->out_items--;
            cJSON_Delete(ev->item);
        }
        free(ev);
    }
    pthread_cond_broadcast(&w->room_cv);
}

void xmljob_destroy(struct xmljob *job)
{
    if (!job)
        return;
    struct xmlworker *w = job->w;
    if (!w) {
        job_free(job);
        return;
    }
    /* Unlinked first: once cancelled and unlocked, a busy job is the worker's to free. */
    job_unlink(w, job);
    lock(w);
    job->cancelled = true;
    runq_remove(w, job);
    job_purge(w, job);
    if (job->paused)
        w->n_paused--;
    room_check(w);
    bool busy = job->busy;
    unlock(w);
    if (!busy)
        job_free(job);
}

bool xmljob_room(struct xmljob *job, size_t len)
{
    struct xmlworker *w = job->w;
    if (!w || job->paused)
        return !job->paused;
    lock(w);
    /* One chunk always fits an empty queue, whatever its size. */
    bool room = w->in_bytes == 0 || w->in_bytes + len <= XMLWORKER_INPUT_MAX;
    if (!room) {
        job->paused = true;
        w->n_paused++;
        w->stats.pauses++;
    }
    unlock(w);
    return room;
}

void xmljob_feed(struct xmljob *job, const char *data, size_t len)
{
    struct xmlworker *w = job->w;
    if (!w) {
        enum vpcx_status st = VPCX_OK;
        if (job->status == VPCX_OK)
            st = awsxml_parser_feed(job->parser, data, len, &job->err);
        if (st != VPCX_OK && job->status == VPCX_OK) {
            job->status = st;
            job->in_feed = true;
        }
        return;
    }
    if (len == 0)
        return;
    struct chunk *c = xmalloc(sizeof(*c) + len);
    c->next = NULL;
    c->len = len;
    memcpy(c->data, data, len);
    lock(w);
    if (job->status != VPCX_OK) {
        unlock(w);
        free(c); /* after a failure the rest is dropped, as the parser would */
        return;
    }
    if (job->in_tail)
        job->in_tail->next = c;
    else
        job->in_head = c;
    job->in_tail = c;
    w->in_bytes += len;
    if (w->in_bytes > w->stats.input_peak)
        w->stats.input_peak = w->in_bytes;
    runq_add(w, job);
    unlock(w);
}

void xmljob_finish(struct xmljob *job)
{
    struct xmlworker *w = job->w;
    if (!w) {
        struct vpcx_error err;
        vpcx_error_init(&err);
        enum vpcx_status st = awsxml_parser_finish(job->parser, &err);
        if (st != VPCX_OK && job->status == VPCX_OK) {
            job->status = st;
            job->in_feed = false;
            vpcx_error_copy(&job->err, &err);
        }
        vpcx_error_finish(&err);
        job->ops.done(job->ud);
        return;
    }
    lock(w);
    job->finish_asked = true;
    runq_add(w, job);
    unlock(w);
}

enum vpcx_status xmljob_status(const struct xmljob *job, struct vpcx_error *err, bool *in_feed)
{
    struct xmlworker *w = job->w;
    if (w)
        lock(w);
    enum vpcx_status st = job->status;
    if (err && st != VPCX_OK)
        vpcx_error_copy(err, &job->err);
    if (in_feed)
        *in_feed = job->in_feed;
    if (w)
        unlock(w);
    return st;
}

void xmlworker_get_stats(struct xmlworker *w, struct xmlworker_stats *out)
{
    lock(w);
    *out = w->stats;
    unlock(w);
}

struct awsxml_parser *xmljob_parser(struct xmljob *job)
{
    return job->parser;
}
