/*
 * The guided tour and :explain. A step moves the real explorer to what it talks
 * about (the tree's row for it, and a view over the panes when the step names
 * one) and shows its text in a box above the status line; n, p and q move on,
 * back and out, every other key works as usual. A step whose target is not in
 * the inventory, or whose view this build lacks, is skipped.
 */
#include "app_internal.h"

#include "vpcx/core/sanitize.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/model/placement.h"
#include "vpcx/model/policy.h"
#include "vpcx/ui/draw.h"
#include "vpcx/ui/line.h"
#include "vpcx/ui/tourdata.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#define BOX_TEXT_LINES 4 /* with the two borders: six lines, as an 80x24 screen allows */

/* ---- targets ---- */

static bool ep_interface(const struct inv_resource *r)
{
    return r->endpoint.kind == INV_ENDPOINT_INTERFACE;
}

/* Zones holding the endpoint's ENIs: 0 when unknown. */
static size_t ep_zones(const struct inventory *inv, const struct inv_resource *r, bool *single)
{
    struct placement p;
    size_t covered = 0;
    *single = false;
    if (placement_compute(inv, r->id, &p) == VPCX_OK && p.applicable) {
        covered = p.covered;
        *single = p.single_az && p.n_azs > 1;
    }
    placement_finish(&p);
    return covered;
}

static bool ep_full_access(const struct inv_resource *r)
{
    if (!r->endpoint.policy)
        return r->endpoint.kind != INV_ENDPOINT_GWLB; /* no document: AWS's default */
    struct policy_report rep;
    bool full = policy_analyze(r->endpoint.policy, &rep) == VPCX_OK && rep.full_access;
    policy_report_finish(&rep);
    return full;
}

static const struct inv_resource *find_endpoint(const struct inventory *inv, const char *how)
{
    size_t n = inventory_count(inv, INV_ENDPOINT);
    for (size_t i = 0; i < n; i++) {
        const struct inv_resource *r = inventory_at(inv, INV_ENDPOINT, i);
        bool single;
        if (strcmp(how, "gateway") == 0 && r->endpoint.kind == INV_ENDPOINT_GATEWAY)
            return r;
        if (!ep_interface(r))
            continue;
        if (strcmp(how, "interface") == 0)
            return r;
        if (strcmp(how, "multi-az") == 0 && ep_zones(inv, r, &single) > 1)
            return r;
        if (strcmp(how, "single-az") == 0 && ep_zones(inv, r, &single) == 1 && single)
            return r;
        if (strcmp(how, "full-access") == 0 && ep_full_access(r))
            return r;
    }
    return NULL;
}

static const struct inv_resource *find_vpc(const struct inventory *inv, const char *how)
{
    const struct inv_resource *best = NULL;
    size_t best_n = 0, n = inventory_count(inv, INV_VPC);
    for (size_t i = 0; i < n; i++) {
        const struct inv_resource *r = inventory_at(inv, INV_VPC, i);
        size_t eps = inventory_vpc_endpoints(inv, r->id).n;
        if (strcmp(how, "dns-hostnames-off") == 0 && r->vpc.dns_hostnames == INV_NO)
            return r;
        if (strcmp(how, "most-endpoints") == 0 && eps > best_n)
            best = r, best_n = eps;
    }
    return best;
}

static const struct inv_resource *find_subnet(const struct inventory *inv)
{
    const struct inv_resource *best = NULL;
    double best_used = -1;
    size_t n = inventory_count(inv, INV_SUBNET);
    for (size_t i = 0; i < n; i++) {
        const struct inv_resource *r = inventory_at(inv, INV_SUBNET, i);
        if (!r->subnet.has_cidr || !r->subnet.has_available || r->subnet.cidr.prefix > 28)
            continue;
        double size = (double)(1ull << (32 - r->subnet.cidr.prefix));
        double used = 1.0 - (double)r->subnet.available / size;
        if (used > best_used)
            best = r, best_used = used;
    }
    return best;
}

/* The resource a step's target names; false when the inventory has none. */
static bool resolve(const struct inventory *inv, const char *target, enum inv_type *type,
                    const char **id)
{
    const struct inv_resource *r = NULL;
    if (strcmp(target, "root") == 0) {
        *id = NULL;
        return true;
    }
    if (strncmp(target, "endpoint ", 9) == 0)
        r = find_endpoint(inv, target + 9);
    else if (strncmp(target, "vpc ", 4) == 0)
        r = find_vpc(inv, target + 4);
    else if (strcmp(target, "subnet fullest") == 0)
        r = find_subnet(inv);
    if (!r)
        return false;
    *type = r->type;
    *id = r->id;
    return true;
}

/* ---- steps ---- */

static const struct tour_data *data_of(struct app *a)
{
    struct vpcx_error err;
    vpcx_error_init(&err);
    const struct tour_data *d = tour_data_builtin(&err);
    if (!d)
        app_message(a, ROLE_ERROR, "%s", err.message);
    vpcx_error_finish(&err);
    return d;
}

static bool runnable(struct app *a, const struct tour_step *s)
{
    enum inv_type type;
    const char *id;
    if (s->needs_view && !view_find(s->needs_view))
        return false;
    if (s->view && !view_find(s->view))
        return false;
    return resolve(a->inv, s->target, &type, &id);
}

/* Moves the explorer to step i. */
static void show(struct app *a, const struct tour_data *d, size_t i)
{
    const struct tour_step *s = &d->steps[i];
    enum inv_type type = INV_VPC;
    const char *id = NULL;
    resolve(a->inv, s->target, &type, &id);
    while (a->n_stack)
        app_pop_view(a);
    a->focus = FOCUS_TREE;
    char *copy = id ? xstrdup(id) : NULL;
    if (copy)
        app_go_to(a, type, copy);
    if (s->view) { /* with no target (root), a view of the whole inventory */
        const struct view_args args = {.type = type, .id = copy};
        app_open_view(a, s->view, &args);
    }
    free(copy);
    a->tour_step = (int)i;
    a->dirty = true;
}

/* The runnable step from i on in direction dir (+1 or -1); -1 when none. */
static int seek(struct app *a, const struct tour_data *d, int i, int dir)
{
    for (; i >= 0 && (size_t)i < d->n_steps; i += dir)
        if (runnable(a, &d->steps[i]))
            return i;
    return -1;
}

void app_tour_start(struct app *a, int step)
{
    const struct tour_data *d = data_of(a);
    if (!d)
        return;
    a->explain = NULL;
    int i = seek(a, d, step > 0 ? step - 1 : 0, +1);
    if (i < 0) {
        app_message(a, ROLE_WARN, "no tour step from %d has anything to show here", step);
        return;
    }
    show(a, d, (size_t)i);
}

static void tour_end(struct app *a)
{
    a->tour_step = -1;
    app_message(a, ROLE_OK, "tour ended; :tour starts it again");
    a->dirty = true;
}

bool app_tour_key(struct app *a, int key)
{
    if (a->explain) {
        if (key == 'q' || key == 27 || key == '\n' || key == '\r' || key == KEY_ENTER) {
            a->explain = NULL;
            a->dirty = true;
            return true;
        }
        return false;
    }
    const struct tour_data *d = a->tour_step >= 0 ? tour_data_builtin(NULL) : NULL;
    if (!d)
        return false;
    int next;
    switch (key) {
    case 'n':
    case ' ':
        next = seek(a, d, a->tour_step + 1, +1);
        if (next < 0)
            tour_end(a);
        else
            show(a, d, (size_t)next);
        return true;
    case 'p':
        next = seek(a, d, a->tour_step - 1, -1);
        if (next >= 0)
            show(a, d, (size_t)next);
        return true;
    case 'q':
    case 27:
        tour_end(a);
        return true;
    default:
        return false;
    }
}

/* ---- :explain ---- */

void app_explain(struct app *a, const char *key)
{
    const struct tour_data *d = data_of(a);
    if (!d)
        return;
    enum inv_type type;
    const char *id;
    const char *what = key;
    if (!what || !*what) {
        /* the tree's root row is the account */
        what =
            view_selection(app_focused_view(a), &type, &id) ? inventory_type_name(type) : "account";
    }
    const struct tour_explain *e = tour_explain_find(d, what);
    if (!e) {
        app_message(a, ROLE_WARN, "nothing to explain for %s", what);
        return;
    }
    a->explain = e;
    a->dirty = true;
}

/* ---- the box ---- */

static void box_border(struct app *a, int y, int x, int w, const char *left, const char *right,
                       enum theme_role role)
{
    const struct ui_glyphs *g = app_glyphs(a);
    struct ui_line l;
    line_init(&l);
    l.fill = ROLE_NORMAL;
    line_add(&l, ROLE_DIM, g->hline);
    line_add(&l, role, " ");
    line_add(&l, role, left);
    line_add(&l, role, " ");
    int used = (int)strlen(left) + 3 + (right ? (int)strlen(right) + 3 : 0);
    for (int i = used; i < w; i++)
        line_add(&l, ROLE_DIM, g->hline);
    if (right) {
        line_add(&l, ROLE_DIM, " ");
        line_add(&l, ROLE_COUNTER, right);
        line_add(&l, ROLE_DIM, " ");
        line_add(&l, ROLE_DIM, g->hline);
    }
    draw_line(stdscr, y, x, w, &l, &a->palette, -1);
    line_finish(&l);
}

static void tour_box(struct app *a, const char *title, const char *text, const char *footer)
{
    int w = COLS; /* the whole width: nothing of the panes shows through beside it */
    if (w < 20)
        return;
    char lines[BOX_TEXT_LINES][256];
    char *clean = sanitize_dup(text, SANITIZE_SPACE);
    size_t n = tour_wrap(clean, (w > 100 ? 100 : w) - 4, lines, BOX_TEXT_LINES);
    if (n > BOX_TEXT_LINES)
        n = BOX_TEXT_LINES;
    free(clean);
    char *t = sanitize_dup(title, SANITIZE_SPACE);
    int y = LINES - 1 - (int)n - 2;
    box_border(a, y, 0, w, t, NULL, ROLE_TITLE);
    free(t);
    for (size_t i = 0; i < n; i++) {
        struct ui_line l;
        line_init(&l);
        l.fill = ROLE_NORMAL;
        line_add(&l, ROLE_NORMAL, "  ");
        line_add(&l, ROLE_NORMAL, lines[i]);
        draw_line(stdscr, y + 1 + (int)i, 0, w, &l, &a->palette, -1);
        line_finish(&l);
    }
    box_border(a, y + 1 + (int)n, 0, w, footer, NULL, ROLE_DIM);
}

void app_tour_paint(struct app *a)
{
    if (a->explain) {
        char *footer = xasprintf("read next: \"%s\" (AWS docs)  q: close",
                                 a->explain->doc ? a->explain->doc : "the AWS documentation");
        char *title = xasprintf("explain: %s", a->explain->key);
        tour_box(a, title, a->explain->text, footer);
        free(title);
        free(footer);
        return;
    }
    const struct tour_data *d = a->tour_step >= 0 ? tour_data_builtin(NULL) : NULL;
    if (!d || (size_t)a->tour_step >= d->n_steps)
        return;
    const struct tour_step *s = &d->steps[a->tour_step];
    char *title = xasprintf("tour %d/%zu: %s", a->tour_step + 1, d->n_steps, s->title);
    tour_box(a, title, s->text, "n: next  p: back  q: end the tour");
    free(title);
}
