/*
 * tree: the explorer's navigable tree over an inventory, without any drawing.
 *
 *   Account/region > VPC > AZ (zone ID) > subnet > endpoint, ENI
 *                        > Endpoints > endpoint > ENI
 *                        > Route tables > route table > gateway endpoint
 *
 * Nodes are created lazily: a node's children exist only once it has been
 * expanded (or a filter or reveal needed them), so a subnet with 100,000 ENIs
 * costs nothing until opened. The visible rows are a flat array of node
 * pointers rebuilt on expand/collapse/filter; reading a row is O(1).
 *
 * Nodes own copies of their IDs: after the inventory changes, call
 * tree_rebuild(), which recreates the nodes and re-expands what was expanded
 * (by path key, e.g. "vpc-1/az:use1-az1/subnet-2"). Node pointers do not
 * survive a rebuild or a filter change; keys do.
 *
 * The filter (tree_set_filter) keeps nodes whose resource matches the text
 * (case-insensitive substring of the ID, name, tag keys and values, CIDRs,
 * IPs, service name: model/search) together with their ancestors, all shown
 * expanded. A filter builds every node; they stay built until the next
 * rebuild, so each keystroke costs one scan of the search index and one walk
 * of the nodes (narrowing walks only what the last text kept).
 * Pure: reads the inventory, no curses. One thread.
 */
#ifndef VPCX_UI_TREE_H
#define VPCX_UI_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "vpcx/model/inventory.h"
#include "vpcx/model/ipusage.h"

#define TREE_NO_ROW ((size_t)-1)

enum tree_kind {
    TREE_ROOT,
    TREE_VPC,
    TREE_AZ,
    TREE_SUBNET,
    TREE_ENI,
    TREE_ENDPOINT,
    TREE_ENDPOINTS,    /* the "Endpoints" group of a VPC */
    TREE_ROUTE_TABLES, /* the "Route tables" group of a VPC */
    TREE_ROUTE_TABLE,
    TREE_ACCOUNT, /* many scopes: an account ("profile NAME" until it is known) */
    TREE_REGION,  /* many scopes: a region of the account above */
};

struct tree_node {
    enum tree_kind kind;
    char *id; /* resource ID; zone ID (or name) for AZs; NULL for groups and root */
    struct tree_node *parent;
    struct tree_node **child;
    size_t n_child;
    unsigned depth;
    bool built;    /* children created */
    bool expanded; /* children shown */
    bool match;    /* filter: the node itself matches */
    bool keep;     /* filter: it or a descendant matches */
    /* private caches, valid until the next rebuild */
    bool counted;
    size_t count;
    struct ip_usage *usage;       /* subnets */
    struct az_headroom *headroom; /* VPCs */
    size_t n_headroom;
    bool headroom_done;
    size_t row;             /* visible row when rows[row] == this node */
    struct tree_node *kids; /* the block child[] points into */
    size_t slot;            /* inventory_slot() of the node's resource, or TREE_NO_ROW */
    bool slot_done;
};

struct tree;

struct tree *tree_create(const struct inventory *inv);
void tree_destroy(struct tree *t);
/* Recreates the nodes from the inventory, keeping expansion and the filter. */
void tree_rebuild(struct tree *t);

size_t tree_row_count(const struct tree *t);
/* The node at a visible row; NULL past the end. */
struct tree_node *tree_row(const struct tree *t, size_t row);
/* Children a node has (or would have once built); cached per rebuild. */
size_t tree_child_count(struct tree *t, struct tree_node *n);
/* The resource a node stands for; false for groups and the root. */
bool tree_node_resource(const struct tree_node *n, enum inv_type *type, const char **id);
/* The node's path key; caller frees. */
char *tree_node_key(const struct tree_node *n);
/* The visible row of the node with this key, or TREE_NO_ROW. */
size_t tree_row_of_key(struct tree *t, const char *key);

bool tree_expand(struct tree *t, size_t row);   /* false when nothing changed */
bool tree_collapse(struct tree *t, size_t row); /* false when nothing changed */
bool tree_toggle(struct tree *t, size_t row);
/* Expands every node under row (builds them all); false when nothing changed. */
bool tree_expand_all(struct tree *t, size_t row);
/* Collapses everything below the VPC level. */
void tree_collapse_all(struct tree *t);
/* The row of the node's parent, or TREE_NO_ROW at the top. */
size_t tree_parent_row(const struct tree *t, size_t row);

/* Sets the filter ("" or NULL clears it). Returns the number of matching nodes. */
size_t tree_set_filter(struct tree *t, const char *text);
const char *tree_filter(const struct tree *t);
/*
 * Builds the filter's text index and every node now (when the filter prompt
 * opens), so that each keystroke only scans; both last until the inventory
 * changes.
 */
void tree_prepare_filter(struct tree *t);
/* True when the node matches the current filter (false without one). */
bool tree_node_matches(const struct tree_node *n);

/*
 * Expands the path to a resource (VPC, AZ, subnet, ENI, endpoint, route
 * table) and returns its row; TREE_NO_ROW when it has no place in the tree.
 * Clears a filter that hides it. near_vpc picks the VPC for an AZ (may be NULL).
 */
size_t tree_reveal(struct tree *t, enum inv_type type, const char *id, const char *near_vpc);
/* The first row (at or after from, wrapping) of a node of this kind; TREE_NO_ROW if none. */
size_t tree_next_of_kind(const struct tree *t, enum tree_kind kind, size_t from);

/*
 * Many accounts and regions: the top levels become account > region > VPC
 * (path keys then start "ACCOUNT/REGION/"). The groups name count scopes,
 * each with an account label and a region; scope_of_vpc gives the scope of a
 * VPC ((size_t)-1: none, the VPC is not shown). A region row exists for every
 * scope, VPCs or not. NULL: VPCs at the top, as for one scope.
 */
struct tree_groups {
    size_t (*count)(void *ud);
    const char *(*account)(void *ud, size_t scope);
    const char *(*region)(void *ud, size_t scope);
    size_t (*scope_of_vpc)(void *ud, const char *vpc_id);
    void *ud;
};
/* Sets (copied) or clears the groups, then rebuilds. */
void tree_set_groups(struct tree *t, const struct tree_groups *groups);
/* True while the tree has the account > region levels. */
bool tree_grouped(const struct tree *t);
/* The scope of an account or region node's first scope ((size_t)-1: none). */
size_t tree_node_scope(struct tree *t, const struct tree_node *n);

/* IP usage of a subnet node (computed once per rebuild); NULL for other nodes. */
const struct ip_usage *tree_subnet_usage(struct tree *t, struct tree_node *n);
/* Per-AZ headroom of an AZ node's VPC row for its zone; NULL when unknown. */
const struct az_headroom *tree_az_headroom(struct tree *t, struct tree_node *az);
/* The VPC ID above a node (or the node's own), NULL at the root. */
const char *tree_node_vpc(const struct tree_node *n);

#endif
