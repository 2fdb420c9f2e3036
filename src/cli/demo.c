#include "vpcx/cli/source.h"

#ifdef VPCX_HAVE_DEMO
extern const unsigned char vpcx_demo_json[];
extern const size_t vpcx_demo_json_len;

const char *demo_json(size_t *len)
{
    *len = vpcx_demo_json_len;
    return (const char *)vpcx_demo_json;
}
#else
const char *demo_json(size_t *len)
{
    static const char none[] = "";
    *len = 0;
    return none;
}
#endif
