#include "vpcx/aws/query.h"

#include "vpcx/core/xalloc.h"

#include <openssl/crypto.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool uri_is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

void aws_uri_encode(struct strbuf *out, const char *s, size_t len, bool encode_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    strbuf_grow(out, len);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (uri_is_unreserved(c) || (c == '/' && !encode_slash)) {
            strbuf_addch(out, (char)c);
            continue;
        }
        char esc[3] = {'%', hex[c >> 4], hex[c & 0x0f]};
        strbuf_add(out, esc, sizeof(esc));
    }
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void aws_uri_decode(struct strbuf *out, const char *s, size_t len)
{
    strbuf_grow(out, len);
    for (size_t i = 0; i < len; i++) {
        int hi = -1;
        int lo = -1;
        if (s[i] == '%' && len - i >= 3) {
            hi = hex_value(s[i + 1]);
            lo = hex_value(s[i + 2]);
        }
        if (hi < 0 || lo < 0) {
            strbuf_addch(out, s[i]);
            continue;
        }
        strbuf_addch(out, (char)(hi << 4 | lo));
        i += 2;
    }
}

void aws_query_init(struct aws_query *q, const char *action, const char *version)
{
    q->params = NULL;
    q->n = 0;
    q->alloc = 0;
    q->n_filters = 0;
    strbuf_init(&q->body, 0);
    aws_query_add(q, "Action", action);
    aws_query_add(q, "Version", version);
}

void aws_query_finish(struct aws_query *q)
{
    /* values may be secrets (WebIdentityToken) */
    for (size_t i = 0; i < q->n; i++) {
        free(q->params[i].key);
        if (q->params[i].value)
            OPENSSL_cleanse(q->params[i].value, strlen(q->params[i].value));
        free(q->params[i].value);
    }
    if (q->body.alloc)
        OPENSSL_cleanse(q->body.buf, q->body.alloc);
    free(q->params);
    q->params = NULL;
    q->n = 0;
    q->alloc = 0;
    q->n_filters = 0;
    strbuf_release(&q->body);
}

/* Takes ownership of key. */
static void query_append_owned_key(struct aws_query *q, char *key, const char *value)
{
    if (q->n == q->alloc) {
        q->alloc = q->alloc ? q->alloc * 2 : 16;
        q->params = xreallocarray(q->params, q->alloc, sizeof(*q->params));
    }
    q->params[q->n].key = key;
    q->params[q->n].value = xstrdup(value);
    q->n++;
}

void aws_query_add(struct aws_query *q, const char *key, const char *value)
{
    if (!key || !value)
        return;
    query_append_owned_key(q, xstrdup(key), value);
}

void aws_query_add_keyf(struct aws_query *q, const char *value, const char *key_fmt, ...)
{
    if (!value)
        return;
    va_list ap;
    va_start(ap, key_fmt);
    char *key = xvasprintf(key_fmt, ap);
    va_end(ap);
    query_append_owned_key(q, key, value);
}

void aws_query_add_bool(struct aws_query *q, const char *key, bool value)
{
    aws_query_add(q, key, value ? "true" : "false");
}

void aws_query_add_int(struct aws_query *q, const char *key, long long value)
{
    char *text = xasprintf("%lld", value);
    aws_query_add(q, key, text);
    free(text);
}

void aws_query_add_list(struct aws_query *q, const char *prefix, const char *const *values,
                        size_t n)
{
    for (size_t i = 0; i < n; i++)
        aws_query_add_keyf(q, values[i], "%s.%zu", prefix, i + 1);
}

size_t aws_query_add_filter(struct aws_query *q, const char *name, const char *const *values,
                            size_t n)
{
    size_t f = ++q->n_filters;
    aws_query_add_keyf(q, name, "Filter.%zu.Name", f);
    for (size_t i = 0; i < n; i++)
        aws_query_add_keyf(q, values[i], "Filter.%zu.Value.%zu", f, i + 1);
    return f;
}

static struct aws_query_param *query_find(const struct aws_query *q, const char *key)
{
    for (size_t i = 0; i < q->n; i++) {
        if (strcmp(q->params[i].key, key) == 0)
            return &q->params[i];
    }
    return NULL;
}

void aws_query_set(struct aws_query *q, const char *key, const char *value)
{
    if (!value) {
        aws_query_remove(q, key);
        return;
    }
    struct aws_query_param *p = query_find(q, key);
    if (!p) {
        aws_query_add(q, key, value);
        return;
    }
    char *copy = xstrdup(value);
    free(p->value);
    p->value = copy;
}

size_t aws_query_remove(struct aws_query *q, const char *key)
{
    size_t kept = 0;
    size_t removed = 0;
    for (size_t i = 0; i < q->n; i++) {
        if (strcmp(q->params[i].key, key) == 0) {
            free(q->params[i].key);
            free(q->params[i].value);
            removed++;
            continue;
        }
        q->params[kept++] = q->params[i];
    }
    q->n = kept;
    return removed;
}

const char *aws_query_get(const struct aws_query *q, const char *key)
{
    const struct aws_query_param *p = query_find(q, key);
    return p ? p->value : NULL;
}

const char *aws_query_encode(struct aws_query *q)
{
    strbuf_reset(&q->body);
    for (size_t i = 0; i < q->n; i++) {
        if (i)
            strbuf_addch(&q->body, '&');
        aws_uri_encode(&q->body, q->params[i].key, strlen(q->params[i].key), true);
        strbuf_addch(&q->body, '=');
        aws_uri_encode(&q->body, q->params[i].value, strlen(q->params[i].value), true);
    }
    return strbuf_str(&q->body);
}
