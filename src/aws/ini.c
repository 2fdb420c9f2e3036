#include "vpcx/aws/ini.h"

#include "vpcx/core/fileio.h"

#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <openssl/crypto.h>

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_SECTION "DEFAULT"

/* Key comparisons made so far: a cost measure for the tests. */
static size_t key_compares;

size_t ini_key_compares(void)
{
    return key_compares;
}

static bool key_equal_n(const char *a, const char *b, size_t blen)
{
    key_compares++;
    return strlen(a) == blen && memcmp(a, b, blen) == 0;
}

/* Where the key of an array's item sits: each item is stride bytes and
 * holds its key (a char *) at offset. */
struct keyed_array {
    const void *base;
    size_t stride, offset;
};

static const char *array_key(const struct keyed_array *a, size_t i)
{
    const char *item = (const char *)a->base + i * a->stride + a->offset;
    const char *key;
    memcpy(&key, item, sizeof(key));
    return key;
}

/* FNV-1a: keys come from the user's own files, so no seed is needed. */
static size_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211u;
    }
    return (size_t)h;
}

/* The position of key (klen bytes) in a, or SIZE_MAX. */
static size_t index_find(const struct ini_index *idx, const struct keyed_array *a, const char *key,
                         size_t klen)
{
    if (idx->cap == 0)
        return SIZE_MAX;
    size_t mask = idx->cap - 1;
    for (size_t i = hash_bytes(key, klen) & mask; idx->slots[i]; i = (i + 1) & mask) {
        size_t pos = idx->slots[i] - 1;
        if (key_equal_n(array_key(a, pos), key, klen))
            return pos;
    }
    return SIZE_MAX;
}

static void index_put(struct ini_index *idx, const struct keyed_array *a, size_t pos)
{
    const char *key = array_key(a, pos);
    size_t mask = idx->cap - 1;
    size_t i = hash_bytes(key, strlen(key)) & mask;
    while (idx->slots[i])
        i = (i + 1) & mask;
    idx->slots[i] = pos + 1;
}

/* Records that item pos (the last of pos + 1 items) is now in a; the table
 * stays at most half full. */
static void index_add(struct ini_index *idx, const struct keyed_array *a, size_t pos)
{
    if ((pos + 1) * 2 > idx->cap) {
        free(idx->slots);
        idx->cap = idx->cap ? idx->cap * 2 : 8;
        idx->slots = xcalloc(idx->cap, sizeof(*idx->slots));
        for (size_t i = 0; i < pos; i++)
            index_put(idx, a, i);
    }
    index_put(idx, a, pos);
}

static void index_finish(struct ini_index *idx)
{
    free(idx->slots);
    idx->slots = NULL;
    idx->cap = 0;
}

static struct keyed_array section_keys(const struct ini_section *sec)
{
    return (struct keyed_array){sec->entries, sizeof(*sec->entries),
                                offsetof(struct ini_entry, key)};
}

static struct keyed_array sub_keys(const struct ini_entry *e)
{
    return (struct keyed_array){e->sub, sizeof(*e->sub), offsetof(struct ini_pair, key)};
}

static struct keyed_array file_sections(const struct ini_file *ini)
{
    return (struct keyed_array){ini->sections, sizeof(*ini->sections),
                                offsetof(struct ini_section, name)};
}

/* Grows an array that doubles whenever its count reaches a power of two, so
 * no capacity field is needed. */
static void *grow_array(void *arr, size_t count, size_t size)
{
    if (count != 0 && (count & (count - 1)) != 0)
        return arr;
    return xreallocarray(arr, count ? count * 2 : 1, size);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n';
}

/* Trims [*s, *e) in place. */
static void trim_span(const char **s, const char **e)
{
    while (*s < *e && is_blank(**s))
        (*s)++;
    while (*e > *s && is_blank((*e)[-1]))
        (*e)--;
}

/* Values may be secret keys: wipe them before freeing. */
static void free_wiped(char *s)
{
    if (s)
        OPENSSL_cleanse(s, strlen(s));
    free(s);
}

static void entry_finish(struct ini_entry *e)
{
    free(e->key);
    free_wiped(e->value);
    for (size_t i = 0; i < e->nsub; i++) {
        free(e->sub[i].key);
        free_wiped(e->sub[i].value);
    }
    free(e->sub);
    index_finish(&e->sub_index);
}

static void section_finish(struct ini_section *sec)
{
    if (!sec)
        return;
    for (size_t i = 0; i < sec->nentries; i++)
        entry_finish(&sec->entries[i]);
    free(sec->entries);
    free(sec->name);
    index_finish(&sec->index);
    memset(sec, 0, sizeof(*sec));
}

void ini_file_init(struct ini_file *ini)
{
    memset(ini, 0, sizeof(*ini));
}

void ini_file_finish(struct ini_file *ini)
{
    if (!ini)
        return;
    for (size_t i = 0; i < ini->nsections; i++)
        section_finish(&ini->sections[i]);
    free(ini->sections);
    free(ini->name);
    index_finish(&ini->section_index);
    section_finish(ini->defaults);
    free(ini->defaults);
    ini_file_init(ini);
}

const struct ini_section *ini_file_section(const struct ini_file *ini, const char *name)
{
    if (!ini)
        return NULL;
    struct keyed_array a = file_sections(ini);
    size_t pos = index_find(&ini->section_index, &a, name, strlen(name));
    return pos == SIZE_MAX ? NULL : &ini->sections[pos];
}

/* The section's own entry for key (klen bytes), or NULL. */
static struct ini_entry *own_entry(const struct ini_section *sec, const char *key, size_t klen)
{
    if (!sec)
        return NULL;
    struct keyed_array a = section_keys(sec);
    size_t pos = index_find(&sec->index, &a, key, klen);
    return pos == SIZE_MAX ? NULL : &sec->entries[pos];
}

const struct ini_entry *ini_section_entry(const struct ini_section *sec, const char *key)
{
    if (!sec)
        return NULL;
    size_t klen = strlen(key);
    const struct ini_entry *e = own_entry(sec, key, klen);
    return e ? e : own_entry(sec->defaults, key, klen);
}

const struct ini_entry *ini_section_each(const struct ini_section *sec, size_t *pos)
{
    if (!sec)
        return NULL;
    while (*pos < sec->nentries + (sec->defaults ? sec->defaults->nentries : 0)) {
        size_t i = (*pos)++;
        if (i < sec->nentries)
            return &sec->entries[i];
        const struct ini_entry *d = &sec->defaults->entries[i - sec->nentries];
        if (!own_entry(sec, d->key, strlen(d->key)))
            return d;
    }
    return NULL;
}

const char *ini_section_get(const struct ini_section *sec, const char *key)
{
    const struct ini_entry *e = ini_section_entry(sec, key);
    return e ? e->value : NULL;
}

const char *ini_entry_sub(const struct ini_entry *e, const char *subkey)
{
    if (!e)
        return NULL;
    struct keyed_array a = sub_keys(e);
    size_t pos = index_find(&e->sub_index, &a, subkey, strlen(subkey));
    return pos == SIZE_MAX ? NULL : e->sub[pos].value;
}

/* Parser state: the section being filled and the key whose value may still
 * continue on indented lines. */
struct parser {
    struct ini_file *ini;
    struct ini_section *cur; /* NULL before the first header */
    struct ini_entry *entry; /* NULL right after a header */
    struct strbuf value;     /* the entry's lines so far */
    bool first_empty;        /* the key's own line had no value */
    bool nested_seen;        /* a non-blank continuation of an empty key */
    size_t indent;           /* indentation of the last key or header */
    unsigned lineno;
    struct vpcx_error *err;
};

static enum vpcx_status parse_fail(struct parser *p, const char *what)
{
    return vpcx_error_set(p->err, VPCX_ERR_CONFIG, "%s:%u: %s", p->ini->name, p->lineno, what);
}

static void entry_close(struct parser *p)
{
    struct ini_entry *e = p->entry;
    if (!e)
        return;
    if (p->first_empty && p->nested_seen) {
        e->nested = true;
    } else {
        while (p->value.len && is_blank(p->value.buf[p->value.len - 1]))
            strbuf_setlen(&p->value, p->value.len - 1);
        e->value = strbuf_detach(&p->value, NULL);
    }
    strbuf_reset(&p->value);
    p->entry = NULL;
}

static void sub_set(struct ini_entry *e, const char *k, size_t klen, const char *v, size_t vlen)
{
    struct keyed_array a = sub_keys(e);
    size_t pos = index_find(&e->sub_index, &a, k, klen);
    if (pos != SIZE_MAX) {
        free_wiped(e->sub[pos].value);
        e->sub[pos].value = xstrndup(v, vlen);
        return;
    }
    e->sub = grow_array(e->sub, e->nsub, sizeof(*e->sub));
    e->sub[e->nsub].key = xstrndup(k, klen);
    e->sub[e->nsub].value = xstrndup(v, vlen);
    a = sub_keys(e);
    index_add(&e->sub_index, &a, e->nsub++);
}

/* An indented line after a key: part of a nested block or a multi-line value. */
static enum vpcx_status add_continuation(struct parser *p, const char *s, const char *e)
{
    if (!p->first_empty) {
        strbuf_addch(&p->value, '\n');
        strbuf_add(&p->value, s, (size_t)(e - s));
        return VPCX_OK;
    }
    const char *eq = memchr(s, '=', (size_t)(e - s));
    if (!eq)
        return parse_fail(p, "expected 'key = value' in the nested block");
    const char *ks = s, *ke = eq, *vs = eq + 1, *ve = e;
    trim_span(&ks, &ke);
    trim_span(&vs, &ve);
    sub_set(p->entry, ks, (size_t)(ke - ks), vs, (size_t)(ve - vs));
    p->nested_seen = true;
    return VPCX_OK;
}

static enum vpcx_status start_section(struct parser *p, const char *name, size_t len)
{
    entry_close(p);
    struct ini_file *ini = p->ini;
    if (len == strlen(DEFAULT_SECTION) && memcmp(name, DEFAULT_SECTION, len) == 0) {
        /* configparser accepts [DEFAULT] more than once; its keys stay unique */
        if (!ini->defaults)
            ini->defaults = xcalloc(1, sizeof(*ini->defaults));
        p->cur = ini->defaults;
        return VPCX_OK;
    }
    struct keyed_array a = file_sections(ini);
    if (index_find(&ini->section_index, &a, name, len) != SIZE_MAX)
        return parse_fail(p, "section given twice");
    ini->sections = grow_array(ini->sections, ini->nsections, sizeof(*ini->sections));
    struct ini_section *sec = &ini->sections[ini->nsections];
    memset(sec, 0, sizeof(*sec));
    sec->name = xstrndup(name, len);
    sec->line = p->lineno;
    a = file_sections(ini);
    index_add(&ini->section_index, &a, ini->nsections++);
    p->cur = sec;
    return VPCX_OK;
}

static enum vpcx_status start_entry(struct parser *p, const char *s, const char *e)
{
    const char *delim = s;
    while (delim < e && *delim != '=' && *delim != ':')
        delim++;
    if (delim == e)
        return parse_fail(p, "expected 'key = value'");
    const char *ks = s, *ke = delim, *vs = delim + 1, *ve = e;
    trim_span(&ks, &ke);
    trim_span(&vs, &ve);
    if (ks == ke)
        return parse_fail(p, "a key is missing before '='");
    entry_close(p);
    char *key = xstrndup(ks, (size_t)(ke - ks));
    for (char *c = key; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    struct ini_section *sec = p->cur;
    if (own_entry(sec, key, (size_t)(ke - ks))) {
        free(key);
        return parse_fail(p, "key given twice in the same section");
    }
    sec->entries = grow_array(sec->entries, sec->nentries, sizeof(*sec->entries));
    struct ini_entry *ent = &sec->entries[sec->nentries];
    memset(ent, 0, sizeof(*ent));
    ent->key = key;
    ent->line = p->lineno;
    struct keyed_array a = section_keys(sec);
    index_add(&sec->index, &a, sec->nentries++);
    p->entry = ent;
    p->first_empty = vs == ve;
    p->nested_seen = false;
    strbuf_add(&p->value, vs, (size_t)(ve - vs));
    return VPCX_OK;
}

/* A header is "[" + at least one character + the last "]" on the line. */
static bool header_span(const char *s, const char *e, const char **ns, size_t *nlen)
{
    if (*s != '[')
        return false;
    const char *close = e - 1;
    while (close > s && *close != ']')
        close--;
    if (close - s < 2)
        return false;
    *ns = s + 1;
    *nlen = (size_t)(close - s - 1);
    return true;
}

static enum vpcx_status parse_line(struct parser *p, const char *line, const char *end)
{
    const char *s = line, *e = end;
    trim_span(&s, &e);
    if (s == e) {
        if (p->entry && !p->first_empty)
            strbuf_addch(&p->value, '\n');
        return VPCX_OK;
    }
    if (*s == '#' || *s == ';')
        return VPCX_OK;
    size_t indent = (size_t)(s - line);
    if (p->cur && p->entry && indent > p->indent)
        return add_continuation(p, s, e);
    p->indent = indent;
    const char *name;
    size_t nlen;
    if (header_span(s, e, &name, &nlen))
        return start_section(p, name, nlen);
    if (!p->cur)
        return parse_fail(p, "a key appears before any [section] header");
    return start_entry(p, s, e);
}

/* Every section looks [DEFAULT] keys up in the one shared section. */
static void link_defaults(struct ini_file *ini)
{
    for (size_t i = 0; ini->defaults && i < ini->nsections; i++)
        ini->sections[i].defaults = ini->defaults;
}

static enum vpcx_status parse_lines(struct parser *p, const char *buf, size_t len)
{
    const char *pos = buf, *end = buf + len;
    while (pos < end) {
        const char *eol = pos;
        while (eol < end && *eol != '\n' && *eol != '\r')
            eol++;
        p->lineno++;
        if (memchr(pos, '\0', (size_t)(eol - pos)))
            return parse_fail(p, "the line contains a NUL byte");
        enum vpcx_status st = parse_line(p, pos, eol);
        if (st != VPCX_OK)
            return st;
        if (eol < end && *eol == '\r' && eol + 1 < end && eol[1] == '\n')
            eol++;
        pos = eol < end ? eol + 1 : end;
    }
    entry_close(p);
    return VPCX_OK;
}

enum vpcx_status ini_parse_buffer(struct ini_file *ini, const char *name, const char *buf,
                                  size_t len, struct vpcx_error *err)
{
    ini_file_finish(ini);
    ini->name = xstrdup(name ? name : "<buffer>");
    if (len > INI_MAX_BYTES)
        return vpcx_error_set(err, VPCX_ERR_TOO_LARGE, "%s is larger than %u bytes", ini->name,
                              INI_MAX_BYTES);
    struct parser p = {.ini = ini, .err = err};
    strbuf_init(&p.value, 0);
    enum vpcx_status st = parse_lines(&p, buf, len);
    entry_close(&p);
    if (st == VPCX_OK)
        link_defaults(ini);
    if (p.value.alloc)
        OPENSSL_cleanse(p.value.buf, p.value.alloc);
    strbuf_release(&p.value);
    if (st != VPCX_OK) {
        char *keep = ini->name;
        ini->name = NULL;
        ini_file_finish(ini);
        ini->name = keep;
    }
    return st;
}

/* Reads at most INI_MAX_BYTES + 1 bytes so an oversized file is detected
 * without trusting st_size (which can change under us). */
enum vpcx_status ini_parse_file(struct ini_file *ini, const char *path, bool *found,
                                struct vpcx_error *err)
{
    ini_file_finish(ini);
    *found = false;
    struct stat stbuf;
    if (stat(path, &stbuf) != 0 || !S_ISREG(stbuf.st_mode))
        return VPCX_OK; /* botocore: not a file means no config */
    if (stbuf.st_size > (off_t)INI_MAX_BYTES)
        return vpcx_error_set(err, VPCX_ERR_TOO_LARGE, "%s is larger than %u bytes", path,
                              INI_MAX_BYTES);
    struct strbuf data = STRBUF_INIT;
    strbuf_init(&data, 0);
    enum vpcx_status st = file_read_all(path, INI_MAX_BYTES, &data, err);
    if (st == VPCX_OK) {
        *found = true;
        st = ini_parse_buffer(ini, path, data.buf, data.len, err);
    }
    if (data.alloc)
        OPENSSL_cleanse(data.buf, data.alloc);
    strbuf_release(&data);
    return st;
}
