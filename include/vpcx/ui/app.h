/*
 * app: the explorer. Owns the terminal, the views and the one event loop.
 *
 * Layout: a header (account, region, endpoint, profile, write mode: read-only,
 * WRITE or SIMULATED, from the one mutate gate), the
 * tree pane and the detail pane side by side (stacked below 100 columns), and
 * a status line (fetch progress per type, the last message, key hints).
 * Full-screen views (help, matrix, policy) stack over the panes. Below 60x15
 * the screen says it is too small and waits for a resize or q.
 *
 * Stale-while-revalidate: given a cached inventory (opts->cache_meta), the
 * first paint shows it at once while every type is refreshed in the
 * background; each type keeps its time, shown as an age in the status line
 * ("Subnets 3m  ENIs 2h stale": stale past opts->max_age); a type whose
 * refresh fails keeps its data and the status line says so. When a refresh
 * ends, opts->on_refresh gets the types that completed (the caller updates
 * the cache), in a child process started after the frame is drawn, so the
 * write never delays a paint or a key; its result comes back to the status
 * line, and a write skipped because the cache was busy is tried again later.
 * Offline (by choice or because credentials failed) there is no client: the
 * header says OFFLINE and the status line gives the reason.
 *
 * Snapshots: the save key (S) or ":save [FILE]" writes the inventory as a
 * snapshot (default name vpcx-<account>-<region>-<time>.json); ":diff FILE"
 * opens the diff view: FILE -> the current inventory.
 *
 * The loop: paint from what is loaded, then wait in http_engine_step() (or
 * poll() without a network) on the keyboard, the signal self-pipe and a
 * running cache write; after a wake, drain signals, keys and fetch results,
 * and paint once if anything changed. No timer runs while idle (but the retry
 * of a skipped cache write). SIGINT, SIGTERM and SIGHUP end the run with
 * 128 + the signal (130, 143, 129), the terminal restored.
 *
 * Views call back through the functions below; one thread.
 */
#ifndef VPCX_UI_APP_H
#define VPCX_UI_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "vpcx/aws/client.h"
#include "vpcx/core/status.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/model/check.h"
#include "vpcx/model/checkindex.h"
#include "vpcx/model/cost.h"
#include "vpcx/model/inventory.h"
#include "vpcx/model/preflight.h"
#include "vpcx/store/cache.h"
#include "vpcx/store/snapshot.h"
#include "vpcx/sync/fetch.h"
#include "vpcx/sync/mutate.h"
#include "vpcx/sync/scopes.h"
#include "vpcx/ui/draw.h"
#include "vpcx/ui/keymap.h"
#include "vpcx/ui/theme.h"
#include "vpcx/ui/tree.h"
#include "vpcx/ui/view.h"

/* Stale past this many seconds when neither --max-age nor the config says. */
#define APP_DEFAULT_MAX_AGE (15 * 60)

struct app;

/* What a finished refresh gives on_refresh (all borrowed for the call). */
struct app_refresh {
    const struct inventory *inv;
    const struct fetch *fetch; /* per-type states and errors */
    unsigned fetched;          /* 1u << type for each type refreshed whole */
    time_t started;            /* when the refresh began: the fetched types' time */
    const char *account;       /* the one given, else GetCallerIdentity's; may be NULL */
    const char *arn;           /* GetCallerIdentity's, else loaded_meta's; may be NULL */
};

/*
 * Called after each refresh that fetched at least one type, in a child process
 * (core/bgjob.h): a snapshot of this one, so it may read r and block (the cache
 * lock, fsync) without delaying the explorer. Returns VPCX_OK or the failure;
 * note (optional) gets the line for the status line: the failure, or a warning.
 * VPCX_ERR_TIMEOUT (the cache was busy) is called again later, with backoff.
 */
typedef enum vpcx_status (*app_refresh_fn)(void *ud, const struct app_refresh *r,
                                           struct vpcx_error *note);

struct app_options {
    struct inventory *inv; /* borrowed; fetching fills it */
    /* Many accounts and regions (sync/scopes.h; client NULL then): the app starts
     * them, merges their inventories into inv as they load, and shows account >
     * region > VPC. Borrowed. */
    struct scope_set *scopes;
    /* One scope from AWS: the session options :region and :profile make scopes of
       (borrowed; NULL: those commands say there is nothing to switch to). */
    const struct aws_session_options *scope_base;
    /* The cache directory each scope of a set reads before its first load and writes
       after each (sync/scopecache.h); NULL: none (--no-cache). Borrowed. */
    const char *scope_cache_dir;
    struct aws_client *client; /* NULL: no network (demo, snapshot) */
    /* Header text (any may be NULL). */
    const char *account, *region, *endpoint, *profile, *source;
    /* The Metadata inv was loaded with (demo, snapshot or cache; NULL: none): a saved
     * snapshot keeps it (Arn, FetchedAt...), updated by what is fetched since. */
    const struct snapshot_meta *loaded_meta;
    /* The write gate: READ_ONLY (default), LIVE (--write) or SIMULATED (demo, snapshot).
     * READ_ONLY becomes LIVE when the config says "profile NAME write true" for profile
     * and there is a client. write_reason: where the mode came from ("--write"). */
    enum mutate_mode write_mode;
    const char *write_reason;
    /* The credentials came from the profile itself (not the environment): only then
       may the profile's "write true" apply to them. */
    bool profile_credentials;
    /* Cache (stale-while-revalidate); all optional. */
    const struct snapshot_meta *cache_meta; /* per-type times of a cached inv */
    long long max_age;                      /* seconds; < 0: APP_DEFAULT_MAX_AGE */
    bool offline;                           /* no network: header says OFFLINE */
    const char *offline_reason;             /* shown in the status line */
    const char *start_message;              /* status line until the first key */
    /* The rest of a cache whose first types are in inv (store/cache.h; borrowed):
     * loaded a slice per loop turn after the first paint (headless: right after
     * it); the network starts once it is all in. */
    struct cache_loader *cache_loader;
    app_refresh_fn on_refresh;
    void *refresh_ud;
    const char *theme; /* NULL: the config's, else dark */
    bool mouse;        /* also "set mouse on" in the config */
    bool no_config;    /* ignore $XDG_CONFIG_HOME/vpcx/config (tests) */
    /* Headless: a virtual screen driven by a key script. */
    bool headless;
    int rows, cols;
    const char *keys_file;  /* script; see headless.h */
    const char *screen_out; /* final screen (and every "snap"); "-" = stdout */
    bool every;             /* dump the screen after every key */
    bool stats;             /* bytes and time per key on stderr */
    int tour_step;          /* > 0: start the guided tour at this step */
    /* The config's ignore and price lines (borrowed; NULL: none, the bundled prices). */
    const struct check_config *check_config;
    const struct cost_prices *prices;
};

/* Runs the explorer until the user quits; returns the exit code (0 on quit,
 * 128 + the signal after SIGINT, SIGTERM or SIGHUP). After a signal, calls may
 * still be in flight on opts->client: destroy it without stepping its engine. */
int app_run(const struct app_options *opts, struct vpcx_error *err);

/* For views. */
const struct inventory *app_inventory(struct app *a);
const struct ui_glyphs *app_glyphs(struct app *a);
const struct keymap *app_keymap(struct app *a);
/* "account 123456789012 · us-east-1" for the tree's root row. */
const char *app_scope(struct app *a);
void app_message(struct app *a, enum theme_role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Opens a registered view by name over the panes; false when none has the name. */
bool app_open_view(struct app *a, const char *name, const struct view_args *args);
/* Moves the tree cursor to a resource; false when the tree has no place for it. */
bool app_reveal(struct app *a, enum inv_type type, const char *id);
/* True when the endpoint is marked (Space) for an export. */
bool app_is_marked(struct app *a, const char *endpoint_id);
/* Shows a resource in the detail pane (links the tree does not hold). */
void app_show_detail(struct app *a, enum inv_type type, const char *id);
/* Follows a link: the tree's row when it has one (true), else the detail pane. Closes every
 * view over the panes, so a view must not touch itself afterwards; id may be its own. */
bool app_go_to(struct app *a, enum inv_type type, const char *id);

/* Many scopes: the tree's account > region levels (NULL with one scope), and one
 * scope's state for its region row (caller frees; *role its colour). */
const struct tree_groups *app_tree_groups(struct app *a);
char *app_scope_row(struct app *a, size_t scope, enum theme_role *role);

/* For the endpoint forms: the one write gate, the client (NULL offline), the region. */
struct mutate_gate *app_gate(struct app *a);
/* The inventory a mutation writes its results into (the same as app_inventory). */
struct inventory *app_inventory_rw(struct app *a);
struct aws_client *app_client(struct app *a);
const char *app_region(struct app *a);
/* The prices for the cost column: the bundled table and the config's "price" lines. */
const struct cost_prices *app_cost_prices(struct app *a);
bool app_headless(struct app *a);
/* Something a view shows changed outside a key (a mutation's progress): paint again. */
void app_redraw(struct app *a);
/* Fetches one type again (after a mutation); no-op without a network. */
void app_refetch(struct app *a, enum inv_type type);
/* Fetches every type again, as the refresh key does. */
void app_refresh(struct app *a);
/*
 * The check engine's findings on the inventory (ignored ones included, marked)
 * and their index by resource (ignored ones left out). Rerun as data lands: at
 * most once a second while a fetch runs, and when the inventory settles.
 */
const struct check_report *app_check_report(struct app *a);
const struct checkindex *app_check_index(struct app *a);
/* The prices for cost: the config's over the bundled table. */
const struct cost_prices *app_prices(struct app *a);
/* How a finding's severity shows: its theme role and its marker glyph. */
enum theme_role app_severity_role(enum check_severity s);
const char *app_severity_glyph(struct app *a, enum check_severity s);
/* True for a pre-flight health finding that no check rule words (shown besides the findings). */
bool app_health_uncovered(const struct preflight_finding *f);
/* The worst severity of a resource's findings (for an endpoint, with the pre-flight health
   warnings and errors no rule covers); false when it has none. */
bool app_resource_worst(struct app *a, enum inv_type type, const char *id,
                        enum check_severity *out);
/* "$21.90/mo", "free", "$?/mo" (price unknown), nothing when unbilled. */
void app_cost_add(struct strbuf *sb, const struct endpoint_cost *c);

/* For the headless driver (headless.c) and the loop. */
struct app *app_create(const struct app_options *opts, struct vpcx_error *err);
void app_destroy(struct app *a);
/* Feeds one key (a curses key code); returns false once the app wants to quit. */
/* More keys are queued after the next one: a cursor move then leaves the detail pane
 * for the last key to repaint. */
void app_set_typeahead(struct app *a, bool pending);
bool app_handle_key(struct app *a, int key);
/* Paints what changed and pushes it to the terminal. */
void app_paint(struct app *a);
/* A new size (headless "resize WxH"; the real loop reads the tty). */
void app_resize(struct app *a, int rows, int cols);
/* Loads the rest of a staged cache load at once (headless), then starts the network. */
void app_finish_loading(struct app *a);
/* Runs the network until the fetch and every other call or timer (a mutation's
 * polling) is done, then the cache write it owes (headless "wait"); false on
 * timeout or a quit signal. */
bool app_wait_fetch(struct app *a, long max_ms);
/* The main thread's work per iteration of the last app_wait_fetch() (one engine
 * step and the model refresh after it; the wait itself excluded), kept with stats on. */
struct app_wait_stats {
    unsigned long steps;
    double max_busy_usec;                /* wall */
    double max_step_usec;                /* wall, the engine step alone (items go in there) */
    double max_step_cpu_usec;            /* its CPU time */
    double max_cpu_usec, total_cpu_usec; /* this thread's CPU time */
};
void app_get_wait_stats(const struct app *a, struct app_wait_stats *out);
/* Takes the signals that arrived (a resize is applied); true once SIGINT,
 * SIGTERM or SIGHUP asked to quit. */
bool app_check_signals(struct app *a);
/* 0, or 128 + the signal that ended the run (130 SIGINT, 143 SIGTERM, 129 SIGHUP). */
int app_exit_code(const struct app *a);
/* Bytes written to the terminal so far. */
uint64_t app_bytes_written(struct app *a);
/* The screen as text, one line per row, trailing spaces trimmed (headless). */
void app_dump_screen(struct app *a, FILE *out);

#endif
