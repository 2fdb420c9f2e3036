/*
 * fuzz_ini: the ~/.aws/config and ~/.aws/credentials parser (aws/ini.h).
 *
 * Input: the whole file. After a successful parse every section, entry and nested pair
 * is looked up again through the public accessors, which must find what was parsed,
 * including the [DEFAULT] keys each section inherits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vpcx/aws/ini.h"
#include "vpcx/core/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_entry(const struct ini_section *sec, const struct ini_entry *e)
{
    if (!e->key)
        abort();
    /* Keys are unique in a section, so the lookup finds this very entry. */
    if (ini_section_entry(sec, e->key) != e)
        abort();
    if (e->nested != (e->value == NULL))
        abort();
    if (!e->nested && ini_section_get(sec, e->key) != e->value)
        abort();
    for (size_t i = 0; i < e->nsub; i++) {
        if (!e->sub[i].key || !e->sub[i].value)
            abort();
        if (!ini_entry_sub(e, e->sub[i].key))
            abort();
    }
}

static void check_file(const struct ini_file *ini)
{
    for (size_t s = 0; s < ini->nsections; s++) {
        const struct ini_section *sec = &ini->sections[s];
        if (!sec->name || ini_file_section(ini, sec->name) != sec)
            abort();
        for (size_t i = 0; i < sec->nentries; i++)
            check_entry(sec, &sec->entries[i]);
        /* Own and inherited keys alike are what a lookup finds. */
        size_t pos = 0;
        for (const struct ini_entry *e = ini_section_each(sec, &pos); e;
             e = ini_section_each(sec, &pos))
            check_entry(sec, e);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ini_file ini;
    struct vpcx_error err;
    ini_file_init(&ini);
    vpcx_error_init(&err);
    enum vpcx_status st = ini_parse_buffer(&ini, "fuzz", (const char *)data, size, &err);
    if (st == VPCX_OK)
        check_file(&ini);
    else if (ini.nsections != 0)
        abort(); /* the contract: a failed parse leaves ini empty */
    vpcx_error_finish(&err);
    ini_file_finish(&ini);
    return 0;
}
