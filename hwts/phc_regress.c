// SPDX-License-Identifier: ISC
// Weighted least-squares fit of (sys - phc) against phc (see phc_regress.h).

#include "config.h"

#include "hwts/phc_regress.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define NS_PER_S 1000000000LL

static int64_t timespec_ns(const struct timespec *t)
{
    return (int64_t)t->tv_sec * NS_PER_S + t->tv_nsec;
}

void phc_reg_init(struct phc_reg *reg, int max_points)
{
    memset(reg, 0, sizeof(*reg));
    if (max_points < 2)
        max_points = 2;
    if (max_points > PHC_REG_MAX_POINTS)
        max_points = PHC_REG_MAX_POINTS;
    reg->max_points = max_points;
}

void phc_reg_reset(struct phc_reg *reg)
{
    phc_reg_init(reg, reg->max_points);
}

// Fits y = a + b x with x = phc - ref_phc (s) and y = (sys - phc) - ref_off (ns), weights
// 1 / error^2. Coordinates relative to the newest point keep the sums small and exact enough.
static void refit(struct phc_reg *reg)
{
    double sw = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0;
    for (int i = 0; i < reg->n_points; i++) {
        const struct phc_reg_point *p = &reg->points[i];
        double x = (double)(p->phc_ns - reg->ref_phc_ns) * 1e-9;
        double y = (double)((p->sys_ns - p->phc_ns) - reg->ref_off_ns);
        double w = 1.0 / (p->error_s * p->error_s);
        sw += w;
        sx += w * x;
        sy += w * y;
        sxx += w * x * x;
        sxy += w * x * y;
    }
    double det = sw * sxx - sx * sx;
    if (reg->n_points < 2 || !(fabs(det) > 0.0)) {
        reg->a_ns = sy / sw;
        reg->b = 0.0;
        return;
    }
    reg->b = (sw * sxy - sx * sy) / det * 1e-9; // ns per s -> dimensionless
    reg->a_ns = (sy - reg->b * 1e9 * sx) / sw;
}

void phc_reg_add(struct phc_reg *reg, const struct timespec *phc, const struct timespec *sys,
                 double error_s)
{
    struct phc_reg_point *p = &reg->points[reg->next];
    p->phc_ns = timespec_ns(phc);
    p->sys_ns = timespec_ns(sys);
    p->error_s = error_s > 1e-9 ? error_s : 1e-9;
    reg->next = (reg->next + 1) % reg->max_points;
    if (reg->n_points < reg->max_points)
        reg->n_points++;
    reg->ref_phc_ns = p->phc_ns;
    reg->ref_off_ns = p->sys_ns - p->phc_ns;
    refit(reg);
}

int phc_reg_to_sys(const struct phc_reg *reg, const struct timespec *phc, struct timespec *sys)
{
    if (reg->n_points == 0)
        return -EAGAIN;
    int64_t phc_ns = timespec_ns(phc);
    double x_ns = (double)(phc_ns - reg->ref_phc_ns);
    int64_t sys_ns = phc_ns + reg->ref_off_ns + llround(reg->a_ns + reg->b * x_ns);
    sys->tv_sec = sys_ns / NS_PER_S;
    sys->tv_nsec = sys_ns % NS_PER_S;
    if (sys->tv_nsec < 0) {
        sys->tv_nsec += NS_PER_S;
        sys->tv_sec--;
    }
    return 0;
}

double phc_reg_freq_ppm(const struct phc_reg *reg)
{
    // sys - phc grows by b per unit of PHC time: the PHC runs fast by -b / (1 + b).
    return -reg->b / (1.0 + reg->b) * 1e6;
}
