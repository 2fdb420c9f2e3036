/*
 * config: the settings vpcx talks to AWS with, resolved as the AWS CLI does,
 * as a pure function of (command-line options, environment, the two files).
 *
 * Files: AWS_CONFIG_FILE or ~/.aws/config, AWS_SHARED_CREDENTIALS_FILE or
 * ~/.aws/credentials ("~/" expands from HOME). A missing file is empty.
 * Profiles: "[default]" and "[profile NAME]" in the config file, "[NAME]" in
 * the credentials file; a key in the credentials file overrides the same key
 * of the same profile in the config file (botocore's full_config).
 *
 * Order, first found wins:
 *   profile       --profile, AWS_PROFILE, AWS_DEFAULT_PROFILE, "default".
 *                 A named profile (flag or env) that exists in neither file
 *                 is VPCX_ERR_PROFILE_NOT_FOUND listing the profiles found.
 *   region        --region, AWS_REGION, AWS_DEFAULT_REGION, profile region;
 *                 none is VPCX_ERR_NO_REGION (with a hint).
 *   endpoints     --endpoint-url (EC2 and STS alike), then unless
 *                 AWS_IGNORE_CONFIGURED_ENDPOINT_URLS / profile
 *                 ignore_configured_endpoint_urls is true:
 *                 AWS_ENDPOINT_URL_EC2|_STS, AWS_ENDPOINT_URL, the profile's
 *                 [services X] block ("ec2 =" + indented endpoint_url), the
 *                 profile's endpoint_url; else the AWS default for the region
 *                 and partition with FIPS / dual-stack variants
 *                 (AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT,
 *                 use_fips_endpoint, use_dualstack_endpoint). FIPS or
 *                 dual-stack together with a custom endpoint is an error.
 *                 CloudWatch (monitoring_endpoint) follows the same order with
 *                 AWS_ENDPOINT_URL_CLOUDWATCH and "cloudwatch =" in [services X];
 *                 its default host is monitoring.<region>.
 *   ca_bundle     --ca-bundle, AWS_CA_BUNDLE, profile ca_bundle (else none).
 *   max_attempts  AWS_MAX_ATTEMPTS, profile max_attempts, 3 (1..1000).
 *   retry_mode    AWS_RETRY_MODE, profile retry_mode, "standard".
 * Empty environment variables count as unset. Every value records its source
 * and a human-readable origin for `vpcx whoami`.
 */
#ifndef VPCX_AWS_CONFIG_H
#define VPCX_AWS_CONFIG_H

#include <stdbool.h>

#include "vpcx/aws/ini.h"
#include "vpcx/core/status.h"

/* The process environment, injectable for tests. get returns NULL when unset. */
struct aws_env {
    const char *(*get)(void *ud, const char *name);
    void *ud;
};

/* An aws_env backed by getenv(). */
const struct aws_env *aws_env_default(void);
/* The variable's value, or NULL when unset or empty. env NULL means default. */
const char *aws_env_get(const struct aws_env *env, const char *name);

enum aws_source {
    AWS_SRC_NONE,
    AWS_SRC_FLAG,
    AWS_SRC_ENV,
    AWS_SRC_CONFIG,
    AWS_SRC_CREDENTIALS,
    AWS_SRC_PROCESS,
    AWS_SRC_ASSUME_ROLE,
    AWS_SRC_DEFAULT,
    AWS_SRC_SSO,   /* IAM Identity Center (aws/sso.h) */
    AWS_SRC_LOGIN, /* `aws login` console session (aws/login.h) */
    AWS_SRC_WEB_IDENTITY,
    AWS_SRC_CONTAINER,
    AWS_SRC_IMDS,
};

/* "flag", "env", "config", ... */
const char *aws_source_name(enum aws_source src);

struct aws_setting {
    char *value; /* NULL when not set */
    enum aws_source source;
    char *origin; /* e.g. "env AWS_REGION", "profile dev in /root/.aws/config" */
};

/* From the command line; NULL (false) = not given. */
struct aws_options {
    const char *profile;
    const char *region;
    const char *endpoint_url;
    const char *ca_bundle;
    /* --org-role: the profile's credentials assume this role (aws/credentials.h). */
    const char *assume_role_arn;
};

struct aws_settings {
    struct aws_setting profile;
    struct aws_setting region;
    struct aws_setting ec2_endpoint;
    struct aws_setting sts_endpoint;
    struct aws_setting monitoring_endpoint; /* CloudWatch */
    struct aws_setting ca_bundle;
    struct aws_setting max_attempts;
    struct aws_setting retry_mode;
    int max_attempts_n;    /* max_attempts as a number */
    bool profile_explicit; /* --profile given: environment keys are skipped */
    bool profile_named;    /* --profile or AWS_PROFILE: the profile must exist */
    bool use_fips;
    bool use_dualstack;
    char *config_path; /* NULL when HOME is unknown and no env override */
    char *credentials_path;
    char *assume_role_arn;  /* from aws_options; NULL: none */
    struct ini_file config; /* parsed files, empty when absent */
    struct ini_file credentials;
};

void aws_settings_init(struct aws_settings *s);
/* Fills out (initialising it first). On failure out holds what was resolved
 * so far and must still be finished. */
enum vpcx_status aws_settings_resolve(const struct aws_options *opts, const struct aws_env *env,
                                      struct aws_settings *out, struct vpcx_error *err);
void aws_settings_finish(struct aws_settings *s);

/* A profile as botocore sees it: the credentials file's section over the
 * config file's. Either pointer may be NULL. */
struct aws_profile_view {
    const struct ini_section *config;
    const struct ini_section *credentials;
};

/* Looks name up in both files; false when it is in neither. */
bool aws_settings_profile(const struct aws_settings *s, const char *name,
                          struct aws_profile_view *view);
/* The profiles of both files, in file order, each once: a NULL-terminated
 * heap array of heap strings (free each, then the array). */
char **aws_settings_profile_names(const struct aws_settings *s);
/* The key's plain value (credentials file first), or NULL. */
const char *aws_profile_get(const struct aws_profile_view *view, const char *key);
/* True when the key is present in either file (even empty or nested). */
bool aws_profile_has(const struct aws_profile_view *view, const char *key);
/* The config-file section of profile name ("[default]", "[profile NAME]"). */
const struct ini_section *aws_config_profile_section(const struct ini_file *config,
                                                     const char *name);

/* The [sso-session name] section of the config file, or NULL. */
const struct ini_section *aws_config_sso_session_section(const struct ini_file *config,
                                                         const char *name);

/*
 * The endpoint of another service the credential chain calls (service as in
 * a [services] block, e.g. "sso", "sso-oidc"; env_var e.g.
 * "AWS_ENDPOINT_URL_SSO"; host the default host's first labels, e.g.
 * "portal.sso") in region, by the configured-endpoint order above without
 * --endpoint-url (which is EC2's and STS's only). Returns a heap URL ("" when
 * nothing is configured and host is NULL), or NULL with err set when an
 * override is malformed.
 */
char *aws_settings_service_endpoint(const struct aws_settings *s, const struct aws_env *env,
                                    const char *service, const char *env_var, const char *host,
                                    const char *region, struct vpcx_error *err);

/* True when region matches a partition's region names (botocore's regionRegex). */
bool aws_region_name_known(const char *region);

/* The default endpoint of service ("ec2", "sts") in region; caller frees.
 * NULL with err set when the variant does not exist in that partition. */
char *aws_endpoint_default(const char *service, const char *region, bool fips, bool dualstack,
                           struct vpcx_error *err);

#endif
