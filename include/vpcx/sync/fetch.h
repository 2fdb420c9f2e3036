/*
 * fetch: what to fetch from EC2 and how its results reach the inventory.
 *
 * fetch_start() starts one describe call per requested resource type, all at
 * once, each asking for the largest page the API allows and following
 * NextToken to the end. A type is refreshed as a whole: the inventory marks it
 * stale when its first page is asked for, takes each item as soon as it is
 * parsed (a page is never held whole), and sweeps what was not seen after the
 * last page; a type that fails (a page over a cap of aws/limits.h included)
 * keeps its last good data, plus the items that did arrive, and records the
 * error. When VPCs are in, the two DNS attributes of each VPC are fetched
 * (DescribeVpcAttribute), each call created only when one of a few slots
 * frees up, so thousands of VPCs cost a few requests' memory. ENIs, by far
 * the largest type, are split into several chains filtered by subnet (or VPC)
 * once their first page shows there is more than one page.
 *
 * Everything happens inside http_engine_step() of the client's engine; the
 * event callback tells the caller (a redraw, a progress line) that a type
 * changed state.
 */
#ifndef VPCX_SYNC_FETCH_H
#define VPCX_SYNC_FETCH_H

#include <stdbool.h>
#include <time.h>

#include "vpcx/aws/client.h"
#include "vpcx/core/status.h"
#include "vpcx/model/inventory.h"

enum fetch_state {
    FETCH_IDLE,    /* never asked for */
    FETCH_RUNNING, /* pages in flight */
    FETCH_DONE,    /* every page arrived */
    FETCH_FAILED,  /* gave up; error says why; the inventory kept the old data */
};

/* The VPC DNS attributes are tracked like a type of their own. */
#define FETCH_VPC_ATTRIBUTES INV_TYPE_COUNT
#define FETCH_SLOTS          (INV_TYPE_COUNT + 1)

struct fetch_progress {
    enum fetch_state state;
    unsigned pages;    /* pages (or attribute calls) completed */
    unsigned items;    /* items received */
    unsigned attempts; /* HTTP attempts, retries included */
    const char *operation;
    struct vpcx_error error; /* when FAILED */
    /* When this slot's fetch was asked for (wall clock): the time its data is from once
     * DONE, a full refresh's or a single type's refetch alike. 0 before the first. */
    time_t started;
};

typedef void (*fetch_event_fn)(void *ud, int slot, enum fetch_state state);

struct fetch_options {
    /* Page size for every paged call instead of each API's maximum (0 = max). */
    int page_size;
    /* Keep ENIs in one chain of pages instead of splitting by subnet or VPC. */
    bool no_sharding;
    fetch_event_fn on_event; /* may be NULL */
    void *ud;
};

struct fetch;

struct fetch *fetch_create(struct aws_client *client, struct inventory *inv,
                           const struct fetch_options *opts);
/* Pending calls finish into the void: destroy only when the engine is idle. */
void fetch_destroy(struct fetch *f);

/* Starts every type (all=true) or one type; a type already running is left alone. */
void fetch_start_all(struct fetch *f);
void fetch_start_type(struct fetch *f, enum inv_type type);
/* The DNS attributes of the VPCs already in the inventory (they follow a VPC fetch
 * by themselves; this is for VPCs that came from elsewhere). */
void fetch_start_vpc_attributes(struct fetch *f);

/* True while any call of this fetch is in flight. */
bool fetch_running(const struct fetch *f);
/* Progress of a slot: an enum inv_type or FETCH_VPC_ATTRIBUTES. */
const struct fetch_progress *fetch_get_progress(const struct fetch *f, int slot);
/* The describe operation behind a type, e.g. "DescribeSubnets". */
const char *fetch_operation(enum inv_type type);
/* Slot name for reports: the dump's list key, or "VpcAttributes". */
const char *fetch_slot_name(int slot);

#endif
