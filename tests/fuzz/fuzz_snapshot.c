/*
 * fuzz_snapshot: loading a snapshot / cache / demo document (store/snapshot.h) into the
 * inventory model, and everything the model derives from it.
 *
 * Input: the JSON document. After a successful load the target walks every resource's
 * links and the derived data (IP usage, placement: CIDR math on untrusted values), then
 * writes the inventory back and loads the result: a document vpcx wrote must always load,
 * with the same number of resources of each type.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "vpcx/core/status.h"
#include "vpcx/model/cidr.h"
#include "vpcx/model/derived.h"
#include "vpcx/model/inventory.h"
#include "vpcx/store/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every address an ENI holds is in the IP index, so it leads back to an ENI. The index
   holds addresses, so text that is not one ("not-an-ip") is not in it. */
static void check_eni_addresses(const struct inventory *inv, const struct inv_ids *ips)
{
    for (size_t i = 0; i < ips->n; i++) {
        struct ip_addr a;
        if (ips->v[i] && ip_addr_parse(ips->v[i], &a) && !inventory_find_eni_by_ip(inv, ips->v[i]))
            abort();
    }
}

static void walk_links(const struct inventory *inv, const struct inv_resource *r)
{
    switch (r->type) {
    case INV_VPC:
        (void)inventory_vpc_subnets(inv, r->id);
        (void)inventory_vpc_endpoints(inv, r->id);
        break;
    case INV_SUBNET:
        (void)inventory_subnet_enis(inv, r->id);
        (void)inventory_subnet_endpoints(inv, r->id);
        (void)inventory_subnet_az(inv, r->id);
        break;
    case INV_ENDPOINT:
        (void)inventory_endpoint_enis(inv, r->id);
        (void)inventory_find_service(inv, r->endpoint.service_name, r->endpoint.kind);
        break;
    case INV_ENI:
        (void)inventory_eni_endpoint(inv, r->id, NULL);
        check_eni_addresses(inv, &r->eni.ipv4);
        check_eni_addresses(inv, &r->eni.ipv6);
        break;
    default:
        break;
    }
}

static void walk_inventory(const struct inventory *inv)
{
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        size_t n = inventory_count(inv, (enum inv_type)t);
        for (size_t i = 0; i < n; i++) {
            const struct inv_resource *r = inventory_at(inv, (enum inv_type)t, i);
            if (!r || inventory_find(inv, (enum inv_type)t, r->id) != r)
                abort();
            walk_links(inv, r);
        }
    }
    cJSON *derived = derived_to_json(inv);
    char *text = cJSON_PrintUnformatted(derived);
    free(text);
    cJSON_Delete(derived);
}

static char *write_document(const struct inventory *inv, const struct snapshot_meta *meta,
                            const cJSON *errors, size_t *len)
{
    char *buf = NULL;
    FILE *out = open_memstream(&buf, len);
    if (!out)
        abort();
    struct vpcx_error err;
    vpcx_error_init(&err);
    enum vpcx_status st = snapshot_write(out, inv, meta, errors, false, &err);
    vpcx_error_finish(&err);
    if (fclose(out) != 0 || st != VPCX_OK)
        abort();
    return buf;
}

/* What vpcx wrote must load again, resource for resource. */
static void check_round_trip(const struct inventory *inv, const struct snapshot_meta *meta,
                             const cJSON *errors)
{
    size_t len = 0;
    char *doc = write_document(inv, meta, errors, &len);
    struct inventory *back = inventory_create();
    struct snapshot_meta meta2;
    struct vpcx_error err;
    vpcx_error_init(&err);
    if (snapshot_load_buffer(doc, len, "round trip", back, &meta2, NULL, &err) != VPCX_OK)
        abort();
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        if (inventory_count(inv, (enum inv_type)t) != inventory_count(back, (enum inv_type)t))
            abort();
    }
    vpcx_error_finish(&err);
    snapshot_meta_finish(&meta2);
    inventory_destroy(back);
    free(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct inventory *inv = inventory_create();
    struct snapshot_meta meta;
    struct vpcx_error err;
    cJSON *errors = NULL;
    vpcx_error_init(&err);
    enum vpcx_status st =
        snapshot_load_buffer((const char *)data, size, "fuzz", inv, &meta, &errors, &err);
    if (st == VPCX_OK) {
        walk_inventory(inv);
        check_round_trip(inv, &meta, errors);
    }
    cJSON_Delete(errors);
    snapshot_meta_finish(&meta);
    vpcx_error_finish(&err);
    inventory_destroy(inv);
    return 0;
}
