#include "vpcx/ui/keymap.h"

#include "vpcx/core/duration.h"

#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/cost.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_SLOTS (KEY_MAX + 1)

struct keymap {
    unsigned char action[KEY_SLOTS]; /* enum action per key code */
};

static const char *const names[] = {
#define ACTION_NAME(name, key, help) key,
    ACTION_TABLE(ACTION_NAME)
#undef ACTION_NAME
};

static const char *const helps[] = {
#define ACTION_HELP(name, key, help) help,
    ACTION_TABLE(ACTION_HELP)
#undef ACTION_HELP
};

/* Named keys; the first name of a code is the one shown in help. */
static const struct {
    const char *name;
    int key;
} key_names[] = {
    {"Up", KEY_UP},
    {"Down", KEY_DOWN},
    {"Left", KEY_LEFT},
    {"Right", KEY_RIGHT},
    {"Enter", '\n'},
    {"Return", '\n'},
    {"Esc", 27},
    {"Escape", 27},
    {"Tab", '\t'},
    {"BackTab", KEY_BTAB},
    {"S-Tab", KEY_BTAB},
    {"Space", ' '},
    {"Backspace", KEY_BACKSPACE},
    {"PgUp", KEY_PPAGE},
    {"PageUp", KEY_PPAGE},
    {"PgDn", KEY_NPAGE},
    {"PageDown", KEY_NPAGE},
    {"Home", KEY_HOME},
    {"End", KEY_END},
    {"Delete", KEY_DC},
    {"Insert", KEY_IC},
    {"Resize", KEY_RESIZE},
    {"Mouse", KEY_MOUSE},
    {"Hash", '#'},
};

static int normalise(int key)
{
    if (key == '\r' || key == KEY_ENTER)
        return '\n';
    if (key == 127 || key == 8)
        return KEY_BACKSPACE;
    return key;
}

static void bind_code(struct keymap *km, int key, enum action a)
{
    key = normalise(key);
    if (key >= 0 && key < KEY_SLOTS)
        km->action[key] = (unsigned char)a;
}

static void bind_default(struct keymap *km, const char *key_name, enum action a)
{
    bind_code(km, keymap_parse_key(key_name), a);
}

static void bind_defaults(struct keymap *km)
{
    static const struct {
        const char *key;
        enum action action;
    } defaults[] = {
        {"k", ACT_UP},          {"Up", ACT_UP},
        {"j", ACT_DOWN},        {"Down", ACT_DOWN},
        {"PgUp", ACT_PAGE_UP},  {"C-u", ACT_HALF_UP},
        {"C-b", ACT_PAGE_UP},   {"PgDn", ACT_PAGE_DOWN},
        {"C-d", ACT_HALF_DOWN}, {"C-f", ACT_PAGE_DOWN},
        {"g", ACT_HOME},        {"Home", ACT_HOME},
        {"G", ACT_END},         {"End", ACT_END},
        {"h", ACT_LEFT},        {"Left", ACT_LEFT},
        {"l", ACT_RIGHT},       {"Right", ACT_RIGHT},
        {"Enter", ACT_ENTER},   {"Esc", ACT_BACK},
        {"q", ACT_QUIT},        {"Backspace", ACT_PARENT},
        {"u", ACT_PARENT},      {"Space", ACT_MARK},
        {"*", ACT_EXPAND_ALL},  {"-", ACT_COLLAPSE_ALL},
        {"Tab", ACT_FOCUS},     {"BackTab", ACT_FOCUS},
        {"/", ACT_FILTER},      {":", ACT_COMMAND},
        {"?", ACT_HELP},        {"F1", ACT_HELP},
        {"r", ACT_REFRESH},     {"F5", ACT_REFRESH},
        {"y", ACT_COPY},        {"Y", ACT_COPY_EXTRA},
        {"m", ACT_MATRIX},      {"p", ACT_POLICY},
        {"S", ACT_SAVE},        {"C-l", ACT_REDRAW},
        {"c", ACT_CREATE},      {"e", ACT_MODIFY},
        {"D", ACT_DELETE},      {"x", ACT_EXPORT},
        {"o", ACT_TOGGLE},      {"t", ACT_METRICS_RANGE},
        {"!", ACT_FINDINGS},    {"i", ACT_IGNORED},
    };
    for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
        bind_default(km, defaults[i].key, defaults[i].action);
}

struct keymap *keymap_create(void)
{
    struct keymap *km = xcalloc(1, sizeof(*km));
    bind_defaults(km);
    return km;
}

void keymap_destroy(struct keymap *km)
{
    free(km);
}

enum action keymap_lookup(const struct keymap *km, int key)
{
    key = normalise(key);
    if (key < 0 || key >= KEY_SLOTS)
        return ACT_NONE;
    return (enum action)km->action[key];
}

const char *action_name(enum action a)
{
    return (unsigned)a < ACT_COUNT ? names[a] : "?";
}

const char *action_help(enum action a)
{
    return (unsigned)a < ACT_COUNT ? helps[a] : "?";
}

bool action_from_name(const char *name, enum action *out)
{
    for (int a = 0; a < ACT_COUNT; a++) {
        if (strcmp(name, names[a]) == 0) {
            *out = (enum action)a;
            return true;
        }
    }
    return false;
}

int keymap_parse_key(const char *name)
{
    if (!name || !*name)
        return -1;
    if (name[1] == '\0')
        return (unsigned char)name[0] < 0x80 && name[0] > ' ' ? (unsigned char)name[0] : -1;
    if ((name[0] == 'C' || name[0] == 'c') && name[1] == '-' && name[2] && !name[3]) {
        char c = name[2];
        if (c >= 'a' && c <= 'z')
            return c - 'a' + 1;
        if (c >= 'A' && c <= 'Z')
            return c - 'A' + 1;
        return -1;
    }
    if (name[0] == 'F' && name[1] >= '1' && name[1] <= '9') {
        char *end = NULL;
        long n = strtol(name + 1, &end, 10);
        if (!*end && n >= 1 && n <= 12)
            return KEY_F((int)n);
    }
    for (size_t i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++)
        if (strcasecmp(name, key_names[i].name) == 0)
            return key_names[i].key;
    return -1;
}

char *keymap_key_name(int key)
{
    key = normalise(key);
    for (size_t i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++)
        if (key_names[i].key == key)
            return xstrdup(key_names[i].name);
    if (key >= 1 && key <= 26)
        return xasprintf("C-%c", 'a' + key - 1);
    if (key >= KEY_F(1) && key <= KEY_F(12))
        return xasprintf("F%d", key - KEY_F(0));
    if (key > ' ' && key < 0x7f)
        return xasprintf("%c", key);
    return xasprintf("key-%d", key);
}

enum vpcx_status keymap_bind(struct keymap *km, const char *key_name, const char *action_nm,
                             struct vpcx_error *err)
{
    int key = keymap_parse_key(key_name);
    if (key < 0)
        return vpcx_error_set(err, VPCX_ERR_USAGE, "unknown key '%s'", key_name);
    enum action a;
    if (!action_from_name(action_nm, &a))
        return vpcx_error_set(err, VPCX_ERR_USAGE, "unknown action '%s'", action_nm);
    bind_code(km, key, a);
    return VPCX_OK;
}

char *keymap_keys_for(const struct keymap *km, enum action a)
{
    struct strbuf sb;
    strbuf_init(&sb, 32);
    for (int key = 0; key < KEY_SLOTS; key++) {
        if (km->action[key] != a || key == KEY_RESIZE || key == KEY_MOUSE)
            continue;
        char *n = keymap_key_name(key);
        if (sb.len)
            strbuf_addstr(&sb, ", ");
        strbuf_addstr(&sb, n);
        free(n);
    }
    return strbuf_detach(&sb, NULL);
}

void ui_config_finish(struct ui_config *cfg)
{
    if (!cfg)
        return;
    free(cfg->theme);
    cfg->theme = NULL;
    for (size_t i = 0; i < cfg->n_write_profiles; i++)
        free(cfg->write_profiles[i]);
    free(cfg->write_profiles);
    cfg->write_profiles = NULL;
    cfg->n_write_profiles = 0;
    cost_prices_destroy(cfg->prices);
    cfg->prices = NULL;
}

static size_t split(char *s, char **w, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(s, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
        if (n == max)
            return max + 1;
        w[n++] = t;
    }
    return n;
}

static enum vpcx_status config_set(struct ui_config *cfg, char **w, size_t n,
                                   struct vpcx_error *err)
{
    if (n == 3 && strcmp(w[1], "mouse") == 0) {
        bool on = strcmp(w[2], "on") == 0 || strcmp(w[2], "true") == 0;
        if (!on && strcmp(w[2], "off") != 0 && strcmp(w[2], "false") != 0)
            return vpcx_error_set(err, VPCX_ERR_USAGE, "set mouse takes on or off, not '%s'", w[2]);
        cfg->mouse = on;
        cfg->mouse_set = true;
        return VPCX_OK;
    }
    if (n == 3 && strcmp(w[1], "theme") == 0) {
        free(cfg->theme);
        cfg->theme = xstrdup(w[2]);
        return VPCX_OK;
    }
    if (n == 3 && strcmp(w[1], "max-age") == 0) {
        if (!duration_parse(w[2], &cfg->max_age))
            return vpcx_error_set(err, VPCX_ERR_USAGE,
                                  "set max-age takes a duration like 90s, 15m or 2h, not '%s'",
                                  w[2]);
        cfg->max_age_set = true;
        return VPCX_OK;
    }
    return vpcx_error_set(err, VPCX_ERR_USAGE, "unknown setting '%s'", n > 1 ? w[1] : "");
}

static void profile_set_write(struct ui_config *cfg, const char *name, bool on)
{
    size_t keep = 0;
    for (size_t i = 0; i < cfg->n_write_profiles; i++) {
        if (strcmp(cfg->write_profiles[i], name) == 0)
            free(cfg->write_profiles[i]);
        else
            cfg->write_profiles[keep++] = cfg->write_profiles[i];
    }
    cfg->n_write_profiles = keep;
    if (!on)
        return;
    cfg->write_profiles = xrealloc(cfg->write_profiles, (keep + 1) * sizeof(*cfg->write_profiles));
    cfg->write_profiles[cfg->n_write_profiles++] = xstrdup(name);
}

/* "profile NAME write true", "profile NAME write = true"; other profile settings are
 * read by other layers. */
static enum vpcx_status config_profile(struct ui_config *cfg, char *rest, struct vpcx_error *err)
{
    char *w[5];
    size_t n = split(rest, w, 4);
    if (n < 2 || strcmp(w[1], "write") != 0)
        return VPCX_OK;
    const char *v = n == 4 && strcmp(w[2], "=") == 0 ? w[3] : n == 3 ? w[2] : "";
    bool on = strcmp(v, "true") == 0 || strcmp(v, "on") == 0;
    if (!on && strcmp(v, "false") != 0 && strcmp(v, "off") != 0)
        return vpcx_error_set(err, VPCX_ERR_USAGE, "profile %s write takes true or false", w[0]);
    profile_set_write(cfg, w[0], on);
    return VPCX_OK;
}

bool ui_config_profile_writes(const struct ui_config *cfg, const char *profile)
{
    const char *name = profile && *profile ? profile : "default";
    for (size_t i = 0; i < cfg->n_write_profiles; i++)
        if (strcmp(cfg->write_profiles[i], name) == 0)
            return true;
    return false;
}

static enum vpcx_status config_line(struct keymap *km, struct ui_config *cfg, char *line,
                                    struct vpcx_error *err)
{
    line += strspn(line, " \t");
    if (strncmp(line, "profile", 7) == 0 && (line[7] == ' ' || line[7] == '\t'))
        return config_profile(cfg, line + 8, err);
    char *w[4];
    size_t n = split(line, w, 3);
    if (n == 0 || w[0][0] == '#')
        return VPCX_OK;
    if (strcmp(w[0], "bind") == 0 && n == 3)
        return keymap_bind(km, w[1], w[2], err);
    if (strcmp(w[0], "unbind") == 0 && n == 2) {
        int key = keymap_parse_key(w[1]);
        if (key < 0)
            return vpcx_error_set(err, VPCX_ERR_USAGE, "unknown key '%s'", w[1]);
        bind_code(km, key, ACT_NONE);
        return VPCX_OK;
    }
    if (strcmp(w[0], "set") == 0 && n >= 2 && strcmp(w[1], "regions") == 0)
        return VPCX_OK; /* the scopes' regions: read by cli/scopes */
    if (strcmp(w[0], "set") == 0)
        return config_set(cfg, w, n, err);
    if (strcmp(w[0], "profile") == 0 || strcmp(w[0], "price") == 0 || strcmp(w[0], "ignore") == 0)
        return VPCX_OK; /* read by other layers */
    return vpcx_error_set(err, VPCX_ERR_USAGE,
                          "expected 'bind KEY ACTION', 'unbind KEY' or "
                          "'set NAME VALUE', not '%s'",
                          w[0]);
}

enum vpcx_status keymap_parse_config(struct keymap *km, struct ui_config *cfg, const char *label,
                                     const char *text, size_t len, struct vpcx_error *err)
{
    size_t pos = 0;
    unsigned lineno = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        char *line = xstrndup(text + pos, end - pos);
        lineno++;
        enum vpcx_status st = config_line(km, cfg, line, err);
        free(line);
        if (st != VPCX_OK) {
            char *msg = xasprintf("%s, line %u: %s", label, lineno,
                                  err->message ? err->message : "invalid");
            vpcx_error_set(err, st, "%s", msg);
            free(msg);
            return st;
        }
        pos = end + 1;
    }
    /* The price lines, read as vpcx cost reads them (the matrix's cost column). */
    if (!cfg->prices)
        cfg->prices = cost_prices_create();
    return cost_prices_parse_config(cfg->prices, label, text, len, err);
}

enum vpcx_status keymap_load_config(struct keymap *km, struct ui_config *cfg,
                                    struct vpcx_error *err)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    char *path = NULL;
    if (xdg && *xdg)
        path = xasprintf("%s/vpcx/config", xdg);
    else if (home && *home)
        path = xasprintf("%s/.config/vpcx/config", home);
    if (!path)
        return VPCX_OK;
    FILE *f = fopen(path, "rb");
    if (!f) {
        free(path);
        return VPCX_OK;
    }
    struct strbuf sb;
    strbuf_init(&sb, 1024);
    char chunk[1024];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && sb.len < (1u << 20))
        strbuf_add(&sb, chunk, n);
    fclose(f);
    enum vpcx_status st = keymap_parse_config(km, cfg, path, sb.buf, sb.len, err);
    strbuf_release(&sb);
    free(path);
    return st;
}
