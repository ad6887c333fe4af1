// SPDX-License-Identifier: ISC
// The clock guard (prefix guard_): how far the privileged parent lets the network child's
// samples move the clock. Sans-IO: the caller says what it applied and asks what it may apply.
//
// Physics, not a rate limit. Once the clock is synchronised, its error cannot grow faster than
// the uncertainty of its frequency: a clock set right at time t0 (to within e0) and corrected
// from then on by the frequency f0 it was known to need cannot be off by more than
//     B(t) = e0 + R * (t - t0),   R = drift_ppm (15 ppm, RFC 5905's PHI) + the frequency's
//                                     standard error at t0
// at time t, whatever the network says. The guard keeps the cumulative correction C(t) the
// parent applies (steps plus the integral of the frequency) within B(t) of the anchor
// trajectory C(t0) + f0 * (t - t0): a larger step is cut to the bound, a frequency that would
// leave it is held at its edge (give or take GUARD_SLACK_S over the next GUARD_HORIZON_S), and
// the caller reports the limit loudly. With the defaults a
// child that lies about every sample moves the clock by at most e0 + 15 ppm * t: 1.3 s in 24 h.
//
// The anchor is set at the first synchronisation (before it, nothing is known: the step policy,
// the panic threshold and the start-up majority rule apply), refined once when the frequency
// is first known to GUARD_REFINE_SD_PPM, and dropped by evidence the parent gathers itself: the
// clock was set by someone else, the host was suspended, the VM's clock was disrupted. While
// a PHC reference clock the parent reads itself is the system peer, the guard follows it.
//
// Times (`now`) are on the caller's monotonic scale, s; corrections s; frequencies ppm.
#ifndef TSYNC_DISCIPLINE_GUARD_H
#define TSYNC_DISCIPLINE_GUARD_H

#include <stdbool.h>

#define GUARD_DRIFT_PPM        15.0  // default drift_ppm: frequency tolerance (PHI)
#define GUARD_MAX_SD_PPM       100.0 // the frequency uncertainty counted at an anchor, at most
#define GUARD_MAX_ERROR_S      0.5   // the error counted at an anchor, at most, s
#define GUARD_REFINE_SD_PPM    1.0   // the anchor is refined once the frequency is known to this
#define GUARD_REFINE_MIN_AGE_S 600.0 // ... and the anchor is at least this old, s
#define GUARD_HORIZON_S        2.0   // a frequency must keep the clock in bound this long, s
#define GUARD_SLACK_S                                                                              \
    1e-3 // ... give or take this: a slew at the edge (500 ppm for the
         // second until the next update) is no cut, s

struct guard {
    double drift_ppm; // R without the frequency's error, ppm
    double corr_s;    // cumulative correction C at corr_time, s
    double corr_time; // `now` of corr_s, s
    double freq_ppm;  // frequency in effect since corr_time, ppm
    bool anchored;    // a bound is in force
    bool refined;     // the anchor was refined once
    bool following;   // a parent-read reference clock leads: anchor at every update
    double t0;        // anchor time, s
    double c0;        // C at the anchor, s
    double f0;        // anchor frequency, ppm
    double e0;        // error at the anchor, s
    double rate_ppm;  // R, ppm
};

// Starts unanchored (no bound) at `now` with the clock running at freq_ppm.
void guard_init(struct guard *g, double drift_ppm, double now, double freq_ppm);

// The parent stepped the clock by step_s / set its frequency, at `now`.
void guard_stepped(struct guard *g, double now, double step_s);
void guard_frequency(struct guard *g, double now, double freq_ppm);

// The cumulative correction at `now`, s.
double guard_correction(const struct guard *g, double now);

// The bound's half-width at `now`, s (INFINITY when unanchored).
double guard_bound(const struct guard *g, double now);

// The step (s) that may be applied at `now` in place of step_s, and the frequency (ppm) that
// may be set then in place of freq_ppm (applied after that step). *cut: the bound changed one.
void guard_limit(const struct guard *g, double now, double step_s, double freq_ppm,
                 double *step_out, double *freq_out, bool *cut);

// How far (s) the correction the samples ask for at `now` (the current one plus offset_s, the
// system offset) lies beyond the bound: 0 inside it, unanchored or following.
double guard_excess(const struct guard *g, double now, double offset_s);

// The clock is synchronised at `now` (after the update's actions): the frequency estimate of
// the oscillator, its standard error, and the clock's error bound then. Anchors a bound if
// there is none (and refines it once).
void guard_synchronised(struct guard *g, double now, double freq_ppm, double freq_sd_ppm,
                        double error_s);

// Evidence the parent gathered that the clock's error may have changed beyond the bound (set
// by someone else, suspend, VM disruption): no bound until the next synchronisation.
void guard_release(struct guard *g);

// A reference clock the parent reads itself leads (true) or not: while it leads the anchor
// follows every synchronisation.
void guard_follow(struct guard *g, bool following);

#endif
