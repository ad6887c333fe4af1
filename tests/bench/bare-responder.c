// SPDX-License-Identifier: ISC
/*
 * bare-responder: the machine's limit for an NTP server on this path. Answers every datagram on
 * UDP PORT with a fixed 48-octet mode 4 reply whose origin timestamp is the request's transmit
 * timestamp, with recvmmsg()/sendmmsg() and nothing else (no clock reads, no checks, no
 * timestamps). For benchmarks only (tests/bench/server-bench.sh); stops on SIGTERM/SIGINT.
 *
 * Usage: bare-responder PORT
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH   64
#define PKT_LEN 48
#define BUF_LEN 1500

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int bind_port(unsigned port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), size = 4 << 20;

    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        perror("bare-responder: bind");
        exit(1);
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
    return fd;
}

int main(int argc, char **argv)
{
    static uint8_t req[BATCH][BUF_LEN], reply[BATCH][PKT_LEN];
    static struct sockaddr_in from[BATCH];
    struct mmsghdr rx[BATCH], tx[BATCH];
    struct iovec rx_iov[BATCH], tx_iov[BATCH];
    struct sigaction sa = {.sa_handler = on_signal};
    int fd;

    if (argc != 2)
        return 2;
    fd = bind_port((unsigned)atoi(argv[1]));
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    while (!stop) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int n, k = 0;

        if (poll(&p, 1, 200) <= 0)
            continue;
        memset(rx, 0, sizeof(rx));
        for (int i = 0; i < BATCH; i++) {
            rx_iov[i] = (struct iovec){req[i], BUF_LEN};
            rx[i].msg_hdr = (struct msghdr){.msg_name = &from[i],
                                            .msg_namelen = sizeof(from[i]),
                                            .msg_iov = &rx_iov[i],
                                            .msg_iovlen = 1};
        }
        n = recvmmsg(fd, rx, BATCH, MSG_DONTWAIT, NULL);
        for (int i = 0; i < n; i++) {
            if (rx[i].msg_len < PKT_LEN)
                continue;
            memset(reply[k], 0, PKT_LEN);
            reply[k][0] = 4 << 3 | 4; /* LI 0, VN 4, mode 4 */
            reply[k][1] = 1;          /* stratum 1 */
            memcpy(reply[k] + 24, req[i] + 40, 8);
            tx_iov[k] = (struct iovec){reply[k], PKT_LEN};
            tx[k].msg_hdr = (struct msghdr){.msg_name = &from[i],
                                            .msg_namelen = rx[i].msg_hdr.msg_namelen,
                                            .msg_iov = &tx_iov[k],
                                            .msg_iovlen = 1};
            k++;
        }
        if (k > 0)
            sendmmsg(fd, tx, (unsigned)k, 0);
    }
    return 0;
}
