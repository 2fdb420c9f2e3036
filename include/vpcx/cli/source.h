/*
 * source: where an inventory comes from for a command: AWS (through a
 * session), a snapshot file, or the demo inventory compiled into vpcx.
 */
#ifndef VPCX_CLI_SOURCE_H
#define VPCX_CLI_SOURCE_H

#include <cjson/cJSON.h>

#include "vpcx/aws/session.h"
#include "vpcx/cli/cli.h"
#include "vpcx/model/inventory.h"
#include "vpcx/model/metrics.h"
#include "vpcx/store/cache.h"
#include "vpcx/store/snapshot.h"
#include "vpcx/sync/fetch.h"

struct source_result {
    struct inventory *inv;
    struct snapshot_meta meta;
    cJSON *errors;          /* Errors list: {"Type", "Operation", "Code", ...} */
    unsigned failed;        /* resource types that failed */
    unsigned succeeded;     /* resource types fetched or loaded */
    enum vpcx_status worst; /* the status that decides the exit code when all failed */
};

#define SOURCE_CONCURRENCY 16 /* requests in flight in all, by default */
#define SOURCE_PER_HOST    8  /* and to one host */

/* Maps the command line to session options (profile, region, endpoint...). */
void source_session_options(const struct cli_options *opts, struct aws_session_options *out);

/*
 * Loads the inventory the options ask for. Returns a status only for failures
 * that leave nothing to show (bad settings, no credentials, unreadable file);
 * per-type failures are in res->errors. Messages go to err.
 */
enum vpcx_status source_load(const struct cli_options *opts, struct source_result *res,
                             struct vpcx_error *err);
void source_result_finish(struct source_result *res);
/* source_load for a command: VPCX_EXIT_OK with res loaded (finish it), or the error
 * reported on stderr, res finished, and the exit code. */
int source_load_or_report(const struct cli_options *opts, struct source_result *res);
/* The exit code for a load: ok, partial, or the class of the worst failure. */
int source_exit_code(const struct source_result *res);

/* Pieces of source_load for cli/scopes, which loads many scopes at once. */
/* Adds an entry to res->errors and counts it. */
void source_record_error(struct source_result *res, const char *type, const char *operation,
                         const struct vpcx_error *e);
/* Records each failed type of f (reported on stderr, prefixed with scope when
 * not NULL); returns the mask of the types fetched whole. */
unsigned source_collect_fetch_errors(struct source_result *res, const struct fetch *f,
                                     const char *scope);
/* The Metadata of a fetch through session s. */
void source_fill_meta(struct source_result *res, const struct aws_session *s, const char *account,
                      const char *arn);
/* Writes the fetched types to the cache of s's profile, region and endpoint. */
void source_save_cache(const struct aws_session *s, struct source_result *res, unsigned fetched);
/* Loads the inventory cached for s's profile, region and endpoint. */
enum vpcx_status source_load_cache(const struct aws_session *s, struct source_result *res,
                                   struct vpcx_error *err);

/* The cache directory (store/cache.h) from the process environment. */
enum vpcx_status source_cache_dir(char **out, struct vpcx_error *err);
/* The cache key of resolved settings (pointers into s). */
void source_cache_key(struct cache_key *key, const struct aws_settings *s);

/*
 * The config file's text ($XDG_CONFIG_HOME/vpcx/config, else
 * ~/.config/vpcx/config): *text and *path malloc'd (caller frees), *text NULL
 * when the file does not exist. VPCX_ERR_IO when it exists but cannot be read.
 */
enum vpcx_status source_config_text(char **text, size_t *len, char **path, struct vpcx_error *err);

/* --metrics of check and cost: the last 3 h of CloudWatch metrics of every available
 * interface (and Gateway Load Balancer) endpoint of inv, one GetMetricData each, all at once
 * on a session of opts. Failures are counted, the first kept and reported on stderr once;
 * the endpoints that answered are in v. Pair with source_metrics_finish(). */
struct source_metrics {
    struct metrics_set **v;
    size_t n;
    unsigned failed;
    struct vpcx_error error; /* the first failure */
};
void source_fetch_metrics(const struct cli_options *opts, const struct inventory *inv,
                          struct source_metrics *out);
const struct metrics_set *source_metrics_find(const struct source_metrics *m,
                                              const char *endpoint_id);
void source_metrics_finish(struct source_metrics *m);

/* The demo inventory compiled into the binary. */
const char *demo_json(size_t *len);

#endif
