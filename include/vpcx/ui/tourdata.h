/*
 * tourdata: the guided tour's steps and the :explain texts, parsed from
 * data/tour.txt (compiled in; the format is described at its top). Pure: no
 * terminal. Texts are stored as written; callers sanitise before drawing.
 */
#ifndef VPCX_UI_TOURDATA_H
#define VPCX_UI_TOURDATA_H

#include <stddef.h>

#include "vpcx/core/status.h"

struct tour_step {
    char *name;
    char *title;
    char *target;     /* "endpoint interface", "subnet fullest"... */
    char *view;       /* "matrix", "policy", "create" or NULL */
    char *needs_view; /* skipped unless the build has this view; NULL: none */
    char *text;       /* one paragraph, lines joined by spaces */
};

struct tour_explain {
    char *key; /* "VPC endpoint" or "VPC endpoint.Private DNS" */
    char *doc; /* the AWS documentation page to read next, by title */
    char *text;
};

struct tour_data {
    struct tour_step *steps;
    size_t n_steps;
    struct tour_explain *explain;
    size_t n_explain;
};

/* VPCX_ERR_PARSE naming the line for a key outside a block, an unknown key or a
   block without text; out is empty then. */
enum vpcx_status tour_data_parse(const char *text, size_t len, struct tour_data *out,
                                 struct vpcx_error *err);
void tour_data_finish(struct tour_data *d);
/* The compiled-in data, parsed on first use; NULL (err set) if it does not parse. */
const struct tour_data *tour_data_builtin(struct vpcx_error *err);
/* Word-wraps text to width bytes a line into at most max lines of lines[][256];
   returns how many lines the whole text needs (more than max when it is cut). */
size_t tour_wrap(const char *text, int width, char (*lines)[256], size_t max);
/* The entry for key, compared without case; NULL when none. */
const struct tour_explain *tour_explain_find(const struct tour_data *d, const char *key);

#endif
