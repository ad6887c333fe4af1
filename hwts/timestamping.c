// SPDX-License-Identifier: ISC
// SO_TIMESTAMPING / SO_TIMESTAMPNS setup and control-message parsing (see timestamping.h).

#include "config.h"

#include "hwts/timestamping.h"

#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>

// Bits every SO_TIMESTAMPING socket needs: software stamps both ways, reported, numbered, and
// without the packet copied back to the error queue.
#define TS_SOF_BASE                                                                                \
    (SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_TX_SOFTWARE |     \
     SOF_TIMESTAMPING_OPT_ID | SOF_TIMESTAMPING_OPT_TSONLY)

// Hardware generation and reporting.
#define TS_SOF_HW                                                                                  \
    (SOF_TIMESTAMPING_RAW_HARDWARE | SOF_TIMESTAMPING_RX_HARDWARE | SOF_TIMESTAMPING_TX_HARDWARE)

// Optional bits, dropped one at a time (last first) when an older kernel refuses them.
static const uint32_t ts_optional_bits[] = {
    SOF_TIMESTAMPING_OPT_CMSG,    // pktinfo on looped-back TX stamps (Linux 4.6)
    SOF_TIMESTAMPING_OPT_PKTINFO, // if_index/length of RX hardware stamps (Linux 4.13)
    SOF_TIMESTAMPING_OPT_TX_SWHW, // both software and hardware TX stamps (Linux 4.13)
};
#define TS_N_OPTIONAL (sizeof(ts_optional_bits) / sizeof(ts_optional_bits[0]))

const char *ts_mode_name(enum ts_mode mode)
{
    switch (mode) {
    case TS_MODE_USER:
        return "user";
    case TS_MODE_NS:
        return "kernel-rx";
    case TS_MODE_KERNEL:
        return "kernel";
    case TS_MODE_HARDWARE:
        return "hardware";
    }
    return "?";
}

const char *ts_source_name(enum ts_source source)
{
    switch (source) {
    case TS_SRC_NONE:
        return "none";
    case TS_SRC_USER:
        return "user";
    case TS_SRC_KERNEL:
        return "kernel";
    case TS_SRC_HARDWARE:
        return "hardware";
    }
    return "?";
}

static int set_int_opt(int fd, int level, int name, int value)
{
    return setsockopt(fd, level, name, &value, sizeof(value));
}

// Tries SO_TIMESTAMPING with `base` plus as many optional bits as the kernel takes. Returns the
// flags set, or 0 if even `base` is refused.
static uint32_t enable_so_timestamping(int fd, uint32_t base, bool hardware)
{
    size_t n_opt = hardware ? TS_N_OPTIONAL : TS_N_OPTIONAL - 1; // OPT_TX_SWHW is hardware-only
    for (;;) {
        uint32_t flags = base;
        for (size_t i = 0; i < n_opt; i++)
            flags |= ts_optional_bits[i];
        if (set_int_opt(fd, SOL_SOCKET, SO_TIMESTAMPING, (int)flags) == 0)
            return flags;
        if (errno != EINVAL || n_opt == 0)
            return 0;
        n_opt--;
    }
}

enum ts_mode ts_enable(int fd, unsigned int flags, uint32_t *sof_flags)
{
    if (sof_flags)
        *sof_flags = 0;
    if (flags & TS_FLAG_FORCE_USER)
        return TS_MODE_USER;
    if (!(flags & TS_FLAG_FORCE_NS)) {
        bool hw = flags & TS_FLAG_HARDWARE;
        uint32_t set = enable_so_timestamping(fd, TS_SOF_BASE | (hw ? TS_SOF_HW : 0), hw);
        if (set) {
            // Only wakes poll() with POLLPRI as well; POLLERR works without it.
            (void)set_int_opt(fd, SOL_SOCKET, SO_SELECT_ERR_QUEUE, 1);
            if (sof_flags)
                *sof_flags = set;
            return hw ? TS_MODE_HARDWARE : TS_MODE_KERNEL;
        }
    }
    if (set_int_opt(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1) == 0)
        return TS_MODE_NS;
    return TS_MODE_USER;
}

// A stamp is set (not zero) and normalised: one the kernel never writes is ignored.
static bool timespec_usable(const struct timespec *t)
{
    return !(t->tv_sec == 0 && t->tv_nsec == 0) && t->tv_sec >= 0 && t->tv_nsec >= 0 &&
           t->tv_nsec < 1000000000L;
}

// Does the payload of `c` hold `len` octets inside msg's control buffer? cmsg_len is not to be
// trusted beyond the buffer (a truncated buffer, a simulator's).
static bool cmsg_holds(const struct msghdr *msg, const struct cmsghdr *c, size_t len)
{
    size_t offset = (size_t)((const char *)c - (const char *)msg->msg_control);
    return c->cmsg_len >= CMSG_LEN(len) && offset <= msg->msg_controllen &&
           msg->msg_controllen - offset >= CMSG_LEN(len);
}

// Copies a control message payload of type T out of `c` (unaligned-safe). False if too short.
#define CMSG_COPY(msg, c, dst)                                                                     \
    (cmsg_holds((msg), (c), sizeof(*(dst))) ? (memcpy((dst), CMSG_DATA(c), sizeof(*(dst))), 1) : 0)

static void parse_rx_cmsg(const struct msghdr *msg, const struct cmsghdr *c, struct ts_rx *rx,
                          struct timespec *kernel)
{
    if (c->cmsg_level != SOL_SOCKET)
        return;
    if (c->cmsg_type == SCM_TIMESTAMPING) {
        struct scm_timestamping st;
        if (!CMSG_COPY(msg, c, &st))
            return;
        if (timespec_usable(&st.ts[0]))
            *kernel = st.ts[0];
        if (timespec_usable(&st.ts[2])) {
            rx->has_hw = true;
            rx->hw_raw = st.ts[2];
        }
    } else if (c->cmsg_type == SCM_TIMESTAMPNS) {
        struct timespec ts;
        if (CMSG_COPY(msg, c, &ts) && timespec_usable(&ts))
            *kernel = ts;
    } else if (c->cmsg_type == SCM_TIMESTAMPING_PKTINFO) {
        struct scm_ts_pktinfo info;
        if (!CMSG_COPY(msg, c, &info))
            return;
        rx->hw_if_index = (int)info.if_index;
        rx->hw_pkt_len = info.pkt_length;
    }
}

enum ts_source ts_parse_rx(const struct msghdr *msg, const struct timespec *user_now,
                           struct ts_rx *rx)
{
    struct timespec kernel = {0, 0};
    memset(rx, 0, sizeof(*rx));
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR((struct msghdr *)msg, c))
        parse_rx_cmsg(msg, c, rx, &kernel);
    if (timespec_usable(&kernel)) {
        rx->ts = kernel;
        rx->source = TS_SRC_KERNEL;
    } else if (user_now) {
        rx->ts = *user_now;
        rx->source = TS_SRC_USER;
    }
    return rx->source;
}

bool ts_rx_use_hw(struct ts_rx *rx, const struct timespec *hw_sys, double max_diff_s)
{
    if (rx->source == TS_SRC_KERNEL) {
        double diff_s = (double)(hw_sys->tv_sec - rx->ts.tv_sec) +
                        (double)(hw_sys->tv_nsec - rx->ts.tv_nsec) * 1e-9;
        if (diff_s > max_diff_s || diff_s < -max_diff_s)
            return false;
    }
    rx->ts = *hw_sys;
    rx->source = TS_SRC_HARDWARE;
    return true;
}

// Extended error (IPv4 or IPv6 socket) describing a transmit timestamp. False for other errors.
static bool parse_tx_error(const struct msghdr *msg, const struct cmsghdr *c, struct ts_tx *tx)
{
    bool v4 = c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR;
    bool v6 = c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR;
    struct sock_extended_err ee;
    if (!(v4 || v6) || !CMSG_COPY(msg, c, &ee))
        return false;
    if (ee.ee_origin != SO_EE_ORIGIN_TIMESTAMPING || ee.ee_errno != ENOMSG ||
        ee.ee_info != SCM_TSTAMP_SND)
        return false;
    tx->id = ee.ee_data;
    return true;
}

static void parse_tx_pktinfo(const struct msghdr *msg, const struct cmsghdr *c, struct ts_tx *tx)
{
    if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_PKTINFO) {
        struct in_pktinfo pi;
        if (CMSG_COPY(msg, c, &pi))
            tx->if_index = pi.ipi_ifindex;
    } else if (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
        struct in6_pktinfo pi6;
        if (CMSG_COPY(msg, c, &pi6))
            tx->if_index = (int)pi6.ipi6_ifindex;
    }
}

int ts_parse_tx(const struct msghdr *msg, struct ts_tx *tx)
{
    bool have_err = false, have_ts = false;
    memset(tx, 0, sizeof(*tx));
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
        struct scm_timestamping st;
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING &&
            CMSG_COPY(msg, c, &st)) {
            if (timespec_usable(&st.ts[2])) {
                tx->hw_raw = st.ts[2];
                tx->source = TS_SRC_HARDWARE;
                have_ts = true;
            } else if (timespec_usable(&st.ts[0])) {
                tx->ts = st.ts[0];
                tx->source = TS_SRC_KERNEL;
                have_ts = true;
            }
        } else if (parse_tx_error(msg, c, tx)) {
            have_err = true;
        } else {
            parse_tx_pktinfo(msg, c, tx);
        }
    }
    return have_err && have_ts ? 0 : -ENOMSG;
}

int ts_read_tx_once(int fd, struct ts_tx *tx)
{
    // 8-byte aligned control buffer; the payload (OPT_TSONLY) is empty but may be the packet on
    // kernels (and simulators) that ignore OPT_TSONLY: a small buffer that may truncate. The
    // whole frame (Ethernet, IP, UDP, NTP) still fits a simulator's 256-byte minimum.
    uint64_t control[TS_CONTROL_LEN / sizeof(uint64_t)];
    char payload[128];
    struct iovec iov = {.iov_base = payload, .iov_len = sizeof(payload)};
    struct msghdr msg = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control,
        .msg_controllen = sizeof(control),
    };
    ssize_t n;
    do {
        n = recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
    return ts_parse_tx(&msg, tx) == 0 ? 1 : -ENOMSG;
}

int ts_read_tx(int fd, struct ts_tx *tx)
{
    int rc;
    while ((rc = ts_read_tx_once(fd, tx)) == -ENOMSG)
        ;
    return rc;
}
