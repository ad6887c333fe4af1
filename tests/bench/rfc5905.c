// SPDX-License-Identifier: ISC
#include "config.h"

#include <math.h>
#include <string.h>

#include "tests/bench/rfc5905.h"

#define PHI       15e-6  // dispersion growth, s/s
#define STEPT     0.128  // step threshold, s
#define MINSTEP   300.0  // frequency measurement interval at start (CLOCK_MINSTEP), s
#define CLOCK_PLL 16.0   // PLL loop gain
#define ALLAN     2048.0 // Allan intercept (2^CLOCK_ALLAN), s
#define MAXFREQ   500e-6 // frequency limit, s/s

void rfc_init(struct rfc5905 *r, int poll)
{
    memset(r, 0, sizeof(*r));
    r->poll = poll;
}

// RFC 5905 A.5.2: shift in the sample, pick the minimum-delay one; it is used only if it is
// newer than the last one used.
static bool clock_filter(struct rfc5905 *r, double t, double offset, double delay, double disp,
                         double *out)
{
    for (int i = 0; i < RFC_NSTAGE; i++)
        r->reg[i].disp += PHI * (t - r->last_sample_t);
    r->last_sample_t = t;
    memmove(&r->reg[1], &r->reg[0], sizeof(r->reg[0]) * (RFC_NSTAGE - 1));
    r->reg[0].t = t;
    r->reg[0].offset = offset;
    r->reg[0].delay = delay;
    r->reg[0].disp = disp;
    r->reg[0].valid = true;
    int best = 0, n = 0;
    for (int i = 0; i < RFC_NSTAGE; i++) {
        if (!r->reg[i].valid)
            continue;
        n++;
        if (r->reg[i].delay < r->reg[best].delay)
            best = i;
    }
    double sum = 0;
    for (int i = 0; i < RFC_NSTAGE; i++)
        if (r->reg[i].valid && i != best)
            sum += pow(r->reg[i].offset - r->reg[best].offset, 2);
    r->jitter = n > 1 ? sqrt(sum / (n - 1)) : 0;
    if (r->reg[best].t <= r->last_used_t)
        return false;
    r->last_used_t = r->reg[best].t;
    *out = r->reg[best].offset;
    return true;
}

static void clear_filter(struct rfc5905 *r)
{
    for (int i = 0; i < RFC_NSTAGE; i++)
        r->reg[i].valid = false;
}

// ntpd local_clock(): frequency measured over MINSTEP at start, then the PLL.
static void local_clock(struct rfc5905 *r, double t, double offset, double *step)
{
    if (fabs(offset) > STEPT) {
        *step = offset;
        clear_filter(r);
        r->phase = 0;
        r->first_t = t;
        return;
    }
    if (r->state == 0) {
        r->state = 1;
        r->first_t = t;
        r->phase = offset;
        r->last_update = t;
        return;
    }
    double mu = t - r->last_update;
    if (r->state == 1) {
        if (t - r->first_t < MINSTEP)
            return;
        // ntpd direct_freq(): what accrued beyond the part of the old offset not yet slewed.
        r->freq += (offset - r->phase) / (t - r->first_t);
        r->state = 2;
    } else {
        double dtemp = 4 * CLOCK_PLL * ldexp(1.0, r->poll);
        r->freq += offset * fmin(mu, ALLAN) / (dtemp * dtemp);
    }
    r->freq = fmax(fmin(r->freq, MAXFREQ), -MAXFREQ);
    r->phase = offset;
    r->last_update = t;
}

void rfc_sample(struct rfc5905 *r, double t, double offset, double delay, double disp, double *step)
{
    double filtered;
    *step = 0;
    if (clock_filter(r, t, offset, delay, disp, &filtered))
        local_clock(r, t, filtered, step);
}

double rfc_adjust(struct rfc5905 *r)
{
    double slew = r->phase / (CLOCK_PLL * ldexp(1.0, r->poll));
    r->phase -= slew;
    return r->freq + slew;
}
