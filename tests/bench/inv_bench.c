/*
 * inv_bench: the inventory's memory and the keystroke paths at scale, from a dump.
 *
 *   inv_bench DUMP.json [FILTER] [IP]
 *
 * Loads the dump (vpcx dump --format json) into an inventory and prints the bytes it holds
 * per kind (struct inventory_memory, with the links built) and per ENI; then types FILTER
 * into the tree filter one character at a time, and IP into the :ip lookup likewise, and
 * prints each keystroke's time (CLOCK_MONOTONIC). FILTER defaults to the third ENI's second
 * IP address with its last digit dropped, IP to that ENI's primary address. Nothing here
 * asserts; tests/bench/RESULTS.md holds the figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vpcx/core/status.h"
#include "vpcx/model/inventory.h"
#include "vpcx/model/search.h"
#include "vpcx/store/snapshot.h"
#include "vpcx/ui/tree.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* This thread's CPU time: on a loaded machine it moves less than the wall clock. */
static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Types text, then erases it one character at a time (backspace), then clears. */
static void type_filter(struct tree *t, const char *text)
{
    char buf[128];
    double worst = 0, worst_cpu = 0;
    size_t len = strlen(text) < sizeof(buf) ? strlen(text) : sizeof(buf) - 1;
    for (size_t step = 1; step < 2 * len; step++) {
        size_t i = step <= len ? step : 2 * len - step;
        memcpy(buf, text, i);
        buf[i] = '\0';
        double t0 = now_ms(), c0 = cpu_ms();
        size_t rows = tree_set_filter(t, buf);
        double ms = now_ms() - t0, cms = cpu_ms() - c0;
        worst = ms > worst ? ms : worst;
        worst_cpu = cms > worst_cpu ? cms : worst_cpu;
        printf("filter %-20s %8.2f ms (cpu %6.2f)  %zu matches, %zu rows\n", buf, ms, cms, rows,
               tree_row_count(t));
    }
    double t0 = now_ms(), c0 = cpu_ms();
    tree_set_filter(t, NULL);
    printf("filter cleared          %8.2f ms (cpu %6.2f)\n", now_ms() - t0, cpu_ms() - c0);
    printf("filter worst keystroke  %8.2f ms (cpu %6.2f)\n", worst, worst_cpu);
}

static void type_ip(const struct inventory *inv, const char *ip)
{
    char buf[64];
    double worst = 0;
    for (size_t i = 1; i <= strlen(ip) && i < sizeof(buf); i++) {
        memcpy(buf, ip, i);
        buf[i] = '\0';
        const struct inv_resource **enis;
        double t0 = now_ms();
        size_t n = inventory_find_enis_by_ip(inv, buf, &enis);
        double ms = now_ms() - t0;
        free(enis);
        worst = ms > worst ? ms : worst;
        printf(":ip %-20s %8.4f ms  %zu ENIs\n", buf, ms, n);
    }
    printf(":ip worst keystroke     %8.4f ms\n", worst);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DUMP.json [FILTER] [IP]\n", argv[0]);
        return 2;
    }
    struct inventory *inv = inventory_create();
    struct snapshot_meta meta;
    memset(&meta, 0, sizeof(meta));
    struct vpcx_error err;
    vpcx_error_init(&err);
    double t0 = now_ms();
    if (snapshot_load_file(argv[1], inv, &meta, NULL, &err) != VPCX_OK) {
        fprintf(stderr, "%s\n", err.message ? err.message : "load failed");
        return 1;
    }
    printf("load %.0f ms\n", now_ms() - t0);
    size_t n_eni = inventory_count(inv, INV_ENI), total = 0;
    for (int t = 0; t < INV_TYPE_COUNT; t++)
        total += inventory_count(inv, (enum inv_type)t);
    /* Links are built at the first read that needs them (a dump's Derived, the tree):
       count them, as a dump or the explorer holds them. */
    if (inventory_count(inv, INV_SUBNET) > 0)
        inventory_subnet_enis(inv, inventory_at(inv, INV_SUBNET, 0)->id);
    struct inventory_memory m;
    inventory_memory(inv, &m);
    size_t sum = m.records + m.items + m.strings + m.indexes;
    printf("resources %zu, ENIs %zu\n", total, n_eni);
    printf("%-8s %12s %10s\n", "kind", "bytes", "per ENI");
    const struct {
        const char *name;
        size_t bytes;
    } rows[] = {{"records", m.records},
                {"items", m.items},
                {"strings", m.strings},
                {"indexes", m.indexes},
                {"total", sum}};
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        printf("%-8s %12zu %10.0f\n", rows[i].name, rows[i].bytes,
               n_eni ? (double)rows[i].bytes / (double)n_eni : 0.0);

    /* The filter's index, built when the prompt opens; not part of the inventory. */
    struct search *idx = search_create();
    search_prepare(idx, inv);
    printf("%-8s %12zu %10.0f  (filter index, while a filter is in use)\n", "search",
           search_memory(idx), n_eni ? (double)search_memory(idx) / (double)n_eni : 0.0);
    search_destroy(idx);

    const struct inv_resource *eni = inventory_at(inv, INV_ENI, n_eni > 2 ? 2 : 0);
    char filter[64] = "", ip[64] = "";
    if (eni && eni->eni.ipv4.n > 0) {
        const char *addr = eni->eni.ipv4.v[eni->eni.ipv4.n > 1 ? 1 : 0];
        snprintf(filter, sizeof(filter), "%.*s", (int)strlen(addr) - 1, addr);
        snprintf(ip, sizeof(ip), "%s", eni->eni.primary_ip ? eni->eni.primary_ip : addr);
    }
    struct tree *tree = tree_create(inv);
    t0 = now_ms();
    tree_rebuild(tree);
    printf("tree %.2f ms, %zu rows\n", now_ms() - t0, tree_row_count(tree));
    t0 = now_ms();
    double c0 = cpu_ms();
    tree_prepare_filter(tree);
    printf("filter index and nodes %.2f ms (cpu %.2f; prompt opened)\n", now_ms() - t0,
           cpu_ms() - c0);
    for (int round = 0; round < 3; round++)
        type_filter(tree, argc > 2 ? argv[2] : filter);
    type_ip(inv, argc > 3 ? argv[3] : ip);
    tree_destroy(tree);
    snapshot_meta_finish(&meta);
    vpcx_error_finish(&err);
    inventory_destroy(inv);
    return 0;
}
