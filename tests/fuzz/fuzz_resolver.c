// SPDX-License-Identifier: ISC
// fuzz-sources: daemon/resolver/resolver.c daemon/common/chan.c daemon/common/msg.c
// fuzz-sources: daemon/common/log.c daemon/common/log_limit.c
// fuzz-sources: discipline/clock.c discipline/clock_system.c discipline/clock_virtual.c
// fuzz-sources: discipline/clock_none.c discipline/disc_status.c discipline/discipline.c
// fuzz-sources: discipline/disc_update.c discipline/filter.c discipline/loop.c
// fuzz-sources: discipline/sample.c discipline/select.c
// fuzz-sources: daemon/common/msg_nts.c
/*
 * libFuzzer target for the resolver's answers as the network child reads them
 * (daemon/resolver/resolver.c resolver_client_read, check_answer): the resolver parses DNS from
 * the network and may be compromised. The child asks for two names, then reads the datagrams
 * of the input: [1 octet: 1 = give it a valid header (version, type, length, sequence), 0 = raw;
 * 2 octets: length; the octets]. Invariants: an answer is returned only for the request in
 * flight, with a count and families in range; once broken, the client stays broken.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/resolver/resolver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct msg_resolved *r, uint32_t want_id)
{
    if (r->id != want_id || r->count > MSG_MAX_ADDRS || (r->error != 0 && r->count != 0))
        abort();
    for (uint32_t i = 0; i < r->count; i++) {
        if (r->addrs[i].family != AF_INET && r->addrs[i].family != AF_INET6)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t dgram[MSG_MAX_SIZE + 16];
    uint32_t ids[2], seq = 1;
    int sv[2], answered = 0;
    bool broken = false;
    struct chan ch;

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv) < 0)
        abort();
    chan_init_socket(&ch, sv[0]);
    struct resolver_client *rc = resolver_client_create(&ch);
    if (rc == NULL || resolver_client_request(rc, "pool.example", 0, &ids[0]) < 0 ||
        resolver_client_request(rc, "192.0.2.1", 4, &ids[1]) < 0)
        abort();
    while (size >= 3) {
        size_t len = (size_t)data[1] << 8 | data[2];
        bool framed = data[0] & 1;
        struct msg_resolved r;

        data += 3;
        size -= 3;
        if (len > size)
            len = size;
        if (len > sizeof(dgram))
            len = sizeof(dgram);
        memcpy(dgram, data, len);
        data += len;
        size -= len;
        if (framed) {
            struct msg_header h = {.version = MSG_VERSION,
                                   .type = MSG_RESOLVED,
                                   .length = sizeof(h) + sizeof(struct msg_resolved),
                                   .seq = seq++};
            memset(dgram + len, 0, sizeof(dgram) - len);
            memcpy(dgram, &h, sizeof(h));
            len = h.length;
        }
        if (send(sv[1], dgram, len, MSG_DONTWAIT) < 0)
            break;
        int got = resolver_client_read(rc, &r);
        if (got == 1 && (broken || answered >= 2))
            abort();
        if (got == 1)
            check(&r, ids[answered++]);
        broken |= got < 0;
    }
    resolver_client_destroy(rc);
    close(sv[1]);
    return 0;
}
