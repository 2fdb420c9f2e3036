/*
 * credinfo: one line naming where credentials came from and when they
 * expire, for whoami and the header: "sso: session corp, account
 * 111122223333, role ReadOnly, expires in 52 min". Every credential source
 * sets origin in that "source: details" form; this adds the expiry.
 */
#ifndef VPCX_AWS_CREDINFO_H
#define VPCX_AWS_CREDINFO_H

#include <time.h>

#include "vpcx/aws/credentials.h"

/* "expires in 45 s", "expires in 52 min", "expires in 3 h 5 min",
 * "expired 2 min ago", or "no expiry" (expiration 0); caller frees. */
char *aws_expiry_describe(time_t expiration, time_t now);

/* c's origin (or its source name) and its expiry at now; caller frees. */
char *aws_credentials_describe(const struct aws_credentials *c, time_t now);

#endif
