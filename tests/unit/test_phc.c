// SPDX-License-Identifier: ISC
// hwts/phc: method fallback, shortest-bracket selection, read budget, read failures and the
// error bound against a fake PHC; phc_open() error paths and this host's PHC when it has one.

#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <glob.h>
#include <string.h>

#include "hwts/phc.h"
#include "hwts/phc_internal.h"

#define NS_PER_S 1000000000LL

// A PHC that runs `phc_minus_sys_ns` ahead of the system clock. Reading i of a batch has the
// bracket delays_ns[i]; the PHC register is read `skew_ns[i]` after the bracket's midpoint
// (slow readings are asymmetric, which is why only the fastest are kept).
struct fake_phc {
    bool has_precise;
    bool has_extended;
    int read_error; // returned by offset ioctls when non-zero (e.g. -EIO)
    int64_t sys_ns; // system time of the next reading
    int64_t phc_minus_sys_ns;
    int64_t delays_ns[PHC_MAX_READINGS];
    int64_t skew_ns[PHC_MAX_READINGS];
    int64_t mono_ns; // monotonic clock for the budget
    bool has_bound;
    int64_t bound_ns;
    int calls_precise, calls_extended, calls_basic, reads; // reads: readings served
};

static void set_time(struct ptp_clock_time *t, int64_t ns)
{
    t->sec = ns / NS_PER_S;
    t->nsec = (uint32_t)(ns % NS_PER_S);
}

// Fills one reading (before, phc, after) and advances the system time by 1 us.
static void fake_reading(struct fake_phc *f, int i, struct ptp_clock_time *before,
                         struct ptp_clock_time *phc, struct ptp_clock_time *after)
{
    int64_t d = f->delays_ns[i];
    set_time(before, f->sys_ns);
    set_time(phc, f->sys_ns + d / 2 + f->skew_ns[i] + f->phc_minus_sys_ns);
    set_time(after, f->sys_ns + d);
    f->sys_ns += 1000;
    f->reads++;
}

static int fake_offset_ioctl(struct fake_phc *f, unsigned long request, void *arg)
{
    if (request == PTP_SYS_OFFSET_PRECISE) {
        struct ptp_sys_offset_precise *p = arg;
        f->calls_precise++;
        if (!f->has_precise)
            return -EOPNOTSUPP;
        set_time(&p->sys_realtime, f->sys_ns);
        set_time(&p->device, f->sys_ns + f->phc_minus_sys_ns);
        f->reads++;
        return 0;
    }
    if (request == PTP_SYS_OFFSET_EXTENDED) {
        struct ptp_sys_offset_extended *e = arg;
        f->calls_extended++;
        if (!f->has_extended)
            return -EOPNOTSUPP;
        assert_true(e->n_samples >= 1 && e->n_samples <= PTP_MAX_SAMPLES);
        assert_int_equal(e->rsv[0] | e->rsv[1] | e->rsv[2], 0);
        for (unsigned int i = 0; i < e->n_samples; i++)
            fake_reading(f, (int)i, &e->ts[i][0], &e->ts[i][1], &e->ts[i][2]);
        return 0;
    }
    struct ptp_sys_offset *b = arg;
    assert_int_equal(request, PTP_SYS_OFFSET);
    f->calls_basic++;
    // Each system read ends one reading and starts the next.
    set_time(&b->ts[0], f->sys_ns);
    for (unsigned int i = 0; i < b->n_samples; i++) {
        set_time(&b->ts[2 * i + 1],
                 f->sys_ns + f->delays_ns[i] / 2 + f->skew_ns[i] + f->phc_minus_sys_ns);
        f->sys_ns += f->delays_ns[i];
        set_time(&b->ts[2 * i + 2], f->sys_ns);
        f->reads++;
    }
    return 0;
}

static int fake_ioctl(void *ctx, unsigned long request, void *arg)
{
    struct fake_phc *f = ctx;
    if (request == PTP_CLOCK_GETCAPS) {
        struct ptp_clock_caps *caps = arg;
        caps->max_adj = 0;
        caps->cross_timestamping = f->has_precise;
        return 0;
    }
    if (f->read_error) {
        f->reads++;
        return f->read_error;
    }
    return fake_offset_ioctl(f, request, arg);
}

static int fake_error_bound(void *ctx, int64_t *bound_ns)
{
    struct fake_phc *f = ctx;
    if (!f->has_bound)
        return -ENOENT;
    *bound_ns = f->bound_ns;
    return 0;
}

static int64_t fake_monotonic(void *ctx)
{
    return ((struct fake_phc *)ctx)->mono_ns;
}

static const struct phc_dev_ops fake_ops = {
    .ioctl = fake_ioctl, .error_bound_ns = fake_error_bound, .monotonic_ns = fake_monotonic};

static void fake_init(struct fake_phc *f)
{
    memset(f, 0, sizeof(*f));
    f->sys_ns = 1764100000LL * NS_PER_S;
    f->phc_minus_sys_ns = 37 * NS_PER_S + 250; // a TAI PHC, 250 ns off
    for (int i = 0; i < PHC_MAX_READINGS; i++)
        f->delays_ns[i] = 400;
}

static void test_precise_present(void **state)
{
    struct fake_phc f;
    struct phc_sample s;
    fake_init(&f);
    f.has_precise = f.has_extended = true;
    struct phc *phc = phc_open_ops(&fake_ops, &f);
    assert_int_equal(phc_get_method(phc), PHC_METHOD_UNKNOWN);
    assert_int_equal(phc_sample(phc, &s), 0);
    assert_int_equal(s.method, PHC_METHOD_PRECISE);
    assert_int_equal(s.offset_ns, f.phc_minus_sys_ns);
    assert_int_equal(s.n_read, 1);
    assert_true(s.error_s == 0.0);
    assert_int_equal(f.calls_extended, 0);
    assert_int_equal(s.phc.tv_sec - s.sys.tv_sec, 37);
    assert_int_equal(s.phc.tv_nsec - s.sys.tv_nsec, 250);
    phc_close(phc);
}

static void test_precise_missing_uses_extended(void **state)
{
    struct fake_phc f;
    struct phc_sample s;
    fake_init(&f);
    f.has_extended = true;
    struct phc *phc = phc_open_ops(&fake_ops, &f);
    assert_int_equal(phc_sample(phc, &s), 0);
    assert_int_equal(s.method, PHC_METHOD_EXTENDED);
    assert_int_equal(phc_get_method(phc), PHC_METHOD_EXTENDED);
    assert_int_equal(s.offset_ns, f.phc_minus_sys_ns);
    assert_int_equal(s.n_read, PHC_DEFAULT_READINGS);
    assert_true(s.delay_s > 399e-9 && s.delay_s < 401e-9);
    assert_true(s.error_s > 199e-9 && s.error_s < 201e-9);
    // The method is remembered: PRECISE is not probed again.
    assert_int_equal(phc_sample(phc, &s), 0);
    assert_int_equal(f.calls_precise, 1);
    assert_int_equal(f.calls_extended, 2);
    phc_close(phc);
}

static void test_extended_missing_uses_basic(void **state)
{
    struct fake_phc f;
    struct phc_sample s;
    fake_init(&f);
    struct phc *phc = phc_open_ops(&fake_ops, &f);
    assert_int_equal(phc_set_readings(phc, 5), 0);
    assert_int_equal(phc_sample(phc, &s), 0);
    assert_int_equal(s.method, PHC_METHOD_BASIC);
    assert_int_equal(s.offset_ns, f.phc_minus_sys_ns);
    assert_int_equal(s.n_read, 5);
    assert_int_equal(f.calls_precise + f.calls_extended + f.calls_basic, 3);
    phc_close(phc);
}

// Slow readings read the PHC late in their bracket; only the fastest quarter is averaged.
static void test_shortest_delay_selection(void **state)
{
    struct fake_phc f;
    struct phc_sample s;
    fake_init(&f);
    f.has_extended = true;
    for (int i = 0; i < 8; i++) {
        bool fast = i == 2 || i == 5;
        f.delays_ns[i] = fast ? 100 + 20 * i : 5000;
        f.skew_ns[i] = fast ? 0 : 2000;
    }
    struct phc *phc = phc_open_ops(&fake_ops, &f);
    assert_int_equal(phc_set_readings(phc, 8), 0);
    assert_int_equal(phc_sample(phc, &s), 0);
    assert_int_equal(s.n_kept, 2);
    assert_int_equal(s.offset_ns, f.phc_minus_sys_ns);
    double mean_fast_ns = (140.0 + 200.0) / 2.0;
    assert_true(s.delay_s * 1e9 > mean_fast_ns - 0.5 && s.delay_s * 1e9 < mean_fast_ns + 0.5);
    assert_true(s.error_s * 2.0 == s.delay_s);
    phc_close(phc);
}

static void test_negative_brackets_rejected(void **state)
{
    struct fake_phc f;
    struct phc_sample s;
    fake_init(&f);
    f.has_extended = true;
    for (int i = 0; i < PHC_MAX_READINGS; i++)
        f.delays_ns[i] = -1000; // system clock stepped back during every reading
    struct phc *phc = phc_open_ops(&fake_ops, &f);
    assert_int_equal(phc_sample(phc, &s), -ERANGE);
    f.delays_ns[3] = 300; // one good reading is enough
    assert_int_equal(phc_sample(phc, &s), 0);
    assert_int_equal(s.n_kept, 1);
    assert_int_equal(s.offset_ns, f.phc_minus_sys_ns);
    phc_close(phc);
}

static void test_read_failure(void **state)
{
    struct fake_phc f;
    struct phc_sample s;
    fake_init(&f);
    f.has_extended = true;
    f.read_error = -EIO;
    struct phc *phc = phc_open_ops(&fake_ops, &f);
    assert_int_equal(phc_sample(phc, &s), -EIO);
    assert_int_equal(s.n_read, 0);
    assert_int_equal(phc_get_method(phc), PHC_METHOD_UNKNOWN);
    f.read_error = 0; // the device recovers
    assert_int_equal(phc_sample(phc, &s), 0);
    assert_int_equal(s.method, PHC_METHOD_EXTENDED);
    f.read_error = -EIO; // and fails again once the method is known
    assert_int_equal(phc_sample(phc, &s), -EIO);
    phc_close(phc);
}

static void test_budget_exhausted(void **state)
{
    struct fake_phc f;
    struct phc_sample s;
    fake_init(&f);
    f.has_extended = true;
    struct phc *phc = phc_open_ops(&fake_ops, &f);
    assert_int_equal(phc_set_budget(phc, 20.0), 0);
    assert_int_equal(phc_set_budget(phc, 0.0), -EINVAL);
    assert_int_equal(phc_set_readings(phc, 10), 0);
    assert_int_equal(phc_sample(phc, &s), 0);
    assert_int_equal(phc_sample(phc, &s), 0);
    int reads = f.reads;
    assert_int_equal(phc_sample(phc, &s), -EAGAIN);
    assert_int_equal(f.reads, reads); // nothing was read
    f.mono_ns += NS_PER_S / 4;        // 5 reads earned: still not enough for 10
    assert_int_equal(phc_sample(phc, &s), -EAGAIN);
    f.mono_ns += NS_PER_S / 4; // 10 reads earned
    assert_int_equal(phc_sample(phc, &s), 0);
    assert_int_equal(f.reads, reads + 10);
    // A long pause refills only one second of reads (20), not more.
    f.mono_ns += 100 * NS_PER_S;
    assert_int_equal(phc_sample(phc, &s), 0);
    assert_int_equal(phc_sample(phc, &s), 0);
    assert_int_equal(phc_sample(phc, &s), -EAGAIN);
    phc_close(phc);
}

// The default budget stays under ENA's 125 reads/s: 25 readings per sample, 4 samples per s.
static void test_default_budget_under_ena_limit(void **state)
{
    struct fake_phc f;
    struct phc_sample s;
    fake_init(&f);
    f.has_extended = true;
    struct phc *phc = phc_open_ops(&fake_ops, &f);
    assert_int_equal(phc_set_readings(phc, PHC_MAX_READINGS), 0);
    int ok = 0;
    for (int i = 0; i < 100; i++) { // 10 s, a sample attempt every 0.1 s
        ok += phc_sample(phc, &s) == 0;
        f.mono_ns += NS_PER_S / 10;
    }
    assert_true(f.reads <= 100 + 10 * 100); // one second of burst + 100/s
    assert_true(f.reads < 125 * 10);
    assert_true(ok >= 40);
    phc_close(phc);
}

static void test_error_bound(void **state)
{
    struct fake_phc f;
    struct phc_sample s;
    fake_init(&f);
    f.has_extended = true;
    struct phc *phc = phc_open_ops(&fake_ops, &f);
    assert_int_equal(phc_sample(phc, &s), 0);
    assert_false(s.has_error_bound);
    f.has_bound = true;
    f.bound_ns = 26541;
    assert_int_equal(phc_sample(phc, &s), 0);
    assert_true(s.has_error_bound);
    assert_true(s.error_bound_s > 26540e-9 && s.error_bound_s < 26542e-9);
    phc_close(phc);
}

static void test_parse_error_bound(void **state)
{
    int64_t ns = -1;
    assert_int_equal(phc_parse_error_bound("26541\n", &ns), 0);
    assert_int_equal(ns, 26541);
    assert_int_equal(phc_parse_error_bound("0", &ns), 0);
    assert_int_equal(ns, 0);
    assert_int_equal(phc_parse_error_bound("", &ns), -EINVAL);
    assert_int_equal(phc_parse_error_bound("12 ns\n", &ns), -EINVAL);
    assert_int_equal(phc_parse_error_bound("-5\n", &ns), -EINVAL);
    assert_int_equal(phc_parse_error_bound("99999999999999999999999", &ns), -EINVAL);
    assert_int_equal(ns, 0);
}

static void test_settings_and_caps(void **state)
{
    struct fake_phc f;
    struct ptp_clock_caps caps;
    fake_init(&f);
    f.has_precise = true;
    struct phc *phc = phc_open_ops(&fake_ops, &f);
    assert_int_equal(phc_set_readings(phc, 0), -EINVAL);
    assert_int_equal(phc_set_readings(phc, PHC_MAX_READINGS + 1), -EINVAL);
    assert_int_equal(phc_get_caps(phc, &caps), 0);
    assert_int_equal(caps.cross_timestamping, 1);
    assert_string_equal(phc_method_name(PHC_METHOD_EXTENDED), "extended");
    phc_close(phc);
    phc_close(NULL);
}

static void test_open_errors(void **state)
{
    int err = 0;
    assert_null(phc_open("/nonexistent/ptp9", &err));
    assert_int_equal(err, -ENOENT);
    assert_null(phc_open("/dev/null", &err)); // a character device, but not a PHC
    assert_int_equal(err, -ENOTTY);
    assert_null(phc_open("lo", &err)); // an interface without a PHC
    assert_int_equal(err, -ENODEV);
    assert_null(phc_open("tsyncd-none0", &err));
    assert_int_equal(err, -ENODEV);
}

// Reads (never writes) this host's first PHC when there is one.
static void test_real_phc_if_present(void **state)
{
    glob_t g;
    if (glob("/dev/ptp[0-9]*", 0, NULL, &g) != 0) {
        print_message("no /dev/ptp*: real PHC not tested\n");
        skip();
    }
    int err;
    struct phc_sample s;
    struct phc *phc = phc_open(g.gl_pathv[0], &err);
    globfree(&g);
    assert_non_null(phc);
    assert_int_equal(phc_sample(phc, &s), 0);
    assert_true(s.method != PHC_METHOD_UNKNOWN);
    assert_true(s.error_s >= 0.0 && s.error_s < 1e-3);
    print_message("PHC: method %s offset %lld ns error %.0f ns\n", phc_method_name(s.method),
                  (long long)s.offset_ns, s.error_s * 1e9);
    phc_close(phc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_precise_present),
        cmocka_unit_test(test_precise_missing_uses_extended),
        cmocka_unit_test(test_extended_missing_uses_basic),
        cmocka_unit_test(test_shortest_delay_selection),
        cmocka_unit_test(test_negative_brackets_rejected),
        cmocka_unit_test(test_read_failure),
        cmocka_unit_test(test_budget_exhausted),
        cmocka_unit_test(test_default_budget_under_ena_limit),
        cmocka_unit_test(test_error_bound),
        cmocka_unit_test(test_parse_error_bound),
        cmocka_unit_test(test_settings_and_caps),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_real_phc_if_present),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
