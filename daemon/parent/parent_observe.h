// SPDX-License-Identifier: ISC
/*
 * What the parent publishes for applications and watches for disruptions (prefix
 * parent_observe_): the ClockBound segment (daemon/parent/clockbound.h), written after every
 * update, and the VMClock device (daemon/parent/vmclock.h), checked at every update (at least
 * once per second). Both are opened while privileged, before the chroot.
 */
#ifndef TSYNC_DAEMON_PARENT_OBSERVE_H
#define TSYNC_DAEMON_PARENT_OBSERVE_H

#include <stdbool.h>

#include "daemon/parent/clockbound.h"
#include "daemon/parent/vmclock.h"

struct parent;
struct disc_status;

struct parent_observe {
    struct cb_writer clockbound; /* seg NULL: no `clockbound` line, or it could not be opened */
    struct vmclock vmclock;      /* page NULL: no VMClock */
    bool ever_synchronised;
    bool disrupted;      /* a disruption, and the sources not measured enough since */
    bool just_disrupted; /* in the update that noticed it (its status predates the reset) */
};

/* Samples of the system peer after a disruption before the clock counts as synchronised
 * again (the burst sends 6). */
#define PARENT_DISRUPTION_SAMPLES 4

/* Open the `clockbound` segment and the VMClock device of the configuration (warnings only: a
 * failure never stops the start). */
void parent_observe_open(struct parent *p);
/* Unmap both (the parent at exit, and every forked child: none may keep the mappings). */
void parent_observe_close(struct parent *p);
/* After every discipline update (st: its status): check the VMClock, then publish the bound. */
void parent_observe_update(struct parent *p, const struct disc_status *st, double now);

/*
 * The clock was disrupted (VMClock: live migration, snapshot restore; why says how): log it,
 * mark the clock unsynchronised at once, forget every source's samples, and make every client
 * association poll in a burst (MSG_BURST). The clock counts as unsynchronised (snapshot,
 * status, bound "disrupted") until the system peer has PARENT_DISRUPTION_SAMPLES new samples.
 * (daemon/parent/parent_disrupt.c)
 */
void parent_clock_disrupted(struct parent *p, const char *why, double now);

#endif
