// SPDX-License-Identifier: ISC
// NIC hardware timestamping configuration (SIOCSHWTSTAMP / SIOCGHWTSTAMP).
//
// Setting needs CAP_NET_ADMIN in the interface's network namespace: it runs in the privileged
// parent, which holds that capability only for this. Reading needs nothing. The setting is
// device-global: it also affects other users of the NIC (ptp4l).
//
// Every ioctl goes through a `struct ts_hw_ops` so tests can drive each branch with a fake
// device; ts_hw_kernel_ops is the real one.

#ifndef TSYNC_HWTS_HWTSTAMP_H
#define TSYNC_HWTS_HWTSTAMP_H

#include <stdbool.h>

#include <linux/net_tstamp.h>

struct ts_info;

// Device operations. `request` is SIOCSHWTSTAMP or SIOCGHWTSTAMP; `cfg` is read and, as the
// kernel does, written back with what the driver granted. Returns 0 or -errno.
struct ts_hw_ops {
    int (*ioctl)(void *ctx, const char *ifname, unsigned long request, struct hwtstamp_config *cfg);
};

// The kernel: `ctx` must point to an int holding any open AF_INET/AF_INET6 socket descriptor.
extern const struct ts_hw_ops ts_hw_kernel_ops;

// What the NIC does after ts_hw_enable(), as read back from the driver.
struct ts_hw_state {
    int tx_type;   // HWTSTAMP_TX_OFF or HWTSTAMP_TX_ON
    int rx_filter; // HWTSTAMP_FILTER_* granted (drivers widen: NTP_ALL may come back as ALL)
    bool tx;       // transmitted packets get hardware stamps
    bool rx;       // received NTP packets get hardware stamps (filter ALL, NTP_ALL or SOME)
};

// Enables the most useful hardware timestamping interface `ifname` accepts, trying in turn:
// TX on with RX filter NTP_ALL, TX on with ALL, TX on with RX NONE (TX only: igb refuses RX
// filters with ERANGE), then TX off with NTP_ALL and with ALL (RX only, as some ENA devices).
// With `caps` (from ts_info_get(), may be NULL) combinations the device does not advertise are
// skipped, judged by ts_info_hw_rx()/ts_info_hw_tx() so that inconsistent flags (RX without
// RAW_HARDWARE) are tolerated. A combination refused with ERANGE or EINVAL moves on to the next;
// EPERM (no CAP_NET_ADMIN), ENODEV and EOPNOTSUPP (no hardware stamping, or a device failure)
// end the search. The granted configuration is re-read with SIOCGHWTSTAMP (or taken from what
// SIOCSHWTSTAMP wrote back when the driver cannot be read) into `state`.
// Returns 0 when at least one direction is stamped in hardware, else -errno of the last refusal.
int ts_hw_enable(const struct ts_hw_ops *ops, void *ctx, const char *ifname,
                 const struct ts_info *caps, struct ts_hw_state *state);

// Reads the current configuration of `ifname` (SIOCGHWTSTAMP) into `state`. Returns 0 or -errno
// (-EOPNOTSUPP when the driver cannot report it).
int ts_hw_get(const struct ts_hw_ops *ops, void *ctx, const char *ifname,
              struct ts_hw_state *state);

#endif
