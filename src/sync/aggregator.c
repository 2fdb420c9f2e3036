/* aggregator: many scopes from one AWS Config aggregator; see the header. */
#include "vpcx/sync/aggregator.h"

#include "vpcx/aws/configitem.h"
#include "vpcx/aws/organizations.h"
#include "vpcx/core/json.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/sync/fetch.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *resource_type;
    enum inv_type type;
} config_types[AGGREGATOR_TYPES] = {
    {"AWS::EC2::VPC", INV_VPC},
    {"AWS::EC2::Subnet", INV_SUBNET},
    {"AWS::EC2::VPCEndpoint", INV_ENDPOINT},
    {"AWS::EC2::NetworkInterface", INV_ENI},
    {"AWS::EC2::SecurityGroup", INV_SECURITY_GROUP},
    {"AWS::EC2::RouteTable", INV_ROUTE_TABLE},
    {"AWS::EC2::NetworkAcl", INV_NETWORK_ACL},
};

char *aggregator_source_name(const char *name)
{
    return xasprintf("config-aggregator %s", name);
}

bool aggregator_inv_type(const char *resource_type, enum inv_type *out)
{
    for (size_t i = 0; i < AGGREGATOR_TYPES; i++) {
        if (strcmp(config_types[i].resource_type, resource_type) == 0) {
            *out = config_types[i].type;
            return true;
        }
    }
    return false;
}

void aggregator_report_finish(struct aggregator_report *rep)
{
    for (size_t i = 0; i < AGGREGATOR_TYPES; i++)
        vpcx_error_finish(&rep->errors[i]);
    memset(rep, 0, sizeof(*rep));
}

static bool region_valid(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!islower((unsigned char)s[n]) && !isdigit((unsigned char)s[n]) && s[n] != '-')
            return false;
    return n > 0 && n <= 32;
}

struct query {
    const struct aggregator_options *o;
    struct scope_set *set;
    const char *source;
    enum inv_type type;
    const struct aws_shape *shape; /* the type's describe item */
    unsigned long items;
};

static struct scope *scope_of(struct query *q, const char *account, const char *region)
{
    const struct aggregator_options *o = q->o;
    bool mine = o->my_account && strcmp(o->my_account, account) == 0;
    char *role = !mine && o->org_role ? org_role_arn(o->partition, account, o->org_role) : NULL;
    size_t before = scope_set_count(q->set);
    struct scope *sc = scope_set_add_source(q->set, q->source, account, region, o->profile, role,
                                            !mine && !o->org_role);
    free(role);
    if (scope_set_count(q->set) != before) /* new: this type's refresh starts in it too */
        inventory_begin(sc->inv, q->type);
    return sc;
}

static enum vpcx_status on_result(void *ud, const cJSON *r, struct vpcx_error *err)
{
    (void)err;
    struct query *q = ud;
    const char *account = json_get_str(r, "accountId");
    const char *region = json_get_str(r, "awsRegion");
    if (!account || !region || !org_account_id_valid(account) || !region_valid(region))
        return VPCX_OK; /* an item vpcx cannot place: skipped, as a describe skips no-ID items */
    cJSON *item = configitem_to_describe(q->shape, inventory_type_id_field(q->type), r);
    if (!item)
        return VPCX_OK;
    struct scope *sc = scope_of(q, account, region);
    if (inventory_put(sc->inv, q->type, item) == VPCX_OK)
        q->items++;
    return VPCX_OK;
}

/* Every source scope of this load. */
static bool ours(const struct scope *sc, const char *source)
{
    return sc->source && strcmp(sc->source, source) == 0;
}

static enum vpcx_status load_type(struct aws_session *s, struct query *q, const char *rtype,
                                  struct aggregator_report *rep, struct vpcx_error *err)
{
    char *expr = xasprintf("SELECT resourceId, resourceType, accountId, awsRegion, configuration, "
                           "tags WHERE resourceType = '%s'",
                           rtype);
    const struct config_select sel = {
        .aggregator = q->o->name,
        .expression = expr,
        .limit = q->o->limit,
        .endpoint_url = q->o->endpoint_url,
    };
    for (size_t i = 0; i < scope_set_count(q->set); i++)
        if (ours(scope_set_get(q->set, i), q->source))
            inventory_begin(scope_set_get(q->set, i)->inv, q->type);
    enum vpcx_status st = config_select_aggregate(s, &sel, on_result, q, &rep->stats, err);
    for (size_t i = 0; i < scope_set_count(q->set); i++) {
        struct scope *sc = scope_set_get(q->set, i);
        if (!ours(sc, q->source))
            continue;
        if (st == VPCX_OK)
            inventory_end(sc->inv, q->type);
        else
            inventory_abort(sc->inv, q->type);
    }
    free(expr);
    return st;
}

enum vpcx_status aggregator_load(struct aws_session *s, const struct aggregator_options *o,
                                 struct scope_set *set, struct aggregator_report *rep,
                                 struct vpcx_error *err)
{
    memset(rep, 0, sizeof(*rep));
    char *source = aggregator_source_name(o->name);
    struct query q = {.o = o, .set = set, .source = source};
    bool loaded[AGGREGATOR_TYPES] = {false};
    int first_failed = -1;
    for (size_t i = 0; i < AGGREGATOR_TYPES; i++) {
        rep->types[i] = config_types[i].type;
        rep->resource_types[i] = config_types[i].resource_type;
        vpcx_error_init(&rep->errors[i]);
    }
    for (size_t i = 0; i < AGGREGATOR_TYPES; i++) {
        q.type = config_types[i].type;
        q.shape = configitem_shape(fetch_operation(q.type));
        if (load_type(s, &q, config_types[i].resource_type, rep, &rep->errors[i]) == VPCX_OK) {
            loaded[i] = true;
            rep->loaded++;
            continue;
        }
        rep->failed++;
        if (first_failed < 0)
            first_failed = (int)i;
        /* The aggregator is missing or refused: every other type would say the same. */
        enum vpcx_status why = rep->errors[i].status;
        if (why == VPCX_ERR_NOT_FOUND || why == VPCX_ERR_ACCESS_DENIED || why == VPCX_ERR_AUTH ||
            why == VPCX_ERR_CONFIG)
            break;
    }
    /* A scope first seen in a later type has the earlier loaded types empty, not unknown. */
    for (size_t k = 0; k < scope_set_count(set); k++) {
        struct scope *sc = scope_set_get(set, k);
        for (size_t i = 0; ours(sc, source) && i < AGGREGATOR_TYPES; i++) {
            if (!loaded[i] || inventory_type_loaded(sc->inv, config_types[i].type))
                continue;
            inventory_begin(sc->inv, config_types[i].type);
            inventory_end(sc->inv, config_types[i].type);
        }
    }
    free(source);
    if (rep->loaded > 0 || first_failed < 0)
        return VPCX_OK;
    vpcx_error_copy(err, &rep->errors[first_failed]);
    return err->status;
}
