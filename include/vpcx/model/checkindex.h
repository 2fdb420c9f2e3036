/*
 * checkindex: a check report looked up by resource, for the explorer's
 * markers, detail pane and findings view.
 *
 * checkindex_build() sorts the report's findings that are not ignored by
 * resource ID (then report order) and by VPC ID, so the findings about one
 * resource, the worst severity of a resource and the worst severity inside
 * a VPC are binary searches. Counts per severity and of ignored findings come
 * with it.
 *
 * checkindex_preflight_rule() names the check rule that reports what a
 * pre-flight health rule reports, so a screen showing both shows it once, in
 * the check engine's words.
 *
 * Ownership: the index borrows the report (keep it alive and unchanged);
 * pair with checkindex_finish(). Pure: no I/O.
 */
#ifndef VPCX_MODEL_CHECKINDEX_H
#define VPCX_MODEL_CHECKINDEX_H

#include <stdbool.h>
#include <stddef.h>

#include "vpcx/model/check.h"
#include "vpcx/model/preflight.h"

struct checkindex {
    const struct check_report *report;
    size_t *by_resource; /* report positions of findings not ignored, by resource ID */
    size_t *by_vpc;      /* the same positions, by VPC ID (findings without one left out) */
    size_t n, n_vpc;
    size_t count[3]; /* not ignored, per enum check_severity */
    size_t ignored;
};

void checkindex_build(struct checkindex *ix, const struct check_report *r);
void checkindex_finish(struct checkindex *ix);

/* The findings about resource id: *first is their position for checkindex_at(). */
size_t checkindex_resource(const struct checkindex *ix, const char *id, size_t *first);
/* The finding at a position of the by-resource order. */
const struct check_finding *checkindex_at(const struct checkindex *ix, size_t pos);
/* The worst severity of the findings about id; false when there are none. */
bool checkindex_worst(const struct checkindex *ix, const char *id, enum check_severity *out);
/* The worst severity of the findings about anything in the VPC; false when none. */
bool checkindex_vpc_worst(const struct checkindex *ix, const char *vpc_id,
                          enum check_severity *out);

/* The check rule covering a pre-flight rule's health question; false when none does. */
bool checkindex_preflight_rule(enum preflight_rule rule, enum check_rule *out);

#endif
