// SPDX-License-Identifier: ISC
// fuzz-libs: -lnettle
// fuzz-sources: daemon/net/client.c daemon/net/hwclock.c daemon/common/ntp_packet.c
// fuzz-sources: daemon/common/msg.c daemon/common/log.c daemon/common/log_limit.c
// fuzz-sources: hwts/timestamping.c hwts/sock.c hwts/phc.c hwts/phc_dev.c hwts/phc_regress.c
// fuzz-sources: hwts/hwtstamp.c
// fuzz-sources: hwts/tsinfo.c discipline/clock.c discipline/clock_system.c
// fuzz-sources: discipline/clock_virtual.c discipline/clock_none.c discipline/disc_status.c
// fuzz-sources: discipline/discipline.c discipline/disc_update.c discipline/filter.c
// fuzz-sources: discipline/loop.c discipline/sample.c discipline/select.c
// fuzz-sources: daemon/common/auth.c daemon/net/client_reply.c
// fuzz-sources: daemon/net/client_auth.c
// fuzz-sources: daemon/common/msg_nts.c
// fuzz-sources: daemon/nts/nts_client.c daemon/nts/nts_ef.c daemon/nts/nts_aead.c
// fuzz-sources: daemon/nts/nts_cookie.c daemon/nts/nts_keys.c
// fuzz-pkgs: libnl-genl-3.0
/*
 * libFuzzer target for the client reply path (daemon/net/client.c client_receive: the origin
 * check, KoD handling, make_sample): what any server, or anyone spoofing one, sends. Each input
 * is one exchange over loopback: the client sends its request (client_poll), then receives the
 * input as the reply, with the request's origin timestamp put in when the first octet's bit 0
 * is set (to get past the origin check). Invariants: a sample is what the parent accepts
 * (msg_check_payload), of the association's slot, at most one per request; a KoD DENY/RSTR
 * ends the association (it is opened again).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/net/client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cfg_source src = {.name = "127.0.0.1", .minpoll = 4, .maxpoll = 8, .version = 4};
static struct client c;
static struct client_pool pool;
static struct clk_map map;
static struct client_clock clock_now = {.map = &map, .generation = 1};
static struct sockaddr_in server_addr = {.sin_family = AF_INET};
static int server_fd = -1;
static double now = 100;

static void open_client(void)
{
    memset(&c, 0, sizeof(c));
    c.cfg = &src;
    c.slot = 7;
    if (client_open(&c, &pool, (struct sockaddr *)&server_addr, sizeof(server_addr), now) < 0)
        abort();
}

static void init(void)
{
    socklen_t len = sizeof(server_addr);

    clk_map_identity(&map);
    server_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    server_fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (server_fd < 0 || bind(server_fd, (struct sockaddr *)&server_addr, len) < 0 ||
        getsockname(server_fd, (struct sockaddr *)&server_addr, &len) < 0 ||
        client_pool_open(&pool, 1, 0, 0) != 1)
        abort();
    open_client();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t req[128], reply[1500];
    struct sockaddr_in from;
    socklen_t flen = sizeof(from);
    struct msg_sample s;
    enum client_event ev;
    int samples = 0;
    char err[160];

    if (server_fd < 0)
        init();
    if (size < 1 || size - 1 > sizeof(reply))
        return 0;
    now += 20;
    client_poll(&c, &clock_now, now);
    ssize_t n = recvfrom(server_fd, req, sizeof(req), 0, (struct sockaddr *)&from, &flen);
    if (n < 48)
        abort();
    memcpy(reply, data + 1, size - 1);
    if ((data[0] & 1) && size - 1 >= 48)
        memcpy(reply + 24, req + 40, 8); /* origin = the request's transmit timestamp */
    sendto(server_fd, reply, size - 1, 0, (struct sockaddr *)&from, flen);
    struct pollfd pfd = {.fd = c.fd, .events = POLLIN | POLLPRI};
    poll(&pfd, 1, 100);
    client_read_tx(&c, &clock_now, pfd.revents);
    while ((ev = client_receive(&c, &clock_now, now, POLLIN, &s)) != CLIENT_NOTHING) {
        if (ev == CLIENT_SAMPLE) {
            if (++samples > 1 || s.slot != c.slot ||
                msg_check_payload(MSG_SAMPLE, &s, err, sizeof(err)) < 0)
                abort();
        } else if (ev == CLIENT_KOD_STOP) {
            client_close(&c);
            open_client();
            break;
        }
    }
    return 0;
}
