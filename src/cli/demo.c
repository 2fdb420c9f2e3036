#include "vpcx/cli/source.h"

extern const unsigned char vpcx_demo_json[];
extern const size_t vpcx_demo_json_len;

const char *demo_json(size_t *len)
{
    *len = vpcx_demo_json_len;
    return (const char *)vpcx_demo_json;
}
