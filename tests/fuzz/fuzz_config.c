// SPDX-License-Identifier: ISC
// fuzz-sources: daemon/config/config_parse.c daemon/config/config_values.c
// fuzz-sources: daemon/config/config_sources.c daemon/config/config_access.c
// fuzz-sources: daemon/config/config_directives.c daemon/config/config_print.c
// fuzz-sources: daemon/config/config_keys.c daemon/config/config_security.c
// fuzz-sources: daemon/config/config_observe.c daemon/config/config_stats.c
// fuzz-sources: daemon/common/auth.c daemon/common/log.c
// fuzz-sources: daemon/common/log_limit.c
// fuzz-sources: daemon/config/config_nts.c
// fuzz-libs: -lnettle
/*
 * libFuzzer target for the configuration parser (cfg_load_string). Each input is loaded in
 * normal and strict mode (includefile disabled: no file access). Besides crashes, leaks and
 * undefined behaviour it checks two properties and aborts when one fails:
 *   - the error count of the result matches the return value;
 *   - a successful load prints (cfg_print) a configuration that loads again in strict mode
 *     without any message and prints identically.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* cfg_print into a malloc'd string (length in *len); aborts on failure. */
static char *print_to_string(const struct cfg *c, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (f == NULL || cfg_print(c, f) != 0 || fclose(f) != 0)
        abort();
    return buf;
}

static void check_round_trip(const struct cfg *c)
{
    static struct cfg again;
    struct cfg_diag diag;
    size_t len1, len2;
    char *first = print_to_string(c, &len1);
    cfg_diag_init(&diag);
    int rc = cfg_load_string("printed", first, len1, CFG_STRICT | CFG_NO_INCLUDE, &again, &diag);
    if (rc != 0 || diag.n_msgs != 0) {
        fprintf(stderr, "printed configuration does not load cleanly:\n%s", first);
        cfg_diag_print(&diag, stderr);
        abort();
    }
    char *second = print_to_string(&again, &len2);
    if (len1 != len2 || memcmp(first, second, len1) != 0) {
        fprintf(stderr, "print/load/print differs:\n%s---\n%s", first, second);
        abort();
    }
    free(first);
    free(second);
    cfg_free(&again);
    cfg_diag_free(&diag);
}

static void load_once(const uint8_t *data, size_t size, unsigned flags)
{
    static struct cfg c; /* large */
    struct cfg_diag diag;
    cfg_diag_init(&diag);
    int rc = cfg_load_string("fuzz.conf", (const char *)data, size, flags, &c, &diag);
    if ((rc == 0) != (diag.n_errors == 0))
        abort();
    if (rc == 0)
        check_round_trip(&c);
    cfg_free(&c);
    cfg_diag_free(&diag);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_once(data, size, CFG_NO_INCLUDE);
    load_once(data, size, CFG_NO_INCLUDE | CFG_STRICT);
    return 0;
}
