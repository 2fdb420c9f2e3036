/* `vpcx cache list|clear`, `vpcx snapshot save FILE`, `vpcx diff A B`. */
#include "vpcx/cli/commands.h"

#include "vpcx/cli/source.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/diff.h"
#include "vpcx/store/cache.h"
#include "vpcx/store/snapfile.h"
#include "vpcx/store/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Reports err, releases it and returns the exit code. */
static int fail(struct vpcx_error *err)
{
    int code = cli_fail(err);
    vpcx_error_finish(err);
    return code;
}

static void print_entry_text(const struct cache_entry *e)
{
    struct strbuf sb, age;
    strbuf_init(&sb, 128);
    strbuf_init(&age, 16);
    cache_format_age(&age, e->age);
    /* Account and region come from files too: printed like every other field. */
    char *account = sanitize_dup(e->account ? e->account : "?", SANITIZE_ESCAPE);
    char *region = sanitize_dup(e->region ? e->region : "?", SANITIZE_ESCAPE);
    printf("%-14s %-15s %6s %9lld  ", account, region, age.buf, e->size);
    free(account);
    free(region);
    strbuf_release(&age);
    sanitize_add(&sb, e->endpoint ? e->endpoint : "?", strlen(e->endpoint ? e->endpoint : "?"),
                 SANITIZE_ESCAPE);
    for (size_t i = 0; i < e->n_profiles; i++) {
        strbuf_addstr(&sb, i ? "," : "  [");
        sanitize_add(&sb, e->profiles[i], strlen(e->profiles[i]), SANITIZE_ESCAPE);
    }
    if (e->n_profiles)
        strbuf_addch(&sb, ']');
    if (e->problem) {
        strbuf_addstr(&sb, "  UNUSABLE: ");
        sanitize_add(&sb, e->problem, strlen(e->problem), SANITIZE_ESCAPE);
    } else if (e->bin_problem) {
        strbuf_addstr(&sb, "  (binary form not used: ");
        sanitize_add(&sb, e->bin_problem, strlen(e->bin_problem), SANITIZE_ESCAPE);
        strbuf_addch(&sb, ')');
    }
    printf("%s\n", sb.buf);
    strbuf_release(&sb);
}

static cJSON *entry_json(const struct cache_entry *e)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "Path", e->path);
    if (e->account)
        cJSON_AddStringToObject(o, "Account", e->account);
    if (e->region)
        cJSON_AddStringToObject(o, "Region", e->region);
    if (e->endpoint)
        cJSON_AddStringToObject(o, "Endpoint", e->endpoint);
    cJSON *profiles = cJSON_AddArrayToObject(o, "Profiles");
    for (size_t i = 0; i < e->n_profiles; i++)
        cJSON_AddItemToArray(profiles, cJSON_CreateString(e->profiles[i]));
    if (e->fetched_at)
        cJSON_AddStringToObject(o, "FetchedAt", e->fetched_at);
    cJSON_AddNumberToObject(o, "AgeSeconds", (double)e->age);
    cJSON_AddNumberToObject(o, "Size", (double)e->size);
    if (e->bin_size >= 0)
        cJSON_AddNumberToObject(o, "BinarySize", (double)e->bin_size);
    if (e->bin_problem)
        cJSON_AddStringToObject(o, "BinaryProblem", e->bin_problem);
    if (e->problem)
        cJSON_AddStringToObject(o, "Problem", e->problem);
    return o;
}

static int cache_list_cmd(const struct cli_options *opts, const char *dir)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    struct cache_listing list;
    if (cache_list(dir, time(NULL), &list, &err) != VPCX_OK)
        return fail(&err);
    if (opts->format_given && opts->format == CLI_FORMAT_JSON) {
        cJSON *arr = cJSON_CreateArray();
        for (size_t i = 0; i < list.n; i++)
            cJSON_AddItemToArray(arr, entry_json(&list.v[i]));
        char *text = snapshot_print_json(arr, true);
        puts(text);
        free(text);
        cJSON_Delete(arr);
    } else if (list.n == 0) {
        printf("no cached inventories in %s\n", dir);
    } else {
        printf("%-14s %-15s %6s %9s  %s\n", "ACCOUNT", "REGION", "AGE", "BYTES",
               "ENDPOINT  [PROFILES]");
        for (size_t i = 0; i < list.n; i++)
            print_entry_text(&list.v[i]);
    }
    cache_listing_finish(&list);
    return VPCX_EXIT_OK;
}

int cmd_cache(const struct cli_options *opts)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    char *dir = NULL;
    if (source_cache_dir(&dir, &err) != VPCX_OK)
        return fail(&err);
    int code;
    if (strcmp(opts->args[0], "list") == 0) {
        code = cache_list_cmd(opts, dir);
    } else if (strcmp(opts->args[0], "clear") == 0) {
        const struct cache_filter filter = {.region = opts->region, .profile = opts->profile};
        size_t removed = 0;
        if (cache_clear(dir, &filter, &removed, &err) != VPCX_OK) {
            code = fail(&err);
        } else {
            printf("removed %zu cached inventor%s from %s\n", removed, removed == 1 ? "y" : "ies",
                   dir);
            code = VPCX_EXIT_OK;
        }
    } else {
        fprintf(stderr, "vpcx: cache takes list or clear, not '%s'\n", opts->args[0]);
        code = VPCX_EXIT_USAGE;
    }
    free(dir);
    return code;
}

int cmd_snapshot(const struct cli_options *opts)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    if (strcmp(opts->args[0], "save") != 0) {
        fprintf(stderr, "vpcx: snapshot takes save FILE, not '%s'\n", opts->args[0]);
        return VPCX_EXIT_USAGE;
    }
    struct source_result res;
    int code = source_load_or_report(opts, &res);
    if (code != VPCX_EXIT_OK)
        return code;
    code = source_exit_code(&res);
    if (res.succeeded > 0) {
        if (snapfile_save(opts->args[1], res.inv, &res.meta, res.errors, &err) != VPCX_OK)
            code = fail(&err);
        else
            fprintf(stderr, "vpcx: saved %s\n", opts->args[1]);
    }
    source_result_finish(&res);
    return code;
}

static enum vpcx_status load_side(const char *path, struct inventory **inv, struct vpcx_error *err)
{
    struct snapshot_meta meta;
    *inv = inventory_create();
    enum vpcx_status st = snapshot_load_file(path, *inv, &meta, NULL, err);
    snapshot_meta_finish(&meta);
    return st;
}

/* As diff(1) exits: the same, different, or trouble (a file unreadable, output failed). */
enum { DIFF_EXIT_SAME = 0, DIFF_EXIT_DIFFERENT = 1, DIFF_EXIT_TROUBLE = 2 };

static bool print_report(const struct cli_options *opts, const cJSON *report)
{
    if (opts->format_given && opts->format == CLI_FORMAT_JSON) {
        char *text = snapshot_print_json(report, opts->pretty);
        bool ok = text && puts(text) != EOF;
        free(text);
        return ok;
    }
    struct strbuf sb;
    strbuf_init(&sb, 1024);
    diff_report_text(report, &sb);
    bool ok = fputs(sb.buf, stdout) != EOF;
    strbuf_release(&sb);
    return ok;
}

int cmd_diff(const struct cli_options *opts)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    struct inventory *a = NULL, *b = NULL;
    int code;
    if (load_side(opts->args[0], &a, &err) != VPCX_OK ||
        load_side(opts->args[1], &b, &err) != VPCX_OK) {
        cli_report(NULL, &err);
        code = DIFF_EXIT_TROUBLE;
    } else {
        cJSON *report = diff_inventories(a, b);
        code = diff_report_count(report) ? DIFF_EXIT_DIFFERENT : DIFF_EXIT_SAME;
        if (!print_report(opts, report) || fflush(stdout) != 0) {
            fprintf(stderr, "vpcx: cannot write the diff: %s\n", strerror(errno));
            code = DIFF_EXIT_TROUBLE;
        }
        cJSON_Delete(report);
    }
    vpcx_error_finish(&err);
    inventory_destroy(a);
    inventory_destroy(b);
    return code;
}
