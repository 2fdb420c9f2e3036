/*
 * app_internal: what app.c (the loop, layout, painting and dispatch) and
 * commands.c (the '/' filter prompt, the ':' command line and the commands it
 * runs) share. Private to src/ui, not a contract.
 */
#ifndef VPCX_UI_APP_INTERNAL_H
#define VPCX_UI_APP_INTERNAL_H

#include "vpcx/aws/sts.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/model/metrics.h"
#include "vpcx/sync/fetch.h"
#include "vpcx/sync/metrics.h"
#include "vpcx/ui/app.h"
#include "vpcx/ui/tree.h"
#include "vpcx/ui/views.h"

#define MIN_COLS  60
#define MIN_ROWS  15
#define WIDE_COLS 100 /* panes side by side from here */
#define STACK_MAX 8
#define HINTS     "?:help /:filter ::cmd Tab:pane q:quit"

#ifndef VPCX_VERSION
#define VPCX_VERSION "0.1.0"
#endif

enum focus { FOCUS_TREE, FOCUS_DETAIL };

struct rect {
    int y, x, h, w;
};

struct layout {
    bool too_small;
    bool stacked;
    struct rect tree, detail, full; /* content areas */
    struct rect tree_title, detail_title, full_title;
    int sep_x; /* vertical separator column (side by side) */
};

struct prompt {
    bool active;
    char kind; /* '/' or ':' */
    struct strbuf text;
    char *saved_filter; /* filter before '/', restored by Esc */
};

struct app {
    struct app_options opts;
    struct app_wait_stats wait_stats;
    struct inventory *inv;
    struct ui_term *term;
    struct theme theme;
    struct draw_palette palette;
    const struct ui_glyphs *glyphs;
    struct keymap *keymap;
    struct ui_config config;
    struct view *tree, *detail;
    struct view *stack[STACK_MAX];
    size_t n_stack;
    enum focus focus;
    bool pinned;          /* the detail shows a link, not the tree's selection */
    bool typeahead;       /* more keys queued after this one (headless: the rest of a line) */
    bool detail_deferred; /* the tree moved under queued keys; the detail follows when they stop */
    struct prompt prompt;
    struct strbuf message;
    enum theme_role message_role;
    char *scope;
    char *flat_region, *flat_profile; /* owned: opts.region/profile of a switched-to scope */
    char *account;                    /* from GetCallerIdentity when not given */
    char *arn;                        /* from GetCallerIdentity, when it was called */
    struct sts_identity_call identity;
    bool quit;
    int exit_signal; /* the SIGINT, SIGTERM or SIGHUP that ended the run, else 0 */
    bool dirty;
    uint64_t generation;
    uint64_t stack_generation; /* the inventory the views over the panes were built on */
    long long refreshed_ms;    /* monotonic time of the last rebuild of the views */
    bool refresh_owed;         /* a rebuild held back while pages land */
    struct fetch *fetch;
    /* Stale-while-revalidate. */
    time_t type_time[INV_TYPE_COUNT]; /* when each type's data was fetched; 0 = unknown */
    bool show_ages;
    bool refreshing; /* a refresh is under way: on_refresh is owed */
    time_t refresh_started;
    unsigned refreshed; /* types done in this refresh */
    long long max_age;
    /* The cache write a refresh owes, run in a child (core/bgjob), never in a paint. */
    struct bgjob *job;     /* the write running, or NULL */
    bool write_owed;       /* a refresh's write still to start */
    unsigned owed_fetched; /* its types (merged when refreshes pile up) */
    time_t owed_started;   /* the oldest of their times */
    unsigned job_fetched;  /* what the running write hands over */
    time_t job_started;
    long long retry_at; /* monotonic ms before which a skipped write waits */
    long retry_ms;      /* the backoff after a busy cache; 0 after a success */
    int wait_fd;        /* the loop's epoll set, -1 outside run_loop */
    bool job_unwatched; /* the write's pipe is not in wait_fd's set */
    struct layout layout;
    char *pending_copy;       /* OSC 52 payload written after the next paint */
    struct mutate_gate *gate; /* the one write gate, for the endpoint forms */
    char *pending_ip;         /* :ip asked while ENIs were loading, answered when they land */
    char **marks;             /* endpoint IDs marked with Space, sorted; x exports them */
    size_t n_marks;
    int tour_step;                      /* the step shown, -1: no tour */
    const struct tour_explain *explain; /* the :explain box shown, or NULL */
    bool login_asked;                   /* this refresh opened the sign-in dialog */
    struct metrics_cache *metrics;      /* CloudWatch metrics of opened endpoints; NULL offline */
    enum metrics_range metrics_range;   /* t cycles it */
    bool metrics_changed;               /* a metrics fetch ended: rebuild the detail */
    struct app_findings *findings;      /* the check engine's last run (findings.c) */
    bool scopes_dirty;                  /* a scope changed: merge again (appscopes.c) */
    struct tree_groups groups;          /* account > region > VPC over opts.scopes */
    struct scope_set *own_scopes;       /* made by :region or :profile from one scope */
    bool scopes_flat;                   /* one scope switched to: no account > region levels */
    struct bgjob **scope_jobs;          /* the scopes' cache writes running */
    size_t n_scope_jobs;
};

/* What a terminal takes in one OSC 52 write (xterm's default limit is 100000 bytes). */
#define APP_CLIPBOARD_MAX 100000

/* app.c */
struct view *app_focused_view(struct app *a);
/* Puts text on the terminal's clipboard (OSC 52) after the next paint; false when it is
   larger than a terminal takes. */
bool app_clipboard(struct app *a, const char *text);
void app_pop_view(struct app *a);
void app_sync_detail(struct app *a);
/* Ends the single scope's network (fetch, identity, metrics, cache writes) and writes:
   the explorer goes on over a scope set (appscopes.c). */
void app_single_stop(struct app *a);

/* commands.c */
void app_prompt_start(struct app *a, char kind);
void app_prompt_key(struct app *a, int key);
void app_apply_filter(struct app *a, const char *text);
void app_save_prompt(struct app *a);
void app_open_named(struct app *a, const char *name);
void app_open_form(struct app *a, const char *name);
/* Answers a pending :ip once the ENIs are in. */
void app_ip_pending(struct app *a);

/* findings.c */
void app_findings_create(struct app *a);
void app_findings_destroy(struct app *a);
/* Reruns the checks when the inventory changed and a run is due; true when it ran. */
bool app_findings_update(struct app *a);
/* Milliseconds until a rerun held back while pages land is due; -1 when none waits. */
long app_findings_timeout(struct app *a);
/* appscopes.c (all no-ops without opts.scopes) */
/* A staged cache load (appcache.c): still loading; one slice of max_usec, true
 * when that slice finished it; the status line while it runs. */
bool app_cache_loading(const struct app *a);
/* Pages or cache slices still landing: derived views may lag behind, within limits. */
bool app_landing(struct app *a);
bool app_cache_step(struct app *a, long max_usec);
void app_cache_status(struct app *a, struct ui_line *l);
#define APP_CACHE_SLICE_USEC 20000

void app_scopes_init(struct app *a);
/* At the end: waits for the scopes' cache writes, frees a set made by :region. */
void app_scopes_finish(struct app *a);
/* Merges the scopes into the app's inventory when one changed; true when it did. */
bool app_scopes_sync(struct app *a);
/* True while a scope loads or the scopes' engine has work. */
bool app_scopes_busy(struct app *a);
struct http_engine *app_scopes_http(struct app *a);
void app_scopes_refresh(struct app *a);
void app_scopes_status(struct app *a, struct ui_line *l);
/* :profile NAME|+NAME, :region NAME|+NAME. */
void app_scopes_command(struct app *a, const char *word, const char *arg);
/* The detail shows a resource: a scope read from a Config aggregator describes what
 * Config lacks, the first time one of its resources is shown. */
void app_scopes_opened(struct app *a, enum inv_type type, const char *id);
/* Why a VPC attribute is unknown when its scope came from Config ("not from Config",
 * "loading"), else NULL. */
const char *app_scopes_unknown_note(struct app *a, const char *vpc_id);

/* tour.c */
/* Starts the tour at step (1-based), or the first step after it with something to show. */
void app_tour_start(struct app *a, int step);
/* The tour's and the explain box's keys; false for a key they leave to the explorer. */
bool app_tour_key(struct app *a, int key);
void app_tour_paint(struct app *a);
/* :explain [TOPIC]: the selection's type, or TOPIC ("VPC endpoint.Private DNS"). */
void app_explain(struct app *a, const char *topic);

/* detailmetrics.c */
/* A new row of the detail: labelled (a field) or not (label NULL). */
typedef struct ui_line *(*detail_add_fn)(void *ud, const char *label);
/* The metrics rows of an endpoint's detail; asks for the fetch when none is cached. */
void app_metrics_rows(struct app *a, const struct inv_resource *ep, detail_add_fn add, void *ud);
/* The cache's on_change: the detail is rebuilt at the next paint. */
void app_metrics_changed(void *ud);
/* t: the next range (3h, 24h, 7d). */
void app_metrics_cycle(struct app *a);

/* exportui.c */
/* Space on the tree: marks or unmarks the selected endpoint; false when it is not one. */
bool app_mark_selection(struct app *a);
void app_marks_clear(struct app *a);
/* x: the command line, ready with ":export terraform " for what is marked or selected. */
void app_export_prompt(struct app *a);
/* :export [FORMAT] [FILE]: to FILE, else to the clipboard. */
void app_export_run(struct app *a, const char *format, const char *file);

#endif
