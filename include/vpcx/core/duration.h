/*
 * duration: "90", "90s", "15m", "2h", "1d" as seconds, for --max-age and the
 * config's "set max-age". At most ten years; no sign, no spaces.
 */
#ifndef VPCX_CORE_DURATION_H
#define VPCX_CORE_DURATION_H

#include <stdbool.h>

bool duration_parse(const char *text, long long *seconds);

#endif
