/* The rest of a staged cache load (store/cache.h), a slice per loop turn after the
 * first paint, so the tree shows VPCs and subnets while the ENIs are still read. */
#include "app_internal.h"

#include "vpcx/store/cache.h"

#include <stdlib.h>
#include <time.h>

bool app_cache_loading(const struct app *a)
{
    return cache_loader_busy(a->opts.cache_loader);
}

bool app_cache_step(struct app *a, long max_usec)
{
    if (!app_cache_loading(a))
        return false;
    struct vpcx_error note;
    vpcx_error_init(&note);
    bool done = false;
    cache_load_step(a->opts.cache_loader, a->inv, max_usec, &done, &note);
    if (note.status != VPCX_OK) {
        char *line = vpcx_error_format(&note);
        app_message(a, ROLE_WARN, "cache: %s", line);
        free(line);
    }
    vpcx_error_finish(&note);
    a->dirty = true;
    return !app_cache_loading(a);
}

void app_cache_status(struct app *a, struct ui_line *l)
{
    size_t loaded, total;
    cache_loader_progress(a->opts.cache_loader, &loaded, &total);
    line_addf(l, ROLE_STATUS,
              " loading the cache: %zu of %zu resources; the rest of the tree "
              "fills in as they arrive",
              loaded, total);
}
