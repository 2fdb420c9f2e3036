#include "vpcx/aws/xml.h"

#include "vpcx/aws/awserror.h"
#include "vpcx/aws/limits.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

/* Longest reference examined: "&#x" + 12 digits + ";". */
#define CHARREF_MAX 16
/* Bytes handed to libxml2 per call (its length argument is an int). */
#define FEED_SLICE (64 * 1024)

enum frame_kind {
    FRAME_STRUCT,   /* building an object for a structure shape */
    FRAME_LIST,     /* building an array for a list shape */
    FRAME_SCALAR,   /* collecting the text of a scalar member */
    FRAME_CAPTURE,  /* collecting text into a parser field (request ID, error code) */
    FRAME_DOC_ROOT, /* query protocol root: holds <OpResult> and <ResponseMetadata> */
    FRAME_METADATA, /* <ResponseMetadata> */
    FRAME_ERR_ROOT, /* <Response> or <ErrorResponse> */
    FRAME_ERR_LIST, /* <Errors> */
    FRAME_ERR,      /* <Error> */
};

/* Member order hints for structures of up to ORDER_SLOTS - 1 members. */
#define ORDER_SLOTS 64
#define ORDER_START (ORDER_SLOTS - 1)

struct frame {
    enum frame_kind kind;
    const struct aws_shape *shape;
    const struct aws_member *member; /* in the parent structure; NULL for a list item */
    cJSON *node;                     /* STRUCT, LIST */
    cJSON **slots;  /* STRUCT: finished members by model index (first wins, model order) */
    size_t nslots;  /* allocated slots, reused between structures at this depth */
    char **capture; /* CAPTURE: destination */
    bool streamed;  /* LIST: items go to the callback */
    bool has_child; /* SCALAR, CAPTURE: text stops at the first child element (botocore) */
    /*
     * STRUCT: which member followed which in the previous item at this depth.
     * Items of a list repeat their element order, so the guess is nearly
     * always right and a member lookup costs one string compare.
     */
    const struct aws_shape *order_shape;
    unsigned char succ[ORDER_SLOTS];
    unsigned char last;
};

struct awsxml_parser {
    xmlParserCtxtPtr ctxt;
    xmlSAXHandler sax;
    const struct aws_shape *output;
    const struct aws_member *stream_member;
    awsxml_item_fn fn;
    void *ud;
    size_t items;      /* streamed items begun */
    bool in_item;      /* inside one of them */
    size_t item_bytes; /* its element names and text so far */
    struct frame stack[AWSXML_MAX_DEPTH];
    unsigned nframes;
    unsigned skip; /* depth inside an ignored subtree */
    struct strbuf text;
    struct strbuf scratch; /* feed() output after filtering */
    char ref[CHARREF_MAX]; /* reference being examined, across chunks */
    size_t nref;
    enum { SECTION_NONE, SECTION_CDATA, SECTION_COMMENT } section;
    unsigned cdata_seen, comment_seen, close_seen; /* bytes of the section markers matched */
    size_t fed;                                    /* bytes fed, to tell an empty body */
    bool only_space;
    cJSON *result;
    bool root_seen, root_closed, is_error, error_taken, finished;
    struct vpcx_error err; /* sticky failure */
    char *request_id, *err_code, *err_message, *err_type;
};

/* ---- failure ---- */

static enum vpcx_status parser_fail(struct awsxml_parser *p, enum vpcx_status st, const char *fmt,
                                    ...) __attribute__((format(printf, 3, 4)));

static enum vpcx_status parser_fail(struct awsxml_parser *p, enum vpcx_status st, const char *fmt,
                                    ...)
{
    if (p->err.status != VPCX_OK)
        return p->err.status;
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    vpcx_error_set(&p->err, st, "%s", msg);
    free(msg);
    if (p->ctxt)
        xmlStopParser(p->ctxt);
    return st;
}

static bool parser_failed(const struct awsxml_parser *p)
{
    return p->err.status != VPCX_OK;
}

static void on_xml_error(void *ud, xmlErrorPtr e)
{
    struct awsxml_parser *p = ud;
    if (!e || e->level < XML_ERR_ERROR || parser_failed(p))
        return;
    struct strbuf msg = STRBUF_INIT;
    strbuf_addstr(&msg, e->message ? e->message : "unknown error");
    strbuf_trim(&msg);
    parser_fail(p, VPCX_ERR_PARSE, "malformed XML at line %d, column %d: %s", e->line, e->int2,
                strbuf_str(&msg));
    strbuf_release(&msg);
}

static void on_doctype(void *ud, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
    parser_fail(ud, VPCX_ERR_PARSE, "a DOCTYPE is not allowed in an AWS response");
}

/* ---- frames ---- */

static struct frame *frame_top(struct awsxml_parser *p)
{
    return p->nframes ? &p->stack[p->nframes - 1] : NULL;
}

static struct frame *frame_push(struct awsxml_parser *p, enum frame_kind kind,
                                const struct aws_shape *shape, const struct aws_member *member)
{
    struct frame *f = &p->stack[p->nframes++];
    f->kind = kind;
    f->shape = shape;
    f->member = member;
    f->node = NULL;
    f->capture = NULL;
    f->streamed = false;
    f->has_child = false;
    f->last = ORDER_START;
    if (f->order_shape != shape) {
        memset(f->succ, 0xFF, sizeof(f->succ));
        f->order_shape = shape;
    }
    return f;
}

static void frame_clear(struct frame *f)
{
    if (f->kind == FRAME_STRUCT && f->slots) {
        for (unsigned i = 0; i < f->shape->member_count; i++) {
            cJSON_Delete(f->slots[i]);
            f->slots[i] = NULL;
        }
    }
    cJSON_Delete(f->node);
    f->node = NULL;
}

static void push_value(struct awsxml_parser *p, const struct aws_shape *shape,
                       const struct aws_member *member)
{
    struct frame *f;
    switch (shape->type) {
    case AWS_SHAPE_STRUCTURE:
        f = frame_push(p, FRAME_STRUCT, shape, member);
        f->node = cJSON_CreateObject();
        if (f->nslots < shape->member_count) {
            f->slots = xreallocarray(f->slots, shape->member_count, sizeof(*f->slots));
            f->nslots = shape->member_count;
        }
        memset(f->slots, 0, shape->member_count * sizeof(*f->slots));
        break;
    case AWS_SHAPE_LIST:
        f = frame_push(p, FRAME_LIST, shape, member);
        f->node = cJSON_CreateArray();
        f->streamed = member && member == p->stream_member;
        break;
    case AWS_SHAPE_MAP: /* not in the table (the generator refuses maps) */
        p->skip = 1;
        break;
    default:
        frame_push(p, FRAME_SCALAR, shape, member);
        strbuf_reset(&p->text);
        break;
    }
}

static void push_capture(struct awsxml_parser *p, char **dest)
{
    if (*dest) {
        p->skip = 1; /* first wins */
        return;
    }
    struct frame *f = frame_push(p, FRAME_CAPTURE, NULL, NULL);
    f->capture = dest;
    strbuf_reset(&p->text);
}

/* ---- start of an element ---- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void start_root(struct awsxml_parser *p, const char *name)
{
    p->root_seen = true;
    if (strcmp(name, "Response") == 0 || strcmp(name, "ErrorResponse") == 0) {
        p->is_error = true;
        frame_push(p, FRAME_ERR_ROOT, NULL, NULL);
    } else if (!ends_with(name, "Response")) {
        parser_fail(p, VPCX_ERR_PARSE, "unexpected root element <%s>: not an AWS response", name);
    } else if (p->output->result_wrapper) {
        frame_push(p, FRAME_DOC_ROOT, NULL, NULL);
    } else {
        push_value(p, p->output, NULL);
    }
}

static const struct aws_member *find_member(struct frame *top, const char *name)
{
    const struct aws_shape *s = top->shape;
    bool hinted = s->member_count < ORDER_START;
    if (hinted && top->succ[top->last] < s->member_count) {
        const struct aws_member *guess = aws_shape_member(s, top->succ[top->last]);
        if (strcmp(guess->xml_name, name) == 0) {
            top->last = top->succ[top->last];
            return guess;
        }
    }
    const struct aws_member *m = aws_shape_find_xml(s, name);
    if (m && hinted) {
        unsigned char idx = (unsigned char)aws_shape_member_index(s, m);
        top->succ[top->last] = idx;
        top->last = idx;
    }
    return m;
}

static void start_member(struct awsxml_parser *p, struct frame *top, const char *name)
{
    const struct aws_member *m = find_member(top, name);
    if (!m) {
        /* EC2 puts the request ID beside the output's members. */
        if (p->nframes == 1 && strcmp(name, "requestId") == 0)
            push_capture(p, &p->request_id);
        else
            p->skip = 1;
        return;
    }
    if (top->slots[aws_shape_member_index(top->shape, m)]) {
        p->skip = 1; /* a repeated element: the first wins */
        return;
    }
    push_value(p, aws_shape_get(m->shape), m);
}

static void start_in_error(struct awsxml_parser *p, struct frame *top, const char *name)
{
    bool is_error = strcmp(name, "Error") == 0;
    if (top->kind == FRAME_ERR) {
        if (strcmp(name, "Code") == 0)
            push_capture(p, &p->err_code);
        else if (strcmp(name, "Message") == 0)
            push_capture(p, &p->err_message);
        else if (strcmp(name, "Type") == 0)
            push_capture(p, &p->err_type);
        else
            p->skip = 1;
    } else if (is_error && !p->error_taken) {
        frame_push(p, FRAME_ERR, NULL, NULL);
    } else if (top->kind == FRAME_ERR_ROOT && strcmp(name, "Errors") == 0) {
        frame_push(p, FRAME_ERR_LIST, NULL, NULL);
    } else if (top->kind == FRAME_ERR_ROOT &&
               (strcmp(name, "RequestID") == 0 || strcmp(name, "RequestId") == 0)) {
        push_capture(p, &p->request_id);
    } else {
        p->skip = 1;
    }
}

static const char *stream_name(const struct awsxml_parser *p)
{
    return p->stream_member->json_name;
}

/* A streamed item starts; false (the parse failed) past the page cap. */
static bool item_begin(struct awsxml_parser *p)
{
    if (p->items >= AWS_MAX_PAGE_ITEMS) {
        parser_fail(p, VPCX_ERR_TOO_LARGE,
                    "the response lists more than %d %s, the cap on items in one page "
                    "(EC2 pages hold at most 1000)",
                    AWS_MAX_PAGE_ITEMS, stream_name(p));
        return false;
    }
    p->items++;
    p->in_item = true;
    p->item_bytes = 0;
    return true;
}

/* Counts n bytes of the current item's XML; false (the parse failed) past the item cap. */
static bool item_grow(struct awsxml_parser *p, size_t n)
{
    if (!p->in_item)
        return true;
    p->item_bytes += n;
    if (p->item_bytes <= AWS_MAX_ITEM_BYTES)
        return true;
    parser_fail(p, VPCX_ERR_TOO_LARGE, "item %zu of %s is larger than %d KiB, the cap on one item",
                p->items, stream_name(p), AWS_MAX_ITEM_BYTES / 1024);
    return false;
}

static void start_child(struct awsxml_parser *p, struct frame *top, const char *name)
{
    switch (top->kind) {
    case FRAME_STRUCT:
        start_member(p, top, name);
        break;
    case FRAME_LIST:
        if (top->streamed && !item_begin(p))
            break;
        push_value(p, aws_shape_list_item(top->shape), NULL);
        break;
    case FRAME_SCALAR:
    case FRAME_CAPTURE:
        top->has_child = true;
        p->skip = 1;
        break;
    case FRAME_DOC_ROOT:
        if (strcmp(name, p->output->result_wrapper) == 0 && !p->result)
            push_value(p, p->output, NULL);
        else if (strcmp(name, "ResponseMetadata") == 0)
            frame_push(p, FRAME_METADATA, NULL, NULL);
        else
            p->skip = 1;
        break;
    case FRAME_METADATA:
        if (strcmp(name, "RequestId") == 0)
            push_capture(p, &p->request_id);
        else
            p->skip = 1;
        break;
    case FRAME_ERR_ROOT:
    case FRAME_ERR_LIST:
    case FRAME_ERR:
        start_in_error(p, top, name);
        break;
    }
}

static void on_start(void *ud, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                     int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
                     int nb_defaulted, const xmlChar **attributes)
{
    struct awsxml_parser *p = ud;
    const char *name = (const char *)localname;
    if (parser_failed(p))
        return;
    if (p->nframes + p->skip >= AWSXML_MAX_DEPTH) {
        parser_fail(p, VPCX_ERR_TOO_LARGE, "XML nested deeper than %d elements", AWSXML_MAX_DEPTH);
        return;
    }
    /* "<name></name>", skipped or not: the item's size on the wire, near enough. */
    if (!item_grow(p, 2 * strlen(name) + 5))
        return;
    if (p->skip) {
        p->skip++;
        return;
    }
    if (p->root_closed) {
        parser_fail(p, VPCX_ERR_PARSE, "content after the root element");
        return;
    }
    struct frame *top = frame_top(p);
    if (top)
        start_child(p, top, name);
    else
        start_root(p, name);
}

/* ---- end of an element ---- */

static void trim_text(struct awsxml_parser *p)
{
    strbuf_trim(&p->text);
}

static void remove_space(struct strbuf *sb)
{
    size_t out = 0;
    for (size_t i = 0; i < sb->len; i++) {
        if (!isspace((unsigned char)sb->buf[i]))
            sb->buf[out++] = sb->buf[i];
    }
    strbuf_setlen(sb, out);
}

static cJSON *number_value(const char *s, bool integer)
{
    char *end = NULL;
    errno = 0;
    if (*s == '\0' || strchr(s, 'x') || strchr(s, 'X'))
        return cJSON_CreateString(s);
    if (integer) {
        long long v = strtoll(s, &end, 10);
        if (errno == 0 && *end == '\0')
            return cJSON_CreateNumber((double)v);
    } else {
        double v = strtod(s, &end);
        if (errno == 0 && *end == '\0' && isfinite(v))
            return cJSON_CreateNumber(v);
    }
    return cJSON_CreateString(s); /* garbage stays visible, see xml.h */
}

static cJSON *scalar_value(struct awsxml_parser *p, const struct frame *f)
{
    if (f->shape->type == AWS_SHAPE_STRING) {
        if (f->member && (f->member->flags & AWS_MEMBER_COMPACT))
            remove_space(&p->text);
        return cJSON_CreateString(strbuf_str(&p->text));
    }
    trim_text(p);
    const char *s = strbuf_str(&p->text);
    switch (f->shape->type) {
    case AWS_SHAPE_BOOLEAN:
        return cJSON_CreateBool(strcmp(s, "true") == 0);
    case AWS_SHAPE_INTEGER:
    case AWS_SHAPE_LONG:
        return number_value(s, true);
    case AWS_SHAPE_DOUBLE:
    case AWS_SHAPE_FLOAT:
        return number_value(s, false);
    default: /* timestamp, blob: the wire string */
        return cJSON_CreateString(s);
    }
}

/* Hands a finished value to the frame below it (now the top). */
static void attach_value(struct awsxml_parser *p, const struct frame *done, cJSON *value)
{
    struct frame *parent = frame_top(p);
    if (!parent || parent->kind == FRAME_DOC_ROOT) {
        p->result = value;
        if (!parent)
            p->root_closed = true;
    } else if (parent->kind == FRAME_STRUCT) {
        parent->slots[aws_shape_member_index(parent->shape, done->member)] = value;
    } else if (parent->streamed) {
        p->in_item = false;
        p->fn(p->ud, value);
    } else {
        cJSON_AddItemToArray(parent->node, value);
    }
}

/* Moves the members into the object in model order. */
static cJSON *struct_finish(struct frame *f)
{
    cJSON *obj = f->node;
    f->node = NULL;
    for (unsigned i = 0; i < f->shape->member_count; i++) {
        if (f->slots[i]) {
            /* Keys are the shape table's static strings: shared, not copied. */
            cJSON_AddItemToObjectCS(obj, aws_shape_member(f->shape, i)->json_name, f->slots[i]);
            f->slots[i] = NULL;
        }
    }
    return obj;
}

static void on_end(void *ud, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
    struct awsxml_parser *p = ud;
    if (parser_failed(p))
        return;
    if (p->skip) {
        p->skip--;
        return;
    }
    if (!p->nframes)
        return;
    struct frame *f = &p->stack[--p->nframes];
    cJSON *value = NULL;
    switch (f->kind) {
    case FRAME_STRUCT:
        value = struct_finish(f);
        break;
    case FRAME_LIST:
        value = f->node;
        f->node = NULL;
        break;
    case FRAME_SCALAR:
        value = scalar_value(p, f);
        break;
    case FRAME_CAPTURE:
        if (!*f->capture)
            *f->capture = xstrdup(strbuf_str(&p->text));
        return;
    case FRAME_ERR:
        p->error_taken = true;
        return;
    case FRAME_DOC_ROOT:
    case FRAME_ERR_ROOT:
        p->root_closed = true;
        return;
    case FRAME_METADATA:
    case FRAME_ERR_LIST:
        return;
    }
    attach_value(p, f, value);
}

static void on_text(void *ud, const xmlChar *ch, int len)
{
    struct awsxml_parser *p = ud;
    struct frame *f = frame_top(p);
    if (parser_failed(p) || !f || len <= 0 || !item_grow(p, (size_t)len) || p->skip)
        return;
    if ((f->kind != FRAME_SCALAR && f->kind != FRAME_CAPTURE) || f->has_child)
        return;
    if (p->text.len + (size_t)len > AWSXML_MAX_TEXT) {
        parser_fail(p, VPCX_ERR_TOO_LARGE, "an XML text node is larger than %d bytes",
                    AWSXML_MAX_TEXT);
        return;
    }
    strbuf_add(&p->text, ch, (size_t)len);
}

/* ---- life cycle ---- */

/* libxml2 reports some encoding errors on its generic channel (stderr by
   default), which would scribble over a full-screen UI: swallow them; the parse
   status still says what went wrong. */
static void silent_generic_error(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

void awsxml_thread_init(void)
{
    xmlSetGenericErrorFunc(NULL, silent_generic_error);
}

static void sax_init(xmlSAXHandler *sax)
{
    memset(sax, 0, sizeof(*sax));
    sax->initialized = XML_SAX2_MAGIC;
    sax->startElementNs = on_start;
    sax->endElementNs = on_end;
    sax->characters = on_text;
    sax->ignorableWhitespace = on_text;
    sax->cdataBlock = on_text;
    sax->internalSubset = on_doctype;
    sax->serror = on_xml_error;
}

struct awsxml_parser *awsxml_parser_create(const struct aws_shape *output, const char *item_list,
                                           awsxml_item_fn fn, void *ud)
{
    const struct aws_member *stream = NULL;
    if (!output || output->type != AWS_SHAPE_STRUCTURE)
        return NULL;
    if (item_list) {
        stream = aws_shape_find_json(output, item_list);
        if (!stream || aws_shape_get(stream->shape)->type != AWS_SHAPE_LIST || !fn)
            return NULL;
    }
    xmlInitParser();
    xmlSetGenericErrorFunc(NULL, silent_generic_error);
    struct awsxml_parser *p = xcalloc(1, sizeof(*p));
    p->output = output;
    p->stream_member = stream;
    p->fn = fn;
    p->ud = ud;
    p->only_space = true;
    strbuf_init(&p->text, 0);
    strbuf_init(&p->scratch, 0);
    vpcx_error_init(&p->err);
    sax_init(&p->sax);
    p->ctxt = xmlCreatePushParserCtxt(&p->sax, p, NULL, 0, NULL);
    if (!p->ctxt) {
        awsxml_parser_destroy(p);
        return NULL;
    }
    /* AWS sends UTF-8; a declared encoding is not trusted. */
    xmlCtxtUseOptions(p->ctxt, XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC);
    return p;
}

void awsxml_parser_destroy(struct awsxml_parser *p)
{
    if (!p)
        return;
    for (unsigned i = 0; i < AWSXML_MAX_DEPTH; i++) {
        if (i < p->nframes)
            frame_clear(&p->stack[i]);
        free(p->stack[i].slots);
    }
    if (p->ctxt)
        xmlFreeParserCtxt(p->ctxt);
    strbuf_release(&p->text);
    strbuf_release(&p->scratch);
    vpcx_error_finish(&p->err);
    cJSON_Delete(p->result);
    free(p->request_id);
    free(p->err_code);
    free(p->err_message);
    free(p->err_type);
    free(p);
}

/* ---- feeding: drop what XML forbids, then libxml2 ---- */

static bool code_forbidden(unsigned long v)
{
    return (v < 0x20 && v != '\t' && v != '\n' && v != '\r') || (v >= 0xD800 && v <= 0xDFFF) ||
           v == 0xFFFE || v == 0xFFFF || v > 0x10FFFF;
}

static bool is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == ':' || c == '.' || c == '-';
}

/* May c extend the reference p->ref ("&", "&#", "&#x1", "&am", ...)? */
static bool ref_accepts(const struct awsxml_parser *p, char c)
{
    size_t n = p->nref;
    if (n == 1)
        return c == '#' || isalpha((unsigned char)c) || c == '_' || c == ':';
    if (p->ref[1] != '#')
        return c == ';' || is_name_char(c);
    bool hex = n >= 3 && p->ref[2] == 'x';
    if (n == 2)
        return c == 'x' || isdigit((unsigned char)c);
    if (c == ';')
        return n > (hex ? 3u : 2u);
    return hex ? isxdigit((unsigned char)c) : isdigit((unsigned char)c);
}

static void ref_complete(struct awsxml_parser *p)
{
    bool hex = p->ref[2] == 'x';
    p->ref[p->nref] = '\0';
    unsigned long v = p->ref[1] == '#' ? strtoul(p->ref + (hex ? 3 : 2), NULL, hex ? 16 : 10) : 0;
    if (p->ref[1] != '#' || !code_forbidden(v))
        strbuf_add(&p->scratch, p->ref, p->nref);
    p->nref = 0;
}

/* Follows "<![CDATA[" ... "]]>" and "<!--" ... "-->", where '&' is plain text. */
static void track_section(struct awsxml_parser *p, char c)
{
    static const char cdata_open[] = "<![CDATA[", comment_open[] = "<!--";
    if (p->section) {
        const char *close = p->section == SECTION_CDATA ? "]]>" : "-->";
        if (c == close[p->close_seen])
            p->close_seen++;
        else
            p->close_seen = c == close[0] ? 2 : 0; /* "]]]>": still two seen */
        if (p->close_seen == 3)
            p->section = SECTION_NONE;
        return;
    }
    p->cdata_seen = c == cdata_open[p->cdata_seen] ? p->cdata_seen + 1 : (c == '<');
    p->comment_seen = c == comment_open[p->comment_seen] ? p->comment_seen + 1 : (c == '<');
    if (p->cdata_seen == sizeof(cdata_open) - 1 || p->comment_seen == sizeof(comment_open) - 1) {
        p->section = p->cdata_seen == sizeof(cdata_open) - 1 ? SECTION_CDATA : SECTION_COMMENT;
        p->cdata_seen = p->comment_seen = p->close_seen = 0;
    }
}

/*
 * A reference that cannot end well is reported here: libxml2's push parser would wait for a
 * ';' until the end of the input and then look like a truncated response.
 */
static void filter_ref_byte(struct awsxml_parser *p, char c)
{
    if (ref_accepts(p, c) && p->nref < CHARREF_MAX - 1) {
        p->ref[p->nref++] = c;
        if (c == ';')
            ref_complete(p);
        return;
    }
    if (p->nref >= CHARREF_MAX - 1) { /* long: libxml2 judges it */
        strbuf_add(&p->scratch, p->ref, p->nref);
        p->nref = 0;
        strbuf_addch(&p->scratch, c);
        return;
    }
    parser_fail(p, VPCX_ERR_PARSE, "malformed XML at byte %zu: bad character or entity reference",
                p->fed);
}

static void filter_byte(struct awsxml_parser *p, char c)
{
    if (code_forbidden((unsigned char)c))
        return;
    if (p->nref) {
        filter_ref_byte(p, c);
        return;
    }
    track_section(p, c);
    if (c == '&' && !p->section)
        p->ref[p->nref++] = c;
    else
        strbuf_addch(&p->scratch, c);
}

static enum vpcx_status report(struct awsxml_parser *p, struct vpcx_error *err)
{
    if (err && parser_failed(p))
        vpcx_error_copy(err, &p->err);
    return p->err.status;
}

static void parse_scratch(struct awsxml_parser *p, int terminate)
{
    int rc = xmlParseChunk(p->ctxt, p->scratch.buf, (int)p->scratch.len, terminate);
    strbuf_reset(&p->scratch);
    if (rc != 0 && !parser_failed(p) && !terminate)
        parser_fail(p, VPCX_ERR_PARSE, "malformed XML (libxml2 error %d)", rc);
}

/*
 * The length of the run at d that the byte filter would copy unchanged: no
 * reference or section marker in progress, and no byte that could start one
 * or that XML forbids. Most of a body is such runs, copied in one go.
 */
static size_t plain_run(const struct awsxml_parser *p, const char *d, size_t n)
{
    if (p->nref || p->cdata_seen || p->comment_seen || p->close_seen)
        return 0;
    char stop = p->section == SECTION_CDATA ? ']' : '-';
    size_t i = 0;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)d[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            break;
        if (p->section ? c == (unsigned char)stop : c == '<' || c == '&')
            break;
    }
    return i;
}

static void note_space(struct awsxml_parser *p, const char *d, size_t n)
{
    for (size_t i = 0; p->only_space && i < n; i++)
        if (!isspace((unsigned char)d[i]))
            p->only_space = false;
}

enum vpcx_status awsxml_parser_feed(struct awsxml_parser *p, const char *data, size_t len,
                                    struct vpcx_error *err)
{
    if (p->finished && !parser_failed(p))
        parser_fail(p, VPCX_ERR_INTERNAL, "awsxml_parser_feed() after finish()");
    while (len && !parser_failed(p)) {
        size_t n = len < FEED_SLICE ? len : FEED_SLICE;
        for (size_t i = 0; i < n && !parser_failed(p);) {
            size_t run = plain_run(p, data + i, n - i);
            if (run == 0) {
                note_space(p, data + i, 1);
                filter_byte(p, data[i]);
                run = 1;
            } else {
                note_space(p, data + i, run);
                strbuf_add(&p->scratch, data + i, run);
            }
            p->fed += run;
            i += run;
        }
        if (!parser_failed(p))
            parse_scratch(p, 0);
        data += n;
        len -= n;
    }
    return report(p, err);
}

static void check_complete(struct awsxml_parser *p)
{
    if (p->root_closed) {
        if (!p->result && !p->is_error)
            p->result = cJSON_CreateObject(); /* no <OpResult> element: nothing returned */
        return;
    }
    vpcx_error_finish(&p->err); /* libxml2's "premature end" says less than this */
    if (!p->root_seen && p->only_space)
        parser_fail(p, VPCX_ERR_TRUNCATED, "the response body is empty");
    else if (!p->root_seen)
        parser_fail(p, VPCX_ERR_PARSE, "the response body is not an XML document");
    else
        parser_fail(p, VPCX_ERR_TRUNCATED,
                    "the response ended before the XML document was complete (%zu bytes)", p->fed);
}

enum vpcx_status awsxml_parser_finish(struct awsxml_parser *p, struct vpcx_error *err)
{
    if (parser_failed(p) || p->finished)
        return report(p, err);
    p->finished = true;
    if (p->nref) {
        strbuf_add(&p->scratch, p->ref, p->nref);
        p->nref = 0;
    }
    parse_scratch(p, 1);
    if (!parser_failed(p) || !p->root_closed)
        check_complete(p);
    return report(p, err);
}

/* ---- results ---- */

cJSON *awsxml_parser_take_result(struct awsxml_parser *p)
{
    if (!p->finished || parser_failed(p))
        return NULL;
    cJSON *r = p->result;
    p->result = NULL;
    return r;
}

bool awsxml_parser_is_error(const struct awsxml_parser *p)
{
    return p->is_error;
}

const char *awsxml_parser_request_id(const struct awsxml_parser *p)
{
    return p->request_id;
}

const char *awsxml_parser_error_code(const struct awsxml_parser *p)
{
    return p->err_code;
}

const char *awsxml_parser_error_message(const struct awsxml_parser *p)
{
    return p->err_message;
}

const char *awsxml_parser_error_type(const struct awsxml_parser *p)
{
    return p->err_type;
}

enum vpcx_status awsxml_parser_error(const struct awsxml_parser *p, int http_status,
                                     struct vpcx_error *out)
{
    aws_error_fill(out, http_status, p->err_code, p->err_message, p->request_id);
    return out->status;
}
