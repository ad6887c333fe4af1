// SPDX-License-Identifier: ISC
/* ntpd-compatible command line: flags, values, grouping, errors, overrides of the config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/config/cmdline.h"

static struct cmd_opts opts;
static char err[256];

/* Parses a NULL-terminated list of words after "tsyncd". */
static int parse(const char *first, ...)
{
    char *argv[32] = {"tsyncd"};
    int argc = 1;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a != NULL && argc < 31; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    err[0] = '\0';
    return cmd_parse(argc, argv, &opts, err, sizeof(err));
}

static void test_defaults(void **state)
{
    (void)state;
    assert_int_equal(parse(NULL), 0);
    assert_int_equal(opts.action, CMD_RUN);
    assert_string_equal(opts.config_path, "/etc/ntp.conf");
    assert_false(opts.foreground);
    assert_false(opts.panic_gate);
    assert_false(opts.once);
    assert_false(opts.strict);
    assert_false(opts.single_process);
    assert_false(opts.slew_only);
    assert_int_equal(opts.debug, 0);
    assert_null(opts.user);
    assert_null(opts.pidfile);
    assert_null(opts.logfile);
}

static void test_ntpd_flags(void **state)
{
    (void)state;
    assert_int_equal(parse("-c", "/etc/t.conf", "-n", "-g", "-q", "-u", "ntp:ntp", "-p",
                           "/run/t.pid", "-l", "/var/log/t.log", "-N", "-x", NULL),
                     0);
    assert_string_equal(opts.config_path, "/etc/t.conf");
    assert_true(opts.foreground);
    assert_true(opts.panic_gate);
    assert_true(opts.once);
    assert_string_equal(opts.user, "ntp:ntp");
    assert_string_equal(opts.pidfile, "/run/t.pid");
    assert_string_equal(opts.logfile, "/var/log/t.log");
    assert_true(opts.slew_only);
    assert_int_equal(opts.action, CMD_RUN);
}

static void test_grouped_and_attached(void **state)
{
    (void)state;
    assert_int_equal(parse("-ngq", "-c/etc/a.conf", "-dd", NULL), 0);
    assert_true(opts.foreground);
    assert_true(opts.panic_gate);
    assert_true(opts.once);
    assert_string_equal(opts.config_path, "/etc/a.conf");
    assert_int_equal(opts.debug, 2);
    /* a value option ends the group: "-gc FILE" */
    assert_int_equal(parse("-gc", "/x.conf", NULL), 0);
    assert_true(opts.panic_gate);
    assert_string_equal(opts.config_path, "/x.conf");
}

static void test_debug_implies_foreground(void **state)
{
    (void)state;
    assert_int_equal(parse("-d", NULL), 0);
    assert_true(opts.foreground);
    assert_int_equal(opts.debug, 1);
}

static void test_long_options(void **state)
{
    (void)state;
    assert_int_equal(parse("--check-config", "--strict", "--single-process", "--configfile=/a.conf",
                           "--user", "ntp", "--nofork", "--panicgate", NULL),
                     0);
    assert_int_equal(opts.action, CMD_CHECK_CONFIG);
    assert_true(opts.strict);
    assert_true(opts.single_process);
    assert_string_equal(opts.config_path, "/a.conf");
    assert_string_equal(opts.user, "ntp");
    assert_true(opts.foreground);
    assert_true(opts.panic_gate);
    assert_int_equal(parse("--help", NULL), 0);
    assert_int_equal(opts.action, CMD_HELP);
    assert_int_equal(parse("-h", NULL), 0);
    assert_int_equal(opts.action, CMD_HELP);
    assert_int_equal(parse("--version", NULL), 0);
    assert_int_equal(opts.action, CMD_VERSION);
    assert_int_equal(parse("--", NULL), 0);
}

static void test_errors(void **state)
{
    (void)state;
    assert_int_equal(parse("-z", NULL), -1);
    assert_string_equal(err, "unknown option \"-z\"");
    assert_int_equal(parse("-nz", NULL), -1);
    assert_string_equal(err, "unknown option \"-z\"");
    assert_int_equal(parse("--frobnicate", NULL), -1);
    assert_string_equal(err, "unknown option \"--frobnicate\"");
    assert_int_equal(parse("--check-config=yes", NULL), -1);
    assert_string_equal(err, "option --check-config takes no value");
    assert_int_equal(parse("-c", NULL), -1);
    assert_string_equal(err, "option -c needs a value");
    assert_int_equal(parse("-u", "", NULL), -1);
    assert_string_equal(err, "option -u needs a value");
    assert_int_equal(parse("--pidfile", NULL), -1);
    assert_string_equal(err, "option --pidfile needs a value");
    assert_int_equal(parse("--logfile=", NULL), -1);
    assert_string_equal(err, "option --logfile needs a value");
    assert_int_equal(parse("-n", "extra", NULL), -1);
    assert_string_equal(err, "unexpected argument \"extra\"");
    assert_int_equal(parse("--", "-n", NULL), -1);
    assert_string_equal(err, "unexpected argument \"-n\"");
    assert_int_equal(parse("-", NULL), -1);
    assert_string_equal(err, "unexpected argument \"-\"");
}

static void test_usage_lists_flags(void **state)
{
    (void)state;
    char buf[4096];
    FILE *f = fmemopen(buf, sizeof(buf), "w");
    assert_non_null(f);
    cmd_usage(f);
    fclose(f);
    static const char *const flags[] = {"-c, --configfile",
                                        "-n,",
                                        "-g,",
                                        "-q,",
                                        "-u,",
                                        "-p,",
                                        "-l,",
                                        "-d,",
                                        "-N,",
                                        "-x,",
                                        "--check-config",
                                        "--strict",
                                        "--single-process",
                                        "--help",
                                        "--version"};
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (strstr(buf, flags[i]) == NULL)
            fail_msg("usage does not mention %s", flags[i]);
}

static void test_apply_overrides(void **state)
{
    (void)state;
    static struct cfg c;
    struct cfg_diag d;
    cfg_diag_init(&d);
    static const char text[] = "user root\nlogfile /old.log\ntinker step 0.2\n";
    assert_int_equal(cfg_load_string("t.conf", text, strlen(text), 0, &c, &d), 0);
    assert_int_equal(
        parse("-u", "ntp:nogroup", "-l", "/var/log/new.log", "-p", "/run/t.pid", "-x", NULL), 0);
    assert_int_equal(cmd_apply(&opts, &c, err, sizeof(err)), 0);
    assert_string_equal(c.user, "ntp");
    assert_string_equal(c.group, "nogroup");
    assert_string_equal(c.logfile, "/var/log/new.log");
    assert_string_equal(c.pidfile, "/run/t.pid");
    assert_true(c.step_s == CMD_SLEW_STEP_S);

    assert_int_equal(parse("-u", "bad user", NULL), 0);
    assert_int_equal(cmd_apply(&opts, &c, err, sizeof(err)), -1);
    assert_string_equal(err, "-u: invalid user[:group] \"bad user\"");
    assert_int_equal(parse("-u", "ntp:", NULL), 0);
    assert_int_equal(cmd_apply(&opts, &c, err, sizeof(err)), -1);
    assert_int_equal(parse("-l", "relative.log", NULL), 0);
    assert_int_equal(cmd_apply(&opts, &c, err, sizeof(err)), -1);
    assert_string_equal(err, "-l: \"relative.log\" is not an absolute path");
    assert_string_equal(c.logfile, "/var/log/new.log");
    cfg_free(&c);
    cfg_diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_ntpd_flags),
        cmocka_unit_test(test_grouped_and_attached),
        cmocka_unit_test(test_debug_implies_foreground),
        cmocka_unit_test(test_long_options),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_usage_lists_flags),
        cmocka_unit_test(test_apply_overrides),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
