// SPDX-License-Identifier: ISC
// Selection: intersection (RFC 5905 cases), clustering, combining, prefer, minsources, system
// peer hysteresis.
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "discipline/discipline.h"
#include "discipline/select.h"

static struct sel_candidate cand(int id, double offset, double lambda)
{
    return (struct sel_candidate){
        .id = id, .offset_s = offset, .root_distance_s = lambda, .jitter_s = 1e-4, .stratum = 2};
}

static void test_falseticker_outside_majority(void **state)
{
    struct sel_candidate c[] = {cand(0, 0.000, 0.010), cand(1, 0.002, 0.010),
                                cand(2, -0.001, 0.010), cand(3, 0.050, 0.010)};
    double low, high;
    assert_true(sel_intersect(c, 4, &low, &high));
    assert_int_equal(c[3].tally, DISC_TALLY_FALSETICKER);
    for (int i = 0; i < 3; i++)
        assert_int_equal(c[i].tally, DISC_TALLY_CANDIDATE);
    // The intersection is that of the three truechimers.
    assert_true(fabs(low - (0.002 - 0.010)) < 1e-12);
    assert_true(fabs(high - (-0.001 + 0.010)) < 1e-12);
}

static void test_no_majority(void **state)
{
    struct sel_candidate c[] = {cand(0, 0.0, 0.001), cand(1, 0.1, 0.001)};
    double low, high;
    assert_false(sel_intersect(c, 2, &low, &high));
    assert_int_equal(c[0].tally, DISC_TALLY_FALSETICKER);
    assert_int_equal(c[1].tally, DISC_TALLY_FALSETICKER);

    struct sel_candidate three[] = {cand(0, 0.0, 0.001), cand(1, 0.1, 0.001), cand(2, 0.2, 0.001)};
    struct sel_result r;
    sel_select(three, 3, 1, -1, &r);
    assert_false(r.ok);
    assert_true(r.no_majority);
}

static void test_single_source(void **state)
{
    struct sel_candidate c[] = {cand(7, 0.003, 0.001)};
    struct sel_result r;
    sel_select(c, 1, 1, -1, &r);
    assert_true(r.ok);
    assert_int_equal(r.sys_peer_id, 7);
    assert_int_equal(c[0].tally, DISC_TALLY_SYSPEER);
    assert_true(fabs(r.offset_s - 0.003) < 1e-12);
}

static void test_touching_intervals_tie(void **state)
{
    // [0,2], [1,3], [2,4]: no point is in all three, but each pair overlaps; with one
    // falseticker allowed the intersection is [1,3], which contains every midpoint.
    struct sel_candidate c[] = {cand(0, 1, 1), cand(1, 2, 1), cand(2, 3, 1)};
    double low, high;
    assert_true(sel_intersect(c, 3, &low, &high));
    assert_true(low == 1 && high == 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(c[i].tally, DISC_TALLY_CANDIDATE);

    // Two intervals that only touch ([0,2] and [2,4]): the midpoints lie outside the common
    // point, so there is no majority.
    struct sel_candidate two[] = {cand(0, 1, 1), cand(1, 3, 1)};
    assert_false(sel_intersect(two, 2, &low, &high));
}

static void test_shared_endpoint_counts(void **state)
{
    // Equal intervals are a perfect majority; the intersection is the interval itself.
    struct sel_candidate c[] = {cand(0, 0.5, 0.5), cand(1, 0.5, 0.5), cand(2, 0.5, 0.5)};
    double low, high;
    assert_true(sel_intersect(c, 3, &low, &high));
    assert_true(low == 0 && high == 1);
}

static void test_combining_weights(void **state)
{
    // Weights 1/lambda^2: lambda 1 ms and 2 ms -> weights 4:1.
    struct sel_candidate c[] = {cand(0, 0.000, 0.001), cand(1, 0.0005, 0.002)};
    struct sel_result r;
    sel_select(c, 2, 1, -1, &r);
    assert_true(r.ok);
    assert_int_equal(r.survivors, 2);
    assert_true(fabs(r.offset_s - 0.0005 * 1.0 / 5.0) < 1e-12);
    assert_int_equal(r.sys_peer_id, 0); // lower distance
    assert_int_equal(c[1].tally, DISC_TALLY_CANDIDATE);
    assert_true(r.jitter_s >= c[0].jitter_s);
}

static void test_clustering_drops_outlier(void **state)
{
    // Five truechimers; one sits 3 ms from the others whose jitter is 0.1 ms.
    struct sel_candidate c[] = {cand(0, 0.0000, 0.01), cand(1, 0.0001, 0.01),
                                cand(2, -0.0001, 0.01), cand(3, 0.0002, 0.01),
                                cand(4, 0.0030, 0.01)};
    struct sel_result r;
    sel_select(c, 5, 1, -1, &r);
    assert_true(r.ok);
    assert_int_equal(c[4].tally, DISC_TALLY_OUTLIER);
    assert_true(fabs(r.offset_s) < 0.0002);
}

static void test_prefer_wins_and_survives(void **state)
{
    struct sel_candidate c[] = {cand(0, 0.0000, 0.001), cand(1, 0.0001, 0.001),
                                cand(2, -0.0001, 0.001), cand(3, 0.0008, 0.009)};
    c[3].prefer = true;
    struct sel_result r;
    sel_select(c, 4, 1, -1, &r);
    assert_true(r.ok);
    assert_int_equal(r.sys_peer_id, 3); // worse distance, but preferred
    assert_int_equal(c[3].tally, DISC_TALLY_SYSPEER);

    // A preferred reference clock alone sets the offset.
    struct sel_candidate p[] = {cand(0, 0.0000, 0.001), cand(1, 0.0002, 0.001)};
    p[1].prefer = true;
    p[1].refclock = true;
    p[1].stratum = 0;
    sel_select(p, 2, 1, -1, &r);
    assert_int_equal(r.sys_peer_id, 1);
    assert_true(fabs(r.offset_s - 0.0002) < 1e-12);
}

static void test_minsources(void **state)
{
    struct sel_candidate c[] = {cand(0, 0.0, 0.001), cand(1, 0.0001, 0.001)};
    struct sel_result r;
    sel_select(c, 2, 3, -1, &r);
    assert_false(r.ok);
    assert_false(r.no_majority);
    sel_select(c, 2, 2, -1, &r);
    assert_true(r.ok);
}

static void test_system_peer_hysteresis(void **state)
{
    // Source 1 is slightly better than the current peer 0: keep 0.
    struct sel_candidate c[] = {cand(0, 0.0, 0.0012), cand(1, 0.0, 0.0010)};
    struct sel_result r;
    sel_select(c, 2, 1, 0, &r);
    assert_int_equal(r.sys_peer_id, 0);
    // Without a current peer, the best wins.
    struct sel_candidate d[] = {cand(0, 0.0, 0.0012), cand(1, 0.0, 0.0010)};
    sel_select(d, 2, 1, -1, &r);
    assert_int_equal(r.sys_peer_id, 1);
    // A lower stratum is much better (metric stratum * 1 s): switch.
    struct sel_candidate e[] = {cand(0, 0.0, 0.0012), cand(1, 0.0, 0.0010)};
    e[1].stratum = 0;
    sel_select(e, 2, 1, 0, &r);
    assert_int_equal(r.sys_peer_id, 1);
}

static void test_excess_beyond_combine_limit(void **state)
{
    struct sel_candidate c[SEL_MAX_COMBINE + 2];
    for (int i = 0; i < SEL_MAX_COMBINE + 2; i++) {
        c[i] = cand(i, 0.0, 0.001 * (i + 1));
        c[i].jitter_s = 0.01; // large jitter: clustering keeps everyone
    }
    struct sel_result r;
    sel_select(c, SEL_MAX_COMBINE + 2, 1, -1, &r);
    assert_true(r.ok);
    assert_int_equal(r.survivors, SEL_MAX_COMBINE);
    assert_int_equal(c[SEL_MAX_COMBINE].tally, DISC_TALLY_EXCESS);
    assert_int_equal(c[SEL_MAX_COMBINE + 1].tally, DISC_TALLY_EXCESS);
}

// tos minclock / maxclock: the clustering floor keeps the outlier when it is as large as the
// candidates; a combining limit of 2 marks the third-best survivor as excess.
static void test_tos_limits(void **state)
{
    struct sel_candidate c[] = {cand(0, 0.0000, 0.01), cand(1, 0.0001, 0.01),
                                cand(2, -0.0001, 0.01), cand(3, 0.0002, 0.01),
                                cand(4, 0.0030, 0.01)};
    struct sel_result r;
    (void)state;
    sel_select_limits(c, 5, 1, 5, SEL_MAX_COMBINE, -1, &r);
    assert_true(r.ok);
    assert_int_not_equal(c[4].tally, DISC_TALLY_OUTLIER);
    struct sel_candidate d[SEL_MAX_COMBINE];
    for (int i = 0; i < 4; i++) {
        d[i] = cand(i, 0.0, 0.001 * (i + 1));
        d[i].jitter_s = 0.01;
    }
    sel_select_limits(d, 4, 1, SEL_MIN_CLUSTER, 2, -1, &r);
    assert_true(r.ok);
    assert_int_equal(r.survivors, 2);
    assert_int_equal(d[2].tally, DISC_TALLY_EXCESS);
    assert_int_equal(d[3].tally, DISC_TALLY_EXCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_falseticker_outside_majority),
        cmocka_unit_test(test_tos_limits),
        cmocka_unit_test(test_no_majority),
        cmocka_unit_test(test_single_source),
        cmocka_unit_test(test_touching_intervals_tie),
        cmocka_unit_test(test_shared_endpoint_counts),
        cmocka_unit_test(test_combining_weights),
        cmocka_unit_test(test_clustering_drops_outlier),
        cmocka_unit_test(test_prefer_wins_and_survives),
        cmocka_unit_test(test_minsources),
        cmocka_unit_test(test_system_peer_hysteresis),
        cmocka_unit_test(test_excess_beyond_combine_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
