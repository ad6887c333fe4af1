// SPDX-License-Identifier: ISC
// Timestamping capabilities and PTP hardware clock index of a network interface.
//
// Asked through ethtool netlink (genl family "ethtool", ETHTOOL_MSG_TSINFO_GET, compact
// bitsets) and, when the family or the message is missing (kernels before 5.7), through the
// SIOCETHTOOL ETHTOOL_GET_TS_INFO ioctl. Needs no privilege. Parsing of the netlink reply is
// separate from the transport so it can be tested with constructed messages.
//
// Advertised flags can be inconsistent (ENA devices that stamp RX only do not advertise
// SOF_TIMESTAMPING_RAW_HARDWARE): use ts_info_hw_rx()/ts_info_hw_tx(), which look at every
// field, rather than testing single bits.

#ifndef TSYNC_HWTS_TSINFO_H
#define TSYNC_HWTS_TSINFO_H

#include <stdbool.h>
#include <stdint.h>

struct nlmsghdr;

// Capabilities of one interface, as `ethtool -T` shows them.
struct ts_info {
    uint32_t so_timestamping; // SOF_TIMESTAMPING_* bits the device supports
    uint32_t tx_types;        // bit (1 << HWTSTAMP_TX_*) per supported transmit mode
    uint32_t rx_filters;      // bit (1 << HWTSTAMP_FILTER_*) per supported receive filter
    int phc_index;            // N of /dev/ptpN, -1 when the device has no PHC
};

// Fills `info` for interface `ifname`: netlink first, the ioctl when netlink fails for any
// reason but a missing interface (no ethtool family or no TSINFO message on kernels before 5.7,
// netlink not allowed). Returns 0, -ENODEV if there is no such interface, or another -errno.
int ts_info_get(const char *ifname, struct ts_info *info);

// The two transports, for callers and tests that need one in particular. Same return
// convention as ts_info_get(); ts_info_get_netlink() returns -EOPNOTSUPP or -ENOENT when the
// kernel has no ethtool genl family or no TSINFO_GET message.
int ts_info_get_netlink(const char *ifname, struct ts_info *info);
int ts_info_get_ioctl(const char *ifname, struct ts_info *info);

// Parses one ETHTOOL_MSG_TSINFO_GET_REPLY generic-netlink message (the whole netlink message,
// header included) into `info`. Bitsets may be compact (ETHTOOL_A_BITSET_VALUE) or verbose
// (ETHTOOL_A_BITSET_BITS); bits above 31 are ignored. A missing PHC index means -1.
// Returns 0, or -EINVAL when the message is malformed or not a TSINFO reply.
int ts_info_parse_reply(struct nlmsghdr *nlh, struct ts_info *info);

// True if the device can stamp received packets in hardware: RX_HARDWARE is advertised or a
// receive filter other than NONE is offered (RAW_HARDWARE is not required).
bool ts_info_hw_rx(const struct ts_info *info);

// True if the device can stamp transmitted packets in hardware: TX_HARDWARE is advertised or
// the HWTSTAMP_TX_ON mode is offered.
bool ts_info_hw_tx(const struct ts_info *info);

#endif
