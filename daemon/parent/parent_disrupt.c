// SPDX-License-Identifier: ISC
/* A disruption of the clock (VMClock): unsynchronised at once, samples forgotten, a burst. */
#include <stdio.h>

#include "daemon/parent/parent_int.h"
#include "daemon/parent/parent_observe.h"

void parent_clock_disrupted(struct parent *p, const char *why, double now)
{
    struct msg_burst burst = {.reason = MSG_BURST_VMCLOCK};

    log_warning("clock disrupted (%s): not synchronised until the sources are measured again; "
                "their samples are dropped and every source is polled in a burst",
                why);
    p->obs.disrupted = true;
    p->obs.just_disrupted = true;
    /* The old samples describe a counter that is no more: the discipline forgets them and
     * reports "not synchronised" from now on, also in the snapshot sent below. */
    disc_reset_samples(p->disc);
    if (p->unsync_since < 0)
        p->unsync_since = now;
    snprintf(p->reason, sizeof(p->reason), "clock disrupted (%s), measuring the sources again",
             why);
    /*
     * LEAD: a VMClock disruption is evidence the parent gathered itself (a hypervisor page, not
     * a packet): it lifts the bound on how far the network child's samples may move the clock,
     * so that the correction measured after a live migration or a snapshot restore (seconds to
     * hours) is accepted. Wire the bound's exemption here, e.g. p->disruption_time = now.
     */
    if (p->child != NULL && chan_send(p->child, MSG_BURST, &p->tx_seq, &burst, sizeof(burst)) < 0)
        log_warning("cannot ask the network child for a burst: %m");
    parent_publish(p, now);
}
