/*
 * search: the explorer filter's text index over an inventory.
 *
 * A resource matches when the text is a case-insensitive (ASCII) substring of
 * one of its searchable fields: the ID, the name, every tag key and value,
 * and per type the CIDR (VPC, subnet), the private IPv4 and IPv6 addresses
 * and the description (ENI), the service name (endpoint), the zone name (AZ).
 *
 * The index holds, per type, every resource's fields lower-cased in one
 * contiguous text (fields end with a NUL, so no match spans two), built once
 * per inventory generation. A run scans that text with memmem(); when the new
 * text contains the previous one (typing one more character), only the
 * previous matches are tested again. Nothing is allocated per run once the
 * index is built, apart from growing the buffers to a longer text.
 *
 * Lifetimes: results refer to the inventory's generation at the last run;
 * search_hit() on a resource of a later generation is meaningless (run again
 * after the inventory changes). One thread.
 */
#ifndef VPCX_MODEL_SEARCH_H
#define VPCX_MODEL_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vpcx/model/inventory.h"

struct search;

struct search *search_create(void);
void search_destroy(struct search *s);

/*
 * Matches text against the inventory (rebuilding the index first when the
 * inventory changed since the last run). Returns the number of matching
 * resources. An empty or NULL text matches nothing.
 */
size_t search_run(struct search *s, const struct inventory *inv, const char *text);
/* True when r matched the last run. */
bool search_hit(const struct search *s, const struct inv_resource *r);
/* The same by type and inventory_slot(), for callers that keep the slot. */
bool search_hit_slot(const struct search *s, enum inv_type type, size_t slot);
/* Builds the index now, so that the first run costs only the scan. */
void search_prepare(struct search *s, const struct inventory *inv);

/* Bytes held by the index (text, offsets, match marks). */
size_t search_memory(const struct search *s);

/* Case-insensitive (ASCII) substring test, the rule search_run() applies. */
bool search_text_has(const char *s, const char *text);

#endif
