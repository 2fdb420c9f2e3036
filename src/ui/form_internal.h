/*
 * form_internal: what the endpoint form's files share (formview.c: open, close and
 * keys; formdata.c: helpers, choices and the service list; formrows.c: the rows;
 * formsubmit.c: the request, check and send). Private to src/ui, not a contract.
 */
#ifndef VPCX_UI_FORM_INTERNAL_H
#define VPCX_UI_FORM_INTERNAL_H

#include "vpcx/core/strbuf.h"
#include "vpcx/model/preflight.h"
#include "vpcx/sync/mutate.h"
#include "vpcx/ui/form.h"
#include "vpcx/ui/views.h"

#define LABEL_W 18

enum form_kind { FORM_CREATE, FORM_MODIFY, FORM_DELETE };

enum stage {
    STAGE_EDIT,     /* moving over the fields */
    STAGE_TEXT,     /* typing into a text field */
    STAGE_PICK,     /* the service picker */
    STAGE_BUSY,     /* check, send or poll in progress */
    STAGE_CONFIRM,  /* the preview: y sends */
    STAGE_DONE,     /* finished */
    STAGE_CONFLICT, /* a modify found the endpoint changed */
};

enum row_kind {
    R_TEXT, /* display only */
    R_VPC,
    R_SERVICE,
    R_TYPE,
    R_SUBNET,
    R_GROUP,
    R_RTB,
    R_DNS,
    R_IPTYPE,
    R_POLICY_MODE,
    R_POLICY_TEXT,
    R_NAME,
    R_TAGS,
    R_TYPED_ID,
    R_SUBMIT,
    R_SEND,
    R_PICK,
};

struct row {
    enum row_kind kind;
    size_t index;
    struct ui_line line;
};

struct choice {
    char *id;
    char *name;  /* the Name tag or group name, may be "" */
    char *label; /* what else tells it apart (a subnet's zone and free addresses), may be "" */
    char *az;    /* subnets */
    bool on;
    bool disabled;
};

struct choices {
    struct choice *v;
    size_t n;
};

struct pick {
    const char *name; /* borrowed from the inventory; rebuilt on reload */
    unsigned kinds;
    const char *category;
};

static const char *const ip_types[] = {NULL, "ipv4", "dualstack", "ipv6"};
#define N_IP_TYPES 4

struct form {
    enum form_kind kind;
    enum stage stage;
    struct app *app;
    char *vpc_id;
    char *service;
    enum inv_endpoint_kind type;
    struct choices subnets, groups, rtbs;
    bool private_dns;
    int ip_type;
    bool custom_policy;
    struct strbuf policy, name, tags, typed;
    char *endpoint_id;
    cJSON *base; /* modify: the endpoint the form started from */
    char *start_subnet;
    /* Text field being edited and its value before, for Esc. */
    struct strbuf *editing;
    char *saved;
    /* Picker. */
    struct strbuf filter;
    int category; /* 0 all, 1 AWS, 2 partner, 3 own */
    struct pick *picks;
    size_t n_picks;
    /* Check and send. */
    struct preflight_report report;
    struct mutate_op *op;
    char *error, *hint;
    struct form_tags parsed;
    /* Rows. */
    struct row *rows;
    size_t n_rows, alloc;
};

static inline struct form *fm(struct view *v)
{
    return v->priv;
}

static const char *const categories[] = {"all", "AWS", "partner", "own"};

struct spec_buf {
    struct endpoint_spec spec;
    struct inv_ids subnets, groups, rtbs;
    struct endpoint_tag *tags;
};

static inline bool is_interface(const struct form *f)
{
    return f->type == INV_ENDPOINT_INTERFACE;
}

/* formdata.c: the choices (subnets, groups, route tables) and the service list. */
void form_choices_set(struct choices *c, const struct inv_ids *ids);
struct inv_ids form_choices_ids(const struct choices *c, bool skip_disabled);
void form_choices_free(struct choices *c);
void form_load_choices(struct form *f);
void form_mark_offered(struct form *f);
unsigned form_service_kinds(const struct inventory *inv, const char *name);
void form_kinds_text(struct strbuf *sb, unsigned kinds);
bool form_contains_nocase(const char *hay, const char *needle);
void form_load_picks(struct form *f);
enum inv_endpoint_kind form_first_kind(unsigned kinds);

/* formsubmit.c: the request, the local and pre-flight checks, the submit. */
char *form_local_problem(struct form *f);
void form_spec_build(struct form *f, struct spec_buf *b);
void form_spec_free(struct spec_buf *b);
void form_run_preflight(struct form *f);
void form_drop_op(struct form *f);
void form_submit(struct view *v);

/* formrows.c: the rows of every stage. */
void form_refresh(struct view *v);
void form_rows_clear(struct form *f);
const char *form_current_policy(const cJSON *ep);
/* Scrolls so the rows under the cursor's (the errors under the submit button) show. */
void form_reveal_below(struct view *v);
/* The preview's aws command with " \" continuations, as y copies it; NULL before one. */
char *form_preview_command(const struct form *f);

#endif
