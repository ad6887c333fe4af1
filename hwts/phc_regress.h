// SPDX-License-Identifier: ISC
// Linear regression of system time against a PHC, to convert raw NIC hardware timestamps (PHC
// scale) into system time.
//
// Feed it PHC-to-system samples (phc_sample(): the pair phc/sys of the same instant), one per
// poll; it keeps the newest `max_points` and fits  sys - phc = a + b * (phc - phc_ref)  by least
// squares, each point weighted by 1 / error^2. The PHC is assumed to run free (nobody steers
// it while it is used); after a step of the system clock or of the PHC call phc_reg_reset().
// Pure: no system call, no clock read.

#ifndef TSYNC_HWTS_PHC_REGRESS_H
#define TSYNC_HWTS_PHC_REGRESS_H

#include <stdint.h>
#include <time.h>

#define PHC_REG_MAX_POINTS 64

struct phc_reg_point {
    int64_t phc_ns; // PHC time, ns
    int64_t sys_ns; // system time at the same instant, ns
    double error_s; // uncertainty of the pair, s (weight 1 / error^2)
};

struct phc_reg {
    struct phc_reg_point points[PHC_REG_MAX_POINTS]; // ring buffer
    int max_points;                                  // capacity in use (2..PHC_REG_MAX_POINTS)
    int n_points;                                    // points held
    int next;                                        // ring index of the next point to write
    // The fit, updated by phc_reg_add():
    int64_t ref_phc_ns; // reference PHC time: the newest point, ns
    int64_t ref_off_ns; // sys - phc of the newest point, ns
    double a_ns;        // fitted sys - phc at ref_phc_ns, relative to ref_off_ns, ns
    double b;           // d(sys - phc)/d(phc): -(PHC frequency error), dimensionless
};

// Empties `reg` and sets how many points it keeps (clamped to 2..PHC_REG_MAX_POINTS).
void phc_reg_init(struct phc_reg *reg, int max_points);

// Forgets every point (after a clock step), keeping the capacity.
void phc_reg_reset(struct phc_reg *reg);

// Adds the pair (phc, sys) measured with uncertainty `error_s` seconds (values below 1 ns are
// taken as 1 ns) and refits.
void phc_reg_add(struct phc_reg *reg, const struct timespec *phc, const struct timespec *sys,
                 double error_s);

// Converts a PHC time into system time with the current fit (offset only with a single point).
// Returns 0, or -EAGAIN when no point has been added yet.
int phc_reg_to_sys(const struct phc_reg *reg, const struct timespec *phc, struct timespec *sys);

// The PHC's frequency relative to the system clock, ppm (positive: the PHC runs fast). 0 with
// fewer than two points.
double phc_reg_freq_ppm(const struct phc_reg *reg);

#endif
