// SPDX-License-Identifier: ISC
/* `tsyncctl sources -v`: what became of each source's replies (daemon/common/msg.h
 * enum msg_reject), and the mode of its last sample; the NTS state of an NTS source. */
#include <stdio.h>

#include "daemon/control/tsyncctl_format.h"

const char *ctlfmt_reject_name(int reason)
{
    static const char *const names[MSG_REJECT_COUNT] = {
        [MSG_REJECT_STALE] = "stale (clock stepped)",
        [MSG_REJECT_INVALID] = "invalid timestamps",
        [MSG_REJECT_TOO_SOON] = "too soon",
        [MSG_REJECT_POPCORN] = "delay outlier",
        [MSG_REJECT_UNSYNC] = "server unsynchronised",
        [MSG_REJECT_PENDING] = "held (large offset)",
        [MSG_REJECT_MALFORMED] = "malformed",
        [MSG_REJECT_ORIGIN] = "not our request (late, duplicate, spoofed)",
        [MSG_REJECT_KOD] = "kiss-o'-death",
        [MSG_REJECT_OUT_OF_RANGE] = "values out of range",
        [MSG_REJECT_AUTH] = "authentication failed",
        [MSG_REJECT_NO_PREVIOUS] = "interleaved, previous exchange used or lost",
    };
    return reason >= 0 && reason < MSG_REJECT_COUNT && names[reason] ? names[reason] : "?";
}

void ctlfmt_source_replies(FILE *out, const struct msg_source_state *src)
{
    int r, any = 0;

    fprintf(out, "    replies %u, last sample %s mode; not used:", (unsigned)src->replies,
            src->interleaved ? "interleaved" : "basic");
    for (r = 0; r < MSG_REJECT_COUNT; r++) {
        if (src->rejected[r] == 0)
            continue;
        fprintf(out, "%s %u %s", any++ ? "," : "", (unsigned)src->rejected[r],
                ctlfmt_reject_name(r));
    }
    fprintf(out, "%s\n", any ? "" : " none");
}

/* ", NTS: ..." for an NTS source: its state, cookies, last NTS-KE, failures. */
void ctlfmt_source_nts(FILE *out, const struct msg_source_state *src)
{
    static const char *const states[] = {"", "NTS-KE in progress", "authenticated",
                                         "NTS-KE failed, not authenticated",
                                         "no NTS-KE process, not authenticated"};
    static const char *const why[] = {"",         "no connection", "TLS", "certificate",
                                      "protocol", "timeout",       "busy"};
    char age[16];

    if (src->nts_state == MSG_NTS_NONE || src->nts_state > MSG_NTS_UNAVAILABLE)
        return;
    ctlfmt_interval(src->nts_ke_age_s, age, sizeof(age));
    fprintf(out, ", NTS: %s, %u cookies, ", states[src->nts_state], (unsigned)src->nts_cookies);
    if (src->nts_ke_age_s >= 0)
        fprintf(out, "last NTS-KE %s%s ago", age, src->nts_ke_age_s < 2048 ? " s" : "");
    else
        fprintf(out, "no NTS-KE done");
    fprintf(out, ", %u NTS-KE failures", src->nts_ke_failures);
    if (src->nts_ke_status != 0 && src->nts_ke_status < sizeof(why) / sizeof(why[0]))
        fprintf(out, " (last: %s)", why[src->nts_ke_status]);
    if (src->nts_naks > 0)
        fprintf(out, ", %u NTS NAKs", src->nts_naks);
    if (src->rejected[MSG_REJECT_AUTH] > 0)
        fprintf(out, ", %u replies not authentic", src->rejected[MSG_REJECT_AUTH]);
}
