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
    size_t eni_count;
};

enum matrix_row_kind {
    MATRIX_ROW_VPC,      /* group header (all-VPC mode) */
    MATRIX_ROW_ENDPOINT, /* one endpoint */
};

struct matrix_row {
    enum matrix_row_kind kind;
    const char *id;      /* endpoint or VPC ID */
    const char *vpc_id;  /* the row's VPC */
    const char *name;    /* Name tag, may be NULL */
    const char *service; /* endpoint's service name, may be NULL */
    bool gateway;        /* Gateway endpoint: no cells */
    bool single_az;      /* interface endpoint with ENIs in exactly one zone */
    size_t covered;      /* zones with an ENI */
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

/* How the columns fit a width: label column, cell width, the visible columns. */
struct matrix_fit {
    int label_w;
    int cell_w;       /* cells are cell_w wide plus one separator column */
    size_t first_col; /* first visible column (horizontal scroll) */
    size_t n_visible;
};

/*
 * Picks the widest cell style (IP and state, IP, short, glyph) that lets all
 * n_cols columns fit in width beside a readable label; when even glyph cells
 * do not fit, shows as many columns as fit starting at first_col (clamped).
 */
void matrix_fit_columns(size_t n_cols, int width, size_t first_col, struct matrix_fit *out);

/*
 * The text of a cell at a width (at most width cells; ASCII glyphs unless
 * utf8) into out, and the role to draw it in.
 */
enum theme_role matrix_cell_text(const struct matrix_cell *c, int width, const struct ui_glyphs *g,
                                 struct strbuf *out);

/* The short form of a service name: "com.amazonaws.us-east-1.ecr.api" -> "ecr.api". */
const char *matrix_service_short(const char *service_name);

#endif
