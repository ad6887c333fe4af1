// SPDX-License-Identifier: ISC
/*
 * NIC clocks of the interfaces with hardware timestamping (prefix hwclock_), in the network
 * child: each interface's PHC is read every HWCLOCK_SAMPLE_INTERVAL_S and a regression of PHC
 * against host CLOCK_REALTIME converts raw hardware packet timestamps into host time. The
 * parent enables hardware timestamping and opens the PHCs while privileged (hwclock_setup);
 * the child inherits the open handles.
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
#define HWCLOCK_JUMP_S            0.001 /* a reading this far off the fit: the PHC jumped */

struct phc;

struct hwclock {
    int if_index;
    char ifname[16];
    struct phc *phc;
    struct phc_reg reg;
    double next_sample; /* monotonic s */
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

/* The host clock was stepped: forget every PHC/host pair (they straddle the step). */
void hwclock_reset(struct hwclock_set *set);

/* Child: read the PHCs that are due. Returns seconds until the next reading is due. */
double hwclock_poll(struct hwclock_set *set, double now);

/* Convert a raw hardware timestamp of interface if_index (0: the only interface, if there is
 * just one) to host CLOCK_REALTIME. false when there is no usable conversion yet. */
bool hwclock_to_host(const struct hwclock_set *set, int if_index, const struct timespec *raw,
                     struct timespec *host);

#endif
