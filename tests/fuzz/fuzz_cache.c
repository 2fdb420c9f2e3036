/*
 * fuzz_cache: loading a cache file (store/cache.h cache_load), which checks
 * the file and bounds the parse before the document reaches the inventory.
 *
 * Input: the file's bytes, written to a private temporary file. A failed
 * load must leave the inventory as it was; a good one must write back and
 * load again to the same counts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "vpcx/core/status.h"
#include "vpcx/model/inventory.h"
#include "vpcx/store/cache.h"
#include "vpcx/store/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t total(const struct inventory *inv)
{
    size_t n = 0;
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        n += inventory_count(inv, (enum inv_type)t);
    return n;
}

static void check_round_trip(const struct inventory *inv, const struct snapshot_meta *meta)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        return;
    struct vpcx_error err;
    vpcx_error_init(&err);
    if (snapshot_write(out, inv, meta, NULL, false, &err) != VPCX_OK)
        abort();
    fclose(out);
    struct inventory *back = inventory_create();
    struct snapshot_meta m2;
    if (snapshot_load_buffer(text, len, "again", back, &m2, NULL, &err) != VPCX_OK)
        abort();
    if (total(back) != total(inv))
        abort();
    snapshot_meta_finish(&m2);
    inventory_destroy(back);
    vpcx_error_finish(&err);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/vpcx-fuzz-cache-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    FILE *f = fdopen(fd, "wb");
    if (!f || fwrite(data, 1, size, f) != size) {
        if (f)
            fclose(f);
        unlink(path);
        return 0;
    }
    fclose(f);
    struct inventory *inv = inventory_create();
    struct snapshot_meta meta;
    struct vpcx_error err;
    vpcx_error_init(&err);
    cJSON *errors = NULL;
    enum vpcx_status st = cache_load(path, inv, &meta, &errors, &err);
    if (st == VPCX_OK) {
        check_round_trip(inv, &meta);
        snapshot_meta_finish(&meta);
    } else if (total(inv) != 0 || errors || !err.message) {
        abort(); /* a refused file changes nothing and says why */
    }
    cJSON_Delete(errors);
    vpcx_error_finish(&err);
    inventory_destroy(inv);
    unlink(path);
    return 0;
}
