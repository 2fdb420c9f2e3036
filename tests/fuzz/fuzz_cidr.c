/*
 * fuzz_cidr: IPv4/IPv6 address and CIDR parsing (model/cidr.h).
 *
 * Input: up to two lines, each tried as an address and as a block. Whatever parses must
 * print in a canonical form that parses back to the same value, and the arithmetic on it
 * must agree with itself (the first and last addresses are inside the block).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vpcx/core/xalloc.h"
#include "vpcx/model/cidr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_addr(const char *text)
{
    struct ip_addr a, b;
    if (!ip_addr_parse(text, &a))
        return;
    char *canon = ip_addr_to_string(&a);
    if (!ip_addr_parse(canon, &b) || ip_addr_compare(&a, &b) != 0)
        abort();
    free(canon);
}

static void check_block(const struct cidr *c)
{
    char *canon = cidr_to_string(c);
    struct cidr back;
    const char *why = NULL;
    if (!cidr_parse(canon, &back, &why))
        abort();
    if (back.prefix != c->prefix || ip_addr_compare(&back.addr, &c->addr) != 0)
        abort();
    free(canon);
    if (cidr_host_bits(c) + c->prefix != ip_addr_bits(&c->addr))
        abort();
    struct ip_addr first = cidr_first(c), last = cidr_last(c);
    if (!cidr_contains(c, &first) || !cidr_contains(c, &last))
        abort();
    if (ip_addr_compare(&first, &last) > 0 || !cidr_overlaps(c, c))
        abort();
    struct strbuf sb = STRBUF_INIT;
    cidr_u128_format(cidr_size(c), &sb);
    (void)cidr_size_u64(c);
    strbuf_release(&sb);
}

static bool parse_block(const char *text, struct cidr *out)
{
    const char *why = NULL;
    if (cidr_parse(text, out, &why))
        return true;
    if (!why)
        abort(); /* a refusal always says why */
    return false;
}

/* Overlap is symmetric, and a block that holds the other's first address overlaps it. */
static void check_pair(const struct cidr *a, const struct cidr *b)
{
    bool ab = cidr_overlaps(a, b);
    if (ab != cidr_overlaps(b, a))
        abort();
    struct ip_addr bf = cidr_first(b);
    if (cidr_contains(a, &bf) && !ab)
        abort();
    char *text = ip_addr_to_string(&bf);
    if (cidr_contains_text(a, text) != cidr_contains(a, &bf))
        abort();
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xstrndup((const char *)data, size); /* stops at an embedded NUL */
    char *second = strchr(text, '\n');
    if (second)
        *second++ = '\0';
    struct cidr a, b;
    bool have_a = parse_block(text, &a);
    bool have_b = second && parse_block(second, &b);
    check_addr(text);
    if (have_a)
        check_block(&a);
    if (second)
        check_addr(second);
    if (have_b)
        check_block(&b);
    if (have_a && have_b)
        check_pair(&a, &b);
    if (have_a && second)
        (void)cidr_contains_text(&a, second);
    free(text);
    return 0;
}
