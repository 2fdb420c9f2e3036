/*
 * replay: runs a fuzz target on saved inputs without libFuzzer, so the corpus (and every
 * crash input added to it) is replayed as an ordinary test in any build.
 *
 * Usage: fuzz_replay_<target> PATH...   (a PATH is a corpus directory or one input file)
 * Fails when a directory holds no input, so a lost corpus cannot pass silently.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    struct strbuf sb = STRBUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        strbuf_add(&sb, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        perror(path);
        strbuf_release(&sb);
        return -1;
    }
    /* An exact-size copy, so ASan sees a read past the end of the input. */
    size_t len = sb.len;
    uint8_t *data = xmalloc(len ? len : 1);
    if (len)
        memcpy(data, sb.buf, len);
    strbuf_release(&sb);
    LLVMFuzzerTestOneInput(data, len);
    free(data);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Returns the number of inputs replayed, or -1. Files run in name order. */
static long replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        return -1;
    }
    char **names = NULL;
    size_t count = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.')
            continue;
        names = xreallocarray(names, count + 1, sizeof(*names));
        names[count++] = xstrdup(ent->d_name);
    }
    closedir(d);
    if (count > 1)
        qsort(names, count, sizeof(*names), by_name);
    long done = 0;
    for (size_t i = 0; i < count; i++) {
        struct strbuf path = STRBUF_INIT;
        strbuf_addf(&path, "%s/%s", dir, names[i]);
        if (done >= 0)
            done = replay_file(path.buf) == 0 ? done + 1 : -1;
        strbuf_release(&path);
        free(names[i]);
    }
    free(names);
    return done;
}

static int replay_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode))
        return replay_file(path) == 0 ? 0 : 1;
    long n = replay_dir(path);
    if (n <= 0) {
        fprintf(stderr, "%s: %s\n", path, n == 0 ? "no inputs" : "replay failed");
        return 1;
    }
    printf("%s: %ld inputs replayed\n", path, n);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR|FILE...\n", argv[0]);
        return 2;
    }
    int status = 0;
    for (int i = 1; i < argc; i++)
        status |= replay_path(argv[i]);
    return status;
}
