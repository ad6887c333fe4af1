// SPDX-License-Identifier: ISC
// fuzz-sources: daemon/control/control.c daemon/common/msg.c
// fuzz-sources: daemon/common/log.c daemon/common/log_limit.c
// fuzz-sources: discipline/clock.c discipline/clock_system.c discipline/clock_virtual.c
// fuzz-sources: discipline/clock_none.c discipline/disc_status.c discipline/discipline.c
// fuzz-sources: discipline/disc_update.c discipline/filter.c discipline/loop.c
// fuzz-sources: discipline/sample.c discipline/select.c
// fuzz-sources: daemon/common/msg_nts.c
/*
 * libFuzzer target for control requests (daemon/control/control.c): any local user may connect
 * to the control socket the network child serves. One connection per input, then its datagrams:
 * [1 octet: 1 = with a valid header (version, MSG_CTL_REQUEST, length, sequence), 0 = raw;
 * 2 octets: length; the octets]. Invariants: every answer is a valid MSG_SNAPSHOT answering a
 * valid request (never more answers than valid requests), and the server survives everything.
 */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/control/control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct control *ctl;
static struct sockaddr_un addr = {.sun_family = AF_UNIX};
static double now_s = 100;

static void pump(void)
{
    for (int round = 0; round < 3; round++) {
        struct pollfd fds[CONTROL_POLLFDS];
        int n = control_pollfds(ctl, fds, CONTROL_POLLFDS);

        poll(fds, (nfds_t)n, 0);
        control_handle(ctl, fds, n, NULL, now_s);
    }
}

/* Answers waiting on fd (*seq: the next one's sequence number): each must validate as a
 * snapshot; returns how many. */
static int answers(int fd, uint32_t *seq)
{
    static uint8_t buf[MSG_MAX_SIZE];
    int n = 0;
    ssize_t len;

    while ((len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
        struct msg_header hdr;
        const void *payload;
        char err[160];

        if (msg_validate(buf, (size_t)len, seq, &hdr, &payload, err, sizeof(err)) < 0 ||
            hdr.type != MSG_SNAPSHOT)
            abort();
        n++;
    }
    return n;
}

static void init(void)
{
    char err[256];

    snprintf(addr.sun_path, sizeof(addr.sun_path), "/tmp/tsyncd-fuzz-ctl.%ld", (long)getpid());
    int fd = control_listen(addr.sun_path, err, sizeof(err));
    if (fd < 0 || (ctl = control_create(fd)) == NULL)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t dgram[4096];
    int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0), valid = 0, got = 0;
    uint32_t seq = 1, answer_seq = 1;

    if (ctl == NULL)
        init();
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        abort();
    pump();
    while (size >= 3) {
        size_t len = (size_t)data[1] << 8 | data[2];
        bool framed = data[0] & 1;

        data += 3;
        size -= 3;
        len = len > size ? size : len;
        len = len > sizeof(dgram) ? sizeof(dgram) : len;
        memcpy(dgram, data, len);
        data += len;
        size -= len;
        if (framed) {
            struct msg_header h = {.version = MSG_VERSION,
                                   .type = MSG_CTL_REQUEST,
                                   .length = sizeof(h) + sizeof(struct msg_source_ref),
                                   .seq = seq++};
            memset(dgram + len, 0, sizeof(dgram) - len);
            memcpy(dgram, &h, sizeof(h));
            len = h.length;
            valid++;
        }
        if (send(fd, dgram, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
            break;
        pump();
        got += answers(fd, &answer_seq);
    }
    close(fd);
    now_s += 1;
    pump();
    if (got > valid)
        abort();
    return 0;
}
