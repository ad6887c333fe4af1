// SPDX-License-Identifier: ISC
/* ntpd's status words; see ntpd_status.h. */
#include "daemon/common/ntpd_status.h"

#include <string.h>

static const char tallies[] = " x.-+#*o";

void ntpd_count_event(struct ntpd_events *e, unsigned code)
{
    unsigned ev = code & 0xfu;

    if (e->last != ev || e->count == 0)
        e->count = 0;
    e->last = (uint8_t)ev;
    if (e->count < NTPD_MAX_EVENT_COUNT)
        e->count++;
}

static unsigned event_bits(const struct ntpd_events *e)
{
    if (e == NULL)
        return 0;
    return (unsigned)(e->count & 0xfu) << 4 | (e->last & 0xfu);
}

uint16_t ntpd_sys_status(unsigned leap, unsigned source, const struct ntpd_events *e)
{
    return (uint16_t)((leap & 3u) << 14 | (source & 0x3fu) << 8 | event_bits(e));
}

uint16_t ntpd_peer_status(unsigned flags, unsigned selection, const struct ntpd_events *e)
{
    return (uint16_t)((flags & 0xf8u) << 8 | (selection & 7u) << 8 | event_bits(e));
}

char ntpd_tally(unsigned selection)
{
    return tallies[selection & 7u];
}

unsigned ntpd_selection_of_tally(char tally)
{
    const char *t = tally != '\0' ? strchr(tallies, tally) : NULL;

    return t != NULL ? (unsigned)(t - tallies) : NTPD_SEL_REJECT;
}

const char *ntpd_selection_name(unsigned selection)
{
    static const char *const names[] = {"reject",    "falsetick", "excess",   "outlier",
                                        "candidate", "backup",    "sys.peer", "pps.peer"};
    return names[selection & 7u];
}

const char *ntpd_source_name(unsigned source)
{
    static const char *const names[] = {
        "sync_unspec", "sync_pps", "sync_lf_radio", "sync_hf_radio",   "sync_uhf_radio",
        "sync_local",  "sync_ntp", "sync_other",    "sync_wristwatch", "sync_telephone",
    };
    return source < sizeof(names) / sizeof(names[0]) ? names[source] : "sync_unknown";
}
