// SPDX-License-Identifier: ISC
/* The clock changed under the discipline (a VMClock disruption, `date -s` by someone else, a
 * suspend): the bound is lifted, the samples are forgotten, every source is polled in a burst. */
#include <stdio.h>

#include "daemon/parent/parent_int.h"
#include "daemon/parent/parent_observe.h"

/* The old samples describe a clock that is no more: the discipline forgets them and reports
 * "not synchronised" until the sources are measured again, at once (a burst). The bound on
 * the samples is lifted: this is evidence the parent gathered itself, not a packet. */
static void measure_again(struct parent *p, uint32_t burst_reason, const char *why, double now)
{
    struct msg_burst burst = {.reason = burst_reason};

    parent_guard_release(p, why);
    disc_reset_samples(p->disc);
    if (p->unsync_since < 0)
        p->unsync_since = now;
    /* re-measuring is no failure: a warning only if it takes longer than a poll interval */
    p->remeasuring = true;
    parent_reset_warning(p, now);
    if (p->child != NULL && chan_send(p->child, MSG_BURST, &p->tx_seq, &burst, sizeof(burst)) < 0)
        log_warning("cannot ask the network child for a burst: %m");
    parent_publish(p, now);
}

void parent_clock_disrupted(struct parent *p, const char *why, double now)
{
    char reason[160];

    log_warning("clock disrupted (%s): not synchronised until the sources are measured again; "
                "their samples are dropped and every source is polled in a burst",
                why);
    p->obs.disrupted = true;
    p->obs.just_disrupted = true;
    snprintf(p->reason, sizeof(p->reason), "clock disrupted (%s), measuring the sources again",
             why);
    snprintf(reason, sizeof(reason), "VMClock disruption (%s)", why);
    measure_again(p, MSG_BURST_VMCLOCK, reason, now);
}

void parent_clock_changed(struct parent *p, bool resumed, const char *why, double now)
{
    log_warning("%s: the sources are measured again (a burst) and the clock corrected", why);
    snprintf(p->reason, sizeof(p->reason), "%s, measuring the sources again", why);
    measure_again(p, resumed ? MSG_BURST_RESUMED : MSG_BURST_CLOCK_SET, why, now);
}
