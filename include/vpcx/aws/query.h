/*
 * query: the AWS Query / EC2 protocol request body ("Action=...&Version=...&...").
 *
 * An aws_query is an embedded, ordered list of (key, value) parameters that
 * owns copies of its strings. Pair aws_query_init with aws_query_finish.
 * Parameters keep insertion order in the encoded body (AWS accepts any order);
 * aws_query_add appends even when the key exists, aws_query_set replaces the
 * first parameter with that key (or appends), which is how a paginated call
 * re-sends its request with a new NextToken.
 *
 * Keys are given unencoded ("Filter.1.Name"); lists are 1-based and flat:
 * aws_query_add_list(q, "SubnetId", ...) gives SubnetId.1, SubnetId.2, and
 * STS-style lists work the same with a "Tags.member" prefix.
 *
 * Encoding (aws_uri_encode) is RFC 3986 as SigV4 wants it: every byte except
 * A-Z a-z 0-9 - _ . ~ becomes %XX with uppercase hex, so space is %20 (never
 * '+'), and UTF-8 text is encoded byte by byte.
 */
#ifndef VPCX_AWS_QUERY_H
#define VPCX_AWS_QUERY_H

#include "vpcx/core/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

struct aws_query_param {
    char *key;
    char *value;
};

struct aws_query {
    struct aws_query_param *params; /* owned, in insertion order */
    size_t n, alloc;
    size_t n_filters;   /* Filter.N counter used by aws_query_add_filter */
    struct strbuf body; /* last encoding, rebuilt by aws_query_encode */
};

/* Starts a query with Action and Version (either may be NULL to omit it). */
void aws_query_init(struct aws_query *q, const char *action, const char *version);
void aws_query_finish(struct aws_query *q);

/* Appends key=value. A NULL value is skipped, so optional fields need no test. */
void aws_query_add(struct aws_query *q, const char *key, const char *value);
/* Appends a parameter whose key is formatted, e.g. ("Name", "Tag.%zu.Key", i). */
void aws_query_add_keyf(struct aws_query *q, const char *value, const char *key_fmt, ...)
    __attribute__((format(printf, 3, 4)));
void aws_query_add_bool(struct aws_query *q, const char *key, bool value);
void aws_query_add_int(struct aws_query *q, const char *key, long long value);
/* Appends prefix.1=values[0] ... prefix.n=values[n-1]. */
void aws_query_add_list(struct aws_query *q, const char *prefix, const char *const *values,
                        size_t n);
/*
 * Appends Filter.N.Name=name and Filter.N.Value.M=values[M-1], where N counts
 * the filters added to this query. Returns N.
 */
size_t aws_query_add_filter(struct aws_query *q, const char *name, const char *const *values,
                            size_t n);

/* Replaces the value of the first parameter named key, or appends it. NULL removes. */
void aws_query_set(struct aws_query *q, const char *key, const char *value);
/* Removes every parameter named key; returns how many were removed. */
size_t aws_query_remove(struct aws_query *q, const char *key);
/* The value of the first parameter named key, or NULL. */
const char *aws_query_get(const struct aws_query *q, const char *key);

/*
 * The encoded form body "k=v&k=v" in insertion order. The string belongs to q
 * and stays valid until q changes or is finished.
 */
const char *aws_query_encode(struct aws_query *q);

/* Appends the percent-encoding of s[0..len) to out; '/' is kept unless encode_slash. */
void aws_uri_encode(struct strbuf *out, const char *s, size_t len, bool encode_slash);
/* Appends s[0..len) with valid %XX sequences decoded ('+' stays '+'). */
void aws_uri_decode(struct strbuf *out, const char *s, size_t len);

#endif
