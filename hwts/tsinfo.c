// SPDX-License-Identifier: ISC
// Interface timestamping capabilities: ethtool netlink with an ioctl fallback (see tsinfo.h).

#include "config.h"

#include "hwts/sock.h"
#include "hwts/tsinfo.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/net_tstamp.h>
#include <linux/sockios.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

static struct nla_policy tsinfo_policy[ETHTOOL_A_TSINFO_MAX + 1] = {
    [ETHTOOL_A_TSINFO_HEADER] = {.type = NLA_NESTED},
    [ETHTOOL_A_TSINFO_TIMESTAMPING] = {.type = NLA_NESTED},
    [ETHTOOL_A_TSINFO_TX_TYPES] = {.type = NLA_NESTED},
    [ETHTOOL_A_TSINFO_RX_FILTERS] = {.type = NLA_NESTED},
    [ETHTOOL_A_TSINFO_PHC_INDEX] = {.type = NLA_U32},
};

static struct nla_policy bitset_policy[ETHTOOL_A_BITSET_MAX + 1] = {
    [ETHTOOL_A_BITSET_NOMASK] = {.type = NLA_FLAG},
    [ETHTOOL_A_BITSET_SIZE] = {.type = NLA_U32},
    [ETHTOOL_A_BITSET_BITS] = {.type = NLA_NESTED},
};

static struct nla_policy bit_policy[ETHTOOL_A_BITSET_BIT_MAX + 1] = {
    [ETHTOOL_A_BITSET_BIT_INDEX] = {.type = NLA_U32},
    [ETHTOOL_A_BITSET_BIT_VALUE] = {.type = NLA_FLAG},
};

// Verbose form: a list of bits; with NOMASK every listed bit is set, otherwise the listed bits
// are the mask and a VALUE flag marks the set ones.
static int parse_bit_list(struct nlattr *list, bool nomask, uint32_t *bits)
{
    struct nlattr *bit;
    int rem;
    nla_for_each_nested(bit, list, rem)
    {
        struct nlattr *tb[ETHTOOL_A_BITSET_BIT_MAX + 1];
        if (nla_type(bit) != ETHTOOL_A_BITSET_BITS_BIT)
            continue;
        if (nla_parse_nested(tb, ETHTOOL_A_BITSET_BIT_MAX, bit, bit_policy) < 0 ||
            !tb[ETHTOOL_A_BITSET_BIT_INDEX])
            return -EINVAL;
        uint32_t index = nla_get_u32(tb[ETHTOOL_A_BITSET_BIT_INDEX]);
        if (index < 32 && (nomask || tb[ETHTOOL_A_BITSET_BIT_VALUE]))
            *bits |= 1u << index;
    }
    return 0;
}

// Reads the first 32 bits of an ethtool bitset attribute (compact or verbose) into `bits`.
static int parse_bitset(struct nlattr *attr, uint32_t *bits)
{
    struct nlattr *tb[ETHTOOL_A_BITSET_MAX + 1];
    *bits = 0;
    if (!attr)
        return 0;
    if (nla_parse_nested(tb, ETHTOOL_A_BITSET_MAX, attr, bitset_policy) < 0)
        return -EINVAL;
    if (tb[ETHTOOL_A_BITSET_VALUE]) {
        // Compact: an array of host-order u32 words, bit i in word i / 32.
        uint32_t word0 = 0;
        int len = nla_len(tb[ETHTOOL_A_BITSET_VALUE]);
        memcpy(&word0, nla_data(tb[ETHTOOL_A_BITSET_VALUE]),
               len < (int)sizeof(word0) ? (size_t)len : sizeof(word0));
        *bits = word0;
        return 0;
    }
    if (tb[ETHTOOL_A_BITSET_BITS])
        return parse_bit_list(tb[ETHTOOL_A_BITSET_BITS], tb[ETHTOOL_A_BITSET_NOMASK] != NULL, bits);
    return 0; // an empty bitset
}

int ts_info_parse_reply(struct nlmsghdr *nlh, struct ts_info *info)
{
    struct nlattr *tb[ETHTOOL_A_TSINFO_MAX + 1];
    memset(info, 0, sizeof(*info));
    info->phc_index = -1;
    if (!genlmsg_valid_hdr(nlh, 0))
        return -EINVAL;
    struct genlmsghdr *gh = nlmsg_data(nlh);
    if (gh->cmd != ETHTOOL_MSG_TSINFO_GET_REPLY)
        return -EINVAL;
    if (genlmsg_parse(nlh, 0, tb, ETHTOOL_A_TSINFO_MAX, tsinfo_policy) < 0)
        return -EINVAL;
    if (parse_bitset(tb[ETHTOOL_A_TSINFO_TIMESTAMPING], &info->so_timestamping) < 0 ||
        parse_bitset(tb[ETHTOOL_A_TSINFO_TX_TYPES], &info->tx_types) < 0 ||
        parse_bitset(tb[ETHTOOL_A_TSINFO_RX_FILTERS], &info->rx_filters) < 0)
        return -EINVAL;
    if (tb[ETHTOOL_A_TSINFO_PHC_INDEX]) {
        uint32_t index = nla_get_u32(tb[ETHTOOL_A_TSINFO_PHC_INDEX]);
        info->phc_index = index > INT32_MAX ? -1 : (int)index;
    }
    return 0;
}

bool ts_info_hw_rx(const struct ts_info *info)
{
    return (info->so_timestamping & SOF_TIMESTAMPING_RX_HARDWARE) ||
           (info->rx_filters & ~(1u << HWTSTAMP_FILTER_NONE)) != 0;
}

bool ts_info_hw_tx(const struct ts_info *info)
{
    return (info->so_timestamping & SOF_TIMESTAMPING_TX_HARDWARE) ||
           (info->tx_types & (1u << HWTSTAMP_TX_ON)) != 0;
}

// State shared with the libnl callbacks of one request.
struct tsinfo_request {
    struct ts_info *info;
    int result; // 0, -errno from the kernel or from parsing; 1 while no answer arrived
};

static int on_reply(struct nl_msg *msg, void *arg)
{
    struct tsinfo_request *req = arg;
    req->result = ts_info_parse_reply(nlmsg_hdr(msg), req->info);
    return NL_STOP;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
    struct tsinfo_request *req = arg;
    req->result = err->error < 0 ? err->error : -EPROTO;
    return NL_STOP;
}

static struct nl_msg *build_request(int family, const char *ifname)
{
    struct nl_msg *msg = nlmsg_alloc();
    if (!msg)
        return NULL;
    struct nlattr *hdr;
    if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_REQUEST,
                     ETHTOOL_MSG_TSINFO_GET, ETHTOOL_GENL_VERSION) ||
        !(hdr = nla_nest_start(msg, ETHTOOL_A_TSINFO_HEADER | NLA_F_NESTED)) ||
        nla_put_string(msg, ETHTOOL_A_HEADER_DEV_NAME, ifname) < 0 ||
        nla_put_u32(msg, ETHTOOL_A_HEADER_FLAGS, ETHTOOL_FLAG_COMPACT_BITSETS) < 0) {
        nlmsg_free(msg);
        return NULL;
    }
    nla_nest_end(msg, hdr);
    return msg;
}

// Sends one TSINFO_GET on a connected generic netlink socket and waits for its answer.
static int request_tsinfo(struct nl_sock *sk, int family, const char *ifname, struct ts_info *info)
{
    struct tsinfo_request req = {.info = info, .result = 1};
    struct nl_msg *msg = build_request(family, ifname);
    if (!msg)
        return -ENOMEM;
    nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_reply, &req);
    nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, on_error, &req);
    int err = nl_send_auto(sk, msg);
    nlmsg_free(msg);
    if (err < 0)
        return -EIO;
    while (req.result == 1) {
        if (nl_recvmsgs_default(sk) < 0 && req.result == 1)
            return -EIO;
    }
    return req.result;
}

int ts_info_get_netlink(const char *ifname, struct ts_info *info)
{
    if (strlen(ifname) >= IFNAMSIZ)
        return -ENODEV;
    struct nl_sock *sk = nl_socket_alloc();
    if (!sk)
        return -ENOMEM;
    int err = genl_connect(sk);
    if (err < 0) {
        nl_socket_free(sk);
        return -EOPNOTSUPP;
    }
    int family = genl_ctrl_resolve(sk, ETHTOOL_GENL_NAME);
    if (family < 0)
        err = -EOPNOTSUPP;
    else
        err = request_tsinfo(sk, family, ifname, info);
    nl_socket_free(sk);
    return err;
}

int ts_info_get_ioctl(const char *ifname, struct ts_info *info)
{
    struct ethtool_ts_info ti = {.cmd = ETHTOOL_GET_TS_INFO};
    struct ifreq ifr;
    if (strlen(ifname) >= IFNAMSIZ)
        return -ENODEV;
    memset(&ifr, 0, sizeof(ifr));
    strcpy(ifr.ifr_name, ifname);
    ifr.ifr_data = (char *)&ti;
    int fd = sk_udp_open(AF_INET);
    if (fd < 0)
        return -errno;
    int err = ioctl(fd, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
    close(fd);
    if (err)
        return err;
    info->so_timestamping = ti.so_timestamping;
    info->tx_types = ti.tx_types;
    info->rx_filters = ti.rx_filters;
    info->phc_index = ti.phc_index;
    return 0;
}

int ts_info_get(const char *ifname, struct ts_info *info)
{
    int err = ts_info_get_netlink(ifname, info);
    if (err == 0 || err == -ENODEV)
        return err;
    return ts_info_get_ioctl(ifname, info);
}
