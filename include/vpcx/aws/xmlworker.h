/*
 * xmlworker: response bodies parsed on a second thread, off the event loop.
 *
 * One worker thread serves every job (a job is one response body and its
 * awsxml parser). The event loop hands it the body chunk by chunk with
 * xmljob_feed(); the worker parses and builds each streamed item; finished
 * items, and the end of each parse, come back through a bounded queue and a
 * wake pipe that the worker watches on the HTTP engine (aws/http.h) while any
 * job exists. Every callback (item, done, resume) therefore runs on the
 * engine's thread from http_engine_step(), in the order the worker produced
 * them: a job's items, then its done. Nothing else of the caller's is touched
 * on the worker thread, so the caller's data stays single-threaded.
 *
 * Memory is bounded both ways: body bytes waiting for the worker are capped
 * (XMLWORKER_INPUT_MAX in all; xmljob_room() then says no and the caller
 * holds its transfer until resume), and finished items waiting for the
 * event loop are capped (XMLWORKER_OUTPUT_MAX; the worker waits). The loop is
 * woken when that queue is full or a parse has ended, so a page's items go in
 * at one or two steps, not one per few items. One step
 * hands over at most the items that were queued when it began, so a step never
 * runs for longer than a queue's worth of items.
 *
 * Without a worker (NULL), a job parses inline: feed parses at once and its
 * items and done are delivered from inside feed and finish.
 *
 * A job is destroyed only from the engine's thread, at any time: its queued
 * bytes and items are dropped, and no callback runs for it afterwards.
 * xmlworker_destroy() joins the thread; jobs must be gone first.
 */
#ifndef VPCX_AWS_XMLWORKER_H
#define VPCX_AWS_XMLWORKER_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "vpcx/aws/http.h"
#include "vpcx/aws/shapes.h"
#include "vpcx/aws/xml.h"
#include "vpcx/core/status.h"

/* Body bytes queued for the worker, all jobs together. */
#define XMLWORKER_INPUT_MAX (1024 * 1024)
/* Finished items queued for the event loop: one of EC2's largest pages, so a page
   costs the loop one or two steps (and model refreshes), not one per few items. */
#define XMLWORKER_OUTPUT_MAX 1000

struct xmlworker;
struct xmljob;

struct xmljob_ops {
    void (*item)(void *ud, cJSON *item); /* one streamed item; the callee owns it */
    void (*done)(void *ud);              /* the parse ended: see xmljob_status() */
    void (*resume)(void *ud);            /* room again after xmljob_room() said no */
};

/* Starts the thread; NULL (err filled) if it cannot. http: whose steps run the callbacks. */
struct xmlworker *xmlworker_create(struct http_engine *http, struct vpcx_error *err);
/* A worker when the machine has two or more CPUs online, else (or if it cannot
 * start) NULL: with one CPU a second thread only adds switches. */
struct xmlworker *xmlworker_create_auto(struct http_engine *http);
/* Stops and joins the thread. NULL is a no-op. */
void xmlworker_destroy(struct xmlworker *w);

/* High-water marks since create, to check the bounds (tests, benchmarks). */
struct xmlworker_stats {
    size_t input_peak;    /* body bytes queued for the worker */
    size_t output_peak;   /* finished items queued for the event loop */
    unsigned long pauses; /* times xmljob_room() said no */
    unsigned long items;  /* items handed over */
};
void xmlworker_get_stats(struct xmlworker *w, struct xmlworker_stats *out);

/* A parse as awsxml_parser_create() describes; NULL when it refuses the arguments. */
struct xmljob *xmljob_create(struct xmlworker *w, const struct aws_shape *output,
                             const char *item_list, const struct xmljob_ops *ops, void *ud);
void xmljob_destroy(struct xmljob *job);

/*
 * Whether len more bytes may be fed now. False: the worker's input is full;
 * hold the bytes, and ops.resume is called (once) when there is room.
 * Inline jobs always have room.
 */
bool xmljob_room(struct xmljob *job, size_t len);
/* Queues the bytes (parses them, inline); dropped once the parse has failed. */
void xmljob_feed(struct xmljob *job, const char *data, size_t len);
/* No more bytes: done follows (at once when inline, else from a later step). */
void xmljob_finish(struct xmljob *job);

/*
 * The failure the parse has reported so far (VPCX_OK: none yet), err (may be
 * NULL) filled with it. After done this is the parse's final status, and
 * *in_feed (may be NULL) tells whether it failed before the end of the body.
 */
enum vpcx_status xmljob_status(const struct xmljob *job, struct vpcx_error *err, bool *in_feed);
/* After done: the parser, for the result and the error document's fields. */
struct awsxml_parser *xmljob_parser(struct xmljob *job);

#endif
