/*
 * theme: semantic roles and the colours they map to.
 *
 * Views never name colours: they tag text with a role (selected, warning,
 * bar-used...) and the theme decides how it looks. Themes are files under
 * themes/ ("role = fg bg attrs" lines, e.g. "warn = yellow default bold" or
 * "bar-used = 208 default"); the dark default is compiled in. Colours degrade
 * with the terminal: 256 colours, 16, or none (NO_COLOR, --theme mono, or a
 * terminal without colour), where roles fall back to attributes only.
 */
#ifndef VPCX_UI_THEME_H
#define VPCX_UI_THEME_H

#include <stdbool.h>
#include <stddef.h>

#include "vpcx/core/status.h"

/* X(enum suffix, name in theme files) */
#define THEME_ROLE_TABLE(X)                                                                        \
    X(NORMAL, "normal")                                                                            \
    X(DIM, "dim")                                                                                  \
    X(HEADER, "header")                                                                            \
    X(STATUS, "status")                                                                            \
    X(TITLE, "title")                                                                              \
    X(BORDER, "border")                                                                            \
    X(SELECTED, "selected")                                                                        \
    X(SELECTED_INACTIVE, "selected-inactive")                                                      \
    X(ID, "id")                                                                                    \
    X(NAME, "name")                                                                                \
    X(LABEL, "label")                                                                              \
    X(VALUE, "value")                                                                              \
    X(LINK, "link")                                                                                \
    X(COUNTER, "count")                                                                            \
    X(OK, "ok")                                                                                    \
    X(WARN, "warn")                                                                                \
    X(CRITICAL, "critical")                                                                        \
    X(ERROR, "error")                                                                              \
    X(ESCAPED, "escaped")                                                                          \
    X(BAR_USED, "bar-used")                                                                        \
    X(BAR_ENDPOINT, "bar-endpoint")                                                                \
    X(BAR_RESERVED, "bar-reserved")                                                                \
    X(BAR_FREE, "bar-free")                                                                        \
    X(BAR_WARN, "bar-warn")                                                                        \
    X(BAR_CRITICAL, "bar-critical")                                                                \
    X(CELL_ENI, "cell-eni")                                                                        \
    X(CELL_EMPTY, "cell-empty")                                                                    \
    X(CELL_NOT_OFFERED, "cell-not-offered")                                                        \
    X(JSON_KEY, "json-key")                                                                        \
    X(JSON_STRING, "json-string")                                                                  \
    X(JSON_NUMBER, "json-number")                                                                  \
    X(JSON_LITERAL, "json-literal")                                                                \
    X(JSON_PUNCT, "json-punct")                                                                    \
    X(DIFF_ADD, "diff-add")                                                                        \
    X(DIFF_DEL, "diff-del")                                                                        \
    X(FILTER, "filter")                                                                            \
    X(FINDING_ERROR, "finding-error")                                                              \
    X(FINDING_WARNING, "finding-warning")                                                          \
    X(FINDING_INFO, "finding-info")                                                                \
    X(PROMPT, "prompt")

enum theme_role {
#define THEME_ROLE_ENUM(name, key) ROLE_##name,
    THEME_ROLE_TABLE(THEME_ROLE_ENUM)
#undef THEME_ROLE_ENUM
        ROLE_COUNT
};

/* How one role looks: colour numbers (-1 = terminal default) and A_* attributes. */
struct theme_style {
    short fg, bg;
    unsigned attrs; /* THEME_BOLD | THEME_UNDERLINE | THEME_REVERSE | THEME_DIM */
};

enum {
    THEME_BOLD = 1u << 0,
    THEME_UNDERLINE = 1u << 1,
    THEME_REVERSE = 1u << 2,
    THEME_DIM = 1u << 3,
};

struct theme {
    char *name;
    struct theme_style style[ROLE_COUNT];
    /* Style to use when colours are off: attributes only. */
    unsigned mono_attrs[ROLE_COUNT];
};

const char *theme_role_name(enum theme_role role);
/* The compiled-in dark default. */
void theme_init_default(struct theme *t);
void theme_finish(struct theme *t);
/*
 * Parses a theme file's text over t (unspecified roles keep t's values).
 * Errors name the file, line and the bad word. Pure: no curses.
 */
enum vpcx_status theme_parse(struct theme *t, const char *name, const char *text, size_t len,
                             struct vpcx_error *err);
/*
 * Loads theme NAME: "dark" (compiled in), else NAME.theme from
 * $XDG_CONFIG_HOME/vpcx/themes/, then $VPCX_THEMES_DIR, then the folder vpcx
 * installs its themes in (VPCX_THEMES_INSTALL_DIR, from meson's datadir), then
 * ./themes; a path ending in .theme is read as is.
 */
enum vpcx_status theme_load(struct theme *t, const char *name, struct vpcx_error *err);
/* Parses a colour word ("default", "red", "bright-blue", "0".."255"); false when unknown. */
bool theme_parse_color(const char *word, short *out);
/*
 * The nearest colour a terminal with ncolors colours can show: 256 as is, 16
 * (and 8, folding bright colours to bold by the caller) by the xterm palette.
 * -1 (default) stays -1.
 */
short theme_color_for(short color, int ncolors);

#endif
