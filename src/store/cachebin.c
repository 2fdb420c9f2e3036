#include "vpcx/store/cachebin.h"

#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#define MAGIC        "VPCXBIN\n"
#define HEADER_SIZE  64
#define ENTRY_SIZE   40
#define MAX_SECTIONS 64
#define MAX_KEYS     ((size_t)1 << 20)
#define CHECK_SIZE   8

enum section_kind {
    SEC_META = 1,
    SEC_KEYS = 2,
    SEC_ITEMS = 3,
    SEC_VPCATTR = 4,
};

/* Item values, as the inventory's own compact form (a separate copy: the file
 * keeps its format when the inventory changes its in-memory one). */
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
};

/* VPC attribute values in VPCATTR. */
enum { ATTR_NO, ATTR_YES, ATTR_UNKNOWN };

/* The types the tree needs for its first screen; the rest load after the paint. */
static bool first_type(enum inv_type t)
{
    return t == INV_VPC || t == INV_SUBNET || t == INV_AZ || t == INV_ENDPOINT || t == INV_SERVICE;
}

/* ---- little-endian fields ----------------------------------------------- */

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void digest(const void *data, size_t len, unsigned char out[CHECK_SIZE])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) || n < CHECK_SIZE)
        memset(md, 0, sizeof(md));
    memcpy(out, md, CHECK_SIZE);
}

bool cachebin_stamp_file(const char *path, struct cachebin_stamp *out)
{
    struct stat sb;
    memset(out, 0, sizeof(*out));
    if (stat(path, &sb) != 0)
        return false;
    out->size = (uint64_t)sb.st_size;
    out->inode = (uint64_t)sb.st_ino;
    out->mtime_sec = (uint64_t)sb.st_mtim.tv_sec;
    out->mtime_nsec = (uint32_t)sb.st_mtim.tv_nsec;
    return true;
}

/* ---- writing ------------------------------------------------------------ */

static void w_varint(struct strbuf *sb, uint64_t v)
{
    unsigned char b[10];
    size_t n = 0;
    while (v >= 0x80) {
        b[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    b[n++] = (unsigned char)v;
    strbuf_add(sb, b, n);
}

static void w_text(struct strbuf *sb, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    w_varint(sb, n);
    strbuf_add(sb, s, n);
}

/* Member names seen by the writer: an open-addressing map name -> index + 1. */
struct keytab {
    char **names; /* in index order */
    size_t n, cap;
    size_t *slots; /* index + 1, 0 empty */
    size_t n_slots;
};

static size_t name_hash(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static void keytab_rehash(struct keytab *k)
{
    free(k->slots);
    k->n_slots = k->n_slots ? k->n_slots * 2 : 256;
    k->slots = xcalloc(k->n_slots, sizeof(*k->slots));
    for (size_t i = 0; i < k->n; i++) {
        size_t at = name_hash(k->names[i]) & (k->n_slots - 1);
        while (k->slots[at])
            at = (at + 1) & (k->n_slots - 1);
        k->slots[at] = i + 1;
    }
}

/* The name's index + 1, adding it; 0 when the table is full (written inline). */
static size_t keytab_id(struct keytab *k, const char *name)
{
    if (k->n_slots == 0)
        keytab_rehash(k);
    size_t at = name_hash(name) & (k->n_slots - 1);
    for (; k->slots[at]; at = (at + 1) & (k->n_slots - 1))
        if (strcmp(k->names[k->slots[at] - 1], name) == 0)
            return k->slots[at];
    if (k->n >= MAX_KEYS)
        return 0;
    if (k->n == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 64;
        k->names = xreallocarray(k->names, k->cap, sizeof(*k->names));
    }
    k->names[k->n++] = xstrdup(name);
    k->slots[at] = k->n;
    size_t id = k->n;
    if (k->n * 2 > k->n_slots)
        keytab_rehash(k);
    return id;
}

static void keytab_finish(struct keytab *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->names[i]);
    free(k->names);
    free(k->slots);
}

static void encode_value(struct keytab *k, struct strbuf *sb, const cJSON *v)
{
    const cJSON *c;
    size_t n = 0;
    switch (v->type & 0xFF) {
    case cJSON_False:
        strbuf_addch(sb, ENC_FALSE);
        break;
    case cJSON_True:
        strbuf_addch(sb, ENC_TRUE);
        break;
    case cJSON_Number: {
        double d = v->valuedouble;
        if (d >= 0 && d < 9007199254740992.0 && d == (double)(uint64_t)d && !signbit(d)) {
            strbuf_addch(sb, ENC_UINT);
            w_varint(sb, (uint64_t)d);
        } else {
            unsigned char b[8];
            uint64_t bits;
            memcpy(&bits, &d, sizeof(bits));
            put_u64(b, bits);
            strbuf_addch(sb, ENC_DOUBLE);
            strbuf_add(sb, b, sizeof(b));
        }
        break;
    }
    case cJSON_String:
        strbuf_addch(sb, ENC_STRING);
        w_text(sb, v->valuestring);
        break;
    case cJSON_Raw:
        strbuf_addch(sb, ENC_RAW);
        w_text(sb, v->valuestring);
        break;
    case cJSON_Array:
    case cJSON_Object:
        for (c = v->child; c; c = c->next)
            n++;
        strbuf_addch(sb, cJSON_IsArray(v) ? ENC_ARRAY : ENC_OBJECT);
        w_varint(sb, n);
        for (c = v->child; c; c = c->next) {
            if (cJSON_IsObject(v)) {
                size_t id = c->string ? keytab_id(k, c->string) : 0;
                w_varint(sb, id);
                if (id == 0)
                    w_text(sb, c->string);
            }
            encode_value(k, sb, c);
        }
        break;
    default:
        strbuf_addch(sb, ENC_NULL);
        break;
    }
}

struct section {
    uint32_t kind, type;
    uint64_t offset, length, count;
    unsigned char check[CHECK_SIZE];
};

struct writer {
    FILE *out;
    uint64_t pos;
    EVP_MD_CTX *md;
    bool failed;
    struct section *cur;
};

static void section_begin(struct writer *w, struct section *s, uint32_t kind, uint32_t type)
{
    s->kind = kind;
    s->type = type;
    s->offset = w->pos;
    s->length = 0;
    s->count = 0;
    w->cur = s;
    if (!EVP_DigestInit_ex(w->md, EVP_sha256(), NULL))
        w->failed = true;
}

static void section_add(struct writer *w, const void *data, size_t len)
{
    if (len == 0)
        return;
    if (fwrite(data, 1, len, w->out) != len)
        w->failed = true;
    if (!EVP_DigestUpdate(w->md, data, len))
        w->failed = true;
    w->pos += len;
    w->cur->length += len;
}

static void section_end(struct writer *w)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!EVP_DigestFinal_ex(w->md, md, &n) || n < CHECK_SIZE)
        w->failed = true;
    else
        memcpy(w->cur->check, md, CHECK_SIZE);
}

static void write_meta(struct writer *w, struct section *s, const struct snapshot_meta *meta,
                       const cJSON *errors)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddItemToObject(doc, "Metadata", snapshot_meta_json(meta));
    cJSON_AddItemToObject(doc, "Errors",
                          errors ? cJSON_Duplicate(errors, true) : cJSON_CreateArray());
    char *text = snapshot_print_json(doc, false);
    cJSON_Delete(doc);
    section_begin(w, s, SEC_META, 0);
    if (text)
        section_add(w, text, strlen(text));
    else
        w->failed = true;
    section_end(w);
    free(text);
}

static void write_items(struct writer *w, struct section *s, struct keytab *k,
                        const struct inventory *inv, enum inv_type t)
{
    struct strbuf item, len;
    strbuf_init(&item, 4096);
    strbuf_init(&len, 16);
    section_begin(w, s, SEC_ITEMS, (uint32_t)t);
    size_t n = inventory_count(inv, t);
    for (size_t i = 0; i < n && !w->failed; i++) {
        cJSON *v = inventory_item(inv, inventory_at(inv, t, i));
        strbuf_reset(&item);
        strbuf_reset(&len);
        encode_value(k, &item, v);
        cJSON_Delete(v);
        w_varint(&len, item.len);
        section_add(w, len.buf, len.len);
        section_add(w, item.buf, item.len);
    }
    s->count = n;
    section_end(w);
    strbuf_release(&item);
    strbuf_release(&len);
}

static unsigned char attr_byte(enum inv_tristate v)
{
    return v == INV_YES ? ATTR_YES : v == INV_NO ? ATTR_NO : ATTR_UNKNOWN;
}

static void write_vpc_attrs(struct writer *w, struct section *s, const struct inventory *inv)
{
    struct strbuf sb;
    strbuf_init(&sb, 1024);
    size_t n = inventory_count(inv, INV_VPC);
    for (size_t i = 0; i < n; i++) {
        const struct inv_resource *vpc = inventory_at(inv, INV_VPC, i);
        if (vpc->vpc.dns_support == INV_UNKNOWN && vpc->vpc.dns_hostnames == INV_UNKNOWN)
            continue;
        w_text(&sb, vpc->id);
        strbuf_addch(&sb, (char)attr_byte(vpc->vpc.dns_support));
        strbuf_addch(&sb, (char)attr_byte(vpc->vpc.dns_hostnames));
        s->count++;
    }
    uint64_t count = s->count;
    section_begin(w, s, SEC_VPCATTR, 0);
    section_add(w, sb.buf, sb.len);
    s->count = count;
    section_end(w);
    strbuf_release(&sb);
}

static void write_keys(struct writer *w, struct section *s, const struct keytab *k)
{
    struct strbuf sb;
    strbuf_init(&sb, 4096);
    for (size_t i = 0; i < k->n; i++)
        w_text(&sb, k->names[i]);
    section_begin(w, s, SEC_KEYS, 0);
    section_add(w, sb.buf, sb.len);
    s->count = k->n;
    section_end(w);
    strbuf_release(&sb);
}

static void encode_head(unsigned char *head, const struct section *secs, size_t n,
                        const struct cachebin_stamp *json)
{
    memset(head, 0, HEADER_SIZE + n * ENTRY_SIZE);
    memcpy(head, MAGIC, 8);
    put_u32(head + 8, CACHEBIN_VERSION);
    put_u32(head + 12, SNAPSHOT_FORMAT_VERSION);
    put_u32(head + 16, INV_TYPE_COUNT);
    put_u32(head + 20, (uint32_t)n);
    if (json) {
        put_u64(head + 24, json->size);
        put_u64(head + 32, json->inode);
        put_u64(head + 40, json->mtime_sec);
        put_u32(head + 48, json->mtime_nsec);
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char *e = head + HEADER_SIZE + i * ENTRY_SIZE;
        put_u32(e, secs[i].kind);
        put_u32(e + 4, secs[i].type);
        put_u64(e + 8, secs[i].offset);
        put_u64(e + 16, secs[i].length);
        put_u64(e + 24, secs[i].count);
        memcpy(e + 32, secs[i].check, CHECK_SIZE);
    }
    /* The header's own check covers it (less the check) and the table. */
    unsigned char *tmp = xmalloc(HEADER_SIZE + n * ENTRY_SIZE);
    memcpy(tmp, head, HEADER_SIZE + n * ENTRY_SIZE);
    memset(tmp + 56, 0, CHECK_SIZE);
    digest(tmp, HEADER_SIZE + n * ENTRY_SIZE, head + 56);
    free(tmp);
}

/* The order sections are written and loaded in: what the first paint needs first, ENIs last. */
static size_t section_order(enum inv_type *order)
{
    size_t n = 0;
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        if (first_type((enum inv_type)t))
            order[n++] = (enum inv_type)t;
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        if (!first_type((enum inv_type)t) && t != INV_ENI)
            order[n++] = (enum inv_type)t;
    order[n++] = INV_ENI;
    return n;
}

enum vpcx_status cachebin_write(FILE *out, const struct inventory *inv,
                                const struct snapshot_meta *meta, const cJSON *errors,
                                const struct cachebin_stamp *json, struct vpcx_error *err)
{
    /* META, the types (VPC attributes right after the VPCs), KEYS. */
    const size_t n = 1 + INV_TYPE_COUNT + 1 + 1;
    struct section secs[1 + INV_TYPE_COUNT + 1 + 1];
    memset(secs, 0, sizeof(secs));
    unsigned char head[HEADER_SIZE + (1 + INV_TYPE_COUNT + 1 + 1) * ENTRY_SIZE];
    memset(head, 0, sizeof(head));
    struct writer w = {.out = out, .md = EVP_MD_CTX_new()};
    if (!w.md)
        return vpcx_error_set(err, VPCX_ERR_INTERNAL, "cannot start a SHA-256 digest");
    if (fwrite(head, 1, sizeof(head), out) != sizeof(head))
        w.failed = true;
    w.pos = sizeof(head);
    struct keytab keys = {0};
    size_t at = 0;
    write_meta(&w, &secs[at++], meta, errors);
    enum inv_type order[INV_TYPE_COUNT];
    size_t n_types = section_order(order);
    for (size_t i = 0; i < n_types; i++) {
        write_items(&w, &secs[at++], &keys, inv, order[i]);
        if (order[i] == INV_VPC)
            write_vpc_attrs(&w, &secs[at++], inv);
    }
    write_keys(&w, &secs[at++], &keys);
    keytab_finish(&keys);
    EVP_MD_CTX_free(w.md);
    encode_head(head, secs, n, json);
    if (fseek(out, 0, SEEK_SET) != 0 || fwrite(head, 1, sizeof(head), out) != sizeof(head) ||
        fflush(out) != 0)
        w.failed = true;
    if (w.failed)
        return vpcx_error_set(err, VPCX_ERR_IO, "cannot write the binary cache: %s",
                              strerror(errno ? errno : EIO));
    return VPCX_OK;
}

/* ---- reading ------------------------------------------------------------ */

struct cachebin {
    unsigned char *data;
    size_t len;
    bool mapped; /* data is a mapping of the file, else a copy */
    char *label;
    struct section secs[MAX_SECTIONS];
    size_t n_secs;
    char **keys;
    size_t n_keys;
    cJSON *doc; /* META: Metadata and Errors */
    /* Where the staged load is. */
    size_t sec;        /* next or current section */
    size_t item;       /* items done in it */
    uint64_t pos;      /* offset of the next item in it */
    bool in_section;   /* begun (inventory_begin called, or skipped) */
    bool type_skipped; /* an empty list of a failed type: left not loaded */
    size_t loaded, total;
    struct strbuf text; /* scratch for NUL-terminating strings */
};

void cachebin_close(struct cachebin *cb)
{
    if (!cb)
        return;
    for (size_t i = 0; i < cb->n_keys; i++)
        free(cb->keys[i]);
    free(cb->keys);
    if (cb->mapped)
        munmap(cb->data, cb->len);
    else
        free(cb->data);
    free(cb->label);
    cJSON_Delete(cb->doc);
    strbuf_release(&cb->text);
    free(cb);
}

struct rd {
    const unsigned char *p, *end;
    bool bad;
};

static uint64_t r_varint(struct rd *r)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) {
            r->bad = true;
            return 0;
        }
        unsigned char b = *r->p++;
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            return v;
    }
    r->bad = true;
    return 0;
}

/* The next length-prefixed text: *n bytes at the returned pointer (not NUL-terminated). */
static const unsigned char *r_bytes(struct rd *r, size_t *n)
{
    uint64_t len = r_varint(r);
    if (r->bad || len > (uint64_t)(r->end - r->p)) {
        r->bad = true;
        *n = 0;
        return NULL;
    }
    const unsigned char *s = r->p;
    r->p += len;
    *n = (size_t)len;
    return s;
}

static enum vpcx_status refuse(struct vpcx_error *err, const char *label, const char *why)
{
    return vpcx_error_set(err, VPCX_ERR_PARSE, "%s %s; ignored", label, why);
}

static bool known_kind(uint32_t kind)
{
    return kind == SEC_META || kind == SEC_KEYS || kind == SEC_ITEMS || kind == SEC_VPCATTR;
}

static enum vpcx_status check_header(struct cachebin *cb, const struct cachebin_stamp *json,
                                     struct vpcx_error *err)
{
    const unsigned char *h = cb->data;
    if (cb->len < HEADER_SIZE || memcmp(h, MAGIC, 8) != 0)
        return refuse(err, cb->label,
                      cb->len < HEADER_SIZE ? "is truncated (no header)"
                                            : "is not a vpcx binary cache");
    if (get_u32(h + 8) != CACHEBIN_VERSION || get_u32(h + 12) != SNAPSHOT_FORMAT_VERSION ||
        get_u32(h + 16) != INV_TYPE_COUNT) {
        return vpcx_error_set(err, VPCX_ERR_PARSE,
                              "%s is format %u (snapshot %u, %u types); this vpcx reads %d "
                              "(%d, %d); ignored",
                              cb->label, get_u32(h + 8), get_u32(h + 12), get_u32(h + 16),
                              CACHEBIN_VERSION, SNAPSHOT_FORMAT_VERSION, INV_TYPE_COUNT);
    }
    uint32_t n = get_u32(h + 20);
    if (n == 0 || n > MAX_SECTIONS || cb->len < HEADER_SIZE + (size_t)n * ENTRY_SIZE)
        return refuse(err, cb->label, "is truncated or corrupt (section table)");
    size_t table = HEADER_SIZE + (size_t)n * ENTRY_SIZE;
    unsigned char *tmp = xmalloc(table);
    memcpy(tmp, h, table);
    memset(tmp + 56, 0, CHECK_SIZE);
    unsigned char check[CHECK_SIZE];
    digest(tmp, table, check);
    free(tmp);
    if (memcmp(check, h + 56, CHECK_SIZE) != 0)
        return refuse(err, cb->label, "is corrupt (header checksum)");
    if (json && (get_u64(h + 24) != json->size || get_u64(h + 32) != json->inode ||
                 get_u64(h + 40) != json->mtime_sec || get_u32(h + 48) != json->mtime_nsec))
        return refuse(err, cb->label, "was not written with the JSON cache beside it");
    cb->n_secs = n;
    return VPCX_OK;
}

static bool deferred(const struct section *s)
{
    return s->kind == SEC_ITEMS && !first_type((enum inv_type)s->type);
}

static bool section_intact(const struct cachebin *cb, size_t i, struct vpcx_error *err)
{
    const struct section *s = &cb->secs[i];
    unsigned char check[CHECK_SIZE];
    digest(cb->data + s->offset, (size_t)s->length, check);
    if (memcmp(check, s->check, CHECK_SIZE) == 0)
        return true;
    vpcx_error_set(err, VPCX_ERR_PARSE, "%s is corrupt (checksum of section %zu); ignored",
                   cb->label, i);
    return false;
}

static enum vpcx_status check_sections(struct cachebin *cb, struct vpcx_error *err)
{
    bool seen_type[INV_TYPE_COUNT] = {false};
    bool meta = false, keys = false;
    for (size_t i = 0; i < cb->n_secs; i++) {
        const unsigned char *e = cb->data + HEADER_SIZE + i * ENTRY_SIZE;
        struct section *s = &cb->secs[i];
        s->kind = get_u32(e);
        s->type = get_u32(e + 4);
        s->offset = get_u64(e + 8);
        s->length = get_u64(e + 16);
        s->count = get_u64(e + 24);
        memcpy(s->check, e + 32, CHECK_SIZE);
        if (!known_kind(s->kind) || s->offset > cb->len || s->length > cb->len - s->offset)
            return refuse(err, cb->label, "is truncated or corrupt (a section lies outside it)");
        if (s->kind == SEC_ITEMS) {
            if (s->type >= INV_TYPE_COUNT || seen_type[s->type])
                return refuse(err, cb->label, "is corrupt (section types)");
            seen_type[s->type] = true;
            /* An item takes two bytes at least: the count cannot promise more. */
            if (s->count > s->length / 2)
                return refuse(err, cb->label, "is corrupt (item count)");
            cb->total += (size_t)s->count;
        }
        meta |= s->kind == SEC_META;
        keys |= s->kind == SEC_KEYS;
        /* The types loaded after the first paint are checked when their turn comes. */
        if (!deferred(s) && !section_intact(cb, i, err))
            return err ? err->status : VPCX_ERR_PARSE;
    }
    if (!meta || !keys)
        return refuse(err, cb->label, "is corrupt (no metadata or member names)");
    return VPCX_OK;
}

static enum vpcx_status read_keys(struct cachebin *cb, const struct section *s,
                                  struct vpcx_error *err)
{
    if (s->count > MAX_KEYS || s->count > s->length)
        return refuse(err, cb->label, "is corrupt (member names)");
    struct rd r = {cb->data + s->offset, cb->data + s->offset + s->length, false};
    cb->keys = xcalloc(s->count ? (size_t)s->count : 1, sizeof(*cb->keys));
    for (size_t i = 0; i < s->count; i++) {
        size_t n;
        const unsigned char *p = r_bytes(&r, &n);
        if (r.bad)
            return refuse(err, cb->label, "is corrupt (member names)");
        cb->keys[cb->n_keys++] = xstrndup((const char *)p, n);
    }
    if (r.p != r.end)
        return refuse(err, cb->label, "is corrupt (member names)");
    return VPCX_OK;
}

static enum vpcx_status read_meta_doc(struct cachebin *cb, const struct section *s,
                                      struct vpcx_error *err)
{
    cb->doc = cJSON_ParseWithLength((const char *)cb->data + s->offset, (size_t)s->length);
    if (!cJSON_IsObject(cb->doc) ||
        !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(cb->doc, "Metadata")) ||
        !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(cb->doc, "Errors")))
        return refuse(err, cb->label, "is corrupt (metadata)");
    return VPCX_OK;
}

static enum vpcx_status open_checked(struct cachebin *cb, const struct cachebin_stamp *json,
                                     struct vpcx_error *err)
{
    enum vpcx_status st = check_header(cb, json, err);
    if (st == VPCX_OK)
        st = check_sections(cb, err);
    for (size_t i = 0; st == VPCX_OK && i < cb->n_secs; i++) {
        if (cb->secs[i].kind == SEC_KEYS && !cb->keys)
            st = read_keys(cb, &cb->secs[i], err);
        else if (cb->secs[i].kind == SEC_META && !cb->doc)
            st = read_meta_doc(cb, &cb->secs[i], err);
    }
    return st;
}

static struct cachebin *cachebin_new(const char *label)
{
    struct cachebin *cb = xcalloc(1, sizeof(*cb));
    cb->label = xstrdup(label);
    strbuf_init(&cb->text, 256);
    return cb;
}

enum vpcx_status cachebin_open_buffer(const void *data, size_t len, const char *label,
                                      const struct cachebin_stamp *json, struct cachebin **out,
                                      struct vpcx_error *err)
{
    *out = NULL;
    struct cachebin *cb = cachebin_new(label);
    cb->data = xmalloc(len ? len : 1);
    if (len)
        memcpy(cb->data, data, len);
    cb->len = len;
    enum vpcx_status st = open_checked(cb, json, err);
    if (st != VPCX_OK) {
        cachebin_close(cb);
        return st;
    }
    *out = cb;
    return VPCX_OK;
}

enum vpcx_status cachebin_open(const char *path, const struct cachebin_stamp *json,
                               struct cachebin **out, struct vpcx_error *err)
{
    *out = NULL;
    char *label = xasprintf("binary cache %s", path);
    struct stat sb;
    enum vpcx_status st = VPCX_OK;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        st = vpcx_error_set(err, errno == ENOENT ? VPCX_ERR_NOT_FOUND : VPCX_ERR_IO, "%s: %s",
                            label, strerror(errno));
    else if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        st = refuse(err, label, "is not a regular file");
    else if (sb.st_size == 0)
        st = refuse(err, label, "is empty");
    else if ((unsigned long long)sb.st_size > SNAPSHOT_MAX_BYTES)
        st = refuse(err, label, "is over the size limit");
    struct cachebin *cb = NULL;
    if (st == VPCX_OK) {
        /* Mapped, not read: the page cache is used as is. vpcx replaces cache files by
           rename, never in place, so the mapped file does not shrink under it. */
        void *map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            st = vpcx_error_set(err, VPCX_ERR_IO, "%s: %s", label, strerror(errno));
        } else {
            cb = cachebin_new(label);
            cb->data = map;
            cb->len = (size_t)sb.st_size;
            cb->mapped = true;
            st = open_checked(cb, json, err);
        }
    }
    if (fd >= 0)
        close(fd);
    if (st != VPCX_OK)
        cachebin_close(cb);
    else
        *out = cb;
    free(label);
    return st;
}

enum vpcx_status cachebin_read_meta(struct cachebin *cb, struct snapshot_meta *meta, cJSON **errors,
                                    struct vpcx_error *err)
{
    if (errors)
        *errors = NULL;
    memset(meta, 0, sizeof(*meta));
    enum vpcx_status st = snapshot_meta_from_json(cb->doc, cb->label, meta, err);
    if (st == VPCX_OK && errors)
        *errors = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(cb->doc, "Errors"), true);
    return st;
}

/* ---- items -------------------------------------------------------------- */

static cJSON *make_text(struct cachebin *cb, struct rd *r, bool raw)
{
    size_t n;
    const unsigned char *p = r_bytes(r, &n);
    if (r->bad)
        return NULL;
    strbuf_reset(&cb->text);
    strbuf_add(&cb->text, p, n);
    const char *s = strbuf_str(&cb->text);
    return raw ? cJSON_CreateRaw(s) : cJSON_CreateString(s);
}

static cJSON *decode_value(struct cachebin *cb, struct rd *r, int depth);

static cJSON *decode_container(struct cachebin *cb, struct rd *r, int depth, bool object)
{
    uint64_t n = r_varint(r);
    /* Every member takes a byte at least: a count past the bytes left is corrupt. */
    if (r->bad || n > (uint64_t)(r->end - r->p)) {
        r->bad = true;
        return NULL;
    }
    cJSON *v = object ? cJSON_CreateObject() : cJSON_CreateArray();
    for (; n > 0 && !r->bad; n--) {
        const char *key = NULL;
        char *own = NULL;
        if (object) {
            uint64_t id = r_varint(r);
            if (id > cb->n_keys)
                r->bad = true;
            else if (id > 0)
                key = cb->keys[id - 1];
            else {
                size_t len;
                const unsigned char *p = r_bytes(r, &len);
                own = r->bad ? NULL : xstrndup((const char *)p, len);
            }
        }
        cJSON *c = r->bad ? NULL : decode_value(cb, r, depth + 1);
        if (!c) {
            free(own);
            r->bad = true;
            break;
        }
        if (!object)
            cJSON_AddItemToArray(v, c);
        else if (own)
            cJSON_AddItemToObject(v, own, c);
        else /* the key table outlives the tree: no copy */
            cJSON_AddItemToObjectCS(v, key, c);
        free(own);
    }
    if (r->bad) {
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}

static cJSON *decode_value(struct cachebin *cb, struct rd *r, int depth)
{
    if (r->p >= r->end || depth > SNAPSHOT_MAX_DEPTH) {
        r->bad = true;
        return NULL;
    }
    switch (*r->p++) {
    case ENC_NULL:
        return cJSON_CreateNull();
    case ENC_FALSE:
        return cJSON_CreateFalse();
    case ENC_TRUE:
        return cJSON_CreateTrue();
    case ENC_UINT: {
        uint64_t v = r_varint(r);
        return r->bad ? NULL : cJSON_CreateNumber((double)v);
    }
    case ENC_DOUBLE: {
        if (r->end - r->p < 8) {
            r->bad = true;
            return NULL;
        }
        uint64_t bits = get_u64(r->p);
        double d;
        memcpy(&d, &bits, sizeof(d));
        r->p += 8;
        return cJSON_CreateNumber(d);
    }
    case ENC_STRING:
        return make_text(cb, r, false);
    case ENC_RAW:
        return make_text(cb, r, true);
    case ENC_ARRAY:
        return decode_container(cb, r, depth, false);
    case ENC_OBJECT:
        return decode_container(cb, r, depth, true);
    default:
        r->bad = true;
        return NULL;
    }
}

static enum vpcx_status load_vpc_attrs(struct cachebin *cb, const struct section *s,
                                       struct inventory *inv, struct vpcx_error *err)
{
    static const char *const names[2] = {"enableDnsSupport", "enableDnsHostnames"};
    struct rd r = {cb->data + s->offset, cb->data + s->offset + s->length, false};
    while (r.p < r.end && !r.bad) {
        size_t n;
        const unsigned char *id = r_bytes(&r, &n);
        if (r.bad || r.end - r.p < 2)
            break;
        strbuf_reset(&cb->text);
        strbuf_add(&cb->text, id, n);
        for (int i = 0; i < 2; i++) {
            unsigned char v = *r.p++;
            if (v == ATTR_YES || v == ATTR_NO)
                inventory_set_vpc_attribute(inv, strbuf_str(&cb->text), names[i], v == ATTR_YES);
        }
    }
    if (r.p != r.end)
        return refuse(err, cb->label, "is corrupt (VPC attributes)");
    return VPCX_OK;
}

static long elapsed_usec(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - since->tv_sec) * 1000000L + (now.tv_nsec - since->tv_nsec) / 1000;
}

/* One item of the current ITEMS section into inv. */
static enum vpcx_status load_item(struct cachebin *cb, const struct section *s,
                                  struct inventory *inv, struct vpcx_error *err)
{
    struct rd r = {cb->data + cb->pos, cb->data + s->offset + s->length, false};
    size_t n;
    const unsigned char *p = r_bytes(&r, &n);
    cJSON *item = NULL;
    if (!r.bad) {
        struct rd ir = {p, p + n, false};
        item = decode_value(cb, &ir, 0);
        if (item && ir.p != ir.end) {
            cJSON_Delete(item);
            item = NULL;
        }
    }
    if (!item || inventory_put(inv, (enum inv_type)s->type, item) != VPCX_OK)
        return vpcx_error_set(err, VPCX_ERR_PARSE, "%s: %s item %zu does not decode; ignored",
                              cb->label, inventory_type_list_key((enum inv_type)s->type), cb->item);
    cb->pos = (uint64_t)(r.p - cb->data);
    cb->item++;
    cb->loaded++;
    return VPCX_OK;
}

/* Ends the current section (its type, or its VPC attributes) and moves on. */
static enum vpcx_status next_section(struct cachebin *cb, struct inventory *inv,
                                     struct vpcx_error *err)
{
    const struct section *s = &cb->secs[cb->sec];
    enum vpcx_status st = VPCX_OK;
    if (s->kind == SEC_ITEMS) {
        if (cb->pos != s->offset + s->length)
            st = refuse(err, cb->label, "is corrupt (bytes after the last item)");
        else if (!cb->type_skipped)
            inventory_end(inv, (enum inv_type)s->type);
    } else if (s->kind == SEC_VPCATTR) {
        st = load_vpc_attrs(cb, s, inv, err);
    }
    cb->sec++;
    cb->in_section = false;
    return st;
}

static enum vpcx_status begin_section(struct cachebin *cb, struct inventory *inv,
                                      struct vpcx_error *err)
{
    const struct section *s = &cb->secs[cb->sec];
    if (deferred(s) && !section_intact(cb, cb->sec, err))
        return VPCX_ERR_PARSE;
    cb->in_section = true;
    cb->item = 0;
    cb->pos = s->offset;
    cb->type_skipped = false;
    if (s->kind != SEC_ITEMS)
        return VPCX_OK;
    cb->type_skipped = s->count == 0 && snapshot_type_failed(cb->doc, (enum inv_type)s->type);
    if (!cb->type_skipped)
        inventory_begin(inv, (enum inv_type)s->type);
    return VPCX_OK;
}

enum vpcx_status cachebin_load_step(struct cachebin *cb, struct inventory *inv, long max_usec,
                                    bool stop_at_deferred, bool *done, struct vpcx_error *err)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    *done = false;
    unsigned ticks = 0;
    while (cb->sec < cb->n_secs) {
        const struct section *s = &cb->secs[cb->sec];
        if (!cb->in_section) {
            if (stop_at_deferred && s->kind == SEC_ITEMS && !first_type((enum inv_type)s->type))
                return VPCX_OK;
            enum vpcx_status st = begin_section(cb, inv, err);
            if (st != VPCX_OK)
                return st;
        }
        if (s->kind == SEC_ITEMS && cb->item < s->count) {
            enum vpcx_status st = load_item(cb, s, inv, err);
            if (st != VPCX_OK)
                return st;
            if (max_usec > 0 && (++ticks & 31) == 0 && elapsed_usec(&start) >= max_usec)
                return VPCX_OK;
            continue;
        }
        enum vpcx_status st = next_section(cb, inv, err);
        if (st != VPCX_OK)
            return st;
    }
    *done = true;
    return VPCX_OK;
}

void cachebin_progress(const struct cachebin *cb, size_t *loaded, size_t *total)
{
    *loaded = cb->loaded;
    *total = cb->total;
}
