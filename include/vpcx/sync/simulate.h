/*
 * simulate: AWS's side of an endpoint change, played on the inventory for
 * SIMULATED mode (--demo, --snapshot), so a practised change looks as it would
 * in the account.
 *
 * A create makes one ENI per chosen subnet the way PrivateLink does: the first
 * free address of the subnet that is none of the five AWS reserves and held by
 * no other ENI; InterfaceType vpc_endpoint (gateway_load_balancer_endpoint for
 * GWLB), requester-managed, "VPC Endpoint Interface vpce-...", in the
 * endpoint's groups; the subnet's AvailableIpAddressCount goes down by one. The
 * endpoint gets AWS's DnsEntries (regional, per AZ, and the private name when
 * private DNS is on) and goes "pending", then "available" once SIM_SETTLE_MS
 * have passed. A gateway endpoint's route tables get the service's prefix-list
 * route. A modify makes ENIs in added subnets at once and takes those of
 * removed subnets away when it settles; the ENIs follow the endpoint's groups.
 * A delete shows "deleting", then removes the endpoint, its ENIs (counts given
 * back) and its routes. Nothing marks the items as simulated: what is in the
 * inventory is what a describe call would return.
 *
 * Time is a parameter (milliseconds on a monotonic clock): the owner asks
 * sim_timeout_ms() how long it may wait and calls sim_run_due() when it wakes.
 * Ownership: the inventory is borrowed from each apply call and must outlive
 * the pending transitions (or sim_destroy() must come first).
 */
#ifndef VPCX_SYNC_SIMULATE_H
#define VPCX_SYNC_SIMULATE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "vpcx/core/status.h"
#include "vpcx/model/inventory.h"

/* How long a simulated change stays pending (or deleting). */
#define SIM_SETTLE_MS 2000

struct sim;

struct sim *sim_create(void);
void sim_destroy(struct sim *s); /* NULL is a no-op */

/*
 * A new ID (prefix + 17 hex digits) no resource of type has: derived from
 * context and a count, so a replayed session makes the same IDs. Caller frees.
 */
char *sim_new_id(struct sim *s, const struct inventory *inv, enum inv_type type, const char *prefix,
                 const char *context);

/*
 * Puts ep (taken: a new endpoint as CreateVpcEndpoint describes it, any state)
 * into inv with its ENIs. On failure (no free address in a subnet) nothing is
 * changed, err says why and ep is freed.
 */
enum vpcx_status sim_create_endpoint(struct sim *s, struct inventory *inv, cJSON *ep,
                                     long long now_ms, struct vpcx_error *err);
/* Puts ep (taken: the endpoint as modified) into inv; ENIs follow its subnets. */
enum vpcx_status sim_modify_endpoint(struct sim *s, struct inventory *inv, cJSON *ep,
                                     long long now_ms, struct vpcx_error *err);
/* Starts deleting the endpoint: "deleting" now, gone when it settles. */
enum vpcx_status sim_delete_endpoint(struct sim *s, struct inventory *inv, const char *id,
                                     long long now_ms, struct vpcx_error *err);

/* Milliseconds until the next transition is due (0: now), -1 when none waits. */
long sim_timeout_ms(const struct sim *s, long long now_ms);
/* Applies the transitions due at now_ms; true when the inventory changed. */
bool sim_run_due(struct sim *s, long long now_ms);
/* True while a transition waits. */
bool sim_busy(const struct sim *s);

#endif
