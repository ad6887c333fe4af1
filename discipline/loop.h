// SPDX-License-Identifier: ISC
// Discipline loop: step/slew/panic policy with a step-rate bound, the frequency to steer the
// clock with, and the poll interval adaptation.
//
// The frequency estimate comes from the source filters (they see the free-running oscillator),
// so this loop is feed-forward: frequency = base (the oscillator correction) + offset / tau,
// with the phase term bounded by max_slew_ppm. A step only changes the phase; the frequency
// estimate is untouched by it.
#ifndef TSYNC_DISCIPLINE_LOOP_H
#define TSYNC_DISCIPLINE_LOOP_H

#include <stdbool.h>

#include "discipline/discipline.h"

// Phase time constant in poll intervals: the offset is slewed out with tau = this * 2^poll.
#define LOOP_TAU_POLLS 1.0
// Poll adaptation: poll as rarely as the oscillator allows. The poll doubles when over twice the
// interval the frequency wander would move the phase by less than LOOP_POLL_UP times the
// measurement jitter, and halves when over one interval it moves by more than LOOP_POLL_DOWN
// times the jitter (the gap between the two, a factor of 5.7, keeps a poll from falling while
// nothing changes); LOOP_POLL_HOLD agreeing updates in a row to go up, half as many to go down.
// A quiet LAN with a good oscillator reaches 1024 s, as chronyd does, with fewer packets.
#define LOOP_POLL_UP   0.5
#define LOOP_POLL_DOWN 1.0
#define LOOP_POLL_HOLD 4

enum loop_decision {
    LOOP_SLEW = 0,   // |offset| within the step threshold: slew it out
    LOOP_STEP,       // step by the offset now
    LOOP_WAIT,       // beyond the threshold but not confirmed yet: leave the phase alone
    LOOP_PANIC,      // beyond the panic threshold: do not touch the clock, report
    LOOP_RATE_LIMIT, // a step is due but the step budget is exhausted: report
};

struct loop_state {
    bool corrected;    // the first correction (step or slew) happened: start-up is over
    int steps;         // steps done
    double tokens;     // step budget left (after start-up)
    double token_time; // `now` of the last token refill, s
    int poll_log2;     // system poll exponent, log2 s
    int poll_counter;  // > 0: updates in a row asking for a longer poll, < 0: shorter
};

void loop_init(struct loop_state *l, const struct disc_params *p);

// Decision for a system offset (s). confirmed: every survivor has step_confirm_samples
// consecutive agreeing samples spanning step_confirm_span_s. Refills the step budget.
enum loop_decision loop_decide(struct loop_state *l, const struct disc_params *p, double offset_s,
                               bool confirmed, double now);

// The offset (s) is beyond the panic threshold and no -g allowance is left: the clock may not
// be touched for it, not even its frequency while the offset waits for confirmation.
bool loop_panics(const struct loop_state *l, const struct disc_params *p, double offset_s);

// The step decided by loop_decide() was handed to the caller: count it against the budget.
void loop_step_taken(struct loop_state *l);

// Frequency to set, ppm: base_ppm plus the phase term offset_s / tau_s (bounded by
// max_slew_ppm), the total bounded by max_freq_ppm.
double loop_frequency(const struct disc_params *p, double base_ppm, double offset_s, double tau_s);

// Adapt the system poll exponent after a new sample of the system peer, from its frequency
// wander q ((s/s)^2 per s) and jitter (s); clamped to min..max. Returns the new exponent.
int loop_adapt_poll(struct loop_state *l, double q, double jitter_s, int min_poll, int max_poll);

#endif
