// SPDX-License-Identifier: ISC
/* keys, trustedkey, controlkey/requestkey, `key N` on sources, and the keys file itself. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/test_config_util.h"

static char dir[64];
static char keys_path[128];

static int keys_setup(void **state)
{
    strcpy(dir, "/tmp/tsyncd-keys-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(keys_path, sizeof(keys_path), "%s/ntp.keys", dir);
    return setup(state);
}

static int keys_teardown(void **state)
{
    unlink(keys_path);
    rmdir(dir);
    return teardown(state);
}

static void write_keys(const char *text, mode_t mode)
{
    FILE *f = fopen(keys_path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(keys_path, mode), 0);
}

/* The configuration: "keys <keys_path>\n" then rest. */
static int load_with_keys(const char *rest, unsigned flags)
{
    static char text[1024];
    snprintf(text, sizeof(text), "keys %s\n%s", keys_path, rest);
    return load_flags(text, flags);
}

static const char *const some_keys = "# ntp.keys\n"
                                     "1 MD5 tsyncd-one   # an ASCII key\n"
                                     "2 SHA1 000102030405060708090a0b0c0d0e0f10111213\n"
                                     "3 SHA256 not-trusted\n"
                                     "\n"
                                     "15 AES128CMAC 2b7e151628aed2a6abf7158809cf4f3c\n";

static void test_trusted_keys_kept(void **state)
{
    (void)state;
    write_keys(some_keys, 0600);
    assert_int_equal(load_with_keys("trustedkey 1 2 (10 ... 20)\n"
                                    "server a.example key 1 iburst\npool b.example key 15\n",
                                    CFG_STRICT),
                     0);
    assert_int_equal(diag.n_msgs, 0);
    assert_string_equal(cfg.keys_file, keys_path);
    assert_int_equal(cfg.sources[0].key_id, 1);
    assert_int_equal(cfg.sources[1].key_id, 15);
    assert_int_equal(cfg.n_trusted, 3);
    assert_true(cfg_key_trusted(&cfg, 2));
    assert_true(cfg_key_trusted(&cfg, 10));
    assert_true(cfg_key_trusted(&cfg, 20));
    assert_false(cfg_key_trusted(&cfg, 3));
    assert_false(cfg_key_trusted(&cfg, 21));
    /* only the trusted keys stay in memory */
    assert_int_equal(cfg.keys.n, 3);
    assert_null(auth_keyring_find(&cfg.keys, 3));
    const struct auth_key *k = auth_keyring_find(&cfg.keys, 1);
    assert_non_null(k);
    assert_int_equal(k->type, AUTH_TYPE_MD5);
    assert_memory_equal(k->secret, "tsyncd-one", 10);
    k = auth_keyring_find(&cfg.keys, 15);
    assert_non_null(k);
    assert_int_equal(k->type, AUTH_TYPE_AES128CMAC);
    assert_int_equal(k->secret[0], 0x2b);
}

static void test_keep_source_keys(void **state)
{
    (void)state;
    write_keys(some_keys, 0600);
    assert_int_equal(load_with_keys("trustedkey 1 2 15\nserver a.example key 15\n", 0), 0);
    assert_int_equal(cfg.keys.n, 3);
    cfg_keep_source_keys(&cfg);
    assert_int_equal(cfg.keys.n, 1);
    assert_non_null(auth_keyring_find(&cfg.keys, 15));
    assert_null(auth_keyring_find(&cfg.keys, 1));
}

static void test_print_has_no_secret(void **state)
{
    char *out = NULL;
    size_t len = 0;
    (void)state;
    write_keys(some_keys, 0600);
    assert_int_equal(load_with_keys("trustedkey 1 (10 ... 20)\ncontrolkey 1\n"
                                    "server a.example key 1\n",
                                    0),
                     0);
    FILE *f = open_memstream(&out, &len);
    assert_non_null(f);
    assert_int_equal(cfg_print(&cfg, f), 0);
    fclose(f);
    assert_non_null(strstr(out, "server a.example minpoll 6 maxpoll 10 key 1\n"));
    assert_non_null(strstr(out, "trustedkey 1 (10 ... 20)\n"));
    assert_non_null(strstr(out, "controlkey 1\n"));
    assert_non_null(strstr(out, "# 2 trusted key(s) read\n"));
    assert_null(strstr(out, "tsyncd-one"));
    assert_null(strstr(out, "2b7e"));
    free(out);
}

/* Many trustedkey lines print as lines that load back (one line of all 32 ids and ranges was
 * 89 words, over the parser's 64: found by the config fuzzer). */
static void test_many_trusted_print_and_load_back(void **state)
{
    char text[1024] = "", *out = NULL;
    size_t len = 0;
    (void)state;
    for (int i = 0; i < 8; i++)
        strcat(text, "trustedkey 1 2 (16 ... 20) ( 30 ... 31 )\n");
    assert_int_equal(load(text), 0);
    assert_int_equal(cfg.n_trusted, 32);
    FILE *f = open_memstream(&out, &len);
    assert_non_null(f);
    assert_int_equal(cfg_print(&cfg, f), 0);
    fclose(f);
    assert_int_equal(load(out), 0);
    assert_int_equal(cfg.n_trusted, 32);
    assert_int_equal(cfg.trusted[31].first, 30);
    free(out);
}

static void test_trustedkey_syntax(void **state)
{
    (void)state;
    assert_int_equal(load("trustedkey ( 4 ... 8 ) (9...9) 12\n"), 0);
    assert_int_equal(cfg.n_trusted, 3);
    assert_int_equal(cfg.trusted[0].first, 4);
    assert_int_equal(cfg.trusted[0].last, 8);
    assert_int_equal(cfg.trusted[1].first, 9);
    assert_int_equal(cfg.trusted[2].last, 12);
    assert_int_equal(load("trustedkey (8 ... 4)\n"), -1);
    assert_only_error("t.conf:1: trustedkey: invalid range \"(8 ... 4)\" (expected \"(FIRST ... "
                      "LAST)\", 1 to 65535)");
    assert_int_equal(load("trustedkey (4 ... 8\n"), -1);
    assert_int_equal(load("trustedkey (0 ... 8)\n"), -1);
    assert_int_equal(load("trustedkey (1 .. 8)\n"), -1);
    assert_int_equal(load("trustedkey 65536\n"), -1);
    assert_only_error("t.conf:1: trustedkey: \"65536\" is out of range 1..65535");
    assert_int_equal(load("trustedkey\n"), -1);
}

static void test_source_key_checks(void **state)
{
    (void)state;
    write_keys(some_keys, 0600);
    assert_int_equal(load_with_keys("trustedkey 1 2 7\nserver a key 1\nserver b key 5\n"
                                    "server c key 7\n",
                                    0),
                     -1);
    assert_int_equal(diag.n_errors, 2);
    assert_msg("t.conf:4: key 5 is not trusted (add it to a trustedkey line)");
    char want[512];
    snprintf(want, sizeof(want), "t.conf:5: key 7 is not in the keys file %s", keys_path);
    assert_msg(want);
    /* a key without any keys file */
    assert_int_equal(load("trustedkey 1\nserver a key 1\n"), -1);
    assert_only_error("t.conf:2: key 1: no keys file (add \"keys /etc/ntp.keys\", ntp.keys "
                      "format)");
    assert_int_equal(load("server a key 70000\n"), -1);
    assert_only_error("t.conf:1: key: \"70000\" is out of range 1..65535");
}

static void test_missing_keys_file(void **state)
{
    char want[512];
    (void)state;
    /* needed by a source: an error at the keys line */
    assert_int_equal(load_with_keys("trustedkey 1\nserver a key 1\n", 0), -1);
    snprintf(want, sizeof(want), "t.conf:1: keys \"%s\": No such file or directory", keys_path);
    assert_only_error(want);
    /* needed to answer signed requests (trustedkey): an error too */
    assert_int_equal(load_with_keys("trustedkey 1\n", 0), -1);
    /* nothing uses it (stock RHEL ntp.conf): a warning */
    assert_int_equal(load_with_keys("server a\n", CFG_STRICT), 0);
    snprintf(want, sizeof(want),
             "t.conf:1: warning: keys \"%s\": No such file or directory (no key is used)",
             keys_path);
    assert_msg(want);
}

static void test_malformed_keys_file(void **state)
{
    char want[512];
    (void)state;
    write_keys("1 MD5 good\n2 MD5\n3 SHA384 x\n", 0600);
    assert_int_equal(load_with_keys("trustedkey 1 2\nserver a key 1\n", 0), -1);
    assert_int_equal(diag.n_errors, 2);
    snprintf(want, sizeof(want), "%s:2: key 2: missing key", keys_path);
    assert_msg(want);
    snprintf(want, sizeof(want),
             "%s:3: key 3: unsupported type \"SHA384\" (MD5, SHA1, SHA256 or AES128CMAC)",
             keys_path);
    assert_msg(want);
    write_keys("4 AES128CMAC short\n", 0600);
    assert_int_equal(load_with_keys("trustedkey 4\n", 0), 0);
    snprintf(want, sizeof(want),
             "%s:1: warning: key 4: AES128CMAC key of 5 octets padded with zeros to 16 (as "
             "NTPsec)",
             keys_path);
    assert_msg(want);
}

static void test_keys_file_permissions(void **state)
{
    char want[512];
    (void)state;
    write_keys(some_keys, 0666);
    assert_int_equal(load_with_keys("trustedkey 1\nserver a key 1\n", 0), -1);
    snprintf(want, sizeof(want), "%s: keys file is writable by every user (chmod o-w %s)",
             keys_path, keys_path);
    assert_msg(want);
    assert_int_equal(cfg.keys.n, 0);
    write_keys(some_keys, 0644);
    assert_int_equal(load_with_keys("trustedkey 1\nserver a key 1\n", 0), 0);
    snprintf(want, sizeof(want),
             "%s: warning: keys file is readable by every user: its keys are not secret "
             "(chmod o-r %s)",
             keys_path, keys_path);
    assert_msg(want);
    if (geteuid() != 0)
        return; /* chown needs root */
    write_keys(some_keys, 0600);
    assert_int_equal(chown(keys_path, 65534, 0), 0);
    assert_int_equal(load_with_keys("trustedkey 1\nserver a key 1\n", 0), -1);
    snprintf(want, sizeof(want),
             "%s: keys file is owned by uid 65534, neither root nor the user running tsyncd",
             keys_path);
    assert_msg(want);
    assert_int_equal(chown(keys_path, 0, 65534), 0);
    assert_int_equal(chmod(keys_path, 0660), 0);
    assert_int_equal(load_with_keys("trustedkey 1\nserver a key 1\n", 0), -1);
    assert_true(find_msg("keys file is writable by group 65534") >= 0);
}

static void test_keys_not_read_when_fuzzing(void **state)
{
    (void)state;
    assert_int_equal(load("keys /nonexistent/ntp.keys\ntrustedkey 1\nserver a key 1\n"
                          "server b key 2\n"),
                     -1);
    assert_int_equal(
        load_flags("keys /nonexistent/ntp.keys\ntrustedkey 1\nserver a key 1\n", CFG_NO_INCLUDE),
        0);
    assert_int_equal(diag.n_msgs, 0);
    assert_int_equal(load_flags("keys relative.keys\n", 0), -1);
    assert_only_error("t.conf:1: keys: \"relative.keys\" is not an absolute path");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_trusted_keys_kept, keys_setup, keys_teardown),
        cmocka_unit_test_setup_teardown(test_keep_source_keys, keys_setup, keys_teardown),
        cmocka_unit_test_setup_teardown(test_print_has_no_secret, keys_setup, keys_teardown),
        cmocka_unit_test_setup_teardown(test_trustedkey_syntax, keys_setup, keys_teardown),
        cmocka_unit_test_setup_teardown(test_many_trusted_print_and_load_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_key_checks, keys_setup, keys_teardown),
        cmocka_unit_test_setup_teardown(test_missing_keys_file, keys_setup, keys_teardown),
        cmocka_unit_test_setup_teardown(test_malformed_keys_file, keys_setup, keys_teardown),
        cmocka_unit_test_setup_teardown(test_keys_file_permissions, keys_setup, keys_teardown),
        cmocka_unit_test_setup_teardown(test_keys_not_read_when_fuzzing, keys_setup, keys_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
