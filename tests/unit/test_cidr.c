#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "vpcx/core/strbuf.h"
#include "vpcx/model/cidr.h"

static struct cidr parse_ok(const char *text)
{
    struct cidr c;
    const char *why = NULL;
    bool ok = cidr_parse(text, &c, &why);
    if (!ok) {
        fail_msg("%s: %s", text, why);
    }
    return c;
}

static void assert_round_trip(const char *text, const char *canonical)
{
    struct cidr c = parse_ok(text);
    char *s = cidr_to_string(&c);
    assert_string_equal(s, canonical);
    free(s);
}

static void test_parse_ipv4(void **state)
{
    struct cidr c = parse_ok("10.0.0.0/24");
    assert_int_equal(c.addr.family, IP_FAMILY_V4);
    assert_int_equal(c.prefix, 24);
    assert_int_equal(c.addr.bytes[0], 10);
    assert_int_equal(cidr_host_bits(&c), 8);
    assert_round_trip("10.0.0.0/24", "10.0.0.0/24");
    assert_round_trip("0.0.0.0/0", "0.0.0.0/0");
    assert_round_trip("192.168.1.77/32", "192.168.1.77/32");
}

static void test_parse_ipv6(void **state)
{
    struct cidr c = parse_ok("2600:1f18::/56");
    assert_int_equal(c.addr.family, IP_FAMILY_V6);
    assert_int_equal(c.prefix, 56);
    assert_int_equal(c.addr.bytes[0], 0x26);
    assert_int_equal(c.addr.bytes[1], 0x00);
    assert_int_equal(c.addr.bytes[2], 0x1f);
    assert_round_trip("2600:1F18:0000::/56", "2600:1f18::/56");
    assert_round_trip("2600:1f18:4a2b:c300::/64", "2600:1f18:4a2b:c300::/64");
}

static void test_parse_rejects(void **state)
{
    static const char *bad[] = {
        "10.0.0.0",
        "10.0.0.0/",
        "10.0.0.0/33",
        "10.0.0.0/-1",
        "10.0.0.0/024",
        "10.0.0.0/2a",
        " 10.0.0.0/24",
        "10.0.0.0/24 ",
        "10.0.0.256/24",
        "10.0.0/24",
        "10.0.0.1/24",
        "2600:1f18::/129",
        "2600::1/56",
        "2600:::1/64",
        "/24",
        "010.0.0.0/8",
        "",
        "garbage",
        "10.0.0.0/1000",
        "::/0x",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct cidr c;
        const char *why = NULL;
        if (cidr_parse(bad[i], &c, &why)) {
            fail_msg("accepted %s", bad[i]);
        }
        assert_non_null(why);
    }
    struct cidr c;
    assert_false(cidr_parse(NULL, &c, NULL));
    const char *why = NULL;
    assert_false(cidr_parse("10.0.0.1/24", &c, &why));
    assert_string_equal(why, "host bits set after the prefix");
}

static void test_contains(void **state)
{
    struct cidr c = parse_ok("10.0.3.0/24");
    assert_true(cidr_contains_text(&c, "10.0.3.0"));
    assert_true(cidr_contains_text(&c, "10.0.3.14"));
    assert_true(cidr_contains_text(&c, "10.0.3.255"));
    assert_false(cidr_contains_text(&c, "10.0.4.0"));
    assert_false(cidr_contains_text(&c, "10.0.2.255"));
    assert_false(cidr_contains_text(&c, "not an ip"));
    assert_false(cidr_contains_text(&c, "::ffff:10.0.3.14")); /* other family */

    struct cidr odd = parse_ok("10.0.0.16/28");
    assert_true(cidr_contains_text(&odd, "10.0.0.31"));
    assert_false(cidr_contains_text(&odd, "10.0.0.32"));
    assert_false(cidr_contains_text(&odd, "10.0.0.15"));

    struct cidr v6 = parse_ok("2600:1f18:4a2b:c300::/56");
    assert_true(cidr_contains_text(&v6, "2600:1f18:4a2b:c3ff:ffff:ffff:ffff:ffff"));
    assert_true(cidr_contains_text(&v6, "2600:1f18:4a2b:c301::1"));
    assert_false(cidr_contains_text(&v6, "2600:1f18:4a2b:c400::"));
    assert_false(cidr_contains_text(&v6, "10.0.0.1"));

    struct cidr all = parse_ok("0.0.0.0/0");
    assert_true(cidr_contains_text(&all, "255.255.255.255"));
}

static void test_size(void **state)
{
    struct cidr c = parse_ok("10.0.0.0/16");
    assert_int_equal(cidr_size_u64(&c), 65536);
    c = parse_ok("10.0.0.0/28");
    assert_int_equal(cidr_size_u64(&c), 16);
    c = parse_ok("10.0.0.1/32");
    assert_int_equal(cidr_size_u64(&c), 1);
    c = parse_ok("0.0.0.0/0");
    assert_int_equal(cidr_size_u64(&c), UINT64_C(4294967296));

    c = parse_ok("2600:1f18:4a2b:c300::/64");
    struct cidr_u128 n = cidr_size(&c);
    assert_int_equal(n.hi, 1);
    assert_int_equal(n.lo, 0);
    assert_int_equal(cidr_host_bits(&c), 64);
    assert_true(cidr_size_u64(&c) == UINT64_MAX); /* saturated */

    c = parse_ok("2600:1f18::/56");
    n = cidr_size(&c);
    assert_int_equal(n.hi, 256);
    assert_int_equal(n.lo, 0);

    c = parse_ok("2600:1f18::/120");
    n = cidr_size(&c);
    assert_int_equal(n.hi, 0);
    assert_int_equal(n.lo, 256);
}

static void assert_u128_text(struct cidr_u128 n, const char *expect)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 0);
    cidr_u128_format(n, &sb);
    assert_string_equal(sb.buf, expect);
    strbuf_release(&sb);
}

static void test_u128_format(void **state)
{
    struct cidr_u128 zero = {0, 0};
    struct cidr_u128 two64 = {1, 0};
    struct cidr_u128 two72 = {256, 0};
    struct cidr_u128 max = {UINT64_MAX, UINT64_MAX};
    struct cidr_u128 small = {0, 1234567890123ull};
    assert_u128_text(zero, "0");
    assert_u128_text(two64, "18446744073709551616");
    assert_u128_text(two72, "4722366482869645213696");
    assert_u128_text(max, "340282366920938463463374607431768211455");
    assert_u128_text(small, "1234567890123");
}

static void test_first_last(void **state)
{
    struct cidr c = parse_ok("10.0.3.0/24");
    struct ip_addr last = cidr_last(&c);
    struct ip_addr first = cidr_first(&c);
    char *s = ip_addr_to_string(&last);
    assert_string_equal(s, "10.0.3.255");
    free(s);
    s = ip_addr_to_string(&first);
    assert_string_equal(s, "10.0.3.0");
    free(s);

    c = parse_ok("10.0.0.16/28");
    last = cidr_last(&c);
    s = ip_addr_to_string(&last);
    assert_string_equal(s, "10.0.0.31");
    free(s);

    c = parse_ok("2600:1f18::/56");
    last = cidr_last(&c);
    s = ip_addr_to_string(&last);
    assert_string_equal(s, "2600:1f18:0:ff:ffff:ffff:ffff:ffff");
    free(s);
}

static void test_overlaps_and_compare(void **state)
{
    struct cidr vpc = parse_ok("10.0.0.0/16");
    struct cidr sub = parse_ok("10.0.3.0/24");
    struct cidr other = parse_ok("10.1.0.0/16");
    struct cidr v6 = parse_ok("::/0");
    assert_true(cidr_overlaps(&vpc, &sub));
    assert_true(cidr_overlaps(&sub, &vpc));
    assert_false(cidr_overlaps(&vpc, &other));
    assert_false(cidr_overlaps(&vpc, &v6));

    struct ip_addr a, b, c;
    assert_true(ip_addr_parse("10.0.0.9", &a));
    assert_true(ip_addr_parse("10.0.0.10", &b));
    assert_true(ip_addr_parse("::1", &c));
    assert_true(ip_addr_compare(&a, &b) < 0);
    assert_true(ip_addr_compare(&b, &a) > 0);
    assert_int_equal(ip_addr_compare(&a, &a), 0);
    assert_true(ip_addr_compare(&b, &c) < 0);
    assert_false(ip_addr_parse("10.0.0.09x", &a));
    assert_false(ip_addr_parse(NULL, &a));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ipv4),    cmocka_unit_test(test_parse_ipv6),
        cmocka_unit_test(test_parse_rejects), cmocka_unit_test(test_contains),
        cmocka_unit_test(test_size),          cmocka_unit_test(test_u128_format),
        cmocka_unit_test(test_first_last),    cmocka_unit_test(test_overlaps_and_compare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
