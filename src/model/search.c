#define _GNU_SOURCE /* memmem */
#include "vpcx/model/search.h"

#include "vpcx/core/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* One type's index: the text of resource k (inventory_at order) is text[off[k]..off[k+1]). */
struct search_type {
    char *text;
    size_t len, cap;
    size_t *off;  /* n + 1 */
    size_t *slot; /* inventory_slot() of the resource at each position */
    size_t n;
    unsigned char *hit; /* by inventory_slot() */
    uint32_t *matched;  /* positions that matched the last run, ascending */
    size_t n_matched;
};

struct search {
    struct search_type types[INV_TYPE_COUNT];
    uint64_t gen; /* inventory generation of the index; 0 = none */
    const struct inventory *inv;
    char *needle; /* the last run's text, lower-cased */
    size_t needle_len, needle_cap;
    bool have_last;
    size_t last_count;
    char *prev; /* scratch: the text before this run */
    size_t prev_cap;
};

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

bool search_text_has(const char *s, const char *text)
{
    if (!s)
        return false;
    size_t m = strlen(text);
    if (m == 0)
        return true;
    unsigned char lo = lower((unsigned char)text[0]);
    for (; *s; s++) {
        if (lower((unsigned char)*s) != lo)
            continue;
        size_t i = 1;
        while (i < m && s[i] && lower((unsigned char)s[i]) == lower((unsigned char)text[i]))
            i++;
        if (i == m)
            return true;
    }
    return false;
}

struct search *search_create(void)
{
    return xcalloc(1, sizeof(struct search));
}

static void type_clear(struct search_type *st)
{
    free(st->text);
    free(st->off);
    free(st->slot);
    free(st->hit);
    free(st->matched);
    memset(st, 0, sizeof(*st));
}

void search_destroy(struct search *s)
{
    if (!s)
        return;
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        type_clear(&s->types[t]);
    free(s->needle);
    free(s->prev);
    free(s);
}

/* ---- building ---- */

static void add_field(struct search_type *st, const char *f)
{
    if (!f || !*f)
        return;
    size_t n = strlen(f);
    if (st->len + n + 1 > st->cap) {
        st->cap = (st->len + n + 1) * 2;
        st->text = xrealloc(st->text, st->cap);
    }
    char *out = st->text + st->len;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)lower((unsigned char)f[i]);
    out[n] = '\0';
    st->len += n + 1;
}

static void add_ids(struct search_type *st, struct inv_ids ids)
{
    for (size_t i = 0; i < ids.n; i++)
        add_field(st, ids.v[i]);
}

static void add_resource(struct search_type *st, const struct inv_resource *r)
{
    add_field(st, r->id);
    add_field(st, r->name);
    for (size_t i = 0; i < r->n_tags; i++) {
        add_field(st, r->tags[i].value);
        add_field(st, r->tags[i].key);
    }
    switch (r->type) {
    case INV_ENI:
        add_ids(st, r->eni.ipv4);
        add_ids(st, r->eni.ipv6);
        add_field(st, r->eni.description);
        break;
    case INV_SUBNET:
        add_field(st, r->subnet.cidr_text);
        break;
    case INV_VPC:
        add_field(st, r->vpc.cidr_text);
        break;
    case INV_ENDPOINT:
        add_field(st, r->endpoint.service_name);
        break;
    case INV_AZ:
        add_field(st, r->az.zone_name);
        break;
    default:
        break;
    }
}

static void build_type(struct search_type *st, const struct inventory *inv, enum inv_type type)
{
    size_t n = inventory_count(inv, type);
    st->len = 0;
    st->n = n;
    st->off = xreallocarray(st->off, n + 1, sizeof(*st->off));
    st->slot = xreallocarray(st->slot, n + 1, sizeof(*st->slot));
    st->hit = xreallocarray(st->hit, n + 1, 1);
    st->matched = xreallocarray(st->matched, n + 1, sizeof(*st->matched));
    memset(st->hit, 0, n + 1);
    st->n_matched = 0;
    for (size_t k = 0; k < n; k++) {
        const struct inv_resource *r = inventory_at(inv, type, k);
        st->off[k] = st->len;
        st->slot[k] = inventory_slot(r);
        add_resource(st, r);
    }
    st->off[n] = st->len;
}

void search_prepare(struct search *s, const struct inventory *inv)
{
    uint64_t gen = inventory_generation(inv);
    if (s->inv == inv && s->gen == gen)
        return;
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        build_type(&s->types[t], inv, (enum inv_type)t);
    s->inv = inv;
    s->gen = gen;
    s->have_last = false;
}

/* ---- matching ---- */

static void mark(struct search_type *st, size_t k)
{
    st->hit[st->slot[k]] = 1;
    st->matched[st->n_matched++] = (uint32_t)k;
}

/* Every resource: one memmem() over the whole text, skipping to the next record after a hit. */
static void scan_all(struct search_type *st, const char *needle, size_t m)
{
    memset(st->hit, 0, st->n + 1);
    st->n_matched = 0;
    const char *base = st->text;
    size_t k = 0, at = 0;
    while (k < st->n && at < st->len) {
        const char *h = memmem(base + at, st->len - at, needle, m);
        if (!h)
            break;
        size_t pos = (size_t)(h - base);
        while (st->off[k + 1] <= pos)
            k++;
        mark(st, k);
        at = st->off[++k];
    }
}

/* Only the previous matches: what did not contain the old text cannot contain the new. */
static void scan_narrow(struct search_type *st, const char *needle, size_t m)
{
    size_t n_prev = st->n_matched;
    st->n_matched = 0;
    for (size_t i = 0; i < n_prev; i++) {
        size_t k = st->matched[i];
        st->hit[st->slot[k]] = 0;
        size_t a = st->off[k], b = st->off[k + 1];
        if (memmem(st->text + a, b - a, needle, m))
            mark(st, k);
    }
}

static void set_needle(struct search *s, const char *text, size_t m)
{
    if (m + 1 > s->needle_cap) {
        s->needle_cap = (m + 1) * 2;
        s->needle = xrealloc(s->needle, s->needle_cap);
        s->prev = xrealloc(s->prev, s->needle_cap);
    }
    memcpy(s->prev, s->needle ? s->needle : "", s->have_last ? s->needle_len + 1 : 1);
    for (size_t i = 0; i < m; i++)
        s->needle[i] = (char)lower((unsigned char)text[i]);
    s->needle[m] = '\0';
    s->needle_len = m;
}

size_t search_run(struct search *s, const struct inventory *inv, const char *text)
{
    search_prepare(s, inv);
    size_t m = text ? strlen(text) : 0;
    if (m == 0) {
        for (int t = 0; t < INV_TYPE_COUNT; t++) {
            struct search_type *st = &s->types[t];
            memset(st->hit, 0, st->n + 1);
            st->n_matched = 0;
        }
        s->have_last = false;
        return 0;
    }
    bool had = s->have_last;
    set_needle(s, text, m);
    if (had && strcmp(s->prev, s->needle) == 0)
        return s->last_count;
    bool narrower = had && strstr(s->needle, s->prev) != NULL;
    size_t count = 0;
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        struct search_type *st = &s->types[t];
        if (narrower)
            scan_narrow(st, s->needle, m);
        else
            scan_all(st, s->needle, m);
        count += st->n_matched;
    }
    s->have_last = true;
    s->last_count = count;
    return count;
}

bool search_hit_slot(const struct search *s, enum inv_type type, size_t slot)
{
    if (type >= INV_TYPE_COUNT)
        return false;
    const struct search_type *st = &s->types[type];
    return slot < st->n && st->hit[slot];
}

bool search_hit(const struct search *s, const struct inv_resource *r)
{
    return r && search_hit_slot(s, r->type, inventory_slot(r));
}

size_t search_memory(const struct search *s)
{
    size_t bytes = sizeof(*s) + s->needle_cap * 2;
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        const struct search_type *st = &s->types[t];
        bytes += st->cap +
                 (st->n + 1) * (sizeof(*st->off) + sizeof(*st->slot) + 1 + sizeof(*st->matched));
    }
    return bytes;
}
