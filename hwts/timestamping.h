// SPDX-License-Identifier: ISC
// Kernel and NIC packet timestamps on UDP sockets (SO_TIMESTAMPING, SO_TIMESTAMPNS fallback).
//
// Needs no privilege: SO_TIMESTAMPING, SO_TIMESTAMPNS and recvmsg(MSG_ERRQUEUE) work in the
// sandboxed network child. Hardware stamps additionally need the NIC configured by the privileged
// side (hwts/hwtstamp.h); this module only asks the socket to report them.
//
// All timestamps are `struct timespec`. Kernel stamps are on the host CLOCK_REALTIME scale
// (convert with the clock map, docs/architecture.md). Hardware stamps are raw PTP hardware clock
// (PHC) times of the NIC that received or sent the packet; convert them to system time with
// hwts/phc_regress.h before use.
//
// Event loop (poll):
//   - Request POLLIN for the socket. POLLERR is always reported by poll() whether requested or
//     not; with SO_SELECT_ERR_QUEUE (set by ts_enable) a pending error-queue message also raises
//     POLLPRI, so a loop may wait for TX stamps alone with events = POLLPRI.
//   - On POLLERR or POLLPRI call ts_read_tx() until it returns 0: a non-empty error queue keeps
//     POLLERR set, so not draining it makes poll() return at once forever.
//   - On POLLIN call recvmsg() with a control buffer of TS_CONTROL_LEN bytes, take the time right
//     after it (user-space fallback) and call ts_parse_rx().
//
// The first time a socket of the system asks for RX software stamps the kernel enables them
// asynchronously (a deferred static key): the first datagrams after ts_enable() may arrive
// without a kernel stamp, and ts_parse_rx() then reports TS_SRC_USER for them.
//
// Matching TX stamps to packets (SOF_TIMESTAMPING_OPT_ID): from the ts_enable() call on, the
// kernel numbers the datagrams sent on the socket 0, 1, 2, ... (a 32-bit counter that wraps) and
// returns that number as `ts_tx.id`. The caller keeps its own counter per socket: set it to 0
// right after ts_enable() reports TS_MODE_KERNEL or TS_MODE_HARDWARE, remember `counter` as the
// id of each datagram sendmsg() accepted, then increment it. A sendmsg() that fails (returns -1)
// does not consume a number (the kernel gives the number back on its error path; tested on
// loopback with ECONNREFUSED), but match tolerantly all the same. Calling
// ts_enable() again on the same socket does not restart the kernel's numbering, so call it once
// per socket. In TS_MODE_HARDWARE a datagram may get two stamps with the same id, a kernel one
// and a hardware one (OPT_TX_SWHW): prefer the hardware one. Stamps may arrive late or never
// (NICs drop hardware TX stamps under load): keep only a few outstanding ids, ignore stamps
// whose id is not outstanding, and forget the old ones.

#ifndef TSYNC_HWTS_TIMESTAMPING_H
#define TSYNC_HWTS_TIMESTAMPING_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

// What ts_enable() achieved on a socket, best last.
enum ts_mode {
    TS_MODE_USER = 0,     // no kernel stamps: the caller reads the clock after recvmsg/sendmsg
    TS_MODE_NS = 1,       // SO_TIMESTAMPNS: kernel RX stamps only, no TX stamps
    TS_MODE_KERNEL = 2,   // SO_TIMESTAMPING: kernel (software) RX and TX stamps
    TS_MODE_HARDWARE = 3, // SO_TIMESTAMPING with hardware RX/TX reporting as well
};

// Where a timestamp came from (shown per sample by `tsyncctl sources`).
enum ts_source {
    TS_SRC_NONE = 0,     // no timestamp
    TS_SRC_USER = 1,     // clock read by the daemon after the system call
    TS_SRC_KERNEL = 2,   // kernel software stamp (host CLOCK_REALTIME)
    TS_SRC_HARDWARE = 3, // NIC hardware stamp, converted to system time
};

// Flags for ts_enable().
#define TS_FLAG_HARDWARE   0x1u // also ask for hardware RX/TX stamps (NIC configured by ts_hw_*)
#define TS_FLAG_FORCE_NS   0x2u // skip SO_TIMESTAMPING: SO_TIMESTAMPNS or user time (tests)
#define TS_FLAG_FORCE_USER 0x4u // no kernel stamps at all (simulators, tests)

// Control buffer size for recvmsg() that fits every control message this module parses
// (timestamps, timestamping pktinfo, IP/IPv6 pktinfo, extended error). Bytes.
#define TS_CONTROL_LEN 512

// The name of a mode or a source ("user", "kernel", "hardware", ...) for logs and tsyncctl.
const char *ts_mode_name(enum ts_mode mode);
const char *ts_source_name(enum ts_source source);

// Enables the best timestamping the socket `fd` (AF_INET or AF_INET6, SOCK_DGRAM) accepts:
// SO_TIMESTAMPING with SOFTWARE|RX_SOFTWARE|TX_SOFTWARE|OPT_ID|OPT_TSONLY (+ OPT_CMSG,
// OPT_PKTINFO, and with TS_FLAG_HARDWARE RAW_HARDWARE|RX_HARDWARE|TX_HARDWARE|OPT_TX_SWHW when
// the kernel knows them) and SO_SELECT_ERR_QUEUE; else SO_TIMESTAMPNS; else nothing.
// `flags` is a combination of TS_FLAG_*. If `sof_flags` is not NULL it receives the
// SOF_TIMESTAMPING_* bits set on the socket (0 below TS_MODE_KERNEL). Never fails: returns the
// mode achieved (TS_MODE_USER at worst).
enum ts_mode ts_enable(int fd, unsigned int flags, uint32_t *sof_flags);

// Timestamps of one received datagram.
struct ts_rx {
    enum ts_source source;  // KERNEL or USER: what `ts` holds
    struct timespec ts;     // best directly usable reception time (host CLOCK_REALTIME)
    bool has_hw;            // a raw hardware stamp is present in `hw_raw`
    struct timespec hw_raw; // raw NIC PHC time of reception (start of frame); convert before use
    int hw_if_index;        // interface that stamped it (SCM_TIMESTAMPING_PKTINFO), 0 unknown
    uint32_t hw_pkt_len;    // its L2 length in bytes (SCM_TIMESTAMPING_PKTINFO), 0 unknown
};

// Parses the control messages of a datagram received with recvmsg() (msg->msg_control and
// msg->msg_controllen as the kernel left them) into `rx`. `user_now` is the time read right
// after recvmsg(); it is used when the kernel gave no software stamp. Accepts SCM_TIMESTAMPING
// (software and raw hardware), SCM_TIMESTAMPNS and SCM_TIMESTAMPING_PKTINFO; ignores the rest.
// Pure: no system call. Returns rx->source.
enum ts_source ts_parse_rx(const struct msghdr *msg, const struct timespec *user_now,
                           struct ts_rx *rx);

// Replaces rx->ts by `hw_sys`, the raw hardware stamp already converted to system time, and sets
// rx->source to TS_SRC_HARDWARE, unless it is more than `max_diff_s` seconds away from the kernel
// stamp (a bad conversion or a stamp from another clock). Returns true if the hardware stamp was
// taken. Without a kernel stamp to compare with, the hardware stamp is taken.
bool ts_rx_use_hw(struct ts_rx *rx, const struct timespec *hw_sys, double max_diff_s);

// One transmit timestamp from the error queue.
struct ts_tx {
    uint32_t id;            // OPT_ID key: the number of the datagram (see the counter above)
    enum ts_source source;  // KERNEL (software stamp in `ts`) or HARDWARE (raw stamp in `hw_raw`)
    struct timespec ts;     // kernel software transmit time (host CLOCK_REALTIME), if KERNEL
    struct timespec hw_raw; // raw NIC PHC transmit time, if HARDWARE; convert before use
    int if_index;           // outgoing interface (OPT_CMSG pktinfo), 0 unknown
};

// Parses one error-queue message (from recvmsg(MSG_ERRQUEUE)) into `tx`. Pure: no system call.
// Returns 0 on success, -ENOMSG if it carries no transmit timestamp (an ICMP error, a stamp type
// other than SCM_TSTAMP_SND, or no SCM_TIMESTAMPING).
int ts_parse_tx(const struct msghdr *msg, struct ts_tx *tx);

// Reads the next transmit timestamp of socket `fd` from its error queue without blocking,
// skipping messages that are not transmit timestamps. Returns 1 when `tx` was filled, 0 when the
// queue is empty, -errno on a receive error.
int ts_read_tx(int fd, struct ts_tx *tx);

// Reads exactly one message of the error queue without blocking: 1 when it was a transmit
// timestamp (`tx` filled), -ENOMSG when it was something else (an ICMP error), 0 when the queue
// was empty, -errno on a receive error. For event loops that must not read an empty error queue
// (under clknetsim that read consumes the next data packet): call it once per POLLERR/POLLPRI
// report; a queue with more messages keeps the socket ready.
int ts_read_tx_once(int fd, struct ts_tx *tx);

#endif
