/*
 * flowlog: which VPC Flow Logs cover a VPC, a subnet or a network interface.
 *
 * A flow log is attached to one resource (its ResourceId) and captures the
 * traffic of every ENI under it: one on a VPC covers all its subnets and ENIs,
 * one on a subnet covers the ENIs in that subnet, one on an ENI covers that ENI
 * (AWS's "Flow logs basics"). Logs on transit gateways and their attachments
 * cover no VPC resource here.
 *
 * A log records only while it is ACTIVE and its delivery has not FAILED
 * (DeliverLogsStatus FAILED: the role or the destination refuses it, and
 * DeliverLogsErrorMessage says why); flowlog_is_recording() says so.
 *
 * The index is built once from the inventory (O(n log n)) and answers by
 * resource ID in O(log n); it borrows the inventory's resources, so it lives
 * until the next change to the inventory. Pure: no I/O.
 */
#ifndef VPCX_MODEL_FLOWLOG_H
#define VPCX_MODEL_FLOWLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "vpcx/model/inventory.h"

enum flowlog_level {
    FLOWLOG_LEVEL_ENI,
    FLOWLOG_LEVEL_SUBNET,
    FLOWLOG_LEVEL_VPC,
    FLOWLOG_LEVEL_OTHER, /* a transit gateway or an attachment */
};

/* The level a ResourceId names, from its prefix (vpc-, subnet-, eni-). */
enum flowlog_level flowlog_level_of(const char *resource_id);
/* "ENI", "subnet", "VPC", "other". */
const char *flowlog_level_name(enum flowlog_level level);

/* True when the log is ACTIVE (or gives no status) and its delivery has not failed. */
bool flowlog_is_recording(const struct inv_resource *log);
/* LogDestinationType, "cloud-watch-logs" when the item gives none (older logs). */
const char *flowlog_destination_type(const struct inv_resource *log);
/* Where records go: the log group for CloudWatch Logs, else LogDestination (an S3
 * bucket or Firehose stream ARN); NULL when neither is given. */
const char *flowlog_destination(const struct inv_resource *log);

struct flowlog_index;

struct flowlog_index *flowlog_index_create(const struct inventory *inv);
void flowlog_index_destroy(struct flowlog_index *ix);

/* The logs attached to resource_id itself, sorted by flow log ID; *out borrows the
 * index (NULL when none). */
size_t flowlog_index_attached(const struct flowlog_index *ix, const char *resource_id,
                              const struct inv_resource *const **out);

struct flowlog_cover {
    const struct inv_resource *log;
    enum flowlog_level level; /* where the log is attached */
    const char *via;          /* the ID it is attached to */
};

/* The logs covering one resource: the most specific level first. */
struct flowlog_coverage {
    struct flowlog_cover *v;
    size_t n;
    size_t recording; /* how many of them flowlog_is_recording() */
};

/*
 * Fills out with the logs covering (type, id): for an ENI its own, its subnet's
 * and its VPC's; for a subnet its own and its VPC's; for a VPC its own. Other
 * types and unknown IDs get none. Finish with flowlog_coverage_finish().
 */
void flowlog_coverage(const struct inventory *inv, const struct flowlog_index *ix,
                      enum inv_type type, const char *id, struct flowlog_coverage *out);
void flowlog_coverage_finish(struct flowlog_coverage *c);

/* What the recording logs of a coverage capture together: "all traffic", "accepted traffic
 * only", "rejected traffic only", or NULL when none records. */
const char *flowlog_coverage_traffic(const struct flowlog_coverage *c);
/* A destination type as people name it: "CloudWatch Logs", "S3", "Firehose", else as given. */
const char *flowlog_destination_label(const char *destination_type);

/* True when a recording log covers (type, id). */
bool flowlog_covered(const struct inventory *inv, const struct flowlog_index *ix,
                     enum inv_type type, const char *id);

#endif
