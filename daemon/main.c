// SPDX-License-Identifier: ISC
/* tsyncd entry point (placeholder until the command line lands). */
#include <stdio.h>

int main(void)
{
    fputs("tsyncd: not yet functional\n", stderr);
    return 1;
}
