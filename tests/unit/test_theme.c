/* Theme files: parsing, errors that name the line, colour fallback, shipped themes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vpcx/ui/theme.h"

static enum vpcx_status parse(struct theme *t, const char *text, struct vpcx_error *e)
{
    vpcx_error_finish(e);
    vpcx_error_init(e);
    return theme_parse(t, "test", text, strlen(text), e);
}

static void test_default_and_parse(void **state)
{
    (void)state;
    struct theme t;
    struct vpcx_error e;
    vpcx_error_init(&e);
    theme_init_default(&t);
    assert_string_equal(t.name, "dark");
    assert_int_equal(t.style[ROLE_SELECTED].fg, 16);
    assert_int_equal(t.style[ROLE_SELECTED].bg, 117);
    assert_true(t.style[ROLE_SELECTED].attrs & THEME_BOLD);
    assert_int_equal(parse(&t,
                           "# comment\n\nwarn = yellow default bold underline\r\n"
                           "bar-used=208\n  id = bright-blue black  # trailing\n",
                           &e),
                     VPCX_OK);
    assert_int_equal(t.style[ROLE_WARN].fg, 3);
    assert_int_equal(t.style[ROLE_WARN].bg, -1);
    assert_int_equal(t.style[ROLE_WARN].attrs, THEME_BOLD | THEME_UNDERLINE);
    assert_int_equal(t.style[ROLE_BAR_USED].fg, 208);
    assert_int_equal(t.style[ROLE_BAR_USED].bg, -1);
    assert_int_equal(t.style[ROLE_ID].fg, 12);
    assert_int_equal(t.style[ROLE_ID].bg, 0);
    /* Attributes alone (a monochrome theme). */
    assert_int_equal(parse(&t, "selected = reverse\n", &e), VPCX_OK);
    assert_int_equal(t.style[ROLE_SELECTED].fg, -1);
    assert_int_equal(t.style[ROLE_SELECTED].attrs, THEME_REVERSE);
    vpcx_error_finish(&e);
    theme_finish(&t);
}

static void test_errors_name_line_and_word(void **state)
{
    (void)state;
    struct theme t;
    struct vpcx_error e;
    vpcx_error_init(&e);
    theme_init_default(&t);
    short before = t.style[ROLE_OK].fg;
    static const char *const bad[][2] = {
        {"ok = red\nwarn = purple\n", "line 2"},
        {"nosuch = red\n", "nosuch"},
        {"ok = 256\n", "256"},
        {"ok red\n", "line 1"},
        {"ok =\n", "no style"},
        {"ok = bright-9\n", "bright-9"},
        {"a b = red\n", "one role"},
        {"ok = red blue green\n", "green"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse(&t, bad[i][0], &e), VPCX_ERR_PARSE);
        assert_non_null(strstr(e.message, bad[i][1]));
    }
    /* A failed parse changes nothing, not even the lines before the error. */
    assert_int_equal(t.style[ROLE_OK].fg, before);
    vpcx_error_finish(&e);
    theme_finish(&t);
}

static void test_color_fallback(void **state)
{
    (void)state;
    short c;
    assert_true(theme_parse_color("default", &c) && c == -1);
    assert_true(theme_parse_color("white", &c) && c == 7);
    assert_true(theme_parse_color("bright-white", &c) && c == 15);
    assert_false(theme_parse_color("", &c));
    assert_false(theme_parse_color("-3", &c));
    assert_int_equal(theme_color_for(208, 256), 208);
    assert_int_equal(theme_color_for(-1, 8), -1);
    assert_int_equal(theme_color_for(196, 16), 9); /* pure red -> bright red */
    assert_int_equal(theme_color_for(196, 8), 1);
    assert_int_equal(theme_color_for(16, 16), 0);   /* cube black */
    assert_int_equal(theme_color_for(231, 16), 15); /* cube white */
    assert_int_equal(theme_color_for(12, 8), 4);
}

static void test_shipped_themes_load(void **state)
{
    (void)state;
    const char *src = getenv("VPCX_SRCDIR");
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/themes", src ? src : ".");
    setenv("VPCX_THEMES_DIR", dir, 1);
    setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
    static const char *const names[] = {"dark", "light", "mono", "high-contrast"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct theme t;
        struct vpcx_error e;
        vpcx_error_init(&e);
        assert_int_equal(theme_load(&t, names[i], &e), VPCX_OK);
        assert_string_equal(t.name, names[i]);
        vpcx_error_finish(&e);
        theme_finish(&t);
    }
    struct theme t;
    struct vpcx_error e;
    vpcx_error_init(&e);
    assert_int_equal(theme_load(&t, "../etc/passwd", &e), VPCX_ERR_NOT_FOUND);
    theme_finish(&t); /* theme_load initialises t: finish before loading again */
    assert_int_equal(theme_load(&t, "missing", &e), VPCX_ERR_NOT_FOUND);
    vpcx_error_finish(&e);
    theme_finish(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_and_parse),
        cmocka_unit_test(test_errors_name_line_and_word),
        cmocka_unit_test(test_color_fallback),
        cmocka_unit_test(test_shipped_themes_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
