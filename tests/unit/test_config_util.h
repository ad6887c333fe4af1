// SPDX-License-Identifier: ISC
/* Helpers shared by the configuration unit tests (test_config*.c). */
#ifndef TSYNC_TEST_CONFIG_UTIL_H
#define TSYNC_TEST_CONFIG_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/config/config.h"

static struct cfg cfg; /* large: static, reset by each test's teardown */
static struct cfg_diag diag;

static inline int setup(void **state)
{
    (void)state;
    cfg_init(&cfg);
    cfg_diag_init(&diag);
    return 0;
}

static inline int teardown(void **state)
{
    (void)state;
    cfg_free(&cfg);
    cfg_diag_free(&diag);
    return 0;
}

/* Loads text as file "t.conf", replacing any earlier result. Returns cfg_load_string's value. */
static inline int load_flags(const char *text, unsigned flags)
{
    cfg_free(&cfg);
    cfg_diag_free(&diag);
    return cfg_load_string("t.conf", text, strlen(text), flags, &cfg, &diag);
}

static inline int load(const char *text)
{
    return load_flags(text, 0);
}

/* Index of the first message containing needle, or -1. */
static inline int find_msg(const char *needle)
{
    for (size_t i = 0; i < diag.n_msgs; i++)
        if (strstr(diag.msgs[i].text, needle) != NULL)
            return (int)i;
    return -1;
}

/* Asserts that some message is exactly text. */
static inline void assert_msg(const char *text)
{
    for (size_t i = 0; i < diag.n_msgs; i++)
        if (strcmp(diag.msgs[i].text, text) == 0)
            return;
    for (size_t i = 0; i < diag.n_msgs; i++)
        print_message("  got: %s\n", diag.msgs[i].text);
    fail_msg("missing message: %s", text);
}

/* Asserts one error (and no other message) exactly equal to text. */
static inline void assert_only_error(const char *text)
{
    assert_msg(text);
    assert_int_equal(diag.n_errors, 1);
    assert_int_equal(diag.n_warnings, 0);
}

/* The configuration printed by cfg_print, in a static buffer. */
static inline const char *printed(const struct cfg *c)
{
    static char buf[1 << 16];
    FILE *f = fmemopen(buf, sizeof(buf), "w");
    assert_non_null(f);
    assert_int_equal(cfg_print(c, f), 0);
    fclose(f);
    return buf;
}

#endif
