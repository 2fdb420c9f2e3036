/*
 * cidr: IPv4 and IPv6 addresses and CIDR blocks, parsed strictly, with the
 * arithmetic vpcx needs (containment, size, first/last address, overlap).
 *
 * Pure functions on small value types; nothing allocates except the *_to_string
 * helpers (caller frees). Parsing is strict: "10.0.0.0/24" and "2600:1f18::/56"
 * are accepted; a missing or out-of-range prefix, leading zeros in the prefix,
 * surrounding spaces, or host bits set after the prefix are refused, and the
 * caller gets a short static reason string.
 *
 * Sizes: an IPv6 /64 holds 2^64 addresses and a /0 holds 2^128, so sizes are
 * returned as struct cidr_u128 or saturated into a uint64_t, or as the
 * exponent cidr_host_bits() (the size is 2^host_bits).
 */
#ifndef VPCX_MODEL_CIDR_H
#define VPCX_MODEL_CIDR_H

#include <stdbool.h>
#include <stdint.h>

#include "vpcx/core/strbuf.h"

enum ip_family {
    IP_FAMILY_V4 = 4,
    IP_FAMILY_V6 = 6,
};

/* An address in network byte order; IPv4 uses bytes[0..3], the rest are zero. */
struct ip_addr {
    enum ip_family family;
    uint8_t bytes[16];
};

/* A block: addr is the network address (host bits zero), prefix 0..32 or 0..128. */
struct cidr {
    struct ip_addr addr;
    unsigned prefix;
};

/* An unsigned 128-bit count. */
struct cidr_u128 {
    uint64_t hi;
    uint64_t lo;
};

/* Parses a dotted-quad IPv4 or an RFC 4291 IPv6 text address. */
bool ip_addr_parse(const char *text, struct ip_addr *out);
/* Address width in bits: 32 or 128. */
unsigned ip_addr_bits(const struct ip_addr *addr);
/* Orders IPv4 before IPv6, then by numeric value (<0, 0, >0). */
int ip_addr_compare(const struct ip_addr *a, const struct ip_addr *b);
/* Appends the canonical text form (IPv6 compressed, lowercase). */
void ip_addr_format(const struct ip_addr *addr, struct strbuf *out);
/* Returns the canonical text form; caller frees. */
char *ip_addr_to_string(const struct ip_addr *addr);

/*
 * Parses "ADDR/PREFIX". On failure returns false and, when why is not NULL,
 * points *why at a static message such as "prefix out of range".
 */
bool cidr_parse(const char *text, struct cidr *out, const char **why);
/* True when addr is inside block (an address of another family never is). */
bool cidr_contains(const struct cidr *block, const struct ip_addr *addr);
/* cidr_contains() for a text address; false when the text does not parse. */
bool cidr_contains_text(const struct cidr *block, const char *addr_text);
/* True when the two blocks share at least one address. */
bool cidr_overlaps(const struct cidr *a, const struct cidr *b);
/* Number of host bits: 32 - prefix or 128 - prefix. The size is 2^host_bits. */
unsigned cidr_host_bits(const struct cidr *block);
/* Number of addresses, exact except ::/0 (2^128), reported as 2^128 - 1. */
struct cidr_u128 cidr_size(const struct cidr *block);
/* Number of addresses, saturated at UINT64_MAX (exact for every IPv4 block). */
uint64_t cidr_size_u64(const struct cidr *block);
/* First address (the network address). */
struct ip_addr cidr_first(const struct cidr *block);
/* Last address: the IPv4 broadcast address, or the last IPv6 address. */
struct ip_addr cidr_last(const struct cidr *block);
/* Appends "ADDR/PREFIX". */
void cidr_format(const struct cidr *block, struct strbuf *out);
/* Returns "ADDR/PREFIX"; caller frees. */
char *cidr_to_string(const struct cidr *block);

/* Appends the decimal value of n (up to 39 digits). */
void cidr_u128_format(struct cidr_u128 n, struct strbuf *out);

#endif
