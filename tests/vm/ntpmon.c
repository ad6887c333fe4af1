// SPDX-License-Identifier: ISC
/*
 * ntpmon: an independent monitor of the guest clock's offset to an NTP server, for the igb
 * benchmark (tests/vm/bench_igb.sh). It only reads the clock.
 *
 *   ntpmon SERVER_IPV4 COUNT INTERVAL_S
 *
 * Every INTERVAL_S (CLOCK_MONOTONIC_RAW, so the daemon under test cannot stretch it) a burst of
 * 4 mode 3 requests 50 ms apart; the reply with the smallest round trip gives the line
 *   MON <n> <guest - server, s> <round trip, s>
 * t1 is read just before send(), t4 is the kernel's receive stamp (SO_TIMESTAMPNS). A burst
 * without a valid reply prints "MON <n> lost". Exits 2 on a usage or socket error.
 */
#include "config.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "tests/vm/probe.h"

#define NTP_UNIX_OFFSET 2208988800.0 /* 1900 to 1970, s */
#define BURST           4
#define BURST_GAP_S     0.05

static double ntp_to_unix(const uint8_t *p)
{
    uint32_t sec = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    uint32_t frac = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
    return sec - NTP_UNIX_OFFSET + frac / 4294967296.0;
}

static double seconds(struct timespec ts)
{
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The kernel's receive stamp of the message, s (NAN without one). */
static double rx_stamp(struct msghdr *m)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec ts;
            memcpy(&ts, CMSG_DATA(c), sizeof(ts));
            return seconds(ts);
        }
    }
    return NAN;
}

/* One exchange: 0 and the offset (guest - server) and round trip, s; -1 if none came back. */
static int exchange(int fd, double *offset_s, double *delay_s)
{
    uint8_t req[48] = {0x23}, reply[128]; /* LI 0, VN 4, mode 3 */
    union {
        char buf[CMSG_SPACE(sizeof(struct timespec))];
        struct cmsghdr align;
    } control;
    struct iovec iov = {.iov_base = reply, .iov_len = sizeof(reply)};
    struct msghdr m = {.msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = control.buf,
                       .msg_controllen = sizeof(control.buf)};
    struct timespec now;

    for (int i = 40; i < 48; i++) /* a random transmit field: the origin to check */
        req[i] = (uint8_t)rand();
    clock_gettime(CLOCK_REALTIME, &now);
    double t1 = seconds(now);
    if (send(fd, req, sizeof(req), 0) != sizeof(req))
        return -1;
    ssize_t n = recvmsg(fd, &m, 0);
    double t4 = rx_stamp(&m);
    if (n < 48 || (reply[0] & 7) != 4 || memcmp(reply + 24, req + 40, 8) != 0 || isnan(t4))
        return -1;
    double t2 = ntp_to_unix(reply + 32), t3 = ntp_to_unix(reply + 40);
    *offset_s = -((t2 - t1) + (t3 - t4)) / 2;
    *delay_s = (t4 - t1) - (t3 - t2);
    return 0;
}

static int open_socket(const char *server)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(123)};
    struct timeval timeout = {.tv_sec = 1};
    int on = 1, fd = socket(AF_INET, SOCK_DGRAM, 0);

    if (fd < 0 || inet_pton(AF_INET, server, &sa.sin_addr) != 1 ||
        setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) < 0 ||
        connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return -1;
    return fd;
}

int main(int argc, char **argv)
{
    int fd = argc == 4 ? open_socket(argv[1]) : -1;
    long count = argc == 4 ? strtol(argv[2], NULL, 10) : 0;
    double interval_s = argc == 4 ? strtod(argv[3], NULL) : 0;

    if (fd < 0 || count <= 0 || !(interval_s >= BURST * BURST_GAP_S)) {
        fprintf(stderr, "usage: ntpmon SERVER_IPV4 COUNT INTERVAL_S (>= %.1f)\n",
                BURST * BURST_GAP_S);
        return 2;
    }
    srand((unsigned)getpid());
    for (long i = 0; i < count; i++) {
        double best_offset = NAN, best_delay = INFINITY, offset, delay;
        for (int k = 0; k < BURST; k++) {
            if (exchange(fd, &offset, &delay) == 0 && delay < best_delay)
                best_offset = offset, best_delay = delay;
            probe_sleep_s(BURST_GAP_S);
        }
        if (isnan(best_offset))
            printf("MON %ld lost\n", i);
        else
            printf("MON %ld %.9f %.9f\n", i, best_offset, best_delay);
        fflush(stdout);
        probe_sleep_s(interval_s - BURST * BURST_GAP_S);
    }
    close(fd);
    return 0;
}
