#include "vpcx/cli/commands.h"

#include "vpcx/aws/credinfo.h"

#include "vpcx/cli/source.h"
#include "vpcx/core/sanitize.h"
#include "vpcx/core/xalloc.h"
#include "vpcx/store/snapshot.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Only the last four characters of a key ID are shown, as `aws configure list` does. */
static char *mask_key_id(const char *id)
{
    if (!id)
        return NULL;
    size_t n = strlen(id);
    return xasprintf("****************%s", n > 4 ? id + n - 4 : "");
}

static void add_setting(cJSON *obj, const char *key, const struct aws_setting *s)
{
    cJSON *o = cJSON_AddObjectToObject(obj, key);
    if (s->value)
        cJSON_AddStringToObject(o, "Value", s->value);
    else
        cJSON_AddNullToObject(o, "Value");
    cJSON_AddStringToObject(o, "Source", aws_source_name(s->source));
    if (s->origin)
        cJSON_AddStringToObject(o, "Origin", s->origin);
}

static cJSON *whoami_json(const struct aws_session *s, const struct sts_identity *id)
{
    cJSON *o = cJSON_CreateObject();
    if (id) {
        cJSON_AddStringToObject(o, "Account", id->account ? id->account : "");
        cJSON_AddStringToObject(o, "Arn", id->arn ? id->arn : "");
        cJSON_AddStringToObject(o, "UserId", id->user_id ? id->user_id : "");
    }
    add_setting(o, "Profile", &s->settings.profile);
    add_setting(o, "Region", &s->settings.region);
    add_setting(o, "Ec2Endpoint", &s->settings.ec2_endpoint);
    add_setting(o, "StsEndpoint", &s->settings.sts_endpoint);
    add_setting(o, "CaBundle", &s->settings.ca_bundle);
    add_setting(o, "MaxAttempts", &s->settings.max_attempts);
    cJSON *c = cJSON_AddObjectToObject(o, "Credentials");
    char *masked = mask_key_id(s->credentials.access_key_id);
    if (masked)
        cJSON_AddStringToObject(c, "AccessKeyId", masked);
    free(masked);
    cJSON_AddStringToObject(c, "Source", aws_source_name(s->credentials.source));
    if (s->credentials.origin)
        cJSON_AddStringToObject(c, "Origin", s->credentials.origin);
    char *line = aws_credentials_describe(&s->credentials, time(NULL));
    cJSON_AddStringToObject(c, "Description", line);
    free(line);
    cJSON_AddBoolToObject(c, "SessionToken", s->credentials.session_token != NULL);
    if (s->credentials.expiration) {
        char *t = snapshot_format_time(s->credentials.expiration);
        cJSON_AddStringToObject(c, "Expiration", t);
        free(t);
        char *left = aws_format_time_left(s->credentials.expiration, time(NULL));
        cJSON_AddStringToObject(c, "ExpiresIn", left);
        free(left);
    }
    return o;
}

static void print_line(const char *label, const char *value, const char *origin)
{
    char *v = sanitize_dup(value ? value : "-", SANITIZE_ESCAPE);
    printf("%-14s %s", label, v);
    if (origin) {
        char *o = sanitize_dup(origin, SANITIZE_ESCAPE);
        printf("  (%s)", o);
        free(o);
    }
    putchar('\n');
    free(v);
}

static void print_setting(const char *label, const struct aws_setting *s)
{
    print_line(label, s->value, s->origin ? s->origin : aws_source_name(s->source));
}

/* "instance role web-bastion (IMDSv2), expires in 5 h 12 min" */
static char *credentials_summary(const struct aws_credentials *c, time_t now)
{
    const char *origin = c->origin ? c->origin : aws_source_name(c->source);
    if (!c->expiration)
        return xasprintf("%s, no expiry", origin);
    char *left = aws_format_time_left(c->expiration, now);
    char *out = c->expiration > now ? xasprintf("%s, expires in %s", origin, left)
                                    : xasprintf("%s, %s", origin, left);
    free(left);
    return out;
}

static void whoami_text(const struct aws_session *s, const struct sts_identity *id)
{
    if (id) {
        print_line("account", id->account, NULL);
        print_line("arn", id->arn, NULL);
        print_line("user id", id->user_id, NULL);
    }
    print_setting("profile", &s->settings.profile);
    print_setting("region", &s->settings.region);
    print_setting("ec2 endpoint", &s->settings.ec2_endpoint);
    print_setting("sts endpoint", &s->settings.sts_endpoint);
    if (s->settings.ca_bundle.value)
        print_setting("ca bundle", &s->settings.ca_bundle);
    char *summary = credentials_summary(&s->credentials, time(NULL));
    print_line("credentials", summary, NULL);
    free(summary);
    char *masked = mask_key_id(s->credentials.access_key_id);
    print_line("access key", masked,
               s->credentials.origin ? s->credentials.origin
                                     : aws_source_name(s->credentials.source));
    free(masked);
    char *line = aws_credentials_describe(&s->credentials, time(NULL));
    print_line("credentials", line, NULL);
    free(line);
    if (s->credentials.expiration) {
        char *t = snapshot_format_time(s->credentials.expiration);
        print_line("expires", t, NULL);
        free(t);
    }
}

static int whoami_fail(struct aws_session *s, struct vpcx_error *err)
{
    int code = cli_fail(err);
    vpcx_error_finish(err);
    aws_session_close(s);
    return code;
}

/* A saved value: {"Value": v or null, "Source": "demo" | "snapshot", "Origin"?}. */
static void add_saved(cJSON *obj, const char *key, const char *value, const char *source,
                      const char *origin)
{
    cJSON *o = cJSON_AddObjectToObject(obj, key);
    if (value)
        cJSON_AddStringToObject(o, "Value", value);
    else
        cJSON_AddNullToObject(o, "Value");
    cJSON_AddStringToObject(o, "Source", source);
    if (origin)
        cJSON_AddStringToObject(o, "Origin", origin);
}

static cJSON *saved_json(const struct snapshot_meta *m, const char *source, const char *origin)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "Source", source);
    if (origin)
        cJSON_AddStringToObject(o, "Origin", origin);
    cJSON_AddStringToObject(o, "Account", m->account ? m->account : "");
    cJSON_AddStringToObject(o, "Arn", m->arn ? m->arn : "");
    add_saved(o, "Profile", m->profile, source, origin);
    add_saved(o, "Region", m->region, source, origin);
    add_saved(o, "Ec2Endpoint", m->endpoint, source, origin);
    if (m->fetched_at)
        cJSON_AddStringToObject(o, "FetchedAt", m->fetched_at);
    return o;
}

static void saved_text(const struct snapshot_meta *m, const char *source, const char *origin)
{
    print_line("source",
               strcmp(source, "demo") == 0 ? "demo: the bundled demo inventory, no AWS call"
                                           : "snapshot: a saved inventory, no AWS call",
               origin);
    print_line("account", m->account, source);
    print_line("arn", m->arn, source);
    print_line("profile", m->profile, source);
    print_line("region", m->region, source);
    print_line("ec2 endpoint", m->endpoint, source);
    print_line("fetched at", m->fetched_at, NULL);
}

/* --demo / --snapshot: the identity the inventory was fetched with; no AWS call. */
static int whoami_saved(const struct cli_options *opts)
{
    struct source_result res;
    int code = source_load_or_report(opts, &res);
    if (code != VPCX_EXIT_OK)
        return code;
    const char *source = opts->demo ? "demo" : "snapshot";
    if (opts->format == CLI_FORMAT_JSON && opts->format_given) {
        cJSON *o = saved_json(&res.meta, source, opts->snapshot);
        char *text = snapshot_print_json(o, true);
        puts(text);
        free(text);
        cJSON_Delete(o);
    } else {
        saved_text(&res.meta, source, opts->snapshot);
    }
    source_result_finish(&res);
    return VPCX_EXIT_OK;
}

int cmd_whoami(const struct cli_options *opts)
{
    if (opts->demo || opts->snapshot)
        return whoami_saved(opts);
    struct aws_session_options so;
    source_session_options(opts, &so);
    struct aws_session s;
    struct vpcx_error err;
    vpcx_error_init(&err);
    if (aws_session_resolve(&s, &so, &err) != VPCX_OK ||
        aws_session_connect(&s, &so, &err) != VPCX_OK)
        return whoami_fail(&s, &err);
    struct sts_identity id;
    if (sts_get_caller_identity(s.client, &id, &err) != VPCX_OK) {
        sts_identity_finish(&id);
        return whoami_fail(&s, &err);
    }
    if (opts->format == CLI_FORMAT_JSON && opts->format_given) {
        cJSON *o = whoami_json(&s, &id);
        char *text = snapshot_print_json(o, true);
        puts(text);
        free(text);
        cJSON_Delete(o);
    } else {
        whoami_text(&s, &id);
    }
    sts_identity_finish(&id);
    aws_session_close(&s);
    return VPCX_EXIT_OK;
}
