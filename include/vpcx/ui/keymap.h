/*
 * keymap: keys map to named actions in one table, which also generates the
 * help screen and accepts remapping from the config file ("bind KEY action").
 * The focused view answers an action first; what it passes falls through to
 * the global handler (tig's view_request, htop's HandlerResult).
 */
#ifndef VPCX_UI_KEYMAP_H
#define VPCX_UI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "vpcx/core/status.h"

/* X(enum suffix, name in config, help text) */
#define ACTION_TABLE(X)                                                                            \
    X(NONE, "none", "do nothing")                                                                  \
    X(UP, "up", "move up")                                                                         \
    X(DOWN, "down", "move down")                                                                   \
    X(PAGE_UP, "page-up", "one page up")                                                           \
    X(PAGE_DOWN, "page-down", "one page down")                                                     \
    X(HALF_UP, "half-page-up", "half a page up (as in less and vim)")                              \
    X(HALF_DOWN, "half-page-down", "half a page down (as in less and vim)")                        \
    X(HOME, "first", "go to the first row")                                                        \
    X(END, "last", "go to the last row")                                                           \
    X(LEFT, "collapse", "collapse, or go to the parent")                                           \
    X(RIGHT, "expand", "expand")                                                                   \
    X(ENTER, "enter", "open: drill into the selection or follow a link")                           \
    X(BACK, "back", "back to the previous view")                                                   \
    X(QUIT, "quit", "back; quit at the top view")                                                  \
    X(PARENT, "parent", "jump to the parent node")                                                 \
    X(TOGGLE, "toggle", "expand or collapse")                                                      \
    X(EXPAND_ALL, "expand-all", "expand everything under the cursor")                              \
    X(COLLAPSE_ALL, "collapse-all", "collapse everything")                                         \
    X(FOCUS, "focus", "switch focus between the panes")                                            \
    X(FILTER, "filter", "filter rows by name, ID, tag or IP")                                      \
    X(COMMAND, "command", "command line (:vpc :subnet :vpce :eni :matrix :ip ADDR ...)")           \
    X(HELP, "help", "this help")                                                                   \
    X(REFRESH, "refresh", "fetch the inventory again")                                             \
    X(COPY, "copy", "copy the selected ID (OSC 52)")                                               \
    X(COPY_EXTRA, "copy-arn", "copy the ARN or DNS name of the selection")                         \
    X(MATRIX, "matrix", "endpoint x availability zone matrix")                                     \
    X(POLICY, "policy", "policy of the selected endpoint")                                         \
    X(SAVE, "save", "save a snapshot (:save FILE); :diff FILE compares with one")                  \
    X(CREATE, "create", "create an endpoint in the selected VPC or subnet (:create)")              \
    X(MODIFY, "modify", "modify the selected endpoint (:modify)")                                  \
    X(DELETE, "delete", "delete the selected endpoint (:delete)")                                  \
    X(MARK, "mark", "mark the endpoint for an export; elsewhere expand or collapse")               \
    X(EXPORT, "export", "export the marked endpoints, or the selection's, as code (:export)")      \
    X(METRICS_RANGE, "metrics-range", "endpoint metrics: switch the range 3h, 24h, 7d")            \
    X(REDRAW, "redraw", "redraw the screen")                                                       \
    X(FINDINGS, "findings", "findings of the checks by severity (:check); Enter goes to one")      \
    X(IGNORED, "show-ignored", "in the findings: show or hide those the config ignores")

enum action {
#define ACTION_ENUM(name, key, help) ACT_##name,
    ACTION_TABLE(ACTION_ENUM)
#undef ACTION_ENUM
        ACT_COUNT
};

struct keymap;

struct keymap *keymap_create(void); /* with the default bindings */
void keymap_destroy(struct keymap *km);
/* The action bound to a curses key code (KEY_UP, 'j', 27 for Esc...). */
enum action keymap_lookup(const struct keymap *km, int key);
/* bind KEY-NAME to ACTION-NAME ("j", "C-d", "Down", "PgDn", "Esc", "Enter", "F5"). */
enum vpcx_status keymap_bind(struct keymap *km, const char *key_name, const char *action_name,
                             struct vpcx_error *err);
const char *action_name(enum action a);
const char *action_help(enum action a);
/* The keys bound to a, as text for help ("j, Down"); caller frees. */
char *keymap_keys_for(const struct keymap *km, enum action a);
/* Parses a key name to a curses key code; -1 when unknown. */
int keymap_parse_key(const char *name);
/* The name of a key code ("j", "C-d", "Down"); caller frees. */
char *keymap_key_name(int key);
/* Finds an action by its config name; false when none has it. */
bool action_from_name(const char *name, enum action *out);

struct cost_prices;

/* Settings the config file may hold besides key bindings. */
struct ui_config {
    bool mouse;     /* "set mouse on" */
    bool mouse_set; /* the file said either way */
    char *theme;    /* "set theme NAME", owned, may be NULL */
    bool max_age_set;
    long long max_age;     /* "set max-age 15m": when cached data counts as stale */
    char **write_profiles; /* "profile NAME write true": writes enabled for NAME (owned) */
    size_t n_write_profiles;
    struct cost_prices *prices; /* the bundled prices and "price" lines (owned), or NULL */
};

/* True when the config enabled writes for this profile (NULL means "default"). */
bool ui_config_profile_writes(const struct ui_config *cfg, const char *profile);

void ui_config_finish(struct ui_config *cfg);
/*
 * Parses config text: "bind KEY ACTION", "unbind KEY", "set mouse on|off",
 * "set theme NAME", "set max-age DURATION", "profile NAME write true|false" (or
 * "write = true"), "price REGION KIND VALUE" (model/cost.h), '#' comments. Bindings go to km.
 * Errors name the line; lines before the bad one stay applied. Pure: no curses, no I/O.
 */
enum vpcx_status keymap_parse_config(struct keymap *km, struct ui_config *cfg, const char *label,
                                     const char *text, size_t len, struct vpcx_error *err);
/* Reads $XDG_CONFIG_HOME/vpcx/config (or ~/.config/vpcx/config) when it exists. */
enum vpcx_status keymap_load_config(struct keymap *km, struct ui_config *cfg,
                                    struct vpcx_error *err);

#endif
