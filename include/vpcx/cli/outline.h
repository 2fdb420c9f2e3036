/*
 * outline: `vpcx dump --format text`, the inventory as a readable outline:
 * VPC > AZ > subnet (IP usage) > endpoint ENIs, then each VPC's endpoints with
 * their AZ placement, and the errors. Every AWS string is sanitised.
 */
#ifndef VPCX_CLI_OUTLINE_H
#define VPCX_CLI_OUTLINE_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "vpcx/core/status.h"
#include "vpcx/model/inventory.h"
#include "vpcx/store/snapshot.h"

enum vpcx_status outline_write(FILE *out, const struct inventory *inv,
                               const struct snapshot_meta *meta, const cJSON *errors,
                               struct vpcx_error *err);

#endif
