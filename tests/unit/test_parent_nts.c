// SPDX-License-Identifier: ISC
/* The parent's NTS cookie keys: the key file's safety checks, creation, reload, rotation. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/parent/parent_nts.h"

static char dir[64], path[128];
static struct cfg cfg;
static struct parent parent; /* no child attached: nothing is sent */

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/tsyncd-test-nts.XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/nts-keys", dir);
    cfg_init(&cfg);
    cfg.nts_cert = strdup("/c.pem");
    cfg.nts_key = strdup("/k.pem");
    cfg.nts_cookie_file = strdup(path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    rmdir(dir);
    cfg_free(&cfg);
    return 0;
}

static void test_created_then_reloaded(void **state)
{
    struct parent_nts a, b;
    struct stat st;
    char err[256];

    (void)state;
    assert_int_equal(parent_nts_init(&a, &cfg, err, sizeof(err)), 0);
    assert_int_equal(a.ring.n, 0);
    assert_true(parent_nts_tick(&a, &parent) > 3600 - 1);
    assert_int_equal(a.ring.n, 1);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(parent_nts_init(&b, &cfg, err, sizeof(err)), 0);
    assert_int_equal(b.ring.n, 1);
    assert_memory_equal(&a.ring, &b.ring, sizeof(a.ring));
    parent_nts_close(&a);
    parent_nts_close(&b);
}

static void test_rotation_kept_in_the_file(void **state)
{
    struct parent_nts a, b;
    char err[256];

    (void)state;
    cfg.nts_rotate_s = 1;
    assert_int_equal(parent_nts_init(&a, &cfg, err, sizeof(err)), 0);
    parent_nts_tick(&a, &parent);
    a.ring.keys[0].created -= 10; /* as if made 10 s ago */
    parent_nts_tick(&a, &parent);
    assert_int_equal(a.ring.n, 2);
    assert_int_equal(parent_nts_init(&b, &cfg, err, sizeof(err)), 0);
    assert_int_equal(b.ring.n, 2);
    assert_int_equal(b.ring.keys[1].id, a.ring.keys[1].id);
    parent_nts_close(&a);
    parent_nts_close(&b);
}

static void write_file(const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    fchmod(fd, mode);
    close(fd);
}

static void test_unsafe_or_bad_files_refused(void **state)
{
    struct parent_nts a;
    char err[256];

    (void)state;
    write_file("tsyncd-nts-keys 1\nkey 00000001 5 "
               "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
               0644);
    assert_int_equal(parent_nts_init(&a, &cfg, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "readable by its owner only"));
    parent_nts_close(&a);
    write_file("garbage\n", 0600);
    assert_int_equal(parent_nts_init(&a, &cfg, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not a tsyncd NTS key file"));
    parent_nts_close(&a);
    free(cfg.nts_cookie_file);
    cfg.nts_cookie_file = strdup("/nonexistent-tsyncd-dir/keys");
    assert_int_equal(parent_nts_init(&a, &cfg, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "its directory"));
}

static void test_disabled_without_server(void **state)
{
    struct parent_nts a;
    char err[256];

    (void)state;
    free(cfg.nts_cert);
    cfg.nts_cert = NULL;
    assert_int_equal(parent_nts_init(&a, &cfg, err, sizeof(err)), 0);
    assert_false(a.enabled);
    parent_nts_tick(&a, &parent);
    assert_int_equal(access(path, F_OK), -1); /* no file written */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_created_then_reloaded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotation_kept_in_the_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsafe_or_bad_files_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disabled_without_server, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
