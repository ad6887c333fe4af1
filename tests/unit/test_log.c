// SPDX-License-Identifier: ISC
/* Unit tests of logging, event lines and logconfig (daemon/common/log.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/common/log.h"
#include "daemon/common/log_limit.h"

static char dir[] = "/tmp/test_log.XXXXXX";
static char path[64];
static time_t fixed_sec = 1795671292; /* 2026-11-26 05:34:52 UTC */

static void fixed_clock(struct timespec *now)
{
    now->tv_sec = fixed_sec;
    now->tv_nsec = 999999999;
}

/* Contents of path (empty string if missing); the caller frees. */
static char *slurp(const char *file)
{
    char *buf = calloc(1, 65536);
    assert_non_null(buf);
    FILE *f = fopen(file, "r");
    if (f != NULL) {
        size_t n = fread(buf, 1, 65535, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

/* Asserts the log file holds exactly the given messages, each with the fixed line prefix. */
static void assert_lines(const char *const *msgs, size_t count)
{
    char expect[8192] = "";
    size_t pos = 0;

    for (size_t i = 0; i < count; i++)
        pos += (size_t)snprintf(expect + pos, sizeof(expect) - pos,
                                "26 Nov 05:34:52 tsyncd[%ld]: %s\n", (long)getpid(), msgs[i]);
    char *got = slurp(path);
    assert_string_equal(got, expect);
    free(got);
}

static int setup(void **state)
{
    setenv("TZ", "UTC", 1);
    tzset();
    snprintf(path, sizeof(path), "%s/tsyncd.log", dir);
    unlink(path);
    fixed_sec = 1795671292;
    log_set_clock(fixed_clock);
    log_set_level(LOG_INFO);
    log_set_event_mask(log_config_default());
    return log_to_file(path) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    log_close();
    unlink(path);
    return 0;
}

static void test_file_format(void **state)
{
    log_msg(LOG_NOTICE, "tsyncd %s starting, %d sources", "0.1.0", 4);
    fixed_sec -= 21 * 86400; /* 2026-11-05: the day is space-padded */
    log_err("bad %s", "thing");
    char *got = slurp(path);
    char expect[256];
    snprintf(expect, sizeof(expect),
             "26 Nov 05:34:52 tsyncd[%ld]: tsyncd 0.1.0 starting, 4 sources\n"
             " 5 Nov 05:34:52 tsyncd[%ld]: bad thing\n",
             (long)getpid(), (long)getpid());
    assert_string_equal(got, expect);
    free(got);
}

/* `logident ntpd`: lines carry the name syslog rules and log filters written for ntpd expect. */
static void test_ident(void **state)
{
    (void)state;
    assert_int_equal(log_set_ident("ntpd"), 0);
    log_notice("hello");
    assert_int_equal(log_set_ident("bad name"), -EINVAL);
    assert_int_equal(log_set_ident(""), -EINVAL);
    assert_int_equal(log_set_ident("a-very-long-program-name-beyond-32"), -EINVAL);
    assert_int_equal(log_set_ident(NULL), 0);
    log_notice("again");
    char *got = slurp(path);
    char expect[256];
    snprintf(expect, sizeof(expect),
             "26 Nov 05:34:52 ntpd[%ld]: hello\n26 Nov 05:34:52 tsyncd[%ld]: again\n",
             (long)getpid(), (long)getpid());
    assert_string_equal(got, expect);
    free(got);
}

static void test_level_filter(void **state)
{
    log_debug("hidden by default");
    log_info("info shown");
    log_set_level(LOG_WARNING);
    log_notice("hidden notice");
    log_warning("warning shown");
    log_err("error shown");
    log_set_level(LOG_DEBUG);
    log_debug("debug shown");
    const char *expect[] = {"info shown", "warning shown", "error shown", "debug shown"};
    assert_lines(expect, 4);
}

static void test_long_line_truncated(void **state)
{
    char big[3000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    log_info("%s", big);
    char *got = slurp(path);
    size_t len = strlen(got);
    assert_true(len > LOG_LINE_MAX - 1 && len < LOG_LINE_MAX + 64);
    assert_int_equal(got[len - 1], '\n');
    assert_int_equal(got[len - 2], 'x');
    assert_true(strchr(got, '\n') == got + len - 1); /* one line */
    free(got);
}

static void test_event_lines(void **state)
{
    log_set_event_mask(0xffff);
    log_event("192.0.2.1", 0x8024, LOG_EV_REACHABLE, NULL);
    log_event("192.0.2.1", 0x941a, LOG_EV_SYS_PEER, NULL);
    log_event_clock_step(0xc61c, -299.898849);
    log_event_freq_set(0xc612, -318017.726);
    log_event(NULL, 0xc016, LOG_EV_RESTART, NULL);
    log_event(NULL, 0x0615, LOG_EV_CLOCK_SYNC, NULL);
    log_event("192.0.2.9", 0x8043, LOG_EV_UNREACHABLE, "no reply");
    log_event(NULL, 0xc618, (enum log_event)0x7f, NULL); /* unknown code: ignored */
    const char *expect[] = {
        "192.0.2.1 8024 84 reachable",
        "192.0.2.1 941a 8a sys_peer",
        "0.0.0.0 c61c 0c clock_step -299.898849 s",
        "0.0.0.0 c612 02 freq_set ntpd -318017.726 PPM",
        "0.0.0.0 c016 06 restart",
        "0.0.0.0 0615 05 clock_sync",
        "192.0.2.9 8043 83 unreachable no reply",
    };
    assert_lines(expect, 7);
}

/* Every event appears with its own class bit alone and disappears with every other bit. */
static void test_event_class_filter(void **state)
{
    static const struct {
        enum log_event ev;
        uint32_t bit;
    } cases[] = {
        {LOG_EV_REACHABLE, 0x0020},    {LOG_EV_UNREACHABLE, 0x0020}, {LOG_EV_SYS_PEER, 0x0020},
        {LOG_EV_NO_SYS_PEER, 0x0020},  {LOG_EV_MOBILIZE, 0x0020},    {LOG_EV_POPCORN, 0x0020},
        {LOG_EV_CLOCK_STEP, 0x0200},   {LOG_EV_FREQ_SET, 0x0200},    {LOG_EV_PANIC_STOP, 0x0200},
        {LOG_EV_SPIKE_DETECT, 0x0200}, {LOG_EV_FREQ_MODE, 0x0200},   {LOG_EV_RESTART, 0x0002},
        {LOG_EV_KERN, 0x0002},         {LOG_EV_CLOCK_SYNC, 0x4000},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        log_close();
        unlink(path);
        assert_int_equal(log_to_file(path), 0);
        log_set_event_mask(0xffff & ~cases[i].bit);
        log_event("x", 0, cases[i].ev, NULL);
        log_set_event_mask(cases[i].bit);
        log_event("y", 0, cases[i].ev, NULL);
        char *got = slurp(path);
        assert_null(strstr(got, ": x "));
        assert_non_null(strstr(got, ": y 0000"));
        assert_non_null(strstr(got, log_event_name(cases[i].ev)));
        free(got);
    }
    /* Events are written at LOG_INFO: a higher minimum level hides them. */
    log_set_event_mask(0xffff);
    log_set_level(LOG_NOTICE);
    log_event("z", 0, LOG_EV_REACHABLE, NULL);
    char *got = slurp(path);
    assert_null(strstr(got, ": z "));
    free(got);
}

static void test_class_messages(void **state)
{
    log_class_msg(LOG_CLASS_SYNC, LOG_TYPE_STATUS, LOG_INFO, "sync status %d", 1);
    log_class_msg(LOG_CLASS_PEER, LOG_TYPE_STATISTICS, LOG_INFO, "peer stats");
    log_set_event_mask(LOG_EVENT_BIT(LOG_CLASS_PEER, LOG_TYPE_STATISTICS));
    log_class_msg(LOG_CLASS_PEER, LOG_TYPE_STATISTICS, LOG_INFO, "peer stats shown");
    log_class_msg(LOG_CLASS_PEER, LOG_TYPE_STATISTICS, LOG_DEBUG, "debug level hidden");
    const char *expect[] = {"sync status 1", "peer stats shown"};
    assert_lines(expect, 2);
}

static void test_reopen(void **state)
{
    char rotated[80];

    snprintf(rotated, sizeof(rotated), "%s.1", path);
    log_info("before rotation");
    assert_int_equal(rename(path, rotated), 0);
    log_info("still to the old file");
    assert_int_equal(log_reopen(), 0);
    log_info("after rotation");
    const char *expect[] = {"after rotation"};
    assert_lines(expect, 1);
    char *old = slurp(rotated);
    assert_non_null(strstr(old, "before rotation\n"));
    assert_non_null(strstr(old, "still to the old file\n"));
    assert_null(strstr(old, "after rotation"));
    free(old);
    unlink(rotated);
}

static void test_open_failure_keeps_destination(void **state)
{
    assert_int_equal(log_to_file("/nonexistent-dir/tsyncd.log"), -ENOENT);
    log_info("still here");
    const char *expect[] = {"still here"};
    assert_lines(expect, 1);
}

/* --- logconfig ---------------------------------------------------------------------------- */

static void test_logconfig_default(void **state)
{
    char buf[128];

    assert_int_equal(log_config_default(), 0xf000);
    log_format_event_mask(log_config_default(), buf, sizeof(buf));
    assert_string_equal(buf, "=syncall");
}

static void test_logconfig_tokens(void **state)
{
    static const char *const classes[] = {"sys", "peer", "clock", "sync"};
    static const struct {
        const char *name;
        uint32_t bits;
    } types[] = {{"info", 1}, {"events", 2}, {"status", 4}, {"statistics", 8}, {"all", 15}};
    char err[128];

    for (unsigned c = 0; c < 4; c++) {
        for (size_t t = 0; t < 5; t++) {
            char token[40];
            uint32_t bits = types[t].bits << (4 * c);
            uint32_t mask = 0xffff;
            snprintf(token, sizeof(token), "=%s%s", classes[c], types[t].name);
            assert_int_equal(log_config_apply(&mask, token, err, sizeof(err)), 0);
            assert_int_equal(mask, bits);
            mask = 0xffff;
            assert_int_equal(log_config_apply(&mask, token + 1, err, sizeof(err)), 0);
            assert_int_equal(mask, bits); /* no prefix: like '=' */
            token[0] = '-';
            mask = 0xffff;
            assert_int_equal(log_config_apply(&mask, token, err, sizeof(err)), 0);
            assert_int_equal(mask, 0xffff & ~bits);
            token[0] = '+';
            uint32_t other = 1u << (4 * ((c + 1) % 4)); /* another class's bit stays */
            mask = other;
            assert_int_equal(log_config_apply(&mask, token, err, sizeof(err)), 0);
            assert_int_equal(mask, other | bits);
        }
    }
}

static void test_logconfig_all_prefix(void **state)
{
    const struct {
        const char *token;
        uint32_t mask;
    } cases[] = {
        {"=allall", 0xffff},
        {"=allinfo", 0x1111},
        {"=allevents", 0x2222},
        {"=allstatus", 0x4444},
        {"=allstatistics", 0x8888},
        {"=allclock", 0x0f00},
        {"=allpeer", 0x00f0},
        {"=allsys", 0x000f},
        {"=allsync", 0xf000},
        {"=all", 0xffff},
        {"all", 0xffff},
    };
    char err[128];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t mask = 0x1;
        assert_int_equal(log_config_apply(&mask, cases[i].token, err, sizeof(err)), 0);
        assert_int_equal(mask, cases[i].mask);
    }
    /* ntpd's documented examples */
    uint32_t mask = log_config_default();
    assert_int_equal(log_config_apply(&mask, "=syncstatus", err, sizeof(err)), 0);
    assert_int_equal(log_config_apply(&mask, "+sysevents", err, sizeof(err)), 0);
    assert_int_equal(mask, 0x4002);
    assert_int_equal(log_config_apply(&mask, "=syncall", err, sizeof(err)), 0);
    assert_int_equal(log_config_apply(&mask, "+clockall", err, sizeof(err)), 0);
    assert_int_equal(mask, 0xff00);
}

static void test_logconfig_errors(void **state)
{
    const char *bad[] = {"",         "=",           "+",         "-",        "alll",  "clock",
                         "sync",     "clockevent",  "peerallx",  "+foo",     "=allx", "allsyn",
                         "Clockall", "=sys events", "allallall", "-+peerall"};
    char err[128];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint32_t mask = 0x1234;
        err[0] = '\0';
        assert_int_equal(log_config_apply(&mask, bad[i], err, sizeof(err)), -1);
        assert_int_equal(mask, 0x1234);
        char expect[128];
        snprintf(expect, sizeof(expect), "unknown logconfig keyword '%s'", bad[i]);
        assert_string_equal(err, expect);
    }
}

/* The formatted mask, applied token by token to any mask, gives the mask back. */
static void test_format_roundtrip(void **state)
{
    char buf[256], err[128];

    for (uint32_t mask = 0; mask <= 0xffff; mask++) {
        log_format_event_mask(mask, buf, sizeof(buf));
        uint32_t got = (mask * 7919u) & 0xffff; /* arbitrary start */
        char *save = NULL;
        for (char *tok = strtok_r(buf, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save))
            assert_int_equal(log_config_apply(&got, tok, err, sizeof(err)), 0);
        assert_int_equal(got, mask);
    }
    log_format_event_mask(0x4222, buf, sizeof(buf));
    assert_string_equal(buf, "=clockevents +peerevents +sysevents +syncstatus");
    log_format_event_mask(0, buf, sizeof(buf));
    assert_string_equal(buf, "-allall");
    log_format_event_mask(0x0f31, buf, 12);
    assert_string_equal(buf, "=clockall +");
}

static void test_event_names(void **state)
{
    assert_string_equal(log_event_name(LOG_EV_CLOCK_STEP), "clock_step");
    assert_string_equal(log_event_name(LOG_EV_NO_SYS_PEER), "no_sys_peer");
    assert_string_equal(log_event_name(LOG_EV_RATE_EXCEEDED), "rate_exceeded");
    assert_null(log_event_name((enum log_event)0x99));
}

/* The token bucket: LOGLIM_BURST lines at once, then one per 1/LOGLIM_RATE_PER_S s; what is
 * over is counted and reported when there is room, the report costing a token. */
static void test_rate_limit_bucket(void **state)
{
    struct loglim_bucket b = {0};
    uint64_t report;
    int admitted = 0;

    (void)state;
    for (int i = 0; i < LOGLIM_BURST + 50; i++)
        admitted += loglim_admit(&b, 10.0, &report);
    assert_int_equal(admitted, LOGLIM_BURST);
    assert_int_equal(loglim_flush(&b, 10.0), 0); /* no room for the report yet */
    /* one token later: the report of 50, the line itself is over again */
    assert_false(loglim_admit(&b, 10.0 + 1 / LOGLIM_RATE_PER_S, &report));
    assert_int_equal(report, 50);
    /* two tokens later: the report of that one line, and the line */
    assert_true(loglim_admit(&b, 10.0 + 3 / LOGLIM_RATE_PER_S, &report));
    assert_int_equal(report, 1);
    /* a clock going back refills nothing; a long pause refills at most the burst */
    assert_false(loglim_admit(&b, 0, &report));
    admitted = 0;
    for (int i = 0; i < 2 * LOGLIM_BURST; i++)
        admitted += loglim_admit(&b, 1e6, &report);
    assert_int_equal(admitted, LOGLIM_BURST - 1); /* the report of the refused one took one */
}

struct forwarded {
    int n, level;
    enum log_class cls;
    char last[LOG_LINE_MAX];
};

static void forward(int level, enum log_class cls, const char *msg, void *ctx)
{
    struct forwarded *f = ctx;
    f->n++;
    f->level = level;
    f->cls = cls;
    snprintf(f->last, sizeof(f->last), "%s", msg);
}

/* A child's lines go to the hook (with their class), not to its log file; the parent writes
 * them with the child's prefix. */
static void test_forward_and_child_lines(void **state)
{
    struct forwarded f = {0};

    (void)state;
    log_set_event_mask(LOG_EVENT_BIT(LOG_CLASS_PEER, LOG_TYPE_EVENTS));
    log_set_forward(forward, &f);
    log_event("192.0.2.1", 0x8024, LOG_EV_REACHABLE, NULL);
    log_warning("source %s added", "x");
    log_set_forward(NULL, NULL);
    assert_int_equal(f.n, 2);
    assert_int_equal(f.level, LOG_WARNING);
    assert_int_equal(f.cls, LOG_CLASS_PLAIN);
    assert_string_equal(f.last, "source x added");
    log_child_line(LOG_ORIGIN_NET, LOG_INFO, LOG_CLASS_CLOCK, "0.0.0.0 c61c 0c clock_step +1 s");
    log_child_line(LOG_ORIGIN_DNS, LOG_DEBUG, LOG_CLASS_PLAIN, "below the level: not written");
    const char *msgs[] = {"net: 0.0.0.0 c61c 0c clock_step +1 s"};
    assert_lines(msgs, 1); /* nothing of the forwarded lines reached the file */
}

/* A flood of a child's lines: bounded, reported; the parent's own lines keep their budget. */
static void test_child_flood_is_bounded(void **state)
{
    (void)state;
    for (int i = 0; i < 5000; i++)
        log_child_line(LOG_ORIGIN_NET, LOG_NOTICE, LOG_CLASS_PEER, "flood");
    log_notice("the parent's own line");
    char *got = slurp(path);
    int lines = 0;
    for (char *p = strstr(got, "net: flood"); p != NULL; p = strstr(p + 1, "net: flood"))
        lines++;
    assert_int_equal(lines, LOGLIM_BURST);
    assert_non_null(strstr(got, "the parent's own line"));
    free(got);
    log_flush_suppressed(); /* no room yet: no report */
    got = slurp(path);
    assert_null(strstr(got, "suppressed"));
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_file_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ident, setup, teardown),
        cmocka_unit_test_setup_teardown(test_level_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_line_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_class_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_class_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_failure_keeps_destination, setup, teardown),
        cmocka_unit_test(test_logconfig_default),
        cmocka_unit_test(test_logconfig_tokens),
        cmocka_unit_test(test_logconfig_all_prefix),
        cmocka_unit_test(test_logconfig_errors),
        cmocka_unit_test(test_format_roundtrip),
        cmocka_unit_test(test_event_names),
        cmocka_unit_test(test_rate_limit_bucket),
        cmocka_unit_test_setup_teardown(test_forward_and_child_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_child_flood_is_bounded, setup, teardown),
    };
    if (mkdtemp(dir) == NULL)
        return 1;
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(dir);
    return failed;
}
