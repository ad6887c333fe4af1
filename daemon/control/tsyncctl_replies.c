// SPDX-License-Identifier: ISC
/* `tsyncctl sources -v`: what became of each source's replies (daemon/common/msg.h
 * enum msg_reject), and the mode of its last sample. */
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
