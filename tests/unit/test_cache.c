#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vpcx/core/fileio.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/store/cache.h"

#define ACCOUNT  "111122223333"
#define REGION   "us-east-1"
#define ENDPOINT "http://127.0.0.1:5000"

/* ---- helpers ------------------------------------------------------------ */

static char *make_tmpdir(void)
{
    char tmpl[] = "/tmp/vpcx-cacheXXXXXX";
    assert_non_null(mkdtemp(tmpl));
    /* The cache dir itself does not exist yet: the code must create it. */
    return xasprintf("%s/cache/vpcx", tmpl);
}

static void remove_tree(const char *path)
{
    char *cmd = xasprintf("rm -rf '%s'", path);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

static void cleanup(char *dir)
{
    /* dir is <tmp>/cache/vpcx: remove <tmp>. */
    char *top = xstrdup(dir);
    *strstr(top, "/cache/vpcx") = '\0';
    remove_tree(top);
    free(top);
    free(dir);
}

/* An inventory whose subnet carries variant as its free IP count. */
static struct inventory *fixture(int variant)
{
    struct inventory *inv = inventory_create();
    char *subnet = xasprintf("{\"SubnetId\":\"subnet-1\",\"VpcId\":\"vpc-1\","
                             "\"CidrBlock\":\"10.0.1.0/24\",\"AvailableIpAddressCount\":%d,"
                             "\"Tags\":[{\"Key\":\"Name\",\"Value\":\"a \\u001b[31m\"}]}",
                             variant);
    const char *items[][2] = {
        {"Vpcs", "{\"VpcId\":\"vpc-1\",\"CidrBlock\":\"10.0.0.0/16\",\"IsDefault\":false}"},
        {"Subnets", subnet},
        {"VpcEndpoints",
         "{\"VpcEndpointId\":\"vpce-1\",\"VpcEndpointType\":\"Interface\",\"VpcId\":\"vpc-1\","
         "\"ServiceName\":\"com.amazonaws.us-east-1.ssm\",\"SubnetIds\":[\"subnet-1\"],"
         "\"NetworkInterfaceIds\":[\"eni-1\"],\"PolicyDocument\":\"{\\\"a\\\": 1}\"}"},
        {"NetworkInterfaces", "{\"NetworkInterfaceId\":\"eni-1\",\"SubnetId\":\"subnet-1\","
                              "\"VpcId\":\"vpc-1\",\"PrivateIpAddress\":\"10.0.1.5\"}"},
    };
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        inventory_begin(inv, (enum inv_type)t);
        inventory_end(inv, (enum inv_type)t);
    }
    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
        enum inv_type t;
        assert_true(inventory_type_from_list_key(items[i][0], &t));
        assert_int_equal(inventory_put(inv, t, cJSON_Parse(items[i][1])), VPCX_OK);
    }
    assert_int_equal(inventory_set_vpc_attribute(inv, "vpc-1", "enableDnsSupport", true), VPCX_OK);
    free(subnet);
    return inv;
}

static void meta_init(struct snapshot_meta *m, const char *profile, const char *when)
{
    memset(m, 0, sizeof(*m));
    m->format_version = SNAPSHOT_FORMAT_VERSION;
    m->generator = xstrdup("vpcx test");
    m->account = xstrdup(ACCOUNT);
    m->region = xstrdup(REGION);
    m->endpoint = xstrdup(ENDPOINT);
    m->profile = profile ? xstrdup(profile) : NULL;
    m->source = xstrdup("aws");
    m->fetched_at = xstrdup(when);
}

static bool same_inventory(const struct inventory *a, const struct inventory *b)
{
    for (int t = 0; t < INV_TYPE_COUNT; t++) {
        if (inventory_count(a, t) != inventory_count(b, t))
            return false;
        for (size_t i = 0; i < inventory_count(a, t); i++) {
            const struct inv_resource *ra = inventory_at(a, t, i);
            const struct inv_resource *rb = inventory_at(b, t, i);
            cJSON *ja = inventory_item(a, ra);
            cJSON *jb = inventory_item(b, rb);
            bool same = strcmp(ra->id, rb->id) == 0 && cJSON_Compare(ja, jb, true);
            cJSON_Delete(ja);
            cJSON_Delete(jb);
            if (!same)
                return false;
        }
    }
    const struct inv_resource *va = inventory_find(a, INV_VPC, "vpc-1");
    const struct inv_resource *vb = inventory_find(b, INV_VPC, "vpc-1");
    return !va || (vb && va->vpc.dns_support == vb->vpc.dns_support &&
                   va->vpc.dns_hostnames == vb->vpc.dns_hostnames);
}

static void save_ok(const char *dir, const struct inventory *inv, const struct snapshot_meta *m)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    enum vpcx_status st = cache_save(dir, inv, m, NULL, NULL, &err);
    if (st != VPCX_OK)
        fail_msg("cache_save: %s", err.message);
    vpcx_error_finish(&err);
}

static char *find_ok(const char *dir, const char *profile, const char *region, const char *endpoint)
{
    const struct cache_key key = {.profile = profile, .region = region, .endpoint = endpoint};
    char *path = NULL;
    struct vpcx_error err;
    vpcx_error_init(&err);
    enum vpcx_status st = cache_find(dir, &key, &path, &err);
    if (st != VPCX_OK)
        fail_msg("cache_find: %s", err.message);
    vpcx_error_finish(&err);
    return path;
}

static struct inventory *load_ok(const char *path, struct snapshot_meta *meta)
{
    struct inventory *inv = inventory_create();
    struct vpcx_error err;
    vpcx_error_init(&err);
    enum vpcx_status st = cache_load(path, inv, meta, NULL, &err);
    if (st != VPCX_OK)
        fail_msg("cache_load: %s", err.message);
    vpcx_error_finish(&err);
    return inv;
}

static mode_t mode_of(const char *path)
{
    struct stat sb;
    assert_int_equal(lstat(path, &sb), 0);
    return sb.st_mode & 07777;
}

/* ---- tests -------------------------------------------------------------- */

static void test_round_trip(void **state)
{
    char *dir = make_tmpdir();
    struct inventory *inv = fixture(7);
    struct snapshot_meta m;
    meta_init(&m, "dev", "2026-11-26T12:00:00Z");
    m.fetched_at_by_type[INV_SUBNET] = xstrdup("2026-11-26T11:00:00Z");
    cJSON *errors = cJSON_Parse("[{\"Type\":\"PrefixLists\",\"Code\":\"Throttling\"}]");
    char *written = NULL;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(cache_save(dir, inv, &m, errors, &written, &err), VPCX_OK);
    assert_non_null(strstr(written, ACCOUNT "-" REGION "-"));

    /* Offline: found from profile, region and endpoint alone. */
    char *path = find_ok(dir, "dev", REGION, ENDPOINT);
    assert_string_equal(path, written);
    /* A trailing slash on the URL names the same endpoint. */
    char *path2 = find_ok(dir, "dev", REGION, ENDPOINT "/");
    assert_string_equal(path2, written);

    struct snapshot_meta back_meta;
    cJSON *back_errors = NULL;
    struct inventory *back = inventory_create();
    assert_int_equal(cache_load(path, back, &back_meta, &back_errors, &err), VPCX_OK);
    assert_true(same_inventory(inv, back));
    assert_string_equal(back_meta.account, ACCOUNT);
    assert_string_equal(back_meta.profile, "dev");
    assert_string_equal(back_meta.endpoint, ENDPOINT);
    assert_string_equal(snapshot_meta_type_time(&back_meta, INV_SUBNET), "2026-11-26T11:00:00Z");
    assert_string_equal(snapshot_meta_type_time(&back_meta, INV_VPC), "2026-11-26T12:00:00Z");
    assert_true(cJSON_Compare(errors, back_errors, true));

    /* Permissions: directory 0700, files 0600. */
    assert_int_equal(mode_of(dir), 0700);
    assert_int_equal(mode_of(path), 0600);
    char *index = xasprintf("%s/%s", dir, CACHE_INDEX_NAME);
    assert_int_equal(mode_of(index), 0600);

    free(index);
    free(path);
    free(path2);
    free(written);
    cJSON_Delete(errors);
    cJSON_Delete(back_errors);
    snapshot_meta_finish(&m);
    snapshot_meta_finish(&back_meta);
    inventory_destroy(inv);
    inventory_destroy(back);
    vpcx_error_finish(&err);
    cleanup(dir);
}

static void test_dir_permissions_tightened(void **state)
{
    char *dir = make_tmpdir();
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(cache_dir_prepare(dir, &err), VPCX_OK);
    assert_int_equal(chmod(dir, 0755), 0);
    assert_int_equal(cache_dir_prepare(dir, &err), VPCX_OK);
    assert_int_equal(mode_of(dir), 0700);
    /* A file where the directory should be is refused. */
    char *file = xasprintf("%s/notadir", dir);
    FILE *f = fopen(file, "w");
    fclose(f);
    assert_int_equal(cache_dir_prepare(file, &err), VPCX_ERR_IO);
    assert_non_null(strstr(err.message, "not a directory"));
    free(file);
    vpcx_error_finish(&err);
    cleanup(dir);
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* cache_load must refuse path with a message holding fragment, changing nothing. */
static void expect_refused(const char *path, const char *fragment)
{
    struct inventory *inv = fixture(1);
    struct snapshot_meta meta;
    cJSON *errors = NULL;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_not_equal(cache_load(path, inv, &meta, &errors, &err), VPCX_OK);
    assert_non_null(err.message);
    if (!strstr(err.message, fragment))
        fail_msg("message '%s' lacks '%s'", err.message, fragment);
    if (!strstr(err.message, path))
        fail_msg("message '%s' does not name %s", err.message, path);
    struct inventory *orig = fixture(1);
    assert_true(same_inventory(orig, inv));
    assert_null(errors);
    inventory_destroy(orig);
    inventory_destroy(inv);
    vpcx_error_finish(&err);
}

static void test_bad_files_ignored(void **state)
{
    char *dir = make_tmpdir();
    struct inventory *inv = fixture(3);
    struct snapshot_meta m;
    meta_init(&m, "dev", "2026-11-26T12:00:00Z");
    save_ok(dir, inv, &m);
    char *good = find_ok(dir, "dev", REGION, ENDPOINT);
    struct strbuf data;
    strbuf_init(&data, 0);
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(file_read_all(good, SIZE_MAX, &data, &err), VPCX_OK);

    char *p = xasprintf("%s/truncated.json", dir);
    write_file(p, data.buf, data.len / 2);
    expect_refused(p, "not valid JSON");
    free(p);

    p = xasprintf("%s/corrupt.json", dir);
    write_file(p, "{\"Metadata\": {\"FormatVersion\": 1}, \"Vpcs\": [}", 46);
    expect_refused(p, "not valid JSON");
    free(p);

    p = xasprintf("%s/empty.json", dir);
    write_file(p, "", 0);
    expect_refused(p, "is empty");
    free(p);

    p = xasprintf("%s/version.json", dir);
    const char *v9 = "{\"Metadata\":{\"FormatVersion\":9},\"Vpcs\":[]}";
    write_file(p, v9, strlen(v9));
    expect_refused(p, "format version 9");
    free(p);

    /* Sparse: over the limit without using the disk; refused before reading. */
    p = xasprintf("%s/huge.json", dir);
    int fd = open(p, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)SNAPSHOT_MAX_BYTES + 1), 0);
    close(fd);
    expect_refused(p, "limit");
    free(p);

    /* Entries that cannot be read as files: a directory and a FIFO (no hang). */
    p = xasprintf("%s/adir.json", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    expect_refused(p, "not a regular file");
    free(p);
    p = xasprintf("%s/fifo.json", dir);
    assert_int_equal(mkfifo(p, 0600), 0);
    expect_refused(p, "not a regular file");
    free(p);

    p = xasprintf("%s/noperm.json", dir);
    write_file(p, data.buf, data.len);
    assert_int_equal(chmod(p, 0), 0);
    if (geteuid() == 0)
        print_message("running as root: mode 000 is readable, permission check skipped "
                      "(directory and FIFO cover unreadable entries)\n");
    else
        expect_refused(p, "Permission denied");
    free(p);

    /* Listing survives every one of them and flags the unusable ones. */
    struct cache_listing list;
    assert_int_equal(cache_list(dir, time(NULL), &list, &err), VPCX_OK);
    size_t problems = 0, usable = 0;
    for (size_t i = 0; i < list.n; i++) {
        if (list.v[i].problem)
            problems++;
        else
            usable++;
    }
    assert_int_equal(list.n, 9);
    assert_int_equal(problems, geteuid() == 0 ? 7 : 8);
    assert_int_equal(usable, geteuid() == 0 ? 2 : 1);
    cache_listing_finish(&list);

    /* The good file still loads. */
    struct snapshot_meta back_meta;
    struct inventory *back = load_ok(good, &back_meta);
    assert_true(same_inventory(inv, back));
    inventory_destroy(back);
    snapshot_meta_finish(&back_meta);
    strbuf_release(&data);
    free(good);
    vpcx_error_finish(&err);
    snapshot_meta_finish(&m);
    inventory_destroy(inv);
    cleanup(dir);
}

#define WRITERS 4
#define ROUNDS  50

/* Each round under a new profile, so a lost index update stays lost. */
static void writer_child(const char *dir, int k)
{
    struct inventory *inv = fixture(100 + k);
    int rc = 0;
    for (int i = 0; i < ROUNDS && rc == 0; i++) {
        struct snapshot_meta m;
        char *profile = xasprintf("p%d-%02d", k, i);
        meta_init(&m, profile, "2026-11-26T12:00:00Z");
        struct vpcx_error err;
        vpcx_error_init(&err);
        /* A writer that keeps re-locking can hold others off past the bounded wait:
           the save is then skipped whole and, as the contract says, tried again. */
        enum vpcx_status st = cache_save(dir, inv, &m, NULL, NULL, &err);
        while (st == VPCX_ERR_TIMEOUT) {
            vpcx_error_finish(&err);
            st = cache_save(dir, inv, &m, NULL, NULL, &err);
        }
        if (st != VPCX_OK)
            rc = 1;
        vpcx_error_finish(&err);
        snapshot_meta_finish(&m);
        free(profile);
    }
    inventory_destroy(inv);
    _exit(rc);
}

static void test_concurrent_writers(void **state)
{
    char *dir = make_tmpdir();
    pid_t pids[WRITERS];
    for (int k = 0; k < WRITERS; k++) {
        pids[k] = fork();
        assert_true(pids[k] >= 0);
        if (pids[k] == 0)
            writer_child(dir, k);
    }
    for (int k = 0; k < WRITERS; k++) {
        int status;
        assert_int_equal(waitpid(pids[k], &status, 0), pids[k]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    /* Every profile is in the index and finds the one file, which is whole. */
    char *path = find_ok(dir, "p0-00", REGION, ENDPOINT);
    for (int k = 0; k < WRITERS; k++) {
        for (int i = 0; i < ROUNDS; i++) {
            char *profile = xasprintf("p%d-%02d", k, i);
            char *other = find_ok(dir, profile, REGION, ENDPOINT);
            assert_string_equal(path, other);
            free(other);
            free(profile);
        }
    }
    struct snapshot_meta meta;
    struct inventory *back = load_ok(path, &meta);
    int matches = 0;
    for (int k = 0; k < WRITERS; k++) {
        struct inventory *want = fixture(100 + k);
        matches += same_inventory(want, back);
        inventory_destroy(want);
    }
    assert_int_equal(matches, 1);

    /* No temp file is left behind. */
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t files = 0;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, ".tmp-", 5) == 0)
            fail_msg("temp file left: %s", de->d_name);
        if (de->d_name[0] != '.')
            files++;
    }
    closedir(d);
    assert_int_equal(files, 3); /* the cache file, its binary form and the index */

    struct cache_listing list;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(cache_list(dir, time(NULL), &list, &err), VPCX_OK);
    assert_int_equal(list.n, 1);
    assert_int_equal(list.v[0].n_profiles, WRITERS * ROUNDS);
    assert_string_equal(list.v[0].profiles[0], "p0-00");
    assert_string_equal(list.v[0].account, ACCOUNT);
    cache_listing_finish(&list);
    vpcx_error_finish(&err);
    inventory_destroy(back);
    snapshot_meta_finish(&meta);
    free(path);
    cleanup(dir);
}

static void test_offline_lookup(void **state)
{
    char *dir = make_tmpdir();
    struct inventory *inv = fixture(5);
    struct snapshot_meta m;
    meta_init(&m, "dev", "2026-11-26T12:00:00Z");
    save_ok(dir, inv, &m);
    /* Same account, another endpoint: another file. */
    free(m.endpoint);
    m.endpoint = xstrdup("https://ec2.us-east-1.amazonaws.com");
    struct inventory *inv2 = fixture(6);
    save_ok(dir, inv2, &m);

    char *a = find_ok(dir, "dev", REGION, ENDPOINT);
    char *b = find_ok(dir, "dev", REGION, "https://ec2.us-east-1.amazonaws.com");
    assert_string_not_equal(a, b);
    struct snapshot_meta ma, mb;
    struct inventory *la = load_ok(a, &ma), *lb = load_ok(b, &mb);
    assert_true(same_inventory(inv, la));
    assert_true(same_inventory(inv2, lb));

    /* Unknown profile, region or endpoint: not found, with a message. */
    const struct cache_key misses[] = {
        {.profile = "prod", .region = REGION, .endpoint = ENDPOINT},
        {.profile = "dev", .region = "eu-west-1", .endpoint = ENDPOINT},
        {.profile = "dev", .region = REGION, .endpoint = "http://127.0.0.1:5001"},
    };
    struct vpcx_error err;
    vpcx_error_init(&err);
    for (size_t i = 0; i < sizeof(misses) / sizeof(misses[0]); i++) {
        char *p = NULL;
        assert_int_equal(cache_find(dir, &misses[i], &p, &err), VPCX_ERR_NOT_FOUND);
        assert_null(p);
        assert_non_null(err.message);
    }
    /* With the account known, the file is found by name. */
    const struct cache_key by_account = {
        .profile = "other", .region = REGION, .endpoint = ENDPOINT, .account = ACCOUNT};
    char *c = NULL;
    assert_int_equal(cache_find(dir, &by_account, &c, &err), VPCX_OK);
    assert_string_equal(a, c);

    /* Saving with no account (STS failed) uses the account the index knows. */
    free(m.account);
    m.account = NULL;
    free(m.endpoint);
    m.endpoint = xstrdup(ENDPOINT);
    save_ok(dir, inv2, &m);
    struct snapshot_meta mc;
    struct inventory *lc = load_ok(a, &mc);
    assert_true(same_inventory(inv2, lc));
    assert_string_equal(mc.account, ACCOUNT);
    /* ...but an unknown profile with no account cannot be cached. */
    free(m.profile);
    m.profile = xstrdup("stranger");
    assert_int_equal(cache_save(dir, inv2, &m, NULL, NULL, &err), VPCX_ERR_NOT_FOUND);

    /* No cache dir at all: not found, not a crash. */
    char *none = xasprintf("%s/none", dir);
    char *p = NULL;
    assert_int_equal(cache_find(none, &misses[0], &p, &err), VPCX_ERR_NOT_FOUND);
    free(none);

    vpcx_error_finish(&err);
    free(a);
    free(b);
    free(c);
    inventory_destroy(la);
    inventory_destroy(lb);
    inventory_destroy(lc);
    snapshot_meta_finish(&ma);
    snapshot_meta_finish(&mb);
    snapshot_meta_finish(&mc);
    snapshot_meta_finish(&m);
    inventory_destroy(inv);
    inventory_destroy(inv2);
    cleanup(dir);
}

/* Fails when any file under dir contains needle. */
static void assert_no_file_contains(const char *dir, const char *needle)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    size_t checked = 0;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char *p = xasprintf("%s/%s", dir, de->d_name);
        struct strbuf data;
        strbuf_init(&data, 0);
        struct vpcx_error err;
        vpcx_error_init(&err);
        assert_int_equal(file_read_all(p, SIZE_MAX, &data, &err), VPCX_OK);
        if (memmem(data.buf, data.len, needle, strlen(needle)))
            fail_msg("%s holds a secret", p);
        checked++;
        strbuf_release(&data);
        vpcx_error_finish(&err);
        free(p);
    }
    closedir(d);
    assert_true(checked >= 3); /* cache file, index, lock */
}

/* The index is bounded like a cache file: one nested past the depth limit
 * (or too dense to parse within the memory bound) is ignored unparsed. */
static void test_index_bounded(void **state)
{
    char *dir = make_tmpdir();
    struct inventory *inv = fixture(5);
    struct snapshot_meta m;
    meta_init(&m, "dev", "2026-11-26T12:00:00Z");
    save_ok(dir, inv, &m);
    char *a = find_ok(dir, "dev", REGION, ENDPOINT);
    char *index = xasprintf("%s/%s", dir, CACHE_INDEX_NAME);
    struct strbuf data, padded;
    strbuf_init(&data, 0);
    strbuf_init(&padded, 0);
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(file_read_all(index, SIZE_MAX, &data, &err), VPCX_OK);
    const char *brace = strchr(data.buf, '{');
    assert_non_null(brace);
    strbuf_add(&padded, data.buf, (size_t)(brace - data.buf) + 1);
    strbuf_addstr(&padded, "\"Pad\":");
    for (int i = 0; i < 100; i++)
        strbuf_addch(&padded, '[');
    for (int i = 0; i < 100; i++)
        strbuf_addch(&padded, ']');
    strbuf_addch(&padded, ',');
    strbuf_addstr(&padded, brace + 1);
    write_file(index, padded.buf, padded.len);
    const struct cache_key key = {.profile = "dev", .region = REGION, .endpoint = ENDPOINT};
    char *p = NULL;
    assert_int_equal(cache_find(dir, &key, &p, &err), VPCX_ERR_NOT_FOUND);
    assert_null(p);
    /* The index as written still works. */
    write_file(index, data.buf, data.len);
    char *again = find_ok(dir, "dev", REGION, ENDPOINT);
    assert_string_equal(a, again);
    free(again);
    free(a);
    free(index);
    strbuf_release(&data);
    strbuf_release(&padded);
    vpcx_error_finish(&err);
    snapshot_meta_finish(&m);
    inventory_destroy(inv);
    cleanup(dir);
}

static void test_no_secret_written(void **state)
{
    const char *token = "FAKEsessionTOKEN0123456789abcdefZZ";
    const char *secret = "FAKEsecretKEY/abcdefghij0123456789";
    setenv("AWS_SESSION_TOKEN", token, 1);
    setenv("AWS_SECRET_ACCESS_KEY", secret, 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIAFAKEFAKEFAKE", 1);
    char *dir = make_tmpdir();
    struct inventory *inv = fixture(2);
    struct snapshot_meta m;
    meta_init(&m, "dev", "2026-11-26T12:00:00Z");
    m.arn = xstrdup("arn:aws:sts::111122223333:assumed-role/r/s");
    cJSON *errors = cJSON_Parse("[{\"Type\":\"Subnets\",\"Code\":\"ExpiredToken\"}]");
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(cache_update(dir, inv, &m, errors, CACHE_ALL_TYPES, NULL, NULL, &err),
                     VPCX_OK);
    assert_int_equal(cache_update(dir, inv, &m, errors, CACHE_TYPE_BIT(INV_VPC), NULL, NULL, &err),
                     VPCX_OK);
    assert_no_file_contains(dir, token);
    assert_no_file_contains(dir, secret);
    assert_no_file_contains(dir, "AKIAFAKEFAKEFAKE");
    /* The check can fail: the ARN we did write is found. */
    char *path = find_ok(dir, "dev", REGION, ENDPOINT);
    struct strbuf data;
    strbuf_init(&data, 0);
    assert_int_equal(file_read_all(path, SIZE_MAX, &data, &err), VPCX_OK);
    assert_non_null(memmem(data.buf, data.len, "assumed-role/r/s", 16));
    strbuf_release(&data);
    free(path);
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_ACCESS_KEY_ID");
    cJSON_Delete(errors);
    vpcx_error_finish(&err);
    snapshot_meta_finish(&m);
    inventory_destroy(inv);
    cleanup(dir);
}

static void test_update_keeps_failed_types(void **state)
{
    char *dir = make_tmpdir();
    struct inventory *old_inv = fixture(10);
    struct snapshot_meta m;
    meta_init(&m, "dev", "2026-11-26T10:00:00Z");
    struct vpcx_error err, warn;
    vpcx_error_init(&err);
    vpcx_error_init(&warn);
    assert_int_equal(cache_update(dir, old_inv, &m, NULL, CACHE_ALL_TYPES, NULL, &warn, &err),
                     VPCX_OK);

    /* A later refresh: subnets fetched (new data), VPCs and ENIs failed (empty here). */
    struct inventory *fresh = inventory_create();
    assert_int_equal(inventory_put(fresh, INV_SUBNET,
                                   cJSON_Parse("{\"SubnetId\":\"subnet-9\",\"VpcId\":\"vpc-1\"}")),
                     VPCX_OK);
    free(m.fetched_at);
    m.fetched_at = xstrdup("2026-11-26T12:00:00Z");
    free(m.account);
    m.account = NULL; /* STS failed too */
    unsigned fetched = CACHE_ALL_TYPES & ~CACHE_TYPE_BIT(INV_VPC) & ~CACHE_TYPE_BIT(INV_ENI);
    char *path = NULL;
    assert_int_equal(cache_update(dir, fresh, &m, NULL, fetched, &path, &warn, &err), VPCX_OK);
    assert_int_equal(warn.status, VPCX_OK);
    struct snapshot_meta back_meta;
    struct inventory *back = load_ok(path, &back_meta);
    assert_string_equal(back_meta.account, ACCOUNT);
    assert_non_null(inventory_find(back, INV_VPC, "vpc-1")); /* kept */
    assert_int_equal(inventory_find(back, INV_VPC, "vpc-1")->vpc.dns_support, INV_YES);
    assert_non_null(inventory_find(back, INV_ENI, "eni-1"));   /* kept */
    assert_null(inventory_find(back, INV_SUBNET, "subnet-1")); /* replaced */
    assert_non_null(inventory_find(back, INV_SUBNET, "subnet-9"));
    assert_int_equal(inventory_count(back, INV_ENDPOINT), 0); /* fetched: really gone */
    assert_string_equal(snapshot_meta_type_time(&back_meta, INV_VPC), "2026-11-26T10:00:00Z");
    assert_string_equal(snapshot_meta_type_time(&back_meta, INV_ENI), "2026-11-26T10:00:00Z");
    assert_string_equal(snapshot_meta_type_time(&back_meta, INV_SUBNET), "2026-11-26T12:00:00Z");
    assert_string_equal(cache_oldest_time(&back_meta, CACHE_ALL_TYPES), "2026-11-26T10:00:00Z");
    assert_string_equal(cache_oldest_time(&back_meta, CACHE_TYPE_BIT(INV_SUBNET)),
                        "2026-11-26T12:00:00Z");

    /* A corrupt previous cache is reported as a warning and replaced. */
    write_file(path, "{", 1);
    char *path2 = NULL;
    assert_int_equal(cache_update(dir, fresh, &m, NULL, fetched, &path2, &warn, &err), VPCX_OK);
    assert_int_not_equal(warn.status, VPCX_OK);
    assert_non_null(strstr(warn.message, "not valid JSON"));
    struct snapshot_meta meta3;
    struct inventory *third = load_ok(path2, &meta3);
    assert_non_null(inventory_find(third, INV_SUBNET, "subnet-9"));
    assert_null(meta3.fetched_at_by_type[INV_VPC]); /* never fetched whole */
    /* Nothing fetched: nothing written. */
    char *path3 = (char *)"unset";
    assert_int_equal(cache_update(dir, fresh, &m, NULL, 0, &path3, NULL, &err), VPCX_OK);
    assert_null(path3);

    inventory_destroy(third);
    snapshot_meta_finish(&meta3);
    free(path2);
    inventory_destroy(back);
    snapshot_meta_finish(&back_meta);
    free(path);
    inventory_destroy(fresh);
    inventory_destroy(old_inv);
    snapshot_meta_finish(&m);
    vpcx_error_finish(&err);
    vpcx_error_finish(&warn);
    cleanup(dir);
}

static void test_age(void **state)
{
    time_t t;
    assert_true(snapshot_parse_time("2026-11-26T12:00:00Z", &t));
    char *back = snapshot_format_time(t);
    assert_string_equal(back, "2026-11-26T12:00:00Z");
    free(back);
    assert_false(snapshot_parse_time("2026-11-26 12:00", &t));
    assert_false(snapshot_parse_time("2026-11-26T12:00:00Zjunk", &t));
    assert_false(snapshot_parse_time(NULL, &t));
    assert_true(snapshot_parse_time("2026-11-26T12:00:00Z", &t));
    assert_int_equal(cache_age("2026-11-26T12:00:00Z", t + 90), 90);
    assert_int_equal(cache_age("2026-11-26T12:00:00Z", t - 5), 0);
    assert_int_equal(cache_age("garbage", t), -1);
    assert_false(cache_is_stale("2026-11-26T12:00:00Z", t + 60, 300));
    assert_true(cache_is_stale("2026-11-26T12:00:00Z", t + 301, 300));
    assert_true(cache_is_stale(NULL, t, 300));
}

static void test_cache_dir(void **state)
{
    char *dir = NULL;
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(cache_dir(&dir, "/x/cache", "/home/u", &err), VPCX_OK);
    assert_string_equal(dir, "/x/cache/vpcx");
    free(dir);
    /* A relative XDG_CACHE_HOME is invalid and ignored. */
    assert_int_equal(cache_dir(&dir, "rel", "/home/u", &err), VPCX_OK);
    assert_string_equal(dir, "/home/u/.cache/vpcx");
    free(dir);
    assert_int_equal(cache_dir(&dir, NULL, NULL, &err), VPCX_ERR_CONFIG);
    assert_int_equal(cache_dir(&dir, "", "", &err), VPCX_ERR_CONFIG);
    vpcx_error_finish(&err);

    char *name = cache_file_name("1111/../x", "us-east-1", "http://h/");
    char *name2 = cache_file_name("1111/../x", "us-east-1", "http://h");
    assert_string_equal(name, name2);
    assert_null(strchr(name, '/'));
    assert_int_equal(strncmp(name, "1111____x-us-east-1-", 20), 0);
    assert_int_equal(strlen(name), 20 + 12 + 5);
    free(name);
    free(name2);
}

static void test_clear(void **state)
{
    char *dir = make_tmpdir();
    struct inventory *inv = fixture(1);
    struct snapshot_meta m;
    meta_init(&m, "dev", "2026-11-26T12:00:00Z");
    save_ok(dir, inv, &m);
    free(m.region);
    m.region = xstrdup("eu-west-1");
    save_ok(dir, inv, &m);
    free(m.account);
    m.account = xstrdup("444455556666");
    free(m.profile);
    m.profile = xstrdup("prod");
    save_ok(dir, inv, &m);

    struct vpcx_error err;
    vpcx_error_init(&err);
    size_t removed = 0;
    const struct cache_filter by_region = {.account = ACCOUNT, .region = "eu-west-1"};
    assert_int_equal(cache_clear(dir, &by_region, &removed, &err), VPCX_OK);
    assert_int_equal(removed, 1);
    const struct cache_filter by_profile = {.profile = "prod"};
    assert_int_equal(cache_clear(dir, &by_profile, &removed, &err), VPCX_OK);
    assert_int_equal(removed, 1);
    struct cache_listing list;
    assert_int_equal(cache_list(dir, time(NULL), &list, &err), VPCX_OK);
    assert_int_equal(list.n, 1);
    assert_string_equal(list.v[0].region, REGION);
    assert_true(list.v[0].size > 0);
    assert_true(list.v[0].age > 0);
    cache_listing_finish(&list);
    /* The index forgot the removed files. */
    const struct cache_key gone = {.profile = "prod", .region = "eu-west-1", .endpoint = ENDPOINT};
    char *p = NULL;
    assert_int_equal(cache_find(dir, &gone, &p, &err), VPCX_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "no cache for profile prod"));

    assert_int_equal(cache_clear(dir, NULL, &removed, &err), VPCX_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(cache_list(dir, time(NULL), &list, &err), VPCX_OK);
    assert_int_equal(list.n, 0);
    cache_listing_finish(&list);

    vpcx_error_finish(&err);
    snapshot_meta_finish(&m);
    inventory_destroy(inv);
    cleanup(dir);
}

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Another process holding the lock for good: an update gives up after
 * CACHE_LOCK_WAIT_MS with VPCX_ERR_TIMEOUT, writes nothing, and works again
 * once the lock is free. */
static void test_lock_wait_bounded(void **state)
{
    char *dir = make_tmpdir();
    struct vpcx_error err;
    vpcx_error_init(&err);
    assert_int_equal(cache_dir_prepare(dir, &err), VPCX_OK);
    /* flock belongs to the open file: a second open conflicts like another process. */
    char *lock_path = xasprintf("%s/.lock", dir);
    int held = open(lock_path, O_RDWR | O_CREAT, 0600);
    assert_true(held >= 0);
    assert_int_equal(flock(held, LOCK_EX), 0);
    /* Without a bound the update would block for ever: the alarm fails the test. */
    alarm(20);
    struct inventory *inv = fixture(7);
    struct snapshot_meta m;
    meta_init(&m, "dev", "2026-11-26T12:00:00Z");
    char *path = NULL;
    double t0 = mono_ms();
    enum vpcx_status st = cache_update(dir, inv, &m, NULL, CACHE_ALL_TYPES, &path, NULL, &err);
    double waited = mono_ms() - t0;
    assert_int_equal(st, VPCX_ERR_TIMEOUT);
    assert_null(path);
    assert_non_null(strstr(err.message, "locked by another process"));
    assert_true(waited >= CACHE_LOCK_WAIT_MS - 50);
    assert_true(waited < CACHE_LOCK_WAIT_MS + 1000);
    assert_int_equal(cache_save(dir, inv, &m, NULL, NULL, &err), VPCX_ERR_TIMEOUT);
    assert_int_equal(cache_clear(dir, NULL, NULL, &err), VPCX_ERR_TIMEOUT);
    /* Nothing was written: no data file, no index, no temp file. */
    DIR *d = opendir(dir);
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
            strcmp(de->d_name, ".lock") != 0)
            fail_msg("written while locked: %s", de->d_name);
    closedir(d);

    close(held);
    assert_int_equal(cache_update(dir, inv, &m, NULL, CACHE_ALL_TYPES, &path, NULL, &err), VPCX_OK);
    assert_non_null(path);
    alarm(0);
    free(path);
    free(lock_path);
    vpcx_error_finish(&err);
    snapshot_meta_finish(&m);
    inventory_destroy(inv);
    cleanup(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_dir_permissions_tightened),
        cmocka_unit_test(test_bad_files_ignored),
        cmocka_unit_test(test_concurrent_writers),
        cmocka_unit_test(test_offline_lookup),
        cmocka_unit_test(test_index_bounded),
        cmocka_unit_test(test_no_secret_written),
        cmocka_unit_test(test_update_keeps_failed_types),
        cmocka_unit_test(test_age),
        cmocka_unit_test(test_cache_dir),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_lock_wait_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
