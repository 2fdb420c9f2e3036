/*
 * cost: what VPC endpoints cost per month, from a bundled price table.
 *
 * Method: an interface (or Gateway Load Balancer) endpoint is billed per
 * AZ-hour in any state until deleted, one AZ-hour per ENI; a month is
 * COST_HOURS_PER_MONTH hours. Data processed is billed per GB in tiers per
 * region and month: where an endpoint's BytesProcessed over a range is known
 * (CloudWatch, model/metrics.h), cost_endpoint_add_processing() prices it,
 * extrapolated to a month and labelled so; otherwise the per-GB part is only
 * named ("+ per-GB") and never guessed. A GB is 2^30 bytes, as AWS bills.
 * The tiers apply to the region's monthly total; one endpoint's volume is
 * priced on its own (exact below 1 PB a month). Gateway endpoints are free.
 *
 * Prices: the bundled table holds only what the project has a source for
 * (COST_PRICE_SOURCE, COST_PRICE_DATE): us-east-1. Every other region is
 * unknown until a `price REGION KIND VALUE` config line gives it; an unknown
 * price is reported as such, never replaced by another region's.
 *
 * Pure: no I/O. Results borrow inventory strings.
 */
#ifndef VPCX_MODEL_COST_H
#define VPCX_MODEL_COST_H

#include <stdbool.h>
#include <stddef.h>

#include "vpcx/core/status.h"
#include "vpcx/model/inventory.h"

#define COST_HOURS_PER_MONTH 730
#define COST_PRICE_SOURCE    "https://aws.amazon.com/privatelink/pricing/"
#define COST_PRICE_DATE      "2026-11"

/* X(enum suffix, config name, meaning) */
#define COST_KIND_TABLE(X)                                                                         \
    X(INTERFACE_HOUR, "interface-hour", "USD per interface endpoint ENI (AZ) per hour")            \
    X(GWLB_HOUR, "gwlb-hour", "USD per Gateway Load Balancer endpoint per hour")                   \
    X(GB_TIER1, "gb-tier1", "USD per GB processed, first 1 PB a month")                            \
    X(GB_TIER2, "gb-tier2", "USD per GB processed, next 4 PB a month")                             \
    X(GB_TIER3, "gb-tier3", "USD per GB processed, over 5 PB a month")

enum cost_kind {
#define COST_KIND_ENUM(name, key, text) COST_##name,
    COST_KIND_TABLE(COST_KIND_ENUM)
#undef COST_KIND_ENUM
        COST_KIND_COUNT
};

const char *cost_kind_name(enum cost_kind kind); /* "interface-hour" */
bool cost_kind_parse(const char *name, enum cost_kind *out);

struct cost_prices; /* the bundled table plus overrides */

struct cost_prices *cost_prices_create(void);
void cost_prices_destroy(struct cost_prices *p);
/* Overrides (or adds) one price; VPCX_ERR_USAGE for a negative or non-finite value. */
enum vpcx_status cost_prices_set(struct cost_prices *p, const char *region, enum cost_kind kind,
                                 double usd, struct vpcx_error *err);
/*
 * The price, true when known. *source (may be NULL) is COST_PRICE_SOURCE for a
 * bundled price, "config" for an override.
 */
bool cost_price(const struct cost_prices *p, const char *region, enum cost_kind kind, double *usd,
                const char **source);
/*
 * Reads the `price REGION KIND VALUE` lines of config text (other lines are
 * skipped). The error names label and the line number.
 */
enum vpcx_status cost_prices_parse_config(struct cost_prices *p, const char *label,
                                          const char *text, size_t len, struct vpcx_error *err);

/* USD for gb of data processed in one region and month, by the tiers; false when unknown. */
bool cost_data_processing(const struct cost_prices *p, const char *region, double gb, double *usd);

enum cost_basis {
    COST_FREE,     /* gateway endpoints */
    COST_HOURLY,   /* priced: monthly is set */
    COST_UNKNOWN,  /* the hourly price for the region is unknown */
    COST_UNBILLED, /* deleted, or a kind AWS does not bill here */
};

/* Data processing from a measured byte count, extrapolated to a month. */
struct cost_processing {
    double bytes;       /* BytesProcessed over the range */
    double range_hours; /* the range measured */
    double gb_range;    /* bytes / 2^30 */
    double gb_month;    /* gb_range x COST_HOURS_PER_MONTH / range_hours */
    bool priced;        /* the region's GB tiers are known: monthly is set */
    double monthly;     /* USD a month for gb_month by the tiers */
};

/* bytes processed in seconds (> 0) at region's prices. */
void cost_processing_compute(const struct cost_prices *p, const char *region, double bytes,
                             double seconds, struct cost_processing *out);

struct endpoint_cost {
    const struct inv_resource *endpoint;
    enum cost_basis basis;
    enum cost_kind kind;               /* the hourly price used */
    size_t units;                      /* ENIs (AZs) billed; 1 for a GWLB endpoint */
    double hourly;                     /* USD per unit-hour when known */
    double monthly;                    /* units x COST_HOURS_PER_MONTH x hourly */
    bool per_gb;                       /* data processing comes on top, bytes unknown */
    bool processing_known;             /* set by cost_endpoint_add_processing() */
    struct cost_processing processing; /* with processing_known */
};

/* The monthly cost of one endpoint in region. */
void cost_endpoint(const struct inventory *inv, const struct cost_prices *p, const char *region,
                   const struct inv_resource *ep, struct endpoint_cost *out);

/*
 * Adds measured data processing to an hourly-priced endpoint that bills per GB: monthly
 * grows by its charge and per_gb turns false. Nothing changes when the GB prices are
 * unknown or the endpoint is not billed per GB.
 */
void cost_endpoint_add_processing(struct endpoint_cost *c, const struct cost_processing *x);

struct cost_total {
    double monthly;    /* sum of the priced endpoints */
    size_t priced;     /* endpoints with a known price (free ones included) */
    size_t unknown;    /* endpoints whose price is unknown */
    bool per_gb;       /* some priced endpoint adds data processing */
    bool extrapolated; /* monthly holds measured data processing extrapolated to a month */
};

struct cost_vpc_total {
    const char *vpc_id;
    struct cost_total total;
};

struct cost_report {
    const char *account;             /* borrowed; may be NULL */
    const char *region;              /* borrowed */
    struct endpoint_cost *endpoints; /* sorted by VPC, then endpoint ID */
    size_t n;
    struct cost_vpc_total *vpcs; /* sorted by VPC ID */
    size_t n_vpcs;
    struct cost_total total; /* the account-region total */
};

/* Every endpoint of the inventory; pair with cost_report_finish(). */
void cost_compute(const struct inventory *inv, const struct cost_prices *p, const char *account,
                  const char *region, struct cost_report *out);
void cost_report_finish(struct cost_report *r);
/* cost_endpoint_add_processing() on the report's endpoint_id, then the totals again; false
 * when the report has no such endpoint. */
bool cost_report_add_processing(struct cost_report *r, const char *endpoint_id,
                                const struct cost_processing *x);

#endif
