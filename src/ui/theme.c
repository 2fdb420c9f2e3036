#include "vpcx/ui/theme.h"

#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[] = {
#define THEME_ROLE_NAME(name, key) key,
    THEME_ROLE_TABLE(THEME_ROLE_NAME)
#undef THEME_ROLE_NAME
};

/* The dark default, in the theme file syntax so one parser serves both. */
static const char default_dark[] = "normal = default default\n"
                                   "dim = 245 default\n"
                                   "header = 255 24 bold\n"
                                   "status = 252 236\n"
                                   "title = 117 default bold\n"
                                   "border = 240 default\n"
                                   "selected = 16 117 bold\n"
                                   "selected-inactive = 255 238\n"
                                   "id = 180 default\n"
                                   "name = 255 default bold\n"
                                   "label = 110 default\n"
                                   "value = default default\n"
                                   "link = 81 default underline\n"
                                   "count = 244 default\n"
                                   "ok = 114 default\n"
                                   "warn = 221 default bold\n"
                                   "critical = 203 default bold\n"
                                   "error = 203 default bold\n"
                                   "escaped = 201 default underline\n"
                                   "bar-used = 75 default\n"
                                   "bar-endpoint = 141 default\n"
                                   "bar-reserved = 243 default\n"
                                   "bar-free = 238 default\n"
                                   "bar-warn = 221 default\n"
                                   "bar-critical = 203 default\n"
                                   "cell-eni = 114 default bold\n"
                                   "cell-empty = 245 default\n"
                                   "cell-not-offered = 203 default dim\n"
                                   "json-key = 117 default\n"
                                   "json-string = 180 default\n"
                                   "json-number = 141 default\n"
                                   "json-literal = 203 default\n"
                                   "json-punct = 245 default\n"
                                   "diff-add = 114 default\n"
                                   "diff-del = 203 default\n"
                                   "filter = 16 221 bold\n"
                                   "finding-error = 203 default bold\n"
                                   "finding-warning = 221 default bold\n"
                                   "finding-info = 117 default\n"
                                   "prompt = 255 default bold\n";

/* Attributes that keep roles apart when there is no colour at all. */
static unsigned default_mono(enum theme_role r)
{
    switch (r) {
    case ROLE_HEADER:
    case ROLE_STATUS:
    case ROLE_SELECTED:
    case ROLE_FILTER:
    case ROLE_BAR_USED:
    case ROLE_BAR_ENDPOINT:
        return THEME_REVERSE;
    case ROLE_SELECTED_INACTIVE:
    case ROLE_LINK:
        return THEME_UNDERLINE;
    case ROLE_TITLE:
    case ROLE_NAME:
    case ROLE_WARN:
    case ROLE_PROMPT:
    case ROLE_CELL_ENI:
    case ROLE_BAR_WARN:
        return THEME_BOLD;
    case ROLE_FINDING_WARNING:
        return THEME_BOLD;
    case ROLE_CRITICAL:
    case ROLE_ERROR:
    case ROLE_FINDING_ERROR:
    case ROLE_BAR_CRITICAL:
    case ROLE_ESCAPED:
        return THEME_BOLD | THEME_UNDERLINE;
    case ROLE_DIM:
    case ROLE_COUNTER:
    case ROLE_BORDER:
    case ROLE_BAR_FREE:
    case ROLE_CELL_NOT_OFFERED:
        return THEME_DIM;
    default:
        return 0;
    }
}

const char *theme_role_name(enum theme_role role)
{
    return (unsigned)role < ROLE_COUNT ? role_names[role] : "?";
}

void theme_init_default(struct theme *t)
{
    memset(t, 0, sizeof(*t));
    for (int r = 0; r < ROLE_COUNT; r++) {
        t->style[r].fg = -1;
        t->style[r].bg = -1;
        t->mono_attrs[r] = default_mono((enum theme_role)r);
    }
    struct vpcx_error err;
    vpcx_error_init(&err);
    theme_parse(t, "dark", default_dark, sizeof(default_dark) - 1, &err);
    vpcx_error_finish(&err);
    free(t->name);
    t->name = xstrdup("dark");
}

void theme_finish(struct theme *t)
{
    if (!t)
        return;
    free(t->name);
    t->name = NULL;
}

static const char *const color_names[] = {"black", "red",     "green", "yellow",
                                          "blue",  "magenta", "cyan",  "white"};

bool theme_parse_color(const char *word, short *out)
{
    if (strcmp(word, "default") == 0 || strcmp(word, "none") == 0) {
        *out = -1;
        return true;
    }
    const char *base = word;
    short add = 0;
    if (strncmp(word, "bright-", 7) == 0) {
        base = word + 7;
        add = 8;
    }
    for (short i = 0; i < 8; i++) {
        if (strcmp(base, color_names[i]) == 0) {
            *out = (short)(i + add);
            return true;
        }
    }
    if (add || !*word)
        return false;
    char *end = NULL;
    errno = 0;
    long v = strtol(word, &end, 10);
    if (errno || *end || v < 0 || v > 255)
        return false;
    *out = (short)v;
    return true;
}

static bool parse_attr(const char *word, unsigned *attrs)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {
        {"bold", THEME_BOLD},
        {"underline", THEME_UNDERLINE},
        {"reverse", THEME_REVERSE},
        {"dim", THEME_DIM},
        {"normal", 0},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(word, names[i].name) == 0) {
            *attrs |= names[i].bit;
            return true;
        }
    }
    return false;
}

static int find_role(const char *name)
{
    for (int r = 0; r < ROLE_COUNT; r++)
        if (strcmp(name, role_names[r]) == 0)
            return r;
    return -1;
}

/* Splits s in place into at most max words; returns the count (more = max + 1). */
static size_t split_words(char *s, char **words, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *w = strtok_r(s, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        if (n == max)
            return max + 1;
        words[n++] = w;
    }
    return n;
}

static enum vpcx_status parse_style(char *rhs, struct theme_style *st, const char *name,
                                    unsigned lineno, struct vpcx_error *err)
{
    char *words[8];
    size_t n = split_words(rhs, words, 7);
    if (n == 0 || n > 7)
        return vpcx_error_set(err, VPCX_ERR_PARSE, "theme %s, line %u: %s", name, lineno,
                              n ? "too many words" : "no style after '='");
    struct theme_style out = {-1, -1, 0};
    size_t colors = 0;
    for (size_t i = 0; i < n; i++) {
        short c;
        if (colors < 2 && theme_parse_color(words[i], &c)) {
            if (colors == 0)
                out.fg = c;
            else
                out.bg = c;
            colors++;
        } else if (!parse_attr(words[i], &out.attrs)) {
            return vpcx_error_set(err, VPCX_ERR_PARSE,
                                  "theme %s, line %u: unknown colour or "
                                  "attribute '%s'",
                                  name, lineno, words[i]);
        }
    }
    *st = out;
    return VPCX_OK;
}

static enum vpcx_status parse_line(struct theme *t, char *line, const char *name, unsigned lineno,
                                   struct vpcx_error *err)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    char *eq = strchr(line, '=');
    char *words[2];
    if (!eq) {
        if (split_words(line, words, 1) == 0)
            return VPCX_OK;
        return vpcx_error_set(err, VPCX_ERR_PARSE,
                              "theme %s, line %u: expected 'role = fg bg "
                              "attrs'",
                              name, lineno);
    }
    *eq = '\0';
    if (split_words(line, words, 1) != 1)
        return vpcx_error_set(err, VPCX_ERR_PARSE,
                              "theme %s, line %u: expected one role name "
                              "before '='",
                              name, lineno);
    int role = find_role(words[0]);
    if (role < 0)
        return vpcx_error_set(err, VPCX_ERR_PARSE, "theme %s, line %u: unknown role '%s'", name,
                              lineno, words[0]);
    return parse_style(eq + 1, &t->style[role], name, lineno, err);
}

enum vpcx_status theme_parse(struct theme *t, const char *name, const char *text, size_t len,
                             struct vpcx_error *err)
{
    struct theme work = *t;
    size_t pos = 0;
    unsigned lineno = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        lineno++;
        char *line = xstrndup(text + pos, end - pos);
        if (memchr(text + pos, '\0', end - pos)) {
            free(line);
            return vpcx_error_set(err, VPCX_ERR_PARSE, "theme %s, line %u: NUL byte", name, lineno);
        }
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r')
            line[l - 1] = '\0';
        enum vpcx_status st = parse_line(&work, line, name, lineno, err);
        free(line);
        if (st != VPCX_OK)
            return st;
        pos = end + 1;
    }
    memcpy(t->style, work.style, sizeof(t->style));
    return VPCX_OK;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct strbuf sb;
    strbuf_init(&sb, 4096);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && sb.len < (1u << 20))
        strbuf_add(&sb, chunk, n);
    fclose(f);
    return strbuf_detach(&sb, len);
}

static bool valid_theme_name(const char *name)
{
    if (!*name)
        return false;
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == '.')
            return false;
    return true;
}

#ifdef VPCX_THEMES_INSTALL_DIR
#define THEMES_INSTALLED VPCX_THEMES_INSTALL_DIR ", "
#else
#define THEMES_INSTALLED ""
#endif

static char *find_theme_file(const char *name, size_t *len)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    const char *themes_dir = getenv("VPCX_THEMES_DIR");
    char *dirs[4] = {NULL, NULL, NULL, NULL};
    size_t nd = 0;
    if (xdg && *xdg)
        dirs[nd++] = xasprintf("%s/vpcx/themes", xdg);
    else if (home && *home)
        dirs[nd++] = xasprintf("%s/.config/vpcx/themes", home);
    if (themes_dir && *themes_dir)
        dirs[nd++] = xstrdup(themes_dir);
#ifdef VPCX_THEMES_INSTALL_DIR
    dirs[nd++] = xstrdup(VPCX_THEMES_INSTALL_DIR);
#endif
    dirs[nd++] = xstrdup("themes");
    char *data = NULL;
    for (size_t i = 0; i < nd; i++) {
        char *path = xasprintf("%s/%s.theme", dirs[i], name);
        if (!data)
            data = read_file(path, len);
        free(path);
        free(dirs[i]);
    }
    return data;
}

enum vpcx_status theme_load(struct theme *t, const char *name, struct vpcx_error *err)
{
    theme_init_default(t);
    if (!name || strcmp(name, "dark") == 0)
        return VPCX_OK;
    size_t len = 0;
    size_t nlen = strlen(name);
    char *data = NULL;
    if (nlen > 6 && strcmp(name + nlen - 6, ".theme") == 0)
        data = read_file(name, &len);
    else if (valid_theme_name(name))
        data = find_theme_file(name, &len);
    if (!data)
        return vpcx_error_set(err, VPCX_ERR_NOT_FOUND,
                              "theme '%s' not found (looked in $XDG_CONFIG_HOME/vpcx/themes, "
                              "$VPCX_THEMES_DIR, " THEMES_INSTALLED "./themes)",
                              name);
    enum vpcx_status st = theme_parse(t, name, data, len, err);
    free(data);
    if (st == VPCX_OK) {
        free(t->name);
        t->name = xstrdup(name);
    }
    return st;
}

/* The xterm palette: 16 system colours, a 6x6x6 cube, 24 greys. */
static void color_rgb(int c, int rgb[3])
{
    static const int sys[16][3] = {
        {0, 0, 0},       {205, 0, 0},   {0, 205, 0},   {205, 205, 0},
        {0, 0, 238},     {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
        {127, 127, 127}, {255, 0, 0},   {0, 255, 0},   {255, 255, 0},
        {92, 92, 255},   {255, 0, 255}, {0, 255, 255}, {255, 255, 255},
    };
    if (c < 16) {
        memcpy(rgb, sys[c], sizeof(sys[c]));
    } else if (c < 232) {
        static const int level[6] = {0, 95, 135, 175, 215, 255};
        c -= 16;
        rgb[0] = level[c / 36];
        rgb[1] = level[(c / 6) % 6];
        rgb[2] = level[c % 6];
    } else {
        int v = 8 + (c - 232) * 10;
        rgb[0] = rgb[1] = rgb[2] = v;
    }
}

short theme_color_for(short color, int ncolors)
{
    if (color < 0 || color < ncolors)
        return color;
    int want[3];
    color_rgb(color, want);
    int limit = ncolors >= 16 ? 16 : 8;
    short best = 0;
    long best_d = -1;
    for (short i = 0; i < limit; i++) {
        int have[3];
        color_rgb(i, have);
        long d = 0;
        for (int k = 0; k < 3; k++)
            d += (long)(want[k] - have[k]) * (want[k] - have[k]);
        if (best_d < 0 || d < best_d) {
            best_d = d;
            best = i;
        }
    }
    return best;
}
