// SPDX-License-Identifier: ISC
/* Basic NTP server: one reply per valid client request, from the parent's snapshot. */
#include "daemon/server.h"

#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#include "daemon/ntp_packet.h"
#include "hwts/timestamping.h"

#define SERVER_PRECISION_LOG2 (-24) /* about 60 ns: kernel timestamps, ns clock */

static void server_state(const struct msg_snapshot *snap, struct ntp_server_state *st)
{
    memset(st, 0, sizeof(*st));
    st->precision = SERVER_PRECISION_LOG2;
    if (snap == NULL || snap->sync_state == MSG_SYNC_UNSYNCHRONISED) {
        st->leap = 3;
        st->stratum = 16;
        if (snap != NULL)
            st->reference_ts = 0;
        return;
    }
    struct timespec ref = msg_time_to_timespec(snap->ref_time);
    st->leap = snap->leap;
    st->stratum = snap->stratum;
    st->root_delay = snap->root_delay_s;
    st->root_dispersion = snap->root_dispersion_s;
    st->refid[0] = (uint8_t)(snap->refid >> 24);
    st->refid[1] = (uint8_t)(snap->refid >> 16);
    st->refid[2] = (uint8_t)(snap->refid >> 8);
    st->refid[3] = (uint8_t)snap->refid;
    st->reference_ts = ref.tv_sec > 0 ? ntp_ts64_from_timespec(&ref) : 0;
}

/* Returns the reply length (48) or 0 when the request gets no answer. */
static size_t build_reply(const uint8_t *req, size_t len, uint64_t rx_ts,
                          const struct ntp_server_state *st, const struct clk_map *map,
                          uint8_t *reply)
{
    struct ntp_header h, r;
    struct timespec now;

    if (len < NTP_HEADER_LEN || ntp_header_decode(req, len, &h) < 0 || h.mode != NTP_MODE_CLIENT)
        return 0;
    now = clk_map_now(map);
    if (ntp_build_reply(&h, st, rx_ts, ntp_ts64_from_timespec(&now), &r) < 0)
        return 0;
    return ntp_header_encode(&r, reply, NTP_HEADER_LEN) == NTP_HEADER_LEN ? NTP_HEADER_LEN : 0;
}

static int handle_one(int fd, const struct clk_map *map, const struct ntp_server_state *st,
                      struct server_stats *stats)
{
    uint8_t buf[1280], reply[NTP_HEADER_LEN];
    char control[TS_CONTROL_LEN];
    struct sockaddr_storage from;
    struct iovec iov = {buf, sizeof(buf)};
    struct msghdr mh = {
        .msg_name = &from,
        .msg_namelen = sizeof(from),
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control,
        .msg_controllen = sizeof(control),
    };
    struct timespec user_now, rx_time;
    struct ts_rx rx;
    ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
    size_t rlen;

    if (n < 0)
        return -1;
    clock_gettime(CLOCK_REALTIME, &user_now);
    ts_parse_rx(&mh, &user_now, &rx);
    rx_time = clk_map_apply(map, rx.ts);
    rlen = build_reply(buf, (size_t)n, ntp_ts64_from_timespec(&rx_time), st, map, reply);
    if (rlen == 0 || (mh.msg_flags & MSG_TRUNC)) {
        stats->dropped++;
        return 0;
    }
    if (sendto(fd, reply, rlen, 0, (struct sockaddr *)&from, mh.msg_namelen) != (ssize_t)rlen)
        stats->send_errors++;
    else
        stats->served++;
    return 0;
}

void server_handle(int fd, const struct clk_map *map, const struct msg_snapshot *snap,
                   struct server_stats *stats)
{
    struct ntp_server_state st;
    int i;

    server_state(snap, &st);
    for (i = 0; i < SERVER_BATCH; i++) {
        if (handle_one(fd, map, &st, stats) < 0)
            break;
    }
}
