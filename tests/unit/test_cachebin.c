/* The cache's binary form (store/cachebin.h) and the staged load (store/cache.h):
 * the same inventory as the JSON, and every damaged file refused, never a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cachebin_test.h"
#include "testutil.h"
#include "vpcx/store/cache.h"
#include "vpcx/store/cachebin.h"
#include "vpcx/store/snapshot.h"

#define HEADER_SIZE CBT_HEADER_SIZE
#define ENTRY_SIZE  CBT_ENTRY_SIZE

/* ---- fixtures ------------------------------------------------------------ */

/* The demo inventory (data/demo.json) as a document; keep: items per list (0: all). */
static cJSON *demo_doc(size_t keep)
{
    char *path = xasprintf("%s/data/demo.json", test_srcdir());
    size_t len;
    char *text = test_read_file(path, &len);
    assert_non_null(text);
    cJSON *doc = cJSON_ParseWithLength(text, len);
    assert_non_null(doc);
    free(text);
    free(path);
    cJSON *list;
    cJSON_ArrayForEach(list, doc)
    {
        if (!cJSON_IsArray(list) || keep == 0)
            continue;
        while (cJSON_GetArraySize(list) > (int)keep)
            cJSON_DeleteItemFromArray(list, cJSON_GetArraySize(list) - 1);
    }
    return doc;
}

/* Values the JSON form prints exactly and the binary form must keep: doubles,
 * negatives, big integers, null, nesting, escapes, non-ASCII, empty containers. */
static void add_odd_values(cJSON *doc)
{
    cJSON *vpcs = cJSON_GetObjectItemCaseSensitive(doc, "Vpcs");
    cJSON *odd = cJSON_Parse(
        "{\"VpcId\":\"vpc-0dd\",\"CidrBlock\":\"10.9.0.0/16\",\"Ratio\":0.125,\"Neg\":-3,"
        "\"Big\":9007199254740993,\"Huge\":1e300,\"Nothing\":null,\"Empty\":{},\"None\":[],"
        "\"Deep\":[[1,[2,[3,{\"k\":[true,false]}]]]],\"Text\":\"tab\\t quote\\\" \\u00e9 \\u2603\","
        "\"Tags\":[{\"Key\":\"Name\",\"Value\":\"odd \\u001b[31m\"}]}");
    assert_non_null(odd);
    cJSON_AddItemToArray(vpcs, odd);
}

/* A type whose fetch failed: an empty list named in Errors stays not loaded. */
static void add_failed_type(cJSON *doc)
{
    cJSON *logs = cJSON_GetObjectItemCaseSensitive(doc, "FlowLogs");
    while (cJSON_GetArraySize(logs) > 0)
        cJSON_DeleteItemFromArray(logs, 0);
    cJSON *errors = cJSON_GetObjectItemCaseSensitive(doc, "Errors");
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "Type", "FlowLogs");
    cJSON_AddStringToObject(e, "Status", "ERR_ACCESS_DENIED");
    cJSON_AddStringToObject(e, "Message", "not authorized");
    cJSON_AddItemToArray(errors, e);
}

struct fixture {
    char *dir;  /* the cache directory */
    char *json; /* the cache file */
    char *bin;  /* its binary form */
    char *want; /* the dump of the JSON cache, read back */
    size_t want_len;
};

/* The dump (snapshot_write) of an inventory with its meta and errors. */
static char *dump_of(const struct inventory *inv, const struct snapshot_meta *meta,
                     const cJSON *errors, size_t *len)
{
    char *text = NULL;
    FILE *out = open_memstream(&text, len);
    assert_non_null(out);
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(snapshot_write(out, inv, meta, errors, false, &err), VPCX_OK);
    fclose(out);
    vpcx_error_finish(&err);
    return text;
}

static char *loaded_flags(const struct inventory *inv)
{
    char *s = xmalloc(INV_TYPE_COUNT + 1);
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        s[t] = inventory_type_loaded(inv, (enum inv_type)t) ? 'L' : '-';
    s[INV_TYPE_COUNT] = '\0';
    return s;
}

static char *json_flags;

/* Saves doc as a cache (JSON and binary) and reads the JSON back for the expected dump. */
static void fixture_init(struct fixture *f, cJSON *doc)
{
    char tmpl[] = "/tmp/vpcx-cachebinXXXXXX";
    assert_non_null(mkdtemp(tmpl));
    f->dir = xstrdup(tmpl);
    char *text = cJSON_PrintUnformatted(doc);
    struct inventory *inv = inventory_create();
    struct snapshot_meta meta;
    cJSON *errors = NULL;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(snapshot_load_buffer(text, strlen(text), "fixture", inv, &meta, &errors, &err),
                     VPCX_OK);
    free(text);
    free(meta.account);
    meta.account = xstrdup("111122223333");
    free(meta.region);
    meta.region = xstrdup("us-east-1");
    free(meta.endpoint);
    meta.endpoint = xstrdup("http://127.0.0.1:5000");
    assert_int_equal(cache_save(f->dir, inv, &meta, errors, &f->json, &err), VPCX_OK);
    f->bin = cache_bin_path(f->json);
    struct stat sb;
    assert_int_equal(stat(f->bin, &sb), 0);
    assert_true(S_ISREG(sb.st_mode) && (sb.st_mode & 0777) == 0600);
    inventory_destroy(inv);
    snapshot_meta_finish(&meta);
    cJSON_Delete(errors);

    /* The reference: the JSON cache file alone. */
    inv = inventory_create();
    assert_int_equal(snapshot_load_file(f->json, inv, &meta, &errors, &err), VPCX_OK);
    f->want = dump_of(inv, &meta, errors, &f->want_len);
    free(json_flags);
    json_flags = loaded_flags(inv);
    inventory_destroy(inv);
    snapshot_meta_finish(&meta);
    cJSON_Delete(errors);
    vpcx_error_finish(&err);
}

static void fixture_finish(struct fixture *f)
{
    char *cmd = xasprintf("rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(f->dir);
    free(f->json);
    free(f->bin);
    free(f->want);
}

static char *read_all(const char *path, size_t *len)
{
    char *data = test_read_file(path, len);
    assert_non_null(data);
    return data;
}

static void write_all(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Loads the cache through cache_load_noted: the dump must be the JSON's; *note gets
 * the reason the binary form was not used (caller frees; NULL when it was). */
static void load_expect_same(const struct fixture *f, char **note_out)
{
    struct inventory *inv = inventory_create();
    struct snapshot_meta meta;
    cJSON *errors = NULL;
    struct vpcx_error err, note;
    vpcx_error_init(&err);
    vpcx_error_init(&note);
    enum vpcx_status st = cache_load_noted(f->json, inv, &meta, &errors, &note, &err);
    if (st != VPCX_OK)
        fail_msg("cache_load_noted: %s", err.message);
    size_t len;
    char *got = dump_of(inv, &meta, errors, &len);
    if (len != f->want_len || memcmp(got, f->want, len) != 0)
        fail_msg("the dump differs from the JSON cache's (note: %s)",
                 note.message ? note.message : "none");
    char *flags = loaded_flags(inv);
    assert_string_equal(flags, json_flags);
    free(flags);
    free(got);
    *note_out = note.status != VPCX_OK ? vpcx_error_format(&note) : NULL;
    inventory_destroy(inv);
    snapshot_meta_finish(&meta);
    cJSON_Delete(errors);
    vpcx_error_finish(&err);
    vpcx_error_finish(&note);
}

/* ---- the same inventory --------------------------------------------------- */

static void test_same_dump_as_json(void **state)
{
    (void)state;
    cJSON *doc = demo_doc(0);
    add_odd_values(doc);
    add_failed_type(doc);
    struct fixture f;
    fixture_init(&f, doc);
    cJSON_Delete(doc);
    assert_non_null(strchr(json_flags, '-')); /* the failed type stays not loaded */
    char *note;
    load_expect_same(&f, &note);
    if (note)
        fail_msg("the binary form was not used: %s", note);

    /* And it was the binary form that was read: without the JSON's content (same
       stamp, garbage inside) the load still gives the dump. */
    size_t len;
    char *json = read_all(f.json, &len);
    struct stat before;
    assert_int_equal(stat(f.json, &before), 0);
    int fd = open(f.json, O_WRONLY);
    assert_true(fd >= 0);
    char *junk = xmalloc(len);
    memset(junk, 'x', len);
    assert_int_equal(write(fd, junk, len), (ssize_t)len);
    struct timespec times[2] = {before.st_atim, before.st_mtim};
    assert_int_equal(futimens(fd, times), 0);
    close(fd);
    load_expect_same(&f, &note);
    assert_null(note);
    write_all(f.json, json, len);
    free(junk);
    free(json);
    fixture_finish(&f);
}

/* The staged load: the first types before any ENI, the rest slice by slice. */
static void test_staged_load(void **state)
{
    (void)state;
    struct fixture f;
    cJSON *doc = demo_doc(0);
    fixture_init(&f, doc);
    cJSON_Delete(doc);
    struct inventory *inv = inventory_create();
    struct snapshot_meta meta;
    cJSON *errors = NULL;
    struct cache_loader *l = NULL;
    struct vpcx_error err, note;
    vpcx_error_init(&err);
    vpcx_error_init(&note);
    assert_int_equal(cache_load_begin(f.json, inv, &meta, &errors, &l, &note, &err), VPCX_OK);
    assert_int_equal(note.status, VPCX_OK);
    assert_true(cache_loader_busy(l));
    assert_true(inventory_count(inv, INV_VPC) > 0 && inventory_count(inv, INV_SUBNET) > 0);
    assert_true(inventory_type_loaded(inv, INV_SUBNET));
    assert_true(inventory_type_loaded(inv, INV_ENDPOINT));
    assert_int_equal(inventory_count(inv, INV_ENI), 0);
    assert_false(inventory_type_loaded(inv, INV_ENI));
    /* VPC attributes come with the VPCs. */
    const struct inv_resource *vpc = inventory_find(inv, INV_VPC, "vpc-30e24bdcd19a93686");
    assert_non_null(vpc);
    assert_int_equal(vpc->vpc.dns_support, INV_YES);
    assert_int_equal(vpc->vpc.dns_hostnames, INV_NO);
    size_t loaded, total, last = 0, steps = 0;
    cache_loader_progress(l, &loaded, &total);
    assert_true(loaded > 0 && loaded < total);
    bool done = false;
    while (!done) {
        assert_int_equal(cache_load_step(l, inv, 1, &done, &note), VPCX_OK);
        cache_loader_progress(l, &loaded, &total);
        assert_true(done || loaded >= last);
        last = loaded;
        steps++;
    }
    assert_true(steps > 2); /* 1 us slices: many */
    assert_false(cache_loader_busy(l));
    assert_int_equal(note.status, VPCX_OK);
    size_t len;
    char *got = dump_of(inv, &meta, errors, &len);
    assert_int_equal(len, f.want_len);
    assert_memory_equal(got, f.want, len);
    free(got);
    cache_loader_destroy(l);
    inventory_destroy(inv);
    snapshot_meta_finish(&meta);
    cJSON_Delete(errors);
    vpcx_error_finish(&err);
    vpcx_error_finish(&note);
    fixture_finish(&f);
}

/* ---- damaged files --------------------------------------------------------- */

struct table {
    size_t n;
    uint64_t off[64], len[64];
};

static void read_table(const unsigned char *d, size_t size, struct table *t)
{
    assert_true(size >= HEADER_SIZE);
    t->n = d[20] | (size_t)d[21] << 8;
    assert_true(t->n > 0 && t->n <= 64);
    for (size_t i = 0; i < t->n; i++) {
        const unsigned char *e = d + HEADER_SIZE + i * ENTRY_SIZE;
        t->off[i] = t->len[i] = 0;
        for (int k = 7; k >= 0; k--) {
            t->off[i] = t->off[i] << 8 | e[8 + k];
            t->len[i] = t->len[i] << 8 | e[16 + k];
        }
    }
}

/* A file that lies consistently: every checksum recomputed, as a writer would. */
static void reseal(unsigned char *d, size_t size)
{
    assert_true(cbt_reseal(d, size));
}

/* The binary form as bytes must be refused, at open or at a later step, and never crash. */
static void expect_refused(const unsigned char *d, size_t size, const char *what)
{
    struct cachebin *cb = NULL;
    struct vpcx_error err;
    vpcx_error_init(&err);
    enum vpcx_status st = cachebin_open_buffer(d, size, "test", NULL, &cb, &err);
    struct inventory *inv = inventory_create();
    if (st == VPCX_OK) {
        struct snapshot_meta meta;
        st = cachebin_read_meta(cb, &meta, NULL, &err);
        snapshot_meta_finish(&meta);
        bool done = false;
        while (st == VPCX_OK && !done)
            st = cachebin_load_step(cb, inv, 0, false, &done, &err);
    }
    if (st == VPCX_OK)
        fail_msg("%s: accepted", what);
    assert_non_null(err.message);
    assert_null(strchr(err.message, '\n')); /* one line */
    cachebin_close(cb);
    inventory_destroy(inv);
    vpcx_error_finish(&err);
}

static void test_truncated_and_flipped(void **state)
{
    (void)state;
    cJSON *doc = demo_doc(2);
    add_odd_values(doc);
    add_failed_type(doc);
    struct fixture f;
    fixture_init(&f, doc);
    cJSON_Delete(doc);
    size_t size;
    unsigned char *d = (unsigned char *)read_all(f.bin, &size);
    struct table t;
    read_table(d, size, &t);

    /* Truncated: at every section boundary (and a byte either side), and in the header. */
    for (size_t i = 0; i < t.n; i++) {
        size_t cuts[] = {(size_t)t.off[i], (size_t)t.off[i] + 1, (size_t)(t.off[i] + t.len[i]) - 1};
        for (size_t k = 0; k < 3; k++)
            if (cuts[k] < size)
                expect_refused(d, cuts[k], "truncated");
    }
    for (size_t cut = 0; cut <= HEADER_SIZE + t.n * ENTRY_SIZE; cut += 7)
        expect_refused(d, cut, "truncated header");

    /* One flipped bit anywhere. */
    for (size_t i = 0; i < size; i++) {
        d[i] ^= 0x20;
        expect_refused(d, size, "flipped");
        d[i] ^= 0x20;
    }

    /* Another format version, even with every checksum right. */
    d[8] = CACHEBIN_VERSION + 1;
    reseal(d, size);
    expect_refused(d, size, "version");
    d[8] = CACHEBIN_VERSION;
    d[16] ^= 1; /* another inventory type count */
    reseal(d, size);
    expect_refused(d, size, "types");
    d[16] ^= 1;
    reseal(d, size);

    /* Consistent lies: every byte of the sections replaced (checksums redone) loads
       or is refused, never crashes. */
    unsigned char *work = xmalloc(size);
    unsigned seed = 1;
    for (size_t i = HEADER_SIZE + t.n * ENTRY_SIZE; i < size; i++) {
        memcpy(work, d, size);
        for (int k = 0; k < 3; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = i + (k ? (seed >> 8) % 16 : 0);
            if (at < size)
                work[at] = k == 0 ? (unsigned char)(seed >> 16) : (unsigned char)0xff;
        }
        reseal(work, size);
        cbt_load_any(work, size, "test");
    }
    free(work);

    /* The untouched file still loads to the JSON's dump. */
    char *note;
    load_expect_same(&f, &note);
    assert_null(note);
    free(d);
    fixture_finish(&f);
}

/* Through the cache: a refused binary form is named in the note and the JSON is read. */
static void expect_fallback(const struct fixture *f, const char *fragment)
{
    char *note;
    load_expect_same(f, &note);
    if (!note || !strstr(note, fragment))
        fail_msg("note '%s' lacks '%s'", note ? note : "(none)", fragment);
    assert_null(strchr(note, '\n'));
    free(note);
}

static void test_fallback_to_json(void **state)
{
    (void)state;
    cJSON *doc = demo_doc(0);
    struct fixture f;
    fixture_init(&f, doc);
    size_t size;
    unsigned char *d = (unsigned char *)read_all(f.bin, &size);
    struct table t;
    read_table(d, size, &t);

    write_all(f.bin, d, HEADER_SIZE / 2);
    expect_fallback(&f, "truncated");
    write_all(f.bin, d, (size_t)t.off[2]);
    expect_fallback(&f, "truncated or corrupt");
    write_all(f.bin, "", 0);
    expect_fallback(&f, "empty");

    /* The last section loaded (the ENIs, after the first paint) is damaged: found at
       its turn, the inventory emptied and the JSON read. */
    size_t last = 0;
    for (size_t i = 0; i < t.n; i++)
        if (t.off[i] > t.off[last] && t.len[i] > 0 && i + 1 < t.n)
            last = i;
    d[t.off[last] + t.len[last] / 2] ^= 1;
    write_all(f.bin, d, size);
    expect_fallback(&f, "checksum of section");
    d[t.off[last] + t.len[last] / 2] ^= 1;

    d[8] ^= 0x40;
    reseal(d, size);
    write_all(f.bin, d, size);
    expect_fallback(&f, "this vpcx reads");
    d[8] ^= 0x40;
    reseal(d, size);

    /* The JSON rewritten after the binary form (an older vpcx, a hand edit): the
       binary form no longer stands for it. */
    write_all(f.bin, d, size);
    char *note;
    load_expect_same(&f, &note);
    assert_null(note);
    size_t jlen;
    char *json = read_all(f.json, &jlen);
    unlink(f.json);
    write_all(f.json, json, jlen);
    free(json);
    expect_fallback(&f, "not written with the JSON cache beside it");

    /* Not a regular file. */
    unlink(f.bin);
    assert_int_equal(mkdir(f.bin, 0700), 0);
    expect_fallback(&f, "not a regular file");
    rmdir(f.bin);

    /* None at all: no note (a cache written by an older vpcx). */
    load_expect_same(&f, &note);
    assert_null(note);
    free(d);
    cJSON_Delete(doc);
    fixture_finish(&f);
}

/* vpcx cache list and clear see the binary forms. */
static void test_list_and_clear(void **state)
{
    (void)state;
    cJSON *doc = demo_doc(3);
    struct fixture f;
    fixture_init(&f, doc);
    cJSON_Delete(doc);
    struct cache_listing list;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(cache_list(f.dir, time(NULL), &list, &err), VPCX_OK);
    assert_int_equal(list.n, 1);
    assert_true(list.v[0].bin_size > HEADER_SIZE);
    assert_null(list.v[0].bin_problem);
    cache_listing_finish(&list);

    size_t size;
    unsigned char *d = (unsigned char *)read_all(f.bin, &size);
    d[size - 1] ^= 1;
    write_all(f.bin, d, size);
    free(d);
    assert_int_equal(cache_list(f.dir, time(NULL), &list, &err), VPCX_OK);
    assert_int_equal(list.n, 1);
    assert_non_null(list.v[0].bin_problem);
    assert_non_null(strstr(list.v[0].bin_problem, "corrupt"));
    cache_listing_finish(&list);

    /* An orphan binary form (its JSON gone) goes with a clear of its account. */
    char *orphan = xasprintf("%s/999988887777-us-east-1-0123456789ab.bin", f.dir);
    write_all(orphan, "x", 1);
    size_t removed = 0;
    const struct cache_filter other = {.account = "444455556666"};
    assert_int_equal(cache_clear(f.dir, &other, &removed, &err), VPCX_OK);
    assert_int_equal(removed, 0);
    assert_int_equal(access(f.bin, F_OK), 0);
    const struct cache_filter mine = {.account = "111122223333"};
    assert_int_equal(cache_clear(f.dir, &mine, &removed, &err), VPCX_OK);
    assert_int_equal(removed, 1);
    assert_int_not_equal(access(f.bin, F_OK), 0);
    assert_int_not_equal(access(f.json, F_OK), 0);
    assert_int_equal(access(orphan, F_OK), 0);
    assert_int_equal(cache_clear(f.dir, NULL, &removed, &err), VPCX_OK);
    assert_int_not_equal(access(orphan, F_OK), 0);
    free(orphan);
    vpcx_error_finish(&err);
    fixture_finish(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_dump_as_json),     cmocka_unit_test(test_staged_load),
        cmocka_unit_test(test_truncated_and_flipped), cmocka_unit_test(test_fallback_to_json),
        cmocka_unit_test(test_list_and_clear),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(json_flags);
    return rc;
}
