/*
 * matrix: the endpoint x availability zone matrix, as data (the matrix view
 * in src/ui/matrixview.c draws it). Pure: an inventory in, rows and cells
 * out; no curses, so it is unit-tested on its own.
 *
 * Columns are availability zones keyed by zone ID (names differ between
 * accounts), sorted by zone name: the zones where the VPC has subnets plus
 * any zone holding one of its endpoints' ENIs or subnets. With no VPC the
 * matrix covers every VPC that has endpoints, one group row per VPC, and the
 * columns are the union of their zones (a zone outside a VPC is not
 * "in_vpc" for that VPC's rows).
 *
 * Rows: a group row per VPC (all-VPC mode only), then its endpoints by ID.
 * Interface and Gateway Load Balancer endpoints get one cell per column from
 * placement_compute(); Gateway endpoints get no cells (they are routed
 * through route tables, listed in the row).
 *
 * Cells name their ENI by IP: in full where it fits, else by its tail, the
 * shortest run of last octets (".82.51") that no other address of an ENI in
 * the matrix's VPCs ends with, so a cut address is never another one's.
 *
 * What-ifs: a set of (endpoint, zone) marks, each an ENI added to an empty
 * zone or an ENI removed, with the monthly change they would make. Nothing
 * is changed by them; the modify form can take them over.
 *
 * Strings are borrowed from the inventory: rebuild after it changes.
 */
#ifndef VPCX_UI_MATRIX_H
#define VPCX_UI_MATRIX_H

#include <stdbool.h>
#include <stddef.h>

#include "vpcx/core/strbuf.h"
#include "vpcx/model/inventory.h"
#include "vpcx/model/placement.h"
#include "vpcx/ui/draw.h"
#include "vpcx/ui/theme.h"

struct matrix_col {
    const char *zone_id;
    const char *zone_name; /* may be NULL */
};

struct matrix_cell {
    bool in_vpc; /* the zone belongs to this row's VPC */
    enum placement_status status;
    const char *eni_id, *ip, *eni_status; /* when status is PLACEMENT_ENI */
    const char *tail;                     /* the unambiguous end of ip (points into it) */
    size_t eni_count;
};

enum matrix_row_kind {
    MATRIX_ROW_VPC,      /* group header (all-VPC mode) */
    MATRIX_ROW_ENDPOINT, /* one endpoint */
};

struct matrix_row {
    enum matrix_row_kind kind;
    char *id; /* endpoint or VPC ID; owned, to find the row again after the records change */
    const char *vpc_id;                  /* the row's VPC */
    const char *name;                    /* Name tag, may be NULL */
    const char *service;                 /* endpoint's service name, may be NULL */
    bool gateway;                        /* Gateway endpoint: no cells */
    bool gwlb;                           /* Gateway Load Balancer endpoint: one zone by design */
    const struct inv_resource *endpoint; /* NULL for VPC rows */
    bool single_az;                      /* interface endpoint with ENIs in exactly one zone */
    size_t covered;                      /* zones with an ENI */
    struct inv_ids route_tables;
    struct matrix_cell *cells; /* n_cols, NULL for VPC and gateway rows */
};

struct matrix {
    struct matrix_col *cols;
    size_t n_cols;
    struct matrix_row *rows;
    size_t n_rows;
    size_t n_endpoints;
};

/* Builds the matrix of one VPC (vpc_id) or of all VPCs (NULL); pair with matrix_finish. */
void matrix_build(struct matrix *m, const struct inventory *inv, const char *vpc_id);
void matrix_finish(struct matrix *m);
/* The column of a zone ID; n_cols when absent. */
size_t matrix_find_col(const struct matrix *m, const char *zone_id);

/* How the columns fit a width: label column, cost column, cell width, the visible columns. */
struct matrix_fit {
    int label_w;
    int cost_w;       /* the monthly cost column (0: none) */
    int cell_w;       /* cells are cell_w wide plus one separator column */
    size_t first_col; /* first visible column (horizontal scroll) */
    size_t n_visible;
};

#define MATRIX_LABEL_MIN 26
#define MATRIX_LABEL_MAX 44
#define MATRIX_CELL_MAX  22 /* an IPv4 address and its state */

/*
 * The widest cells (up to MATRIX_CELL_MAX) that let all n_cols columns fit in
 * width beside a readable label and the cost column (cost_w); when cells of
 * min_cell (matrix_min_cell_width) do not fit, shows as many columns as fit
 * starting at first_col (clamped).
 */
void matrix_fit_columns(size_t n_cols, int width, int cost_w, int min_cell, size_t first_col,
                        struct matrix_fit *out);

/* The narrowest cell width at which every cell still names its ENI (glyph and tail). */
int matrix_min_cell_width(const struct matrix *m);

/*
 * The text of a cell at a width (at most width cells; ASCII glyphs unless
 * utf8) into out, and the role to draw it in: the IP and state, the IP, or
 * a glyph and the tail after an ellipsis ("✓ …82.51").
 */
enum theme_role matrix_cell_text(const struct matrix_cell *c, int width, const struct ui_glyphs *g,
                                 struct strbuf *out);

/* ---- what-ifs ---- */

struct matrix_whatif {
    char *endpoint_id, *zone_id; /* owned */
    bool add;                    /* an ENI added (else the zone's ENI removed) */
};

struct matrix_whatifs {
    struct matrix_whatif *v;
    size_t n;
};

enum matrix_toggle {
    MATRIX_TOGGLE_ADDED,       /* a what-if add was marked */
    MATRIX_TOGGLE_REMOVED,     /* a what-if remove was marked */
    MATRIX_TOGGLE_CLEARED,     /* the cell's what-if was taken back */
    MATRIX_TOGGLE_NO_CELL,     /* a VPC or gateway row: no zones to toggle */
    MATRIX_TOGGLE_GWLB,        /* a Gateway Load Balancer endpoint has one subnet */
    MATRIX_TOGGLE_NO_SUBNET,   /* the VPC has no subnet in the zone */
    MATRIX_TOGGLE_NOT_OFFERED, /* the service does not offer the zone */
    MATRIX_TOGGLE_PENDING,     /* a subnet is chosen there, its ENI not seen yet */
};

/* Marks or takes back the what-if of row r's cell in column col. */
enum matrix_toggle matrix_whatif_toggle(struct matrix_whatifs *w, const struct matrix *m,
                                        const struct matrix_row *r, size_t col);
/* The what-if of an endpoint's zone, or NULL. */
const struct matrix_whatif *matrix_whatif_find(const struct matrix_whatifs *w,
                                               const char *endpoint_id, const char *zone_id);
/* Zones added minus zones removed, for one endpoint or (NULL) all. */
long matrix_whatif_delta(const struct matrix_whatifs *w, const char *endpoint_id);
/* Drops the what-ifs the matrix no longer backs (the ENI came or went, the endpoint left). */
void matrix_whatif_prune(struct matrix_whatifs *w, const struct matrix *m);
void matrix_whatifs_clear(struct matrix_whatifs *w);

/* The short form of a service name: "com.amazonaws.us-east-1.ecr.api" -> "ecr.api". */
const char *matrix_service_short(const char *service_name);

#endif
