/*
 * form: the endpoint forms of the explorer, three views in src/ui/formview.c
 * ("create", "modify", "delete"), each pushed over the panes by the create,
 * modify and delete actions or the :create, :modify, :delete commands.
 *
 * Every change goes through sync/mutate (the one write gate): the forms build
 * a struct mutate_request, and mutate_op_create() refuses it when the gate is
 * read-only (the form shows the refusal and its hint; nothing is sent). A
 * submit runs mutate_op_check() (fresh read for a modify, DryRun), shows the
 * equivalent `aws ec2 ...` command (with " \" continuations; `y` copies it
 * whole) and the changes, and only Enter on the Send button (where the cursor
 * starts) calls mutate_op_confirm(). Any other key goes back to the form with
 * what was typed; nothing is sent twice.
 *
 * Args: create takes {INV_VPC, vpc-id} or {INV_SUBNET, subnet-id} (NULL id:
 * the first VPC); modify and delete take {INV_ENDPOINT, vpce-id}.
 *
 * Pure helpers below are public for the unit tests.
 */
#ifndef VPCX_UI_FORM_H
#define VPCX_UI_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "vpcx/model/preflight.h"

struct view;

/*
 * The matrix's what-ifs handed to an open modify form: for each zone (by
 * name) in add, the form's subnet there with the most free addresses is
 * chosen (zones the service does not offer are skipped); for each in remove,
 * the subnet there is dropped. Nothing is sent: the form checks and previews
 * as ever.
 */
void form_preset_zones(struct view *modify_form, const char *const *add, size_t n_add,
                       const char *const *remove, size_t n_remove);

/* Parsed "k=v, k2=v2" tag text; keys and values owned. */
struct form_tags {
    struct endpoint_tag *v; /* points into strs */
    char **strs;            /* key, value, key, value... owned */
    size_t n;
};

/* Parses tag text; false (with *bad the offending piece, owned) on a piece without '='. */
bool form_parse_tags(const char *text, struct form_tags *out, char **bad);
void form_tags_finish(struct form_tags *t);

/* A line diff of two texts (LCS): lines start with ' ', '-' or '+' and end in '\n'. */
char *form_line_diff(const char *a, const char *b);

#endif
