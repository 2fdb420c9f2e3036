/* cidr: strict address and block parsing, and 128-bit-safe block arithmetic. */
#include "vpcx/model/cidr.h"

#include <arpa/inet.h>
#include <string.h>

#include "vpcx/core/xalloc.h"

bool ip_addr_parse(const char *text, struct ip_addr *out)
{
    struct ip_addr a;
    memset(&a, 0, sizeof(a));
    if (text == NULL) {
        return false;
    }
    if (strchr(text, ':') != NULL) {
        a.family = IP_FAMILY_V6;
        if (inet_pton(AF_INET6, text, a.bytes) != 1) {
            return false;
        }
    } else {
        a.family = IP_FAMILY_V4;
        if (inet_pton(AF_INET, text, a.bytes) != 1) {
            return false;
        }
    }
    *out = a;
    return true;
}

unsigned ip_addr_bits(const struct ip_addr *addr)
{
    return addr->family == IP_FAMILY_V6 ? 128 : 32;
}

int ip_addr_compare(const struct ip_addr *a, const struct ip_addr *b)
{
    if (a->family != b->family) {
        return a->family == IP_FAMILY_V4 ? -1 : 1;
    }
    return memcmp(a->bytes, b->bytes, ip_addr_bits(a) / 8);
}

void ip_addr_format(const struct ip_addr *addr, struct strbuf *out)
{
    char text[INET6_ADDRSTRLEN];
    int af = addr->family == IP_FAMILY_V6 ? AF_INET6 : AF_INET;
    if (inet_ntop(af, addr->bytes, text, sizeof(text)) != NULL) {
        strbuf_addstr(out, text);
    }
}

char *ip_addr_to_string(const struct ip_addr *addr)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 48);
    ip_addr_format(addr, &sb);
    return strbuf_detach(&sb, NULL);
}

/* Decimal prefix length: digits only, no sign, no leading zero, at most max. */
static bool parse_prefix(const char *s, unsigned max, unsigned *out)
{
    unsigned v = 0;
    size_t n = strlen(s);
    if (n == 0 || n > 3 || (n > 1 && s[0] == '0')) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > max) {
        return false;
    }
    *out = v;
    return true;
}

/* True when no bit at or after position prefix is set. */
static bool host_bits_zero(const struct ip_addr *a, unsigned prefix)
{
    unsigned bits = ip_addr_bits(a);
    for (unsigned i = prefix; i < bits; i++) {
        if (a->bytes[i / 8] & (0x80u >> (i % 8))) {
            return false;
        }
    }
    return true;
}

static bool fail(const char **why, const char *reason)
{
    if (why != NULL) {
        *why = reason;
    }
    return false;
}

bool cidr_parse(const char *text, struct cidr *out, const char **why)
{
    char addr_text[INET6_ADDRSTRLEN];
    struct cidr c;
    if (text == NULL) {
        return fail(why, "no CIDR block");
    }
    const char *slash = strchr(text, '/');
    if (slash == NULL) {
        return fail(why, "missing /prefix");
    }
    size_t alen = (size_t)(slash - text);
    if (alen == 0 || alen >= sizeof(addr_text)) {
        return fail(why, "invalid address");
    }
    memcpy(addr_text, text, alen);
    addr_text[alen] = '\0';
    if (!ip_addr_parse(addr_text, &c.addr)) {
        return fail(why, "invalid address");
    }
    if (!parse_prefix(slash + 1, ip_addr_bits(&c.addr), &c.prefix)) {
        return fail(why, "prefix out of range or not a number");
    }
    if (!host_bits_zero(&c.addr, c.prefix)) {
        return fail(why, "host bits set after the prefix");
    }
    *out = c;
    return true;
}

/* True when a and b agree on their first prefix bits. */
static bool same_prefix(const struct ip_addr *a, const struct ip_addr *b, unsigned prefix)
{
    unsigned full = prefix / 8;
    unsigned rest = prefix % 8;
    if (memcmp(a->bytes, b->bytes, full) != 0) {
        return false;
    }
    if (rest == 0) {
        return true;
    }
    uint8_t mask = (uint8_t)(0xffu << (8 - rest));
    return (a->bytes[full] & mask) == (b->bytes[full] & mask);
}

bool cidr_contains(const struct cidr *block, const struct ip_addr *addr)
{
    if (block->addr.family != addr->family) {
        return false;
    }
    return same_prefix(&block->addr, addr, block->prefix);
}

bool cidr_contains_text(const struct cidr *block, const char *addr_text)
{
    struct ip_addr a;
    return ip_addr_parse(addr_text, &a) && cidr_contains(block, &a);
}

bool cidr_overlaps(const struct cidr *a, const struct cidr *b)
{
    if (a->addr.family != b->addr.family) {
        return false;
    }
    unsigned p = a->prefix < b->prefix ? a->prefix : b->prefix;
    return same_prefix(&a->addr, &b->addr, p);
}

unsigned cidr_host_bits(const struct cidr *block)
{
    return ip_addr_bits(&block->addr) - block->prefix;
}

struct cidr_u128 cidr_size(const struct cidr *block)
{
    struct cidr_u128 n = {0, 0};
    unsigned hb = cidr_host_bits(block);
    if (hb == 128) {
        /* 2^128 does not fit: the largest value is the honest saturation. */
        n.hi = UINT64_MAX;
        n.lo = UINT64_MAX;
    } else if (hb >= 64) {
        n.hi = (uint64_t)1 << (hb - 64);
    } else {
        n.lo = (uint64_t)1 << hb;
    }
    return n;
}

uint64_t cidr_size_u64(const struct cidr *block)
{
    unsigned hb = cidr_host_bits(block);
    return hb >= 64 ? UINT64_MAX : (uint64_t)1 << hb;
}

struct ip_addr cidr_first(const struct cidr *block)
{
    return block->addr;
}

struct ip_addr cidr_last(const struct cidr *block)
{
    struct ip_addr a = block->addr;
    unsigned bits = ip_addr_bits(&a);
    for (unsigned i = block->prefix; i < bits; i++) {
        a.bytes[i / 8] |= (uint8_t)(0x80u >> (i % 8));
    }
    return a;
}

void cidr_format(const struct cidr *block, struct strbuf *out)
{
    ip_addr_format(&block->addr, out);
    strbuf_addf(out, "/%u", block->prefix);
}

char *cidr_to_string(const struct cidr *block)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 52);
    cidr_format(block, &sb);
    return strbuf_detach(&sb, NULL);
}

/* Divides n by 10 in place (32 bits at a time) and returns the remainder. */
static unsigned u128_divmod10(struct cidr_u128 *n)
{
    uint32_t parts[4] = {(uint32_t)(n->hi >> 32), (uint32_t)n->hi, (uint32_t)(n->lo >> 32),
                         (uint32_t)n->lo};
    uint64_t rem = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t cur = (rem << 32) | parts[i];
        parts[i] = (uint32_t)(cur / 10);
        rem = cur % 10;
    }
    n->hi = ((uint64_t)parts[0] << 32) | parts[1];
    n->lo = ((uint64_t)parts[2] << 32) | parts[3];
    return (unsigned)rem;
}

void cidr_u128_format(struct cidr_u128 n, struct strbuf *out)
{
    char digits[40];
    size_t len = 0;
    do {
        digits[len++] = (char)('0' + u128_divmod10(&n));
    } while ((n.hi != 0 || n.lo != 0) && len < sizeof(digits));
    while (len > 0) {
        strbuf_addch(out, digits[--len]);
    }
}
