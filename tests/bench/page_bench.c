/*
 * page_bench: what the explorer pays per page while a large account loads.
 *
 *   page_bench DUMP.json [PAGE]
 *
 * Loads the dump, then replays it into a second inventory as a first fetch
 * does: every type but ENIs, then the ENIs PAGE at a time (default 1000, EC2's
 * page). After each page it does what a repaint does after a change: rebuilds
 * the tree (default expansion) and reads the links (child counts of every
 * subnet row). Prints the total and the worst page (wall and this thread's
 * CPU). Uses public interfaces only, so the same file builds against an older
 * tree for a before/after figure. Nothing here asserts; figures go to
 * tests/bench/RESULTS.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vpcx/core/status.h"
#include "vpcx/model/inventory.h"
#include "vpcx/store/snapshot.h"
#include "vpcx/ui/tree.h"

static double clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Reads every subnet row's child count, as the tree's rows do. */
static void repaint(struct tree *t)
{
    tree_rebuild(t);
    for (size_t r = 0; r < tree_row_count(t); r++) {
        struct tree_node *n = tree_row(t, r);
        if (n->kind == TREE_SUBNET || n->kind == TREE_VPC)
            (void)tree_child_count(t, n);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DUMP.json [PAGE]\n", argv[0]);
        return 2;
    }
    size_t page = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000;
    if (page == 0)
        page = 1000;
    struct inventory *src = inventory_create();
    struct snapshot_meta meta;
    memset(&meta, 0, sizeof(meta));
    struct vpcx_error err;
    vpcx_error_init(&err);
    if (snapshot_load_file(argv[1], src, &meta, NULL, &err) != VPCX_OK) {
        fprintf(stderr, "%s\n", err.message ? err.message : "load failed");
        return 1;
    }
    struct inventory *inv = inventory_create();
    for (int type = 0; type < INV_TYPE_COUNT; type++) {
        if (type == INV_ENI)
            continue;
        for (size_t i = 0; i < inventory_count(src, (enum inv_type)type); i++)
            inventory_put(inv, (enum inv_type)type,
                          inventory_item(src, inventory_at(src, (enum inv_type)type, i)));
    }
    struct tree *t = tree_create(inv);
    repaint(t);
    size_t n = inventory_count(src, INV_ENI), pages = 0;
    /* Decode the ENIs first: the replay times the inventory and the tree, not the decode. */
    cJSON **items = calloc(n ? n : 1, sizeof(*items));
    for (size_t i = 0; i < n; i++)
        items[i] = inventory_item(src, inventory_at(src, INV_ENI, i));
    double total = 0, total_cpu = 0, worst = 0, worst_cpu = 0, paint_cpu = 0, worst_paint = 0;
    for (size_t at = 0; at < n; at += page) {
        double t0 = clock_ms(CLOCK_MONOTONIC), c0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
        for (size_t i = at; i < n && i < at + page; i++)
            inventory_put(inv, INV_ENI, items[i]);
        double p0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
        repaint(t);
        double pms = clock_ms(CLOCK_THREAD_CPUTIME_ID) - p0;
        paint_cpu += pms;
        worst_paint = pms > worst_paint ? pms : worst_paint;
        double ms = clock_ms(CLOCK_MONOTONIC) - t0, cms = clock_ms(CLOCK_THREAD_CPUTIME_ID) - c0;
        total += ms;
        total_cpu += cms;
        worst = ms > worst ? ms : worst;
        worst_cpu = cms > worst_cpu ? cms : worst_cpu;
        pages++;
    }
    free(items);
    printf("%zu ENIs in %zu pages of %zu: total %.0f ms (cpu %.0f), worst page %.1f ms (cpu %.1f), "
           "last page %zu rows\n",
           n, pages, page, total, total_cpu, worst, worst_cpu, tree_row_count(t));
    printf("of which links and tree after each page: cpu %.0f ms, worst page %.1f ms\n", paint_cpu,
           worst_paint);
    tree_destroy(t);
    inventory_destroy(inv);
    inventory_destroy(src);
    snapshot_meta_finish(&meta);
    vpcx_error_finish(&err);
    return 0;
}
