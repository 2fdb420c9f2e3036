#include "vpcx/aws/config.h"

#include "vpcx/core/sanitize.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/core/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_MAX_ATTEMPTS 3
#define MAX_MAX_ATTEMPTS     1000

/* ---- environment ---- */

static const char *env_getenv(void *ud, const char *name)
{
    (void)ud;
    return getenv(name);
}

static const struct aws_env default_env = {.get = env_getenv, .ud = NULL};

const struct aws_env *aws_env_default(void)
{
    return &default_env;
}

const char *aws_env_get(const struct aws_env *env, const char *name)
{
    if (!env)
        env = &default_env;
    const char *v = env->get ? env->get(env->ud, name) : NULL;
    return v && *v ? v : NULL;
}

const char *aws_source_name(enum aws_source src)
{
    static const char *const names[] = {
        [AWS_SRC_NONE] = "none",
        [AWS_SRC_FLAG] = "flag",
        [AWS_SRC_ENV] = "env",
        [AWS_SRC_CONFIG] = "config",
        [AWS_SRC_CREDENTIALS] = "credentials",
        [AWS_SRC_PROCESS] = "process",
        [AWS_SRC_ASSUME_ROLE] = "assume-role",
        [AWS_SRC_DEFAULT] = "default",
        [AWS_SRC_SSO] = "sso",
        [AWS_SRC_LOGIN] = "login",
        [AWS_SRC_WEB_IDENTITY] = "web-identity",
        [AWS_SRC_CONTAINER] = "container",
        [AWS_SRC_IMDS] = "imds",
    };
    if ((unsigned)src >= sizeof(names) / sizeof(names[0]))
        return "unknown";
    return names[src];
}

/* ---- profile lookup (botocore configloader.build_profile_map) ---- */

/* shlex.split() limited to what section names need: whitespace separates,
 * quotes group, backslash escapes outside single quotes. Returns the number
 * of words (capped at 3) and the second word in *second (caller frees), or
 * -1 on an unbalanced quote. */
static int split_words(const char *s, char **second)
{
    int n = 0;
    struct strbuf word = STRBUF_INIT;
    strbuf_init(&word, 0);
    *second = NULL;
    while (*s && n < 3) {
        while (*s && isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        strbuf_reset(&word);
        char quote = 0;
        for (; *s && (quote || !isspace((unsigned char)*s)); s++) {
            if (quote && *s == quote)
                quote = 0;
            else if (!quote && (*s == '"' || *s == '\''))
                quote = *s;
            else if (*s == '\\' && quote != '\'' && s[1])
                strbuf_addch(&word, *++s);
            else
                strbuf_addch(&word, *s);
        }
        if (quote) {
            free(*second);
            *second = NULL;
            strbuf_release(&word);
            return -1;
        }
        if (++n == 2)
            *second = xstrdup(word.buf);
    }
    strbuf_release(&word);
    return n;
}

/* The name a "[prefix NAME]" section defines, or NULL (caller frees). Like
 * botocore, only the start of the section name is compared with prefix. */
static char *section_suffix(const char *section, const char *prefix)
{
    if (strncmp(section, prefix, strlen(prefix)) != 0)
        return NULL;
    char *second;
    if (split_words(section, &second) != 2) {
        free(second);
        return NULL;
    }
    return second;
}

/* The profile a config-file section defines, or NULL (caller frees). */
static char *config_section_profile(const char *section)
{
    if (strncmp(section, "profile", 7) == 0)
        return section_suffix(section, "profile");
    if (strncmp(section, "sso-session", 11) == 0 || strncmp(section, "services", 8) == 0)
        return NULL;
    return strcmp(section, "default") == 0 ? xstrdup("default") : NULL;
}

/* The last section "[prefix name]" of the config file (later ones win). */
static const struct ini_section *config_named(const struct ini_file *config, const char *prefix,
                                              const char *name)
{
    const struct ini_section *found = NULL;
    for (size_t i = 0; config && i < config->nsections; i++) {
        const char *sec = config->sections[i].name;
        char *n;
        if (strcmp(prefix, "profile") == 0)
            n = config_section_profile(sec);
        else if (strncmp(sec, "profile", 7) == 0)
            n = NULL;
        else
            n = section_suffix(sec, prefix);
        if (n && strcmp(n, name) == 0)
            found = &config->sections[i];
        free(n);
    }
    return found;
}

const struct ini_section *aws_config_profile_section(const struct ini_file *config,
                                                     const char *name)
{
    return config_named(config, "profile", name);
}

const struct ini_section *aws_config_sso_session_section(const struct ini_file *config,
                                                         const char *name)
{
    return config_named(config, "sso-session", name);
}

bool aws_settings_profile(const struct aws_settings *s, const char *name,
                          struct aws_profile_view *view)
{
    view->config = aws_config_profile_section(&s->config, name);
    view->credentials = ini_file_section(&s->credentials, name);
    return view->config || view->credentials;
}

const char *aws_profile_get(const struct aws_profile_view *view, const char *key)
{
    if (ini_section_entry(view->credentials, key))
        return ini_section_get(view->credentials, key);
    return ini_section_get(view->config, key);
}

bool aws_profile_has(const struct aws_profile_view *view, const char *key)
{
    return ini_section_entry(view->credentials, key) || ini_section_entry(view->config, key);
}

static void add_profile_name(struct strbuf *list, const char *name)
{
    /* Names are compared as ", name," against ", list," to skip repeats. */
    char *probe = xasprintf(", %s,", name);
    char *hay = xasprintf(", %s,", list->buf);
    if (!strstr(hay, probe)) {
        if (list->len)
            strbuf_addstr(list, ", ");
        strbuf_addstr(list, name);
    }
    free(probe);
    free(hay);
}

/* "a, b, c" of the profiles in both files, in file order. Caller frees. */
static char *list_profiles(const struct aws_settings *s)
{
    struct strbuf list = STRBUF_INIT;
    strbuf_init(&list, 0);
    for (size_t i = 0; i < s->config.nsections; i++) {
        char *n = config_section_profile(s->config.sections[i].name);
        if (n)
            add_profile_name(&list, n);
        free(n);
    }
    for (size_t i = 0; i < s->credentials.nsections; i++)
        add_profile_name(&list, s->credentials.sections[i].name);
    if (!list.len)
        strbuf_addstr(&list, "(none)");
    return strbuf_detach(&list, NULL);
}

static void names_add(char ***v, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i], name) == 0)
            return;
    *v = xrealloc(*v, (*n + 2) * sizeof(**v));
    (*v)[(*n)++] = xstrdup(name);
    (*v)[*n] = NULL;
}

char **aws_settings_profile_names(const struct aws_settings *s)
{
    char **v = xcalloc(1, sizeof(*v));
    size_t n = 0;
    for (size_t i = 0; i < s->config.nsections; i++) {
        char *name = config_section_profile(s->config.sections[i].name);
        if (name)
            names_add(&v, &n, name);
        free(name);
    }
    for (size_t i = 0; i < s->credentials.nsections; i++)
        names_add(&v, &n, s->credentials.sections[i].name);
    return v;
}

/* ---- settings ---- */

struct resolver {
    const struct aws_options *opts;
    const struct aws_env *env;
    struct aws_settings *out;
    struct aws_profile_view view;
    struct vpcx_error *err;
};

static void setting_set(struct aws_setting *st, const char *value, enum aws_source src,
                        char *origin)
{
    free(st->value);
    free(st->origin);
    st->value = value ? xstrdup(value) : NULL;
    st->source = src;
    st->origin = sanitize_dup(origin, SANITIZE_ESCAPE);
    free(origin);
}

static void setting_finish(struct aws_setting *st)
{
    free(st->value);
    free(st->origin);
    memset(st, 0, sizeof(*st));
}

static bool from_flag(struct aws_setting *st, const char *value, const char *flag)
{
    if (!value)
        return false;
    setting_set(st, value, AWS_SRC_FLAG, xasprintf("command line %s", flag));
    return true;
}

static bool from_env(struct resolver *r, struct aws_setting *st, const char *var)
{
    const char *v = aws_env_get(r->env, var);
    if (!v)
        return false;
    setting_set(st, v, AWS_SRC_ENV, xasprintf("env %s", var));
    return true;
}

static const char *path_or(const char *path)
{
    return path ? path : "(no file: HOME is not set)";
}

static char *profile_origin(const struct resolver *r, const char *key)
{
    bool in_creds = ini_section_entry(r->view.credentials, key) != NULL;
    const char *path = in_creds ? r->out->credentials_path : r->out->config_path;
    return xasprintf("profile %s in %s", r->out->profile.value, path_or(path));
}

static bool from_profile(struct resolver *r, struct aws_setting *st, const char *key)
{
    const char *v = aws_profile_get(&r->view, key);
    if (!v || !*v)
        return false;
    bool in_creds = ini_section_entry(r->view.credentials, key) != NULL;
    setting_set(st, v, in_creds ? AWS_SRC_CREDENTIALS : AWS_SRC_CONFIG, profile_origin(r, key));
    return true;
}

/* botocore's ensure_boolean: only "true" (any case) is true. The env
 * variable, when set, decides over the profile key. */
static bool resolve_bool(struct resolver *r, const char *var, const char *key)
{
    const char *v = aws_env_get(r->env, var);
    if (!v)
        v = aws_profile_get(&r->view, key);
    return v && strcasecmp(v, "true") == 0;
}

static char *expand_home(const char *path, const struct aws_env *env)
{
    if (path[0] != '~' || (path[1] != '/' && path[1] != '\0'))
        return xstrdup(path);
    const char *home = aws_env_get(env, "HOME");
    return home ? xasprintf("%s%s", home, path + 1) : xstrdup(path);
}

static char *file_path(const struct aws_env *env, const char *var, const char *base)
{
    const char *v = aws_env_get(env, var);
    if (v)
        return expand_home(v, env);
    const char *home = aws_env_get(env, "HOME");
    return home ? xasprintf("%s/.aws/%s", home, base) : NULL;
}

static enum vpcx_status load_files(struct resolver *r)
{
    struct aws_settings *s = r->out;
    bool found;
    s->config_path = file_path(r->env, "AWS_CONFIG_FILE", "config");
    s->credentials_path = file_path(r->env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
    if (s->config_path) {
        enum vpcx_status st = ini_parse_file(&s->config, s->config_path, &found, r->err);
        if (st != VPCX_OK)
            return st;
    }
    if (s->credentials_path)
        return ini_parse_file(&s->credentials, s->credentials_path, &found, r->err);
    return VPCX_OK;
}

static enum vpcx_status resolve_profile(struct resolver *r)
{
    struct aws_settings *s = r->out;
    s->profile_explicit = from_flag(&s->profile, r->opts->profile, "--profile");
    s->profile_named = s->profile_explicit || from_env(r, &s->profile, "AWS_PROFILE") ||
                       from_env(r, &s->profile, "AWS_DEFAULT_PROFILE");
    if (!s->profile_named)
        setting_set(&s->profile, "default", AWS_SRC_DEFAULT, xstrdup("default"));
    if (aws_settings_profile(s, s->profile.value, &r->view) || !s->profile_named)
        return VPCX_OK;
    char *names = list_profiles(s);
    vpcx_error_set(r->err, VPCX_ERR_PROFILE_NOT_FOUND,
                   "the profile '%s' (from %s) is in neither %s nor %s; profiles found: %s",
                   s->profile.value, s->profile.origin, path_or(s->config_path),
                   path_or(s->credentials_path), names);
    vpcx_error_set_hint(r->err, "create it with `aws configure --profile %s` or pick one above",
                        s->profile.value);
    free(names);
    return VPCX_ERR_PROFILE_NOT_FOUND;
}

/* botocore's validate_region_name: a DNS label, as it goes into a host name. */
static bool region_valid(const char *region)
{
    size_t n = strlen(region);
    if (n == 0 || n > 63 || region[0] == '-' || region[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)region[i]) && region[i] != '-')
            return false;
    return true;
}

static enum vpcx_status resolve_region(struct resolver *r)
{
    struct aws_settings *s = r->out;
    if (from_flag(&s->region, r->opts->region, "--region") ||
        from_env(r, &s->region, "AWS_REGION") || from_env(r, &s->region, "AWS_DEFAULT_REGION") ||
        from_profile(r, &s->region, "region")) {
        if (region_valid(s->region.value))
            return VPCX_OK;
        return vpcx_error_set(r->err, VPCX_ERR_CONFIG, "invalid region name '%s' (from %s)",
                              s->region.value, s->region.origin);
    }
    vpcx_error_set(r->err, VPCX_ERR_NO_REGION, "no region is set for profile '%s'",
                   s->profile.value);
    vpcx_error_set_hint(r->err,
                        "set one with --region, the AWS_REGION (or AWS_DEFAULT_REGION) "
                        "environment variable, or 'region = ...' in profile %s of %s "
                        "(`aws configure set region eu-west-1 --profile %s`)",
                        s->profile.value, s->config_path ? s->config_path : "~/.aws/config",
                        s->profile.value);
    return VPCX_ERR_NO_REGION;
}

static enum vpcx_status resolve_retries(struct resolver *r)
{
    struct aws_settings *s = r->out;
    if (!from_env(r, &s->max_attempts, "AWS_MAX_ATTEMPTS") &&
        !from_profile(r, &s->max_attempts, "max_attempts"))
        setting_set(&s->max_attempts, "3", AWS_SRC_DEFAULT, xstrdup("default"));
    char *end;
    errno = 0;
    long n = strtol(s->max_attempts.value, &end, 10);
    if (errno || *end || end == s->max_attempts.value || n < 1 || n > MAX_MAX_ATTEMPTS)
        return vpcx_error_set(r->err, VPCX_ERR_CONFIG,
                              "max_attempts '%s' (from %s) is not a number from 1 to %d",
                              s->max_attempts.value, s->max_attempts.origin, MAX_MAX_ATTEMPTS);
    s->max_attempts_n = (int)n;
    if (!from_env(r, &s->retry_mode, "AWS_RETRY_MODE") &&
        !from_profile(r, &s->retry_mode, "retry_mode"))
        setting_set(&s->retry_mode, "standard", AWS_SRC_DEFAULT, xstrdup("default"));
    const char *m = s->retry_mode.value;
    if (strcmp(m, "standard") && strcmp(m, "legacy") && strcmp(m, "adaptive"))
        return vpcx_error_set(r->err, VPCX_ERR_CONFIG,
                              "retry_mode '%s' (from %s) is not standard, legacy or adaptive", m,
                              s->retry_mode.origin);
    return VPCX_OK;
}

static void resolve_ca_bundle(struct resolver *r)
{
    struct aws_settings *s = r->out;
    if (!from_flag(&s->ca_bundle, r->opts->ca_bundle, "--ca-bundle") &&
        !from_env(r, &s->ca_bundle, "AWS_CA_BUNDLE"))
        from_profile(r, &s->ca_bundle, "ca_bundle");
}

/* ---- endpoints ---- */

struct partition {
    const char *prefix;
    const char *dns;
    const char *dualstack; /* NULL: no dual-stack endpoints */
    bool gov;              /* FIPS endpoints keep the plain host name */
    const char *regions;   /* the partition's regionRegex (POSIX ERE) */
};

/* partitions.json as botocore 1.43 resolves EC2 and STS; the last is aws. */
static const struct partition partitions[] = {
    {"cn-", "amazonaws.com.cn", "api.amazonwebservices.com.cn", false, "^cn-[A-Za-z0-9_]+-[0-9]+$"},
    {"eusc-de-", "amazonaws.eu", "api.amazonwebservices.eu", false,
     "^eusc-de-[A-Za-z0-9_]+-[0-9]+$"},
    {"us-gov-", "amazonaws.com", "api.aws", true, "^us-gov-[A-Za-z0-9_]+-[0-9]+$"},
    {"us-iso-", "c2s.ic.gov", "api.aws", false, "^us-iso-[A-Za-z0-9_]+-[0-9]+$"},
    {"us-isob-", "sc2s.sgov.gov", "api.aws", false, "^us-isob-[A-Za-z0-9_]+-[0-9]+$"},
    {"eu-isoe-", "cloud.adc-e.uk", NULL, false, "^eu-isoe-[A-Za-z0-9_]+-[0-9]+$"},
    {"us-isof-", "csp.hci.ic.gov", NULL, false, "^us-isof-[A-Za-z0-9_]+-[0-9]+$"},
    {"", "amazonaws.com", "api.aws", false, "^(us|eu|ap|sa|ca|me|af|il|mx)-[A-Za-z0-9_]+-[0-9]+$"},
};

bool aws_region_name_known(const char *region)
{
    for (size_t i = 0; i < sizeof(partitions) / sizeof(partitions[0]); i++) {
        regex_t re;
        if (regcomp(&re, partitions[i].regions, REG_EXTENDED | REG_NOSUB) != 0)
            return true; /* cannot check: let the endpoint answer */
        bool ok = regexec(&re, region, 0, NULL, 0) == 0;
        regfree(&re);
        if (ok)
            return true;
    }
    return false;
}

static const struct partition *partition_of(const char *region)
{
    size_t n = sizeof(partitions) / sizeof(partitions[0]);
    for (size_t i = 0; i + 1 < n; i++)
        if (strncmp(region, partitions[i].prefix, strlen(partitions[i].prefix)) == 0)
            return &partitions[i];
    return &partitions[n - 1];
}

char *aws_endpoint_default(const char *service, const char *region, bool fips, bool dualstack,
                           struct vpcx_error *err)
{
    const struct partition *p = partition_of(region);
    if (dualstack && !p->dualstack) {
        vpcx_error_set(err, VPCX_ERR_CONFIG, "region %s has no dual-stack %s endpoint", region,
                       service);
        return NULL;
    }
    const char *suffix = dualstack ? p->dualstack : p->dns;
    bool fips_name = fips && !(p->gov && !dualstack);
    return xasprintf("https://%s%s.%s.%s", service, fips_name ? "-fips" : "", region, suffix);
}

static bool endpoint_url_valid(const char *url)
{
    size_t skip = 0;
    if (strncasecmp(url, "https://", 8) == 0)
        skip = 8;
    else if (strncasecmp(url, "http://", 7) == 0)
        skip = 7;
    return skip && url[skip] && url[skip] != '/';
}

/* The profile's [services X] block for service, or NULL. */
static enum vpcx_status from_services(struct resolver *r, struct aws_setting *st,
                                      const char *service, bool *found)
{
    *found = false;
    const char *name = aws_profile_get(&r->view, "services");
    if (!name)
        return VPCX_OK;
    const struct ini_section *sec = config_named(&r->out->config, "services", name);
    if (!sec)
        return vpcx_error_set(r->err, VPCX_ERR_CONFIG,
                              "profile %s uses services '%s' but %s has no [services %s] section",
                              r->out->profile.value, name, path_or(r->out->config_path), name);
    const char *url = ini_entry_sub(ini_section_entry(sec, service), "endpoint_url");
    if (!url || !*url)
        return VPCX_OK;
    setting_set(st, url, AWS_SRC_CONFIG,
                xasprintf("[services %s] %s.endpoint_url in %s", name, service,
                          path_or(r->out->config_path)));
    *found = true;
    return VPCX_OK;
}

/* The env and config overrides, unless ignore_configured_endpoint_urls. */
static enum vpcx_status configured_endpoint(struct resolver *r, struct aws_setting *st,
                                            const char *service, const char *env_var, bool *found)
{
    *found = true;
    if (from_env(r, st, env_var) || from_env(r, st, "AWS_ENDPOINT_URL"))
        return VPCX_OK;
    enum vpcx_status status = from_services(r, st, service, found);
    if (status != VPCX_OK || *found)
        return status;
    *found = from_profile(r, st, "endpoint_url");
    return VPCX_OK;
}

/* service: the [services] key and the error's name; host: the default host's first label. */
static enum vpcx_status resolve_endpoint_host(struct resolver *r, struct aws_setting *st,
                                              const char *service, const char *host,
                                              const char *env_var)
{
    struct aws_settings *s = r->out;
    bool found = from_flag(st, r->opts->endpoint_url, "--endpoint-url");
    if (!found && !resolve_bool(r, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                                "ignore_configured_endpoint_urls")) {
        enum vpcx_status status = configured_endpoint(r, st, service, env_var, &found);
        if (status != VPCX_OK)
            return status;
    }
    if (found) {
        if (!endpoint_url_valid(st->value))
            return vpcx_error_set(r->err, VPCX_ERR_CONFIG,
                                  "endpoint URL '%s' (from %s) must start with http:// or https://",
                                  st->value, st->origin);
        if (s->use_fips || s->use_dualstack)
            return vpcx_error_set(r->err, VPCX_ERR_CONFIG,
                                  "%s cannot be combined with the custom %s endpoint from %s",
                                  s->use_fips ? "FIPS" : "dual-stack", service, st->origin);
        return VPCX_OK;
    }
    char *url = aws_endpoint_default(host, s->region.value, s->use_fips, s->use_dualstack, r->err);
    if (!url)
        return VPCX_ERR_CONFIG;
    setting_set(st, url, AWS_SRC_DEFAULT,
                xasprintf("default for region %s%s%s", s->region.value, s->use_fips ? ", FIPS" : "",
                          s->use_dualstack ? ", dual-stack" : ""));
    free(url);
    return VPCX_OK;
}

static enum vpcx_status resolve_endpoint(struct resolver *r, struct aws_setting *st,
                                         const char *service, const char *env_var)
{
    return resolve_endpoint_host(r, st, service, service, env_var);
}

char *aws_settings_service_endpoint(const struct aws_settings *s, const struct aws_env *env,
                                    const char *service, const char *env_var, const char *host,
                                    const char *region, struct vpcx_error *err)
{
    static const struct aws_options no_opts;
    /* The resolver only reads its settings here: a shallow copy serves. */
    struct aws_settings view = *s;
    struct resolver r = {
        .opts = &no_opts, .env = env ? env : &default_env, .out = &view, .err = err};
    aws_settings_profile(s, s->profile.value ? s->profile.value : "default", &r.view);
    struct aws_setting st = {0};
    bool found = false;
    if (!resolve_bool(&r, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                      "ignore_configured_endpoint_urls") &&
        configured_endpoint(&r, &st, service, env_var, &found) != VPCX_OK) {
        setting_finish(&st);
        return NULL;
    }
    if (found && !endpoint_url_valid(st.value)) {
        vpcx_error_set(err, VPCX_ERR_CONFIG,
                       "endpoint URL '%s' (from %s) must start with http:// or https://", st.value,
                       st.origin);
        setting_finish(&st);
        return NULL;
    }
    char *url = found   ? xstrdup(st.value)
                : !host ? xstrdup("")
                        : aws_endpoint_default(host, region, false, false, err);
    setting_finish(&st);
    return url;
}

/* ---- entry points ---- */

void aws_settings_init(struct aws_settings *s)
{
    memset(s, 0, sizeof(*s));
    ini_file_init(&s->config);
    ini_file_init(&s->credentials);
}

void aws_settings_finish(struct aws_settings *s)
{
    if (!s)
        return;
    setting_finish(&s->profile);
    setting_finish(&s->region);
    setting_finish(&s->ec2_endpoint);
    setting_finish(&s->sts_endpoint);
    setting_finish(&s->monitoring_endpoint);
    setting_finish(&s->ca_bundle);
    setting_finish(&s->max_attempts);
    setting_finish(&s->retry_mode);
    free(s->config_path);
    free(s->credentials_path);
    free(s->assume_role_arn);
    ini_file_finish(&s->config);
    ini_file_finish(&s->credentials);
    aws_settings_init(s);
}

static enum vpcx_status resolve_all(struct resolver *r)
{
    enum vpcx_status st = load_files(r);
    if (st == VPCX_OK)
        st = resolve_profile(r);
    if (st != VPCX_OK)
        return st;
    resolve_ca_bundle(r);
    st = resolve_retries(r);
    if (st == VPCX_OK)
        st = resolve_region(r);
    if (st != VPCX_OK)
        return st;
    r->out->use_fips = resolve_bool(r, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint");
    r->out->use_dualstack = resolve_bool(r, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint");
    st = resolve_endpoint(r, &r->out->ec2_endpoint, "ec2", "AWS_ENDPOINT_URL_EC2");
    if (st == VPCX_OK)
        st = resolve_endpoint(r, &r->out->sts_endpoint, "sts", "AWS_ENDPOINT_URL_STS");
    if (st == VPCX_OK)
        st = resolve_endpoint_host(r, &r->out->monitoring_endpoint, "cloudwatch", "monitoring",
                                   "AWS_ENDPOINT_URL_CLOUDWATCH");
    return st;
}

enum vpcx_status aws_settings_resolve(const struct aws_options *opts, const struct aws_env *env,
                                      struct aws_settings *out, struct vpcx_error *err)
{
    static const struct aws_options no_opts;
    aws_settings_init(out);
    struct resolver r = {
        .opts = opts ? opts : &no_opts,
        .env = env ? env : &default_env,
        .out = out,
        .err = err,
    };
    if (opts && opts->assume_role_arn)
        out->assume_role_arn = xstrdup(opts->assume_role_arn);
    return resolve_all(&r);
}
