#include "vpcx/core/status.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "vpcx: %s\n", vpcx_status_message(VPCX_ERR_USAGE));
    return VPCX_EXIT_USAGE;
}
