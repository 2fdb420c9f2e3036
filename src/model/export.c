#include "vpcx/model/export.h"

#include "vpcx/core/json.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool export_format_parse(const char *name, enum export_format *out)
{
    static const struct {
        const char *name;
        enum export_format format;
    } names[] = {
        {"terraform", EXPORT_TERRAFORM},           {"tf", EXPORT_TERRAFORM},
        {"cloudformation", EXPORT_CLOUDFORMATION}, {"cfn", EXPORT_CLOUDFORMATION},
        {"cfn-import", EXPORT_CFN_IMPORT},         {"cli", EXPORT_CLI},
    };
    for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(name, names[i].name) == 0) {
            *out = names[i].format;
            return true;
        }
    }
    return false;
}

/* ---- selection ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void ids_add(struct inv_ids *ids, size_t *cap, const char *id)
{
    if (ids->n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        ids->v = xreallocarray(ids->v, *cap, sizeof(*ids->v));
    }
    ids->v[ids->n++] = id;
}

/* AWS lists a deleted endpoint for a while; there is nothing left to adopt. */
static bool gone(const struct inv_resource *r)
{
    return r->state &&
           (strcasecmp(r->state, "deleted") == 0 || strcasecmp(r->state, "deleting") == 0);
}

enum vpcx_status export_select(const struct inventory *inv, const char *const *vpcs, size_t n_vpcs,
                               const char *const *endpoints, size_t n_endpoints,
                               struct inv_ids *out, struct vpcx_error *err)
{
    out->v = NULL;
    out->n = 0;
    size_t cap = 0;
    for (size_t i = 0; i < n_vpcs; i++) {
        if (!inventory_find(inv, INV_VPC, vpcs[i])) {
            free(out->v);
            out->v = NULL;
            return vpcx_error_set(err, VPCX_ERR_NOT_FOUND, "no VPC %s in the inventory", vpcs[i]);
        }
    }
    for (size_t i = 0; i < n_endpoints; i++) {
        const struct inv_resource *r = inventory_find(inv, INV_ENDPOINT, endpoints[i]);
        if (!r) {
            free(out->v);
            out->v = NULL;
            return vpcx_error_set(err, VPCX_ERR_NOT_FOUND, "no VPC endpoint %s in the inventory",
                                  endpoints[i]);
        }
        if (gone(r)) {
            free(out->v);
            out->v = NULL;
            return vpcx_error_set(err, VPCX_ERR_NOT_FOUND, "VPC endpoint %s is %s", r->id,
                                  r->state);
        }
        ids_add(out, &cap, r->id);
    }
    size_t n = inventory_count(inv, INV_ENDPOINT);
    for (size_t i = 0; i < n; i++) {
        const struct inv_resource *r = inventory_at(inv, INV_ENDPOINT, i);
        if (gone(r))
            continue;
        bool take = n_vpcs == 0 && n_endpoints == 0;
        for (size_t k = 0; !take && k < n_vpcs; k++)
            take = r->vpc_id && strcmp(r->vpc_id, vpcs[k]) == 0;
        if (take)
            ids_add(out, &cap, r->id);
    }
    if (out->n == 0)
        return vpcx_error_set(err, VPCX_ERR_NOT_FOUND, "no VPC endpoint to export%s",
                              n_vpcs ? " in the VPCs given" : "");
    qsort(out->v, out->n, sizeof(*out->v), cmp_str);
    size_t w = 0; /* an endpoint named and in a VPC named comes once */
    for (size_t i = 0; i < out->n; i++) {
        if (w == 0 || strcmp(out->v[w - 1], out->v[i]) != 0)
            out->v[w++] = out->v[i];
    }
    out->n = w;
    return VPCX_OK;
}

/* ---- escaping ---- */

/* A JSON string literal with every control, DEL, C1 and bidi character as \uXXXX. */
static char *json_literal(const char *s)
{
    cJSON *str = cJSON_CreateString(s ? s : "");
    char *raw = cJSON_PrintUnformatted(str);
    cJSON_Delete(str);
    char *clean = sanitize_json_dup(raw);
    free(raw);
    return clean;
}

void export_yaml_string(struct strbuf *out, const char *s)
{
    /* YAML 1.2 double-quoted scalars read every JSON escape. */
    char *lit = json_literal(s);
    strbuf_addstr(out, lit);
    free(lit);
}

void export_hcl_string(struct strbuf *out, const char *s)
{
    /* HCL takes JSON's escapes except \b, \f and \/ (which cJSON never writes),
       and reads ${ and %{ as templates: $${ and %%{ are their literal forms. */
    char *lit = json_literal(s);
    for (const char *p = lit; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            if (*p == 'b')
                strbuf_addstr(out, "\\u0008");
            else if (*p == 'f')
                strbuf_addstr(out, "\\u000c");
            else {
                strbuf_addch(out, '\\');
                strbuf_addch(out, *p);
            }
            continue;
        }
        if ((*p == '$' || *p == '%') && p[1] == '{')
            strbuf_addch(out, *p);
        strbuf_addch(out, *p);
    }
    free(lit);
}

static bool shell_plain(unsigned char c)
{
    return isalnum(c) || strchr("@%+=:,./_-", c);
}

void export_shell_quote(struct strbuf *out, const char *s)
{
    if (!s || !*s) {
        strbuf_addstr(out, "''");
        return;
    }
    bool plain = true;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        plain = plain && shell_plain(*p);
    /* controls, C1, bidi overrides, invalid UTF-8 */
    bool raw_ok = sanitize_is_clean(s, strlen(s), SANITIZE_ESCAPE);
    if (plain) {
        strbuf_addstr(out, s);
        return;
    }
    if (raw_ok) {
        strbuf_addch(out, '\'');
        for (const char *p = s; *p; p++) {
            if (*p == '\'')
                strbuf_addstr(out, "'\\''");
            else
                strbuf_addch(out, *p);
        }
        strbuf_addch(out, '\'');
        return;
    }
    /* Controls or direction overrides: bash's $'...' spells every byte that
       is not plain printable ASCII, so nothing invisible reaches a terminal. */
    strbuf_addstr(out, "$'");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\'' || *p == '\\')
            strbuf_addf(out, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            strbuf_addf(out, "\\x%02x", *p);
        else
            strbuf_addch(out, (char)*p);
    }
    strbuf_addch(out, '\'');
}

/* ---- names ---- */

char *export_tf_name(const char *name, const char *id)
{
    const char *src = name && *name ? name : id;
    struct strbuf sb;
    strbuf_init(&sb, strlen(src) + 8);
    for (const unsigned char *p = (const unsigned char *)src; *p; p++) {
        char c = isalnum(*p) || *p == '-' || *p == '_' ? (char)tolower(*p) : '_';
        /* a run of replaced characters becomes one underscore */
        if (c == '_' && sb.len && sb.buf[sb.len - 1] == '_')
            continue;
        strbuf_addch(&sb, c);
    }
    while (sb.len && sb.buf[sb.len - 1] == '_')
        strbuf_setlen(&sb, sb.len - 1);
    if (sb.len == 0 && src != id) { /* a Name with nothing usable in it */
        strbuf_release(&sb);
        return export_tf_name(NULL, id);
    }
    if (sb.len == 0 || !(isalpha((unsigned char)sb.buf[0]) || sb.buf[0] == '_')) {
        struct strbuf pre;
        strbuf_init(&pre, sb.len + 8);
        strbuf_addstr(&pre, "vpce_");
        strbuf_addstr(&pre, strbuf_str(&sb));
        strbuf_release(&sb);
        return strbuf_detach(&pre, NULL);
    }
    return strbuf_detach(&sb, NULL);
}

char *export_cfn_name(const char *name, const char *id)
{
    const char *src = name && *name ? name : id;
    struct strbuf sb;
    strbuf_init(&sb, strlen(src) + 16);
    bool upper = true; /* words become CamelCase: prod-ssm -> ProdSsm */
    for (const unsigned char *p = (const unsigned char *)src; *p && sb.len < 200; p++) {
        if (!isalnum(*p) || *p >= 0x80) {
            upper = true;
            continue;
        }
        strbuf_addch(&sb, upper ? (char)toupper(*p) : (char)*p);
        upper = false;
    }
    if (sb.len == 0 && src != id) {
        strbuf_release(&sb);
        return export_cfn_name(NULL, id);
    }
    if (sb.len == 0 || !isalpha((unsigned char)sb.buf[0])) {
        struct strbuf pre;
        strbuf_init(&pre, sb.len + 16);
        strbuf_addstr(&pre, "Endpoint");
        strbuf_addstr(&pre, strbuf_str(&sb));
        strbuf_release(&sb);
        return strbuf_detach(&pre, NULL);
    }
    return strbuf_detach(&sb, NULL);
}

/* Names already given in one export; a repeat gets _2, _3 (or 2, 3). */
struct names {
    char **v;
    size_t n, cap;
};

static bool names_has(const struct names *ns, const char *s)
{
    for (size_t i = 0; i < ns->n; i++)
        if (strcmp(ns->v[i], s) == 0)
            return true;
    return false;
}

static const char *names_take(struct names *ns, char *base, const char *sep)
{
    char *name = base;
    for (unsigned k = 2; names_has(ns, name); k++) {
        if (name != base)
            free(name);
        name = xasprintf("%s%s%u", base, sep, k);
    }
    if (name != base)
        free(base);
    if (ns->n == ns->cap) {
        ns->cap = ns->cap ? ns->cap * 2 : 16;
        ns->v = xreallocarray(ns->v, ns->cap, sizeof(*ns->v));
    }
    ns->v[ns->n++] = name;
    return name;
}

static void names_free(struct names *ns)
{
    for (size_t i = 0; i < ns->n; i++)
        free(ns->v[i]);
    free(ns->v);
}

/* ---- what an endpoint carries ---- */

struct ep {
    const struct inv_resource *r;
    const char *ip_address_type;    /* IpAddressType, may be NULL */
    const char *dns_record_ip_type; /* DnsOptions.DnsRecordIpType, may be NULL */
    int inbound_resolver_only;      /* DnsOptions.PrivateDnsOnlyForInboundResolverEndpoint, -1 */
    cJSON *policy;                  /* parsed PolicyDocument (owned), NULL when none or invalid */
    cJSON *item;                    /* the endpoint's full item (owned, inventory_item) */
    const cJSON *tags;              /* [{"Key","Value"}] in item, may be NULL */
};

static void ep_load(struct ep *e, const struct inventory *inv, const struct inv_resource *r)
{
    memset(e, 0, sizeof(*e));
    e->r = r;
    e->item = inventory_item(inv, r);
    e->ip_address_type = json_get_text(e->item, "IpAddressType");
    const cJSON *dns = cJSON_GetObjectItemCaseSensitive(e->item, "DnsOptions");
    e->dns_record_ip_type = json_get_text(dns, "DnsRecordIpType");
    const cJSON *only =
        cJSON_GetObjectItemCaseSensitive(dns, "PrivateDnsOnlyForInboundResolverEndpoint");
    e->inbound_resolver_only = cJSON_IsBool(only) ? cJSON_IsTrue(only) : -1;
    if (r->endpoint.policy && r->endpoint.kind != INV_ENDPOINT_GWLB)
        e->policy = cJSON_Parse(r->endpoint.policy);
    e->tags = inventory_item_tags(e->item);
}

static void ep_finish(struct ep *e)
{
    cJSON_Delete(e->policy);
    cJSON_Delete(e->item);
}

/* Tags a template may set: AWS reserves the aws: prefix. */
static bool tag_settable(const cJSON *tag, const char **key, const char **value)
{
    *key = json_get_text(tag, "Key");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(tag, "Value");
    *value = cJSON_IsString(v) ? v->valuestring : "";
    return *key && strncmp(*key, "aws:", 4) != 0;
}

static bool is_interface(const struct ep *e)
{
    return e->r->endpoint.kind == INV_ENDPOINT_INTERFACE;
}

static bool is_gateway(const struct ep *e)
{
    return e->r->endpoint.kind == INV_ENDPOINT_GATEWAY;
}

static void pad(struct strbuf *out, int n)
{
    for (int i = 0; i < n; i++)
        strbuf_addch(out, ' ');
}

/* ---- Terraform ---- */

static void hcl_list(struct strbuf *out, const struct inv_ids *ids)
{
    strbuf_addch(out, '[');
    for (size_t i = 0; i < ids->n; i++) {
        if (i)
            strbuf_addstr(out, ", ");
        export_hcl_string(out, ids->v[i]);
    }
    strbuf_addch(out, ']');
}

static void hcl_value(struct strbuf *out, const cJSON *v, int indent)
{
    if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
        bool obj = cJSON_IsObject(v);
        if (!v->child) {
            strbuf_addstr(out, obj ? "{}" : "[]");
            return;
        }
        strbuf_addstr(out, obj ? "{\n" : "[\n");
        for (const cJSON *c = v->child; c; c = c->next) {
            pad(out, indent + 2);
            if (obj) {
                export_hcl_string(out, c->string);
                strbuf_addstr(out, " = ");
            }
            hcl_value(out, c, indent + 2);
            strbuf_addstr(out, obj ? "\n" : (c->next ? ",\n" : "\n"));
        }
        pad(out, indent);
        strbuf_addch(out, obj ? '}' : ']');
    } else if (cJSON_IsString(v)) {
        export_hcl_string(out, v->valuestring);
    } else if (cJSON_IsBool(v)) {
        strbuf_addstr(out, cJSON_IsTrue(v) ? "true" : "false");
    } else if (cJSON_IsNumber(v)) {
        char *num = cJSON_PrintUnformatted(v);
        strbuf_addstr(out, num);
        free(num);
    } else {
        strbuf_addstr(out, "null");
    }
}

/* "  key = " with the = signs of a block aligned, as terraform fmt writes them. */
static void tf_attr(struct strbuf *out, const char *key)
{
    strbuf_addf(out, "  %-19s = ", key);
}

static void tf_endpoint(struct strbuf *out, const struct ep *e, const char *name)
{
    const struct inv_resource *r = e->r;
    const struct inv_endpoint *x = &r->endpoint;
    strbuf_addf(out, "import {\n  to = aws_vpc_endpoint.%s\n  id = ", name);
    export_hcl_string(out, r->id);
    strbuf_addf(out, "\n}\n\nresource \"aws_vpc_endpoint\" \"%s\" {\n", name);
    tf_attr(out, "vpc_id");
    export_hcl_string(out, r->vpc_id ? r->vpc_id : "");
    strbuf_addch(out, '\n');
    tf_attr(out, "service_name");
    export_hcl_string(out, x->service_name ? x->service_name : "");
    strbuf_addch(out, '\n');
    tf_attr(out, "vpc_endpoint_type");
    export_hcl_string(out, x->type_text ? x->type_text : "Interface");
    strbuf_addch(out, '\n');
    if (is_gateway(e)) {
        tf_attr(out, "route_table_ids");
        hcl_list(out, &x->route_table_ids);
        strbuf_addch(out, '\n');
    } else {
        tf_attr(out, "subnet_ids");
        hcl_list(out, &x->subnet_ids);
        strbuf_addch(out, '\n');
    }
    if (is_interface(e)) {
        tf_attr(out, "security_group_ids");
        hcl_list(out, &x->group_ids);
        strbuf_addch(out, '\n');
        tf_attr(out, "private_dns_enabled");
        strbuf_addf(out, "%s\n", x->private_dns_enabled ? "true" : "false");
    }
    if (e->ip_address_type) {
        tf_attr(out, "ip_address_type");
        export_hcl_string(out, e->ip_address_type);
        strbuf_addch(out, '\n');
    }
    if (is_interface(e) && (e->dns_record_ip_type || e->inbound_resolver_only >= 0)) {
        strbuf_addstr(out, "\n  dns_options {\n");
        if (e->dns_record_ip_type) {
            strbuf_addstr(out, "    dns_record_ip_type = ");
            export_hcl_string(out, e->dns_record_ip_type);
            strbuf_addch(out, '\n');
        }
        if (e->inbound_resolver_only >= 0)
            strbuf_addf(out, "    private_dns_only_for_inbound_resolver_endpoint = %s\n",
                        e->inbound_resolver_only ? "true" : "false");
        strbuf_addstr(out, "  }\n");
    }
    if (e->policy) {
        strbuf_addstr(out, "\n  policy = jsonencode(");
        hcl_value(out, e->policy, 2);
        strbuf_addstr(out, ")\n");
    } else if (x->policy && x->kind != INV_ENDPOINT_GWLB) {
        strbuf_addstr(out, "\n  policy = "); /* not JSON: kept as AWS gave it */
        export_hcl_string(out, x->policy);
        strbuf_addch(out, '\n');
    }
    bool any = false;
    for (const cJSON *t = e->tags ? e->tags->child : NULL; t; t = t->next) {
        const char *k, *v;
        if (!tag_settable(t, &k, &v))
            continue;
        strbuf_addstr(out, any ? "    " : "\n  tags = {\n    ");
        any = true;
        export_hcl_string(out, k);
        strbuf_addstr(out, " = ");
        export_hcl_string(out, v);
        strbuf_addch(out, '\n');
    }
    if (any)
        strbuf_addstr(out, "  }\n");
    strbuf_addstr(out, "}\n");
}

static void write_terraform(const struct inventory *inv, const struct inv_ids *sel,
                            const char *region, struct strbuf *out)
{
    strbuf_addstr(out, "# VPC endpoints exported by vpcx. The import blocks adopt the existing\n"
                       "# endpoints: `terraform plan` should show them imported, with no change.\n"
                       "terraform {\n"
                       "  required_version = \">= 1.5.0\"\n"
                       "  required_providers {\n"
                       "    aws = {\n"
                       "      source  = \"hashicorp/aws\"\n"
                       "      version = \">= 5.0\"\n"
                       "    }\n"
                       "  }\n"
                       "}\n");
    if (region && *region) {
        strbuf_addstr(out, "\nprovider \"aws\" {\n  region = ");
        export_hcl_string(out, region);
        strbuf_addstr(out, "\n}\n");
    }
    struct names ns = {0};
    for (size_t i = 0; i < sel->n; i++) {
        const struct inv_resource *r = inventory_find(inv, INV_ENDPOINT, sel->v[i]);
        if (!r)
            continue;
        struct ep e;
        ep_load(&e, inv, r);
        const char *name = names_take(&ns, export_tf_name(r->name, r->id), "_");
        strbuf_addch(out, '\n');
        tf_endpoint(out, &e, name);
        ep_finish(&e);
    }
    names_free(&ns);
}

/* ---- CloudFormation ---- */

/* A key YAML reads back as the same string when written plain. */
static bool yaml_plain_key(const char *k)
{
    static const char *const words[] = {"y",   "n",    "yes",   "no",  "on",
                                        "off", "true", "false", "null"};
    if (!isalpha((unsigned char)k[0]))
        return false;
    for (const char *p = k; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            return false;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcasecmp(k, words[i]) == 0)
            return false;
    return true;
}

static void yaml_key(struct strbuf *out, const char *k)
{
    if (yaml_plain_key(k))
        strbuf_addstr(out, k);
    else
        export_yaml_string(out, k);
    strbuf_addch(out, ':');
}

static void yaml_value(struct strbuf *out, const cJSON *v, int indent);

/* Keys of an object at indent; the first line's padding is already written
   when first_inline (an object that is a list item). */
static void yaml_object_body(struct strbuf *out, const cJSON *v, int indent, bool first_inline)
{
    for (const cJSON *c = v->child; c; c = c->next) {
        if (!(first_inline && c == v->child))
            pad(out, indent);
        yaml_key(out, c->string);
        yaml_value(out, c, indent + 2);
    }
}

static void yaml_array_body(struct strbuf *out, const cJSON *v, int indent)
{
    for (const cJSON *c = v->child; c; c = c->next) {
        pad(out, indent);
        strbuf_addch(out, '-');
        if (cJSON_IsObject(c) && c->child) {
            strbuf_addch(out, ' ');
            yaml_object_body(out, c, indent + 2, true);
        } else if (cJSON_IsArray(c) && c->child) {
            strbuf_addch(out, '\n');
            yaml_array_body(out, c, indent + 2);
        } else {
            yaml_value(out, c, indent + 2);
        }
    }
}

/* The value after "key:" or "-": a scalar on the same line, a collection below. */
static void yaml_value(struct strbuf *out, const cJSON *v, int indent)
{
    if (cJSON_IsObject(v) && v->child) {
        strbuf_addch(out, '\n');
        yaml_object_body(out, v, indent, false);
        return;
    }
    if (cJSON_IsArray(v) && v->child) {
        strbuf_addch(out, '\n');
        yaml_array_body(out, v, indent);
        return;
    }
    strbuf_addch(out, ' ');
    if (cJSON_IsObject(v))
        strbuf_addstr(out, "{}");
    else if (cJSON_IsArray(v))
        strbuf_addstr(out, "[]");
    else if (cJSON_IsString(v))
        export_yaml_string(out, v->valuestring);
    else if (cJSON_IsBool(v))
        strbuf_addstr(out, cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsNumber(v)) {
        char *num = cJSON_PrintUnformatted(v);
        strbuf_addstr(out, num);
        free(num);
    } else
        strbuf_addstr(out, "null");
    strbuf_addch(out, '\n');
}

static void yaml_ids(struct strbuf *out, const char *key, const struct inv_ids *ids)
{
    strbuf_addf(out, "      %s:", key);
    if (ids->n == 0) {
        strbuf_addstr(out, " []\n");
        return;
    }
    strbuf_addch(out, '\n');
    for (size_t i = 0; i < ids->n; i++) {
        strbuf_addstr(out, "        - ");
        export_yaml_string(out, ids->v[i]);
        strbuf_addch(out, '\n');
    }
}

static void cfn_endpoint(struct strbuf *out, const struct ep *e, const char *name)
{
    const struct inv_resource *r = e->r;
    const struct inv_endpoint *x = &r->endpoint;
    strbuf_addf(out,
                "  %s:\n"
                "    Type: AWS::EC2::VPCEndpoint\n"
                "    DeletionPolicy: Retain\n"
                "    UpdateReplacePolicy: Retain\n"
                "    Properties:\n"
                "      VpcId: ",
                name);
    export_yaml_string(out, r->vpc_id ? r->vpc_id : "");
    strbuf_addstr(out, "\n      ServiceName: ");
    export_yaml_string(out, x->service_name ? x->service_name : "");
    strbuf_addstr(out, "\n      VpcEndpointType: ");
    export_yaml_string(out, x->type_text ? x->type_text : "Interface");
    strbuf_addch(out, '\n');
    if (is_gateway(e))
        yaml_ids(out, "RouteTableIds", &x->route_table_ids);
    else
        yaml_ids(out, "SubnetIds", &x->subnet_ids);
    if (is_interface(e)) {
        yaml_ids(out, "SecurityGroupIds", &x->group_ids);
        strbuf_addf(out, "      PrivateDnsEnabled: %s\n",
                    x->private_dns_enabled ? "true" : "false");
    }
    if (e->ip_address_type) {
        strbuf_addstr(out, "      IpAddressType: ");
        export_yaml_string(out, e->ip_address_type);
        strbuf_addch(out, '\n');
    }
    if (is_interface(e) && (e->dns_record_ip_type || e->inbound_resolver_only == 1)) {
        strbuf_addstr(out, "      DnsOptions:\n");
        if (e->dns_record_ip_type) {
            strbuf_addstr(out, "        DnsRecordIpType: ");
            export_yaml_string(out, e->dns_record_ip_type);
            strbuf_addch(out, '\n');
        }
        /* CloudFormation spells the API's boolean as an enumeration. */
        if (e->inbound_resolver_only == 1)
            strbuf_addstr(out, "        PrivateDnsOnlyForInboundResolverEndpoint: "
                               "OnlyInboundResolver\n");
    }
    if (e->policy && (cJSON_IsObject(e->policy) && e->policy->child)) {
        strbuf_addstr(out, "      PolicyDocument:");
        yaml_value(out, e->policy, 8);
    } else if (x->policy && x->kind != INV_ENDPOINT_GWLB) {
        strbuf_addstr(out, "      PolicyDocument: ");
        export_yaml_string(out, x->policy);
        strbuf_addch(out, '\n');
    }
    bool any = false;
    for (const cJSON *t = e->tags ? e->tags->child : NULL; t; t = t->next) {
        const char *k, *v;
        if (!tag_settable(t, &k, &v))
            continue;
        if (!any)
            strbuf_addstr(out, "      Tags:\n");
        any = true;
        strbuf_addstr(out, "        - Key: ");
        export_yaml_string(out, k);
        strbuf_addstr(out, "\n          Value: ");
        export_yaml_string(out, v);
        strbuf_addch(out, '\n');
    }
}

static void write_cloudformation(const struct inventory *inv, const struct inv_ids *sel,
                                 struct strbuf *out)
{
    strbuf_addstr(out, "AWSTemplateFormatVersion: \"2010-09-09\"\n"
                       "Description: \"VPC endpoints exported by vpcx, to adopt with an IMPORT "
                       "change set (resources to import: vpcx export --format cfn-import)\"\n"
                       "Resources:\n");
    struct names ns = {0};
    for (size_t i = 0; i < sel->n; i++) {
        const struct inv_resource *r = inventory_find(inv, INV_ENDPOINT, sel->v[i]);
        if (!r)
            continue;
        struct ep e;
        ep_load(&e, inv, r);
        cfn_endpoint(out, &e, names_take(&ns, export_cfn_name(r->name, r->id), ""));
        ep_finish(&e);
    }
    names_free(&ns);
}

static void write_cfn_import(const struct inventory *inv, const struct inv_ids *sel,
                             struct strbuf *out)
{
    cJSON *list = cJSON_CreateArray();
    struct names ns = {0};
    for (size_t i = 0; i < sel->n; i++) {
        const struct inv_resource *r = inventory_find(inv, INV_ENDPOINT, sel->v[i]);
        if (!r)
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(list, o);
        cJSON_AddStringToObject(o, "ResourceType", "AWS::EC2::VPCEndpoint");
        cJSON_AddStringToObject(o, "LogicalResourceId",
                                names_take(&ns, export_cfn_name(r->name, r->id), ""));
        cJSON *id = cJSON_AddObjectToObject(o, "ResourceIdentifier");
        cJSON_AddStringToObject(id, "Id", r->id);
    }
    names_free(&ns);
    char *text = cJSON_Print(list);
    cJSON_Delete(list);
    char *clean = sanitize_json_dup(text);
    free(text);
    strbuf_addstr(out, clean);
    strbuf_addch(out, '\n');
    free(clean);
}

/* ---- the AWS CLI ---- */

static void cli_arg(struct strbuf *out, const char *flag, const char *value)
{
    strbuf_addf(out, " \\\n    %s ", flag);
    export_shell_quote(out, value);
}

static void cli_ids(struct strbuf *out, const char *flag, const struct inv_ids *ids)
{
    if (ids->n == 0)
        return;
    strbuf_addf(out, " \\\n    %s", flag);
    for (size_t i = 0; i < ids->n; i++) {
        strbuf_addch(out, ' ');
        export_shell_quote(out, ids->v[i]);
    }
}

static char *compact_json(const cJSON *v)
{
    char *raw = cJSON_PrintUnformatted(v);
    char *clean = sanitize_json_dup(raw);
    free(raw);
    return clean;
}

static void cli_endpoint(struct strbuf *out, const struct ep *e, const char *region)
{
    const struct inv_resource *r = e->r;
    const struct inv_endpoint *x = &r->endpoint;
    strbuf_addstr(out, "# recreates ");
    strbuf_addstr(out, r->id); /* an ID: checked by the inventory, no shell or control bytes */
    strbuf_addstr(out, "\naws ec2 create-vpc-endpoint");
    if (region && *region)
        cli_arg(out, "--region", region);
    cli_arg(out, "--vpc-id", r->vpc_id ? r->vpc_id : "");
    cli_arg(out, "--vpc-endpoint-type", x->type_text ? x->type_text : "Interface");
    cli_arg(out, "--service-name", x->service_name ? x->service_name : "");
    if (is_gateway(e))
        cli_ids(out, "--route-table-ids", &x->route_table_ids);
    else
        cli_ids(out, "--subnet-ids", &x->subnet_ids);
    if (is_interface(e)) {
        cli_ids(out, "--security-group-ids", &x->group_ids);
        strbuf_addstr(out, x->private_dns_enabled ? " \\\n    --private-dns-enabled"
                                                  : " \\\n    --no-private-dns-enabled");
    }
    if (e->ip_address_type)
        cli_arg(out, "--ip-address-type", e->ip_address_type);
    if (is_interface(e) && (e->dns_record_ip_type || e->inbound_resolver_only >= 0)) {
        cJSON *d = cJSON_CreateObject();
        if (e->dns_record_ip_type)
            cJSON_AddStringToObject(d, "DnsRecordIpType", e->dns_record_ip_type);
        if (e->inbound_resolver_only >= 0)
            cJSON_AddBoolToObject(d, "PrivateDnsOnlyForInboundResolverEndpoint",
                                  e->inbound_resolver_only);
        char *j = compact_json(d);
        cJSON_Delete(d);
        cli_arg(out, "--dns-options", j);
        free(j);
    }
    if (e->policy) {
        char *j = compact_json(e->policy);
        cli_arg(out, "--policy-document", j);
        free(j);
    } else if (x->policy && x->kind != INV_ENDPOINT_GWLB) {
        cli_arg(out, "--policy-document", x->policy);
    }
    cJSON *tags = cJSON_CreateArray();
    for (const cJSON *t = e->tags ? e->tags->child : NULL; t; t = t->next) {
        const char *k, *v;
        if (!tag_settable(t, &k, &v))
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "Key", k);
        cJSON_AddStringToObject(o, "Value", v);
        cJSON_AddItemToArray(tags, o);
    }
    if (tags->child) {
        cJSON *spec = cJSON_CreateArray();
        cJSON *one = cJSON_CreateObject();
        cJSON_AddStringToObject(one, "ResourceType", "vpc-endpoint");
        cJSON_AddItemToObject(one, "Tags", tags);
        cJSON_AddItemToArray(spec, one);
        char *j = compact_json(spec);
        cJSON_Delete(spec);
        cli_arg(out, "--tag-specifications", j);
        free(j);
    } else {
        cJSON_Delete(tags);
    }
    strbuf_addch(out, '\n');
}

static void write_cli(const struct inventory *inv, const struct inv_ids *sel, const char *region,
                      struct strbuf *out)
{
    strbuf_addstr(
        out, "#!/usr/bin/env bash\n# VPC endpoints exported by vpcx: the AWS CLI commands that "
             "recreate them.\nset -e\n");
    for (size_t i = 0; i < sel->n; i++) {
        const struct inv_resource *r = inventory_find(inv, INV_ENDPOINT, sel->v[i]);
        if (!r)
            continue;
        struct ep e;
        ep_load(&e, inv, r);
        strbuf_addch(out, '\n');
        cli_endpoint(out, &e, region);
        ep_finish(&e);
    }
}

void export_write(const struct inventory *inv, const struct inv_ids *sel, enum export_format format,
                  const char *region, struct strbuf *out)
{
    switch (format) {
    case EXPORT_TERRAFORM:
        write_terraform(inv, sel, region, out);
        break;
    case EXPORT_CLOUDFORMATION:
        write_cloudformation(inv, sel, out);
        break;
    case EXPORT_CFN_IMPORT:
        write_cfn_import(inv, sel, out);
        break;
    case EXPORT_CLI:
        write_cli(inv, sel, region, out);
        break;
    }
}
