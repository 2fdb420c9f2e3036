/* The endpoint forms' request: build it, check it, send it through sync/mutate. */
#include "form_internal.h"

#include "vpcx/core/xalloc.h"
#include "vpcx/sync/mutate.h"
#include "vpcx/ui/app.h"

#include <stdlib.h>
#include <string.h>

/* ---- the request ---- */

void form_spec_build(struct form *f, struct spec_buf *b)
{
    memset(b, 0, sizeof(*b));
    bool gw = f->type == INV_ENDPOINT_GATEWAY;
    b->subnets = form_choices_ids(&f->subnets, true);
    b->groups = form_choices_ids(&f->groups, false);
    b->rtbs = form_choices_ids(&f->rtbs, false);
    struct endpoint_spec *s = &b->spec;
    s->vpc_id = f->vpc_id;
    s->service_name = f->service;
    s->kind = f->type;
    if (!gw)
        s->subnet_ids = b->subnets;
    if (is_interface(f))
        s->group_ids = b->groups;
    if (gw)
        s->route_table_ids = b->rtbs;
    s->private_dns = is_interface(f) ? (f->private_dns ? INV_YES : INV_NO) : INV_UNKNOWN;
    s->policy = f->custom_policy ? f->policy.buf : NULL;
    s->ip_address_type = f->kind == FORM_CREATE && !gw ? ip_types[f->ip_type] : NULL;
    form_tags_finish(&f->parsed);
    char *bad = NULL;
    if (f->kind == FORM_CREATE && form_parse_tags(f->tags.buf, &f->parsed, &bad)) {
        size_t n = f->parsed.n + (f->name.len ? 1 : 0);
        b->tags = xcalloc(n + 1, sizeof(*b->tags));
        if (f->name.len)
            b->tags[0] = (struct endpoint_tag){"Name", f->name.buf};
        memcpy(b->tags + (f->name.len ? 1 : 0), f->parsed.v, f->parsed.n * sizeof(*b->tags));
        s->tags = b->tags;
        s->n_tags = n;
    }
    free(bad);
}

void form_spec_free(struct spec_buf *b)
{
    free(b->subnets.v);
    free(b->groups.v);
    free(b->rtbs.v);
    free(b->tags);
}

/* Problems the form itself finds, before pre-flight: JSON and tags. */
char *form_local_problem(struct form *f)
{
    if (f->kind == FORM_DELETE)
        return NULL;
    if (f->custom_policy && !preflight_report_find(&f->report, PREFLIGHT_POLICY_INVALID)) {
        cJSON *doc = cJSON_Parse(f->policy.buf);
        bool ok = cJSON_IsObject(doc);
        cJSON_Delete(doc);
        if (!ok)
            return xstrdup("the custom policy is not a valid JSON object: fix it (Enter edits, "
                           "E opens $EDITOR) or switch back to full access");
    }
    if (f->kind == FORM_CREATE) {
        struct form_tags t;
        char *bad = NULL;
        if (!form_parse_tags(f->tags.buf, &t, &bad)) {
            char *msg = xasprintf("tag '%s' needs the form KEY=VALUE", bad);
            free(bad);
            return msg;
        }
        form_tags_finish(&t);
        if (!f->service)
            return xstrdup("choose a service first (Enter on the Service row)");
    }
    return NULL;
}

void form_run_preflight(struct form *f)
{
    preflight_report_finish(&f->report);
    preflight_report_init(&f->report);
    if (f->kind == FORM_DELETE || (f->kind == FORM_CREATE && !f->service))
        return;
    struct spec_buf b;
    form_spec_build(f, &b);
    const struct inventory *inv = app_inventory(f->app);
    if (f->kind == FORM_CREATE)
        preflight_check_create(inv, &b.spec, &f->report);
    else
        preflight_check_modify(inv, f->endpoint_id, &b.spec, &f->report);
    form_spec_free(&b);
}

void form_drop_op(struct form *f)
{
    mutate_op_destroy(f->op);
    f->op = NULL;
}

/* ---- submit ---- */

static void set_error(struct form *f, const char *msg, const char *hint)
{
    free(f->error);
    free(f->hint);
    f->error = msg ? xstrdup(msg) : NULL;
    f->hint = hint ? xstrdup(hint) : NULL;
}

static void after_done(struct form *f)
{
    if (mutate_op_simulated(f->op))
        return;
    /* The endpoint's ENIs take addresses in its subnets. */
    app_refetch(f->app, INV_ENI);
    app_refetch(f->app, INV_SUBNET);
}

static void op_event(void *ud, struct mutate_op *op)
{
    struct view *v = ud;
    struct form *f = fm(v);
    (void)op;
    switch (mutate_op_phase(f->op)) {
    case MUTATE_PHASE_READY:
        f->stage = STAGE_CONFIRM;
        break;
    case MUTATE_PHASE_DONE:
        f->stage = STAGE_DONE;
        after_done(f);
        app_message(f->app, ROLE_OK, "%s", mutate_op_message(f->op));
        break;
    case MUTATE_PHASE_FAILED: {
        const struct vpcx_error *e = mutate_op_error(f->op);
        set_error(f, mutate_op_message(f->op), e->hint);
        f->stage = STAGE_EDIT;
        app_message(f->app, ROLE_ERROR, "%s", mutate_op_message(f->op));
        break;
    }
    case MUTATE_PHASE_CONFLICT:
        f->stage = STAGE_CONFLICT;
        break;
    default:
        f->stage = STAGE_BUSY;
    }
    v->cursor = v->top = 0;
    form_refresh(v);
    /* The preview's button has the cursor: Enter sends, any other key goes back. */
    for (size_t i = 0; f->stage == STAGE_CONFIRM && i < f->n_rows; i++)
        if (f->rows[i].kind == R_SEND)
            v->cursor = i;
    app_redraw(f->app);
}

void form_submit(struct view *v)
{
    struct form *f = fm(v);
    char *local = form_local_problem(f);
    if (local || (f->kind != FORM_DELETE && preflight_report_blocks(&f->report))) {
        app_message(f->app, ROLE_ERROR, "%s",
                    local ? local : "the pre-flight checks found errors: nothing was sent");
        free(local);
        return;
    }
    form_drop_op(f);
    set_error(f, NULL, NULL);
    struct spec_buf b;
    form_spec_build(f, &b);
    const struct mutate_request req = {
        .kind = f->kind == FORM_CREATE   ? MUTATE_CREATE
                : f->kind == FORM_MODIFY ? MUTATE_MODIFY
                                         : MUTATE_DELETE,
        .spec = b.spec,
        .endpoint_id = f->endpoint_id,
        .base = f->base,
        .typed_id = f->typed.buf,
    };
    const struct mutate_options opts = {.poll_first_ms = 1000, .on_event = op_event, .ud = v};
    struct vpcx_error err;
    vpcx_error_init(&err);
    f->op = mutate_op_create(app_gate(f->app), app_client(f->app), app_inventory_rw(f->app), &req,
                             &opts, &err);
    form_spec_free(&b);
    if (!f->op) {
        set_error(f, err.message ? err.message : vpcx_status_message(err.status), err.hint);
        app_message(f->app, ROLE_ERROR, "%s", f->error);
        vpcx_error_finish(&err);
        form_refresh(v);
        return;
    }
    vpcx_error_finish(&err);
    f->stage = STAGE_BUSY;
    v->cursor = v->top = 0;
    form_refresh(v);
    mutate_op_check(f->op); /* events move the stage on */
}
