// SPDX-License-Identifier: ISC
// hwts/tsinfo: ETHTOOL_MSG_TSINFO_GET_REPLY parsing with constructed netlink messages, the
// capability predicates, and the real transports on loopback (netlink and ioctl must agree).

#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/ethtool_netlink.h>
#include <linux/net_tstamp.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "hwts/tsinfo.h"

#define FAKE_FAMILY 27

static struct nl_msg *reply_start(uint8_t cmd)
{
    struct nl_msg *msg = nlmsg_alloc();
    assert_non_null(msg);
    assert_non_null(genlmsg_put(msg, 0, 1, FAKE_FAMILY, 0, 0, cmd, ETHTOOL_GENL_VERSION));
    struct nlattr *hdr = nla_nest_start(msg, ETHTOOL_A_TSINFO_HEADER | NLA_F_NESTED);
    assert_int_equal(nla_put_u32(msg, ETHTOOL_A_HEADER_DEV_INDEX, 2), 0);
    assert_int_equal(nla_put_string(msg, ETHTOOL_A_HEADER_DEV_NAME, "eth0"), 0);
    nla_nest_end(msg, hdr);
    return msg;
}

// A compact bitset: NOMASK, SIZE, VALUE (host-order u32 words).
static void put_compact(struct nl_msg *msg, int type, uint32_t bits, uint32_t size)
{
    uint32_t words[2] = {bits, 0xffffffffu}; // a second word: bits above 31 are ignored
    struct nlattr *set = nla_nest_start(msg, type | NLA_F_NESTED);
    assert_int_equal(nla_put_flag(msg, ETHTOOL_A_BITSET_NOMASK), 0);
    assert_int_equal(nla_put_u32(msg, ETHTOOL_A_BITSET_SIZE, size), 0);
    assert_int_equal(nla_put(msg, ETHTOOL_A_BITSET_VALUE, size > 32 ? 8 : 4, words), 0);
    nla_nest_end(msg, set);
}

// A verbose bitset listing the bits of `listed`; with `nomask` they are all set, otherwise only
// those also in `values` carry a VALUE flag.
static void put_verbose(struct nl_msg *msg, int type, uint32_t listed, uint32_t values, bool nomask)
{
    struct nlattr *set = nla_nest_start(msg, type | NLA_F_NESTED);
    if (nomask)
        assert_int_equal(nla_put_flag(msg, ETHTOOL_A_BITSET_NOMASK), 0);
    assert_int_equal(nla_put_u32(msg, ETHTOOL_A_BITSET_SIZE, 32), 0);
    struct nlattr *bits = nla_nest_start(msg, ETHTOOL_A_BITSET_BITS | NLA_F_NESTED);
    for (uint32_t i = 0; i < 32; i++) {
        if (!(listed & (1u << i)))
            continue;
        struct nlattr *bit = nla_nest_start(msg, ETHTOOL_A_BITSET_BITS_BIT | NLA_F_NESTED);
        assert_int_equal(nla_put_u32(msg, ETHTOOL_A_BITSET_BIT_INDEX, i), 0);
        assert_int_equal(nla_put_string(msg, ETHTOOL_A_BITSET_BIT_NAME, "name"), 0);
        if (!nomask && (values & (1u << i)))
            assert_int_equal(nla_put_flag(msg, ETHTOOL_A_BITSET_BIT_VALUE), 0);
        nla_nest_end(msg, bit);
    }
    nla_nest_end(msg, bits);
    nla_nest_end(msg, set);
}

#define SOF_FULL_HW                                                                                \
    (SOF_TIMESTAMPING_TX_HARDWARE | SOF_TIMESTAMPING_RX_HARDWARE | SOF_TIMESTAMPING_RAW_HARDWARE | \
     SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE)
#define TX_OFF_ON   ((1u << HWTSTAMP_TX_OFF) | (1u << HWTSTAMP_TX_ON))
#define RX_NONE_ALL ((1u << HWTSTAMP_FILTER_NONE) | (1u << HWTSTAMP_FILTER_ALL))

static void test_parse_compact_with_phc(void **state)
{
    struct nl_msg *msg = reply_start(ETHTOOL_MSG_TSINFO_GET_REPLY);
    struct ts_info info;
    put_compact(msg, ETHTOOL_A_TSINFO_TIMESTAMPING, SOF_FULL_HW, 17);
    put_compact(msg, ETHTOOL_A_TSINFO_TX_TYPES, TX_OFF_ON, 4);
    put_compact(msg, ETHTOOL_A_TSINFO_RX_FILTERS, RX_NONE_ALL | (1u << HWTSTAMP_FILTER_NTP_ALL),
                40);
    assert_int_equal(nla_put_u32(msg, ETHTOOL_A_TSINFO_PHC_INDEX, 3), 0);
    assert_int_equal(ts_info_parse_reply(nlmsg_hdr(msg), &info), 0);
    assert_int_equal(info.so_timestamping, SOF_FULL_HW);
    assert_int_equal(info.tx_types, TX_OFF_ON);
    assert_int_equal(info.rx_filters, RX_NONE_ALL | (1u << HWTSTAMP_FILTER_NTP_ALL));
    assert_int_equal(info.phc_index, 3);
    assert_true(ts_info_hw_rx(&info));
    assert_true(ts_info_hw_tx(&info));
    nlmsg_free(msg);
}

static void test_parse_verbose_nomask_without_phc(void **state)
{
    uint32_t sof = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
    struct nl_msg *msg = reply_start(ETHTOOL_MSG_TSINFO_GET_REPLY);
    struct ts_info info;
    put_verbose(msg, ETHTOOL_A_TSINFO_TIMESTAMPING, sof, 0, true);
    put_verbose(msg, ETHTOOL_A_TSINFO_TX_TYPES, 0, 0, true);
    assert_int_equal(ts_info_parse_reply(nlmsg_hdr(msg), &info), 0);
    assert_int_equal(info.so_timestamping, sof);
    assert_int_equal(info.tx_types, 0);
    assert_int_equal(info.rx_filters, 0); // attribute absent
    assert_int_equal(info.phc_index, -1);
    assert_false(ts_info_hw_rx(&info));
    assert_false(ts_info_hw_tx(&info));
    nlmsg_free(msg);
}

static void test_parse_verbose_with_mask(void **state)
{
    struct nl_msg *msg = reply_start(ETHTOOL_MSG_TSINFO_GET_REPLY);
    struct ts_info info;
    put_verbose(msg, ETHTOOL_A_TSINFO_RX_FILTERS, 0x0f, 0x05, false);
    assert_int_equal(ts_info_parse_reply(nlmsg_hdr(msg), &info), 0);
    assert_int_equal(info.rx_filters, 0x05);
    nlmsg_free(msg);
}

// ENA with RX stamping only: RX_HARDWARE without RAW_HARDWARE, filters NONE|ALL, TX OFF only.
static void test_ena_rx_only_flags(void **state)
{
    struct nl_msg *msg = reply_start(ETHTOOL_MSG_TSINFO_GET_REPLY);
    struct ts_info info;
    put_compact(msg, ETHTOOL_A_TSINFO_TIMESTAMPING,
                SOF_TIMESTAMPING_RX_HARDWARE | SOF_TIMESTAMPING_TX_SOFTWARE, 17);
    put_compact(msg, ETHTOOL_A_TSINFO_TX_TYPES, 1u << HWTSTAMP_TX_OFF, 4);
    put_compact(msg, ETHTOOL_A_TSINFO_RX_FILTERS, RX_NONE_ALL, 16);
    assert_int_equal(nla_put_u32(msg, ETHTOOL_A_TSINFO_PHC_INDEX, 0), 0);
    assert_int_equal(ts_info_parse_reply(nlmsg_hdr(msg), &info), 0);
    assert_true(ts_info_hw_rx(&info));
    assert_false(ts_info_hw_tx(&info));
    assert_int_equal(info.phc_index, 0);
    nlmsg_free(msg);
}

static void test_rx_filter_alone_means_rx(void **state)
{
    struct ts_info info = {.rx_filters = 1u << HWTSTAMP_FILTER_PTP_V2_EVENT, .phc_index = -1};
    assert_true(ts_info_hw_rx(&info));
    info.rx_filters = 1u << HWTSTAMP_FILTER_NONE;
    assert_false(ts_info_hw_rx(&info));
}

static void test_parse_rejects_bad_messages(void **state)
{
    struct ts_info info;
    // Not a TSINFO reply.
    struct nl_msg *msg = reply_start(ETHTOOL_MSG_LINKINFO_GET_REPLY);
    assert_int_equal(ts_info_parse_reply(nlmsg_hdr(msg), &info), -EINVAL);
    nlmsg_free(msg);
    // A PHC index that is not a u32.
    msg = reply_start(ETHTOOL_MSG_TSINFO_GET_REPLY);
    assert_int_equal(nla_put_u8(msg, ETHTOOL_A_TSINFO_PHC_INDEX, 1), 0);
    assert_int_equal(ts_info_parse_reply(nlmsg_hdr(msg), &info), -EINVAL);
    nlmsg_free(msg);
    // A bit entry without its index.
    msg = reply_start(ETHTOOL_MSG_TSINFO_GET_REPLY);
    struct nlattr *set = nla_nest_start(msg, ETHTOOL_A_TSINFO_TX_TYPES | NLA_F_NESTED);
    struct nlattr *bits = nla_nest_start(msg, ETHTOOL_A_BITSET_BITS | NLA_F_NESTED);
    struct nlattr *bit = nla_nest_start(msg, ETHTOOL_A_BITSET_BITS_BIT | NLA_F_NESTED);
    assert_int_equal(nla_put_string(msg, ETHTOOL_A_BITSET_BIT_NAME, "on"), 0);
    nla_nest_end(msg, bit);
    nla_nest_end(msg, bits);
    nla_nest_end(msg, set);
    assert_int_equal(ts_info_parse_reply(nlmsg_hdr(msg), &info), -EINVAL);
    nlmsg_free(msg);
    // A header too short for the generic netlink header.
    struct nlmsghdr short_hdr = {.nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = FAKE_FAMILY};
    assert_int_equal(ts_info_parse_reply(&short_hdr, &info), -EINVAL);
}

// Loopback exists in every network namespace; both transports must report the same thing.
static void test_real_loopback_transports_agree(void **state)
{
    struct ts_info by_nl, by_ioctl, best;
    int err = ts_info_get_netlink("lo", &by_nl);
    assert_int_equal(ts_info_get_ioctl("lo", &by_ioctl), 0);
    assert_int_equal(ts_info_get("lo", &best), 0);
    assert_int_equal(by_ioctl.phc_index, -1);
    assert_false(ts_info_hw_tx(&by_ioctl));
    if (err == -EOPNOTSUPP) {
        print_message("ethtool netlink unavailable: ioctl only\n");
    } else {
        assert_int_equal(err, 0);
        assert_int_equal(by_nl.so_timestamping, by_ioctl.so_timestamping);
        assert_int_equal(by_nl.tx_types, by_ioctl.tx_types);
        assert_int_equal(by_nl.rx_filters, by_ioctl.rx_filters);
        assert_int_equal(by_nl.phc_index, by_ioctl.phc_index);
    }
    assert_int_equal(best.so_timestamping, by_ioctl.so_timestamping);
}

static void test_real_missing_interface(void **state)
{
    struct ts_info info;
    assert_int_equal(ts_info_get("tsyncd-none0", &info), -ENODEV);
    assert_int_equal(ts_info_get_ioctl("tsyncd-none0", &info), -ENODEV);
    assert_int_equal(ts_info_get("a-name-longer-than-ifnamsiz", &info), -ENODEV);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_compact_with_phc),
        cmocka_unit_test(test_parse_verbose_nomask_without_phc),
        cmocka_unit_test(test_parse_verbose_with_mask),
        cmocka_unit_test(test_ena_rx_only_flags),
        cmocka_unit_test(test_rx_filter_alone_means_rx),
        cmocka_unit_test(test_parse_rejects_bad_messages),
        cmocka_unit_test(test_real_loopback_transports_agree),
        cmocka_unit_test(test_real_missing_interface),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
