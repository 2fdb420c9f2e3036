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

#include "../unit/cachebin_test.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cbt_load_any(data, size, "fuzz");
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    if (cbt_reseal(copy, size))
        cbt_load_any(copy, size, "fuzz");
    free(copy);
    return 0;
}
