/* inventory: resources keyed by ID, mark-and-sweep refresh, lazy links by ID. */
#include "vpcx/model/inventory.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "vpcx/core/json.h"
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
    size_t sorted; /* v[0..sorted) is sorted and unique */
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
    vec->sorted = vec->n;
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
    vec->sorted = out;
}

/* Sorts what was pushed since the last sort and merges it in, dropping duplicates. */
static void idvec_merge_tail(struct idvec *vec)
{
    size_t head = vec->sorted, n = vec->n;
    if (head >= n) {
        return;
    }
    if (head == 0) {
        idvec_sort_unique(vec);
        vec->sorted = vec->n;
        return;
    }
    qsort(vec->v + head, n - head, sizeof(*vec->v), cmp_str_ptr);
    const char **out = xreallocarray(NULL, n, sizeof(*out));
    size_t i = 0, j = head, k = 0;
    while (i < head || j < n) {
        bool take_head = j == n || (i < head && strcmp(vec->v[i], vec->v[j]) <= 0);
        const char *next = take_head ? vec->v[i++] : vec->v[j++];
        if (k == 0 || strcmp(out[k - 1], next) != 0) {
            out[k++] = next;
        }
    }
    memcpy(vec->v, out, k * sizeof(*out));
    free(out);
    vec->n = k;
    vec->sorted = k;
}

static struct inv_ids idvec_ids(const struct idvec *vec)
{
    struct inv_ids ids = {vec->v, vec->n};
    return ids;
}

/* ---- arenas: the intern pool and record blocks ----------------------------- */

/* Bump allocation in chunks; nothing is freed before the arena. */
struct arena_chunk {
    struct arena_chunk *next;
    size_t used;
    size_t cap;
    unsigned char data[];
};

struct arena {
    struct arena_chunk *head;
    size_t bytes; /* chunk bytes held */
};

static void *arena_alloc(struct arena *a, size_t size)
{
    struct arena_chunk *c = a->head;
    if (c == NULL || c->cap - c->used < size) {
        size_t cap = size > 65536 - sizeof(*c) ? size : 65536 - sizeof(*c);
        c = xmalloc(sizeof(*c) + cap);
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
        a->bytes += sizeof(*c) + cap;
    }
    void *p = c->data + c->used;
    c->used += size;
    return p;
}

static void arena_finish(struct arena *a)
{
    while (a->head != NULL) {
        struct arena_chunk *next = a->head->next;
        free(a->head);
        a->head = next;
    }
    a->bytes = 0;
}

/*
 * A record's bytes are laid out twice: once into scratch to learn the size,
 * then into the record's own block. Both passes make the same calls, so the
 * second fits exactly; pointers never need relocating.
 */
struct rbuild {
    unsigned char *base;
    size_t len;
    size_t cap;
};

static void *rb_alloc(struct rbuild *b, size_t size)
{
    if (size == 0) {
        return NULL;
    }
    size_t off = (b->len + 7) & ~(size_t)7;
    if (off + size > b->cap) {
        /* The scratch is sized from the item's encoded length, which bounds
           everything extracted from it; reaching here is a bug. */
        abort();
    }
    b->len = off + size;
    return b->base + off;
}

static const char *rb_str(struct rbuild *b, const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    size_t n = strlen(s) + 1;
    if (b->len + n > b->cap) {
        abort();
    }
    char *p = (char *)b->base + b->len;
    memcpy(p, s, n);
    b->len += n;
    return p;
}

/* ---- the inventory -------------------------------------------------------- */

/* A growable byte buffer (the encoder's output). */
struct wbuf {
    unsigned char *p;
    size_t n;
    size_t cap;
    size_t pooled; /* what pooled strings may add to the typed fields (record_build) */
};

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

/* An IP address (binary) and the ENIs holding it (several only across VPCs). */
struct inv_ip_entry { /* 32 bytes: one per address, so it is kept small (no hash kept) */
    struct ip_addr addr;
    uint32_t n; /* holders: one when 1, else all[n] (capacity n rounded up to a power of 2) */
    union {
        struct inv_resource *one;
        struct inv_resource **all;
    };
};

/* Open addressing on the binary address, backward-shift delete. */
struct ipmap {
    struct inv_ip_entry *slots; /* family 0 = empty */
    size_t cap;
    size_t len;
};

/* Derived state rebuilt on demand; reached through a pointer so const readers can fill it. */
struct inv_lazy {
    uint64_t links_gen;
    /* Links are updated for ENIs inserted since the last build (a page of a
       first load); any other change to a linked type makes the next read
       rebuild them all. */
    bool links_built;
    bool links_full;
    struct inv_resource **new_enis;
    size_t n_new_enis, cap_new_enis;
    struct strmap claimed; /* ENI ID -> the first endpoint (by ID) listing it */
    /* Sorted order, kept across puts: a new ID waits in pending and is merged
       in at the next read; a replacement keeps its place; only a removal (the
       sweep at the end of a refresh) makes the next read sort the type again. */
    struct inv_resource **sorted[INV_TYPE_COUNT];
    size_t n_sorted[INV_TYPE_COUNT];
    bool sorted_ok[INV_TYPE_COUNT];
    struct inv_resource **pending[INV_TYPE_COUNT];
    size_t n_pending[INV_TYPE_COUNT];
    size_t cap_pending[INV_TYPE_COUNT];
};

struct inventory {
    struct inv_table tables[INV_TYPE_COUNT];
    struct ipmap by_ip;       /* binary address -> ENIs */
    struct strmap az_by_name; /* ZoneName -> AZ resource */
    struct strmap interned;   /* string -> its index + 1 in strs */
    struct arena pool;
    const char **strs; /* the interned strings, in pool; items refer to them by index */
    size_t n_strs;
    size_t cap_strs;
    struct strmap key_index; /* member name -> index + 1 in keys */
    const char **keys;
    size_t n_keys;
    size_t cap_keys;
    struct rbuild scratch;
    struct wbuf enc;     /* the item being encoded */
    size_t record_bytes; /* blocks of live records */
    size_t item_bytes;   /* of which encoded items */
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

/* One copy of each repeated string (IDs of parents, AZs, states, tag keys). */
static const char *intern(struct inventory *inv, const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    void *have = strmap_get(&inv->interned, s);
    if (have != NULL) {
        return inv->strs[(uintptr_t)have - 1];
    }
    size_t n = strlen(s) + 1;
    char *p = arena_alloc(&inv->pool, n);
    memcpy(p, s, n);
    if (inv->n_strs == inv->cap_strs) {
        inv->cap_strs = inv->cap_strs == 0 ? 256 : inv->cap_strs * 2;
        inv->strs = xreallocarray(inv->strs, inv->cap_strs, sizeof(*inv->strs));
    }
    inv->strs[inv->n_strs++] = p;
    strmap_set(&inv->interned, p, (void *)(uintptr_t)inv->n_strs);
    return p;
}

/* ---- the compact item encoding ----------------------------------------------
 *
 * value  := tag payload
 *   ENC_NULL | ENC_FALSE | ENC_TRUE          no payload
 *   ENC_UINT   varint        integral, 0 <= v < 2^53 (exact as a double)
 *   ENC_DOUBLE 8 bytes       any other number, the double's bits
 *   ENC_STRING varint len, bytes;  ENC_RAW likewise (cJSON_Raw)
 *   ENC_POOLED varint i      the string strs[i] of the intern pool
 *   ENC_ARRAY  varint count, values
 *   ENC_OBJECT varint count, (key value)*
 * key    := varint k: k > 0 names keys[k - 1]; k == 0 is followed by varint len, bytes
 * Decoding gives a tree that prints exactly as the original did.
 */
enum {
    ENC_NULL,
    ENC_FALSE,
    ENC_TRUE,
    ENC_UINT,
    ENC_DOUBLE,
    ENC_STRING,
    ENC_RAW,
    ENC_ARRAY,
    ENC_OBJECT,
    ENC_POOLED,
};

/* Member names shared by every item; past this many, names are written inline. */
#define INV_MAX_KEYS 65536

static void w_reserve(struct wbuf *w, size_t more)
{
    if (w->cap - w->n < more) {
        w->cap = w->n + more > 2 * w->cap ? w->n + more + 256 : 2 * w->cap;
        w->p = xrealloc(w->p, w->cap);
    }
}

static void w_byte(struct wbuf *w, unsigned char b)
{
    w_reserve(w, 1);
    w->p[w->n++] = b;
}

static void w_bytes(struct wbuf *w, const void *src, size_t n)
{
    if (n > 0) {
        w_reserve(w, n);
        memcpy(w->p + w->n, src, n);
        w->n += n;
    }
}

static void w_varint(struct wbuf *w, uint64_t v)
{
    while (v >= 0x80) {
        w_byte(w, (unsigned char)(v | 0x80));
        v >>= 7;
    }
    w_byte(w, (unsigned char)v);
}

static void w_text(struct wbuf *w, const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;
    w_varint(w, n);
    w_bytes(w, s, n);
}

static size_t key_id(struct inventory *inv, const char *key)
{
    void *have = strmap_get(&inv->key_index, key);
    if (have != NULL) {
        return (size_t)(uintptr_t)have;
    }
    if (inv->n_keys >= INV_MAX_KEYS) {
        return 0;
    }
    if (inv->n_keys == inv->cap_keys) {
        inv->cap_keys = inv->cap_keys == 0 ? 64 : inv->cap_keys * 2;
        inv->keys = xreallocarray(inv->keys, inv->cap_keys, sizeof(*inv->keys));
    }
    const char *k = intern(inv, key);
    inv->keys[inv->n_keys++] = k;
    strmap_set(&inv->key_index, k, (void *)(uintptr_t)inv->n_keys);
    return inv->n_keys;
}

/*
 * Members whose values repeat across items (an ENI's security groups, its
 * attachment's state): pooled even when no typed field interned them. Values
 * of other members are pooled only when already in the pool (parent IDs, AZs,
 * states, owners), so unique text never grows it.
 */
static bool pooled_member(const char *key)
{
    static const char *const keys[] = {"GroupId", "GroupName", "InstanceOwnerId", "Status",
                                       "State"};
    if (key != NULL) {
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
            if (strcmp(key, keys[i]) == 0) {
                return true;
            }
        }
    }
    return false;
}

/* Longer strings are not looked up in the pool: IDs, names and states are short. */
#define INV_POOLED_MAX 96

/* The pool index + 1 of a string value of member key to write by reference, else 0. */
static size_t pooled_value(struct inventory *inv, const char *key, const char *text)
{
    if (text == NULL || strnlen(text, INV_POOLED_MAX + 1) > INV_POOLED_MAX) {
        return 0;
    }
    if (pooled_member(key)) {
        intern(inv, text);
    }
    return (uintptr_t)strmap_get(&inv->interned, text);
}

static void encode_value(struct inventory *inv, struct wbuf *w, const cJSON *v, const char *key)
{
    const cJSON *c;
    size_t n = 0;
    switch (v->type & 0xFF) {
    case cJSON_False:
        w_byte(w, ENC_FALSE);
        break;
    case cJSON_True:
        w_byte(w, ENC_TRUE);
        break;
    case cJSON_Number: {
        double d = v->valuedouble;
        if (d >= 0 && d < 9007199254740992.0 && d == (double)(uint64_t)d && !signbit(d)) {
            w_byte(w, ENC_UINT);
            w_varint(w, (uint64_t)d);
        } else {
            w_byte(w, ENC_DOUBLE);
            w_bytes(w, &d, sizeof(d));
        }
        break;
    }
    case cJSON_String:
        n = pooled_value(inv, key, v->valuestring);
        if (n > 0) {
            w_byte(w, ENC_POOLED);
            w_varint(w, n - 1);
            w->pooled += strlen(v->valuestring) + 1 + 32;
            break;
        }
        w_byte(w, ENC_STRING);
        w_text(w, v->valuestring);
        break;
    case cJSON_Raw:
        w_byte(w, ENC_RAW);
        w_text(w, v->valuestring);
        break;
    case cJSON_Array:
    case cJSON_Object:
        for (c = v->child; c != NULL; c = c->next) {
            n++;
        }
        w_byte(w, cJSON_IsArray(v) ? ENC_ARRAY : ENC_OBJECT);
        w_varint(w, n);
        for (c = v->child; c != NULL; c = c->next) {
            if (cJSON_IsObject(v)) {
                size_t k = c->string != NULL ? key_id(inv, c->string) : 0;
                w_varint(w, k);
                if (k == 0) {
                    w_text(w, c->string);
                }
            }
            encode_value(inv, w, c, cJSON_IsObject(v) ? c->string : NULL);
        }
        break;
    default: /* cJSON_NULL; an invalid item prints as nothing useful either way */
        w_byte(w, ENC_NULL);
        break;
    }
}

struct rdec {
    const unsigned char *p;
    const unsigned char *end;
};

static uint64_t r_varint(struct rdec *r)
{
    uint64_t v = 0;
    for (unsigned shift = 0; r->p < r->end && shift < 64; shift += 7) {
        unsigned char b = *r->p++;
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            break;
        }
    }
    return v;
}

/* A NUL-terminated copy of the next length-prefixed text. */
static char *r_text(struct rdec *r)
{
    uint64_t n = r_varint(r);
    if (n > (uint64_t)(r->end - r->p)) {
        n = (uint64_t)(r->end - r->p);
    }
    char *s = xstrndup((const char *)r->p, (size_t)n);
    r->p += n;
    return s;
}

static cJSON *decode_value(const struct inventory *inv, struct rdec *r)
{
    if (r->p >= r->end) {
        return cJSON_CreateNull();
    }
    cJSON *v;
    char *text;
    uint64_t n;
    switch (*r->p++) {
    case ENC_FALSE:
        return cJSON_CreateFalse();
    case ENC_TRUE:
        return cJSON_CreateTrue();
    case ENC_UINT:
        return cJSON_CreateNumber((double)r_varint(r));
    case ENC_DOUBLE: {
        double d = 0;
        if (r->end - r->p >= (ptrdiff_t)sizeof(d)) {
            memcpy(&d, r->p, sizeof(d));
            r->p += sizeof(d);
        }
        return cJSON_CreateNumber(d);
    }
    case ENC_STRING:
        text = r_text(r);
        v = cJSON_CreateString(text);
        free(text);
        return v;
    case ENC_POOLED:
        n = r_varint(r);
        return n < inv->n_strs ? cJSON_CreateString(inv->strs[n]) : cJSON_CreateNull();
    case ENC_RAW:
        text = r_text(r);
        v = cJSON_CreateRaw(text);
        free(text);
        return v;
    case ENC_ARRAY:
        v = cJSON_CreateArray();
        for (n = r_varint(r); n > 0 && r->p < r->end; n--) {
            cJSON_AddItemToArray(v, decode_value(inv, r));
        }
        return v;
    case ENC_OBJECT:
        v = cJSON_CreateObject();
        for (n = r_varint(r); n > 0 && r->p < r->end; n--) {
            uint64_t k = r_varint(r);
            char *own = k == 0 || k > inv->n_keys ? r_text(r) : NULL;
            cJSON_AddItemToObject(v, own != NULL ? own : inv->keys[k - 1], decode_value(inv, r));
            free(own);
        }
        return v;
    default:
        return cJSON_CreateNull();
    }
}

cJSON *inventory_item(const struct inventory *inv, const struct inv_resource *r)
{
    if (r == NULL) {
        return NULL;
    }
    struct rdec d = {r->block + r->item_off, r->block + r->item_off + r->item_len};
    return decode_value(inv, &d);
}

/* ---- JSON field helpers --------------------------------------------------- */

static bool json_true(const cJSON *obj, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

/* Strings of an array of strings (key NULL) or of objects' key member, copied into b. */
static struct inv_ids json_strings(struct rbuild *b, const cJSON *obj, const char *array_key,
                                   const char *key)
{
    struct inv_ids ids = {NULL, 0};
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, array_key);
    const cJSON *el;
    size_t n = 0;
    cJSON_ArrayForEach(el, arr)
    {
        const cJSON *s = key != NULL ? cJSON_GetObjectItemCaseSensitive(el, key) : el;
        n += cJSON_IsString(s) && s->valuestring[0] != '\0';
    }
    ids.v = rb_alloc(b, n * sizeof(*ids.v));
    cJSON_ArrayForEach(el, arr)
    {
        const cJSON *s = key != NULL ? cJSON_GetObjectItemCaseSensitive(el, key) : el;
        if (cJSON_IsString(s) && s->valuestring[0] != '\0') {
            ids.v[ids.n++] = rb_str(b, s->valuestring);
        }
    }
    return ids;
}

static bool cidr_state_gone(const cJSON *el, const char *state_key)
{
    const char *st = json_get_str(cJSON_GetObjectItemCaseSensitive(el, state_key), "State");
    return st != NULL && (strcmp(st, "disassociated") == 0 || strcmp(st, "failed") == 0);
}

/* Parses the CIDRs of an association set, skipping dropped associations. */
static size_t json_cidrs(struct rbuild *b, const cJSON *obj, const char *array_key, const char *key,
                         const char *state_key, struct cidr **out)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, array_key);
    const cJSON *el;
    struct cidr c;
    size_t n = 0;
    cJSON_ArrayForEach(el, arr)
    {
        n += !cidr_state_gone(el, state_key) && cidr_parse(json_get_str(el, key), &c, NULL);
    }
    struct cidr *v = rb_alloc(b, n * sizeof(*v));
    n = 0;
    cJSON_ArrayForEach(el, arr)
    {
        /* Parsed into c, not &v[n]: v is NULL when nothing parsed on the first pass. */
        if (!cidr_state_gone(el, state_key) && cidr_parse(json_get_str(el, key), &c, NULL)) {
            v[n++] = c;
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

/* Tags with a string Key; the Name lookup reads the first "Name" among them. */
static void extract_tags(struct inventory *inv, struct rbuild *b, struct inv_resource *r,
                         const cJSON *item)
{
    const cJSON *tags = inventory_item_tags(item);
    const cJSON *tag;
    size_t n = 0;
    cJSON_ArrayForEach(tag, tags)
    {
        n += json_get_str(tag, "Key") != NULL;
    }
    struct inv_tag *v = rb_alloc(b, n * sizeof(*v));
    r->n_tags = 0;
    r->name = NULL;
    cJSON_ArrayForEach(tag, tags)
    {
        const char *key = json_get_str(tag, "Key");
        if (key == NULL) {
            continue;
        }
        struct inv_tag *t = &v[r->n_tags++];
        t->key = intern(inv, key);
        t->value = rb_str(b, json_get_str(tag, "Value"));
        if (r->name == NULL && strcmp(key, "Name") == 0) {
            r->name = t->value;
        }
    }
    r->tags = v;
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

struct extract_ctx {
    struct inventory *inv;
    struct rbuild *b;
    const cJSON *item;
};

static const char *x_intern(const struct extract_ctx *x, const char *key)
{
    return intern(x->inv, json_get_str(x->item, key));
}

static const char *x_copy(const struct extract_ctx *x, const char *key)
{
    return rb_str(x->b, json_get_str(x->item, key));
}

static void extract_vpc(const struct extract_ctx *x, struct inv_resource *r)
{
    struct inv_vpc *v = &r->vpc;
    v->cidr_text = x_copy(x, "CidrBlock");
    v->has_cidr = cidr_parse(v->cidr_text, &v->cidr, NULL);
    v->n_cidrs = json_cidrs(x->b, x->item, "CidrBlockAssociationSet", "CidrBlock", "CidrBlockState",
                            &v->cidrs);
    v->n_ipv6 = json_cidrs(x->b, x->item, "Ipv6CidrBlockAssociationSet", "Ipv6CidrBlock",
                           "Ipv6CidrBlockState", &v->ipv6);
    v->is_default = json_true(x->item, "IsDefault");
}

static void extract_subnet(const struct extract_ctx *x, struct inv_resource *r)
{
    struct inv_subnet *s = &r->subnet;
    s->cidr_text = x_copy(x, "CidrBlock");
    s->has_cidr = cidr_parse(s->cidr_text, &s->cidr, NULL);
    s->n_ipv6 = json_cidrs(x->b, x->item, "Ipv6CidrBlockAssociationSet", "Ipv6CidrBlock",
                           "Ipv6CidrBlockState", &s->ipv6);
    s->az_name = x_intern(x, "AvailabilityZone");
    s->az_id = x_intern(x, "AvailabilityZoneId");
    const cJSON *avail = cJSON_GetObjectItemCaseSensitive(x->item, "AvailableIpAddressCount");
    /* A subnet holds at most 2^32 IPv4 addresses; anything else is not a count. */
    s->has_available =
        cJSON_IsNumber(avail) && avail->valuedouble >= 0 && avail->valuedouble <= 4294967296.0;
    s->available = s->has_available ? (int64_t)avail->valuedouble : 0;
}

static void extract_az(const struct extract_ctx *x, struct inv_resource *r)
{
    r->az.zone_name = x_intern(x, "ZoneName");
    r->az.zone_id = x_intern(x, "ZoneId");
    r->az.region = x_intern(x, "RegionName");
    r->az.zone_type = x_intern(x, "ZoneType");
}

static void extract_endpoint(const struct extract_ctx *x, struct inv_resource *r)
{
    struct inv_endpoint *e = &r->endpoint;
    e->type_text = x_intern(x, "VpcEndpointType");
    e->kind = endpoint_kind(e->type_text);
    e->service_name = x_intern(x, "ServiceName");
    e->policy = x_copy(x, "PolicyDocument");
    e->private_dns_enabled = json_true(x->item, "PrivateDnsEnabled");
    e->subnet_ids = json_strings(x->b, x->item, "SubnetIds", NULL);
    e->eni_ids = json_strings(x->b, x->item, "NetworkInterfaceIds", NULL);
    e->group_ids = json_strings(x->b, x->item, "Groups", "GroupId");
    e->route_table_ids = json_strings(x->b, x->item, "RouteTableIds", NULL);
}

static void extract_service(const struct extract_ctx *x, struct inv_resource *r)
{
    struct inv_service *s = &r->service;
    const cJSON *el;
    s->kinds = 0;
    cJSON_ArrayForEach(el, cJSON_GetObjectItemCaseSensitive(x->item, "ServiceType"))
    {
        const char *t = json_get_str(el, "ServiceType");
        if (t != NULL && t[0] != '\0') {
            s->kinds |= 1u << endpoint_kind(t);
        }
    }
    s->az_names = json_strings(x->b, x->item, "AvailabilityZones", NULL);
    s->private_dns = x_copy(x, "PrivateDnsName");
    s->service_name = x_intern(x, "ServiceName");
}

static uint64_t prefix_addresses(const cJSON *obj)
{
    uint64_t total = 0;
    struct cidr c;
    const cJSON *el;
    cJSON_ArrayForEach(el, cJSON_GetObjectItemCaseSensitive(obj, "Ipv4Prefixes"))
    {
        if (cidr_parse(json_get_str(el, "Ipv4Prefix"), &c, NULL)) {
            total += cidr_size_u64(&c);
        }
    }
    return total;
}

static void extract_eni(const struct extract_ctx *x, struct inv_resource *r)
{
    struct inv_eni *e = &r->eni;
    e->subnet_id = x_intern(x, "SubnetId");
    e->az_name = x_intern(x, "AvailabilityZone");
    e->az_id = x_intern(x, "AvailabilityZoneId");
    e->interface_type = x_intern(x, "InterfaceType");
    e->description = x_copy(x, "Description");
    e->requester_id = x_intern(x, "RequesterId");
    e->instance_id = rb_str(
        x->b, json_get_str(cJSON_GetObjectItemCaseSensitive(x->item, "Attachment"), "InstanceId"));
    e->primary_ip = x_copy(x, "PrivateIpAddress");
    e->requester_managed = json_true(x->item, "RequesterManaged");
    e->ipv4 = json_strings(x->b, x->item, "PrivateIpAddresses", "PrivateIpAddress");
    if (e->ipv4.n == 0 && e->primary_ip != NULL && e->primary_ip[0] != '\0') {
        e->ipv4.v = rb_alloc(x->b, sizeof(*e->ipv4.v));
        e->ipv4.v[0] = e->primary_ip;
        e->ipv4.n = 1;
    }
    e->ipv6 = json_strings(x->b, x->item, "Ipv6Addresses", "Ipv6Address");
    e->ipv4_prefix_addresses = prefix_addresses(x->item);
}

static void extract_flow_log(const struct extract_ctx *x, struct inv_resource *r)
{
    struct inv_flow_log *f = &r->flow_log;
    r->state = x_intern(x, "FlowLogStatus");
    f->resource_id = x_intern(x, "ResourceId");
    f->traffic_type = x_intern(x, "TrafficType");
    f->destination_type = x_intern(x, "LogDestinationType");
    f->destination = x_copy(x, "LogDestination");
    f->log_group = x_copy(x, "LogGroupName");
    f->log_format = x_intern(x, "LogFormat");
    f->deliver_status = x_intern(x, "DeliverLogsStatus");
    f->deliver_error = x_copy(x, "DeliverLogsErrorMessage");
}

/* Fills r's typed fields from item, allocating from b (the same calls each pass). */
static void extract(struct inventory *inv, struct rbuild *b, struct inv_resource *r,
                    const cJSON *item)
{
    struct extract_ctx x = {inv, b, item};
    r->id = rb_str(b, json_get_str(item, type_info[r->type].id_field));
    extract_tags(inv, b, r, item);
    r->vpc_id = x_intern(&x, "VpcId");
    r->state = x_intern(&x, r->type == INV_ENI ? "Status" : "State");
    r->owner_id = x_intern(&x, r->type == INV_SERVICE ? "Owner" : "OwnerId");
    switch (r->type) {
    case INV_VPC:
        extract_vpc(&x, r);
        break;
    case INV_SUBNET:
        extract_subnet(&x, r);
        break;
    case INV_AZ:
        extract_az(&x, r);
        break;
    case INV_ENDPOINT:
        extract_endpoint(&x, r);
        break;
    case INV_SERVICE:
        extract_service(&x, r);
        break;
    case INV_ENI:
        extract_eni(&x, r);
        break;
    case INV_SECURITY_GROUP:
        if (r->name == NULL) {
            r->name = x_copy(&x, "GroupName");
        }
        break;
    case INV_PREFIX_LIST:
        if (r->name == NULL) {
            r->name = x_copy(&x, "PrefixListName");
        }
        break;
    case INV_FLOW_LOG:
        extract_flow_log(&x, r);
        break;
    default:
        break;
    }
}

/* Builds r's record block from item: typed fields, then the encoded item. */
static void record_build(struct inventory *inv, struct inv_resource *r, const cJSON *item)
{
    struct wbuf *w = &inv->enc;
    w->n = 0;
    w->pooled = 0;
    encode_value(inv, w, item, NULL);
    size_t item_len = w->n;

    /* Everything extracted comes from the item; 16 bytes of typed data per
       encoded byte is a generous bound (a 2-byte empty string costs 8 + 1),
       plus, for a pooled string (a few bytes encoded), its copy, pointer and
       padding. */
    size_t bound = item_len * 16 + w->pooled + 4096;
    if (inv->scratch.cap < bound) {
        free(inv->scratch.base);
        inv->scratch.base = xmalloc(bound);
        inv->scratch.cap = bound;
    }
    inv->scratch.len = 0;
    extract(inv, &inv->scratch, r, item);
    size_t typed = (inv->scratch.len + 7) & ~(size_t)7;
    if (typed + item_len > UINT32_MAX) {
        abort(); /* items are capped far below this (aws/limits.h): a bug */
    }

    unsigned char *block = xmalloc(typed + item_len);
    struct rbuild b = {block, 0, typed};
    extract(inv, &b, r, item);
    memcpy(block + typed, w->p, item_len);
    r->block = block;
    r->item_off = (uint32_t)typed;
    r->item_len = (uint32_t)item_len;
    if (inv->scratch.cap > 256 * 1024) { /* an outsized item: do not keep its buffers */
        free(inv->scratch.base);
        inv->scratch.base = NULL;
        inv->scratch.cap = 0;
    }
    if (w->cap > 256 * 1024) {
        free(w->p);
        *w = (struct wbuf){0};
    }
    inv->record_bytes += typed + item_len;
    inv->item_bytes += item_len;
}

static void record_free(struct inventory *inv, struct inv_resource *r)
{
    inv->record_bytes -= r->item_off + r->item_len;
    inv->item_bytes -= r->item_len;
    free(r->block);
    r->block = NULL;
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

static uint32_t ip_hash(const struct ip_addr *a)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)a->family;
    size_t n = a->family == IP_FAMILY_V4 ? 4 : 16;
    for (size_t i = 0; i < n; i++) {
        h ^= a->bytes[i];
        h *= 1099511628211ull;
    }
    return (uint32_t)(h ^ (h >> 32));
}

static bool ip_same(const struct ip_addr *a, const struct ip_addr *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

static size_t ipmap_probe(const struct ipmap *m, const struct ip_addr *a, uint32_t hash)
{
    size_t mask = m->cap - 1;
    size_t i = hash & mask;
    while (m->slots[i].addr.family != 0 && !ip_same(&m->slots[i].addr, a)) {
        i = (i + 1) & mask;
    }
    return i;
}

static struct inv_ip_entry *ipmap_get(const struct ipmap *m, const struct ip_addr *a)
{
    if (m->len == 0) {
        return NULL;
    }
    struct inv_ip_entry *e = &m->slots[ipmap_probe(m, a, ip_hash(a))];
    return e->addr.family != 0 ? e : NULL;
}

static void ipmap_grow(struct ipmap *m)
{
    struct ipmap old = *m;
    m->cap = old.cap == 0 ? 64 : old.cap * 2;
    m->slots = xcalloc(m->cap, sizeof(*m->slots));
    for (size_t i = 0; i < old.cap; i++) {
        if (old.slots[i].addr.family != 0) {
            const struct ip_addr *a = &old.slots[i].addr;
            m->slots[ipmap_probe(m, a, ip_hash(a))] = old.slots[i];
        }
    }
    free(old.slots);
}

/* The entry's holders as an array of e->n. */
static struct inv_resource *const *ip_holders(const struct inv_ip_entry *e)
{
    return e->n == 1 ? &e->one : e->all;
}

/* Room for n holders in all: n rounded up to a power of 2. */
static size_t ip_holders_cap(size_t n)
{
    size_t cap = 2;
    while (cap < n) {
        cap *= 2;
    }
    return cap;
}

static void ipmap_remove_at(struct ipmap *m, size_t hole)
{
    size_t mask = m->cap - 1;
    if (m->slots[hole].n > 1) {
        free(m->slots[hole].all);
    }
    for (size_t pos = (hole + 1) & mask; m->slots[pos].addr.family != 0; pos = (pos + 1) & mask) {
        if (!probe_between(hole, ip_hash(&m->slots[pos].addr) & mask, pos)) {
            m->slots[hole] = m->slots[pos];
            hole = pos;
        }
    }
    memset(&m->slots[hole], 0, sizeof(m->slots[hole]));
    m->len--;
}

/* Text parsed as an address: any form AWS or a user writes maps to one key. */
static bool ip_key(const char *text, struct ip_addr *out)
{
    memset(out, 0, sizeof(*out));
    if (text == NULL || !ip_addr_parse(text, out)) {
        return false;
    }
    if (out->family == IP_FAMILY_V4) {
        memset(out->bytes + 4, 0, sizeof(out->bytes) - 4);
    }
    return true;
}

static void ip_index_add(struct inventory *inv, struct inv_resource *eni, const char *text)
{
    struct ip_addr a;
    if (!ip_key(text, &a)) {
        return; /* not an address: nothing can look it up */
    }
    struct ipmap *m = &inv->by_ip;
    if ((m->len + 1) * 10 > m->cap * 7) {
        ipmap_grow(m);
    }
    struct inv_ip_entry *e = &m->slots[ipmap_probe(m, &a, ip_hash(&a))];
    if (e->addr.family == 0) {
        e->addr = a;
        e->n = 1;
        e->one = eni;
        m->len++;
        return;
    }
    struct inv_resource *const *v = ip_holders(e);
    for (size_t i = 0; i < e->n; i++) {
        if (v[i] == eni) {
            return;
        }
    }
    if (e->n == 1) {
        struct inv_resource *first = e->one;
        e->all = xreallocarray(NULL, 2, sizeof(*e->all));
        e->all[0] = first;
    } else if (e->n == ip_holders_cap(e->n)) {
        e->all = xreallocarray(e->all, 2 * (size_t)e->n, sizeof(*e->all));
    }
    e->all[e->n++] = eni;
}

static void ip_index_del(struct inventory *inv, struct inv_resource *eni, const char *text)
{
    struct ip_addr a;
    struct ipmap *m = &inv->by_ip;
    if (!ip_key(text, &a) || m->len == 0) {
        return;
    }
    size_t at = ipmap_probe(m, &a, ip_hash(&a));
    struct inv_ip_entry *e = &m->slots[at];
    if (e->addr.family == 0) {
        return;
    }
    if (e->n == 1) {
        if (e->one == eni) {
            ipmap_remove_at(m, at);
        }
        return;
    }
    for (size_t i = 0; i < e->n; i++) {
        if (e->all[i] == eni) {
            e->all[i] = e->all[--e->n];
            break;
        }
    }
    if (e->n == 1) {
        struct inv_resource *last = e->all[0];
        free(e->all);
        e->one = last;
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

static void resource_free(struct inventory *inv, struct inv_resource *r)
{
    record_free(inv, r);
    links_free(r->links);
    free(r);
}

static void table_append(struct inv_table *t, struct inv_resource *r)
{
    if (t->n == t->cap) {
        t->cap = t->cap == 0 ? 64 : t->cap * 2;
        t->items = xreallocarray(t->items, t->cap, sizeof(*t->items));
    }
    r->slot = (uint32_t)t->n;
    t->items[t->n++] = r;
}

static bool linked_type(enum inv_type type)
{
    return type == INV_VPC || type == INV_SUBNET || type == INV_AZ || type == INV_ENDPOINT ||
           type == INV_ENI;
}

/* A change to the links' inputs: a new ENI is linked at the next read, anything else rebuilds. */
static void links_note(struct inventory *inv, struct inv_resource *r, bool inserted)
{
    struct inv_lazy *lazy = inv->lazy;
    if (!linked_type(r->type) || !lazy->links_built || lazy->links_full) {
        return;
    }
    if (!inserted || r->type != INV_ENI) {
        lazy->links_full = true;
        lazy->n_new_enis = 0;
        return;
    }
    if (lazy->n_new_enis == lazy->cap_new_enis) {
        lazy->cap_new_enis = lazy->cap_new_enis ? lazy->cap_new_enis * 2 : 256;
        lazy->new_enis = xreallocarray(lazy->new_enis, lazy->cap_new_enis, sizeof(*lazy->new_enis));
    }
    lazy->new_enis[lazy->n_new_enis++] = r;
}

static void table_remove(struct inventory *inv, struct inv_table *t, struct inv_resource *r)
{
    links_note(inv, r, false);
    inv->lazy->sorted_ok[r->type] = false;
    inv->lazy->n_pending[r->type] = 0;
    strmap_remove(&t->by_id, r->id);
    index_update(inv, r, false);
    t->items[r->slot] = t->items[--t->n];
    t->items[r->slot]->slot = r->slot;
    resource_free(inv, r);
}

static void replace_item(struct inventory *inv, struct inv_table *t, struct inv_resource *r,
                         const cJSON *item)
{
    enum inv_tristate dns_support = r->vpc.dns_support;
    enum inv_tristate dns_hostnames = r->vpc.dns_hostnames;
    links_note(inv, r, false);
    index_update(inv, r, false);
    /* The map's key is the old record's ID copy: rekey after rebuilding. */
    strmap_remove(&t->by_id, r->id);
    record_free(inv, r);
    record_build(inv, r, item);
    strmap_set(&t->by_id, r->id, r);
    if (r->type == INV_VPC) {
        r->vpc.dns_support = dns_support;
        r->vpc.dns_hostnames = dns_hostnames;
    }
    index_update(inv, r, true);
    r->stale = false;
}

static void insert_item(struct inventory *inv, enum inv_type type, const cJSON *item)
{
    struct inv_resource *r = xcalloc(1, sizeof(*r));
    r->type = type;
    record_build(inv, r, item);
    if (type == INV_VPC) {
        r->vpc.dns_support = INV_UNKNOWN;
        r->vpc.dns_hostnames = INV_UNKNOWN;
    }
    table_append(&inv->tables[type], r);
    strmap_set(&inv->tables[type].by_id, r->id, r);
    struct inv_lazy *lazy = inv->lazy;
    if (lazy->sorted_ok[type]) {
        if (lazy->n_pending[type] == lazy->cap_pending[type]) {
            lazy->cap_pending[type] = lazy->cap_pending[type] ? lazy->cap_pending[type] * 2 : 64;
            lazy->pending[type] = xreallocarray(lazy->pending[type], lazy->cap_pending[type],
                                                sizeof(*lazy->pending[type]));
        }
        lazy->pending[type][lazy->n_pending[type]++] = r;
    }
    index_update(inv, r, true);
    links_note(inv, r, true);
}

enum vpcx_status inventory_put(struct inventory *inv, enum inv_type type, cJSON *item)
{
    if (type >= INV_TYPE_COUNT || !cJSON_IsObject(item)) {
        cJSON_Delete(item);
        return VPCX_ERR_PARSE;
    }
    const char *id = json_get_str(item, type_info[type].id_field);
    if (id == NULL || id[0] == '\0') {
        cJSON_Delete(item);
        return VPCX_ERR_PARSE;
    }
    struct inv_table *t = &inv->tables[type];
    struct inv_resource *r = strmap_get(&t->by_id, id);
    if (r != NULL) {
        replace_item(inv, t, r, item);
    } else {
        insert_item(inv, type, item);
    }
    cJSON_Delete(item);
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

void inventory_clear(struct inventory *inv)
{
    for (int type = 0; type < INV_TYPE_COUNT; type++) {
        struct inv_table *t = &inv->tables[type];
        while (t->n)
            table_remove(inv, t, t->items[t->n - 1]);
        t->refreshing = false;
        t->loaded = false;
        bump(inv, (enum inv_type)type);
    }
}

bool inventory_remove(struct inventory *inv, enum inv_type type, const char *id)
{
    struct inv_resource *r = id ? strmap_get(&inv->tables[type].by_id, id) : NULL;
    if (r == NULL) {
        return false;
    }
    table_remove(inv, &inv->tables[type], r);
    bump(inv, type);
    return true;
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

static void ip_entries_free(struct ipmap *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].n > 1) {
            free(m->slots[i].all);
        }
    }
    free(m->slots);
    memset(m, 0, sizeof(*m));
}

void inventory_destroy(struct inventory *inv)
{
    if (inv == NULL) {
        return;
    }
    for (int type = 0; type < INV_TYPE_COUNT; type++) {
        struct inv_table *t = &inv->tables[type];
        for (size_t i = 0; i < t->n; i++) {
            resource_free(inv, t->items[i]);
        }
        free(t->items);
        strmap_finish(&t->by_id);
        free(inv->lazy->sorted[type]);
        free(inv->lazy->pending[type]);
    }
    free(inv->lazy->new_enis);
    strmap_finish(&inv->lazy->claimed);
    ip_entries_free(&inv->by_ip);
    strmap_finish(&inv->az_by_name);
    strmap_finish(&inv->interned);
    strmap_finish(&inv->key_index);
    arena_finish(&inv->pool);
    free(inv->keys);
    free(inv->scratch.base);
    free(inv->enc.p);
    free(inv->strs);
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

/* The type's resources sorted by ID: new IDs merged in, a full sort only after removals. */
static struct inv_resource **sorted_items(const struct inventory *inv, enum inv_type type)
{
    const struct inv_table *t = &inv->tables[type];
    struct inv_lazy *lazy = inv->lazy;
    if (!lazy->sorted_ok[type] || lazy->sorted[type] == NULL) {
        free(lazy->sorted[type]);
        lazy->sorted[type] = xreallocarray(NULL, t->n + 1, sizeof(*t->items));
        if (t->n > 0) {
            memcpy(lazy->sorted[type], t->items, t->n * sizeof(*t->items));
            qsort(lazy->sorted[type], t->n, sizeof(*t->items), cmp_resource_id);
        }
        lazy->n_sorted[type] = t->n;
        lazy->n_pending[type] = 0;
        lazy->sorted_ok[type] = true;
    } else if (lazy->n_pending[type] > 0) {
        struct inv_resource **add = lazy->pending[type];
        size_t na = lazy->n_pending[type], no = lazy->n_sorted[type];
        qsort(add, na, sizeof(*add), cmp_resource_id);
        struct inv_resource **old = lazy->sorted[type];
        struct inv_resource **out = xreallocarray(NULL, no + na + 1, sizeof(*out));
        size_t i = 0, j = 0, k = 0;
        while (i < no || j < na) {
            bool take_old = j == na || (i < no && strcmp(old[i]->id, add[j]->id) < 0);
            out[k++] = take_old ? old[i++] : add[j++];
        }
        free(old);
        lazy->sorted[type] = out;
        lazy->n_sorted[type] = k;
        lazy->n_pending[type] = 0;
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

size_t inventory_slot(const struct inv_resource *r)
{
    return r->slot;
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

/* The entry for the address ip names, or NULL. */
static const struct inv_ip_entry *ip_lookup(const struct inventory *inv, const char *ip)
{
    struct ip_addr a;
    return ip_key(ip, &a) ? ipmap_get(&inv->by_ip, &a) : NULL;
}

const struct inv_resource *inventory_find_eni_by_vpc_ip(const struct inventory *inv,
                                                        const char *vpc_id, const char *ip)
{
    const struct inv_ip_entry *e = ip_lookup(inv, ip);
    const struct inv_resource *best = NULL;
    for (size_t i = 0; e != NULL && i < e->n; i++) {
        const struct inv_resource *r = ip_holders(e)[i];
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
    const struct inv_ip_entry *e = ip_lookup(inv, ip);
    if (e == NULL) {
        return 0;
    }
    size_t n = e->n;
    const struct inv_resource **v = xcalloc(n, sizeof(*v));
    memcpy(v, ip_holders(e), n * sizeof(*v));
    qsort(v, n, sizeof(*v), cmp_resource_id);
    *out = v;
    return n;
}

void inventory_memory(const struct inventory *inv, struct inventory_memory *out)
{
    memset(out, 0, sizeof(*out));
    out->items = inv->item_bytes;
    out->records = inv->record_bytes - inv->item_bytes;
    out->strings = inv->pool.bytes + inv->cap_keys * sizeof(*inv->keys) +
                   inv->cap_strs * sizeof(*inv->strs) +
                   (inv->interned.cap + inv->key_index.cap) * sizeof(struct strmap_slot);
    out->indexes = inv->by_ip.cap * sizeof(struct inv_ip_entry) +
                   inv->az_by_name.cap * sizeof(struct strmap_slot) +
                   inv->lazy->claimed.cap * sizeof(struct strmap_slot) +
                   inv->lazy->cap_new_enis * sizeof(*inv->lazy->new_enis);
    for (int type = 0; type < INV_TYPE_COUNT; type++) {
        const struct inv_table *t = &inv->tables[type];
        out->records += t->n * sizeof(struct inv_resource);
        out->indexes += t->by_id.cap * sizeof(struct strmap_slot) + t->cap * sizeof(*t->items) +
                        (inv->lazy->sorted[type] != NULL ? t->n + 1 : 0) * sizeof(*t->items);
        for (size_t i = 0; i < t->n; i++) {
            const struct inv_links *l = t->items[i]->links;
            if (l != NULL) {
                out->indexes += sizeof(*l) + (l->a.cap + l->b.cap) * sizeof(*l->a.v);
            }
        }
    }
    for (size_t i = 0; i < inv->by_ip.cap; i++) {
        size_t n = inv->by_ip.slots[i].n;
        out->indexes += n > 1 ? ip_holders_cap(n) * sizeof(struct inv_resource *) : 0;
    }
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
        if (type == INV_ENI) {
            /* An ENI's links only name its owner: most have none, so most hold none. */
            links_free(t->items[i]->links);
            t->items[i]->links = NULL;
            continue;
        }
        struct inv_links *l = links_of(t->items[i]);
        l->a.n = l->a.sorted = 0;
        l->b.n = l->b.sorted = 0;
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
            if (strmap_get(&inv->lazy->claimed, ep->endpoint.eni_ids.v[k]) == NULL) {
                strmap_set(&inv->lazy->claimed, ep->endpoint.eni_ids.v[k], ep);
            }
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
    struct inv_links *l = eni->links;
    if (l == NULL || l->owner == NULL) {
        char *owner = owner_from_description(&eni->eni);
        if (owner == NULL) {
            return;
        }
        l = links_of(eni);
        l->owner_buf = owner;
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

/*
 * Links the ENIs inserted since the last read, as link_enis() would have: the
 * subnet's list, the owner (an endpoint that lists it, else the description),
 * then merges the new IDs into the lists they joined.
 */
static void links_add_enis(const struct inventory *inv)
{
    struct inv_lazy *lazy = inv->lazy;
    /* The lists pushed to: at most three per ENI. */
    struct idvec **touched = xreallocarray(NULL, 3 * lazy->n_new_enis + 1, sizeof(*touched));
    size_t n_touched = 0;
    for (size_t i = 0; i < lazy->n_new_enis; i++) {
        struct inv_resource *eni = lazy->new_enis[i];
        const struct inv_resource *claim = strmap_get(&lazy->claimed, eni->id);
        if (claim != NULL) {
            links_of(eni)->owner = claim->id;
            eni->links->source = INV_OWNER_ENDPOINT_LIST;
        }
        struct inv_resource *s = find_mut(inv, INV_SUBNET, eni->eni.subnet_id);
        if (s != NULL) {
            idvec_push(&links_of(s)->a, eni->id);
            touched[n_touched++] = &s->links->a;
            touched[n_touched++] = &s->links->b;
        }
        link_eni_owner(inv, eni);
        const struct inv_links *l = eni->links;
        struct inv_resource *ep =
            l != NULL && l->owner != NULL ? find_mut(inv, INV_ENDPOINT, l->owner) : NULL;
        if (ep != NULL) {
            touched[n_touched++] = &links_of(ep)->a;
        }
    }
    for (size_t i = 0; i < n_touched; i++) {
        idvec_merge_tail(touched[i]);
    }
    free(touched);
    lazy->n_new_enis = 0;
}

static void links_sort(const struct inventory *inv, enum inv_type type)
{
    const struct inv_table *t = &inv->tables[type];
    for (size_t i = 0; i < t->n; i++) {
        if (t->items[i]->links == NULL) {
            continue; /* an ENI without an owner */
        }
        idvec_sort_unique(&t->items[i]->links->a);
        idvec_sort_unique(&t->items[i]->links->b);
    }
}

/* Rebuilds every link when anything changed since the last build. */
static void links_update(const struct inventory *inv)
{
    static const enum inv_type linked[] = {INV_VPC, INV_SUBNET, INV_ENDPOINT, INV_ENI};
    /* Links read only these types: pages of other types leave them alone. */
    uint64_t key = inv->tables[INV_VPC].gen + inv->tables[INV_SUBNET].gen +
                   inv->tables[INV_AZ].gen + inv->tables[INV_ENDPOINT].gen +
                   inv->tables[INV_ENI].gen;
    struct inv_lazy *lazy = inv->lazy;
    if (lazy->links_gen == key) {
        return;
    }
    if (lazy->links_built && !lazy->links_full) {
        links_add_enis(inv);
        lazy->links_gen = key;
        return;
    }
    for (size_t i = 0; i < sizeof(linked) / sizeof(linked[0]); i++) {
        links_reset(inv, linked[i]);
    }
    strmap_finish(&lazy->claimed);
    link_subnets(inv);
    link_endpoints(inv);
    link_enis(inv);
    for (size_t i = 0; i < sizeof(linked) / sizeof(linked[0]); i++) {
        links_sort(inv, linked[i]);
    }
    lazy->links_gen = key;
    lazy->links_built = true;
    lazy->links_full = false;
    lazy->n_new_enis = 0;
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
