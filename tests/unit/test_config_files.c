// SPDX-License-Identifier: ISC
/* Configuration files: includefile (relative, missing, nested, loops, depth) and the stock
 * ntp.conf files of Amazon Linux, RHEL/CentOS 7, Debian (ntpsec) and Ubuntu (ntp). */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/test_config_util.h"

#ifndef TSYNC_TEST_DATADIR
#error "TSYNC_TEST_DATADIR must name tests/data"
#endif

static char tmpdir[64];

static int files_setup(void **state)
{
    strcpy(tmpdir, "/tmp/tsyncd-cfg-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    return setup(state);
}

static int files_teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        return -1;
    return teardown(state);
}

/* Writes text to tmpdir/name; returns the full path in a static buffer. */
static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static const char *tmp_path(const char *name)
{
    static char path[256];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    return path;
}

static int load_path(const char *path, unsigned flags)
{
    cfg_free(&cfg);
    cfg_diag_free(&diag);
    return cfg_load_file(path, flags, &cfg, &diag);
}

static void test_include_nested_relative(void **state)
{
    (void)state;
    char expected[300];
    assert_int_equal(mkdir(tmp_path("sub"), 0700), 0);
    write_file("sub/a.conf", "server a\nincludefile b.conf\n");
    write_file("sub/b.conf", "server b\nport 0\n");
    const char *main_path = write_file("main.conf", "includefile sub/a.conf\nserver main\n");
    char main_copy[256];
    strcpy(main_copy, main_path);
    assert_int_equal(load_path(main_copy, 0), -1);
    snprintf(expected, sizeof(expected), "%s/sub/b.conf:2: port: \"0\" is out of range 1..65535",
             tmpdir);
    assert_only_error(expected);
    assert_int_equal(cfg.n_sources, 3);
    assert_string_equal(cfg.sources[0].name, "a");
    assert_string_equal(cfg.sources[1].name, "b");
    assert_string_equal(cfg.sources[2].name, "main");
}

static void test_include_missing_is_warning(void **state)
{
    (void)state;
    char expected[300];
    const char *path = write_file("main.conf", "server a\nincludefile nothere.conf\nserver b\n");
    char copy[256];
    strcpy(copy, path);
    assert_int_equal(load_path(copy, 0), 0);
    snprintf(expected, sizeof(expected),
             "%s:2: warning: includefile \"%s/nothere.conf\": No such file or directory, "
             "skipped",
             copy, tmpdir);
    assert_msg(expected);
    assert_int_equal(diag.n_errors, 0);
    assert_int_equal(cfg.n_sources, 2);
    assert_int_equal(load_path(copy, CFG_STRICT), 0); /* not an unknown word */
}

static void test_include_loop(void **state)
{
    (void)state;
    char expected[300];
    write_file("a.conf", "server a\nincludefile b.conf\n");
    write_file("b.conf", "server b\nincludefile a.conf\n");
    assert_int_equal(load_path(tmp_path("a.conf"), 0), -1);
    snprintf(expected, sizeof(expected),
             "%s/b.conf:2: includefile \"%s/a.conf\": include loop (the file is already being "
             "read)",
             tmpdir, tmpdir);
    assert_only_error(expected);
    assert_int_equal(cfg.n_sources, 2);

    write_file("self.conf", "includefile self.conf\n");
    assert_int_equal(load_path(tmp_path("self.conf"), 0), -1);
    assert_int_equal(diag.n_errors, 1);
    assert_true(find_msg("include loop") >= 0);
}

static void test_include_depth_limit(void **state)
{
    (void)state;
    char name[32], text[64];
    for (int i = 0; i <= CFG_MAX_INCLUDE_DEPTH + 1; i++) {
        snprintf(name, sizeof(name), "d%d.conf", i);
        snprintf(text, sizeof(text), "server s%d\nincludefile d%d.conf\n", i, i + 1);
        write_file(name, text);
    }
    assert_int_equal(load_path(tmp_path("d0.conf"), 0), -1);
    assert_int_equal(diag.n_errors, 1);
    assert_true(find_msg("includefile \"d9.conf\" nested too deeply (limit 8 levels)") >= 0);
    assert_int_equal(cfg.n_sources, CFG_MAX_INCLUDE_DEPTH + 1);
}

static void test_include_from_string_and_disabled(void **state)
{
    (void)state;
    char name[300];
    write_file("inc.conf", "server from-include\n");
    snprintf(name, sizeof(name), "%s/virtual.conf", tmpdir);
    static const char text[] = "includefile inc.conf\n";
    cfg_free(&cfg);
    assert_int_equal(cfg_load_string(name, text, strlen(text), 0, &cfg, &diag), 0);
    assert_int_equal(cfg.n_sources, 1);
    assert_string_equal(cfg.sources[0].name, "from-include");

    assert_int_equal(load_flags(text, CFG_NO_INCLUDE), 0);
    assert_msg("t.conf:1: warning: includefile \"inc.conf\" not read (includes disabled)");
    assert_int_equal(cfg.n_sources, 0);

    assert_int_equal(load("includefile\n"), -1);
    assert_only_error("t.conf:1: missing argument for includefile");
    assert_int_equal(load("includefile /\n"), -1);
    assert_only_error("t.conf:1: includefile \"/\": not a regular file");
}

static void test_include_count_and_path_limits(void **state)
{
    (void)state;
    write_file("x.conf", "port 1123\n");
    size_t size = CFG_MAX_LINE + 64; /* room for both texts below */
    char *text = malloc(size);
    assert_non_null(text);
    text[0] = '\0';
    for (int i = 0; i <= CFG_MAX_INCLUDES; i++)
        strcat(text, "includefile x.conf\n");
    char main_path[256];
    strcpy(main_path, write_file("main.conf", text));
    assert_int_equal(load_path(main_path, 0), -1);
    char expected[320];
    snprintf(expected, sizeof(expected),
             "%s:65: includefile \"x.conf\": too many includes (limit 64)", main_path);
    assert_only_error(expected);
    assert_int_equal(cfg.port, 1123);

    /* a relative name that only exceeds PATH_MAX once joined to the directory */
    strcpy(text, "includefile ");
    memset(text + 12, 'n', 4080);
    strcpy(text + 12 + 4080, "\n");
    strcpy(main_path, write_file("long.conf", text));
    free(text);
    assert_int_equal(load_path(main_path, 0), -1);
    assert_int_equal(diag.n_errors, 1);
    assert_true(find_msg(": path too long") > -1);
}

static int load_stock(const char *name, unsigned flags)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", TSYNC_TEST_DATADIR, name);
    return load_path(path, flags);
}

static void assert_source(size_t i, enum cfg_source_type type, const char *name, unsigned flags)
{
    assert_true(i < cfg.n_sources);
    assert_int_equal(cfg.sources[i].type, type);
    assert_string_equal(cfg.sources[i].name, name);
    assert_int_equal(cfg.sources[i].flags, flags);
    assert_int_equal(cfg.sources[i].minpoll, 6);
    assert_int_equal(cfg.sources[i].maxpoll, 10);
}

static void test_stock_amazon_linux(void **state)
{
    (void)state;
    assert_int_equal(load_stock("amazon-linux-ntp.conf", CFG_STRICT), 0);
    assert_int_equal(diag.n_errors, 0);
    assert_int_equal(cfg.n_sources, 4);
    assert_source(0, CFG_SOURCE_SERVER, "0.amazon.pool.ntp.org", CFG_SRC_IBURST);
    assert_source(1, CFG_SOURCE_SERVER, "1.amazon.pool.ntp.org", CFG_SRC_IBURST);
    assert_source(2, CFG_SOURCE_SERVER, "2.amazon.pool.ntp.org", CFG_SRC_IBURST);
    assert_source(3, CFG_SOURCE_SERVER, "3.amazon.pool.ntp.org", CFG_SRC_IBURST);
    assert_string_equal(cfg.driftfile, "/var/lib/ntp/drift");
    assert_int_equal(cfg.n_restricts, 4);
    assert_int_equal(cfg.restricts[1].kind, CFG_RESTRICT_DEFAULT);
    assert_int_equal(cfg.restricts[1].family, CFG_FAMILY_IPV6);
    assert_int_equal(cfg.restricts[1].flags, CFG_RES_KOD | CFG_RES_NOMODIFY | CFG_RES_NOTRAP |
                                                 CFG_RES_NOPEER | CFG_RES_NOQUERY);
    const char *out = printed(&cfg);
    assert_non_null(strstr(out, "server 2.amazon.pool.ntp.org iburst minpoll 6 maxpoll 10\n"));
}

static void test_stock_rhel7(void **state)
{
    (void)state;
    assert_int_equal(load_stock("rhel7-ntp.conf", CFG_STRICT), 0);
    assert_int_equal(diag.n_errors, 0);
    assert_int_equal(cfg.n_sources, 4);
    assert_source(0, CFG_SOURCE_SERVER, "0.rhel.pool.ntp.org", CFG_SRC_IBURST);
    assert_source(3, CFG_SOURCE_SERVER, "3.rhel.pool.ntp.org", CFG_SRC_IBURST);
    assert_int_equal(cfg.n_restricts, 3);
    assert_int_equal(cfg.restricts[0].flags,
                     CFG_RES_NOMODIFY | CFG_RES_NOTRAP | CFG_RES_NOPEER | CFG_RES_NOQUERY);
    assert_int_equal(cfg.restricts[0].family, CFG_FAMILY_ANY);
    /* includefile /etc/ntp/crypto/pw, keys and disable monitor are warnings */
    assert_true(find_msg("rhel7-ntp.conf:36: warning: includefile \"/etc/ntp/crypto/pw\"") >= 0 ||
                access("/etc/ntp/crypto/pw", F_OK) == 0);
    /* no key is used: a missing keys file is only a warning */
    assert_true(find_msg("rhel7-ntp.conf:40: warning: keys \"/etc/ntp/keys\"") >= 0 ||
                access("/etc/ntp/keys", F_OK) == 0);
    assert_true(find_msg("rhel7-ntp.conf:58: warning: disable monitor is unsupported") >= 0);
}

static void test_stock_debian_ntpsec(void **state)
{
    (void)state;
    assert_int_equal(load_stock("debian-ntpsec-ntp.conf", CFG_STRICT), 0);
    assert_int_equal(diag.n_errors, 0);
    assert_int_equal(cfg.n_sources, 4);
    assert_source(0, CFG_SOURCE_POOL, "0.debian.pool.ntp.org", CFG_SRC_IBURST);
    assert_source(3, CFG_SOURCE_POOL, "3.debian.pool.ntp.org", CFG_SRC_IBURST);
    assert_string_equal(cfg.driftfile, "/var/lib/ntpsec/ntp.drift");
    assert_string_equal(cfg.leapfile, "/usr/share/zoneinfo/leap-seconds.list");
    assert_int_equal(cfg.minsources, 3); /* tos minsane 3 */
    assert_int_equal(cfg.n_restricts, 3);
    assert_int_equal(cfg.restricts[0].flags,
                     CFG_RES_KOD | CFG_RES_NOMODIFY | CFG_RES_NOQUERY | CFG_RES_LIMITED);
}

/* The Debian file as its comments suggest enabling statistics: no warning, the three sets
 * enabled in /var/log/ntpsec/, daily files. */
static void test_stock_debian_ntpsec_with_stats(void **state)
{
    (void)state;
    static char text[8192];
    FILE *f = fopen(TSYNC_TEST_DATADIR "/debian-ntpsec-ntp.conf", "r");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    int enabled = 0;
    for (char *line = text; line != NULL && *line != '\0'; line = strchr(line, '\n')) {
        line += *line == '\n';
        if (strncmp(line, "#statsdir ", 10) == 0 || strncmp(line, "#statistics ", 12) == 0 ||
            strncmp(line, "#filegen ", 9) == 0) {
            *line = ' ';
            enabled++;
        }
    }
    assert_int_equal(enabled, 5);
    assert_int_equal(load_flags(text, CFG_STRICT), 0);
    assert_int_equal(diag.n_errors, 0);
    assert_true(find_msg("t.conf:13: warning: statsdir is unsupported, ignored") < 0);
    assert_string_equal(cfg.statsdir, "/var/log/ntpsec/");
    for (int k = CFG_STATS_LOOP; k <= CFG_STATS_CLOCK; k++) {
        assert_true(cfg.filegen[k].enabled);
        assert_int_equal(cfg.filegen[k].type, CFG_FILEGEN_DAY);
        assert_true(cfg.filegen[k].link);
    }
    assert_false(cfg.filegen[CFG_STATS_SYS].enabled);
    assert_int_equal(cfg.n_sources, 4);
}

static void test_stock_ubuntu(void **state)
{
    (void)state;
    assert_int_equal(load_stock("ubuntu-ntp.conf", CFG_STRICT), 0);
    assert_int_equal(diag.n_errors, 0);
    assert_int_equal(cfg.n_sources, 5);
    assert_source(0, CFG_SOURCE_POOL, "0.ubuntu.pool.ntp.org", CFG_SRC_IBURST);
    assert_source(4, CFG_SOURCE_POOL, "ntp.ubuntu.com", 0);
    assert_int_equal(cfg.n_restricts, 5);
    uint32_t want = CFG_RES_KOD | CFG_RES_NOTRAP | CFG_RES_NOMODIFY | CFG_RES_NOPEER |
                    CFG_RES_NOQUERY | CFG_RES_LIMITED;
    assert_int_equal(cfg.restricts[0].family, CFG_FAMILY_IPV4);
    assert_int_equal(cfg.restricts[0].flags, want);
    assert_int_equal(cfg.restricts[1].family, CFG_FAMILY_IPV6);
    assert_int_equal(cfg.restricts[1].flags, want);
    assert_int_equal(cfg.restricts[4].kind, CFG_RESTRICT_SOURCE);
    assert_true(cfg.filegen[CFG_STATS_PEER].enabled);
    assert_null(cfg.statsdir); /* commented out: the default applies */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_include_nested_relative, files_setup, files_teardown),
        cmocka_unit_test_setup_teardown(test_include_missing_is_warning, files_setup,
                                        files_teardown),
        cmocka_unit_test_setup_teardown(test_include_loop, files_setup, files_teardown),
        cmocka_unit_test_setup_teardown(test_include_depth_limit, files_setup, files_teardown),
        cmocka_unit_test_setup_teardown(test_include_from_string_and_disabled, files_setup,
                                        files_teardown),
        cmocka_unit_test_setup_teardown(test_include_count_and_path_limits, files_setup,
                                        files_teardown),
        cmocka_unit_test_setup_teardown(test_stock_amazon_linux, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stock_rhel7, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stock_debian_ntpsec, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stock_debian_ntpsec_with_stats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stock_ubuntu, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
