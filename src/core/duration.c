#include "vpcx/core/duration.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define DURATION_MAX (3650LL * 86400)

bool duration_parse(const char *text, long long *seconds)
{
    if (!text || !isdigit((unsigned char)text[0]))
        return false;
    char *end = NULL;
    long long v = strtoll(text, &end, 10);
    long long unit = 1;
    if (*end) {
        static const char units[] = "smhd";
        static const long long unit_seconds[] = {1, 60, 3600, 86400};
        const char *u = strchr(units, *end);
        if (!u || end[1])
            return false;
        unit = unit_seconds[u - units];
    }
    if (v < 0 || v > DURATION_MAX / unit)
        return false;
    *seconds = v * unit;
    return true;
}
