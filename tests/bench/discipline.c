// SPDX-License-Identifier: ISC
// tests/bench/discipline: runs the discipline simulator over the scenarios of issue 3 and prints
// one line per scenario with its targets. Exit status 1 when a target is missed.
//
// Usage: discipline [--seed N | --seeds N] [--scenario LETTERS] [--wander W] [--trace]
//                   [--baseline]
// --seeds N runs every scenario with seeds 1..N and prints mean and worst values.
// --baseline also runs the single-server steady-state scenarios (a, b) with the RFC 5905 / ntpd
// reference loop (tests/bench/rfc5905.c) for comparison; it does not change the exit status.
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/bench/sim.h"

// Targets; a negative value means "not checked".
struct targets {
    double rms_s, max_s; // accuracy over the second half
    double settle_s;     // |error| < 1 ms for good within this (from start or jump)
    bool no_falseticker; // a falseticker is never a survivor
    bool expect_refusal; // the clock must not be stepped and the refusal must be reported
};

struct scenario {
    struct sim_config cfg;
    struct targets tgt;
};

static struct sim_config lan(void)
{
    return (struct sim_config){
        .duration_s = 4 * 3600,
        .nservers = 1,
        .base_delay_s = 100e-6,
        .jitter_mean_s = 50e-6,
        .freq_ppm = 100,
        .wander = 1e-9,
        .ts_noise_s = 1e-6,
        .initial_offset_s = 0.1,
        .poll_log2 = 4,
        .iburst = true,
    };
}

static int make_scenarios(struct scenario *s)
{
    int n = 0;
    s[n] = (struct scenario){lan(), {5e-6, 15e-6, 6, false, false}};
    s[n].cfg.name = "a";
    s[n++].cfg.desc = "LAN 100us+exp(50us), +100ppm, 0.1 s, poll 16 s, 4 h";

    s[n] = (struct scenario){lan(), {80e-6, 240e-6, -1, false, false}};
    s[n].cfg.name = "b";
    s[n].cfg.desc = "WAN 10ms+exp(1ms), +100ppm, 0.1 s, poll 64 s, 8 h";
    s[n].cfg.duration_s = 8 * 3600;
    s[n].cfg.base_delay_s = 10e-3;
    s[n].cfg.jitter_mean_s = 1e-3;
    s[n++].cfg.poll_log2 = 6;

    s[n] = (struct scenario){lan(), {5e-6, 15e-6, 10, false, false}};
    s[n].cfg.name = "c";
    s[n].cfg.desc = "as (a), initial offset +300 s";
    s[n++].cfg.initial_offset_s = 300;

    s[n] = (struct scenario){lan(), {5e-6, 15e-6, 6, true, false}};
    s[n].cfg.name = "d";
    s[n].cfg.desc = "as (a), 4 servers, one 50 ms off";
    s[n].cfg.nservers = 4;
    s[n++].cfg.server_offset_s[2] = 0.050;

    s[n] = (struct scenario){lan(), {5e-6, 15e-6, 32, false, false}};
    s[n].cfg.name = "e";
    s[n].cfg.desc = "as (a), 3 servers, clock jumps +300 s at 1 h (settle from the jump)";
    s[n].cfg.nservers = 3;
    s[n].cfg.duration_s = 3 * 3600;
    s[n].cfg.jump_at_s = 3600;
    s[n++].cfg.jump_s = 300;

    s[n] = (struct scenario){lan(), {-1, -1, -1, false, true}};
    s[n].cfg.name = "f1";
    s[n].cfg.desc = "as (a), initial offset 2000 s, no -g: refused";
    s[n].cfg.duration_s = 600;
    s[n++].cfg.initial_offset_s = 2000;

    s[n] = (struct scenario){lan(), {-1, -1, 10, false, false}};
    s[n].cfg.name = "f2";
    s[n].cfg.desc = "as (a), initial offset 2000 s, -g: stepped";
    s[n].cfg.duration_s = 600;
    s[n].cfg.initial_offset_s = 2000;
    s[n++].cfg.allow_big_first_step = true;

    s[n] = (struct scenario){lan(), {-1, -1, -1, true, false}};
    s[n].cfg.name = "g";
    s[n].cfg.desc = "as (d), ntpd's default poll range 64..1024 s (adaptive), 8 h";
    s[n].cfg.duration_s = 8 * 3600;
    s[n].cfg.nservers = 4;
    s[n].cfg.server_offset_s[2] = 0.050;
    s[n].cfg.poll_log2 = 6;
    s[n++].cfg.max_poll_log2 = 10;

    s[n] = (struct scenario){lan(), {-1, -1, -1, false, false}};
    s[n].cfg.name = "h";
    s[n].cfg.desc = "as (b), ntpd's default poll range 64..1024 s (adaptive), 8 h";
    s[n].cfg.duration_s = 8 * 3600;
    s[n].cfg.base_delay_s = 10e-3;
    s[n].cfg.jitter_mean_s = 1e-3;
    s[n].cfg.poll_log2 = 6;
    s[n++].cfg.max_poll_log2 = 10;

    s[n] = (struct scenario){lan(), {-1, -1, -1, false, false}};
    s[n].cfg.name = "i";
    s[n].cfg.desc = "1ms each way, jitter exp(100us) out, exp(1ms) back, poll 64 s, 8 h";
    s[n].cfg.duration_s = 8 * 3600;
    s[n].cfg.base_delay_s = 1e-3;
    s[n].cfg.jitter_mean_s = 100e-6;
    s[n].cfg.jitter_back_mean_s = 1e-3;
    s[n++].cfg.poll_log2 = 6;

    s[n] = (struct scenario){lan(), {-1, -1, -1, false, false}};
    s[n].cfg.name = "j";
    s[n].cfg.desc = "as (a) with ntpd's default poll range 64..1024 s (adaptive), 24 h";
    s[n].cfg.duration_s = 24 * 3600;
    s[n].cfg.poll_log2 = 6;
    s[n++].cfg.max_poll_log2 = 10;
    return n;
}

static bool check(const struct targets *t, const struct sim_result *r, char *why, size_t len)
{
    why[0] = 0;
    if (t->rms_s >= 0 && !(r->rms_s <= t->rms_s))
        snprintf(why, len, "rms > %.0f us", t->rms_s * 1e6);
    else if (t->max_s >= 0 && !(r->max_s <= t->max_s))
        snprintf(why, len, "max > %.0f us", t->max_s * 1e6);
    else if (t->settle_s >= 0 && !(r->settle_s <= t->settle_s))
        snprintf(why, len, "settle > %.0f s", t->settle_s);
    else if (t->no_falseticker && r->falseticker_used)
        snprintf(why, len, "falseticker selected");
    else if (t->expect_refusal && (r->steps > 0 || r->refusals == 0))
        snprintf(why, len, "not refused");
    return why[0] == 0;
}

static void print_target(const struct targets *t)
{
    if (t->expect_refusal) {
        printf("no step, refusal reported");
        return;
    }
    if (t->rms_s >= 0)
        printf("rms<=%.0f max<=%.0f ", t->rms_s * 1e6, t->max_s * 1e6);
    if (t->settle_s >= 0)
        printf("settle<=%.0fs ", t->settle_s);
    if (t->no_falseticker)
        printf("no falseticker");
    if (t->rms_s < 0 && t->settle_s < 0 && !t->no_falseticker)
        printf("(information)");
}

static bool run_one(const struct scenario *s)
{
    struct sim_result r;
    sim_run(&s->cfg, &r);
    if (!r.ok) {
        printf("| %-2s | discipline not created |\n", s->cfg.name);
        return false;
    }
    char why[64];
    bool pass = check(&s->tgt, &r, why, sizeof(why));
    if (s->tgt.expect_refusal) // the clock stays off: show where it ended instead
        printf("| %-2s | %8s | %9s | %8s | %8.4f | %5d | %8d | ", s->cfg.name, "-", "-", "-",
               r.freq_rms_ppm, r.steps, r.refusals);
    else
        printf("| %-2s | %8.2f | %9.2f | %8.1f | %8.4f | %5d | %8d | ", s->cfg.name, r.rms_s * 1e6,
               r.max_s * 1e6, r.settle_s, r.freq_rms_ppm, r.steps, r.refusals);
    print_target(&s->tgt);
    printf(" | %s%s%s |\n", pass ? "PASS" : "FAIL", pass ? "" : ": ", why);
    return pass;
}

static void print_baseline(const struct sim_config *c, const char *label)
{
    struct sim_result r;
    sim_run(c, &r);
    printf("| %-2s | %-25s | %8.2f | %9.2f | %8.1f | %8.4f | %5d |\n", c->name, label,
           r.rms_s * 1e6, r.max_s * 1e6, r.settle_s, r.freq_rms_ppm, r.steps);
}

// The steady-state single-server scenarios again with the RFC 5905 / ntpd loop: as specified,
// and started locked (no initial offset or frequency error: a perfect drift file), which shows
// the loop's steady-state noise without its start-up transient.
static void run_baselines(const struct scenario *sc, int n, const char *only)
{
    printf("\nRFC 5905 / ntpd reference loop on the same network and oscillator (comparison):\n\n");
    printf("| sc | start | rms (us) | max (us) | settle s | freq err ppm | steps |\n");
    printf("|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < n; i++) {
        const struct sim_config *c = &sc[i].cfg;
        bool steady = c->nservers == 1 && c->jump_at_s == 0 && c->initial_offset_s < 0.128;
        if (!steady || (only && !strchr(only, c->name[0])))
            continue;
        struct sim_config b = *c;
        b.baseline = true;
        print_baseline(&b, "as specified");
        b.initial_offset_s = 0;
        b.freq_ppm = 0;
        print_baseline(&b, "locked (no initial error)");
    }
}

// --seeds N: every scenario with seeds 1..N; mean and worst of each number, passes.
static bool run_seeds(struct scenario *sc, int n, const char *only, int nseeds)
{
    printf("%d seeds per scenario (1..%d); errors in us\n\n", nseeds, nseeds);
    printf("| sc | mean rms | worst rms | worst max | worst settle s | passed |\n");
    printf("|---|---|---|---|---|---|\n");
    bool all = true;
    for (int i = 0; i < n; i++) {
        if (only && !strchr(only, sc[i].cfg.name[0]))
            continue;
        double sum_rms = 0, worst_rms = 0, worst_max = 0, worst_settle = 0;
        int passed = 0;
        for (int k = 1; k <= nseeds; k++) {
            struct sim_result r;
            char why[64];
            sc[i].cfg.seed = (uint64_t)k * 1000003u + (uint64_t)i;
            sim_run(&sc[i].cfg, &r);
            passed += r.ok && check(&sc[i].tgt, &r, why, sizeof(why));
            sum_rms += r.rms_s;
            worst_rms = fmax(worst_rms, r.rms_s);
            worst_max = fmax(worst_max, r.max_s);
            worst_settle = fmax(worst_settle, r.settle_s);
        }
        if (sc[i].tgt.expect_refusal)
            printf("| %-2s | %8s | %9s | %9s | %14s | %3d/%d |\n", sc[i].cfg.name, "-", "-", "-",
                   "-", passed, nseeds);
        else
            printf("| %-2s | %8.2f | %9.2f | %9.2f | %14.1f | %3d/%d |\n", sc[i].cfg.name,
                   sum_rms / nseeds * 1e6, worst_rms * 1e6, worst_max * 1e6, worst_settle, passed,
                   nseeds);
        all = all && passed == nseeds;
    }
    return all;
}

static void usage(void)
{
    fprintf(stderr, "usage: discipline [--seed N | --seeds N] [--scenario LETTERS] [--wander W] "
                    "[--trace] [--baseline]\n"
                    "  LETTERS from abcdef; W overrides the oscillator wander (s/s per sqrt(s))\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"seed", required_argument, NULL, 's'},   {"scenario", required_argument, NULL, 'c'},
        {"wander", required_argument, NULL, 'w'}, {"trace", no_argument, NULL, 't'},
        {"baseline", no_argument, NULL, 'b'},     {"seeds", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    unsigned long long seed = 1;
    const char *only = NULL;
    double wander = -1;
    bool trace = false, baseline = false;
    int opt, nseeds = 0;
    while ((opt = getopt_long(argc, argv, "s:c:w:tbn:h", opts, NULL)) != -1) {
        if (opt == 's')
            seed = strtoull(optarg, NULL, 0);
        else if (opt == 'c')
            only = optarg;
        else if (opt == 'w')
            wander = strtod(optarg, NULL);
        else if (opt == 't')
            trace = true;
        else if (opt == 'b')
            baseline = true;
        else if (opt == 'n')
            nseeds = atoi(optarg);
        else {
            usage();
            return opt == 'h' ? 0 : 2;
        }
    }
    struct scenario sc[16];
    int n = make_scenarios(sc);
    for (int i = 0; i < n && wander >= 0; i++)
        sc[i].cfg.wander = wander;
    if (nseeds > 0)
        return run_seeds(sc, n, only, nseeds) ? 0 : 1;
    printf("seed %llu; errors in us over the second half, settle = time until |error| < 1 ms "
           "for good\n\n",
           seed);
    printf("| sc | rms (us) | max (us) | settle s | freq err ppm | steps | refusals | "
           "target | result |\n");
    printf("|---|---|---|---|---|---|---|---|---|\n");
    bool all = true;
    for (int i = 0; i < n; i++) {
        if (only && !strchr(only, sc[i].cfg.name[0]))
            continue;
        sc[i].cfg.seed = seed * 1000003u + (uint64_t)i;
        sc[i].cfg.trace = trace;
        all = run_one(&sc[i]) && all;
    }
    if (baseline)
        run_baselines(sc, n, only);
    printf("\n");
    for (int i = 0; i < n; i++)
        if (!only || strchr(only, sc[i].cfg.name[0]))
            printf("(%s) %s\n", sc[i].cfg.name, sc[i].cfg.desc);
    return all ? 0 : 1;
}
