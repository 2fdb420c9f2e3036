/*
 * export: VPC endpoints as code that adopts them as they are. Terraform
 * (aws_vpc_endpoint resources plus import blocks with the real IDs),
 * CloudFormation (AWS::EC2::VPCEndpoint resources, and the ResourcesToImport
 * file of an IMPORT change set), or the `aws ec2 create-vpc-endpoint`
 * commands that recreate them. Pure: inventory in, text out.
 *
 * Every value from AWS is escaped for the target language (HCL, YAML, POSIX
 * shell); controls, C1 and bidi overrides never reach the output raw.
 */
#ifndef VPCX_MODEL_EXPORT_H
#define VPCX_MODEL_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "vpcx/core/status.h"
#include "vpcx/core/strbuf.h"
#include "vpcx/model/inventory.h"

enum export_format {
    EXPORT_TERRAFORM,
    EXPORT_CLOUDFORMATION,
    EXPORT_CFN_IMPORT, /* the ResourcesToImport JSON for the CloudFormation template */
    EXPORT_CLI,
};

/* "terraform" (or "tf"), "cloudformation" (or "cfn"), "cfn-import", "cli". */
bool export_format_parse(const char *name, enum export_format *out);

/*
 * The endpoints to export, sorted by ID: those named, plus every endpoint of
 * the VPCs named; every endpoint when neither is given. An unknown ID is
 * VPCX_ERR_NOT_FOUND, naming it; so is a selection with no endpoint. *out is
 * malloc'd (free(out->v)); its strings are the inventory's.
 */
enum vpcx_status export_select(const struct inventory *inv, const char *const *vpcs, size_t n_vpcs,
                               const char *const *endpoints, size_t n_endpoints,
                               struct inv_ids *out, struct vpcx_error *err);

/* Writes the selected endpoints in format; region names the provider's region. */
void export_write(const struct inventory *inv, const struct inv_ids *sel, enum export_format format,
                  const char *region, struct strbuf *out);

/* The pieces, for tests. */
void export_hcl_string(struct strbuf *out, const char *s);  /* "..." with HCL escapes */
void export_yaml_string(struct strbuf *out, const char *s); /* "..." double-quoted YAML */
void export_shell_quote(struct strbuf *out, const char *s); /* one shell word */
/* A Terraform identifier from a Name tag (or the ID when it has none). */
char *export_tf_name(const char *name, const char *id);
/* A CloudFormation logical ID (alphanumeric) from a Name tag or the ID. */
char *export_cfn_name(const char *name, const char *id);

#endif
