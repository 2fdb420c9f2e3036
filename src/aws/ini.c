#include "vpcx/aws/ini.h"

#include "vpcx/core/fileio.h"

#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <openssl/crypto.h>

#include <ctype.h>
#include <errno.h>
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

static bool key_equal(const char *a, const char *b)
{
    key_compares++;
    return strcmp(a, b) == 0;
}

static bool key_equal_n(const char *a, const char *b, size_t blen)
{
    key_compares++;
    return strlen(a) == blen && memcmp(a, b, blen) == 0;
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
}

static void section_finish(struct ini_section *sec)
{
    for (size_t i = 0; i < sec->nentries; i++)
        entry_finish(&sec->entries[i]);
    free(sec->entries);
    free(sec->name);
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
    ini_file_init(ini);
}

const struct ini_section *ini_file_section(const struct ini_file *ini, const char *name)
{
    for (size_t i = 0; ini && i < ini->nsections; i++)
        if (key_equal(ini->sections[i].name, name))
            return &ini->sections[i];
    return NULL;
}

const struct ini_entry *ini_section_entry(const struct ini_section *sec, const char *key)
{
    for (size_t i = 0; sec && i < sec->nentries; i++)
        if (key_equal(sec->entries[i].key, key))
            return &sec->entries[i];
    return NULL;
}

const char *ini_section_get(const struct ini_section *sec, const char *key)
{
    const struct ini_entry *e = ini_section_entry(sec, key);
    return e ? e->value : NULL;
}

const char *ini_entry_sub(const struct ini_entry *e, const char *subkey)
{
    for (size_t i = 0; e && i < e->nsub; i++)
        if (key_equal(e->sub[i].key, subkey))
            return e->sub[i].value;
    return NULL;
}

/* Parser state: the section being filled and the key whose value may still
 * continue on indented lines. */
struct parser {
    struct ini_file *ini;
    struct ini_section defaults;
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
    for (size_t i = 0; i < e->nsub; i++) {
        if (key_equal_n(e->sub[i].key, k, klen)) {
            free_wiped(e->sub[i].value);
            e->sub[i].value = xstrndup(v, vlen);
            return;
        }
    }
    e->sub = grow_array(e->sub, e->nsub, sizeof(*e->sub));
    e->sub[e->nsub].key = xstrndup(k, klen);
    e->sub[e->nsub].value = xstrndup(v, vlen);
    e->nsub++;
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
    if (len == strlen(DEFAULT_SECTION) && memcmp(name, DEFAULT_SECTION, len) == 0) {
        p->cur = &p->defaults;
        return VPCX_OK;
    }
    struct ini_file *ini = p->ini;
    for (size_t i = 0; i < ini->nsections; i++) {
        if (key_equal_n(ini->sections[i].name, name, len))
            return parse_fail(p, "section given twice");
    }
    ini->sections = grow_array(ini->sections, ini->nsections, sizeof(*ini->sections));
    struct ini_section *sec = &ini->sections[ini->nsections++];
    memset(sec, 0, sizeof(*sec));
    sec->name = xstrndup(name, len);
    sec->line = p->lineno;
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
    if (ini_section_entry(p->cur, key)) {
        free(key);
        return parse_fail(p, "key given twice in the same section");
    }
    struct ini_section *sec = p->cur;
    sec->entries = grow_array(sec->entries, sec->nentries, sizeof(*sec->entries));
    struct ini_entry *ent = &sec->entries[sec->nentries++];
    memset(ent, 0, sizeof(*ent));
    ent->key = key;
    ent->line = p->lineno;
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

static struct ini_entry entry_copy(const struct ini_entry *src)
{
    struct ini_entry e = *src;
    e.key = xstrdup(src->key);
    e.value = src->value ? xstrdup(src->value) : NULL;
    e.sub = src->nsub ? xreallocarray(NULL, src->nsub, sizeof(*e.sub)) : NULL;
    for (size_t i = 0; i < src->nsub; i++) {
        e.sub[i].key = xstrdup(src->sub[i].key);
        e.sub[i].value = xstrdup(src->sub[i].value);
    }
    return e;
}

/* [DEFAULT] keys are inherited by every section that lacks them. */
static void apply_defaults(struct parser *p)
{
    for (size_t i = 0; i < p->ini->nsections; i++) {
        struct ini_section *sec = &p->ini->sections[i];
        for (size_t j = 0; j < p->defaults.nentries; j++) {
            const struct ini_entry *d = &p->defaults.entries[j];
            if (ini_section_entry(sec, d->key))
                continue;
            sec->entries = grow_array(sec->entries, sec->nentries, sizeof(*sec->entries));
            sec->entries[sec->nentries++] = entry_copy(d);
        }
    }
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
        apply_defaults(&p);
    if (p.value.alloc)
        OPENSSL_cleanse(p.value.buf, p.value.alloc);
    strbuf_release(&p.value);
    section_finish(&p.defaults);
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
