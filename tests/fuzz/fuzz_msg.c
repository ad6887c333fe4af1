// SPDX-License-Identifier: ISC
// fuzz-sources: daemon/common/msg.c discipline/clock.c discipline/clock_system.c
// fuzz-sources: discipline/clock_virtual.c discipline/clock_none.c discipline/disc_status.c
// fuzz-sources: discipline/discipline.c discipline/disc_update.c discipline/filter.c
// fuzz-sources: discipline/loop.c discipline/sample.c discipline/select.c
// fuzz-sources: daemon/common/log.c
// fuzz-sources: daemon/common/log_limit.c
/*
 * libFuzzer target for the message schema: what a compromised network child can send the
 * privileged parent. msg_validate() must never read out of bounds, and whatever it accepts must
 * satisfy the invariants the parent relies on (finite values, slots in range, terminated strings).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/common/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_accepted(uint16_t type, const void *payload)
{
    if (type == MSG_SAMPLE) {
        const struct msg_sample *s = payload;
        if (s->slot >= MSG_NTP_SLOTS || !isfinite(s->root_delay_s) ||
            !isfinite(s->root_dispersion_s) || s->t1.nsec >= 1000000000)
            abort();
    } else if (type == MSG_SOURCE_ADD) {
        const struct msg_source_add *a = payload;
        if (a->slot >= MSG_NTP_SLOTS || memchr(a->name, 0, sizeof(a->name)) == NULL)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[MSG_MAX_SIZE];
    struct msg_header hdr;
    const void *payload;
    uint32_t seq;
    char err[160];

    if (size > sizeof(buf))
        return 0;
    memcpy(buf, data, size); /* aligned copy, as recv() into the parent's buffer */
    seq = size >= 12 ? ((const struct msg_header *)(const void *)buf)->seq : 1;
    if (msg_validate(buf, size, &seq, &hdr, &payload, err, sizeof(err)) == 0)
        check_accepted(hdr.type, payload);
    return 0;
}
