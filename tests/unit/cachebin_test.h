/*
 * Shared by the cachebin unit test and its fuzzer: checksums recomputed as a
 * writer would (so damaged bytes reach the decoders), and a whole load of bytes
 * that must be refused or accepted, never crash or leak.
 */
#ifndef VPCX_TESTS_CACHEBIN_TEST_H
#define VPCX_TESTS_CACHEBIN_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "vpcx/core/status.h"
#include "vpcx/model/inventory.h"
#include "vpcx/store/cachebin.h"
#include "vpcx/store/snapshot.h"

#define CBT_HEADER_SIZE 64
#define CBT_ENTRY_SIZE  40

static inline uint64_t cbt_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static inline void cbt_sha8(const void *p, size_t n, uint8_t *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) && len >= 8)
        memcpy(out, md, 8);
}

/* Recomputes the section and header checksums in place; false when the table is unreadable. */
static inline bool cbt_reseal(uint8_t *d, size_t size)
{
    if (size < CBT_HEADER_SIZE)
        return false;
    uint64_t n = cbt_le(d + 20, 4);
    if (n == 0 || n > 64 || size < CBT_HEADER_SIZE + n * CBT_ENTRY_SIZE)
        return false;
    for (uint64_t i = 0; i < n; i++) {
        uint8_t *e = d + CBT_HEADER_SIZE + i * CBT_ENTRY_SIZE;
        uint64_t off = cbt_le(e + 8, 8), len = cbt_le(e + 16, 8);
        if (off <= size && len <= size - off)
            cbt_sha8(d + off, (size_t)len, e + 32);
    }
    memset(d + 56, 0, 8);
    uint8_t check[8] = {0};
    cbt_sha8(d, CBT_HEADER_SIZE + n * CBT_ENTRY_SIZE, check);
    memcpy(d + 56, check, 8);
    return true;
}

/* Opens and loads every step of the bytes; the outcome does not matter, the run does. */
static inline void cbt_load_any(const uint8_t *d, size_t size, const char *label)
{
    struct cachebin *cb = NULL;
    struct vpcx_error err;
    vpcx_error_init(&err);
    struct inventory *inv = inventory_create();
    if (cachebin_open_buffer(d, size, label, NULL, &cb, &err) == VPCX_OK) {
        struct snapshot_meta meta = {0};
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

#endif
