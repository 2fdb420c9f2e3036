/* Shortening a set of names so that no two look alike. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "vpcx/ui/shorten.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void check_set(const char *const *names, size_t n, int width, const char *const *want)
{
    char **out = calloc(n, sizeof(*out));
    shorten_names(names, n, width, "~", out);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(out[i], want[i]);
        assert_true(strlen(out[i]) <= (size_t)width);
    }
    for (size_t i = 0; i < n; i++)
        free(out[i]);
    free(out);
}

static void test_fits_unchanged(void **state)
{
    (void)state;
    const char *names[] = {"prod-app-a", "b", ""};
    const char *want[] = {"prod-app-a", "b", ""};
    check_set(names, N(names), 10, want);
}

static void test_shared_prefix_keeps_the_end(void **state)
{
    (void)state;
    /* A plain cut would give prod-a~ three times. */
    const char *names[] = {"prod-app-a", "prod-app-b", "prod-app-c", "prod-endpoints"};
    const char *want[] = {"prod-~a", "prod-~b", "prod-~c", "prod-e~"};
    check_set(names, N(names), 7, want);
}

static void test_distinct_heads_cut_plainly(void **state)
{
    (void)state;
    const char *names[] = {"secretsmanager", "ssmmessages", "ec2messages"};
    const char *want[] = {"secre~", "ssmme~", "ec2me~"};
    check_set(names, N(names), 6, want);
}

static void test_tail_grows_until_unique(void **state)
{
    (void)state;
    /* "xx~a" would match xxxx-ya and xxxx-za alike: their tails need two letters. */
    const char *names[] = {"xxxx-ya", "xxxx-za", "xxxx-yb"};
    const char *want[] = {"x~ya", "x~za", "xx~b"};
    check_set(names, N(names), 4, want);
}

static void test_every_short_form_is_unique(void **state)
{
    (void)state;
    const char *names[] = {"prod-app-a",      "prod-app-b",      "prod-data-b",
                           "prod-endpoints",  "staging-app-a",   "staging-app-b",
                           "vpce-0123456789", "vpce-0123456780", "vpce-01234abcde"};
    for (int w = 6; w <= 14; w++) {
        char *out[N(names)];
        shorten_names(names, N(names), w, "~", out);
        for (size_t i = 0; i < N(names); i++) {
            assert_true(strlen(out[i]) <= (size_t)w);
            for (size_t j = 0; j < i; j++)
                assert_string_not_equal(out[i], out[j]);
        }
        for (size_t i = 0; i < N(names); i++)
            free(out[i]);
    }
}

static void test_middle_only_difference_falls_back(void **state)
{
    (void)state;
    /* Nothing within 4 cells tells them apart: the plain cut, never longer than width. */
    const char *names[] = {"aaaXaaa", "aaaYaaa"};
    const char *want[] = {"aaa~", "aaa~"};
    check_set(names, N(names), 4, want);
}

static void test_utf8_and_edges(void **state)
{
    (void)state;
    const char *names[] = {"caf\xc3\xa9-prod-1", "caf\xc3\xa9-prod-2", NULL};
    char *out[3];
    shorten_names(names, 3, 6, "\xe2\x80\xa6", out);
    /* Six code points: the cut keeps whole characters, the tail tells them apart. */
    assert_string_equal(out[0], "caf\xc3\xa9\xe2\x80\xa6"
                                "1");
    assert_string_equal(out[1], "caf\xc3\xa9\xe2\x80\xa6"
                                "2");
    assert_string_equal(out[2], "");
    for (int i = 0; i < 3; i++)
        free(out[i]);
    char *one = shorten_one(names, 2, 0, 1, "~");
    assert_string_equal(one, "~");
    free(one);
    one = shorten_one(names, 2, 0, 0, "~");
    assert_string_equal(one, "");
    free(one);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fits_unchanged),
        cmocka_unit_test(test_shared_prefix_keeps_the_end),
        cmocka_unit_test(test_distinct_heads_cut_plainly),
        cmocka_unit_test(test_tail_grows_until_unique),
        cmocka_unit_test(test_every_short_form_is_unique),
        cmocka_unit_test(test_middle_only_difference_falls_back),
        cmocka_unit_test(test_utf8_and_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
