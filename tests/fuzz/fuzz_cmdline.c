// SPDX-License-Identifier: ISC
// fuzz-libs: -lnettle
// fuzz-sources: daemon/config/cmdline.c daemon/config/config_parse.c daemon/config/config_values.c
// fuzz-sources: daemon/config/config_sources.c daemon/config/config_access.c
// fuzz-sources: daemon/config/config_directives.c daemon/config/config_print.c
// fuzz-sources: daemon/common/log.c daemon/common/log_limit.c
// fuzz-sources: daemon/common/auth.c daemon/config/cmdline_apply.c daemon/config/config_keys.c
// fuzz-sources: daemon/config/config_observe.c daemon/config/config_security.c
// fuzz-sources: daemon/config/config_stats.c
// fuzz-sources: daemon/config/config_nts.c
/*
 * libFuzzer target for the command line (daemon/config/cmdline.c cmd_parse, cmd_apply): what a
 * unit file's $OPTIONS, /etc/default/ntp or a script passes to the root daemon. The input is
 * the argument vector, NUL-separated (at most 64 arguments). Invariants: success or an error
 * message, never a crash; cmd_apply on an accepted vector gives a message on failure.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/cmdline.h"
#include "daemon/config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct cfg c;
    char *copy = malloc(size + 1), *argv[66];
    struct cmd_opts o;
    char err[256];
    int argc = 0;

    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    argv[argc++] = "tsyncd";
    for (char *p = copy; p <= copy + size && argc < 65; p += strlen(p) + 1)
        argv[argc++] = p;
    argv[argc] = NULL;
    err[0] = '\0';
    if (cmd_parse(argc, argv, &o, err, sizeof(err)) < 0) {
        if (err[0] == '\0')
            abort();
    } else {
        cfg_init(&c);
        err[0] = '\0';
        if (cmd_apply(&o, &c, err, sizeof(err)) < 0 && err[0] == '\0')
            abort();
        cfg_free(&c);
    }
    free(copy);
    return 0;
}
