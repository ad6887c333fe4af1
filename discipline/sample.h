// SPDX-License-Identifier: ISC
// RFC 5905 section 8: offset, delay and dispersion of one client/server exchange.
#ifndef TSYNC_DISCIPLINE_SAMPLE_H
#define TSYNC_DISCIPLINE_SAMPLE_H

#include <stdbool.h>

#include "discipline/discipline.h"

// Frequency tolerance of a clock (RFC 5905 PHI): dispersion grows 15 us per second.
#define FLT_PHI 15e-6

struct flt_measurement {
    double offset_s;     // ((t2 - t1) + (t3 - t4)) / 2
    double delay_s;      // (t4 - t1) - (t3 - t2), at least the precision sum
    double dispersion_s; // server precision + local precision + PHI * (t4 - t1)
};

// b - a in seconds, exact to the nanosecond before the conversion to double.
double flt_timespec_diff(const struct timespec *b, const struct timespec *a);

// 2^log2 seconds, for precision and poll exponents (clamped to -40..40).
double flt_exp2(int log2);

// Computes offset, delay and dispersion. Returns false if the timestamps are not usable: not
// normalised, t4 before t1, t3 before t2 by more than the server's precision (less is a hold
// time of zero), or a delay more negative than the precisions allow.
bool flt_measure(const struct disc_sample *s, int local_precision_log2, struct flt_measurement *m);

// Noise floor (1 sigma, s) of the local timestamps by their origin.
double flt_timestamp_noise(enum disc_ts_source src);

#endif
