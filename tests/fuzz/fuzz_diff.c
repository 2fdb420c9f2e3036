/*
 * fuzz_diff: the diff of two documents (model/diff.h), as `vpcx diff A B`.
 *
 * Input: document A, a NUL byte, document B. When both load as snapshots
 * their inventories are diffed and the report rendered as text; otherwise,
 * when both are JSON, the two values are diffed as items. Anything diffed
 * against itself has no changes, and the report's count matches its lists.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "vpcx/core/status.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/model/diff.h"
#include "vpcx/model/inventory.h"
#include "vpcx/store/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct inventory *load(const char *buf, size_t len)
{
    struct inventory *inv = inventory_create();
    struct snapshot_meta meta;
    struct vpcx_error err;
    vpcx_error_init(&err);
    enum vpcx_status st = snapshot_load_buffer(buf, len, "fuzz", inv, &meta, NULL, &err);
    vpcx_error_finish(&err);
    if (st != VPCX_OK) {
        inventory_destroy(inv);
        return NULL;
    }
    snapshot_meta_finish(&meta);
    return inv;
}

static void diff_inventories_checked(const struct inventory *a, const struct inventory *b)
{
    cJSON *self = diff_inventories(a, a);
    if (diff_report_count(self) != 0)
        abort();
    cJSON_Delete(self);
    cJSON *r = diff_inventories(a, b);
    struct strbuf text;
    strbuf_init(&text, 0);
    diff_report_text(r, &text);
    for (size_t i = 0; i < text.len; i++)
        if ((unsigned char)text.buf[i] < 0x20 && text.buf[i] != '\n')
            abort(); /* AWS strings are sanitised */
    strbuf_release(&text);
    cJSON_Delete(r);
}

static void diff_values(const char *a, size_t alen, const char *b, size_t blen)
{
    cJSON *ja = cJSON_ParseWithLength(a, alen);
    cJSON *jb = cJSON_ParseWithLength(b, blen);
    if (ja && jb) {
        cJSON *self = diff_items(ja, ja);
        if (cJSON_GetArraySize(self) != 0)
            abort();
        cJSON_Delete(self);
        cJSON_Delete(diff_items(ja, jb));
    }
    cJSON_Delete(ja);
    cJSON_Delete(jb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *a = (const char *)data;
    const char *nul = memchr(a, '\0', size);
    if (!nul)
        return 0;
    size_t alen = (size_t)(nul - a), blen = size - alen - 1;
    const char *b = nul + 1;
    struct inventory *ia = load(a, alen);
    struct inventory *ib = ia ? load(b, blen) : NULL;
    if (ia && ib)
        diff_inventories_checked(ia, ib);
    else if (alen < 65536 && blen < 65536)
        diff_values(a, alen, b, blen); /* cJSON alone is unbounded: keep it small */
    inventory_destroy(ia);
    inventory_destroy(ib);
    return 0;
}
