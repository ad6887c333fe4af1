// SPDX-License-Identifier: ISC
// struct phc, shared by phc.c (sampling) and phc_dev.c (the real device). Not a public API.

#ifndef TSYNC_HWTS_PHC_INTERNAL_H
#define TSYNC_HWTS_PHC_INTERNAL_H

#include "hwts/phc.h"

struct phc {
    const struct phc_dev_ops *ops;
    void *ctx;              // passed to every operation
    bool owns_ctx;          // phc_open() allocated ctx (a struct phc_kernel_dev)
    enum phc_method method; // remembered after the first successful sample
    int n_readings;         // readings per sample
    double budget_per_s;    // device reads per second allowed
    double tokens;          // reads available now (token bucket)
    int64_t last_refill_ns; // monotonic time of the last refill, ns
};

// Parses the text of a phc_error_bound sysfs attribute (decimal ns, optional newline) into
// `bound_ns`. Returns 0 or -EINVAL.
int phc_parse_error_bound(const char *text, int64_t *bound_ns);

#endif
