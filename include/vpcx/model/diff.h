/*
 * diff: what changed between two inventories (two snapshots, or a cache and a
 * fresh fetch). Pure: no I/O.
 *
 * Resources are matched by ID within each type: added, removed, and changed
 * ones with the changed fields. Field paths are JSON-like: "State",
 * "Options.DnsRecordIpType", "Tags[Key=Env].Value", "Groups[GroupId=sg-1]",
 * "PrivateIpAddresses[0]". Arrays of strings (SubnetIds, RouteTableIds...) are
 * compared as sets and reported as {"Path", "Added": [...], "Removed": [...]};
 * arrays of objects with a unique key (Tags by Key, Groups by GroupId...) are
 * matched by that key; other arrays by position when their lengths agree,
 * else as a whole. PolicyDocument is compared as parsed JSON, so a change of
 * whitespace or key order is no change. The VPC DNS attributes appear as
 * "VpcAttributes.EnableDnsSupport" / "VpcAttributes.EnableDnsHostnames".
 *
 * Each changed resource also gets plain notes: "gained subnet subnet-x",
 * "lost ENI eni-y", "policy changed", "private DNS disabled", "state pending
 * -> available", "lost 200 free IP addresses (250 -> 50)".
 *
 * Report (caller owns it):
 *   {"Added": n, "Removed": n, "Changed": n,
 *    "Types": {"Subnets": {"Added": [{"Id", "Name"?}], "Removed": [...],
 *                          "Changed": [{"Id", "Name"?, "Notes": [..],
 *                                       "Changes": [{"Path", "Old"?, "New"?} |
 *                                                   {"Path", "Added", "Removed"}]}]}}}
 * Only types with a difference appear, in inventory type order; resources in
 * ID order; fields in key order (strcmp): the same inputs give the same bytes.
 */
#ifndef VPCX_MODEL_DIFF_H
#define VPCX_MODEL_DIFF_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "vpcx/core/strbuf.h"
#include "vpcx/model/inventory.h"

/* The report for old_inv -> new_inv (either may be empty, not NULL). */
cJSON *diff_inventories(const struct inventory *old_inv, const struct inventory *new_inv);

/* The field changes between two items of one resource as a JSON array
 * (empty when they are equal); caller owns it. */
cJSON *diff_items(const cJSON *old_item, const cJSON *new_item);

/* Added + removed + changed resources in a report. */
size_t diff_report_count(const cJSON *report);

/*
 * Appends the report as readable lines: one heading per type, then
 * "+ id (name)", "- id (name)", "~ id (name): notes" and one indented line per
 * changed field. Every AWS string is sanitised; long values are shortened.
 * "No differences." when the report is empty.
 */
void diff_report_text(const cJSON *report, struct strbuf *out);

/* String comparisons made so far by diffs: lets the tests check that the
 * cost grows with n log n of the arrays compared, not n squared. */
size_t diff_compare_count(void);

#endif
