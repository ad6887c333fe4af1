// SPDX-License-Identifier: ISC
#include "config.h"

#include <math.h>

#include "discipline/sample.h"

double flt_timespec_diff(const struct timespec *b, const struct timespec *a)
{
    // Subtract seconds and nanoseconds separately so no precision is lost on the 1970 scale.
    double sec = (double)((long long)b->tv_sec - (long long)a->tv_sec);
    double nsec = (double)(b->tv_nsec - a->tv_nsec);
    return sec + nsec * 1e-9;
}

double flt_exp2(int log2)
{
    if (log2 < -40)
        log2 = -40;
    if (log2 > 40)
        log2 = 40;
    return ldexp(1.0, log2);
}

static bool timespec_ok(const struct timespec *t)
{
    return t->tv_nsec >= 0 && t->tv_nsec < 1000000000L;
}

bool flt_measure(const struct disc_sample *s, int local_precision_log2, struct flt_measurement *m)
{
    if (!timespec_ok(&s->t1) || !timespec_ok(&s->t2) || !timespec_ok(&s->t3) ||
        !timespec_ok(&s->t4))
        return false;
    double round_trip = flt_timespec_diff(&s->t4, &s->t1);
    double server_hold = flt_timespec_diff(&s->t3, &s->t2);
    double server_precision = flt_exp2(s->precision_log2);
    // A server that fills the bits below its precision with random noise (chronyd does) and
    // answers faster than its precision gives t3 a little before t2: that is a hold time of
    // zero, not a bad sample. So does one whose two stamps carry independent noise (hardware
    // stamps: tens of ns) when it answers within that noise. The offset keeps the midpoint of
    // t2 and t3.
    double hold_tolerance = server_precision + 2 * flt_timestamp_noise(s->ts_source);
    if (round_trip < 0 || server_hold < -hold_tolerance)
        return false;
    server_hold = fmax(server_hold, 0);
    double precision = server_precision + flt_exp2(local_precision_log2);
    double delay = round_trip - server_hold;
    // Timestamps of limited precision can make a tiny delay negative; more than that is bogus.
    if (delay < -precision)
        return false;
    m->offset_s = (flt_timespec_diff(&s->t2, &s->t1) + flt_timespec_diff(&s->t3, &s->t4)) / 2;
    m->delay_s = delay > precision ? delay : precision;
    m->dispersion_s = precision + FLT_PHI * round_trip;
    return isfinite(m->offset_s) && isfinite(m->delay_s);
}

double flt_timestamp_noise(enum disc_ts_source src)
{
    switch (src) {
    case DISC_TS_HARDWARE:
        return 50e-9;
    case DISC_TS_KERNEL:
        return 1e-6;
    case DISC_TS_REFCLOCK:
        return 20e-9;
    case DISC_TS_USER:
    default:
        return 10e-6;
    }
}
