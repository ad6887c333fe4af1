// SPDX-License-Identifier: ISC
/* Unit tests of the server's client table and rate limiter (daemon/server/ratelimit.c), fake
 * clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/server/ratelimit.h"

#define S  1000000000ull /* ns */
#define MS 1000000ull

static struct rl_table table;

static int setup(void **state)
{
    (void)state;
    return rl_create(&table, 8, 42);
}

static int teardown(void **state)
{
    (void)state;
    rl_destroy(&table);
    return 0;
}

static void addr_of(uint32_t n, uint8_t out[16])
{
    uint8_t v4[4] = {10, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};

    rl_map_ipv4(v4, out);
}

static struct rl_params params(int interval, unsigned burst, unsigned leak, int kod)
{
    struct cfg_ratelimit c = {
        .enabled = true, .interval = interval, .burst = burst, .leak = leak, .kod = kod};
    struct rl_params p;

    rl_params_from_cfg(&p, &c, false);
    return p;
}

static void test_params(void **state)
{
    (void)state;
    struct rl_params p = params(3, 8, 2, -1);

    assert_int_equal(p.interval_ns, 8 * S);
    assert_int_equal(p.kod_interval_ns, 8 * S);
    assert_int_equal(p.kod_log2, -1);
    p = params(-2, 1, 0, 1);
    assert_int_equal(p.interval_ns, 250 * MS);
    assert_int_equal(p.kod_interval_ns, RL_MIN_KOD_INTERVAL);
    /* ntpd's kod flag without a kod option: a KoD to every limited request */
    struct cfg_ratelimit c = {.interval = 3, .burst = 8, .leak = 2, .kod = -1};
    rl_params_from_cfg(&p, &c, true);
    assert_int_equal(p.kod_log2, 0);
}

static void test_burst_then_rate(void **state)
{
    (void)state;
    struct rl_params p = params(0, 4, 0, -1); /* 1 per second, burst 4, no leak */
    uint8_t a[16];
    uint64_t t = 1000 * S;
    int passed = 0;

    addr_of(1, a);
    for (int i = 0; i < 10; i++) {
        struct rl_client *c = rl_lookup(&table, a, t);
        passed += rl_decide(&table, c, &p, t) == RL_PASS;
    }
    assert_int_equal(passed, 4);
    /* 10 requests per second for 10 s: about one answered per second */
    passed = 0;
    for (int i = 0; i < 100; i++) {
        t += 100 * MS;
        struct rl_client *c = rl_lookup(&table, a, t);
        passed += rl_decide(&table, c, &p, t) == RL_PASS;
    }
    assert_in_range(passed, 9, 11);
    /* after a long pause the full burst is back */
    t += 60 * S;
    passed = 0;
    for (int i = 0; i < 6; i++) {
        struct rl_client *c = rl_lookup(&table, a, t);
        passed += rl_decide(&table, c, &p, t) == RL_PASS;
    }
    assert_int_equal(passed, 4);
}

static void test_clients_are_independent(void **state)
{
    (void)state;
    struct rl_params p = params(3, 1, 0, -1);
    uint8_t a[16], b[16];

    addr_of(1, a);
    addr_of(2, b);
    assert_int_equal(rl_decide(&table, rl_lookup(&table, a, S), &p, S), RL_PASS);
    assert_int_equal(rl_decide(&table, rl_lookup(&table, a, S), &p, S), RL_DROP);
    assert_int_equal(rl_decide(&table, rl_lookup(&table, b, S), &p, S), RL_PASS);
}

static void test_leak_fraction(void **state)
{
    (void)state;
    struct rl_params p = params(10, 1, 2, -1); /* limited after 1; 1 in 4 leaked */
    uint8_t a[16];
    int leaked = 0, dropped = 0;

    addr_of(3, a);
    rl_decide(&table, rl_lookup(&table, a, S), &p, S);
    for (int i = 0; i < 4000; i++) {
        enum rl_verdict v = rl_decide(&table, rl_lookup(&table, a, S), &p, S);
        leaked += v == RL_LEAK;
        dropped += v == RL_DROP;
    }
    assert_int_equal(leaked + dropped, 4000);
    assert_in_range(leaked, 850, 1150);
}

static void test_kod_rate_is_limited(void **state)
{
    (void)state;
    struct rl_params p = params(0, 1, 0, 0); /* KoD to every limited request, no leak */
    uint8_t a[16];
    uint64_t t = 5 * S;
    int kods = 0;

    addr_of(4, a);
    assert_int_equal(rl_decide(&table, rl_lookup(&table, a, t), &p, t), RL_PASS);
    /* 1000 requests within 100 ms: one KoD only (one per second per client) */
    for (int i = 0; i < 1000; i++) {
        t += 100000;
        kods += rl_decide(&table, rl_lookup(&table, a, t), &p, t) == RL_KOD;
    }
    assert_int_equal(kods, 1);
    t += 2 * S; /* the limit passed: a KoD again once the client exceeds the rate */
    rl_decide(&table, rl_lookup(&table, a, t), &p, t);
    assert_int_equal(rl_decide(&table, rl_lookup(&table, a, t), &p, t), RL_KOD);
}

static void test_table_is_bounded_and_evicts_oldest(void **state)
{
    (void)state;
    uint8_t a[16], keep[16];
    struct rl_client *c;
    size_t n = (size_t)table.set_mask * RL_WAYS + RL_WAYS;

    addr_of(0xffffff, keep);
    /* 100 000 addresses through a table of 256 entries */
    for (uint32_t i = 0; i < 100000; i++) {
        addr_of(i, a);
        c = rl_lookup(&table, a, (uint64_t)(i + 1) * MS);
        assert_memory_equal(c->addr, a, 16);
        assert_true(c >= table.entries && c < table.entries + n);
        /* a legitimate client seen every 4 requests keeps its entry and its state */
        if (i % 4 == 0) {
            c = rl_lookup(&table, keep, (uint64_t)(i + 1) * MS);
            if (i > 0)
                assert_int_equal(c->tx_id, 77);
            c->tx_id = 77;
        }
    }
    assert_int_equal(table.in_use, n);
    assert_true(table.evictions >= 100000 - n);
}

static void test_ipv4_mapping(void **state)
{
    (void)state;
    const uint8_t v4[4] = {192, 0, 2, 1};
    const uint8_t want[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
    uint8_t out[16];

    rl_map_ipv4(v4, out);
    assert_memory_equal(out, want, 16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params),
        cmocka_unit_test_setup_teardown(test_burst_then_rate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clients_are_independent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leak_fraction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kod_rate_is_limited, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_is_bounded_and_evicts_oldest, setup, teardown),
        cmocka_unit_test(test_ipv4_mapping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
