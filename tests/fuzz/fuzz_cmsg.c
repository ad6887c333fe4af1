// SPDX-License-Identifier: ISC
// fuzz-sources: hwts/timestamping.c hwts/sock.c
/*
 * libFuzzer target for control-message parsing (hwts/timestamping.c ts_parse_rx, ts_parse_tx):
 * the kernel writes these buffers, but a parser that trusts cmsg_len reads out of bounds when
 * a buffer is truncated (MSG_CTRUNC) or a simulator fills it. The input is the control buffer
 * itself (aligned, as recvmsg() leaves it); the first octet sets msg_flags. Invariants: no read
 * beyond msg_controllen; every time returned is normalised (0 <= tv_nsec < 1e9).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "hwts/timestamping.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_time(const struct timespec *t)
{
    if (t->tv_nsec < 0 || t->tv_nsec >= 1000000000L)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct timespec user_now = {1790000000, 123456789};
    struct ts_rx rx;
    struct ts_tx tx;

    if (size < 1 || size > 4096)
        return 0;
    /* a buffer of exactly the input's size: ASan sees any read past msg_controllen */
    void *control = size > 1 ? malloc(size - 1) : NULL;
    if (size > 1 && control == NULL)
        return 0;
    if (size > 1)
        memcpy(control, data + 1, size - 1);
    struct msghdr mh = {
        .msg_control = control,
        .msg_controllen = size - 1,
        .msg_flags = data[0] & 1 ? MSG_CTRUNC : 0,
    };
    enum ts_source src = ts_parse_rx(&mh, &user_now, &rx);
    if (src != rx.source)
        abort();
    check_time(&rx.ts);
    if (ts_parse_tx(&mh, &tx) == 0 && tx.source == TS_SRC_KERNEL)
        check_time(&tx.ts);
    free(control);
    return 0;
}
