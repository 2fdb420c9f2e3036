/*
 * The tour's data file: it parses, every step fits its box on an 80x24
 * screen (four lines of 76 columns), every resource type has an :explain
 * entry with a page to read next, and malformed data is refused by line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "vpcx/model/inventory.h"
#include "vpcx/ui/tourdata.h"

static void test_builtin_parses_and_fits(void **state)
{
    (void)state;
    struct vpcx_error err;
    vpcx_error_init(&err);
    const struct tour_data *d = tour_data_builtin(&err);
    assert_non_null(d);
    assert_in_range(d->n_steps, 10, 14);
    char lines[8][256];
    for (size_t i = 0; i < d->n_steps; i++) {
        const struct tour_step *s = &d->steps[i];
        size_t n = tour_wrap(s->text, 76, lines, 8);
        if (n > 4)
            fail_msg("step %s needs %zu lines at 76 columns (4 at most)", s->name, n);
        if (strlen(s->title) > 60)
            fail_msg("step %s: title longer than 60 columns", s->name);
    }
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        const char *name = inventory_type_name((enum inv_type)t);
        const struct tour_explain *e = tour_explain_find(d, name);
        if (!e || !e->doc || !e->text)
            fail_msg(":explain has no entry with a doc page for %s", name);
    }
    assert_non_null(tour_explain_find(d, "vpc endpoint.private dns"));
    assert_null(tour_explain_find(d, "no such topic"));
}

static void expect_refused(const char *text, const char *why)
{
    struct tour_data d;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(tour_data_parse(text, strlen(text), &d, &err), VPCX_ERR_PARSE);
    if (!strstr(err.message, why))
        fail_msg("expected \"%s\" in \"%s\"", why, err.message);
    assert_int_equal(d.n_steps, 0);
    vpcx_error_finish(&err);
}

static void test_parse(void **state)
{
    (void)state;
    const char *ok = "# comment\n"
                     "@step one\ntitle: First\ntarget: root\nview: matrix\nneeds: view metrics\n"
                     "Some text\n  continued.\n\n"
                     "@explain subnet\ndoc: Subnet CIDR blocks\nA range. Five kept.\n";
    struct tour_data d;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(tour_data_parse(ok, strlen(ok), &d, &err), VPCX_OK);
    assert_int_equal(d.n_steps, 1);
    assert_string_equal(d.steps[0].title, "First");
    assert_string_equal(d.steps[0].view, "matrix");
    assert_string_equal(d.steps[0].needs_view, "metrics");
    assert_string_equal(d.steps[0].text, "Some text continued.");
    assert_string_equal(d.explain[0].doc, "Subnet CIDR blocks");
    assert_string_equal(d.explain[0].text, "A range. Five kept.");
    tour_data_finish(&d);

    expect_refused("text first\n", "line 1: text outside a block");
    expect_refused("@section x\n", "unknown block");
    expect_refused("@step a\ntitle: t\ntarget: root\n@step b\ntitle: t\ntarget: root\nx\n",
                   "line 4: the block before has no text");
    expect_refused("@step a\ntarget: root\ntext\n", "step a needs a title and a target");
    expect_refused("@step a\ntitle: t\ntarget: root\nneeds: metrics\nx\n", "needs: takes");
}

static void test_wrap(void **state)
{
    (void)state;
    char lines[4][256];
    assert_int_equal(tour_wrap("aaa bbb ccc", 7, lines, 4), 2);
    assert_string_equal(lines[0], "aaa bbb");
    assert_string_equal(lines[1], "ccc");
    assert_int_equal(tour_wrap("abcdefghij", 4, lines, 4), 3); /* a long word is cut */
    assert_string_equal(lines[2], "ij");
    assert_int_equal(tour_wrap("", 10, lines, 4), 0);
    assert_int_equal(tour_wrap("a b c d e f", 1, lines, 2), 6); /* counted past max */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_parses_and_fits),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
