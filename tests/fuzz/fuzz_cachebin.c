/*
 * fuzz_cachebin: loading the cache's binary form (store/cachebin.h): header,
 * section table, member names, metadata, items and VPC attributes.
 *
 * Input: the file's bytes. When the header and table parse, every checksum is
 * recomputed first (as a writer would), so the fuzzer reaches the decoders
 * instead of stopping at a checksum; the file with its own checksums is loaded
 * too. Either load must be refused or succeed, never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "vpcx/core/status.h"
#include "vpcx/model/inventory.h"
#include "vpcx/store/cachebin.h"
#include "vpcx/store/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEADER_SIZE 64
#define ENTRY_SIZE  40

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void sha8(const void *p, size_t n, uint8_t *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) && len >= 8)
        memcpy(out, md, 8);
}

/* Recomputes the section and header checksums in place when the table is readable. */
static void reseal(uint8_t *d, size_t size)
{
    if (size < HEADER_SIZE)
        return;
    uint64_t n = le(d + 20, 4);
    if (n == 0 || n > 64 || size < HEADER_SIZE + n * ENTRY_SIZE)
        return;
    for (uint64_t i = 0; i < n; i++) {
        uint8_t *e = d + HEADER_SIZE + i * ENTRY_SIZE;
        uint64_t off = le(e + 8, 8), len = le(e + 16, 8);
        if (off <= size && len <= size - off)
            sha8(d + off, (size_t)len, e + 32);
    }
    memset(d + 56, 0, 8);
    uint8_t check[8] = {0};
    sha8(d, HEADER_SIZE + n * ENTRY_SIZE, check);
    memcpy(d + 56, check, 8);
}

static void load(const uint8_t *data, size_t size)
{
    struct cachebin *cb = NULL;
    struct vpcx_error err;
    vpcx_error_init(&err);
    struct inventory *inv = inventory_create();
    if (cachebin_open_buffer(data, size, "fuzz", NULL, &cb, &err) == VPCX_OK) {
        struct snapshot_meta meta;
        cJSON *errors = NULL;
        enum vpcx_status st = cachebin_read_meta(cb, &meta, &errors, &err);
        bool done = false;
        while (st == VPCX_OK && !done)
            st = cachebin_load_step(cb, inv, 0, false, &done, &err);
        snapshot_meta_finish(&meta);
        cJSON_Delete(errors);
    }
    cachebin_close(cb);
    inventory_destroy(inv);
    vpcx_error_finish(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load(data, size);
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    reseal(copy, size);
    load(copy, size);
    free(copy);
    return 0;
}
