/*
 * fetch_internal: the decisions of sync/fetch that need no network, shared
 * with its unit tests.
 *
 * fetch_check_page() decides, from a page's NextToken, whether a chain of
 * pages goes on, ends, or fails (the same token twice, or still paging after
 * max_pages pages). fetch_plan_subnet_shards() splits the subnets into the
 * runs whose ENIs are fetched as separate chains (a "subnet-id" filter each).
 */
#ifndef VPCX_SYNC_FETCH_INTERNAL_H
#define VPCX_SYNC_FETCH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "vpcx/core/status.h"
#include "vpcx/model/inventory.h"

/* Guards against a server that never stops handing out tokens. */
#define FETCH_MAX_PAGES 100000

/* ENI chains: at most this many, each filtered by at most this many subnet IDs. */
#define FETCH_SHARD_MAX        64
#define FETCH_SHARD_MAX_VALUES 200

enum fetch_page_step {
    FETCH_PAGE_LAST,     /* no NextToken: the chain is complete */
    FETCH_PAGE_NEXT,     /* ask for the page after token */
    FETCH_PAGE_REPEATED, /* token equals the previous page's: err is set */
    FETCH_PAGE_CAP,      /* a token after max_pages pages: err is set */
};

/*
 * token: this page's NextToken (NULL or "" on the last page); last_token: the
 * one this page was asked for (NULL for a first page); pages: pages of the
 * type received so far, this one included. On REPEATED and CAP, err (initialised
 * by the caller) says why, naming operation; it is left alone otherwise.
 */
enum fetch_page_step fetch_check_page(const char *operation, const char *token,
                                      const char *last_token, unsigned pages, unsigned max_pages,
                                      struct vpcx_error *err);

/*
 * DescribeVpcAttribute calls in flight at once: the engine's connections per
 * host, so the attributes keep a full pipe without holding a request object
 * per VPC (two per VPC: 40,000 VPCs queued 2.7 GB).
 */
#define FETCH_ATTR_IN_FLIGHT 8

/*
 * A queue of total jobs, numbered 0..total-1 and created only when taken: at
 * most limit (0 counts as 1) are in flight. take() gives the next job when a
 * slot is free and one remains; done() frees a slot; finished() is true once
 * every job was taken and done.
 */
struct fetch_lazyq {
    size_t total, next, in_flight, limit;
};
void fetch_lazyq_init(struct fetch_lazyq *q, size_t total, size_t limit);
bool fetch_lazyq_take(struct fetch_lazyq *q, size_t *index);
void fetch_lazyq_done(struct fetch_lazyq *q);
bool fetch_lazyq_finished(const struct fetch_lazyq *q);

/* A run of subnets, by position in the inventory's ID order. */
struct fetch_shard {
    size_t first;
    size_t count;
};

/*
 * Groups the subnets of inv (in ID order) into runs of about one page of ENIs
 * each (4/5 of page_size, estimated from each subnet's CIDR size and free
 * addresses), at most FETCH_SHARD_MAX runs unless a run would exceed
 * FETCH_SHARD_MAX_VALUES subnets. Every subnet falls in exactly one run, in
 * order. out has room for one run per subnet; returns the number of runs.
 */
size_t fetch_plan_subnet_shards(const struct inventory *inv, int page_size,
                                struct fetch_shard *out);

#endif
