// SPDX-License-Identifier: ISC
// Baseline for the benchmark: the RFC 5905 / ntpd reference algorithm for one source, so the
// discipline's numbers can be compared with what it is meant to beat. The 8-stage minimum-delay
// clock filter (RFC 5905 A.5.2) and ntpd's local_clock()/adj_host_clock() PLL with its
// constants (CLOCK_PLL 16, CLOCK_MINSTEP 300 s frequency measurement at start, phase slewed every
// second by offset / (16 * 2^poll)). The FLL is not used below poll 2^11 s, as in ntpd.
#ifndef TSYNC_BENCH_RFC5905_H
#define TSYNC_BENCH_RFC5905_H

#include <stdbool.h>

#define RFC_NSTAGE 8

struct rfc5905 {
    struct {
        double t, offset, delay, disp;
        bool valid;
    } reg[RFC_NSTAGE];    // clock filter shift register, newest first
    double last_used_t;   // time of the filter sample last handed to the loop, s
    double last_sample_t; // time of the last sample (dispersion ageing), s
    double jitter;        // peer jitter, s
    int poll;             // poll exponent (time constant), log2 s
    int state;            // 0 no sample yet, 1 measuring frequency, 2 locked
    double first_t;       // start of the frequency measurement, s
    double last_update;   // time of the last loop update, s
    double phase;         // residual offset still to be slewed, s
    double freq;          // frequency correction, s/s
};

void rfc_init(struct rfc5905 *r, int poll);

// A new sample at time t; sets *step to the amount to step the clock by (0: none).
void rfc_sample(struct rfc5905 *r, double t, double offset, double delay, double disp,
                double *step);

// Called once per second: the frequency (s/s) to run at for the next second.
double rfc_adjust(struct rfc5905 *r);

#endif
