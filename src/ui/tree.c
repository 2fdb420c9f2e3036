#include "vpcx/ui/tree.h"

#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/inventory.h"
#include "vpcx/model/search.h"

#include <stdlib.h>
#include <string.h>

#define GROUP_ENDPOINTS    "#endpoints"
#define GROUP_ROUTE_TABLES "#route-tables"

struct tree {
    const struct inventory *inv;
    struct tree_node *root;
    struct tree_node **rows;
    size_t n_rows, alloc_rows;
    char *filter; /* NULL when none */
    char **saved; /* expansion keys from before the filter, sorted */
    size_t n_saved;
    struct search *search; /* the filter's text index */
    uint64_t gen;          /* inventory generation the nodes were built from */
    size_t n_match;        /* nodes the filter matches */
    bool grouped;          /* account > region > VPC (tree_set_groups) */
    struct tree_groups groups;
};

/* ---- nodes ---- */

static struct tree_node *node_new(enum tree_kind kind, const char *id, struct tree_node *parent)
{
    struct tree_node *n = xcalloc(1, sizeof(*n));
    n->kind = kind;
    n->id = id ? xstrdup(id) : NULL;
    n->parent = parent;
    n->depth = parent ? parent->depth + 1 : 0;
    n->row = TREE_NO_ROW;
    return n;
}

/* Frees what the node holds; the node itself lives in its parent's block (or is the root). */
static void node_release(struct tree_node *n)
{
    for (size_t i = 0; i < n->n_child; i++)
        node_release(n->child[i]);
    free(n->child);
    free(n->kids);
    free(n->id);
    free(n->usage);
    free(n->headroom);
}

static void node_free(struct tree_node *n)
{
    if (!n)
        return;
    node_release(n);
    free(n);
}

/*
 * Moves a node's new children into one block: a filter over 100,000 ENIs walks
 * them in address order instead of taking a cache miss per node.
 */
static void pack_children(struct tree_node *n)
{
    if (n->n_child == 0)
        return;
    struct tree_node *block = xreallocarray(NULL, n->n_child, sizeof(*block));
    for (size_t i = 0; i < n->n_child; i++) {
        block[i] = *n->child[i];
        free(n->child[i]);
        n->child[i] = &block[i];
    }
    n->kids = block;
}

static void add_child(struct tree_node *p, size_t *alloc, enum tree_kind kind, const char *id)
{
    if (p->n_child == *alloc) {
        *alloc = *alloc ? *alloc * 2 : 8;
        p->child = xreallocarray(p->child, *alloc, sizeof(*p->child));
    }
    p->child[p->n_child++] = node_new(kind, id, p);
}

static const char *subnet_zone_key(const struct inv_resource *s)
{
    return s->subnet.az_id ? s->subnet.az_id : s->subnet.az_name;
}

struct zone {
    const char *key, *name;
};

static int zone_cmp(const void *a, const void *b)
{
    const struct zone *x = a, *y = b;
    const char *nx = x->name ? x->name : x->key, *ny = y->name ? y->name : y->key;
    int c = strcmp(nx ? nx : "", ny ? ny : "");
    return c ? c : strcmp(x->key ? x->key : "", y->key ? y->key : "");
}

/* The distinct zones of a VPC's subnets, sorted by zone name; caller frees. */
static size_t vpc_zones(const struct inventory *inv, const char *vpc_id, struct zone **out)
{
    struct inv_ids subnets = inventory_vpc_subnets(inv, vpc_id);
    struct zone *z = xcalloc(subnets.n + 1, sizeof(*z));
    size_t n = 0;
    for (size_t i = 0; i < subnets.n; i++) {
        const struct inv_resource *s = inventory_find(inv, INV_SUBNET, subnets.v[i]);
        const char *key = s ? subnet_zone_key(s) : NULL;
        bool seen = false;
        for (size_t k = 0; k < n && key && !seen; k++)
            seen = strcmp(z[k].key, key) == 0;
        if (key && !seen) {
            z[n].key = key;
            z[n++].name = s->subnet.az_name;
        }
    }
    qsort(z, n, sizeof(*z), zone_cmp);
    *out = z;
    return n;
}

static bool vpc_has_route_tables(const struct inventory *inv, const char *vpc_id)
{
    size_t n = inventory_count(inv, INV_ROUTE_TABLE);
    for (size_t i = 0; i < n; i++) {
        const struct inv_resource *r = inventory_at(inv, INV_ROUTE_TABLE, i);
        if (r->vpc_id && strcmp(r->vpc_id, vpc_id) == 0)
            return true;
    }
    return false;
}

static bool ids_contain(struct inv_ids ids, const char *id)
{
    for (size_t i = 0; i < ids.n; i++)
        if (strcmp(ids.v[i], id) == 0)
            return true;
    return false;
}

static void build_vpc(const struct inventory *inv, struct tree_node *n, size_t *alloc)
{
    struct zone *z;
    size_t nz = vpc_zones(inv, n->id, &z);
    for (size_t i = 0; i < nz; i++)
        add_child(n, alloc, TREE_AZ, z[i].key);
    free(z);
    if (inventory_vpc_endpoints(inv, n->id).n)
        add_child(n, alloc, TREE_ENDPOINTS, GROUP_ENDPOINTS);
    if (vpc_has_route_tables(inv, n->id))
        add_child(n, alloc, TREE_ROUTE_TABLES, GROUP_ROUTE_TABLES);
}

static void build_az(const struct inventory *inv, struct tree_node *n, size_t *alloc)
{
    struct inv_ids subnets = inventory_vpc_subnets(inv, n->parent->id);
    for (size_t i = 0; i < subnets.n; i++) {
        const struct inv_resource *s = inventory_find(inv, INV_SUBNET, subnets.v[i]);
        const char *key = s ? subnet_zone_key(s) : NULL;
        if (key && strcmp(key, n->id) == 0)
            add_child(n, alloc, TREE_SUBNET, s->id);
    }
}

static void build_subnet(const struct inventory *inv, struct tree_node *n, size_t *alloc)
{
    struct inv_ids eps = inventory_subnet_endpoints(inv, n->id);
    for (size_t i = 0; i < eps.n; i++)
        add_child(n, alloc, TREE_ENDPOINT, eps.v[i]);
    struct inv_ids enis = inventory_subnet_enis(inv, n->id);
    for (size_t i = 0; i < enis.n; i++)
        add_child(n, alloc, TREE_ENI, enis.v[i]);
}

static void build_route_tables(const struct inventory *inv, struct tree_node *n, size_t *alloc)
{
    size_t count = inventory_count(inv, INV_ROUTE_TABLE);
    for (size_t i = 0; i < count; i++) {
        const struct inv_resource *r = inventory_at(inv, INV_ROUTE_TABLE, i);
        if (r->vpc_id && strcmp(r->vpc_id, n->parent->id) == 0)
            add_child(n, alloc, TREE_ROUTE_TABLE, r->id);
    }
}

static void build_route_table(const struct inventory *inv, struct tree_node *n, size_t *alloc)
{
    const char *vpc = n->parent->parent->id;
    struct inv_ids eps = inventory_vpc_endpoints(inv, vpc);
    for (size_t i = 0; i < eps.n; i++) {
        const struct inv_resource *e = inventory_find(inv, INV_ENDPOINT, eps.v[i]);
        if (e && ids_contain(e->endpoint.route_table_ids, n->id))
            add_child(n, alloc, TREE_ENDPOINT, e->id);
    }
}

static void build_groups(struct tree *t, struct tree_node *n, size_t *alloc);

static void build_children(struct tree *t, struct tree_node *n)
{
    if (n->built)
        return;
    n->built = true;
    const struct inventory *inv = t->inv;
    size_t alloc = 0;
    switch (n->kind) {
    case TREE_ROOT:
    case TREE_ACCOUNT:
    case TREE_REGION:
        if (t->grouped) {
            build_groups(t, n, &alloc);
            break;
        }
        for (size_t i = 0; i < inventory_count(inv, INV_VPC); i++)
            add_child(n, &alloc, TREE_VPC, inventory_at(inv, INV_VPC, i)->id);
        break;
    case TREE_VPC:
        build_vpc(inv, n, &alloc);
        break;
    case TREE_AZ:
        build_az(inv, n, &alloc);
        break;
    case TREE_SUBNET:
        build_subnet(inv, n, &alloc);
        break;
    case TREE_ENDPOINTS: {
        struct inv_ids eps = inventory_vpc_endpoints(inv, n->parent->id);
        for (size_t i = 0; i < eps.n; i++)
            add_child(n, &alloc, TREE_ENDPOINT, eps.v[i]);
        break;
    }
    case TREE_ENDPOINT:
        /* ENIs only under the Endpoints group: under a subnet they are siblings. */
        if (n->parent->kind == TREE_ENDPOINTS) {
            struct inv_ids enis = inventory_endpoint_enis(inv, n->id);
            for (size_t i = 0; i < enis.n; i++)
                add_child(n, &alloc, TREE_ENI, enis.v[i]);
        }
        break;
    case TREE_ROUTE_TABLES:
        build_route_tables(inv, n, &alloc);
        break;
    case TREE_ROUTE_TABLE:
        build_route_table(inv, n, &alloc);
        break;
    case TREE_ENI:
        break;
    }
    pack_children(n);
    n->count = n->n_child;
    n->counted = true;
}

size_t tree_child_count(struct tree *t, struct tree_node *n)
{
    if (n->counted)
        return n->count;
    const struct inventory *inv = t->inv;
    switch (n->kind) {
    case TREE_SUBNET:
        n->count = inventory_subnet_endpoints(inv, n->id).n + inventory_subnet_enis(inv, n->id).n;
        break;
    case TREE_ENDPOINT:
        n->count = n->parent->kind == TREE_ENDPOINTS ? inventory_endpoint_enis(inv, n->id).n : 0;
        break;
    case TREE_ENDPOINTS:
        n->count = inventory_vpc_endpoints(inv, n->parent->id).n;
        break;
    case TREE_ENI:
        n->count = 0;
        break;
    default:
        build_children(t, n);
        break;
    }
    n->counted = true;
    return n->count;
}

/* ---- keys ---- */

static void key_add(struct strbuf *sb, const struct tree_node *n)
{
    if (!n || n->kind == TREE_ROOT)
        return;
    key_add(sb, n->parent);
    if (sb->len)
        strbuf_addch(sb, '/');
    strbuf_addstr(sb, n->id);
}

char *tree_node_key(const struct tree_node *n)
{
    struct strbuf sb;
    strbuf_init(&sb, 64);
    key_add(&sb, n);
    return strbuf_detach(&sb, NULL);
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct keyset {
    char **v;
    size_t n, alloc;
};

static bool default_expanded(enum tree_kind kind);

static void keyset_add(struct keyset *ks, char *key)
{
    if (ks->n == ks->alloc) {
        ks->alloc = ks->alloc ? ks->alloc * 2 : 16;
        ks->v = xreallocarray(ks->v, ks->alloc, sizeof(*ks->v));
    }
    ks->v[ks->n++] = key;
}

/* "+key" for expanded nodes, "-key" for collapsed ones that open by default. */
static void collect_expanded(const struct tree_node *n, struct keyset *ks)
{
    if (n->kind != TREE_ROOT && (n->expanded || default_expanded(n->kind))) {
        char *key = tree_node_key(n);
        keyset_add(ks, xasprintf("%c%s", n->expanded ? '+' : '-', key));
        free(key);
    }
    if (!n->built)
        return;
    for (size_t i = 0; i < n->n_child; i++)
        collect_expanded(n->child[i], ks);
}

static void keyset_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static bool keyset_has(char **v, size_t n, const char *key)
{
    return n && bsearch(&key, v, n, sizeof(*v), str_cmp) != NULL;
}

/* ---- rows ---- */

static void push_row(struct tree *t, struct tree_node *n)
{
    if (t->n_rows == t->alloc_rows) {
        t->alloc_rows = t->alloc_rows ? t->alloc_rows * 2 : 256;
        t->rows = xreallocarray(t->rows, t->alloc_rows, sizeof(*t->rows));
    }
    n->row = t->n_rows;
    t->rows[t->n_rows++] = n;
}

static void flatten(struct tree *t, struct tree_node *n)
{
    push_row(t, n);
    if (!n->expanded || !n->built)
        return;
    for (size_t i = 0; i < n->n_child; i++)
        if (!t->filter || n->child[i]->keep)
            flatten(t, n->child[i]);
}

static void reflatten(struct tree *t)
{
    t->n_rows = 0;
    flatten(t, t->root);
}

/* ---- filter ---- */

/*
 * Marks come from the search index (search_run() over t->filter). The node
 * keeps its resource's slot, looked up once per build (nodes die with the
 * generation), so a keystroke reads no resource.
 */
static void node_slot(struct tree *t, struct tree_node *n)
{
    enum inv_type type;
    const char *id;
    if (n->slot_done)
        return;
    const struct inv_resource *r =
        tree_node_resource(n, &type, &id) ? inventory_find(t->inv, type, id) : NULL;
    n->slot = r ? inventory_slot(r) : TREE_NO_ROW;
    n->slot_done = true;
}

static bool node_matches(struct tree *t, struct tree_node *n)
{
    if (n->kind == TREE_ACCOUNT || n->kind == TREE_REGION)
        return search_text_has(n->id, t->filter);
    enum inv_type type;
    const char *id;
    if (!tree_node_resource(n, &type, &id))
        return false;
    node_slot(t, n);
    if (n->slot == TREE_NO_ROW)
        return type == INV_AZ && search_text_has(id, t->filter);
    return search_hit_slot(t->search, type, n->slot);
}

/*
 * Marks what the filter keeps below n and lays out the rows in the same walk
 * (a node's row is taken back when nothing keeps it); returns n->keep. A new
 * text builds everything below n; a narrower one (one more character typed)
 * tests only the nodes kept last time, since what did not contain the old
 * text cannot contain the new.
 */
static bool filter_walk(struct tree *t, struct tree_node *n, bool narrower)
{
    if (narrower && !n->keep)
        return false;
    if (!narrower)
        build_children(t, n);
    size_t mark = t->n_rows;
    push_row(t, n);
    n->match = n->kind != TREE_ROOT && (!narrower || n->match) && node_matches(t, n);
    t->n_match += n->match;
    bool below = false;
    for (size_t i = 0; i < n->n_child; i++)
        below |= filter_walk(t, n->child[i], narrower);
    n->keep = n->match || below || n->kind == TREE_ROOT;
    n->expanded = below || n->kind == TREE_ROOT;
    if (!n->keep)
        t->n_rows = mark;
    return n->keep;
}

static void apply_filter(struct tree *t, bool narrower)
{
    t->n_rows = 0;
    t->n_match = 0;
    filter_walk(t, t->root, narrower);
}

/* ---- building and restoring ---- */

static void strbuf_insert_mark(struct strbuf *sb, char mark)
{
    strbuf_addch(sb, '\0');
    memmove(sb->buf + 1, sb->buf, sb->len - 1);
    sb->buf[0] = mark;
}

static void strbuf_remove_mark(struct strbuf *sb)
{
    memmove(sb->buf, sb->buf + 1, sb->len - 1);
    strbuf_setlen(sb, sb->len - 1);
}

static bool default_expanded(enum tree_kind kind)
{
    return kind == TREE_ROOT || kind == TREE_VPC || kind == TREE_AZ || kind == TREE_ACCOUNT ||
           kind == TREE_REGION;
}

static bool can_have_children(const struct tree_node *n)
{
    return n->kind != TREE_ENI && !(n->kind == TREE_ENDPOINT && n->parent->kind != TREE_ENDPOINTS);
}

/* Opens a node that was open, or that opens by default and was never closed. */
static bool should_open(const struct tree_node *n, struct strbuf *path, char **keys, size_t nkeys)
{
    if (n->kind == TREE_ROOT)
        return true;
    strbuf_insert_mark(path, '+');
    bool open = keyset_has(keys, nkeys, path->buf);
    path->buf[0] = '-';
    if (!open && default_expanded(n->kind))
        open = !keyset_has(keys, nkeys, path->buf);
    strbuf_remove_mark(path);
    return open;
}

/* Expands what the key set says (an empty set gives the defaults). */
static void restore(struct tree *t, struct tree_node *n, struct strbuf *path, char **keys,
                    size_t nkeys)
{
    bool open = should_open(n, path, keys, nkeys);
    if (!open)
        return;
    build_children(t, n);
    n->expanded = true;
    for (size_t i = 0; i < n->n_child; i++) {
        struct tree_node *c = n->child[i];
        if (!can_have_children(c))
            continue;
        size_t len = path->len;
        if (len)
            strbuf_addch(path, '/');
        strbuf_addstr(path, c->id);
        restore(t, c, path, keys, nkeys);
        strbuf_setlen(path, len);
    }
}

static void rebuild_from(struct tree *t, char **keys, size_t nkeys)
{
    node_free(t->root);
    t->root = node_new(TREE_ROOT, NULL, NULL);
    struct strbuf path;
    strbuf_init(&path, 128);
    restore(t, t->root, &path, keys, nkeys);
    strbuf_release(&path);
    t->gen = inventory_generation(t->inv);
    if (t->filter) {
        search_run(t->search, t->inv, t->filter);
        apply_filter(t, false);
    } else {
        reflatten(t);
    }
}

struct tree *tree_create(const struct inventory *inv)
{
    struct tree *t = xcalloc(1, sizeof(*t));
    t->inv = inv;
    t->search = search_create();
    rebuild_from(t, NULL, 0);
    return t;
}

void tree_destroy(struct tree *t)
{
    if (!t)
        return;
    node_free(t->root);
    free(t->rows);
    free(t->filter);
    keyset_free(t->saved, t->n_saved);
    search_destroy(t->search);
    free(t);
}

static void snapshot_keys(const struct tree *t, struct keyset *ks)
{
    memset(ks, 0, sizeof(*ks));
    collect_expanded(t->root, ks);
    if (ks->n)
        qsort(ks->v, ks->n, sizeof(*ks->v), str_cmp);
}

void tree_rebuild(struct tree *t)
{
    struct keyset ks;
    snapshot_keys(t, &ks);
    rebuild_from(t, ks.v, ks.n);
    keyset_free(ks.v, ks.n);
}

size_t tree_row_count(const struct tree *t)
{
    return t->n_rows;
}

struct tree_node *tree_row(const struct tree *t, size_t row)
{
    return row < t->n_rows ? t->rows[row] : NULL;
}

bool tree_node_resource(const struct tree_node *n, enum inv_type *type, const char **id)
{
    static const struct {
        enum tree_kind kind;
        enum inv_type type;
    } map[] = {
        {TREE_VPC, INV_VPC},           {TREE_AZ, INV_AZ},
        {TREE_SUBNET, INV_SUBNET},     {TREE_ENI, INV_ENI},
        {TREE_ENDPOINT, INV_ENDPOINT}, {TREE_ROUTE_TABLE, INV_ROUTE_TABLE},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (map[i].kind == n->kind) {
            *type = map[i].type;
            *id = n->id;
            return true;
        }
    }
    return false;
}

/* Walks a key from the root, building as needed; NULL when a step is missing. */
static struct tree_node *node_by_key(struct tree *t, const char *key)
{
    struct tree_node *n = t->root;
    const char *p = key;
    while (n && *p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        build_children(t, n);
        struct tree_node *next = NULL;
        for (size_t i = 0; i < n->n_child && !next; i++)
            if (strlen(n->child[i]->id) == len && memcmp(n->child[i]->id, p, len) == 0)
                next = n->child[i];
        n = next;
        p += len + (slash ? 1 : 0);
    }
    return n;
}

static bool visible(const struct tree *t, const struct tree_node *n)
{
    return n->row < t->n_rows && t->rows[n->row] == n;
}

size_t tree_row_of_key(struct tree *t, const char *key)
{
    struct tree_node *n = node_by_key(t, key);
    return n && visible(t, n) ? n->row : TREE_NO_ROW;
}

bool tree_expand(struct tree *t, size_t row)
{
    struct tree_node *n = tree_row(t, row);
    if (!n || n->expanded || tree_child_count(t, n) == 0)
        return false;
    build_children(t, n);
    if (t->filter)
        for (size_t i = 0; i < n->n_child; i++)
            n->child[i]->keep = true;
    n->expanded = true;
    reflatten(t);
    return true;
}

bool tree_collapse(struct tree *t, size_t row)
{
    struct tree_node *n = tree_row(t, row);
    if (!n || !n->expanded || n->kind == TREE_ROOT)
        return false;
    n->expanded = false;
    reflatten(t);
    return true;
}

bool tree_toggle(struct tree *t, size_t row)
{
    struct tree_node *n = tree_row(t, row);
    if (!n)
        return false;
    return n->expanded ? tree_collapse(t, row) : tree_expand(t, row);
}

static void expand_below(struct tree *t, struct tree_node *n)
{
    build_children(t, n);
    n->expanded = n->n_child > 0;
    for (size_t i = 0; i < n->n_child; i++) {
        if (t->filter)
            n->child[i]->keep = true;
        expand_below(t, n->child[i]);
    }
}

bool tree_expand_all(struct tree *t, size_t row)
{
    struct tree_node *n = tree_row(t, row);
    if (!n)
        return false;
    size_t before = t->n_rows;
    expand_below(t, n);
    reflatten(t);
    return t->n_rows != before;
}

static void collapse_below(struct tree_node *n)
{
    if (n->kind != TREE_ROOT && n->kind != TREE_ACCOUNT && n->kind != TREE_REGION)
        n->expanded = false;
    for (size_t i = 0; i < n->n_child; i++)
        collapse_below(n->child[i]);
}

void tree_collapse_all(struct tree *t)
{
    collapse_below(t->root);
    reflatten(t);
}

size_t tree_parent_row(const struct tree *t, size_t row)
{
    struct tree_node *n = tree_row(t, row);
    if (!n || !n->parent)
        return TREE_NO_ROW;
    return visible(t, n->parent) ? n->parent->row : TREE_NO_ROW;
}

/* Forgets the filter's marks and expansion on the nodes there are, then opens what keys say. */
static void unfilter(struct tree_node *n)
{
    n->match = false;
    n->keep = false;
    n->expanded = false;
    for (size_t i = 0; i < n->n_child; i++)
        unfilter(n->child[i]);
}

/* Back to the expansion from before the filter, keeping the nodes built. */
static void restore_saved(struct tree *t)
{
    unfilter(t->root);
    struct strbuf path;
    strbuf_init(&path, 128);
    restore(t, t->root, &path, t->saved, t->n_saved);
    strbuf_release(&path);
    reflatten(t);
}

size_t tree_set_filter(struct tree *t, const char *text)
{
    /* Cached resources in the nodes belong to the generation they were built from. */
    if (t->gen != inventory_generation(t->inv))
        tree_rebuild(t);
    bool had = t->filter != NULL;
    bool want = text && *text;
    if (want && !had) {
        struct keyset ks;
        snapshot_keys(t, &ks);
        keyset_free(t->saved, t->n_saved);
        t->saved = ks.v;
        t->n_saved = ks.n;
    }
    bool narrower = want && had && search_text_has(text, t->filter);
    free(t->filter);
    t->filter = want ? xstrdup(text) : NULL;
    if (want) {
        search_run(t->search, t->inv, t->filter);
        apply_filter(t, narrower);
        return t->n_match;
    }
    if (had) {
        restore_saved(t);
        keyset_free(t->saved, t->n_saved);
        t->saved = NULL;
        t->n_saved = 0;
    }
    search_run(t->search, t->inv, NULL);
    return 0;
}

/* Every node, its slot and each VPC's headroom (the AZ rows a filter shows read it). */
static void build_below(struct tree *t, struct tree_node *n)
{
    build_children(t, n);
    node_slot(t, n);
    if (n->kind == TREE_VPC && !n->headroom_done) {
        n->n_headroom = ipusage_vpc_headroom(t->inv, n->id, &n->headroom);
        n->headroom_done = true;
    }
    for (size_t i = 0; i < n->n_child; i++)
        build_below(t, n->child[i]);
}

void tree_prepare_filter(struct tree *t)
{
    if (t->gen != inventory_generation(t->inv))
        tree_rebuild(t);
    search_prepare(t->search, t->inv);
    build_below(t, t->root);
}

const char *tree_filter(const struct tree *t)
{
    return t->filter;
}

bool tree_node_matches(const struct tree_node *n)
{
    return n->match;
}

/* The key of a resource's place in the tree; NULL when it has none. */
static char *resource_key(struct tree *t, enum inv_type type, const char *id, const char *near)
{
    const struct inventory *inv = t->inv;
    const struct inv_resource *r = inventory_find(inv, type, id);
    if (type == INV_AZ) {
        const char *vpc = near;
        if (!vpc && inventory_count(inv, INV_VPC))
            vpc = inventory_at(inv, INV_VPC, 0)->id;
        return vpc ? xasprintf("%s/%s", vpc, r ? r->az.zone_id : id) : NULL;
    }
    if (!r || !r->vpc_id)
        return NULL;
    switch (type) {
    case INV_VPC:
        return xstrdup(id);
    case INV_SUBNET: {
        const char *zone = subnet_zone_key(r);
        return zone ? xasprintf("%s/%s/%s", r->vpc_id, zone, id) : NULL;
    }
    case INV_ENI: {
        const struct inv_resource *s = inventory_find(inv, INV_SUBNET, r->eni.subnet_id);
        const char *zone = s ? subnet_zone_key(s) : NULL;
        return zone ? xasprintf("%s/%s/%s/%s", r->vpc_id, zone, s->id, id) : NULL;
    }
    case INV_ENDPOINT:
        return xasprintf("%s/" GROUP_ENDPOINTS "/%s", r->vpc_id, id);
    case INV_ROUTE_TABLE:
        return xasprintf("%s/" GROUP_ROUTE_TABLES "/%s", r->vpc_id, id);
    default:
        return NULL;
    }
}

/* With groups, a key starts with the account and region of its VPC. */
static char *full_key(struct tree *t, enum inv_type type, const char *id, const char *near)
{
    char *key = resource_key(t, type, id, near);
    if (!key || !t->grouped)
        return key;
    size_t vlen = strcspn(key, "/");
    char *vpc = xstrndup(key, vlen);
    size_t i = t->groups.scope_of_vpc(t->groups.ud, vpc);
    free(vpc);
    char *out = NULL;
    if (i != (size_t)-1)
        out = xasprintf("%s/%s/%s", t->groups.account(t->groups.ud, i),
                        t->groups.region(t->groups.ud, i), key);
    free(key);
    return out;
}

size_t tree_reveal(struct tree *t, enum inv_type type, const char *id, const char *near_vpc)
{
    char *key = full_key(t, type, id, near_vpc);
    if (!key)
        return TREE_NO_ROW;
    struct tree_node *n = node_by_key(t, key);
    free(key);
    if (!n)
        return TREE_NO_ROW;
    if (t->filter && !n->keep)
        tree_set_filter(t, NULL);
    n = NULL;
    key = full_key(t, type, id, near_vpc);
    n = node_by_key(t, key);
    free(key);
    for (struct tree_node *p = n ? n->parent : NULL; p; p = p->parent) {
        p->expanded = true;
        if (t->filter)
            p->keep = true;
    }
    reflatten(t);
    return n && visible(t, n) ? n->row : TREE_NO_ROW;
}

size_t tree_next_of_kind(const struct tree *t, enum tree_kind kind, size_t from)
{
    for (size_t i = 0; i < t->n_rows; i++) {
        size_t r = (from + i) % t->n_rows;
        if (t->rows[r]->kind == kind)
            return r;
    }
    return TREE_NO_ROW;
}

const struct ip_usage *tree_subnet_usage(struct tree *t, struct tree_node *n)
{
    if (n->kind != TREE_SUBNET)
        return NULL;
    if (!n->usage) {
        const struct inv_resource *s = inventory_find(t->inv, INV_SUBNET, n->id);
        if (!s)
            return NULL;
        n->usage = xcalloc(1, sizeof(*n->usage));
        ipusage_compute(t->inv, s, n->usage);
    }
    return n->usage;
}

const struct az_headroom *tree_az_headroom(struct tree *t, struct tree_node *az)
{
    if (az->kind != TREE_AZ)
        return NULL;
    struct tree_node *vpc = az->parent;
    if (!vpc->headroom_done) {
        vpc->n_headroom = ipusage_vpc_headroom(t->inv, vpc->id, &vpc->headroom);
        vpc->headroom_done = true;
    }
    for (size_t i = 0; i < vpc->n_headroom; i++) {
        const struct az_headroom *h = &vpc->headroom[i];
        if ((h->zone_id && strcmp(h->zone_id, az->id) == 0) ||
            (h->zone_name && strcmp(h->zone_name, az->id) == 0))
            return h;
    }
    return NULL;
}

const char *tree_node_vpc(const struct tree_node *n)
{
    for (; n; n = n->parent)
        if (n->kind == TREE_VPC)
            return n->id;
    return NULL;
}

/* ---- account > region > VPC ---- */

static bool has_child(const struct tree_node *n, const char *id)
{
    for (size_t i = 0; i < n->n_child; i++)
        if (strcmp(n->child[i]->id, id) == 0)
            return true;
    return false;
}

static void build_groups(struct tree *t, struct tree_node *n, size_t *alloc)
{
    const struct tree_groups *g = &t->groups;
    size_t count = g->count(g->ud);
    if (n->kind == TREE_REGION) {
        const char *account = n->parent->id;
        for (size_t i = 0; i < inventory_count(t->inv, INV_VPC); i++) {
            const char *vpc = inventory_at(t->inv, INV_VPC, i)->id;
            size_t k = g->scope_of_vpc(g->ud, vpc);
            if (k != (size_t)-1 && strcmp(g->account(g->ud, k), account) == 0 &&
                strcmp(g->region(g->ud, k), n->id) == 0)
                add_child(n, alloc, TREE_VPC, vpc);
        }
        return;
    }
    for (size_t k = 0; k < count; k++) {
        const char *account = g->account(g->ud, k);
        if (n->kind == TREE_ROOT && !has_child(n, account))
            add_child(n, alloc, TREE_ACCOUNT, account);
        else if (n->kind == TREE_ACCOUNT && strcmp(account, n->id) == 0 &&
                 !has_child(n, g->region(g->ud, k)))
            add_child(n, alloc, TREE_REGION, g->region(g->ud, k));
    }
}

bool tree_grouped(const struct tree *t)
{
    return t->grouped;
}

void tree_set_groups(struct tree *t, const struct tree_groups *groups)
{
    t->grouped = groups != NULL;
    if (groups)
        t->groups = *groups;
    tree_rebuild(t);
}

size_t tree_node_scope(struct tree *t, const struct tree_node *n)
{
    if (!t->grouped || (n->kind != TREE_ACCOUNT && n->kind != TREE_REGION))
        return (size_t)-1;
    const struct tree_groups *g = &t->groups;
    const char *account = n->kind == TREE_ACCOUNT ? n->id : n->parent->id;
    for (size_t k = 0; k < g->count(g->ud); k++)
        if (strcmp(g->account(g->ud, k), account) == 0 &&
            (n->kind == TREE_ACCOUNT || strcmp(g->region(g->ud, k), n->id) == 0))
            return k;
    return (size_t)-1;
}
