/* inventory: resources keyed by ID, mark-and-sweep refresh, lazy links by ID. */
#include "vpcx/model/inventory.h"

#include <stdlib.h>
#include <string.h>

#include "vpcx/core/xalloc.h"

/* ---- type table ---------------------------------------------------------- */

struct inv_type_info {
    const char *list_key;
    const char *id_field;
    const char *human;
};

static const struct inv_type_info type_info[INV_TYPE_COUNT] = {
#define INV_TYPE_INFO(name, list_key, id_field, human) {list_key, id_field, human},
    INVENTORY_TYPE_TABLE(INV_TYPE_INFO)
#undef INV_TYPE_INFO
};

const char *inventory_type_list_key(enum inv_type type)
{
    return type < INV_TYPE_COUNT ? type_info[type].list_key : "?";
}

const char *inventory_type_id_field(enum inv_type type)
{
    return type < INV_TYPE_COUNT ? type_info[type].id_field : "?";
}

const char *inventory_type_name(enum inv_type type)
{
    return type < INV_TYPE_COUNT ? type_info[type].human : "?";
}

bool inventory_type_from_list_key(const char *key, enum inv_type *out)
{
    for (int t = 0; t < INV_TYPE_COUNT && key != NULL; t++) {
        if (strcmp(type_info[t].list_key, key) == 0) {
            *out = (enum inv_type)t;
            return true;
        }
    }
    return false;
}

/* ---- string-keyed map: open addressing, linear probing, backward-shift delete */

struct strmap_slot {
    const char *key; /* borrowed; NULL = empty */
    void *value;
    size_t hash;
};

struct strmap {
    struct strmap_slot *slots;
    size_t cap; /* power of two, or 0 */
    size_t len;
};

static size_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return (size_t)(h ^ (h >> 29));
}

static void strmap_finish(struct strmap *m)
{
    free(m->slots);
    memset(m, 0, sizeof(*m));
}

/* Index of key's slot, or of the empty slot where it would go. */
static size_t strmap_probe(const struct strmap *m, const char *key, size_t hash)
{
    size_t mask = m->cap - 1;
    size_t i = hash & mask;
    while (m->slots[i].key != NULL &&
           (m->slots[i].hash != hash || strcmp(m->slots[i].key, key) != 0)) {
        i = (i + 1) & mask;
    }
    return i;
}

static void *strmap_get(const struct strmap *m, const char *key)
{
    if (m->len == 0 || key == NULL) {
        return NULL;
    }
    const struct strmap_slot *s = &m->slots[strmap_probe(m, key, str_hash(key))];
    return s->key != NULL ? s->value : NULL;
}

static void strmap_grow(struct strmap *m)
{
    struct strmap old = *m;
    m->cap = old.cap == 0 ? 16 : old.cap * 2;
    m->slots = xcalloc(m->cap, sizeof(*m->slots));
    for (size_t i = 0; i < old.cap; i++) {
        if (old.slots[i].key != NULL) {
            m->slots[strmap_probe(m, old.slots[i].key, old.slots[i].hash)] = old.slots[i];
        }
    }
    free(old.slots);
}

/* Inserts or replaces; key must outlive its entry. */
static void strmap_set(struct strmap *m, const char *key, void *value)
{
    if ((m->len + 1) * 10 > m->cap * 7) {
        strmap_grow(m);
    }
    size_t hash = str_hash(key);
    struct strmap_slot *s = &m->slots[strmap_probe(m, key, hash)];
    if (s->key == NULL) {
        m->len++;
    }
    s->key = key;
    s->value = value;
    s->hash = hash;
}

/* True when home lies cyclically in (hole, pos]: the entry must stay put. */
static bool probe_between(size_t hole, size_t home, size_t pos)
{
    return hole <= pos ? (hole < home && home <= pos) : (hole < home || home <= pos);
}

static void *strmap_remove(struct strmap *m, const char *key)
{
    if (m->len == 0 || key == NULL) {
        return NULL;
    }
    size_t mask = m->cap - 1;
    size_t hole = strmap_probe(m, key, str_hash(key));
    if (m->slots[hole].key == NULL) {
        return NULL;
    }
    void *value = m->slots[hole].value;
    for (size_t pos = (hole + 1) & mask; m->slots[pos].key != NULL; pos = (pos + 1) & mask) {
        if (!probe_between(hole, m->slots[pos].hash & mask, pos)) {
            m->slots[hole] = m->slots[pos];
            hole = pos;
        }
    }
    m->slots[hole].key = NULL;
    m->len--;
    return value;
}

/* ---- growable ID list ----------------------------------------------------- */

struct idvec {
    const char **v;
    size_t n;
    size_t cap;
};

static void idvec_push(struct idvec *vec, const char *id)
{
    if (vec->n == vec->cap) {
        vec->cap = vec->cap == 0 ? 4 : vec->cap * 2;
        vec->v = xreallocarray(vec->v, vec->cap, sizeof(*vec->v));
    }
    vec->v[vec->n++] = id;
}

static bool idvec_has(const struct idvec *vec, const char *id)
{
    for (size_t i = 0; i < vec->n; i++) {
        if (strcmp(vec->v[i], id) == 0) {
            return true;
        }
    }
    return false;
}

static int cmp_str_ptr(const void *a, const void *b)
{
    const char *const *x = a;
    const char *const *y = b;
    return strcmp(*x, *y);
}

/* Sorts and drops duplicates. */
static void idvec_sort_unique(struct idvec *vec)
{
    if (vec->n < 2) {
        return;
    }
    qsort(vec->v, vec->n, sizeof(*vec->v), cmp_str_ptr);
    size_t out = 1;
    for (size_t i = 1; i < vec->n; i++) {
        if (strcmp(vec->v[i], vec->v[out - 1]) != 0) {
            vec->v[out++] = vec->v[i];
        }
    }
    vec->n = out;
}

static struct inv_ids idvec_ids(const struct idvec *vec)
{
    struct inv_ids ids = {vec->v, vec->n};
    return ids;
}

/* ---- the inventory -------------------------------------------------------- */

struct inv_links {
    struct idvec a; /* VPC: subnets; subnet: ENIs; endpoint: ENIs */
    struct idvec b; /* VPC: endpoints; subnet: endpoints */
    const char *owner;
    char *owner_buf; /* owner ID parsed from a description */
    enum inv_owner_source source;
    const struct inv_resource *az;
};

struct inv_table {
    struct strmap by_id;
    struct inv_resource **items; /* unordered; resource->slot is the index */
    size_t n;
    size_t cap;
    bool refreshing;
    bool loaded;
    uint64_t gen;
};

/* An IP address and the ENIs holding it (several only across VPCs). */
struct inv_ip_entry {
    char *ip; /* canonical text, the map key */
    struct inv_resource **enis;
    size_t n;
    size_t cap;
};

/* Derived state rebuilt on demand; reached through a pointer so const readers can fill it. */
struct inv_lazy {
    uint64_t links_gen;
    uint64_t sorted_gen[INV_TYPE_COUNT];
    struct inv_resource **sorted[INV_TYPE_COUNT];
};

struct inventory {
    struct inv_table tables[INV_TYPE_COUNT];
    struct strmap by_ip;      /* canonical IP -> struct inv_ip_entry */
    struct strmap az_by_name; /* ZoneName -> AZ resource */
    uint64_t gen;
    struct inv_lazy *lazy;
};

struct inventory *inventory_create(void)
{
    struct inventory *inv = xcalloc(1, sizeof(*inv));
    inv->lazy = xcalloc(1, sizeof(*inv->lazy));
    inv->gen = 1;
    return inv;
}

uint64_t inventory_generation(const struct inventory *inv)
{
    return inv->gen;
}

static void bump(struct inventory *inv, enum inv_type type)
{
    inv->gen++;
    inv->tables[type].gen++;
}

/* ---- JSON field helpers --------------------------------------------------- */

static const char *json_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool json_true(const cJSON *obj, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

/* Strings of an array of strings (key NULL) or of objects' key member. */
static struct inv_ids json_strings(const cJSON *obj, const char *array_key, const char *key)
{
    struct idvec vec = {0};
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, array_key);
    const cJSON *el;
    cJSON_ArrayForEach(el, arr)
    {
        const cJSON *s = key != NULL ? cJSON_GetObjectItemCaseSensitive(el, key) : el;
        if (cJSON_IsString(s) && s->valuestring[0] != '\0') {
            idvec_push(&vec, s->valuestring);
        }
    }
    return idvec_ids(&vec);
}

static bool cidr_state_gone(const cJSON *el, const char *state_key)
{
    const char *st = json_str(cJSON_GetObjectItemCaseSensitive(el, state_key), "State");
    return st != NULL && (strcmp(st, "disassociated") == 0 || strcmp(st, "failed") == 0);
}

/* Parses the CIDRs of an association set, skipping dropped associations. */
static size_t json_cidrs(const cJSON *obj, const char *array_key, const char *key,
                         const char *state_key, struct cidr **out)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, array_key);
    size_t n = 0;
    struct cidr *v = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*v));
    const cJSON *el;
    cJSON_ArrayForEach(el, arr)
    {
        if (!cidr_state_gone(el, state_key) && cidr_parse(json_str(el, key), &v[n], NULL)) {
            n++;
        }
    }
    *out = v;
    return n;
}

const cJSON *inventory_item_tags(const cJSON *item)
{
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(item, "Tags");
    if (!cJSON_IsArray(tags)) {
        tags = cJSON_GetObjectItemCaseSensitive(item, "TagSet");
    }
    return cJSON_IsArray(tags) ? tags : NULL;
}

static const char *json_name_tag(const cJSON *obj)
{
    const cJSON *tag;
    cJSON_ArrayForEach(tag, inventory_item_tags(obj))
    {
        const char *key = json_str(tag, "Key");
        if (key != NULL && strcmp(key, "Name") == 0) {
            return json_str(tag, "Value");
        }
    }
    return NULL;
}

static enum inv_endpoint_kind endpoint_kind(const char *text)
{
    if (text == NULL) {
        return INV_ENDPOINT_OTHER;
    }
    if (strcmp(text, "Interface") == 0) {
        return INV_ENDPOINT_INTERFACE;
    }
    if (strcmp(text, "Gateway") == 0) {
        return INV_ENDPOINT_GATEWAY;
    }
    if (strcmp(text, "GatewayLoadBalancer") == 0) {
        return INV_ENDPOINT_GWLB;
    }
    return INV_ENDPOINT_OTHER;
}

/* ---- typed extraction ------------------------------------------------------ */

static void extract_vpc(struct inv_resource *r)
{
    struct inv_vpc *v = &r->vpc;
    v->has_cidr = cidr_parse(json_str(r->json, "CidrBlock"), &v->cidr, NULL);
    v->n_cidrs =
        json_cidrs(r->json, "CidrBlockAssociationSet", "CidrBlock", "CidrBlockState", &v->cidrs);
    v->n_ipv6 = json_cidrs(r->json, "Ipv6CidrBlockAssociationSet", "Ipv6CidrBlock",
                           "Ipv6CidrBlockState", &v->ipv6);
    v->is_default = json_true(r->json, "IsDefault");
}

static void extract_subnet(struct inv_resource *r)
{
    struct inv_subnet *s = &r->subnet;
    s->has_cidr = cidr_parse(json_str(r->json, "CidrBlock"), &s->cidr, NULL);
    s->n_ipv6 = json_cidrs(r->json, "Ipv6CidrBlockAssociationSet", "Ipv6CidrBlock",
                           "Ipv6CidrBlockState", &s->ipv6);
    s->az_name = json_str(r->json, "AvailabilityZone");
    s->az_id = json_str(r->json, "AvailabilityZoneId");
    const cJSON *avail = cJSON_GetObjectItemCaseSensitive(r->json, "AvailableIpAddressCount");
    /* A subnet holds at most 2^32 IPv4 addresses; anything else is not a count. */
    s->has_available =
        cJSON_IsNumber(avail) && avail->valuedouble >= 0 && avail->valuedouble <= 4294967296.0;
    s->available = s->has_available ? (int64_t)avail->valuedouble : 0;
}

static void extract_az(struct inv_resource *r)
{
    r->az.zone_name = json_str(r->json, "ZoneName");
    r->az.zone_id = json_str(r->json, "ZoneId");
    r->az.region = json_str(r->json, "RegionName");
    r->az.zone_type = json_str(r->json, "ZoneType");
}

static void extract_endpoint(struct inv_resource *r)
{
    struct inv_endpoint *e = &r->endpoint;
    e->type_text = json_str(r->json, "VpcEndpointType");
    e->kind = endpoint_kind(e->type_text);
    e->service_name = json_str(r->json, "ServiceName");
    e->policy = json_str(r->json, "PolicyDocument");
    e->private_dns_enabled = json_true(r->json, "PrivateDnsEnabled");
    e->subnet_ids = json_strings(r->json, "SubnetIds", NULL);
    e->eni_ids = json_strings(r->json, "NetworkInterfaceIds", NULL);
    e->group_ids = json_strings(r->json, "Groups", "GroupId");
    e->route_table_ids = json_strings(r->json, "RouteTableIds", NULL);
}

static void extract_service(struct inv_resource *r)
{
    struct inv_service *s = &r->service;
    struct inv_ids types = json_strings(r->json, "ServiceType", "ServiceType");
    s->kinds = 0;
    for (size_t i = 0; i < types.n; i++) {
        s->kinds |= 1u << endpoint_kind(types.v[i]);
    }
    free(types.v);
    s->az_names = json_strings(r->json, "AvailabilityZones", NULL);
    s->private_dns = json_str(r->json, "PrivateDnsName");
    s->service_name = json_str(r->json, "ServiceName");
}

static uint64_t prefix_addresses(const cJSON *obj)
{
    uint64_t total = 0;
    struct cidr c;
    const cJSON *el;
    cJSON_ArrayForEach(el, cJSON_GetObjectItemCaseSensitive(obj, "Ipv4Prefixes"))
    {
        if (cidr_parse(json_str(el, "Ipv4Prefix"), &c, NULL)) {
            total += cidr_size_u64(&c);
        }
    }
    return total;
}

static void extract_eni(struct inv_resource *r)
{
    struct inv_eni *e = &r->eni;
    e->subnet_id = json_str(r->json, "SubnetId");
    e->az_name = json_str(r->json, "AvailabilityZone");
    e->az_id = json_str(r->json, "AvailabilityZoneId");
    e->interface_type = json_str(r->json, "InterfaceType");
    e->description = json_str(r->json, "Description");
    e->requester_id = json_str(r->json, "RequesterId");
    e->instance_id =
        json_str(cJSON_GetObjectItemCaseSensitive(r->json, "Attachment"), "InstanceId");
    e->primary_ip = json_str(r->json, "PrivateIpAddress");
    e->requester_managed = json_true(r->json, "RequesterManaged");
    e->ipv4 = json_strings(r->json, "PrivateIpAddresses", "PrivateIpAddress");
    if (e->ipv4.n == 0 && e->primary_ip != NULL && e->primary_ip[0] != '\0') {
        e->ipv4.v = xmalloc(sizeof(*e->ipv4.v));
        e->ipv4.v[0] = e->primary_ip;
        e->ipv4.n = 1;
    }
    e->ipv6 = json_strings(r->json, "Ipv6Addresses", "Ipv6Address");
    e->ipv4_prefix_addresses = prefix_addresses(r->json);
}

static void extract(struct inv_resource *r)
{
    r->name = json_name_tag(r->json);
    r->vpc_id = json_str(r->json, "VpcId");
    r->state = json_str(r->json, r->type == INV_ENI ? "Status" : "State");
    switch (r->type) {
    case INV_VPC:
        extract_vpc(r);
        break;
    case INV_SUBNET:
        extract_subnet(r);
        break;
    case INV_AZ:
        extract_az(r);
        break;
    case INV_ENDPOINT:
        extract_endpoint(r);
        break;
    case INV_SERVICE:
        extract_service(r);
        break;
    case INV_ENI:
        extract_eni(r);
        break;
    case INV_SECURITY_GROUP:
        if (r->name == NULL) {
            r->name = json_str(r->json, "GroupName");
        }
        break;
    case INV_PREFIX_LIST:
        if (r->name == NULL) {
            r->name = json_str(r->json, "PrefixListName");
        }
        break;
    default:
        break;
    }
}

static void free_typed(struct inv_resource *r)
{
    switch (r->type) {
    case INV_VPC:
        free(r->vpc.cidrs);
        free(r->vpc.ipv6);
        break;
    case INV_SUBNET:
        free(r->subnet.ipv6);
        break;
    case INV_ENDPOINT:
        free(r->endpoint.subnet_ids.v);
        free(r->endpoint.eni_ids.v);
        free(r->endpoint.group_ids.v);
        free(r->endpoint.route_table_ids.v);
        break;
    case INV_SERVICE:
        free(r->service.az_names.v);
        break;
    case INV_ENI:
        free(r->eni.ipv4.v);
        free(r->eni.ipv6.v);
        break;
    default:
        break;
    }
}

static void links_free(struct inv_links *l)
{
    if (l == NULL) {
        return;
    }
    free(l->a.v);
    free(l->b.v);
    free(l->owner_buf);
    free(l);
}

/* ---- secondary indexes (IP, AZ name) ---------------------------------------- */

static char *canonical_ip(const char *text)
{
    struct ip_addr a;
    return ip_addr_parse(text, &a) ? ip_addr_to_string(&a) : xstrdup(text);
}

static void ip_index_add(struct inventory *inv, struct inv_resource *eni, const char *text)
{
    char *ip = canonical_ip(text);
    struct inv_ip_entry *e = strmap_get(&inv->by_ip, ip);
    if (e == NULL) {
        e = xcalloc(1, sizeof(*e));
        e->ip = ip;
        strmap_set(&inv->by_ip, e->ip, e);
    } else {
        free(ip);
    }
    for (size_t i = 0; i < e->n; i++) {
        if (e->enis[i] == eni) {
            return;
        }
    }
    if (e->n == e->cap) {
        e->cap = e->cap == 0 ? 1 : e->cap * 2;
        e->enis = xreallocarray(e->enis, e->cap, sizeof(*e->enis));
    }
    e->enis[e->n++] = eni;
}

static void ip_entry_free(struct inv_ip_entry *e)
{
    free(e->enis);
    free(e->ip);
    free(e);
}

static void ip_index_del(struct inventory *inv, struct inv_resource *eni, const char *text)
{
    char *ip = canonical_ip(text);
    struct inv_ip_entry *e = strmap_get(&inv->by_ip, ip);
    free(ip);
    if (e == NULL) {
        return;
    }
    for (size_t i = 0; i < e->n; i++) {
        if (e->enis[i] == eni) {
            e->enis[i] = e->enis[--e->n];
            break;
        }
    }
    if (e->n == 0) {
        strmap_remove(&inv->by_ip, e->ip);
        ip_entry_free(e);
    }
}

/* Adds (add true) or removes the resource from the secondary indexes. */
static void index_update(struct inventory *inv, struct inv_resource *r, bool add)
{
    if (r->type == INV_AZ && r->az.zone_name != NULL) {
        if (add) {
            strmap_set(&inv->az_by_name, r->az.zone_name, r);
        } else if (strmap_get(&inv->az_by_name, r->az.zone_name) == r) {
            strmap_remove(&inv->az_by_name, r->az.zone_name);
        }
    }
    if (r->type != INV_ENI) {
        return;
    }
    const struct inv_ids *lists[] = {&r->eni.ipv4, &r->eni.ipv6};
    for (size_t l = 0; l < 2; l++) {
        for (size_t i = 0; i < lists[l]->n; i++) {
            if (add) {
                ip_index_add(inv, r, lists[l]->v[i]);
            } else {
                ip_index_del(inv, r, lists[l]->v[i]);
            }
        }
    }
}

/* ---- insert, replace, remove -------------------------------------------------- */

static void resource_free(struct inv_resource *r)
{
    free_typed(r);
    cJSON_Delete(r->json);
    links_free(r->links);
    free((void *)(uintptr_t)r->id); /* owned; const only to callers */
    free(r);
}

static void table_append(struct inv_table *t, struct inv_resource *r)
{
    if (t->n == t->cap) {
        t->cap = t->cap == 0 ? 64 : t->cap * 2;
        t->items = xreallocarray(t->items, t->cap, sizeof(*t->items));
    }
    r->slot = t->n;
    t->items[t->n++] = r;
}

static void table_remove(struct inventory *inv, struct inv_table *t, struct inv_resource *r)
{
    strmap_remove(&t->by_id, r->id);
    index_update(inv, r, false);
    t->items[r->slot] = t->items[--t->n];
    t->items[r->slot]->slot = r->slot;
    resource_free(r);
}

static void replace_item(struct inventory *inv, struct inv_resource *r, cJSON *item)
{
    enum inv_tristate dns_support = r->vpc.dns_support;
    enum inv_tristate dns_hostnames = r->vpc.dns_hostnames;
    index_update(inv, r, false);
    free_typed(r);
    cJSON_Delete(r->json);
    r->json = item;
    extract(r);
    if (r->type == INV_VPC) {
        r->vpc.dns_support = dns_support;
        r->vpc.dns_hostnames = dns_hostnames;
    }
    index_update(inv, r, true);
    r->stale = false;
}

static void insert_item(struct inventory *inv, enum inv_type type, const char *id, cJSON *item)
{
    struct inv_resource *r = xcalloc(1, sizeof(*r));
    r->type = type;
    r->id = xstrdup(id);
    r->json = item;
    extract(r);
    if (type == INV_VPC) {
        r->vpc.dns_support = INV_UNKNOWN;
        r->vpc.dns_hostnames = INV_UNKNOWN;
    }
    table_append(&inv->tables[type], r);
    strmap_set(&inv->tables[type].by_id, r->id, r);
    index_update(inv, r, true);
}

enum vpcx_status inventory_put(struct inventory *inv, enum inv_type type, cJSON *item)
{
    if (type >= INV_TYPE_COUNT || !cJSON_IsObject(item)) {
        cJSON_Delete(item);
        return VPCX_ERR_PARSE;
    }
    const char *id = json_str(item, type_info[type].id_field);
    if (id == NULL || id[0] == '\0') {
        cJSON_Delete(item);
        return VPCX_ERR_PARSE;
    }
    struct inv_resource *r = strmap_get(&inv->tables[type].by_id, id);
    if (r != NULL) {
        replace_item(inv, r, item);
    } else {
        insert_item(inv, type, id, item);
    }
    bump(inv, type);
    return VPCX_OK;
}

void inventory_begin(struct inventory *inv, enum inv_type type)
{
    struct inv_table *t = &inv->tables[type];
    for (size_t i = 0; i < t->n; i++) {
        t->items[i]->stale = true;
    }
    t->refreshing = true;
}

void inventory_end(struct inventory *inv, enum inv_type type)
{
    struct inv_table *t = &inv->tables[type];
    for (size_t i = t->n; i > 0; i--) {
        if (t->items[i - 1]->stale) {
            table_remove(inv, t, t->items[i - 1]);
        }
    }
    t->refreshing = false;
    t->loaded = true;
    bump(inv, type);
}

void inventory_abort(struct inventory *inv, enum inv_type type)
{
    struct inv_table *t = &inv->tables[type];
    for (size_t i = 0; i < t->n; i++) {
        t->items[i]->stale = false;
    }
    t->refreshing = false;
}

bool inventory_type_loaded(const struct inventory *inv, enum inv_type type)
{
    return inv->tables[type].loaded;
}

static void ip_entries_free(struct strmap *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].key != NULL) {
            ip_entry_free(m->slots[i].value);
        }
    }
    strmap_finish(m);
}

void inventory_destroy(struct inventory *inv)
{
    if (inv == NULL) {
        return;
    }
    for (int type = 0; type < INV_TYPE_COUNT; type++) {
        struct inv_table *t = &inv->tables[type];
        for (size_t i = 0; i < t->n; i++) {
            resource_free(t->items[i]);
        }
        free(t->items);
        strmap_finish(&t->by_id);
        free(inv->lazy->sorted[type]);
    }
    ip_entries_free(&inv->by_ip);
    strmap_finish(&inv->az_by_name);
    free(inv->lazy);
    free(inv);
}

enum vpcx_status inventory_set_vpc_attribute(struct inventory *inv, const char *vpc_id,
                                             const char *attribute, bool value)
{
    struct inv_resource *r = strmap_get(&inv->tables[INV_VPC].by_id, vpc_id);
    if (r == NULL) {
        return VPCX_ERR_NOT_FOUND;
    }
    enum inv_tristate v = value ? INV_YES : INV_NO;
    if (attribute != NULL && strcmp(attribute, "enableDnsSupport") == 0) {
        r->vpc.dns_support = v;
    } else if (attribute != NULL && strcmp(attribute, "enableDnsHostnames") == 0) {
        r->vpc.dns_hostnames = v;
    } else {
        return VPCX_ERR_USAGE;
    }
    bump(inv, INV_VPC);
    return VPCX_OK;
}

/* ---- lookups ---------------------------------------------------------------- */

static int cmp_resource_id(const void *a, const void *b)
{
    const struct inv_resource *const *x = a;
    const struct inv_resource *const *y = b;
    return strcmp((*x)->id, (*y)->id);
}

/* The type's resources sorted by ID, rebuilt when the type changed. */
static struct inv_resource **sorted_items(const struct inventory *inv, enum inv_type type)
{
    const struct inv_table *t = &inv->tables[type];
    struct inv_lazy *lazy = inv->lazy;
    if (lazy->sorted_gen[type] != t->gen || lazy->sorted[type] == NULL) {
        free(lazy->sorted[type]);
        lazy->sorted[type] = xreallocarray(NULL, t->n + 1, sizeof(*t->items));
        if (t->n > 0) {
            memcpy(lazy->sorted[type], t->items, t->n * sizeof(*t->items));
            qsort(lazy->sorted[type], t->n, sizeof(*t->items), cmp_resource_id);
        }
        lazy->sorted_gen[type] = t->gen;
    }
    return lazy->sorted[type];
}

size_t inventory_count(const struct inventory *inv, enum inv_type type)
{
    return type < INV_TYPE_COUNT ? inv->tables[type].n : 0;
}

const struct inv_resource *inventory_at(const struct inventory *inv, enum inv_type type,
                                        size_t index)
{
    if (type >= INV_TYPE_COUNT || index >= inv->tables[type].n) {
        return NULL;
    }
    return sorted_items(inv, type)[index];
}

const struct inv_resource *inventory_find(const struct inventory *inv, enum inv_type type,
                                          const char *id)
{
    if (type >= INV_TYPE_COUNT) {
        return NULL;
    }
    return strmap_get(&inv->tables[type].by_id, id);
}

const struct inv_resource *inventory_find_service(const struct inventory *inv,
                                                  const char *service_name,
                                                  enum inv_endpoint_kind kind)
{
    /* A few hundred services per region: a scan is cheaper than another index. */
    const struct inv_resource *any = NULL;
    size_t n = inventory_count(inv, INV_SERVICE);
    for (size_t i = 0; service_name != NULL && i < n; i++) {
        const struct inv_resource *r = inventory_at(inv, INV_SERVICE, i);
        if (r->service.service_name == NULL || strcmp(r->service.service_name, service_name) != 0) {
            continue;
        }
        if (r->service.kinds & (1u << kind)) {
            return r;
        }
        if (any == NULL) {
            any = r;
        }
    }
    return any;
}

const struct inv_resource *inventory_find_az_by_name(const struct inventory *inv,
                                                     const char *zone_name)
{
    return strmap_get(&inv->az_by_name, zone_name);
}

const struct inv_resource *inventory_find_eni_by_vpc_ip(const struct inventory *inv,
                                                        const char *vpc_id, const char *ip)
{
    if (ip == NULL) {
        return NULL;
    }
    char *key = canonical_ip(ip);
    const struct inv_ip_entry *e = strmap_get(&inv->by_ip, key);
    free(key);
    const struct inv_resource *best = NULL;
    for (size_t i = 0; e != NULL && i < e->n; i++) {
        const struct inv_resource *r = e->enis[i];
        bool vpc_ok = vpc_id == NULL || (r->vpc_id != NULL && strcmp(r->vpc_id, vpc_id) == 0);
        if (vpc_ok && (best == NULL || strcmp(r->id, best->id) < 0)) {
            best = r;
        }
    }
    return best;
}

const struct inv_resource *inventory_find_eni_by_ip(const struct inventory *inv, const char *ip)
{
    return inventory_find_eni_by_vpc_ip(inv, NULL, ip);
}

size_t inventory_find_enis_by_ip(const struct inventory *inv, const char *ip,
                                 const struct inv_resource ***out)
{
    *out = NULL;
    if (ip == NULL) {
        return 0;
    }
    char *key = canonical_ip(ip);
    const struct inv_ip_entry *e = strmap_get(&inv->by_ip, key);
    free(key);
    if (e == NULL || e->n == 0) {
        return 0;
    }
    const struct inv_resource **v = xcalloc(e->n, sizeof(*v));
    memcpy(v, e->enis, e->n * sizeof(*v));
    qsort(v, e->n, sizeof(*v), cmp_resource_id);
    *out = v;
    return e->n;
}

/* ---- links ------------------------------------------------------------------- */

static struct inv_links *links_of(struct inv_resource *r)
{
    if (r->links == NULL) {
        r->links = xcalloc(1, sizeof(*r->links));
    }
    return r->links;
}

static void links_reset(const struct inventory *inv, enum inv_type type)
{
    const struct inv_table *t = &inv->tables[type];
    for (size_t i = 0; i < t->n; i++) {
        struct inv_links *l = links_of(t->items[i]);
        l->a.n = 0;
        l->b.n = 0;
        l->owner = NULL;
        free(l->owner_buf);
        l->owner_buf = NULL;
        l->source = INV_OWNER_NONE;
        l->az = NULL;
    }
}

static struct inv_resource *find_mut(const struct inventory *inv, enum inv_type type,
                                     const char *id)
{
    return strmap_get(&inv->tables[type].by_id, id);
}

static void link_subnets(const struct inventory *inv)
{
    struct inv_resource **items = sorted_items(inv, INV_SUBNET);
    for (size_t i = 0; i < inv->tables[INV_SUBNET].n; i++) {
        struct inv_resource *s = items[i];
        struct inv_resource *vpc = find_mut(inv, INV_VPC, s->vpc_id);
        if (vpc != NULL) {
            idvec_push(&links_of(vpc)->a, s->id);
        }
        const struct inv_resource *az = find_mut(inv, INV_AZ, s->subnet.az_id);
        if (az == NULL) {
            az = strmap_get(&inv->az_by_name, s->subnet.az_name);
        }
        links_of(s)->az = az;
    }
}

static void link_endpoints(const struct inventory *inv)
{
    struct inv_resource **items = sorted_items(inv, INV_ENDPOINT);
    for (size_t i = 0; i < inv->tables[INV_ENDPOINT].n; i++) {
        struct inv_resource *ep = items[i];
        struct inv_resource *vpc = find_mut(inv, INV_VPC, ep->vpc_id);
        if (vpc != NULL) {
            idvec_push(&links_of(vpc)->b, ep->id);
        }
        for (size_t k = 0; k < ep->endpoint.subnet_ids.n; k++) {
            struct inv_resource *s = find_mut(inv, INV_SUBNET, ep->endpoint.subnet_ids.v[k]);
            if (s != NULL) {
                idvec_push(&links_of(s)->b, ep->id);
            }
        }
        for (size_t k = 0; k < ep->endpoint.eni_ids.n; k++) {
            idvec_push(&links_of(ep)->a, ep->endpoint.eni_ids.v[k]);
            struct inv_resource *eni = find_mut(inv, INV_ENI, ep->endpoint.eni_ids.v[k]);
            if (eni != NULL && links_of(eni)->owner == NULL) {
                eni->links->owner = ep->id;
                eni->links->source = INV_OWNER_ENDPOINT_LIST;
            }
        }
    }
}

/* "VPC Endpoint Interface vpce-0abc" -> "vpce-0abc" for vpc_endpoint ENIs, else NULL. */
static char *owner_from_description(const struct inv_eni *e)
{
    static const char prefix[] = "VPC Endpoint Interface ";
    if (e->interface_type == NULL || strcmp(e->interface_type, "vpc_endpoint") != 0 ||
        e->description == NULL || strncmp(e->description, prefix, sizeof(prefix) - 1) != 0) {
        return NULL;
    }
    const char *id = e->description + sizeof(prefix) - 1;
    size_t len = strcspn(id, " \t");
    if (len <= 5 || strncmp(id, "vpce-", 5) != 0) {
        return NULL;
    }
    return xstrndup(id, len);
}

static void link_eni_owner(const struct inventory *inv, struct inv_resource *eni)
{
    struct inv_links *l = links_of(eni);
    if (l->owner == NULL) {
        l->owner_buf = owner_from_description(&eni->eni);
        if (l->owner_buf == NULL) {
            return;
        }
        l->owner = l->owner_buf;
        l->source = INV_OWNER_DESCRIPTION;
        struct inv_resource *ep = find_mut(inv, INV_ENDPOINT, l->owner_buf);
        if (ep != NULL) {
            l->owner = ep->id;
            idvec_push(&links_of(ep)->a, eni->id);
        }
    }
    struct inv_resource *s = find_mut(inv, INV_SUBNET, eni->eni.subnet_id);
    if (s != NULL && inventory_find(inv, INV_ENDPOINT, l->owner) != NULL &&
        !idvec_has(&s->links->b, l->owner)) {
        idvec_push(&s->links->b, l->owner);
    }
}

static void link_enis(const struct inventory *inv)
{
    struct inv_resource **items = sorted_items(inv, INV_ENI);
    for (size_t i = 0; i < inv->tables[INV_ENI].n; i++) {
        struct inv_resource *eni = items[i];
        struct inv_resource *s = find_mut(inv, INV_SUBNET, eni->eni.subnet_id);
        if (s != NULL) {
            idvec_push(&links_of(s)->a, eni->id);
        }
        link_eni_owner(inv, eni);
    }
}

static void links_sort(const struct inventory *inv, enum inv_type type)
{
    const struct inv_table *t = &inv->tables[type];
    for (size_t i = 0; i < t->n; i++) {
        idvec_sort_unique(&t->items[i]->links->a);
        idvec_sort_unique(&t->items[i]->links->b);
    }
}

/* Rebuilds every link when anything changed since the last build. */
static void links_update(const struct inventory *inv)
{
    static const enum inv_type linked[] = {INV_VPC, INV_SUBNET, INV_ENDPOINT, INV_ENI};
    if (inv->lazy->links_gen == inv->gen) {
        return;
    }
    for (size_t i = 0; i < sizeof(linked) / sizeof(linked[0]); i++) {
        links_reset(inv, linked[i]);
    }
    link_subnets(inv);
    link_endpoints(inv);
    link_enis(inv);
    for (size_t i = 0; i < sizeof(linked) / sizeof(linked[0]); i++) {
        links_sort(inv, linked[i]);
    }
    inv->lazy->links_gen = inv->gen;
}

static const struct inv_links *links_find(const struct inventory *inv, enum inv_type type,
                                          const char *id)
{
    links_update(inv);
    const struct inv_resource *r = inventory_find(inv, type, id);
    return r != NULL ? r->links : NULL;
}

static struct inv_ids link_list(const struct inventory *inv, enum inv_type type, const char *id,
                                bool second)
{
    static const struct inv_ids none = {NULL, 0};
    const struct inv_links *l = links_find(inv, type, id);
    if (l == NULL) {
        return none;
    }
    return idvec_ids(second ? &l->b : &l->a);
}

struct inv_ids inventory_vpc_subnets(const struct inventory *inv, const char *vpc_id)
{
    return link_list(inv, INV_VPC, vpc_id, false);
}

struct inv_ids inventory_vpc_endpoints(const struct inventory *inv, const char *vpc_id)
{
    return link_list(inv, INV_VPC, vpc_id, true);
}

struct inv_ids inventory_subnet_enis(const struct inventory *inv, const char *subnet_id)
{
    return link_list(inv, INV_SUBNET, subnet_id, false);
}

struct inv_ids inventory_subnet_endpoints(const struct inventory *inv, const char *subnet_id)
{
    return link_list(inv, INV_SUBNET, subnet_id, true);
}

struct inv_ids inventory_endpoint_enis(const struct inventory *inv, const char *endpoint_id)
{
    return link_list(inv, INV_ENDPOINT, endpoint_id, false);
}

const struct inv_resource *inventory_subnet_az(const struct inventory *inv, const char *subnet_id)
{
    const struct inv_links *l = links_find(inv, INV_SUBNET, subnet_id);
    return l != NULL ? l->az : NULL;
}

const char *inventory_eni_endpoint(const struct inventory *inv, const char *eni_id,
                                   enum inv_owner_source *source)
{
    const struct inv_links *l = links_find(inv, INV_ENI, eni_id);
    if (source != NULL) {
        *source = l != NULL ? l->source : INV_OWNER_NONE;
    }
    return l != NULL ? l->owner : NULL;
}
