// SPDX-License-Identifier: ISC
/*
 * NIC clocks of the interfaces with hardware timestamping (prefix hwclock_), in the network
 * child: each interface's PHC is read every HWCLOCK_SAMPLE_INTERVAL_S and a regression of PHC
 * against CLOCK_MONOTONIC_RAW (a clock nobody steers: not tsyncd's frequency corrections, not
 * its steps) converts raw hardware packet timestamps into that scale; the raw time is then
 * turned into host CLOCK_REALTIME with a pair of readings taken at the conversion, so the
 * relation never lags tsyncd's own corrections of the system clock and cannot feed back into
 * the loop. The parent enables hardware timestamping and opens the PHCs while privileged
 * (hwclock_setup); the child inherits the open handles.
 */
#ifndef TSYNC_DAEMON_HWCLOCK_H
#define TSYNC_DAEMON_HWCLOCK_H

#include <stdbool.h>
#include <time.h>

#include "daemon/config/config.h"
#include "hwts/phc_regress.h"

#define HWCLOCK_MAX               8
#define HWCLOCK_SAMPLE_INTERVAL_S 2.0
#define HWCLOCK_READINGS          5
#define HWCLOCK_JUMP_S            0.001 /* readings this far off the fit: the PHC jumped */
#define HWCLOCK_JUMP_CONFIRM      2     /* ... that many in a row (one odd reading is noise) */

struct phc;

struct hwclock {
    int if_index;
    char ifname[16];
    struct phc *phc;
    struct phc_reg reg; /* "sys" of the fit: CLOCK_MONOTONIC_RAW */
    double next_sample; /* monotonic s */
    int far_readings;   /* consecutive readings off the fit by more than HWCLOCK_JUMP_S */
};

struct hwclock_set {
    struct hwclock clocks[HWCLOCK_MAX];
    int n;
};

/* Parent, privileged: enable hardware timestamping on the `hwtimestamp` interfaces ("*": every
 * interface that has it) and open their PHCs. Problems are logged; interfaces that cannot be
 * used are skipped (kernel timestamps remain). */
void hwclock_setup(const struct cfg *cfg, struct hwclock_set *set);
void hwclock_close(struct hwclock_set *set);

/* Parent: a `hwtimestamp` interface came (back) up: drivers often reset the device-global
 * setting on a link reset, so enable it again (needs CAP_NET_ADMIN, kept for this alone). */
void hwclock_link_up(const struct hwclock_set *set, const char *ifname);

/* Child: read the PHCs that are due. Returns seconds until the next reading is due. */
double hwclock_poll(struct hwclock_set *set, double now);

/* Convert a raw hardware timestamp of interface if_index (0: the only interface, if there is
 * just one) to host CLOCK_REALTIME. false when there is no usable conversion yet. */
bool hwclock_to_host(const struct hwclock_set *set, int if_index, const struct timespec *raw,
                     struct timespec *host);

#endif
