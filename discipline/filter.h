// SPDX-License-Identifier: ISC
// Per-source clock filter: a two-state Kalman filter over "free-running" offsets.
//
// The discipline converts each measured offset into u = -offset - C(t), where C(t) is the
// cumulative correction it applied to the clock (frequency integrated over time plus steps).
// u is the error the local oscillator would have without any correction: a smooth function of
// time (phase + frequency + random-walk wander), so old samples never go stale when the clock is
// adjusted. The filter tracks u and its slope y (oscillator frequency error, s/s).
//
// Measurement noise of a sample is modelled from its delay excess over the recent minimum delay
// (the offset error of an exchange is at most half its excess delay), so low-delay samples
// dominate. Delay outliers (popcorn spikes) are dropped. Samples further from the prediction than
// 8 standard deviations are held as "pending": a run of them that agree with each other is how
// a clock jump (or a source that moved) shows up; the discipline decides what to do with it.
#ifndef TSYNC_DISCIPLINE_FILTER_H
#define TSYNC_DISCIPLINE_FILTER_H

#include <stdbool.h>

#define FLT_DELAY_HIST 256 // delays kept for the minimum and the popcorn test
#define FLT_PENDING    8   // far samples kept

struct flt_input {
    double t;            // sample time, `now` scale, s
    double u;            // free-running oscillator error (-offset - correction), s
    double delay_s;      // round-trip delay, s
    double dispersion_s; // precision + PHI * round trip, s
    double noise_s;      // timestamp noise floor (1 sigma), s
};

enum flt_result {
    FLT_ACCEPTED = 0, // used by the filter
    FLT_PENDING_JUMP, // held as a possible jump
    FLT_POPCORN,      // delay outlier, dropped
};

struct flt {
    double jump_s;            // jump threshold: farther samples may be a clock jump, s
    int n;                    // accepted samples
    double t;                 // time of the state, s
    double u;                 // phase estimate at t, s
    double y;                 // frequency estimate, s/s
    double p[2][2];           // covariance of (u, y)
    double q;                 // frequency random-walk intensity, (s/s)^2 per s (adaptive)
    double jitter2;           // running mean of innovation squared, s^2
    double t_first;           // time of the first accepted sample, s
    double last_delay_s;      // delay of the last accepted sample, s
    double last_dispersion_s; // dispersion of the last accepted sample, s
    double last_u;            // u of the last accepted sample, s
    double last_t;            // time of the last accepted sample, s
    double delays[FLT_DELAY_HIST];
    int ndelays, delay_pos;
    struct flt_input pending[FLT_PENDING]; // consecutive far samples that agree, oldest first
    int npending;
    unsigned popcorn_count; // delay outliers dropped so far
    int popcorn_run;        // consecutive delay outliers
    unsigned surprises;     // bit i: sample i back had an innovation beyond 3 sigma
    // jitter asymmetry regression (innovation v on half the delay excess h), decayed sums
    double asym_svh, asym_shh, asym_svv, asym_w;
    int asym_n;
    double asym_scale; // mean distance of the truth from the tight edge of the bound, s
};

// Reset with a prior frequency y0 (s/s) of standard deviation y0_sd (s/s) and the jump
// threshold jump_s (s): samples farther than jump_s + 8 sigma from the prediction are pending.
void flt_init(struct flt *f, double y0, double y0_sd, double jump_s);

// Feed a sample. One further than jump_s + 8 standard deviations (prediction and sample) from
// the prediction is held as pending.
enum flt_result flt_add(struct flt *f, const struct flt_input *in);

// Predicted phase at t and its variance (s, s^2). Requires f->n > 0.
void flt_predict(const struct flt *f, double t, double *u, double *u_var);

// Minimum of the recent delays, s (0 if none).
double flt_min_delay(const struct flt *f);

// RMS of recent innovations, s.
double flt_jitter(const struct flt *f);

struct flt_pending_run {
    double u;      // level at the requested time (mean, carried with the filter frequency), s
    double var;    // variance of that level, s^2
    int count;     // samples in the run
    double span_s; // time between the first and the last of them, s
};

// The run of pending far samples, seen at time t. False if there is none.
bool flt_pending(const struct flt *f, double t, struct flt_pending_run *run);

// The local clock jumped by du (s, in u) known with variance du_var (s^2): shift the phase,
// widen its uncertainty and absorb the pending samples that agree with the shifted prediction
// (the others are dropped).
void flt_shift(struct flt *f, double du, double du_var);

#endif
