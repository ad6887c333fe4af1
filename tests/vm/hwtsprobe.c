// SPDX-License-Identifier: ISC
/*
 * hwtsprobe: tsyncd's timestamping modules (hwts/) on a real NIC driver, as an NTP client does.
 *
 *   hwtsprobe IFACE SERVER_IPV4
 *
 * ts_info_get() finds hardware TX stamping and a PHC; ts_hw_enable() settles on what the NIC
 * grants (igb: TX on, RX filters refused with ERANGE, so TX only); ts_enable() asks the socket
 * for hardware stamps; then a few NTP client requests go to SERVER:123 and for each one the
 * hardware TX stamp from the error queue (converted with a phc_sample of the NIC's PHC) must
 * lie close to the kernel TX stamp, and the reply must carry a kernel RX stamp and no hardware
 * one: the kernel-timestamp fallback for RX. Needs CAP_NET_ADMIN; changes the NIC's stamping
 * configuration (device-global), so it refuses to run outside the vmrun test guest.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hwts/hwtstamp.h"
#include "hwts/phc.h"
#include "hwts/timestamping.h"
#include "hwts/tsinfo.h"
#include "tests/vm/probe.h"

#define REQUESTS       3
#define NTP_PACKET_LEN 48
#define NTP_PORT       123
#define WAIT_MS        2000
/* Hardware and kernel TX stamps of one datagram, the hardware one converted: under emulation
 * the NIC may stamp the first datagram a few milliseconds after the kernel (seen: 2.4 ms on a
 * loaded host). A stamp left unconverted would be 1000 s off (the test sets the PHC so). */
#define TX_AGREEMENT_NS 20000000

/* The NIC's capabilities and its configuration after ts_hw_enable(). */
static bool setup_nic(const char *ifname, int sock)
{
    struct ts_info info;
    int err = ts_info_get(ifname, &info);
    if (!probe_check(err == 0, "ts_info_get(%s)%s%s", ifname, err ? ": " : "",
                     err ? strerror(-err) : ""))
        return false;
    probe_check(ts_info_hw_tx(&info) && info.phc_index >= 0,
                "%s advertises hardware TX stamps (tx_types 0x%x) and PHC %d", ifname,
                info.tx_types, info.phc_index);
    struct ts_hw_state st;
    err = ts_hw_enable(&ts_hw_kernel_ops, &sock, ifname, &info, &st);
    return probe_check(err == 0 && st.tx && !st.rx,
                       "ts_hw_enable: TX on, RX refused (tx_type %d, rx_filter %d)%s%s", st.tx_type,
                       st.rx_filter, err ? ": " : "", err ? strerror(-err) : "");
}

static int client_socket(const char *server)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(NTP_PORT)};
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || inet_pton(AF_INET, server, &sa.sin_addr) != 1 ||
        connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        fprintf(stderr, "hwtsprobe: socket to %s: %s\n", server, strerror(errno));
        exit(2);
    }
    return fd;
}

/* The hardware and kernel TX stamps of datagram `id`, waiting up to WAIT_MS for each poll.
 * Returns true if the hardware one arrived. */
static bool wait_tx(int fd, uint32_t id, struct ts_tx *hw, struct ts_tx *kernel)
{
    bool have_hw = false;
    kernel->source = TS_SRC_NONE;
    struct pollfd p = {.fd = fd, .events = POLLPRI};
    while (!(have_hw && kernel->source == TS_SRC_KERNEL) && poll(&p, 1, WAIT_MS) > 0) {
        struct ts_tx tx;
        while (ts_read_tx(fd, &tx) == 1) {
            if (tx.id != id)
                continue;
            if (tx.source == TS_SRC_HARDWARE) {
                *hw = tx;
                have_hw = true;
            } else if (tx.source == TS_SRC_KERNEL) {
                *kernel = tx;
            }
        }
    }
    return have_hw;
}

/* phc_raw converted to system time with one phc_sample (the PHC runs at the system rate). */
static struct timespec phc_to_sys(struct phc *phc, struct timespec phc_raw)
{
    struct phc_sample s;
    if (phc_sample(phc, &s) != 0)
        return (struct timespec){0, 0};
    int64_t ns = probe_ts_ns(phc_raw) - s.offset_ns;
    return (struct timespec){.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
}

static void check_tx(int fd, uint32_t id, struct phc *phc)
{
    struct ts_tx hw, kernel;
    if (!probe_check(wait_tx(fd, id, &hw, &kernel), "request %u: hardware TX stamp", id))
        return;
    int64_t apart_ns = probe_ts_ns(phc_to_sys(phc, hw.hw_raw)) - probe_ts_ns(kernel.ts);
    probe_check(kernel.source == TS_SRC_KERNEL && llabs(apart_ns) < TX_AGREEMENT_NS,
                "request %u: hardware TX stamp, converted, is %lld ns from the kernel's", id,
                (long long)apart_ns);
}

static void check_rx(int fd, uint32_t id)
{
    unsigned char buf[NTP_PACKET_LEN * 2], control[TS_CONTROL_LEN];
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (!probe_check(poll(&p, 1, WAIT_MS) == 1 && (p.revents & POLLIN), "request %u: a reply", id))
        return;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = recvmsg(fd, &msg, 0);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct ts_rx rx;
    enum ts_source src = ts_parse_rx(&msg, &now, &rx);
    probe_check(n == NTP_PACKET_LEN && src == TS_SRC_KERNEL && !rx.has_hw,
                "request %u: the reply has a kernel RX stamp and no hardware one (%s, %zd bytes)",
                id, ts_source_name(src), n);
}

static int run(const char *ifname, const char *server)
{
    if (!probe_in_test_guest()) {
        fprintf(stderr, "hwtsprobe: refusing to reconfigure a NIC outside the vmrun test guest\n");
        return 2;
    }
    int fd = client_socket(server);
    if (!setup_nic(ifname, fd))
        return probe_summary("hwtsprobe");
    int err = 0;
    struct phc *phc = phc_open(ifname, &err);
    enum ts_mode mode = ts_enable(fd, TS_FLAG_HARDWARE, NULL);
    probe_check(mode == TS_MODE_HARDWARE && phc != NULL, "ts_enable: %s mode, PHC open",
                ts_mode_name(mode));
    for (uint32_t id = 0; id < REQUESTS && phc != NULL; id++) {
        unsigned char request[NTP_PACKET_LEN] = {0x23}; /* LI 0, version 4, mode 3 (client) */
        if (!probe_check(send(fd, request, sizeof request, 0) == (ssize_t)sizeof request,
                         "request %u sent", id))
            break;
        check_tx(fd, id, phc);
        check_rx(fd, id);
    }
    phc_close(phc);
    close(fd);
    return probe_summary("hwtsprobe");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: hwtsprobe IFACE SERVER_IPV4\n");
        return 2;
    }
    return run(argv[1], argv[2]);
}
