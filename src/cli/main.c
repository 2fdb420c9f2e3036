#include "vpcx/cli/cli.h"
#include "vpcx/core/xalloc.h"

int main(int argc, char **argv)
{
    xalloc_hook_cjson();
    return cli_main(argc, argv);
}
